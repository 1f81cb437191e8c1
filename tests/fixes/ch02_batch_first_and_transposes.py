"""Chapter 2: plausible fixes for each fix-me cell."""
from fixes import right, wrong

FIXES = {
    "to_seq_first": [
        wrong("reshape to the swapped shape", "return x.reshape(x.shape[1], x.shape[0], x.shape[2])", hint="TO_SEQ_FIRST_VALUES"),
        wrong("view with -1", "return x.view(-1, x.shape[0], x.shape[2])", hint="TO_SEQ_FIRST_VALUES"),
        wrong("the wrong pair of axes", "return x.transpose(1, 2)", hint="TO_SEQ_FIRST_SHAPE"),
        wrong("permute that reverses every axis", "return x.permute(2, 1, 0)", hint="TO_SEQ_FIRST_SHAPE"),
        right("permute", "return x.permute(1, 0, 2)",
              because="permute names where every axis goes: time, then batch, then features, each element moved"),
        right("movedim", "return x.movedim(1, 0)",
              because="moving the time axis to the front shifts batch to second and moves the elements with it"),
        right("swapaxes", "return x.swapaxes(0, 1)"),
        right("einops.rearrange", "return rearrange(x, 'b t e -> t b e')",
              because="the pattern says the swap in words; rearrange moves the elements, like transpose"),
    ],
    "flatten_steps": [
        # no hint names this: NaN placeholders, nothing computed (the check's own NaN message replaces any hint)
        wrong("all NaN, of the right shape", "return torch.full((B, T * H), float('nan'), device=out.device)", hint=""),
        wrong("reshape without the transpose", "return out.reshape(B, T * H)", hint="FLATTEN_VALUES"),
        wrong("contiguous and view, no transpose", "return out.contiguous().view(B, T * H)", hint="FLATTEN_VALUES"),
        wrong("hidden before time", "return out.permute(1, 2, 0).reshape(B, T * H)", hint="FLATTEN_VALUES"),
        wrong("reshape, then transpose", "return out.reshape(T * H, B).t()", hint="FLATTEN_VALUES"),
        right("contiguous, then view", "return out.transpose(0, 1).contiguous().view(B, T * H)",
              because="contiguous() copies the transposed tensor into row order, which view can then flatten"),
        right("permute, then flatten", "return out.permute(1, 0, 2).flatten(1)",
              because="flatten(1) joins every axis after the batch, copying when the memory is not in order"),
        right("concatenate the steps", "return torch.cat([out[t] for t in range(T)], dim=1)",
              because="out[t] is step t of every sentence, (B, H); side by side they make each row step after step"),
    ],
    "top_layer_state": [
        wrong("the first row", "return h_n[0]", hint="TOP_VALUES"),
        wrong("squeeze after indexing", "return h_n[-1].squeeze()", hint="TOP_SHAPE"),
        wrong("transposed to batch-first first", "return h_n.transpose(0, 1)[-1]", hint="TOP_SHAPE"),
        wrong("averaged over layers", "return h_n.mean(dim=0)", hint="TOP_VALUES"),
        wrong("a slice keeps the layer axis", "return h_n[-1:]", hint="TOP_SHAPE"),
        right("counted from the front", "return h_n[h_n.shape[0] - 1]",
              because="axis 0 counts the layers, so its last index, layers - 1, is the top one"),
        right("select", "return h_n.select(0, -1)",
              because="select(0, -1) is h_n[-1] spelled as a call: one entry of axis 0, the axis dropped"),
        right("unbind", "return h_n.unbind(0)[-1]",
              because="unbind(0) gives one (B, H) tensor per layer, bottom first; the last is the top"),
    ],
    "split_heads": [
        wrong("reshape straight to the final shape", "return x.reshape(B, heads, T, D // heads)", hint="HEADS_VALUES"),
        wrong("features split as (d, heads)", "return x.view(B, T, D // heads, heads).permute(0, 3, 1, 2)", hint="HEADS_VALUES"),
        wrong("transpose the whole tensor, then reshape", "return x.transpose(1, 2).reshape(B, heads, T, D // heads)",
              hint="HEADS_VALUES"),
        wrong("view to (B, T, heads, d) without moving heads",
              "return x.view(B, T, heads, D // heads).reshape(B, heads, T, D // heads)", hint="HEADS_VALUES"),
        right("permute", "return x.view(B, T, heads, D // heads).permute(0, 2, 1, 3)",
              because="permute(0, 2, 1, 3) swaps the time and heads axes, as transpose(1, 2) does"),
        right("unflatten", "return x.unflatten(-1, (heads, D // heads)).transpose(1, 2)",
              because="unflatten cuts only the last axis into (heads, d), the same split as the view"),
        right("einops.rearrange", "return rearrange(x, 'b t (h d) -> b h t d', h=heads)",
              because="(h d) names the split of the features, and the right side puts h before t: both steps in one pattern"),
        right("features first, then back", "return x.transpose(1, 2).reshape(B, heads, D // heads, T).transpose(2, 3)"),
    ],
    "steps_to_features": [
        wrong("hidden before time in the group", 'return rearrange(out, "t b h -> b (h t)", b=batch)', hint="FEATURES_VALUES"),
        wrong("the old pattern without the size check", 'return rearrange(out, "b t h -> b (t h)")', hint="FEATURES_SHAPE"),
        wrong("plain reshape", "return out.reshape(batch, -1)", hint="FEATURES_VALUES"),
        wrong("batch named on the wrong side", 'return rearrange(out, "t b h -> t (b h)", b=batch)', hint="FEATURES_SHAPE"),
        right("transpose and reshape", "return out.transpose(0, 1).reshape(batch, -1)",
              because="the two steps the pattern takes, written out: batch to the front, then each sentence flattened"),
        right("two steps of rearrange", 'return rearrange(rearrange(out, "t b h -> b t h", b=batch), "b t h -> b (t h)")',
              because="two patterns, one step each: batch to the front, then each sentence's steps joined into one row"),
    ],
    "sentence_scorer": [
        wrong('only the loud bug: view swapped for reshape', '''
            class SentenceScorer(nn.Module):
                def __init__(self, emb_dim, hidden, steps, classes, num_layers):
                    super().__init__()
                    self.lstm = nn.LSTM(emb_dim, hidden, num_layers=num_layers)
                    self.score = nn.Linear(steps * hidden, classes)

                def forward(self, x):
                    B, T, E = x.shape
                    out, _ = self.lstm(x.view(T, B, E))
                    flat = out.transpose(0, 1).reshape(B, -1)
                    last = out[:, -1]
                    return self.score(flat), last
            ''', hint="SCORER_SCORES"),
        wrong('the view into the LSTM kept, the other two fixed', '''
            class SentenceScorer(nn.Module):
                def __init__(self, emb_dim, hidden, steps, classes, num_layers):
                    super().__init__()
                    self.lstm = nn.LSTM(emb_dim, hidden, num_layers=num_layers)
                    self.score = nn.Linear(steps * hidden, classes)

                def forward(self, x):
                    B, T, E = x.shape
                    out, _ = self.lstm(x.view(T, B, E))
                    flat = out.transpose(0, 1).reshape(B, -1)
                    last = out[-1]
                    return self.score(flat), last
            ''', hint="SCORER_SCORES"),
        wrong('the input and the flatten fixed, last still out[:, -1]', '''
            class SentenceScorer(nn.Module):
                def __init__(self, emb_dim, hidden, steps, classes, num_layers):
                    super().__init__()
                    self.lstm = nn.LSTM(emb_dim, hidden, num_layers=num_layers)
                    self.score = nn.Linear(steps * hidden, classes)

                def forward(self, x):
                    B, T, E = x.shape
                    out, _ = self.lstm(x.transpose(0, 1))
                    flat = out.transpose(0, 1).reshape(B, -1)
                    last = out[:, -1]
                    return self.score(flat), last
            ''', hint="SCORER_LAST"),
        wrong('batch_first=True, but the output still transposed before flattening', '''
            class SentenceScorer(nn.Module):
                def __init__(self, emb_dim, hidden, steps, classes, num_layers):
                    super().__init__()
                    self.lstm = nn.LSTM(emb_dim, hidden, num_layers=num_layers, batch_first=True)
                    self.score = nn.Linear(steps * hidden, classes)

                def forward(self, x):
                    B, T, E = x.shape
                    out, _ = self.lstm(x)
                    flat = out.transpose(0, 1).reshape(B, -1)
                    last = out[:, -1]
                    return self.score(flat), last
            ''', hint="SCORER_SCORES"),
        wrong('flattened without the transpose back', '''
            class SentenceScorer(nn.Module):
                def __init__(self, emb_dim, hidden, steps, classes, num_layers):
                    super().__init__()
                    self.lstm = nn.LSTM(emb_dim, hidden, num_layers=num_layers)
                    self.score = nn.Linear(steps * hidden, classes)

                def forward(self, x):
                    B, T, E = x.shape
                    out, _ = self.lstm(x.transpose(0, 1))
                    flat = out.contiguous().view(B, -1)
                    last = out[-1]
                    return self.score(flat), last
            ''', hint="SCORER_SCORES"),
        wrong('hidden before time in each row', '''
            class SentenceScorer(nn.Module):
                def __init__(self, emb_dim, hidden, steps, classes, num_layers):
                    super().__init__()
                    self.lstm = nn.LSTM(emb_dim, hidden, num_layers=num_layers)
                    self.score = nn.Linear(steps * hidden, classes)

                def forward(self, x):
                    B, T, E = x.shape
                    out, _ = self.lstm(x.transpose(0, 1))
                    flat = out.permute(1, 2, 0).reshape(B, -1)
                    last = out[-1]
                    return self.score(flat), last
            ''', hint="SCORER_SCORES"),
        wrong('last read from h_n as if it were batch-first, h_n[:, -1]', '''
            class SentenceScorer(nn.Module):
                def __init__(self, emb_dim, hidden, steps, classes, num_layers):
                    super().__init__()
                    self.lstm = nn.LSTM(emb_dim, hidden, num_layers=num_layers)
                    self.score = nn.Linear(steps * hidden, classes)

                def forward(self, x):
                    B, T, E = x.shape
                    out, (h_n, c_n) = self.lstm(x.transpose(0, 1))
                    flat = out.transpose(0, 1).reshape(B, -1)
                    return self.score(flat), h_n[:, -1]
            ''', hint="SCORER_LAST"),
        wrong('last from the first layer, h_n[0]', '''
            class SentenceScorer(nn.Module):
                def __init__(self, emb_dim, hidden, steps, classes, num_layers):
                    super().__init__()
                    self.lstm = nn.LSTM(emb_dim, hidden, num_layers=num_layers)
                    self.score = nn.Linear(steps * hidden, classes)

                def forward(self, x):
                    B, T, E = x.shape
                    out, (h_n, c_n) = self.lstm(x.transpose(0, 1))
                    flat = out.transpose(0, 1).reshape(B, -1)
                    return self.score(flat), h_n[0]
            ''', hint="SCORER_LAST"),
        right('batch_first=True throughout', '''
            class SentenceScorer(nn.Module):
                def __init__(self, emb_dim, hidden, steps, classes, num_layers):
                    super().__init__()
                    self.lstm = nn.LSTM(emb_dim, hidden, num_layers=num_layers, batch_first=True)
                    self.score = nn.Linear(steps * hidden, classes)

                def forward(self, x):
                    B, T, E = x.shape
                    out, _ = self.lstm(x)
                    return self.score(out.reshape(B, -1)), out[:, -1]
            ''', because='built batch-first, the LSTM reads x as it is and returns (B, T, H): reshape flattens each sentence, and out[:, -1] is its last step'),
        right('rearrange in and out, and h_n[-1]', '''
            class SentenceScorer(nn.Module):
                def __init__(self, emb_dim, hidden, steps, classes, num_layers):
                    super().__init__()
                    self.lstm = nn.LSTM(emb_dim, hidden, num_layers=num_layers)
                    self.score = nn.Linear(steps * hidden, classes)

                def forward(self, x):
                    B, T, E = x.shape
                    out, (h_n, c_n) = self.lstm(rearrange(x, "b t e -> t b e"))
                    flat = rearrange(out, "t b h -> b (t h)")
                    return self.score(flat), h_n[-1]
            ''', because="the patterns name each layout, and h_n[-1] is the top layer's final state in either layout"),
        right('permute, then flatten(1)', '''
            class SentenceScorer(nn.Module):
                def __init__(self, emb_dim, hidden, steps, classes, num_layers):
                    super().__init__()
                    self.lstm = nn.LSTM(emb_dim, hidden, num_layers=num_layers)
                    self.score = nn.Linear(steps * hidden, classes)

                def forward(self, x):
                    B, T, E = x.shape
                    out, _ = self.lstm(x.permute(1, 0, 2))
                    flat = out.permute(1, 0, 2).flatten(1)
                    return self.score(flat), out[-1]
            ''', because='permute moves the elements as transpose does, and flatten(1) copies when the memory is not in order'),
        right('contiguous, then view', '''
            class SentenceScorer(nn.Module):
                def __init__(self, emb_dim, hidden, steps, classes, num_layers):
                    super().__init__()
                    self.lstm = nn.LSTM(emb_dim, hidden, num_layers=num_layers)
                    self.score = nn.Linear(steps * hidden, classes)

                def forward(self, x):
                    B, T, E = x.shape
                    out, _ = self.lstm(x.transpose(0, 1))
                    flat = out.transpose(0, 1).contiguous().view(B, -1)
                    return self.score(flat), out[-1]
            '''),
    ],
}
