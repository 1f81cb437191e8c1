"""Chapter 3: plausible fixes for each fix-me cell."""
from fixes import right, wrong

FIXES = {
    "zero_state": [
        wrong("hard-coded to the example's 4 rows", "rows = 4", hint="ZERO_STATE_H0"),
        wrong("always two directions", "rows = lstm.num_layers * 2", hint="ZERO_STATE_H0"),
        wrong("directions added, not multiplied", "rows = lstm.num_layers + (1 if lstm.bidirectional else 0)",
              hint="ZERO_STATE_H0"),
        wrong("layers forgotten when bidirectional", "rows = 2 if lstm.bidirectional else lstm.num_layers", hint="ZERO_STATE_H0"),
        right("int() of the flag", "rows = lstm.num_layers * (1 + int(lstm.bidirectional))",
              because="int(True) is 1, so 1 + int(lstm.bidirectional) is the number of directions"),
        right("bool arithmetic", "rows = lstm.num_layers * (lstm.bidirectional + 1)",
              because="a bool counts as 0 or 1 in arithmetic: lstm.bidirectional + 1 directions"),
        right("new_zeros from a weight", '''
            def zero_state(lstm, batch):
                rows = lstm.num_layers * (2 if lstm.bidirectional else 1)
                h0 = lstm.weight_hh_l0.new_zeros(rows, batch, lstm.hidden_size)
                return h0, h0.clone()
            ''', cell=True, because="new_zeros takes the weight's dtype and device; clone() gives c0 memory of its own"),
    ],
    "zero_state_projected": [
        wrong("proj_size even when it is 0", "h_size = lstm.proj_size", hint="PROJECTED_H0"),
        wrong("hard-coded to the example's 4", "h_size = 4", hint="PROJECTED_H0"),
        wrong("the smaller of the two", "h_size = min(lstm.proj_size, lstm.hidden_size)", hint="PROJECTED_H0"),
        wrong("read from the projection weight", "h_size = lstm.weight_hr_l0.shape[0]", hint="PROJECTED_RAISED"),
        right("or", "h_size = lstm.proj_size or lstm.hidden_size",
              because="proj_size is 0 without a projection, and 0 or hidden_size is hidden_size"),
        right("read from the recurrent weight", "h_size = lstm.weight_hh_l0.shape[1]",
              because="weight_hh_l0 multiplies h, so its second axis is h's width, projected or not"),
    ],
    "sentence_vector": [
        # no hint names this: NaN placeholders, nothing computed (the check's own NaN message replaces any hint)
        wrong("all NaN, of the right shape",
              "return torch.full((h_n.shape[1], 2 * h_n.shape[2]), float('nan'), device=h_n.device)",
              hint=""),
        wrong("backward before forward", "return torch.cat([h_n[-1], h_n[-2]], dim=1)", hint="SENTENCE_VALUES"),
        wrong("the first layer's rows", "return torch.cat([h_n[0], h_n[1]], dim=1)", hint="SENTENCE_VALUES"),
        wrong("last two rows reshaped", "return h_n[-2:].reshape(h_n.shape[1], -1)", hint="SENTENCE_VALUES"),
        wrong("view(B, -1) and the last 2H", "return h_n.view(h_n.shape[1], -1)[:, -2 * h_n.shape[2]:]", hint="SENTENCE_VALUES"),
        right("dim=-1", "return torch.cat((h_n[-2], h_n[-1]), dim=-1)",
              because="for two (B, H) pieces the last axis is axis 1"),
        right("permute, then reshape", "return h_n[-2:].permute(1, 0, 2).reshape(h_n.shape[1], -1)",
              because="the top two rows as (B, 2, H): each sentence's forward row, then its backward row, flattened"),
        right("view as (layers, directions, B, H)",
              "return h_n.view(-1, 2, h_n.shape[1], h_n.shape[2])[-1].transpose(0, 1).flatten(1)",
              because="the rows go layer by layer, forward then backward, so [-1] of (layers, 2, B, H) is the top layer"),
    ],
    "sentence_vector_from_output": [
        wrong("both halves at the last step", "return torch.cat([out[:, -1, :hidden], out[:, -1, hidden:]], dim=1)",
              hint="FROM_OUTPUT_VALUES"),
        wrong("the two ends swapped", "return torch.cat([out[:, 0, :hidden], out[:, -1, hidden:]], dim=1)",
              hint="FROM_OUTPUT_VALUES"),
        wrong("the two halves swapped", "return torch.cat([out[:, -1, hidden:], out[:, 0, :hidden]], dim=1)",
              hint="FROM_OUTPUT_VALUES"),
        wrong("batch and time confused", "return torch.cat([out[-1, :, :hidden], out[0, :, hidden:]], dim=1)",
              hint="FROM_OUTPUT_SHAPE"),
        right("split into directions", '''
            forward, backward = out.split(hidden, dim=2)
            return torch.cat([forward[:, -1], backward[:, 0]], dim=-1)
            ''', because="split(hidden, dim=2) cuts the last axis into the forward half and the backward half"),
        right("last step counted from the front", "return torch.cat([out[:, out.shape[1] - 1, :hidden], out[:, 0, hidden:]], 1)",
              because="step out.shape[1] - 1 is the last step, the one -1 picks"),
    ],
    "bilstm_classifier": [
        wrong("hard-coded to the example's 32", "self.head = nn.Linear(32, classes)", hint="CLASSIFIER_RAISED"),
        wrong("2 * hidden * num_layers", "self.head = nn.Linear(2 * hidden * num_layers, classes)", hint="CLASSIFIER_RAISED"),
        wrong("hidden inputs, fed only h_n[-1]", '''
            class BiLSTMClassifier(nn.Module):
                def __init__(self, emb_dim, hidden, classes, num_layers=1):
                    super().__init__()
                    self.lstm = nn.LSTM(emb_dim, hidden, num_layers=num_layers, bidirectional=True, batch_first=True)
                    self.head = nn.Linear(hidden, classes)

                def forward(self, x):
                    _, (h_n, _) = self.lstm(x)
                    return self.head(h_n[-1])
            ''', cell=True, hint="CLASSIFIER_VALUES"),
        wrong("2 * hidden inputs, fed the last step's output", '''
            class BiLSTMClassifier(nn.Module):
                def __init__(self, emb_dim, hidden, classes, num_layers=1):
                    super().__init__()
                    self.lstm = nn.LSTM(emb_dim, hidden, num_layers=num_layers, bidirectional=True, batch_first=True)
                    self.head = nn.Linear(2 * hidden, classes)

                def forward(self, x):
                    out, _ = self.lstm(x)
                    return self.head(out[:, -1])
            ''', cell=True, hint="CLASSIFIER_VALUES"),
        right("LazyLinear", "self.head = nn.LazyLinear(classes)",
              because="a LazyLinear takes in_features from the first batch it reads: 2 * hidden here"),
        right("hidden * 2", "self.head = nn.Linear(hidden * 2, classes)",
              because="the same width: hidden numbers from each of the two directions"),
        right("read from the LSTM", "self.head = nn.Linear(2 * self.lstm.hidden_size, classes)",
              because="reading hidden_size from the LSTM keeps the head tied to it if one of them changes"),
    ],
    "gru_final_states": [
        wrong("only the top row", '''
            out, h_n = gru(x)
            h_n = h_n[-1]
            ''', hint="GRU_SHAPE"),
        wrong("the two unpacked rows stacked again", '''
            out, (h, c) = gru(x)
            h_n = torch.stack([h, c])
            ''', hint="GRU_RAISED"),
        wrong("the output instead of the state", "h_n, _ = gru(x)", hint="GRU_SHAPE"),
        wrong("made batch-first", '''
            out, h_n = gru(x)
            h_n = h_n.transpose(0, 1)
            ''', hint="GRU_SHAPE"),
        right("underscore for the output", "_, h_n = gru(x)",
              because="the output is not needed here, so _ takes it; h_n is the second thing returned"),
        right("index 1", "h_n = gru(x)[1]",
              because="gru(x) is the pair (output, h_n), so [1] is h_n"),
        right("index -1", "h_n = gru(x)[-1]",
              because="h_n is the last of the pair (output, h_n)"),
    ],
    "read_in_chunks": [
        wrong("states in the rule's order, but h still hidden_size wide and the states never carried", '''
            def read_in_chunks(lstm, x, chunk):
                batch = x.shape[0]
                h = torch.zeros(lstm.num_layers, batch, lstm.hidden_size, device=x.device)
                c = torch.zeros(lstm.num_layers, batch, lstm.hidden_size, device=x.device)
                outs = []
                for start in range(0, x.shape[1], chunk):
                    out, (h_n, c_n) = lstm(x[:, start:start + chunk], (h, c))
                    outs.append(out)
                return torch.cat(outs, dim=1), (h_n, c_n)
            ''', hint="CHUNKS_OUTPUT"),
        wrong("both states fixed, still never carried: every chunk starts from zeros", '''
            def read_in_chunks(lstm, x, chunk):
                batch = x.shape[0]
                h = torch.zeros(lstm.num_layers, batch, lstm.proj_size or lstm.hidden_size, device=x.device)
                c = torch.zeros(lstm.num_layers, batch, lstm.hidden_size, device=x.device)
                outs = []
                for start in range(0, x.shape[1], chunk):
                    out, (h_n, c_n) = lstm(x[:, start:start + chunk], (h, c))
                    outs.append(out)
                return torch.cat(outs, dim=1), (h_n, c_n)
            ''', hint="CHUNKS_OUTPUT"),
        wrong("carried and in the rule's order, but h still hidden_size wide", '''
            def read_in_chunks(lstm, x, chunk):
                batch = x.shape[0]
                h = torch.zeros(lstm.num_layers, batch, lstm.hidden_size, device=x.device)
                c = torch.zeros(lstm.num_layers, batch, lstm.hidden_size, device=x.device)
                outs = []
                for start in range(0, x.shape[1], chunk):
                    out, (h, c) = lstm(x[:, start:start + chunk], (h, c))
                    outs.append(out)
                return torch.cat(outs, dim=1), (h, c)
            ''', hint="CHUNKS_RAISED"),
        wrong("only h carried: c starts from zeros in every chunk", '''
            def read_in_chunks(lstm, x, chunk):
                batch = x.shape[0]
                h = torch.zeros(lstm.num_layers, batch, lstm.proj_size or lstm.hidden_size, device=x.device)
                c = torch.zeros(lstm.num_layers, batch, lstm.hidden_size, device=x.device)
                outs = []
                for start in range(0, x.shape[1], chunk):
                    out, (h, c_n) = lstm(x[:, start:start + chunk], (h, c))
                    outs.append(out)
                return torch.cat(outs, dim=1), (h, c_n)
            ''', hint="CHUNKS_OUTPUT"),
        wrong("carried in the order of the names, (c, h), not of what the LSTM returns", '''
            def read_in_chunks(lstm, x, chunk):
                batch = x.shape[0]
                h = torch.zeros(lstm.num_layers, batch, lstm.proj_size or lstm.hidden_size, device=x.device)
                c = torch.zeros(lstm.num_layers, batch, lstm.hidden_size, device=x.device)
                outs = []
                for start in range(0, x.shape[1], chunk):
                    out, (c, h) = lstm(x[:, start:start + chunk], (h, c))
                    outs.append(out)
                return torch.cat(outs, dim=1), (h, c)
            ''', hint="CHUNKS_OUTPUT"),
        wrong("c made proj_size wide too", '''
            def read_in_chunks(lstm, x, chunk):
                batch = x.shape[0]
                width = lstm.proj_size or lstm.hidden_size
                h = torch.zeros(lstm.num_layers, batch, width, device=x.device)
                c = torch.zeros(lstm.num_layers, batch, width, device=x.device)
                outs = []
                for start in range(0, x.shape[1], chunk):
                    out, (h, c) = lstm(x[:, start:start + chunk], (h, c))
                    outs.append(out)
                return torch.cat(outs, dim=1), (h, c)
            ''', hint="CHUNKS_RAISED"),
        wrong("each chunk starts every layer from the top layer's final state", '''
            def read_in_chunks(lstm, x, chunk):
                batch = x.shape[0]
                h = torch.zeros(lstm.num_layers, batch, lstm.proj_size or lstm.hidden_size, device=x.device)
                c = torch.zeros(lstm.num_layers, batch, lstm.hidden_size, device=x.device)
                outs = []
                for start in range(0, x.shape[1], chunk):
                    out, (h_n, c_n) = lstm(x[:, start:start + chunk], (h, c))
                    h, c = h_n[-1:].repeat(lstm.num_layers, 1, 1), c_n[-1:].repeat(lstm.num_layers, 1, 1)
                    outs.append(out)
                return torch.cat(outs, dim=1), (h_n, c_n)
            ''', hint="CHUNKS_OUTPUT"),
        right("no states for the first chunk, then the returned pair", '''
            def read_in_chunks(lstm, x, chunk):
                state = None
                outs = []
                for piece in x.split(chunk, dim=1):
                    out, state = lstm(piece, state)
                    outs.append(out)
                return torch.cat(outs, dim=1), state
            ''', because="an LSTM given None starts from zeros of the rule's shape, projected or not, and "
                          "x.split(chunk, dim=1) cuts time into chunk-step pieces, the last one shorter"),
        right("detached between chunks", '''
            def read_in_chunks(lstm, x, chunk):
                batch = x.shape[0]
                h = torch.zeros(lstm.num_layers, batch, lstm.proj_size or lstm.hidden_size, device=x.device)
                c = torch.zeros(lstm.num_layers, batch, lstm.hidden_size, device=x.device)
                outs = []
                for start in range(0, x.shape[1], chunk):
                    out, (h, c) = lstm(x[:, start:start + chunk], (h, c))
                    h, c = h.detach(), c.detach()
                    outs.append(out)
                return torch.cat(outs, dim=1), (h, c)
            ''', because="detach() changes no number: it only stops gradients at each chunk's edge, as "
                          "truncated backpropagation through time does"),
        right("widths read from the weights, zeros made with new_zeros", '''
            def read_in_chunks(lstm, x, chunk):
                rows, batch = lstm.num_layers, x.shape[0]
                h = x.new_zeros(rows, batch, lstm.weight_hh_l0.shape[1])
                c = x.new_zeros(rows, batch, lstm.hidden_size)
                outs = []
                for start in range(0, x.shape[1], chunk):
                    out, (h, c) = lstm(x[:, start:start + chunk], (h, c))
                    outs.append(out)
                return torch.cat(outs, dim=1), (h, c)
            ''', because="weight_hh_l0 multiplies h, so its second axis is h's width, projected or not; "
                          "x.new_zeros takes x's dtype and device"),
    ],
}
