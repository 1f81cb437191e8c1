"""Other right answers for each exercise, shown after its check passes. Made by `make generate`
from tests/fixes/ (the right fixes that say `because`) and the answers in course/: do not edit."""
ANSWERS = {'ch01': {'encode': {'reference': 'ids = torch.full((len(sentences), longest), vocab["<pad>"], '
                                  'dtype=torch.long)  # (B, T)',
                     'others': [('ids = torch.zeros(len(sentences), longest).long()',
                                 "zeros are <pad>'s id, 0, and .long() makes an integer tensor before any id "
                                 'is stored'),
                                ('ids = torch.full((len(sentences), longest), vocab["<pad>"], '
                                 'dtype=torch.int32)',
                                 'nn.Embedding takes int32 ids as well as the usual int64'),
                                ('from torch.nn.utils.rnn import pad_sequence\n'
                                 '\n'
                                 'def encode(sentences, vocab):\n'
                                 '    rows = [torch.tensor([vocab.get(w, vocab["<unk>"]) for w in '
                                 's.split()], dtype=torch.long)\n'
                                 '            for s in sentences]\n'
                                 '    return pad_sequence(rows, batch_first=True, '
                                 'padding_value=vocab["<pad>"])',
                                 'one tensor of ids per sentence, padded into (batch, time) rows with '
                                 "<pad>'s id")]},
          'make_embedding': {'reference': 'return nn.Embedding(num_embeddings=len(vocab), '
                                          'embedding_dim=emb_dim)',
                             'others': [('return nn.Embedding(max(vocab.values()) + 1, emb_dim)',
                                         'ids 0 to the largest need the largest plus one rows: len(vocab) '
                                         'when the ids have no gaps'),
                                        ('return nn.Embedding(len(vocab), emb_dim, '
                                         'padding_idx=vocab["<pad>"])',
                                         "padding_idx adds something (<pad>'s row starts at zeros and gets "
                                         'no gradient); the size is what the lookup needs')]},
          'token_encoder': {'reference': 'self.lstm = nn.LSTM(input_size=emb_dim, hidden_size=hidden, '
                                         'batch_first=True)',
                            'others': [('self.lstm = nn.LSTM(emb_dim, hidden, batch_first=True)',
                                        "input_size and hidden_size are nn.LSTM's first two parameters, in "
                                        'that order'),
                                       ('self.lstm = nn.LSTM(self.embed.embedding_dim, hidden, '
                                        'batch_first=True)',
                                        'reading the size from the embedding keeps the two tied if one of '
                                        'them changes')]},
          'run_seq_first': {'reference': 'out, _ = lstm(x.transpose(0, 1))   # the LSTM reads (T, B, E) and '
                                         'returns (T, B, H)\n'
                                         'return out.transpose(0, 1)         # (B, T, H)',
                            'others': [('out, _ = lstm(x.permute(1, 0, 2))\nreturn out.permute(1, 0, 2)',
                                        'permute(1, 0, 2) swaps the first two axes, as transpose(0, 1) does'),
                                       ('from einops import rearrange\n'
                                        'out, _ = lstm(rearrange(x, "b t e -> t b e"))\n'
                                        'return rearrange(out, "t b h -> b t h")',
                                        'rearrange names each axis, and checks the sizes it is given'),
                                       ('return torch.stack([lstm(x[b])[0] for b in range(x.shape[0])])',
                                        'each (T, E) sentence is an unbatched sequence; stacking their '
                                        'outputs gives (B, T, H): slower, plainly right')]},
          'run_one': {'reference': 'batch = sentence.unsqueeze(0)      # (1, T, E): one sequence of T steps',
                      'others': [('batch = sentence[None]',
                                  'indexing with None adds a size-1 axis where it stands: in front, as '
                                  'unsqueeze(0) does'),
                                 ('batch = sentence.view(1, *sentence.shape)',
                                  'view(1, T, E) reads the same memory with a batch axis of one in front')]},
          'reader': {'reference': 'class Reader(nn.Module):\n'
                                  '    """(batch, time) ids -> (outputs (batch, time, hidden), last (batch, '
                                  'hidden))."""\n'
                                  '\n'
                                  '    def __init__(self, vocab, emb_dim, hidden):\n'
                                  '        super().__init__()\n'
                                  '        self.embed = nn.Embedding(len(vocab), emb_dim)\n'
                                  '        self.lstm = nn.LSTM(emb_dim, hidden, batch_first=True)\n'
                                  '\n'
                                  '    def forward(self, ids):                        # ids: (B, T)\n'
                                  '        x = self.embed(ids)                        # (B, T, emb_dim)\n'
                                  '        out, (h_n, c_n) = self.lstm(x)             # (B, T, hidden), (1, '
                                  'B, hidden)\n'
                                  '        return out, h_n[-1]',
                     'others': [('class Reader(nn.Module):\n'
                                 '    def __init__(self, vocab, emb_dim, hidden):\n'
                                 '        super().__init__()\n'
                                 '        self.embed = nn.Embedding(len(vocab), emb_dim)\n'
                                 '        self.lstm = nn.LSTM(emb_dim, hidden)\n'
                                 '\n'
                                 '    def forward(self, ids):\n'
                                 '        out, (h_n, c_n) = self.lstm(self.embed(ids).transpose(0, 1))\n'
                                 '        return out.transpose(0, 1), h_n[-1]',
                                 'the LSTM may stay seq-first when what goes in and what comes out are '
                                 'transposed'),
                                ('class Reader(nn.Module):\n'
                                 '    def __init__(self, vocab, emb_dim, hidden):\n'
                                 '        super().__init__()\n'
                                 '        self.embed = nn.Embedding(max(vocab.values()) + 1, emb_dim)\n'
                                 '        self.lstm = nn.LSTM(input_size=emb_dim, hidden_size=hidden, '
                                 'batch_first=True)\n'
                                 '\n'
                                 '    def forward(self, ids):\n'
                                 '        out, _ = self.lstm(self.embed(ids))\n'
                                 '        return out, out[:, -1]',
                                 "for one layer in one direction, the last step's output is the final hidden "
                                 'state')]}},
 'ch02': {'to_seq_first': {'reference': 'return x.transpose(0, 1)                           # (T, B, E)',
                           'others': [('return x.permute(1, 0, 2)',
                                       'permute names where every axis goes: time, then batch, then '
                                       'features, each element moved'),
                                      ('return x.movedim(1, 0)',
                                       'moving the time axis to the front shifts batch to second and moves '
                                       'the elements with it'),
                                      ("return rearrange(x, 'b t e -> t b e')",
                                       'the pattern says the swap in words; rearrange moves the elements, '
                                       'like transpose')]},
          'flatten_steps': {'reference': 'return out.transpose(0, 1).reshape(B, T * H)   # (B, T, H) -> (B, '
                                         'T * H)',
                            'others': [('return out.transpose(0, 1).contiguous().view(B, T * H)',
                                        'contiguous() copies the transposed tensor into row order, which '
                                        'view can then flatten'),
                                       ('return out.permute(1, 0, 2).flatten(1)',
                                        'flatten(1) joins every axis after the batch, copying when the '
                                        'memory is not in order'),
                                       ('return torch.cat([out[t] for t in range(T)], dim=1)',
                                        'out[t] is step t of every sentence, (B, H); side by side they make '
                                        'each row step after step')]},
          'top_layer_state': {'reference': 'return h_n[-1]            # (B, H): last layer, every sentence',
                              'others': [('return h_n[h_n.shape[0] - 1]',
                                          'axis 0 counts the layers, so its last index, layers - 1, is the '
                                          'top one'),
                                         ('return h_n.select(0, -1)',
                                          'select(0, -1) is h_n[-1] spelled as a call: one entry of axis 0, '
                                          'the axis dropped'),
                                         ('return h_n.unbind(0)[-1]',
                                          'unbind(0) gives one (B, H) tensor per layer, bottom first; the '
                                          'last is the top')]},
          'split_heads': {'reference': 'return x.view(B, T, heads, D // heads).transpose(1, 2)   # (B, T, h, '
                                       'd) -> (B, h, T, d)',
                          'others': [('return x.view(B, T, heads, D // heads).permute(0, 2, 1, 3)',
                                      'permute(0, 2, 1, 3) swaps the time and heads axes, as transpose(1, 2) '
                                      'does'),
                                     ('return x.unflatten(-1, (heads, D // heads)).transpose(1, 2)',
                                      'unflatten cuts only the last axis into (heads, d), the same split as '
                                      'the view'),
                                     ("return rearrange(x, 'b t (h d) -> b h t d', h=heads)",
                                      '(h d) names the split of the features, and the right side puts h '
                                      'before t: both steps in one pattern')]},
          'steps_to_features': {'reference': 'return rearrange(out, "t b h -> b (t h)", b=batch)',
                                'others': [('return out.transpose(0, 1).reshape(batch, -1)',
                                            'the two steps the pattern takes, written out: batch to the '
                                            'front, then each sentence flattened'),
                                           ('return rearrange(rearrange(out, "t b h -> b t h", b=batch), "b '
                                            't h -> b (t h)")',
                                            'two patterns, one step each: batch to the front, then each '
                                            "sentence's steps joined into one row")]},
          'sentence_scorer': {'reference': 'class SentenceScorer(nn.Module):\n'
                                           '    """Batch-first x (batch, steps, emb_dim) -> (scores (batch, '
                                           'classes), last (batch, hidden))."""\n'
                                           '\n'
                                           '    def __init__(self, emb_dim, hidden, steps, classes, '
                                           'num_layers):\n'
                                           '        super().__init__()\n'
                                           '        self.lstm = nn.LSTM(emb_dim, hidden, '
                                           'num_layers=num_layers)\n'
                                           '        self.score = nn.Linear(steps * hidden, classes)\n'
                                           '\n'
                                           '    def forward(self, x):                          # x: (B, T, '
                                           'E)\n'
                                           '        B, T, E = x.shape\n'
                                           '        out, _ = self.lstm(x.transpose(0, 1))\n'
                                           '        flat = out.transpose(0, 1).reshape(B, -1)\n'
                                           '        last = out[-1]\n'
                                           '        return self.score(flat), last',
                              'others': [('class SentenceScorer(nn.Module):\n'
                                          '    def __init__(self, emb_dim, hidden, steps, classes, '
                                          'num_layers):\n'
                                          '        super().__init__()\n'
                                          '        self.lstm = nn.LSTM(emb_dim, hidden, '
                                          'num_layers=num_layers, batch_first=True)\n'
                                          '        self.score = nn.Linear(steps * hidden, classes)\n'
                                          '\n'
                                          '    def forward(self, x):\n'
                                          '        B, T, E = x.shape\n'
                                          '        out, _ = self.lstm(x)\n'
                                          '        return self.score(out.reshape(B, -1)), out[:, -1]',
                                          'built batch-first, the LSTM reads x as it is and returns (B, T, '
                                          'H): reshape flattens each sentence, and out[:, -1] is its last '
                                          'step'),
                                         ('class SentenceScorer(nn.Module):\n'
                                          '    def __init__(self, emb_dim, hidden, steps, classes, '
                                          'num_layers):\n'
                                          '        super().__init__()\n'
                                          '        self.lstm = nn.LSTM(emb_dim, hidden, '
                                          'num_layers=num_layers)\n'
                                          '        self.score = nn.Linear(steps * hidden, classes)\n'
                                          '\n'
                                          '    def forward(self, x):\n'
                                          '        B, T, E = x.shape\n'
                                          '        out, (h_n, c_n) = self.lstm(rearrange(x, "b t e -> t b '
                                          'e"))\n'
                                          '        flat = rearrange(out, "t b h -> b (t h)")\n'
                                          '        return self.score(flat), h_n[-1]',
                                          "the patterns name each layout, and h_n[-1] is the top layer's "
                                          'final state in either layout'),
                                         ('class SentenceScorer(nn.Module):\n'
                                          '    def __init__(self, emb_dim, hidden, steps, classes, '
                                          'num_layers):\n'
                                          '        super().__init__()\n'
                                          '        self.lstm = nn.LSTM(emb_dim, hidden, '
                                          'num_layers=num_layers)\n'
                                          '        self.score = nn.Linear(steps * hidden, classes)\n'
                                          '\n'
                                          '    def forward(self, x):\n'
                                          '        B, T, E = x.shape\n'
                                          '        out, _ = self.lstm(x.permute(1, 0, 2))\n'
                                          '        flat = out.permute(1, 0, 2).flatten(1)\n'
                                          '        return self.score(flat), out[-1]',
                                          'permute moves the elements as transpose does, and flatten(1) '
                                          'copies when the memory is not in order')]}},
 'ch03': {'zero_state': {'reference': 'rows = lstm.num_layers * (2 if lstm.bidirectional else 1)',
                         'others': [('rows = lstm.num_layers * (1 + int(lstm.bidirectional))',
                                     'int(True) is 1, so 1 + int(lstm.bidirectional) is the number of '
                                     'directions'),
                                    ('rows = lstm.num_layers * (lstm.bidirectional + 1)',
                                     'a bool counts as 0 or 1 in arithmetic: lstm.bidirectional + 1 '
                                     'directions'),
                                    ('def zero_state(lstm, batch):\n'
                                     '    rows = lstm.num_layers * (2 if lstm.bidirectional else 1)\n'
                                     '    h0 = lstm.weight_hh_l0.new_zeros(rows, batch, lstm.hidden_size)\n'
                                     '    return h0, h0.clone()',
                                     "new_zeros takes the weight's dtype and device; clone() gives c0 memory "
                                     'of its own')]},
          'zero_state_projected': {'reference': 'h_size = lstm.proj_size if lstm.proj_size > 0 else '
                                                'lstm.hidden_size',
                                   'others': [('h_size = lstm.proj_size or lstm.hidden_size',
                                               'proj_size is 0 without a projection, and 0 or hidden_size is '
                                               'hidden_size'),
                                              ('h_size = lstm.weight_hh_l0.shape[1]',
                                               "weight_hh_l0 multiplies h, so its second axis is h's width, "
                                               'projected or not')]},
          'sentence_vector': {'reference': 'return torch.cat([h_n[-2], h_n[-1]], dim=1)   # (B, H) + (B, H) '
                                           '-> (B, 2H)',
                              'others': [('return torch.cat((h_n[-2], h_n[-1]), dim=-1)',
                                          'for two (B, H) pieces the last axis is axis 1'),
                                         ('return h_n[-2:].permute(1, 0, 2).reshape(h_n.shape[1], -1)',
                                          "the top two rows as (B, 2, H): each sentence's forward row, then "
                                          'its backward row, flattened'),
                                         ('return h_n.view(-1, 2, h_n.shape[1], '
                                          'h_n.shape[2])[-1].transpose(0, 1).flatten(1)',
                                          'the rows go layer by layer, forward then backward, so [-1] of '
                                          '(layers, 2, B, H) is the top layer')]},
          'sentence_vector_from_output': {'reference': 'forward_final = out[:, -1, :hidden]     # (B, H): '
                                                       'forward direction ends at the last step\n'
                                                       'backward_final = out[:, 0, hidden:]     # (B, H): '
                                                       'backward direction ends at the first step\n'
                                                       'return torch.cat([forward_final, backward_final], '
                                                       'dim=1)',
                                          'others': [('forward, backward = out.split(hidden, dim=2)\n'
                                                      'return torch.cat([forward[:, -1], backward[:, 0]], '
                                                      'dim=-1)',
                                                      'split(hidden, dim=2) cuts the last axis into the '
                                                      'forward half and the backward half'),
                                                     ('return torch.cat([out[:, out.shape[1] - 1, :hidden], '
                                                      'out[:, 0, hidden:]], 1)',
                                                      'step out.shape[1] - 1 is the last step, the one -1 '
                                                      'picks')]},
          'bilstm_classifier': {'reference': 'self.head = nn.Linear(2 * hidden, classes)    # forward and '
                                             'backward states side by side',
                                'others': [('self.head = nn.LazyLinear(classes)',
                                            'a LazyLinear takes in_features from the first batch it reads: 2 '
                                            '* hidden here'),
                                           ('self.head = nn.Linear(hidden * 2, classes)',
                                            'the same width: hidden numbers from each of the two directions'),
                                           ('self.head = nn.Linear(2 * self.lstm.hidden_size, classes)',
                                            'reading hidden_size from the LSTM keeps the head tied to it if '
                                            'one of them changes')]},
          'gru_final_states': {'reference': 'out, h_n = gru(x)                  # a GRU returns one state '
                                            'tensor',
                               'others': [('_, h_n = gru(x)',
                                           'the output is not needed here, so _ takes it; h_n is the second '
                                           'thing returned'),
                                          ('h_n = gru(x)[1]',
                                           'gru(x) is the pair (output, h_n), so [1] is h_n'),
                                          ('h_n = gru(x)[-1]', 'h_n is the last of the pair (output, h_n)')]},
          'read_in_chunks': {'reference': 'def read_in_chunks(lstm, x, chunk):\n'
                                          '    """Batch-first x (batch, time, features) through a '
                                          'batch-first LSTM, chunk steps at a time.\n'
                                          '    Returns (out, (h_n, c_n)), the same as lstm(x)."""\n'
                                          '    batch = x.shape[0]\n'
                                          '    width = lstm.proj_size or lstm.hidden_size\n'
                                          '    h = torch.zeros(lstm.num_layers, batch, width, '
                                          'device=x.device)\n'
                                          '    c = torch.zeros(lstm.num_layers, batch, lstm.hidden_size, '
                                          'device=x.device)\n'
                                          '    outs = []\n'
                                          '    for start in range(0, x.shape[1], chunk):\n'
                                          '        out, (h, c) = lstm(x[:, start:start + chunk], (h, c))\n'
                                          '        outs.append(out)\n'
                                          '    return torch.cat(outs, dim=1), (h, c)',
                             'others': [('def read_in_chunks(lstm, x, chunk):\n'
                                         '    state = None\n'
                                         '    outs = []\n'
                                         '    for piece in x.split(chunk, dim=1):\n'
                                         '        out, state = lstm(piece, state)\n'
                                         '        outs.append(out)\n'
                                         '    return torch.cat(outs, dim=1), state',
                                         "an LSTM given None starts from zeros of the rule's shape, "
                                         'projected or not, and x.split(chunk, dim=1) cuts time into '
                                         'chunk-step pieces, the last one shorter'),
                                        ('def read_in_chunks(lstm, x, chunk):\n'
                                         '    batch = x.shape[0]\n'
                                         '    h = torch.zeros(lstm.num_layers, batch, lstm.proj_size or '
                                         'lstm.hidden_size, device=x.device)\n'
                                         '    c = torch.zeros(lstm.num_layers, batch, lstm.hidden_size, '
                                         'device=x.device)\n'
                                         '    outs = []\n'
                                         '    for start in range(0, x.shape[1], chunk):\n'
                                         '        out, (h, c) = lstm(x[:, start:start + chunk], (h, c))\n'
                                         '        h, c = h.detach(), c.detach()\n'
                                         '        outs.append(out)\n'
                                         '    return torch.cat(outs, dim=1), (h, c)',
                                         'detach() changes no number: it only stops gradients at each '
                                         "chunk's edge, as truncated backpropagation through time does"),
                                        ('def read_in_chunks(lstm, x, chunk):\n'
                                         '    rows, batch = lstm.num_layers, x.shape[0]\n'
                                         '    h = x.new_zeros(rows, batch, lstm.weight_hh_l0.shape[1])\n'
                                         '    c = x.new_zeros(rows, batch, lstm.hidden_size)\n'
                                         '    outs = []\n'
                                         '    for start in range(0, x.shape[1], chunk):\n'
                                         '        out, (h, c) = lstm(x[:, start:start + chunk], (h, c))\n'
                                         '        outs.append(out)\n'
                                         '    return torch.cat(outs, dim=1), (h, c)',
                                         "weight_hh_l0 multiplies h, so its second axis is h's width, "
                                         "projected or not; x.new_zeros takes x's dtype and device")]}},
 'ch04': {'build_vocab': {'reference': 'vocab = {"<pad>": 0, "<unk>": 1}\n'
                                       'for word in kept:\n'
                                       '    vocab[word] = len(vocab)',
                          'others': [('vocab = {"<pad>": 0, "<unk>": 1, **{w: i + 2 for i, w in '
                                      'enumerate(kept)}}',
                                      '** unpacks the words into the dict after the two specials, and i + 2 '
                                      'skips the ids they hold'),
                                     ('vocab = {w: i for i, w in enumerate(["<pad>", "<unk>"] + kept)}',
                                      'enumerate numbers the list from 0, and the two specials come first in '
                                      'it')]},
          'encode_words': {'reference': 'ids = [vocab.get(word, vocab["<unk>"]) for word in '
                                        'sentence.split()]',
                           'others': [('ids = [vocab[w] if w in vocab else vocab["<unk>"] for w in '
                                       'sentence.split()]',
                                       'the word is looked up only when vocab holds it; any other word takes '
                                       "<unk>'s own id"),
                                      ('ids = []\n'
                                       'for word in sentence.split():\n'
                                       '    try:\n'
                                       '        ids.append(vocab[word])\n'
                                       '    except KeyError:\n'
                                       '        ids.append(vocab["<unk>"])',
                                       "the KeyError a missing word raises is caught, and <unk>'s id is used "
                                       'in its place')]},
          'make_padded_embedding': {'reference': 'return nn.Embedding(vocab_size, dim, padding_idx=pad_id)',
                                    'others': [('return nn.Embedding(vocab_size, dim, pad_id)',
                                                "padding_idx is nn.Embedding's third parameter"),
                                               ('weights = torch.randn(vocab_size, dim)\n'
                                                'weights[pad_id] = 0\n'
                                                'return nn.Embedding.from_pretrained(weights, freeze=False, '
                                                'padding_idx=pad_id)',
                                                'from_pretrained keeps the weights it is given, so the pad '
                                                'row is zeroed first; padding_idx then gives it a zero '
                                                'gradient, and freeze=False lets the other rows learn')]},
          'run_packed': {'reference': 'packed = pack_padded_sequence(x, lengths, batch_first=True, '
                                      'enforce_sorted=False)',
                         'others': [('packed = pack_padded_sequence(x, lengths.tolist(), batch_first=True, '
                                     'enforce_sorted=False)',
                                     'packing takes the lengths as a list or as a CPU tensor'),
                                    ('def run_packed(lstm, x, lengths):\n'
                                     '    order = lengths.argsort(descending=True)\n'
                                     '    packed = pack_padded_sequence(x[order], lengths[order], '
                                     'batch_first=True)\n'
                                     '    out, _ = lstm(packed)\n'
                                     '    padded, _ = pad_packed_sequence(out, batch_first=True, '
                                     'total_length=x.shape[1])\n'
                                     '    return padded[order.argsort()]',
                                     'order.argsort() is the inverse of the permutation order, so it puts '
                                     "each sentence's outputs back in its own row"),
                                    ('def run_packed(lstm, x, lengths):\n'
                                     '    out, _ = lstm(x)                                                  '
                                     '# (B, T, H)\n'
                                     '    real = torch.arange(x.shape[1])[None, :] < lengths[:, None]       '
                                     '# (B, T)\n'
                                     '    return out * real.unsqueeze(-1).to(out.device)',
                                     "a one-directional LSTM's output at step t has read steps 0 to t only, "
                                     'so the padding after a sentence cannot change its real steps (a '
                                     'bidirectional one would need packing)')]},
          'last_real_step': {'reference': 'rows = torch.arange(out.shape[0], device=out.device)           # '
                                          '(B,)\n'
                                          'return out[rows, lengths.to(out.device) - 1]                    # '
                                          '(B, H)',
                             'others': [('return out[range(out.shape[0]), lengths - 1]',
                                         'a range indexes like torch.arange: each row is paired with its own '
                                         'lengths[b] - 1'),
                                        ('return torch.stack([out[b, n - 1] for b, n in '
                                         'enumerate(lengths.tolist())])',
                                         "out[b, n - 1] is sentence b's last word; stack joins the B vectors "
                                         'into (B, H)'),
                                        ('index = (lengths - 1).view(-1, 1, 1).expand(-1, 1, '
                                         'out.shape[2]).to(out.device)\n'
                                         'return out.gather(1, index).squeeze(1)',
                                         'gather picks one step per sentence along axis 1, and squeeze(1) '
                                         'drops only that axis, so a batch of one keeps its batch axis')]},
          'token_loss': {'reference': 'return nn.functional.cross_entropy(flat_logits, flat_tags, '
                                      'ignore_index=pad_tag)',
                         'others': [('real = flat_tags != pad_tag\n'
                                     'return nn.functional.cross_entropy(flat_logits[real], flat_tags[real])',
                                     'a boolean mask keeps the real positions only, and the default mean is '
                                     'over those'),
                                    ('losses = nn.functional.cross_entropy(flat_logits, flat_tags, '
                                     'reduction="none")\n'
                                     'real = (flat_tags != pad_tag).float()\n'
                                     'return (losses * real).sum() / real.sum()',
                                     'the sum and the count both leave the padding out'),
                                    ('weight = torch.ones(logits.shape[-1], device=logits.device)\n'
                                     'weight[pad_tag] = 0\n'
                                     'return nn.functional.cross_entropy(flat_logits, flat_tags, '
                                     'weight=weight)',
                                     "with class weights the mean divides by the targets' weights, so a tag "
                                     'of weight 0 leaves both the sum and the count')]},
          'sentence_reader': {'reference': 'class SentenceReader(nn.Module):\n'
                                           '    """Sentences (strings) -> (batch, hidden): each sentence\'s '
                                           'final state after its own last word."""\n'
                                           '\n'
                                           '    def __init__(self, vocab, emb_dim, hidden):\n'
                                           '        super().__init__()\n'
                                           '        self.vocab = vocab\n'
                                           '        self.embed = nn.Embedding(len(vocab), emb_dim, '
                                           'padding_idx=vocab["<pad>"])\n'
                                           '        self.lstm = nn.LSTM(emb_dim, hidden, batch_first=True)\n'
                                           '\n'
                                           '    def forward(self, sentences):\n'
                                           '        unk = self.vocab["<unk>"]\n'
                                           '        seqs = [torch.tensor([self.vocab.get(w, unk) for w in '
                                           's.split()]) for s in sentences]\n'
                                           '        lengths = torch.tensor([len(seq) for seq in seqs])\n'
                                           '        batch = pad_sequence(seqs, batch_first=True, '
                                           'padding_value=self.vocab["<pad>"])\n'
                                           '        x = self.embed(batch.to(self.embed.weight.device))\n'
                                           '        packed = pack_padded_sequence(x, lengths, '
                                           'batch_first=True, enforce_sorted=False)\n'
                                           '        _, (h_n, _) = self.lstm(packed)\n'
                                           '        return h_n[-1]',
                              'others': [('class SentenceReader(nn.Module):\n'
                                          '    def __init__(self, vocab, emb_dim, hidden):\n'
                                          '        super().__init__()\n'
                                          '        self.vocab = vocab\n'
                                          '        self.embed = nn.Embedding(len(vocab), emb_dim, '
                                          'padding_idx=vocab["<pad>"])\n'
                                          '        self.lstm = nn.LSTM(emb_dim, hidden, batch_first=True)\n'
                                          '\n'
                                          '    def forward(self, sentences):\n'
                                          '        seqs = [torch.tensor([self.vocab.get(w, '
                                          'self.vocab["<unk>"]) for w in s.split()]) for s in sentences]\n'
                                          '        x = self.embed(pad_sequence(seqs, '
                                          'padding_value=self.vocab["<pad>"]).to(self.embed.weight.device))\n'
                                          '        _, (h_n, _) = self.lstm(pack_padded_sequence(x, [len(q) '
                                          'for q in seqs], enforce_sorted=False))\n'
                                          '        return h_n[-1]',
                                          'a packed sequence carries its own layout, so a batch-first LSTM '
                                          'reads a batch packed time-first (batch_first=False) just as well'),
                                         ('class SentenceReader(nn.Module):\n'
                                          '    def __init__(self, vocab, emb_dim, hidden):\n'
                                          '        super().__init__()\n'
                                          '        self.vocab = vocab\n'
                                          '        self.embed = nn.Embedding(len(vocab), emb_dim, '
                                          'padding_idx=vocab["<pad>"])\n'
                                          '        self.lstm = nn.LSTM(emb_dim, hidden, batch_first=True)\n'
                                          '\n'
                                          '    def forward(self, sentences):\n'
                                          '        seqs = [torch.tensor([self.vocab.get(w, '
                                          'self.vocab["<unk>"]) for w in s.split()]) for s in sentences]\n'
                                          '        batch = pad_sequence(seqs, batch_first=True, '
                                          'padding_value=self.vocab["<pad>"])\n'
                                          '        out, _ = '
                                          'self.lstm(self.embed(batch.to(self.embed.weight.device)))\n'
                                          '        return out[torch.arange(len(seqs)), torch.tensor([len(q) '
                                          'for q in seqs]) - 1]',
                                          "a one-directional LSTM's output at a sentence's last word has "
                                          'read that sentence and none of the padding after it'),
                                         ('class SentenceReader(nn.Module):\n'
                                          '    def __init__(self, vocab, emb_dim, hidden):\n'
                                          '        super().__init__()\n'
                                          '        self.vocab = vocab\n'
                                          '        self.embed = nn.Embedding(len(vocab), emb_dim, '
                                          'padding_idx=vocab["<pad>"])\n'
                                          '        self.lstm = nn.LSTM(emb_dim, hidden, batch_first=True)\n'
                                          '\n'
                                          '    def forward(self, sentences):\n'
                                          '        unk, device = self.vocab["<unk>"], '
                                          'self.embed.weight.device\n'
                                          '        seqs = [torch.tensor([self.vocab.get(w, unk) for w in '
                                          's.split()], device=device) for s in sentences]\n'
                                          '        return torch.stack([self.lstm(self.embed(q))[1][0][-1] '
                                          'for q in seqs])',
                                          'a (T, E) input is one unbatched sentence, with no padding to '
                                          'read; stack joins the B final states into (B, H)')]}},
 'ch05': {'conv_out_len': {'reference': 'return (length + 2 * padding - dilation * (kernel - 1) - 1) // '
                                        'stride + 1',
                           'others': [('return math.floor((length + 2 * padding - dilation * (kernel - 1) - '
                                       '1) / stride) + 1',
                                       'math.floor rounds down, as // does, and gives an int in Python 3'),
                                      ('return len(range(0, length + 2 * padding - dilation * (kernel - 1), '
                                       'stride))',
                                       'one output per start, stride apart, that leaves the whole dilated '
                                       'window inside the padded input')]},
          'pool_out_len': {'reference': 'if not ceil_mode:\n'
                                        '    return (length - kernel) // stride + 1\n'
                                        'out = math.ceil((length - kernel) / stride) + 1\n'
                                        'if (out - 1) * stride >= length:       # the last window would '
                                        'start past the end\n'
                                        '    out -= 1\n'
                                        'return out',
                           'others': [('if not ceil_mode:\n'
                                       '    return (length - kernel) // stride + 1\n'
                                       'out = -(-(length - kernel) // stride) + 1\n'
                                       'if (out - 1) * stride >= length:\n'
                                       '    out -= 1\n'
                                       'return out',
                                       '-(-a // b) rounds a / b up in whole numbers, with no float on the '
                                       'way'),
                                      ('return sum(1 for start in range(0, length, stride)\n'
                                       '           if start + kernel <= length or (ceil_mode and start <= '
                                       'length - kernel + stride - 1))',
                                       'one window per start inside the input that fits, or, with ceil_mode, '
                                       'hangs over the end by less than a stride')]},
          'small_cnn': {'reference': 'side = size // 2                                           # the pool '
                                     'halves, rounding down',
                        'others': [('side = math.floor(size / 2)',
                                    'math.floor rounds down, as MaxPool2d(2) does, and gives an int'),
                                   ('class SmallCNN(nn.Module):\n'
                                    '    def __init__(self, in_channels, size, classes):\n'
                                    '        super().__init__()\n'
                                    '        self.features = nn.Sequential(nn.Conv2d(in_channels, 8, '
                                    'kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2))\n'
                                    '        self.head = nn.LazyLinear(classes)\n'
                                    '\n'
                                    '    def forward(self, images):\n'
                                    '        return self.head(self.features(images).flatten(1))',
                                    'nn.LazyLinear learns in_features from the first batch: no size to '
                                    'compute'),
                                   ('class SmallCNN(nn.Module):\n'
                                    '    def __init__(self, in_channels, size, classes):\n'
                                    '        super().__init__()\n'
                                    '        self.features = nn.Sequential(nn.Conv2d(in_channels, 8, '
                                    'kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2))\n'
                                    '        with torch.no_grad():\n'
                                    '            n = self.features(torch.zeros(1, in_channels, size, '
                                    'size)).numel()\n'
                                    '        self.head = nn.Linear(n, classes)\n'
                                    '\n'
                                    '    def forward(self, images):\n'
                                    '        return self.head(self.features(images).flatten(1))',
                                    'one image of zeros through self.features measures the flattened size: '
                                    'no formula to get wrong')]},
          'per_example_features': {'reference': 'return torch.flatten(maps, start_dim=1)     # (B, C*H*W)',
                                   'others': [('return maps.view(maps.shape[0], -1)',
                                               'the batch size is given and -1 stands for C * H * W: nothing '
                                               'is guessed'),
                                              ('return nn.Flatten()(maps)',
                                               'nn.Flatten starts at dim 1 by default, so the batch axis '
                                               'stays'),
                                              ('return maps.reshape(len(maps), -1)',
                                               'len of a tensor is the size of its first axis, the batch')]},
          'text_cnn': {'reference': 'h = self.conv(x.transpose(1, 2))                   # (B, E, T) -> (B, '
                                    'filters, T - width + 1)',
                       'others': [('h = self.conv(x.permute(0, 2, 1))',
                                   'permute(0, 2, 1) swaps the last two axes, as transpose(1, 2) does'),
                                  ('h = self.conv(x.movedim(2, 1))',
                                   'movedim(2, 1) takes the embedding axis to dim 1 and keeps the others in '
                                   'order')]},
          'to_channels_first': {'reference': 'return images.permute(0, 3, 1, 2)           # (B, C, H, W)',
                                'others': [('return images.movedim(3, 1)',
                                            'movedim(3, 1) takes the channel axis to dim 1 and keeps the '
                                            'others in order'),
                                           ('return images.transpose(1, 3).transpose(2, 3)',
                                            '(B, H, W, C) to (B, C, W, H), then height and width swapped '
                                            'back: (B, C, H, W)'),
                                           ('return torch.stack([images[..., c] for c in range(C)], dim=1)',
                                            'each channel picked out as a (B, H, W) image and stacked at dim '
                                            '1: slower, plainly right')]},
          'photo_classifier': {'reference': 'class PhotoClassifier(nn.Module):\n'
                                            '    """Channels-last photos (batch, size, size, channels) -> '
                                            '(batch, classes) scores."""\n'
                                            '\n'
                                            '    def __init__(self, channels, size, classes):\n'
                                            '        super().__init__()\n'
                                            '        self.features = nn.Sequential(\n'
                                            '            nn.Conv2d(channels, 8, kernel_size=3, stride=2, '
                                            'padding=1),\n'
                                            '            nn.ReLU(),\n'
                                            '            nn.MaxPool2d(2),\n'
                                            '        )\n'
                                            '        side = ((size - 1) // 2 + 1) // 2          # the '
                                            'convolution halves rounding up, the pool rounding down\n'
                                            '        self.head = nn.Linear(8 * side * side, classes)\n'
                                            '\n'
                                            '    def forward(self, photos):                     # photos: '
                                            '(B, size, size, channels)\n'
                                            '        x = self.features(photos.permute(0, 3, 1, 2))   # (B, '
                                            '8, side, side)\n'
                                            '        return self.head(x.flatten(1))                  # (B, 8 '
                                            '* side * side) -> (B, classes)',
                               'others': [('class PhotoClassifier(nn.Module):\n'
                                           '    def __init__(self, channels, size, classes):\n'
                                           '        super().__init__()\n'
                                           '        self.features = nn.Sequential(nn.Conv2d(channels, 8, '
                                           'kernel_size=3, stride=2, padding=1), nn.ReLU(), '
                                           'nn.MaxPool2d(2))\n'
                                           '        side = (size + 1) // 4\n'
                                           '        self.head = nn.Linear(8 * side * side, classes)\n'
                                           '\n'
                                           '    def forward(self, photos):\n'
                                           '        x = self.features(photos.movedim(3, 1))\n'
                                           '        return self.head(nn.Flatten()(x))',
                                           'a stride-2 convolution with padding 1 halves rounding up and the '
                                           'pool halves rounding down: together (size + 1) // 4; movedim(3, '
                                           '1) takes the channels to dim 1 and keeps height before width'),
                                          ('class PhotoClassifier(nn.Module):\n'
                                           '    def __init__(self, channels, size, classes):\n'
                                           '        super().__init__()\n'
                                           '        self.features = nn.Sequential(nn.Conv2d(channels, 8, '
                                           'kernel_size=3, stride=2, padding=1), nn.ReLU(), '
                                           'nn.MaxPool2d(2))\n'
                                           '        self.head = nn.LazyLinear(classes)\n'
                                           '\n'
                                           '    def forward(self, photos):\n'
                                           '        x = self.features(photos.permute(0, 3, 1, 2))\n'
                                           '        return self.head(x.flatten(1))',
                                           'nn.LazyLinear takes in_features from the first batch, so there '
                                           'is no side to compute'),
                                          ('class PhotoClassifier(nn.Module):\n'
                                           '    def __init__(self, channels, size, classes):\n'
                                           '        super().__init__()\n'
                                           '        self.features = nn.Sequential(nn.Conv2d(channels, 8, '
                                           'kernel_size=3, stride=2, padding=1), nn.ReLU(), '
                                           'nn.MaxPool2d(2))\n'
                                           '        with torch.no_grad():\n'
                                           '            n = self.features(torch.zeros(1, channels, size, '
                                           'size)).numel()\n'
                                           '        self.head = nn.Linear(n, classes)\n'
                                           '\n'
                                           '    def forward(self, photos):\n'
                                           '        x = self.features(photos.permute(0, 3, 1, 2))\n'
                                           '        return self.head(x.flatten(1))',
                                           'self.features run on one photo of zeros gives the flattened size '
                                           'the head needs, whatever the rounding')]}},
 'ch06': {'encode_batch': {'reference': 'return pad_sequence(word_ids, batch_first=True), '
                                        'pad_sequence(tag_ids, batch_first=True), lengths',
                           'others': [('return pad_sequence(word_ids).T, pad_sequence(tag_ids).T, lengths',
                                       'pad_sequence pads time-first, (T, B); .T swaps the two axes, so each '
                                       'sentence becomes a row'),
                                      ('longest = max(len(s) for s in batch)\n'
                                       'ids = torch.zeros(len(batch), longest, dtype=torch.long)\n'
                                       'tag_rows = torch.zeros(len(batch), longest, dtype=torch.long)\n'
                                       'for row, (w, t) in enumerate(zip(word_ids, tag_ids)):\n'
                                       '    ids[row, :len(w)], tag_rows[row, :len(t)] = w, t\n'
                                       'return ids, tag_rows, lengths',
                                       "zeros are PAD and PAD_TAG, and each sentence's ids fill the start of "
                                       'its own row')]},
          'tagger': {'reference': 'self.out = nn.Linear(2 * hidden, n_tags)                   # both '
                                  'directions, per step',
                     'others': [('self.out = nn.LazyLinear(n_tags)',
                                 'a LazyLinear reads in_features from the first tensor it is given: 2 * '
                                 'hidden here'),
                                ('self.out = nn.Linear(self.lstm.hidden_size * 2, n_tags)',
                                 'a bidirectional LSTM gives hidden_size features per direction at each '
                                 'step, two directions')]},
          'tag_loss': {'reference': 'return nn.functional.cross_entropy(scores.permute(0, 2, 1), tag_ids, '
                                    'ignore_index=PAD_TAG)   # (B, C, T)',
                       'others': [('flat_scores = scores.reshape(-1, scores.shape[-1])     # (B*T, C)\n'
                                   'return nn.functional.cross_entropy(flat_scores, tag_ids.reshape(-1), '
                                   'ignore_index=PAD_TAG)',
                                   'both flattened batch-first, so the i-th row of scores and the i-th '
                                   'target are the same word'),
                                  ('return nn.CrossEntropyLoss(ignore_index=PAD_TAG)(scores.transpose(1, 2), '
                                   'tag_ids)',
                                   'transpose(1, 2) swaps time and classes as permute(0, 2, 1) does; the '
                                   'module computes the same loss'),
                                  ('real = tag_ids != PAD_TAG\n'
                                   'return nn.functional.cross_entropy(scores[real], tag_ids[real])',
                                   "indexing with the (B, T) mask keeps the real words' (N, C) scores and "
                                   '(N,) tags, in the same order')]},
          'token_accuracy': {'reference': 'real = tag_ids != PAD_TAG\n'
                                          'return ((predicted == tag_ids) & real).sum().item() / '
                                          'real.sum().item()',
                             'others': [('real = tag_ids != PAD_TAG\n'
                                         'return (predicted[real] == tag_ids[real]).float().mean().item()',
                                         'indexing with the mask keeps the real words only, so the mean is '
                                         'over them'),
                                        ('real = tag_ids != PAD_TAG\n'
                                         'return (predicted == tag_ids)[real].double().mean()',
                                         'a one-element tensor holds the same share; float() reads it as a '
                                         'number')]},
          'tags_of_batch': {'reference': 'return [[tag_names[i] for i in row[:n]] for row, n in zip(best, '
                                         'lengths.tolist())]',
                            'others': [('tagged = []\n'
                                        'for b, n in enumerate(lengths.tolist()):\n'
                                        '    tagged.append([tag_names[best[b][t]] for t in range(n)])\n'
                                        'return tagged',
                                        "each sentence's list stops at its own length, as a loop over its "
                                        'real positions'),
                                       ('ids = scores.argmax(-1)\n'
                                        'return [[tag_names[i] for i in ids[b, :n].tolist()] for b, n in '
                                        'enumerate(lengths.tolist())]',
                                        'slicing each row of tag ids to its length before .tolist() leaves '
                                        'the padding behind')]},
          'sentence_batch': {'reference': 'ids = torch.tensor([[words.get(w.lower(), UNK) for w in tokens]], '
                                          'device=DEVICE)        # (1, T)',
                             'others': [('ids = torch.tensor([[words[w.lower()] if w.lower() in words else '
                                         'UNK for w in tokens]], device=DEVICE)',
                                         "the same lookup as encode_batch's: lower-cased, and <unk> for a "
                                         'word training never saw'),
                                        ('ids = torch.tensor([words.get(w.lower(), UNK) for w in '
                                         'tokens]).unsqueeze(0).to(DEVICE)',
                                         'unsqueeze(0) adds the batch axis in front: (T,) becomes (1, T)')]},
          'spec_tagger': {'reference': 'class SpecTagger(nn.Module):\n'
                                       '    """Word ids (B, T) and lengths (B,) -> tag scores (B, T, '
                                       'n_tags), as the specification says."""\n'
                                       '\n'
                                       '    def __init__(self, n_words, n_tags, emb=16, hidden=16):\n'
                                       '        super().__init__()\n'
                                       '        self.embed = nn.Embedding(n_words, emb, padding_idx=PAD)\n'
                                       '        self.lstm = nn.LSTM(emb, hidden, num_layers=2, '
                                       'bidirectional=True)     # time first: (T, B, E)\n'
                                       '        self.out = nn.Linear(2 * hidden, n_tags)\n'
                                       '\n'
                                       '    def forward(self, word_ids, lengths):\n'
                                       '        width = '
                                       'word_ids.shape[1]                                              # T, '
                                       'perhaps past the longest\n'
                                       '        vectors = pack_padded_sequence(self.embed(word_ids), '
                                       'lengths.cpu(), batch_first=True, enforce_sorted=False)\n'
                                       '        read, _ = self.lstm(vectors)                   # a packed '
                                       'batch says its own layout: each sentence alone\n'
                                       '        per_step, _ = pad_packed_sequence(read, batch_first=True, '
                                       'total_length=width)   # (B, T, 2H)\n'
                                       '        real = torch.arange(width, device=word_ids.device) < '
                                       'lengths.to(word_ids.device).unsqueeze(1)  # (B, T)\n'
                                       '        return self.out(per_step) * '
                                       'real.unsqueeze(2)                           # (B, T, n_tags), 0 at '
                                       'padding',
                          'others': [('class SpecTagger(nn.Module):\n'
                                      '    def __init__(self, n_words, n_tags, emb=16, hidden=16):\n'
                                      '        super().__init__()\n'
                                      '        self.embed = nn.Embedding(n_words, emb, padding_idx=PAD)\n'
                                      '        self.lstm = nn.LSTM(emb, hidden, num_layers=2, '
                                      'bidirectional=True)\n'
                                      '        self.out = nn.Linear(2 * hidden, n_tags)\n'
                                      '\n'
                                      '    def forward(self, word_ids, lengths):\n'
                                      '        packed = pack_padded_sequence(self.embed(word_ids), '
                                      'lengths.cpu(), batch_first=True, enforce_sorted=False)\n'
                                      '        read, _ = self.lstm(packed)\n'
                                      '        scored = read._replace(data=self.out(read.data))       # a '
                                      'PackedSequence is a named tuple\n'
                                      '        return pad_packed_sequence(scored, batch_first=True, '
                                      'total_length=word_ids.shape[1])[0]',
                                      'a Linear acts on the last axis, so it can score the packed real steps '
                                      'alone; pad_packed_sequence then puts 0 at every padding position'),
                                     ('class SpecTagger(nn.Module):\n'
                                      '    def __init__(self, n_words, n_tags, emb=16, hidden=16):\n'
                                      '        super().__init__()\n'
                                      '        self.embed = nn.Embedding(n_words, emb, padding_idx=PAD)\n'
                                      '        self.lstm = nn.LSTM(emb, hidden, num_layers=2, '
                                      'bidirectional=True)\n'
                                      '        self.out = nn.Linear(2 * hidden, n_tags)\n'
                                      '\n'
                                      '    def forward(self, word_ids, lengths):\n'
                                      '        scores = torch.zeros(*word_ids.shape, self.out.out_features, '
                                      'device=word_ids.device)\n'
                                      '        for b, n in enumerate(lengths.tolist()):                  # '
                                      '(n, 1, E): one sentence, time first\n'
                                      '            scores[b, :n] = self.out(self.lstm(self.embed(word_ids[b, '
                                      ':n]).unsqueeze(1))[0][:, 0])\n'
                                      '        return scores',
                                      'a sentence run alone, at its own length, never meets padding: slower, '
                                      'plainly right')]}}}
