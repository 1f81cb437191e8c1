"""Chapter 1: plausible fixes for each fix-me cell."""
from fixes import right, wrong

FIXES = {
    "encode": [
        wrong("(time, batch) instead of (batch, time)",
              "ids = torch.zeros(longest, len(sentences), dtype=torch.long)", hint="ENCODE_RAISED"),
        wrong("padded with <unk>", 'ids = torch.full((len(sentences), longest), vocab["<unk>"], dtype=torch.long)',
              hint="ENCODE_IDS"),
        wrong("one spare column", "ids = torch.zeros(len(sentences), longest + 1, dtype=torch.long)", hint="ENCODE_SHAPE"),
        wrong("float ids, cast only at the lookup", '''
            def encode(sentences, vocab):
                longest = max(len(s.split()) for s in sentences)
                ids = torch.zeros(len(sentences), longest)
                for b, sentence in enumerate(sentences):
                    for t, word in enumerate(sentence.split()):
                        ids[b, t] = vocab.get(word, vocab["<unk>"])
                return ids

            batch_ids = encode(sentences, vocab)
            vectors = nn.Embedding(len(vocab), 4)(batch_ids.long())
            ''', cell=True, hint="ENCODE_DTYPE"),
        wrong("vocab[word], so unknown words raise", '''
            def encode(sentences, vocab):
                longest = max(len(s.split()) for s in sentences)
                ids = torch.zeros(len(sentences), longest, dtype=torch.long)
                for b, sentence in enumerate(sentences):
                    for t, word in enumerate(sentence.split()):
                        ids[b, t] = vocab[word]
                return ids
            ''', cell=True, hint="ENCODE_RAISED"),
        right("zeros, then .long()", "ids = torch.zeros(len(sentences), longest).long()",
              because="zeros are <pad>'s id, 0, and .long() makes an integer tensor before any id is stored"),
        right("int32 ids", 'ids = torch.full((len(sentences), longest), vocab["<pad>"], dtype=torch.int32)',
              because='nn.Embedding takes int32 ids as well as the usual int64'),
        right("pad_sequence", '''
            from torch.nn.utils.rnn import pad_sequence

            def encode(sentences, vocab):
                rows = [torch.tensor([vocab.get(w, vocab["<unk>"]) for w in s.split()], dtype=torch.long)
                        for s in sentences]
                return pad_sequence(rows, batch_first=True, padding_value=vocab["<pad>"])
            ''', cell=True, because="one tensor of ids per sentence, padded into (batch, time) rows with <pad>'s id"),
    ],
    "make_embedding": [
        wrong("hard-coded to the example's 12 entries", "return nn.Embedding(12, emb_dim)", hint="EMBEDDING_SHAPE"),
        wrong("one row short", "return nn.Embedding(len(vocab) - 1, emb_dim)", hint="EMBEDDING_SHAPE"),
        wrong("arguments swapped", "return nn.Embedding(emb_dim, len(vocab))", hint="EMBEDDING_SHAPE"),
        wrong("one spare row", "return nn.Embedding(len(vocab) + 1, emb_dim)", hint="EMBEDDING_SHAPE"),
        right("largest id plus one", "return nn.Embedding(max(vocab.values()) + 1, emb_dim)",
              because='ids 0 to the largest need the largest plus one rows: len(vocab) when the ids have no gaps'),
        right("positional arguments", "return nn.Embedding(len(vocab), emb_dim)"),
        right("with a padding row", 'return nn.Embedding(len(vocab), emb_dim, padding_idx=vocab["<pad>"])',
              because="padding_idx adds something (<pad>'s row starts at zeros and gets no gradient); the size is what the lookup needs"),
    ],
    "token_encoder": [
        wrong("input_size hard-coded to the example's 8",
              "self.lstm = nn.LSTM(input_size=8, hidden_size=hidden, batch_first=True)", hint="ENCODER_RAISED"),
        wrong("batch_first left out", "self.lstm = nn.LSTM(input_size=emb_dim, hidden_size=hidden)", hint="ENCODER_VALUES"),
        wrong("hidden_size made equal to emb_dim",
              "self.lstm = nn.LSTM(input_size=emb_dim, hidden_size=emb_dim, batch_first=True)", hint="ENCODER_SHAPE"),
        wrong("the embedding resized to hidden instead", '''
            self.embed = nn.Embedding(vocab_size, hidden)
            self.lstm = nn.LSTM(input_size=hidden, hidden_size=hidden, batch_first=True)
            ''', hint="ENCODER_VALUES"),
        wrong("bidirectional", "self.lstm = nn.LSTM(emb_dim, hidden, batch_first=True, bidirectional=True)",
              hint="ENCODER_SHAPE"),
        right("positional arguments", "self.lstm = nn.LSTM(emb_dim, hidden, batch_first=True)",
              because="input_size and hidden_size are nn.LSTM's first two parameters, in that order"),
        right("input_size read from the embedding", "self.lstm = nn.LSTM(self.embed.embedding_dim, hidden, batch_first=True)",
              because='reading the size from the embedding keeps the two tied if one of them changes'),
        right("a seq-first LSTM with transposes", '''
            class TokenEncoder(nn.Module):
                def __init__(self, vocab_size, emb_dim, hidden):
                    super().__init__()
                    self.embed = nn.Embedding(vocab_size, emb_dim)
                    self.lstm = nn.LSTM(emb_dim, hidden)

                def forward(self, ids):
                    out, _ = self.lstm(self.embed(ids).transpose(0, 1))   # (T, B, H)
                    return out.transpose(0, 1)
            ''', cell=True),
    ],
    "run_seq_first": [
        # no hint names this: NaN placeholders, nothing computed (the check's own NaN message replaces any hint)
        wrong("all NaN, of the right shape",
              "return torch.full((x.shape[0], x.shape[1], lstm.hidden_size), float('nan'), device=x.device)",
              hint=""),
        wrong("output not transposed back", '''
            out, _ = lstm(x.transpose(0, 1))
            return out
            ''', hint="SEQ_FIRST_VALUES"),
        wrong("view in and view out", '''
            B, T = x.shape[0], x.shape[1]
            out, _ = lstm(x.view(T, B, -1))
            return out.view(B, T, -1)
            ''', hint="SEQ_FIRST_VALUES"),
        wrong("permute in, reshape out", '''
            out, _ = lstm(x.permute(1, 0, 2))
            return out.reshape(x.shape[0], x.shape[1], -1)
            ''', hint="SEQ_FIRST_VALUES"),
        wrong("the caller's LSTM switched to batch_first", '''
            lstm.batch_first = True
            out, _ = lstm(x)
            return out
            ''', hint="SEQ_FIRST_LAYER"),
        right("permute", '''
            out, _ = lstm(x.permute(1, 0, 2))
            return out.permute(1, 0, 2)
            ''', because="permute(1, 0, 2) swaps the first two axes, as transpose(0, 1) does"),
        right("movedim", '''
            out, _ = lstm(x.movedim(1, 0))
            return out.movedim(0, 1)
            '''),
        right("einops.rearrange", '''
            from einops import rearrange
            out, _ = lstm(rearrange(x, "b t e -> t b e"))
            return rearrange(out, "t b h -> b t h")
            ''', because="rearrange names each axis, and checks the sizes it is given"),
        right("one sentence at a time", "return torch.stack([lstm(x[b])[0] for b in range(x.shape[0])])",
              because='each (T, E) sentence is an unbatched sequence; stacking their outputs gives (B, T, H): slower, plainly right'),
    ],
    "run_one": [
        wrong("unsqueeze(1), transposed afterwards", '''
            batch = sentence.unsqueeze(1)
            out, _ = lstm(batch)
            return out.transpose(0, 1)
            ''', hint="RUN_ONE_OUTPUT"),
        wrong("no batch axis", "batch = sentence", hint="RUN_ONE_OUTPUT"),
        wrong("reshape to (1, E, T)", "batch = sentence.reshape(1, sentence.shape[1], sentence.shape[0])", hint="RUN_ONE_RAISED"),
        wrong("unsqueeze(-1)", "batch = sentence.unsqueeze(-1)", hint="RUN_ONE_RAISED"),
        right("indexing with None", "batch = sentence[None]",
              because='indexing with None adds a size-1 axis where it stands: in front, as unsqueeze(0) does'),
        right("view", "batch = sentence.view(1, *sentence.shape)",
              because='view(1, T, E) reads the same memory with a batch axis of one in front'),
        right("stack", "batch = torch.stack([sentence])"),
    ],
    "reader": [
        wrong('only input_size fixed: still seq-first, still one row short', '''
            class Reader(nn.Module):
                def __init__(self, vocab, emb_dim, hidden):
                    super().__init__()
                    self.embed = nn.Embedding(max(vocab.values()), emb_dim)
                    self.lstm = nn.LSTM(emb_dim, hidden)

                def forward(self, ids):
                    out, (h_n, c_n) = self.lstm(self.embed(ids))
                    return out, h_n[-1]
            ''', hint="READER_TABLE"),
        wrong('input_size and batch_first fixed, the table still one row short', '''
            class Reader(nn.Module):
                def __init__(self, vocab, emb_dim, hidden):
                    super().__init__()
                    self.embed = nn.Embedding(max(vocab.values()), emb_dim)
                    self.lstm = nn.LSTM(emb_dim, hidden, batch_first=True)

                def forward(self, ids):
                    out, (h_n, c_n) = self.lstm(self.embed(ids))
                    return out, h_n[-1]
            ''', hint="READER_TABLE"),
        wrong('input_size and the table fixed, still seq-first', '''
            class Reader(nn.Module):
                def __init__(self, vocab, emb_dim, hidden):
                    super().__init__()
                    self.embed = nn.Embedding(len(vocab), emb_dim)
                    self.lstm = nn.LSTM(emb_dim, hidden)

                def forward(self, ids):
                    out, (h_n, c_n) = self.lstm(self.embed(ids))
                    return out, h_n[-1]
            ''', hint="READER_LAST"),
        wrong('all three, but the last state read as batch-first, h_n[:, -1]', '''
            class Reader(nn.Module):
                def __init__(self, vocab, emb_dim, hidden):
                    super().__init__()
                    self.embed = nn.Embedding(len(vocab), emb_dim)
                    self.lstm = nn.LSTM(emb_dim, hidden, batch_first=True)

                def forward(self, ids):
                    out, (h_n, c_n) = self.lstm(self.embed(ids))
                    return out, h_n[:, -1]
            ''', hint="READER_LAST"),
        wrong("all three, but the first step's output as the last state", '''
            class Reader(nn.Module):
                def __init__(self, vocab, emb_dim, hidden):
                    super().__init__()
                    self.embed = nn.Embedding(len(vocab), emb_dim)
                    self.lstm = nn.LSTM(emb_dim, hidden, batch_first=True)

                def forward(self, ids):
                    out, (h_n, c_n) = self.lstm(self.embed(ids))
                    return out, out[:, 0]
            ''', hint="READER_LAST"),
        wrong('seq-first kept, the input transposed but not the output', '''
            class Reader(nn.Module):
                def __init__(self, vocab, emb_dim, hidden):
                    super().__init__()
                    self.embed = nn.Embedding(len(vocab), emb_dim)
                    self.lstm = nn.LSTM(emb_dim, hidden)

                def forward(self, ids):
                    out, (h_n, c_n) = self.lstm(self.embed(ids).transpose(0, 1))
                    return out, h_n[-1]
            ''', hint="READER_STEPS"),
        right('seq-first kept, transposed in and out', '''
            class Reader(nn.Module):
                def __init__(self, vocab, emb_dim, hidden):
                    super().__init__()
                    self.embed = nn.Embedding(len(vocab), emb_dim)
                    self.lstm = nn.LSTM(emb_dim, hidden)

                def forward(self, ids):
                    out, (h_n, c_n) = self.lstm(self.embed(ids).transpose(0, 1))
                    return out.transpose(0, 1), h_n[-1]
            ''', because="the LSTM may stay seq-first when what goes in and what comes out are transposed"),
        right("largest id plus one rows, and the last step's output", '''
            class Reader(nn.Module):
                def __init__(self, vocab, emb_dim, hidden):
                    super().__init__()
                    self.embed = nn.Embedding(max(vocab.values()) + 1, emb_dim)
                    self.lstm = nn.LSTM(input_size=emb_dim, hidden_size=hidden, batch_first=True)

                def forward(self, ids):
                    out, _ = self.lstm(self.embed(ids))
                    return out, out[:, -1]
            ''', because="for one layer in one direction, the last step's output is the final hidden state"),
        right('h_n.squeeze(0)', '''
            class Reader(nn.Module):
                def __init__(self, vocab, emb_dim, hidden):
                    super().__init__()
                    self.embed = nn.Embedding(len(vocab), emb_dim)
                    self.lstm = nn.LSTM(emb_dim, hidden, batch_first=True)

                def forward(self, ids):
                    out, (h_n, c_n) = self.lstm(self.embed(ids))
                    return out, h_n.squeeze(0)
            '''),
    ],
}
