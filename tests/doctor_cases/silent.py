"""Broken models that raise nothing, and where ``doctor.check`` must point."""
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from . import Silent
from .errors import Squeezed

CASES = []


def case(source, path, kinds, note=""):
    def register(setup):
        CASES.append(Silent(setup.__name__, source, setup, path, tuple(kinds.split()), note))
        return setup
    return register


def padded_ids(lengths, vocab=30, pad=0, generator_seed=0):
    """(B, T) ids, each row its length of words (ids >= 2) then ``pad``."""
    g = torch.Generator().manual_seed(generator_seed)
    ids = torch.full((len(lengths), max(lengths)), pad)
    for b, n in enumerate(lengths):
        ids[b, :n] = torch.randint(2, vocab, (n,), generator=g)
    return ids


# -- the course's silent fix-me cells, as stand-alone models ------------------------------------

class SeqFirstLSTM(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(30, 8)
        self.lstm = nn.LSTM(8, 16)                    # seq-first
        self.head = nn.Linear(16, 3)

    def forward(self, ids):                           # ids: (B, T) from a DataLoader
        out, _ = self.lstm(self.embed(ids))           # (B, T, E) read as (T, B, E)
        return self.head(out[:, -1])


@case("ch01 run_seq_first", "model.lstm", "batch_on_time_axis")
def batch_first_data_into_seq_first_lstm():
    return dict(model=SeqFirstLSTM(), example_input=torch.randint(2, 30, (4, 7)))


class ViewedToSeqFirst(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(30, 8)
        self.lstm = nn.LSTM(8, 16)
        self.head = nn.Linear(16, 3)

    def forward(self, ids):                           # (B, T)
        x = self.embed(ids)                           # (B, T, E)
        x = x.view(x.shape[1], x.shape[0], x.shape[2])    # meant (T, B, E): view does not move elements
        out, _ = self.lstm(x)
        return self.head(out[-1])


@case("ch02 to_seq_first", "model", "view_moves_axes samples_mix")
def view_instead_of_transpose():
    return dict(model=ViewedToSeqFirst(), example_input=torch.randint(2, 30, (4, 7)))


class LastExampleState(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(8, 16, num_layers=2, batch_first=True)
        self.head = nn.Linear(16, 3)

    def forward(self, x):
        _, (h_n, _) = self.lstm(x)                    # (layers, B, H)
        return self.head(h_n[:, -1])                  # the last example's states, one per layer


@case("ch02 top_layer_state", "the model's output", "batch_changed")
def state_indexed_on_the_wrong_axis():
    return dict(model=LastExampleState(), example_input=torch.randn(5, 6, 8))


class Heads(nn.Module):
    def __init__(self, heads=4):
        super().__init__()
        self.proj = nn.Linear(16, 16)
        self.score = nn.Linear(4, 1)
        self.heads = heads

    def forward(self, x):                             # (B, T, D)
        B, T, D = x.shape
        q = self.proj(x).view(B, self.heads, T, D // self.heads)     # meant view(B, T, h, d).transpose(1, 2)
        return self.score(q).squeeze(-1)              # (B, h, T)


@case("ch02 split_heads", "model", "view_moves_axes")
def heads_split_with_one_view():
    return dict(model=Heads(), example_input=torch.randn(3, 5, 16))


class OneDirection(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(8, 16, bidirectional=True, batch_first=True)
        self.head = nn.Linear(16, 3)

    def forward(self, x):
        _, (h_n, _) = self.lstm(x)
        return self.head(h_n[-1])                     # the backward direction alone


@case("ch03 sentence_vector", "model.head", "bidirectional_half")
def final_state_of_one_direction():
    return dict(model=OneDirection(), example_input=torch.randn(4, 6, 8))


class LastStep(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(8, 16, bidirectional=True, batch_first=True)
        self.head = nn.Linear(32, 3)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])                  # backward half: it has read one word


@case("ch03 sentence_vector_from_output", "model.head", "bidirectional_half")
def last_step_of_a_bidirectional_output():
    return dict(model=LastStep(), example_input=torch.randn(4, 6, 8))


class GruUnpacked(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(8, 16, bidirectional=True, batch_first=True)
        self.head = nn.Linear(16, 3)

    def forward(self, x):
        out, (h_n, c_n) = self.gru(x)                 # as for an LSTM: h_n's two rows unpacked
        return self.head(h_n)


@case("ch03 gru_final_states", "model.head", "bidirectional_half")
def gru_state_unpacked_like_an_lstm():
    return dict(model=GruUnpacked(), example_input=torch.randn(4, 6, 8))


class PadNotZero(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(30, 8, padding_idx=0)      # but <pad> is 28 in this vocabulary
        self.lstm = nn.LSTM(8, 16, batch_first=True, bidirectional=True)
        self.head = nn.Linear(32, 3)

    def forward(self, ids):
        out, _ = self.lstm(self.embed(ids))
        return self.head(out.mean(1))


@case("ch04 build_vocab", "model.embed", "padding_not_padding_idx")
def padding_id_is_not_the_padding_idx():
    return dict(model=PadNotZero(), example_input=padded_ids([6, 3, 4, 2], pad=28))


class NoPaddingIdx(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(30, 8)                      # padding row learns
        self.lstm = nn.LSTM(8, 16, batch_first=True)
        self.head = nn.Linear(16, 3)

    def forward(self, ids):
        out, _ = self.lstm(self.embed(ids))
        return self.head(out.mean(1))


@case("ch04 make_padded_embedding", "model.embed", "padding_not_padding_idx")
def embedding_without_padding_idx():
    return dict(model=NoPaddingIdx(), example_input=padded_ids([6, 3, 4, 2]))


class LastColumn(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(30, 8, padding_idx=0)
        self.lstm = nn.LSTM(8, 16, batch_first=True)
        self.head = nn.Linear(16, 3)

    def forward(self, ids):
        out, _ = self.lstm(self.embed(ids))           # padding read as words
        return self.head(out[:, -1])                  # the last column, padding for the short ones


@case("ch04 last_real_step", "model.head", "padding_read")
def last_column_of_a_padded_batch():
    return dict(model=LastColumn(), example_input=padded_ids([6, 3, 4, 2]))


class TokenTagger(nn.Module):
    def __init__(self, tags=5):
        super().__init__()
        self.embed = nn.Embedding(30, 8, padding_idx=0)
        self.lstm = nn.LSTM(8, 8, batch_first=True)
        self.out = nn.Linear(8, tags)

    def forward(self, ids):
        return self.out(self.lstm(self.embed(ids))[0])   # (B, T, C)


def padded_tags(ids, tags=5):
    g = torch.Generator().manual_seed(1)
    return torch.where(ids == 0, 0, torch.randint(1, tags, ids.shape, generator=g))


def loss_without_ignore_index(scores, tags):
    return F.cross_entropy(scores.reshape(-1, scores.shape[-1]), tags.reshape(-1))


@case("ch04 token_loss", "cross_entropy", "padding_in_loss")
def loss_over_padding():
    ids = padded_ids([6, 3, 4, 2])
    return dict(model=TokenTagger(), example_input=ids, loss_fn=loss_without_ignore_index, target=padded_tags(ids))


class ReshapedPhotos(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.head = nn.Linear(4, 2)

    def forward(self, photos):                        # (B, H, W, C)
        B, H, W, C = photos.shape
        x = self.conv(photos.reshape(B, C, H, W))     # meant permute(0, 3, 1, 2)
        return self.head(x.mean((2, 3)))


@case("ch05 to_channels_first", "model", "view_moves_axes")
def channels_moved_with_reshape():
    return dict(model=ReshapedPhotos(), example_input=torch.rand(2, 6, 5, 3))


def loss_flattened_two_ways(scores, tags):
    flat = scores.transpose(0, 1).reshape(-1, scores.shape[-1])       # (T*B, C)
    return F.cross_entropy(flat, tags.reshape(-1), ignore_index=0)    # (B*T,)


@case("ch06 tag_loss", "cross_entropy", "flattened_two_ways")
def scores_and_targets_flattened_in_different_orders():
    ids = padded_ids([6, 3, 4, 2])
    return dict(model=TokenTagger(), example_input=ids, loss_fn=loss_flattened_two_ways, target=padded_tags(ids))


def accuracy_over_padding(scores, tags):
    return (scores.argmax(-1) == tags).float().mean()


@case("ch06 token_accuracy", "mean", "padding_in_metric",
      note="a metric, not a loss: check() traces what loss_fn computes, so pass the metric as loss_fn")
def accuracy_counts_padding():
    ids = padded_ids([6, 3, 4, 2])
    return dict(model=TokenTagger(), example_input=ids, loss_fn=accuracy_over_padding, target=padded_tags(ids))


def tags_without_trimming(scores, tags):
    return scores.argmax(-1)                          # (B, T): padding positions kept as predictions


@case("ch06 tags_of_batch", "argmax", "padding_in_metric",
      note="what a learner does with the predictions afterwards (a Python list per sentence) is not traced")
def predictions_keep_the_padding():
    ids = padded_ids([6, 3, 4, 2])
    return dict(model=TokenTagger(), example_input=ids, loss_fn=tags_without_trimming, target=padded_tags(ids))


class TimeFirstReader(nn.Module):
    """Chapter 4's SentenceReader once its unknown words are mapped: ids padded time-first, as
    pad_sequence gives them by default, into a batch-first LSTM, and h_n read after the padding."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(30, 8, padding_idx=0)
        self.lstm = nn.LSTM(8, 16, batch_first=True)

    def forward(self, ids):                           # ids: (T, B)
        _, (h_n, _) = self.lstm(self.embed(ids))      # read as (B=T, T=B, E)
        return h_n[-1]


@case("ch04 SentenceReader", "model.lstm", "batch_on_time_axis")
def time_first_padding_into_a_batch_first_lstm():
    return dict(model=TimeFirstReader(), example_input=padded_ids([6, 3, 4, 2]).T.contiguous(), batch_dim=1)


class UnpackedSpecTagger(nn.Module):
    """Chapter 6's challenge written without packing: padding runs through the backward direction."""

    def __init__(self, words=30, tags=5, emb=8, hidden=16):
        super().__init__()
        self.embed = nn.Embedding(words, emb, padding_idx=0)
        self.lstm = nn.LSTM(emb, hidden, num_layers=2, bidirectional=True)    # time first, as specified
        self.out = nn.Linear(2 * hidden, tags)

    def forward(self, ids, lengths):
        steps, _ = self.lstm(self.embed(ids).transpose(0, 1))                 # (T, B, 2H): padding read
        real = torch.arange(ids.shape[1]) < lengths[:, None]                  # (B, T)
        return self.out(steps.transpose(0, 1)) * real.unsqueeze(-1)           # (B, T, tags)


@case("ch06 SpecTagger", "model.lstm", "padding_unpacked")
def spec_tagger_not_packed():
    return dict(model=UnpackedSpecTagger(), example_input=(padded_ids([6, 3, 4, 2]), torch.tensor([6, 3, 4, 2])))


# -- mistakes people ask about -----------------------------------------------------------------

class Regressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 1)

    def forward(self, x):
        return self.fc(x)                             # (B, 1)


@case("question", "mse_loss", "loss_broadcast")
def regression_predictions_keep_their_axis():
    return dict(model=Regressor(), example_input=torch.randn(8, 4), loss_fn=F.mse_loss, target=torch.randn(8))


@case("question", "the model's output", "batch_changed")
def view_merges_images():
    return dict(model=Squeezed(), example_input=torch.randn(8, 3, 4, 4))     # 4 x 4 images: 2 rows of 256


@case("question", "model.head", "samples_mix")
def softmax_over_the_batch():
    class Scores(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(6, 3)
            self.head = nn.Softmax(dim=0)             # over the batch, not the classes

        def forward(self, x):
            return self.head(self.fc(x))
    return dict(model=Scores(), example_input=torch.randn(5, 6))


@case("question", "model.lstm", "padding_unpacked")
def padding_through_a_bidirectional_lstm():
    class Unpacked(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(30, 8, padding_idx=0)
            self.lstm = nn.LSTM(8, 16, batch_first=True, bidirectional=True)
            self.out = nn.Linear(32, 5)

        def forward(self, ids):
            return self.out(self.lstm(self.embed(ids))[0])
    return dict(model=Unpacked(), example_input=padded_ids([6, 3, 4, 2]))


@case("question", "model.conv", "conv_unbatched")
def gray_batch_read_as_one_image():
    class Gray(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(4, 8, 3)            # in_channels happens to equal the batch size
            self.head = nn.LazyLinear(10)

        def forward(self, x):                         # (B, H, W): the channel axis is missing
            return self.head(self.conv(x).flatten(1))
    return dict(model=Gray(), example_input=torch.rand(4, 12, 12))


@case("question", "cross_entropy", "ce_classes_last", note="T == C: the loss runs, reading time as classes")
def tagger_scores_when_time_equals_classes():
    ids = torch.randint(2, 30, (4, 5))
    return dict(model=TokenTagger(tags=5), example_input=ids, loss_fn=F.cross_entropy,
                target=torch.randint(0, 5, (4, 5)))


class MaskedEncoder(nn.Module):
    """A tokenizer's attention_mask (1 at words) handed to PyTorch as the padding mask (True = ignore)."""

    def __init__(self, vocab=30, width=8):
        super().__init__()
        self.embed = nn.Embedding(vocab, width, padding_idx=0)
        layer = nn.TransformerEncoderLayer(width, 2, 16, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, 1, enable_nested_tensor=False)
        self.head = nn.Linear(width, 2)

    def forward(self, ids):                           # (B, T), 0 = padding
        attention_mask = (ids != 0).long()            # as a tokenizer gives it: 1 at the words
        states = self.encoder(self.embed(ids), src_key_padding_mask=attention_mask.bool())
        return self.head(states[:, 0])


@case("question", "model.encoder", "padding_mask_inverted")
def tokenizer_attention_mask_as_the_padding_mask():
    return dict(model=MaskedEncoder(), example_input=padded_ids([6, 3, 4, 2]))


def accuracy_over_the_batch_axis(scores, labels):
    predictions = scores.argmax(dim=0)                # meant dim=1: one class per example
    return (predictions == labels[: predictions.shape[0]]).float().mean()


@case("question", "argmax", "batch_axis_reduced")
def accuracy_from_argmax_over_the_examples():
    model = nn.Linear(6, 3)
    return dict(model=model, example_input=torch.randn(5, 6), loss_fn=accuracy_over_the_batch_axis,
                target=torch.randint(0, 3, (5,), generator=torch.Generator().manual_seed(0)))


def squared_error_by_hand(predictions, targets):
    return ((predictions - targets) ** 2).mean()     # (B, 1) - (B,): every pair of examples


@case("question", "sub", "loss_broadcast")
def a_loss_written_by_hand_broadcasts():
    return dict(model=nn.Linear(4, 1), example_input=torch.randn(6, 4), loss_fn=squared_error_by_hand,
                target=torch.randn(6))


class LastRealStepOfABiLSTM(nn.Module):
    """Each sentence's last real step of a packed bidirectional LSTM, as if it summed up both directions."""

    def __init__(self, vocab=30, width=8, hidden=6):
        super().__init__()
        self.embed = nn.Embedding(vocab, width, padding_idx=0)
        self.lstm = nn.LSTM(width, hidden, batch_first=True, bidirectional=True)
        self.head = nn.Linear(2 * hidden, 2)

    def forward(self, ids):
        lengths = (ids != 0).sum(1)
        packed = pack_padded_sequence(self.embed(ids), lengths, batch_first=True, enforce_sorted=False)
        out, _ = pad_packed_sequence(self.lstm(packed)[0], batch_first=True)
        return self.head(out[torch.arange(ids.shape[0]), lengths - 1])     # the backward half has read one word


@case("question", "model.head", "bidirectional_half")
def last_real_step_of_a_bidirectional_lstm():
    return dict(model=LastRealStepOfABiLSTM(), example_input=padded_ids([6, 3, 4, 2]))


class BatchNormOverTheWords(nn.Module):
    """BatchNorm1d after an Embedding, given (batch, words, features) as it is: it runs because the
    sentences are as long as the embedding is wide."""

    def __init__(self, vocab=30, width=8, classes=3):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.norm = nn.BatchNorm1d(width)
        self.head = nn.Linear(width, classes)

    def forward(self, ids):                           # ids: (B, T), T == width here
        return self.head(self.norm(self.embed(ids)).mean(1))


@case("question", "model.norm", "norm_over_steps")
def batch_norm_over_the_words_of_a_sentence():
    return dict(model=BatchNormOverTheWords(), example_input=padded_ids([8, 8, 8, 8]))


class LayerNormOverTheSteps(nn.Module):
    """LayerNorm(channels) after a Conv1d, given (batch, channels, steps) as it is: it runs because
    there are as many steps as channels."""

    def __init__(self, channels=7):
        super().__init__()
        self.conv = nn.Conv1d(3, channels, 3, padding=1)
        self.norm = nn.LayerNorm(channels)
        self.head = nn.Linear(channels, 2)

    def forward(self, signal):                        # (B, 3, T), T == channels here
        return self.head(self.norm(self.conv(signal)).mean(-1))


@case("question", "model.norm", "norm_over_steps")
def layer_norm_over_the_steps_of_a_conv1d():
    return dict(model=LayerNormOverTheSteps(), example_input=torch.randn(2, 3, 7, generator=torch.Generator().manual_seed(0)))


class AttentionOverThePadding(nn.Module):
    """A packed GRU's steps pooled by attention with no mask: the padded steps get weight."""

    def __init__(self, vocab=30, width=6, hidden=4):
        super().__init__()
        self.embed = nn.Embedding(vocab, width, padding_idx=0)
        self.gru = nn.GRU(width, hidden, batch_first=True)
        self.score = nn.Linear(hidden, 1)

    def forward(self, ids):
        lengths = (ids != 0).sum(1)
        packed = pack_padded_sequence(self.embed(ids), lengths, batch_first=True, enforce_sorted=False)
        out, _ = pad_packed_sequence(self.gru(packed)[0], batch_first=True)
        weights = F.softmax(self.score(out).squeeze(-1), dim=1)                    # padded steps weighted too
        return (weights.unsqueeze(-1) * out).sum(1)


@case("question", "model", "padding_read samples_mix")
def attention_pooling_over_the_padding():
    return dict(model=AttentionOverThePadding(), example_input=padded_ids([4, 2, 1]))


class MaxOverPackedSteps(nn.Module):
    """A packed LSTM's padded output max-pooled over time: the zeros of the padding win wherever the
    real values are negative."""

    def __init__(self, vocab=30, width=6, hidden=4):
        super().__init__()
        self.embed = nn.Embedding(vocab, width, padding_idx=0)
        self.lstm = nn.LSTM(width, hidden, batch_first=True)

    def forward(self, ids):
        lengths = (ids != 0).sum(1)
        packed = pack_padded_sequence(self.embed(ids), lengths, batch_first=True, enforce_sorted=False)
        out, _ = pad_packed_sequence(self.lstm(packed)[0], batch_first=True)
        return out.max(1)[0]


@case("question", "model", "padding_pooled")
def max_over_packed_steps_with_their_padding():
    return dict(model=MaxOverPackedSteps(), example_input=padded_ids([4, 2, 1]))
