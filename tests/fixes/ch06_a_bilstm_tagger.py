"""Chapter 6: plausible fixes for each fix-me cell."""
import textwrap

from fixes import right, wrong


def spec_tagger(forward):
    """The challenge's class as handed out, with ``forward``'s body written in (it replaces the
    cell's whole solution region)."""
    return textwrap.dedent('''
        class SpecTagger(nn.Module):
            def __init__(self, n_words, n_tags, emb=16, hidden=16):
                super().__init__()
                self.embed = nn.Embedding(n_words, emb, padding_idx=PAD)
                self.lstm = nn.LSTM(emb, hidden, num_layers=2, bidirectional=True)
                self.out = nn.Linear(2 * hidden, n_tags)

            def forward(self, word_ids, lengths):
        ''') + textwrap.indent(textwrap.dedent(forward).strip("\n"), " " * 8)

FIXES = {
    "encode_batch": [
        wrong("transposed after padding seq-first, tags left seq-first", '''
            return pad_sequence(word_ids).T, pad_sequence(tag_ids), lengths
            ''', hint="ENCODE_BATCH_SHAPE"),
        wrong("reshaped to (B, T) instead of transposed", '''
            ids, tag_rows = pad_sequence(word_ids), pad_sequence(tag_ids)
            return ids.reshape(len(batch), -1), tag_rows.reshape(len(batch), -1), lengths
            ''', hint="ENCODE_BATCH_ROWS"),
        wrong("tags padded with -100, not the padding tag", '''
            return (pad_sequence(word_ids, batch_first=True),
                    pad_sequence(tag_ids, batch_first=True, padding_value=-100), lengths)
            ''', hint="ENCODE_BATCH_TAGS"),
        right("transposed after padding", "return pad_sequence(word_ids).T, pad_sequence(tag_ids).T, lengths",
              because="pad_sequence pads time-first, (T, B); .T swaps the two axes, so each sentence becomes a row"),
        right("padded by hand", '''
            longest = max(len(s) for s in batch)
            ids = torch.zeros(len(batch), longest, dtype=torch.long)
            tag_rows = torch.zeros(len(batch), longest, dtype=torch.long)
            for row, (w, t) in enumerate(zip(word_ids, tag_ids)):
                ids[row, :len(w)], tag_rows[row, :len(t)] = w, t
            return ids, tag_rows, lengths
            ''', because="zeros are PAD and PAD_TAG, and each sentence's ids fill the start of its own row"),
    ],
    "tagger": [
        wrong("hidden features only, the LSTM made one-directional to fit", '''
            self.lstm = nn.LSTM(emb, hidden, batch_first=True)
            self.out = nn.Linear(hidden, n_tags)
            ''', hint="TAGGER_BACKWARD"),
        wrong("the padding run through the LSTM (no packing)", '''
            class Tagger(nn.Module):
                def __init__(self, n_words, n_tags, emb=32, hidden=32):
                    super().__init__()
                    self.embed = nn.Embedding(n_words, emb, padding_idx=PAD)
                    self.lstm = nn.LSTM(emb, hidden, batch_first=True, bidirectional=True)
                    self.out = nn.Linear(2 * hidden, n_tags)

                def forward(self, word_ids, lengths):
                    out, _ = self.lstm(self.embed(word_ids))
                    return self.out(out)
            ''', cell=True, hint="TAGGER_VALUES"),
        wrong("the two directions summed to fit Linear(hidden, n_tags)", '''
            class Tagger(nn.Module):
                def __init__(self, n_words, n_tags, emb=32, hidden=32):
                    super().__init__()
                    self.embed = nn.Embedding(n_words, emb, padding_idx=PAD)
                    self.lstm = nn.LSTM(emb, hidden, batch_first=True, bidirectional=True)
                    self.out = nn.Linear(hidden, n_tags)
                    self.hidden = hidden

                def forward(self, word_ids, lengths):
                    packed = pack_padded_sequence(self.embed(word_ids), lengths.cpu(), batch_first=True,
                                                  enforce_sorted=False)
                    out, _ = self.lstm(packed)
                    out, _ = pad_packed_sequence(out, batch_first=True, total_length=word_ids.shape[1])
                    return self.out(out[..., :self.hidden] + out[..., self.hidden:])
            ''', cell=True, hint="TAGGER_VALUES"),
        right("LazyLinear", "self.out = nn.LazyLinear(n_tags)",
              because="a LazyLinear reads in_features from the first tensor it is given: 2 * hidden here"),
        right("in_features read from the LSTM", "self.out = nn.Linear(self.lstm.hidden_size * 2, n_tags)",
              because="a bidirectional LSTM gives hidden_size features per direction at each step, two directions"),
    ],
    "tag_loss": [
        wrong("(B, T, C) scores given as they are", '''
            return nn.functional.cross_entropy(scores, tag_ids, ignore_index=PAD_TAG)
            ''', hint="TAG_LOSS_RAISED"),
        wrong("scores flattened batch-first, targets flattened time-first", '''
            flat_scores = scores.reshape(-1, scores.shape[-1])
            return nn.functional.cross_entropy(flat_scores, tag_ids.T.reshape(-1), ignore_index=PAD_TAG)
            ''', hint="TAG_LOSS_VALUE"),
        wrong("padding counted", '''
            return nn.functional.cross_entropy(scores.permute(0, 2, 1), tag_ids)
            ''', hint="TAG_LOSS_VALUE"),
        wrong("scores viewed as (B, C, T) instead of permuted", '''
            B, T, C = scores.shape
            return nn.functional.cross_entropy(scores.reshape(B, C, T), tag_ids, ignore_index=PAD_TAG)
            ''', hint="TAG_LOSS_VALUE"),
        wrong("the mean of each sentence's mean", '''
            per_word = nn.functional.cross_entropy(scores.permute(0, 2, 1), tag_ids, ignore_index=PAD_TAG,
                                                   reduction="none")
            real = (tag_ids != PAD_TAG).sum(1)
            return (per_word.sum(1) / real).mean()
            ''', hint="TAG_LOSS_VALUE"),
        right("both flattened the same way", '''
            flat_scores = scores.reshape(-1, scores.shape[-1])     # (B*T, C)
            return nn.functional.cross_entropy(flat_scores, tag_ids.reshape(-1), ignore_index=PAD_TAG)
            ''', because="both flattened batch-first, so the i-th row of scores and the i-th target are the same word"),
        right("transpose(1, 2) and the module form", '''
            return nn.CrossEntropyLoss(ignore_index=PAD_TAG)(scores.transpose(1, 2), tag_ids)
            ''', because="transpose(1, 2) swaps time and classes as permute(0, 2, 1) does; the module computes the same loss"),
        right("a mask by hand", '''
            real = tag_ids != PAD_TAG
            return nn.functional.cross_entropy(scores[real], tag_ids[real])
            ''', because="indexing with the (B, T) mask keeps the real words' (N, C) scores and (N,) tags, in the same order"),
    ],
    "token_accuracy": [
        wrong("argmax over time", '''
            real = tag_ids != PAD_TAG
            predicted = scores.argmax(1)
            return ((predicted == tag_ids) & real).sum().item() / real.sum().item()
            ''', hint="ACCURACY_VALUE"),
        wrong("padding counted as right", '''
            real = tag_ids != PAD_TAG
            return ((predicted == tag_ids) | ~real).float().mean().item()
            ''', hint="ACCURACY_VALUE"),
        wrong("right words over every position", '''
            real = tag_ids != PAD_TAG
            return ((predicted == tag_ids) & real).float().mean().item()
            ''', hint="ACCURACY_VALUE"),
        wrong("each sentence's accuracy, averaged", '''
            real = tag_ids != PAD_TAG
            per_sentence = ((predicted == tag_ids) & real).sum(1) / real.sum(1)
            return per_sentence.mean().item()
            ''', hint="ACCURACY_VALUE"),
        right("boolean indexing", '''
            real = tag_ids != PAD_TAG
            return (predicted[real] == tag_ids[real]).float().mean().item()
            ''', because="indexing with the mask keeps the real words only, so the mean is over them"),
        right("a tensor, not a float", '''
            real = tag_ids != PAD_TAG
            return (predicted == tag_ids)[real].double().mean()
            ''', because="a one-element tensor holds the same share; float() reads it as a number"),
    ],
    "tags_of_batch": [
        wrong("padding predictions dropped by their tag", '''
            return [[tag_names[i] for i in row if i != PAD_TAG] for row in best]
            ''', hint="TAGS_VALUE"),
        wrong("one word short", "return [[tag_names[i] for i in row[:n - 1]] for row, n in zip(best, lengths.tolist())]",
              hint="TAGS_VALUE"),
        wrong("every sentence cut at the longest length", '''
            longest = int(lengths.max())
            return [[tag_names[i] for i in row[:longest]] for row in best]
            ''', hint="TAGS_VALUE"),
        wrong("argmax over time", '''
            def tags_of_batch(scores, lengths):
                best = scores.argmax(1).tolist()
                return [[tag_names[i] for i in row[:n]] for row, n in zip(best, lengths.tolist())]
            ''', cell=True, hint="TAGS_VALUE"),
        right("a loop over sentences", '''
            tagged = []
            for b, n in enumerate(lengths.tolist()):
                tagged.append([tag_names[best[b][t]] for t in range(n)])
            return tagged
            ''', because="each sentence's list stops at its own length, as a loop over its real positions"),
        right("sliced as tensors first", '''
            ids = scores.argmax(-1)
            return [[tag_names[i] for i in ids[b, :n].tolist()] for b, n in enumerate(lengths.tolist())]
            ''', because="slicing each row of tag ids to its length before .tolist() leaves the padding behind"),
    ],
    "sentence_batch": [
        wrong("unknown words given <pad>", "ids = torch.tensor([[words.get(w.lower(), PAD) for w in tokens]], device=DEVICE)",
              hint="SENTENCE_IDS"),
        wrong("not lower-cased", "ids = torch.tensor([[words.get(w, UNK) for w in tokens]], device=DEVICE)", hint="SENTENCE_IDS"),
        wrong("unknown words dropped", '''
            tokens = [w for w in tokens if w.lower() in words]
            ids = torch.tensor([[words[w.lower()] for w in tokens]], device=DEVICE)
            ''', hint="SENTENCE_SHAPE"),
        wrong("no batch axis", "ids = torch.tensor([words.get(w.lower(), UNK) for w in tokens], device=DEVICE)",
              hint="SENTENCE_SHAPE"),
        right("in, else", '''
            ids = torch.tensor([[words[w.lower()] if w.lower() in words else UNK for w in tokens]], device=DEVICE)
            ''', because="the same lookup as encode_batch's: lower-cased, and <unk> for a word training never saw"),
        right("unsqueeze(0)", '''
            ids = torch.tensor([words.get(w.lower(), UNK) for w in tokens]).unsqueeze(0).to(DEVICE)
            ''', because="unsqueeze(0) adds the batch axis in front: (T,) becomes (1, T)"),
    ],    "spec_tagger": [
        wrong("the chapter's Tagger copied: packed batch-first, the padding's scores left at the bias", spec_tagger('''
            packed = pack_padded_sequence(self.embed(word_ids), lengths.cpu(), batch_first=True, enforce_sorted=False)
            out, _ = self.lstm(packed)
            out, _ = pad_packed_sequence(out, batch_first=True, total_length=word_ids.shape[1])
            return self.out(out)
            '''), hint="SPEC_PADDING"),
        wrong("not packed: transposed for the time-first LSTM, padding masked (the backward direction reads it)",
              spec_tagger('''
            steps, _ = self.lstm(self.embed(word_ids).transpose(0, 1))        # (T, B, 2H)
            scores = self.out(steps.transpose(0, 1))                         # (B, T, C)
            real = torch.arange(word_ids.shape[1], device=word_ids.device) < lengths.to(word_ids.device)[:, None]
            return scores * real.unsqueeze(-1)
            '''), hint="SPEC_REAL"),
        wrong("not packed and not transposed: the time-first LSTM walks along the batch", spec_tagger('''
            steps, _ = self.lstm(self.embed(word_ids))
            scores = self.out(steps)
            real = torch.arange(word_ids.shape[1], device=word_ids.device) < lengths.to(word_ids.device)[:, None]
            return scores * real.unsqueeze(-1)
            '''), hint="SPEC_REAL"),
        wrong("packed as time-first because the LSTM is, though word_ids are batch-first", spec_tagger('''
            packed = pack_padded_sequence(self.embed(word_ids), lengths.cpu(), enforce_sorted=False)
            out, _ = pad_packed_sequence(self.lstm(packed)[0], total_length=word_ids.shape[1])   # (T, B, 2H)
            scores = self.out(out).transpose(0, 1)
            real = torch.arange(word_ids.shape[1], device=word_ids.device) < lengths.to(word_ids.device)[:, None]
            return scores * real.unsqueeze(-1)
            '''), hint="SPEC_RAISED"),
        wrong("no total_length: scores only as long as the longest sentence", spec_tagger('''
            packed = pack_padded_sequence(self.embed(word_ids), lengths.cpu(), batch_first=True, enforce_sorted=False)
            out, _ = pad_packed_sequence(self.lstm(packed)[0], batch_first=True)
            scores = self.out(out)
            real = torch.arange(scores.shape[1], device=scores.device) < lengths.to(scores.device)[:, None]
            return scores * real.unsqueeze(-1)
            '''), hint="SPEC_SHAPE"),
        wrong("the mask built time-first, (T, B, 1)", spec_tagger('''
            packed = pack_padded_sequence(self.embed(word_ids), lengths.cpu(), batch_first=True, enforce_sorted=False)
            out, _ = pad_packed_sequence(self.lstm(packed)[0], batch_first=True, total_length=word_ids.shape[1])
            real = torch.arange(word_ids.shape[1], device=word_ids.device)[:, None] < lengths.to(word_ids.device)[None, :]
            return self.out(out) * real.unsqueeze(-1)
            '''), hint="SPEC_RAISED"),
        wrong("enforce_sorted left on: lengths must come longest first", spec_tagger('''
            packed = pack_padded_sequence(self.embed(word_ids), lengths.cpu(), batch_first=True)
            out, _ = pad_packed_sequence(self.lstm(packed)[0], batch_first=True, total_length=word_ids.shape[1])
            real = torch.arange(word_ids.shape[1], device=word_ids.device) < lengths.to(word_ids.device)[:, None]
            return self.out(out) * real.unsqueeze(-1)
            '''), hint="SPEC_RAISED"),
        right("the Linear on the packed steps, padded afterwards", spec_tagger('''
            packed = pack_padded_sequence(self.embed(word_ids), lengths.cpu(), batch_first=True, enforce_sorted=False)
            read, _ = self.lstm(packed)
            scored = read._replace(data=self.out(read.data))       # a PackedSequence is a named tuple
            return pad_packed_sequence(scored, batch_first=True, total_length=word_ids.shape[1])[0]
            '''), because="a Linear acts on the last axis, so it can score the packed real steps alone; "
                             "pad_packed_sequence then puts 0 at every padding position"),
        right("each sentence run on its own", spec_tagger('''
            scores = torch.zeros(*word_ids.shape, self.out.out_features, device=word_ids.device)
            for b, n in enumerate(lengths.tolist()):                  # (n, 1, E): one sentence, time first
                scores[b, :n] = self.out(self.lstm(self.embed(word_ids[b, :n]).unsqueeze(1))[0][:, 0])
            return scores
            '''), because="a sentence run alone, at its own length, never meets padding: slower, plainly right"),
        right("sorted by length by hand, time-first throughout, masked from the ids", spec_tagger('''
            order = lengths.argsort(descending=True)
            vectors = self.embed(word_ids[order.to(word_ids.device)]).transpose(0, 1)          # (T, B, E)
            packed = pack_padded_sequence(vectors, lengths[order].cpu())
            out, _ = pad_packed_sequence(self.lstm(packed)[0], total_length=word_ids.shape[1])  # (T, B, 2H)
            scores = self.out(out.transpose(0, 1))[order.argsort().to(word_ids.device)]         # back in order
            return scores * (word_ids != PAD).unsqueeze(-1)
            '''), because="sorted longest first, a time-first batch packs as it is; no real word has PAD's id, "
                             "so the ids themselves mark the padding"),
    ],
}
