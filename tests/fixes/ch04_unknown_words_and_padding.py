"""Chapter 4: plausible fixes for each fix-me cell."""
from fixes import right, wrong

FIXES = {
    "build_vocab": [
        wrong("words numbered from 0, over the specials", '''
            vocab = {"<pad>": 0, "<unk>": 1}
            vocab.update({word: i for i, word in enumerate(kept)})
            ''', hint="VOCAB_WORDS"),
        wrong("specials swapped", '''
            vocab = {"<unk>": 0, "<pad>": 1}
            for word in kept:
                vocab[word] = len(vocab)
            ''', hint="VOCAB_SPECIALS"),
        wrong("words in alphabetical order", '''
            vocab = {"<pad>": 0, "<unk>": 1}
            for word in sorted(kept):
                vocab[word] = len(vocab)
            ''', hint="VOCAB_WORDS"),
        wrong("words numbered from 1", '''
            vocab = {"<pad>": 0, "<unk>": 1}
            for i, word in enumerate(kept):
                vocab[word] = i + 1
            ''', hint="VOCAB_WORDS"),
        wrong("most_common without the alphabetical tie-break", '''
            def build_vocab(sentences, min_count=1):
                counts = Counter(w for s in sentences for w in s.split())
                vocab = {"<pad>": 0, "<unk>": 1}
                for word, n in counts.most_common():
                    if n >= min_count:
                        vocab[word] = len(vocab)
                return vocab
            ''', cell=True, hint="VOCAB_WORDS"),
        right("one dict", 'vocab = {"<pad>": 0, "<unk>": 1, **{w: i + 2 for i, w in enumerate(kept)}}',
              because="** unpacks the words into the dict after the two specials, and i + 2 skips the ids they hold"),
        right("enumerate over specials and words", 'vocab = {w: i for i, w in enumerate(["<pad>", "<unk>"] + kept)}',
              because="enumerate numbers the list from 0, and the two specials come first in it"),
    ],
    "encode_words": [
        wrong("<unk> assumed to be id 1", "ids = [vocab.get(word, 1) for word in sentence.split()]", hint="WORDS_IDS"),
        wrong("unknown words mapped to <pad>", "ids = [vocab.get(word, 0) for word in sentence.split()]", hint="WORDS_IDS"),
        wrong("unknown words dropped", "ids = [vocab[word] for word in sentence.split() if word in vocab]", hint="WORDS_IDS"),
        wrong("unknown words given a new id", "ids = [vocab.get(word, len(vocab)) for word in sentence.split()]",
              hint="WORDS_IDS"),
        right("in, else", 'ids = [vocab[w] if w in vocab else vocab["<unk>"] for w in sentence.split()]',
              because="the word is looked up only when vocab holds it; any other word takes <unk>'s own id"),
        right("try and except KeyError", '''
            ids = []
            for word in sentence.split():
                try:
                    ids.append(vocab[word])
                except KeyError:
                    ids.append(vocab["<unk>"])
            ''', because="the KeyError a missing word raises is caught, and <unk>'s id is used in its place"),
    ],
    "make_padded_embedding": [
        wrong("the pad row zeroed by hand", '''
            table = nn.Embedding(vocab_size, dim)
            with torch.no_grad():
                table.weight[pad_id] = 0
            return table
            ''', hint="PADDED_GRAD"),
        wrong("padding_idx hard-coded to 0", "return nn.Embedding(vocab_size, dim, padding_idx=0)", hint="PADDED_ROW"),
        wrong("pad row zeroed, whole table frozen", '''
            table = nn.Embedding(vocab_size, dim)
            with torch.no_grad():
                table.weight[pad_id] = 0
            table.weight.requires_grad_(False)
            return table
            ''', hint="PADDED_FROZEN"),
        wrong("from_pretrained random weights",
              "return nn.Embedding.from_pretrained(torch.randn(vocab_size, dim), freeze=False, padding_idx=pad_id)",
              hint="PADDED_ROW"),
        right("positional padding_idx", "return nn.Embedding(vocab_size, dim, pad_id)",
              because="padding_idx is nn.Embedding's third parameter"),
        right("padding_idx set after construction", '''
            table = nn.Embedding(vocab_size, dim)
            table.padding_idx = pad_id
            with torch.no_grad():
                table.weight[pad_id].zero_()
            return table
            '''),
        right("from_pretrained with a zero pad row", '''
            weights = torch.randn(vocab_size, dim)
            weights[pad_id] = 0
            return nn.Embedding.from_pretrained(weights, freeze=False, padding_idx=pad_id)
            ''', because="from_pretrained keeps the weights it is given, so the pad row is zeroed first; "
                         "padding_idx then gives it a zero gradient, and freeze=False lets the other rows learn"),
    ],
    "run_packed": [
        wrong("lengths sorted, sentences not",
              "packed = pack_padded_sequence(x, lengths.sort(descending=True).values, batch_first=True)",
              hint="PACKED_VALUES"),
        wrong("batch sorted and never put back", '''
            lengths, order = lengths.sort(descending=True)
            packed = pack_padded_sequence(x[order], lengths, batch_first=True)
            ''', hint="PACKED_VALUES"),
        wrong("batch_first left out", "packed = pack_padded_sequence(x, lengths, enforce_sorted=False)", hint="PACKED_RAISED"),
        wrong("total_length left out", '''
            def run_packed(lstm, x, lengths):
                packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
                out, _ = lstm(packed)
                padded, _ = pad_packed_sequence(out, batch_first=True)
                return padded
            ''', cell=True, hint="PACKED_SHAPE"),
        right("lengths as a list", "packed = pack_padded_sequence(x, lengths.tolist(), batch_first=True, enforce_sorted=False)",
              because="packing takes the lengths as a list or as a CPU tensor"),
        right("sorted by hand and put back", '''
            def run_packed(lstm, x, lengths):
                order = lengths.argsort(descending=True)
                packed = pack_padded_sequence(x[order], lengths[order], batch_first=True)
                out, _ = lstm(packed)
                padded, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
                return padded[order.argsort()]
            ''', cell=True, because="order.argsort() is the inverse of the permutation order, so it puts each "
                                    "sentence's outputs back in its own row"),
        right("run padded, then zero the padding (a one-directional LSTM never looks ahead)", '''
            def run_packed(lstm, x, lengths):
                out, _ = lstm(x)                                                  # (B, T, H)
                real = torch.arange(x.shape[1])[None, :] < lengths[:, None]       # (B, T)
                return out * real.unsqueeze(-1).to(out.device)
            ''', cell=True, because="a one-directional LSTM's output at step t has read steps 0 to t only, so the "
                                    "padding after a sentence cannot change its real steps (a bidirectional one "
                                    "would need packing)"),
    ],
    "last_real_step": [
        wrong("lengths - 1 as a time index for everyone", "return out[:, lengths - 1]", hint="LAST_SHAPE"),
        wrong("lengths without the - 1", "return out[torch.arange(out.shape[0]), lengths]", hint="LAST_VALUES"),
        wrong("gather, then squeeze()", '''
            index = (lengths - 1).view(-1, 1, 1).expand(-1, 1, out.shape[2]).to(out.device)
            return out.gather(1, index).squeeze()
            ''', hint="LAST_SHAPE"),
        wrong("the longest sentence's last step", "return out[:, lengths.max() - 1]", hint="LAST_VALUES"),
        right("range", "return out[range(out.shape[0]), lengths - 1]",
              because="a range indexes like torch.arange: each row is paired with its own lengths[b] - 1"),
        right("a loop", "return torch.stack([out[b, n - 1] for b, n in enumerate(lengths.tolist())])",
              because="out[b, n - 1] is sentence b's last word; stack joins the B vectors into (B, H)"),
        right("gather, then squeeze(1)", '''
            index = (lengths - 1).view(-1, 1, 1).expand(-1, 1, out.shape[2]).to(out.device)
            return out.gather(1, index).squeeze(1)
            ''', because="gather picks one step per sentence along axis 1, and squeeze(1) drops only that "
                         "axis, so a batch of one keeps its batch axis"),
    ],
    "token_loss": [
        # no hint names this: NaN placeholder, nothing computed (the check's own NaN message replaces any hint)
        wrong("NaN", "return torch.tensor(float('nan'), device=logits.device)", hint=""),
        wrong("ignore_index hard-coded to 0", "return nn.functional.cross_entropy(flat_logits, flat_tags, ignore_index=0)",
              hint="LOSS_VALUE"),
        wrong("masked, then averaged over every position", '''
            losses = nn.functional.cross_entropy(flat_logits, flat_tags, reduction="none")
            return (losses * (flat_tags != pad_tag)).mean()
            ''', hint="LOSS_VALUE"),
        wrong("summed instead of averaged",
              'return nn.functional.cross_entropy(flat_logits, flat_tags, ignore_index=pad_tag, reduction="sum")',
              hint="LOSS_VALUE"),
        wrong("not flattened: time read as the class axis",
              "return nn.functional.cross_entropy(logits, tags, ignore_index=pad_tag)",
              hint="LOSS_RAISED"),
        right("real positions selected", '''
            real = flat_tags != pad_tag
            return nn.functional.cross_entropy(flat_logits[real], flat_tags[real])
            ''', because="a boolean mask keeps the real positions only, and the default mean is over those"),
        right("masked sum over the real count", '''
            losses = nn.functional.cross_entropy(flat_logits, flat_tags, reduction="none")
            real = (flat_tags != pad_tag).float()
            return (losses * real).sum() / real.sum()
            ''', because="the sum and the count both leave the padding out"),
        right("class weights with the pad tag at 0", '''
            weight = torch.ones(logits.shape[-1], device=logits.device)
            weight[pad_tag] = 0
            return nn.functional.cross_entropy(flat_logits, flat_tags, weight=weight)
            ''', because="with class weights the mean divides by the targets' weights, so a tag of weight 0 "
                         "leaves both the sum and the count"),
    ],
    "sentence_reader": [
        wrong("unknown words and the layout fixed, never packed: padding read", '''
            class SentenceReader(nn.Module):
                def __init__(self, vocab, emb_dim, hidden):
                    super().__init__()
                    self.vocab = vocab
                    self.embed = nn.Embedding(len(vocab), emb_dim, padding_idx=vocab["<pad>"])
                    self.lstm = nn.LSTM(emb_dim, hidden, batch_first=True)

                def forward(self, sentences):
                    unk = self.vocab["<unk>"]
                    seqs = [torch.tensor([self.vocab.get(w, unk) for w in s.split()]) for s in sentences]
                    batch = pad_sequence(seqs, batch_first=True, padding_value=self.vocab["<pad>"])
                    x = self.embed(batch.to(self.embed.weight.device))
                    out, (h_n, c_n) = self.lstm(x)
                    return h_n[-1]
            ''', hint="READER_VALUES"),
        wrong("unknown words fixed and packed, the batch still time-first", '''
            class SentenceReader(nn.Module):
                def __init__(self, vocab, emb_dim, hidden):
                    super().__init__()
                    self.vocab = vocab
                    self.embed = nn.Embedding(len(vocab), emb_dim, padding_idx=vocab["<pad>"])
                    self.lstm = nn.LSTM(emb_dim, hidden, batch_first=True)

                def forward(self, sentences):
                    unk = self.vocab["<unk>"]
                    seqs = [torch.tensor([self.vocab.get(w, unk) for w in s.split()]) for s in sentences]
                    lengths = torch.tensor([len(seq) for seq in seqs])
                    batch = pad_sequence(seqs, padding_value=self.vocab["<pad>"])
                    x = self.embed(batch.to(self.embed.weight.device))
                    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
                    _, (h_n, _) = self.lstm(packed)
                    return h_n[-1]
            ''', hint="READER_RAISED"),
        wrong("all three fixed, but <unk> taken to be id 1", '''
            class SentenceReader(nn.Module):
                def __init__(self, vocab, emb_dim, hidden):
                    super().__init__()
                    self.vocab = vocab
                    self.embed = nn.Embedding(len(vocab), emb_dim, padding_idx=vocab["<pad>"])
                    self.lstm = nn.LSTM(emb_dim, hidden, batch_first=True)

                def forward(self, sentences):
                    seqs = [torch.tensor([self.vocab.get(w, 1) for w in s.split()]) for s in sentences]
                    lengths = torch.tensor([len(seq) for seq in seqs])
                    batch = pad_sequence(seqs, batch_first=True, padding_value=self.vocab["<pad>"])
                    x = self.embed(batch.to(self.embed.weight.device))
                    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
                    _, (h_n, _) = self.lstm(packed)
                    return h_n[-1]
            ''', hint="READER_VALUES"),
        wrong("packed and unpacked, then the last column of the output", '''
            class SentenceReader(nn.Module):
                def __init__(self, vocab, emb_dim, hidden):
                    super().__init__()
                    self.vocab = vocab
                    self.embed = nn.Embedding(len(vocab), emb_dim, padding_idx=vocab["<pad>"])
                    self.lstm = nn.LSTM(emb_dim, hidden, batch_first=True)

                def forward(self, sentences):
                    unk = self.vocab["<unk>"]
                    seqs = [torch.tensor([self.vocab.get(w, unk) for w in s.split()]) for s in sentences]
                    lengths = torch.tensor([len(seq) for seq in seqs])
                    batch = pad_sequence(seqs, batch_first=True, padding_value=self.vocab["<pad>"])
                    x = self.embed(batch.to(self.embed.weight.device))
                    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
                    out, _ = self.lstm(packed)
                    out, _ = pad_packed_sequence(out, batch_first=True)
                    return out[:, -1]
            ''', hint="READER_VALUES"),
        wrong("unknown words dropped instead of mapped to <unk>", '''
            class SentenceReader(nn.Module):
                def __init__(self, vocab, emb_dim, hidden):
                    super().__init__()
                    self.vocab = vocab
                    self.embed = nn.Embedding(len(vocab), emb_dim, padding_idx=vocab["<pad>"])
                    self.lstm = nn.LSTM(emb_dim, hidden, batch_first=True)

                def forward(self, sentences):
                    seqs = [torch.tensor([self.vocab[w] for w in s.split() if w in self.vocab]) for s in sentences]
                    lengths = torch.tensor([len(seq) for seq in seqs])
                    batch = pad_sequence(seqs, batch_first=True, padding_value=self.vocab["<pad>"])
                    x = self.embed(batch.to(self.embed.weight.device))
                    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
                    _, (h_n, _) = self.lstm(packed)
                    return h_n[-1]
            ''', hint="READER_VALUES"),
        wrong("the time-first batch turned round with view, then packed", '''
            class SentenceReader(nn.Module):
                def __init__(self, vocab, emb_dim, hidden):
                    super().__init__()
                    self.vocab = vocab
                    self.embed = nn.Embedding(len(vocab), emb_dim, padding_idx=vocab["<pad>"])
                    self.lstm = nn.LSTM(emb_dim, hidden, batch_first=True)

                def forward(self, sentences):
                    unk = self.vocab["<unk>"]
                    seqs = [torch.tensor([self.vocab.get(w, unk) for w in s.split()]) for s in sentences]
                    lengths = torch.tensor([len(seq) for seq in seqs])
                    batch = pad_sequence(seqs, padding_value=self.vocab["<pad>"])
                    batch = batch.view(batch.shape[1], batch.shape[0])
                    x = self.embed(batch.to(self.embed.weight.device))
                    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
                    _, (h_n, _) = self.lstm(packed)
                    return h_n[-1]
            ''', hint="READER_VALUES"),
        wrong("packed with the lengths in the order they came", '''
            class SentenceReader(nn.Module):
                def __init__(self, vocab, emb_dim, hidden):
                    super().__init__()
                    self.vocab = vocab
                    self.embed = nn.Embedding(len(vocab), emb_dim, padding_idx=vocab["<pad>"])
                    self.lstm = nn.LSTM(emb_dim, hidden, batch_first=True)

                def forward(self, sentences):
                    unk = self.vocab["<unk>"]
                    seqs = [torch.tensor([self.vocab.get(w, unk) for w in s.split()]) for s in sentences]
                    lengths = torch.tensor([len(seq) for seq in seqs])
                    batch = pad_sequence(seqs, batch_first=True, padding_value=self.vocab["<pad>"])
                    x = self.embed(batch.to(self.embed.weight.device))
                    _, (h_n, _) = self.lstm(pack_padded_sequence(x, lengths, batch_first=True))
                    return h_n[-1]
            ''', hint="READER_RAISED"),
        right("kept time-first, and packed as time-first", '''
            class SentenceReader(nn.Module):
                def __init__(self, vocab, emb_dim, hidden):
                    super().__init__()
                    self.vocab = vocab
                    self.embed = nn.Embedding(len(vocab), emb_dim, padding_idx=vocab["<pad>"])
                    self.lstm = nn.LSTM(emb_dim, hidden, batch_first=True)

                def forward(self, sentences):
                    seqs = [torch.tensor([self.vocab.get(w, self.vocab["<unk>"]) for w in s.split()]) for s in sentences]
                    x = self.embed(pad_sequence(seqs, padding_value=self.vocab["<pad>"]).to(self.embed.weight.device))
                    _, (h_n, _) = self.lstm(pack_padded_sequence(x, [len(q) for q in seqs], enforce_sorted=False))
                    return h_n[-1]
            ''', because="a packed sequence carries its own layout, so a batch-first LSTM reads a batch "
                         "packed time-first (batch_first=False) just as well"),
        right("run padded, then each sentence's output at its own last word", '''
            class SentenceReader(nn.Module):
                def __init__(self, vocab, emb_dim, hidden):
                    super().__init__()
                    self.vocab = vocab
                    self.embed = nn.Embedding(len(vocab), emb_dim, padding_idx=vocab["<pad>"])
                    self.lstm = nn.LSTM(emb_dim, hidden, batch_first=True)

                def forward(self, sentences):
                    seqs = [torch.tensor([self.vocab.get(w, self.vocab["<unk>"]) for w in s.split()]) for s in sentences]
                    batch = pad_sequence(seqs, batch_first=True, padding_value=self.vocab["<pad>"])
                    out, _ = self.lstm(self.embed(batch.to(self.embed.weight.device)))
                    return out[torch.arange(len(seqs)), torch.tensor([len(q) for q in seqs]) - 1]
            ''', because="a one-directional LSTM's output at a sentence's last word has read that sentence "
                         "and none of the padding after it"),
        right("each sentence read alone", '''
            class SentenceReader(nn.Module):
                def __init__(self, vocab, emb_dim, hidden):
                    super().__init__()
                    self.vocab = vocab
                    self.embed = nn.Embedding(len(vocab), emb_dim, padding_idx=vocab["<pad>"])
                    self.lstm = nn.LSTM(emb_dim, hidden, batch_first=True)

                def forward(self, sentences):
                    unk, device = self.vocab["<unk>"], self.embed.weight.device
                    seqs = [torch.tensor([self.vocab.get(w, unk) for w in s.split()], device=device) for s in sentences]
                    return torch.stack([self.lstm(self.embed(q))[1][0][-1] for q in seqs])
            ''', because="a (T, E) input is one unbatched sentence, with no padding to read; stack joins "
                         "the B final states into (B, H)"),
    ],
}
