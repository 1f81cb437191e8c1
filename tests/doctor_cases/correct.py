"""Correct models, on which ``doctor.check`` must find nothing: the course's answer keys, as
stand-alone models, and a few standard ones."""
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from . import Correct
from .silent import padded_ids, padded_tags

CASES = []


def case(*tags):
    def register(setup):
        CASES.append(Correct(setup.__name__, setup, tags))
        return setup
    return register


class TokenEncoder(nn.Module):
    def __init__(self, vocab=30, emb=8, hidden=16):
        super().__init__()
        self.embed = nn.Embedding(vocab, emb)
        self.lstm = nn.LSTM(emb, hidden, batch_first=True)

    def forward(self, ids):
        return self.lstm(self.embed(ids))[0]


@case("ch01")
def token_encoder():
    return dict(model=TokenEncoder(), example_input=torch.randint(0, 30, (4, 7)))


class SeqFirst(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(8, 16)
        self.head = nn.Linear(16, 3)

    def forward(self, x):                             # (B, T, E)
        out, _ = self.lstm(x.transpose(0, 1))         # (T, B, H)
        return self.head(out.transpose(0, 1))         # (B, T, 3)


@case("ch01", "ch02")
def batch_first_data_transposed_for_a_seq_first_lstm():
    return dict(model=SeqFirst(), example_input=torch.randn(4, 7, 8))


@case("ch02")
def seq_first_data_with_its_batch_axis_named():
    return dict(model=nn.LSTM(8, 16), example_input=torch.randn(7, 4, 8), batch_dim=1)


class Heads(nn.Module):
    def __init__(self, heads=4):
        super().__init__()
        self.proj = nn.Linear(16, 16)
        self.heads = heads

    def forward(self, x):
        B, T, D = x.shape
        q = self.proj(x).view(B, T, self.heads, D // self.heads).transpose(1, 2)      # (B, h, T, d)
        return (q @ q.transpose(-1, -2)).softmax(-1)                                 # (B, h, T, T)


@case("ch02")
def heads_split_and_transposed():
    return dict(model=Heads(), example_input=torch.randn(3, 5, 16))


class Flattened(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(8, 16)
        self.fc = nn.Linear(5 * 16, 3)

    def forward(self, x):                             # (T, B, E)
        out, _ = self.lstm(x)
        T, B, H = out.shape
        return self.fc(out.transpose(0, 1).reshape(B, T * H))


@case("ch02")
def steps_flattened_after_a_transpose():
    return dict(model=Flattened(), example_input=torch.randn(5, 3, 8), batch_dim=1)


class BiLSTMClassifier(nn.Module):
    def __init__(self, layers=2):
        super().__init__()
        self.lstm = nn.LSTM(8, 16, num_layers=layers, bidirectional=True, batch_first=True)
        self.head = nn.Linear(32, 3)

    def forward(self, x):
        B = x.shape[0]
        h0 = torch.zeros(self.lstm.num_layers * 2, B, 16)
        _, (h_n, _) = self.lstm(x, (h0, h0))
        return self.head(torch.cat([h_n[-2], h_n[-1]], dim=1))


@case("ch03")
def bilstm_classifier_with_both_directions():
    return dict(model=BiLSTMClassifier(), example_input=torch.randn(4, 6, 8))


class FromOutput(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(8, 16, bidirectional=True, batch_first=True)
        self.head = nn.Linear(32, 3)

    def forward(self, x):
        out, _ = self.lstm(x)
        both = torch.cat([out[:, -1, :16], out[:, 0, 16:]], dim=1)     # forward's last, backward's first
        return self.head(both)


@case("ch03")
def sentence_vector_from_the_output():
    return dict(model=FromOutput(), example_input=torch.randn(4, 6, 8))


class GruHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(8, 16, num_layers=2, batch_first=True)
        self.head = nn.Linear(16, 3)

    def forward(self, x):
        _, h_n = self.gru(x)
        return self.head(h_n[-1])                     # one direction: the top layer's state is all of it


@case("ch03")
def gru_top_layer_state():
    return dict(model=GruHead(), example_input=torch.randn(4, 6, 8))


class PackedTagger(nn.Module):
    """The capstone's tagger: padding_idx, packing, a Linear per step over both directions."""

    def __init__(self, words=30, tags=5):
        super().__init__()
        self.embed = nn.Embedding(words, 8, padding_idx=0)
        self.lstm = nn.LSTM(8, 16, batch_first=True, bidirectional=True)
        self.out = nn.Linear(32, tags)

    def forward(self, ids, lengths):
        packed = pack_padded_sequence(self.embed(ids), lengths.cpu(), batch_first=True, enforce_sorted=False)
        out, _ = self.lstm(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=ids.shape[1])
        return self.out(out)                          # (B, T, C)


def tag_loss(scores, tags):
    return F.cross_entropy(scores.permute(0, 2, 1), tags, ignore_index=0)


def tag_loss_flat(scores, tags):
    return F.cross_entropy(scores.reshape(-1, scores.shape[-1]), tags.reshape(-1), ignore_index=0)


@case("ch04", "ch06", "standard")
def bilstm_tagger_packed_with_a_permuted_loss():
    ids = padded_ids([6, 3, 4, 2])
    return dict(model=PackedTagger(), example_input=(ids, torch.tensor([6, 3, 4, 2])), loss_fn=tag_loss,
                target=padded_tags(ids))


@case("ch06")
def bilstm_tagger_packed_with_a_flattened_loss():
    ids = padded_ids([6, 3, 4, 2])
    return dict(model=PackedTagger(), example_input=(ids, torch.tensor([6, 3, 4, 2])), loss_fn=tag_loss_flat,
                target=padded_tags(ids))


class LastReal(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(30, 8, padding_idx=0)
        self.lstm = nn.LSTM(8, 16, batch_first=True)
        self.head = nn.Linear(16, 3)

    def forward(self, ids, lengths):
        out, _ = self.lstm(self.embed(ids))
        last = out[torch.arange(ids.shape[0]), lengths - 1]          # each sentence's own last step
        return self.head(last)


@case("ch04")
def last_real_step_by_index():
    return dict(model=LastReal(), example_input=(padded_ids([6, 3, 4, 2]), torch.tensor([6, 3, 4, 2])))


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                                      nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(4))
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(16 * 4 * 4, 10))

    def forward(self, x):
        return self.head(self.features(x))


@case("ch05", "standard")
def cnn_classifier_with_its_loss():
    return dict(model=SmallCNN(), example_input=torch.randn(6, 3, 28, 28), loss_fn=F.cross_entropy,
                target=torch.randint(0, 10, (6,)))


class TextCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(30, 16)
        self.conv = nn.Conv1d(16, 8, 3)

    def forward(self, ids):
        return self.conv(self.embed(ids).transpose(1, 2)).max(dim=2).values


@case("ch05")
def text_cnn_over_time():
    return dict(model=TextCNN(), example_input=torch.randint(0, 30, (4, 9)))


class Photos(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.head = nn.Linear(4, 2)

    def forward(self, photos):                        # (B, H, W, C)
        return self.head(self.conv(photos.permute(0, 3, 1, 2)).mean((2, 3)))


@case("ch05")
def channels_last_photos_permuted():
    return dict(model=Photos(), example_input=torch.rand(2, 6, 5, 3))


class PhotoClassifier(nn.Module):
    """Chapter 5's challenge, answered."""

    def __init__(self, channels=3, size=13, classes=5):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(channels, 8, 3, stride=2, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        side = ((size - 1) // 2 + 1) // 2
        self.head = nn.Linear(8 * side * side, classes)

    def forward(self, photos):                        # (B, size, size, C)
        return self.head(self.features(photos.permute(0, 3, 1, 2)).flatten(1))


@case("ch05")
def photo_classifier_answered():
    return dict(model=PhotoClassifier(), example_input=torch.rand(4, 13, 13, 3))


class Encoder(nn.Module):
    """A small transformer encoder classifier with a padding mask."""

    def __init__(self, words=30, width=16):
        super().__init__()
        self.embed = nn.Embedding(words, width, padding_idx=0)
        layer = nn.TransformerEncoderLayer(width, nhead=4, dim_feedforward=32, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
        self.head = nn.Linear(width, 3)

    def forward(self, ids):
        mask = ids == 0                               # (B, T): True at padding
        hidden = self.encoder(self.embed(ids), src_key_padding_mask=mask)
        keep = (~mask).unsqueeze(-1).float()
        return self.head((hidden * keep).sum(1) / keep.sum(1))


@case("standard")
def transformer_encoder_with_a_padding_mask():
    return dict(model=Encoder(), example_input=padded_ids([6, 3, 4, 2]), loss_fn=F.cross_entropy,
                target=torch.randint(0, 3, (4,)))


class Regressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))

    def forward(self, x):
        return self.net(x).squeeze(-1)                # (B,)


@case("standard")
def regression_with_matching_shapes():
    return dict(model=Regressor(), example_input=torch.randn(8, 4), loss_fn=F.mse_loss, target=torch.randn(8))


@case("standard")
def seq_first_attention():
    attention = nn.MultiheadAttention(16, 2)          # (T, B, E)
    return dict(model=lambda x: attention(x, x, x)[0], example_input=torch.randn(5, 3, 16), batch_dim=1)


# -- PyTorch's fast paths (taken in eval mode under no_grad, where doctor.check runs) -----------

class NestedEncoder(nn.Module):
    """The Encoder above with nested tensors on (PyTorch's default): on the fast path padded
    positions come out as zeros, and the layers see a nested tensor."""

    def __init__(self, words=30, width=16):
        super().__init__()
        self.embed = nn.Embedding(words, width, padding_idx=0)
        layer = nn.TransformerEncoderLayer(width, nhead=4, dim_feedforward=32, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2)
        self.head = nn.Linear(width, 3)

    def forward(self, ids):                           # ids: (B, T)
        mask = ids == 0                               # (B, T): True at padding
        hidden = self.encoder(self.embed(ids), src_key_padding_mask=mask)    # (B, T, E)
        keep = (~mask).unsqueeze(-1).float()          # (B, T, 1)
        return self.head((hidden * keep).sum(1) / keep.sum(1))


@case("standard")
def transformer_encoder_on_its_nested_fast_path():
    return dict(model=NestedEncoder(), example_input=padded_ids([6, 3, 4, 2]))


class CausalEncoder(nn.Module):
    def __init__(self, width=16):
        super().__init__()
        layer = nn.TransformerEncoderLayer(width, nhead=4, dim_feedforward=32, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2)

    def forward(self, x):                             # x: (B, T, E)
        mask = nn.Transformer.generate_square_subsequent_mask(x.size(1))    # (T, T)
        return self.encoder(x, mask=mask, is_causal=True)


@case("standard")
def causal_transformer_encoder():
    return dict(model=CausalEncoder(), example_input=torch.randn(4, 7, 16))


class SelfAttention(nn.Module):
    def __init__(self, width=16):
        super().__init__()
        self.attention = nn.MultiheadAttention(width, 4, batch_first=True)

    def forward(self, x, padding):                    # x: (B, T, E); padding: (B, T), True at padding
        return self.attention(x, x, x, key_padding_mask=padding, need_weights=False)[0]


@case("standard")
def batch_first_self_attention_without_weights():
    padding = torch.zeros(3, 5, dtype=torch.bool)
    padding[1, 3:] = True
    return dict(model=SelfAttention(), example_input=(torch.randn(3, 5, 16), padding))


class AttentionPooledGRU(nn.Module):
    """A packed GRU's steps pooled by attention, the padded steps masked before the softmax (with
    masked_fill, or by adding a large negative number), then a weighted sum over the steps."""

    def __init__(self, how, vocab=30, width=6, hidden=4):
        super().__init__()
        self.how = how
        self.embed = nn.Embedding(vocab, width, padding_idx=0)
        self.gru = nn.GRU(width, hidden, batch_first=True)
        self.score = nn.Linear(hidden, 1)

    def forward(self, ids):                           # ids: (B, T), 0 for padding
        lengths = (ids != 0).sum(1)
        packed = pack_padded_sequence(self.embed(ids), lengths, batch_first=True, enforce_sorted=False)
        out, _ = pad_packed_sequence(self.gru(packed)[0], batch_first=True)       # (B, T, H), zeros after each length
        scores = self.score(out).squeeze(-1)                                       # (B, T)
        real = torch.arange(out.shape[1])[None, :] < lengths[:, None]
        if self.how == "masked_fill":
            scores = scores.masked_fill(~real, float("-inf"))
        else:
            scores = scores + (~real).float() * -1e9
        weights = F.softmax(scores, dim=1)
        return (weights.unsqueeze(-1) * out).sum(1)                                # (B, H)


@case("standard")
def attention_pooling_masked_with_masked_fill():
    return dict(model=AttentionPooledGRU("masked_fill"), example_input=padded_ids([4, 2, 1]))


@case("standard")
def attention_pooling_masked_by_a_large_negative_number():
    return dict(model=AttentionPooledGRU("add"), example_input=padded_ids([4, 2, 1]))
