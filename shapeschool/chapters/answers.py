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
                                            "sentence's steps joined into one row")]}},
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
                                           'h_n is the last of the pair (output, h_n)')]}},
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
                                     'of weight 0 leaves both the sum and the count')]}},
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
                                            '1: slower, plainly right')]}}}
