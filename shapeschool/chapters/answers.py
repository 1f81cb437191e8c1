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
                                          ('h_n = gru(x)[-1]',
                                           'h_n is the last of the pair (output, h_n)')]}}}
