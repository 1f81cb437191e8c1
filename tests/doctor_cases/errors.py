"""Broken models and steps that raise, and what the doctor must name: the module and the cause."""
import numpy as np
import torch
import torch.nn.functional as F
from einops import rearrange
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from . import Raises

CASES = []


def case(source, path, causes, sizes=None):
    def register(run):
        CASES.append(Raises(run.__name__, source, run, path, tuple(causes.split()), sizes))
        return run
    return register


class Encoder(nn.Module):
    """Embedding then LSTM, sizes as given: the shape of most of the course's sequence models."""

    def __init__(self, vocab=50, emb=8, lstm_in=8, hidden=16, batch_first=True, bidirectional=False, layers=1):
        super().__init__()
        self.embed = nn.Embedding(vocab, emb)
        self.lstm = nn.LSTM(lstm_in, hidden, num_layers=layers, batch_first=batch_first,
                            bidirectional=bidirectional)

    def forward(self, ids, state=None):
        out, _ = self.lstm(self.embed(ids), state)
        return out


# -- the course's fix-me cells, as stand-alone models ------------------------------------------

@case("ch01 encode", "model.embed", "embedding_dtype")
def float_ids():
    ids = torch.zeros(3, 6)                                   # (B, T) built as floats
    model = Encoder()
    model(ids)


@case("ch01 make_embedding", "model.embed", "embedding_range", sizes=(9, 10))
def table_one_row_short():
    vocab = {w: i for i, w in enumerate("<pad> <unk> the cat sat on a mat dog ran".split())}
    model = Encoder(vocab=max(vocab.values()))                # 9 rows for ids 0..9
    model(torch.tensor([[vocab["ran"], vocab["the"]]]))


@case("ch01 TokenEncoder", "encoder.lstm", "rnn_input_size", sizes=(16, 8))
def lstm_built_for_hidden():
    encoder = Encoder(emb=8, lstm_in=16, hidden=16)
    encoder(torch.randint(0, 50, (4, 7)))


@case("ch01 Reader", "reader.lstm", "rnn_input_size", sizes=(16, 8))
def reader_with_three_bugs():
    reader = Encoder(vocab=11, emb=8, lstm_in=16, hidden=16, batch_first=False)   # the challenge as handed out
    reader(torch.tensor([[2, 5, 10], [8, 4, 3]]))                                 # the example has no id 11


@case("ch01 run_one", "lstm", "state_batch", sizes=(7, 1))
def one_sentence_unsqueezed_on_time():
    lstm = nn.LSTM(8, 16, batch_first=True)
    sentence = torch.randn(7, 8)                              # (T, E)
    h0 = torch.zeros(1, 1, 16)                                # for a batch of one
    lstm(sentence.unsqueeze(1), (h0, h0))                     # (T, 1, E): T sentences of one step


class SeqFirstHead(nn.Module):
    """A seq-first LSTM whose steps are flattened for a Linear by ``flatten(out)``."""

    def __init__(self, flatten):
        super().__init__()
        self.lstm = nn.LSTM(8, 16)
        self.fc = nn.Linear(5 * 16, 3)
        self.flatten = flatten

    def forward(self, x):                                     # x: (T, B, E)
        out, _ = self.lstm(x)                                 # (T, B, H)
        return self.fc(self.flatten(out))


@case("ch02 flatten_steps", "model", "view_stride")
def view_after_transpose():
    model = SeqFirstHead(lambda out: out.transpose(0, 1).view(out.shape[1], -1))
    model(torch.randn(5, 3, 8))


@case("ch02 steps_to_features", "model", "einops_order", sizes=(3, 5))
def einops_pattern_in_wrong_order():
    model = SeqFirstHead(lambda out: rearrange(out, "b t h -> b (t h)", b=out.shape[1]))
    model(torch.randn(5, 3, 8))


class ViewedScorer(nn.Module):
    """Chapter 2's challenge as handed out: a seq-first LSTM fed a viewed batch, its output
    transposed and viewed, its last step read on the wrong axis."""

    def __init__(self, emb_dim=8, hidden=16, steps=4, classes=3, num_layers=2):
        super().__init__()
        self.lstm = nn.LSTM(emb_dim, hidden, num_layers=num_layers)
        self.score = nn.Linear(steps * hidden, classes)

    def forward(self, x):                              # x: (B, T, E)
        B, T, E = x.shape
        out, _ = self.lstm(x.view(T, B, E))            # (T, B, H), samples mixed
        flat = out.transpose(0, 1).view(B, -1)         # raises: not contiguous
        return self.score(flat), out[:, -1]


@case("ch02 SentenceScorer", "model", "view_stride")
def scorer_with_three_bugs():
    model = ViewedScorer()                             # the challenge as handed out
    model(torch.randn(4, 4, 8))                        # T == B == 4, as on screen


@case("ch03 zero_state", "bilstm", "state_rows", sizes=(4, 2))
def state_rows_without_directions():
    bilstm = nn.LSTM(8, 16, num_layers=2, bidirectional=True, batch_first=True)
    h0 = torch.zeros(bilstm.num_layers, 3, 16)
    bilstm(torch.randn(3, 5, 8), (h0, h0))


@case("ch03 zero_state_projected", "projected", "state_proj", sizes=(4, 16))
def projected_state_with_hidden_size():
    projected = nn.LSTM(8, 16, proj_size=4, batch_first=True)
    projected(torch.randn(3, 5, 8), (torch.zeros(1, 3, 16), torch.zeros(1, 3, 16)))


class BiLSTMClassifier(nn.Module):
    def __init__(self, emb=8, hidden=16, classes=3):
        super().__init__()
        self.lstm = nn.LSTM(emb, hidden, bidirectional=True, batch_first=True)
        self.head = nn.Linear(hidden, classes)

    def forward(self, x):
        _, (h_n, _) = self.lstm(x)
        return self.head(torch.cat([h_n[-2], h_n[-1]], dim=1))


@case("ch03 BiLSTMClassifier", "classifier.head", "linear_after_bidirectional", sizes=(16, 32))
def head_sized_for_one_direction():
    classifier = BiLSTMClassifier()
    classifier(torch.randn(3, 5, 8))


@case("ch03 read_in_chunks", "lstm", "state_batch_first", sizes=((2, 3, 16), (3, 2, 16)))
def chunk_states_built_batch_first():
    lstm = nn.LSTM(8, 16, num_layers=2, batch_first=True)     # the challenge as handed out
    x = torch.randn(3, 7, 8)                                  # (B, T, E)
    h = torch.zeros(3, lstm.num_layers, lstm.hidden_size)     # (B, layers, H), laid out like the data
    c = torch.zeros(3, lstm.num_layers, lstm.hidden_size)
    for start in range(0, 7, 3):
        out, (h, c) = lstm(x[:, start:start + 3], (h, c))


@case("ch04 encode_words", "model.embed", "embedding_range", sizes=(6, 8))
def ids_from_a_larger_vocabulary():
    train_vocab = {w: i for i, w in enumerate("<pad> <unk> the cat sat mat".split())}
    vocab = dict(train_vocab, zebra=6, ran=7)                 # grown after the model was built
    model = Encoder(vocab=len(train_vocab))
    model(torch.tensor([[vocab["the"], vocab["zebra"], vocab["ran"]]]))


class Packed(nn.Module):
    def __init__(self, enforce_sorted=True, batch_first=True):
        super().__init__()
        self.embed = nn.Embedding(20, 8, padding_idx=0)
        self.lstm = nn.LSTM(8, 16, batch_first=True)
        self.enforce_sorted, self.batch_first = enforce_sorted, batch_first

    def forward(self, ids, lengths):
        packed = pack_padded_sequence(self.embed(ids), lengths, batch_first=self.batch_first,
                                      enforce_sorted=self.enforce_sorted)
        out, _ = self.lstm(packed)
        return pad_packed_sequence(out, batch_first=True)[0]


@case("ch04 run_packed", "model", "pack_sorted")
def unsorted_lengths():
    model = Packed()
    model(torch.randint(1, 20, (3, 6)), torch.tensor([2, 6, 4]))


class SmallCNN(nn.Module):
    def __init__(self, side, channels=3, classes=10, pool=True, ceil_mode=False):
        super().__init__()
        layers = [nn.Conv2d(channels, 8, 3, padding=1), nn.ReLU()]
        if pool:
            layers.append(nn.MaxPool2d(2, ceil_mode=ceil_mode))
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(8 * side * side, classes)

    def forward(self, images):
        return self.head(self.features(images).flatten(1))


@case("ch05 SmallCNN", "cnn.head", "flatten_size", sizes=(6272, 1568))
def in_features_forgets_the_pool():
    cnn = SmallCNN(side=28)                                   # the pool halves 28 to 14
    cnn(torch.randn(2, 3, 28, 28))


def conv_out_len_wrong(length, kernel, stride=1, padding=0):
    return (length + padding - (kernel - 1) - 1) // stride + 1    # padding counted once


class FormulaCNN(nn.Module):
    def __init__(self, size=28):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, kernel_size=5, stride=2, padding=2)
        side = conv_out_len_wrong(size, 5, 2, 2)
        self.fc = nn.Linear(4 * side * side, 10)

    def forward(self, x):
        return self.fc(torch.relu(self.conv(x)).flatten(1))


@case("ch05 conv_out_len", "model.fc", "flatten_size", sizes=(676, 784))
def in_features_from_a_wrong_formula():
    model = FormulaCNN()
    model(torch.randn(2, 1, 28, 28))


@case("ch05 pool_out_len", "cnn.head", "flatten_size", sizes=(32, 72))
def pool_size_ignores_ceil_mode():
    cnn = SmallCNN(side=5 // 2, ceil_mode=True)               # floor: 2; ceil_mode gives 3
    cnn(torch.randn(2, 3, 5, 5))


class FlatScorer(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 3, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.scorer = nn.Linear(48, 5)

    def forward(self, x):
        return self.scorer(torch.flatten(self.pool(self.conv(x))))


@case("ch05 per_example_features", "model.scorer", "flatten_batch", sizes=(48, 96))
def flatten_without_start_dim():
    model = FlatScorer()
    model(torch.randn(2, 3, 8, 8))


class TextCNN(nn.Module):
    def __init__(self, emb=16, filters=8):
        super().__init__()
        self.conv = nn.Conv1d(emb, filters, kernel_size=3)

    def forward(self, x):                                     # (B, T, E)
        return self.conv(x).max(dim=2).values


@case("ch05 TextCNN", "text_cnn.conv", "conv1d_time_features", sizes=(16, 9))
def conv1d_over_features():
    text_cnn = TextCNN()
    text_cnn(torch.randn(2, 9, 16))


class PhotoClassifier(nn.Module):
    """Chapter 5's challenge as handed out: side = size // 4, photos reshaped, the batch flattened."""

    def __init__(self, channels, size, classes):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(channels, 8, 3, stride=2, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        side = size // 4
        self.head = nn.Linear(8 * side * side, classes)

    def forward(self, photos):                                # (B, size, size, C)
        B, H, W, C = photos.shape
        return self.head(torch.flatten(self.features(photos.reshape(B, C, H, W))))


@case("ch05 PhotoClassifier", "model.head", "flatten_batch", sizes=(392, 784))
def photo_classifier_with_three_bugs():
    model = PhotoClassifier(3, 28, 5)
    model(torch.rand(2, 28, 28, 3))                           # the example: 28 hides size // 4


@case("ch06 encode_batch", "tagger.lstm", "pack_batch_first")
def padded_batch_is_seq_first():
    tagger = Packed(enforce_sorted=False)
    ids = nn.utils.rnn.pad_sequence([torch.randint(1, 20, (n,)) for n in (7, 4, 2)])   # (T, B): no batch_first
    tagger(ids, torch.tensor([7, 4, 2]))


class Tagger(nn.Module):
    def __init__(self, words=30, tags=6, emb=8, hidden=16):
        super().__init__()
        self.embed = nn.Embedding(words, emb, padding_idx=0)
        self.lstm = nn.LSTM(emb, hidden, batch_first=True, bidirectional=True)
        self.out = nn.Linear(hidden, tags)

    def forward(self, ids):
        out, _ = self.lstm(self.embed(ids))
        return self.out(out)


@case("ch06 Tagger", "tagger.out", "linear_after_bidirectional", sizes=(16, 32))
def tagger_head_for_one_direction():
    tagger = Tagger()
    tagger(torch.randint(1, 30, (4, 7)))


@case("ch06 sentence_batch", "tagger.lstm", "pack_batch_first")
def sentence_without_batch_axis():
    tagger = Packed(enforce_sorted=False)
    ids = torch.tensor([3, 5, 7, 2])                          # (T,): no batch axis
    tagger(ids.unsqueeze(1), torch.tensor([4]))               # (T, 1) where (1, T) was meant


# -- mistakes people ask about -----------------------------------------------------------------

class Classic(nn.Module):
    """The (32x4096 and 512x10) question: in_features copied from a tutorial with other sizes."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Linear(512, 10)

    def forward(self, x):
        return self.classifier(self.features(x).view(x.size(0), -1))


@case("question", "model.classifier", "flatten_size", sizes=(512, 4096))
def tutorial_in_features():
    model = Classic()
    model(torch.randn(32, 3, 32, 32))


@case("question", "model.0", "channels_last", sizes=(3, 32))
def images_channels_last():
    model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU())
    model(torch.rand(4, 32, 32, 3))                           # (B, H, W, C) as an image library gives them


@case("question", "model.0", "conv_unbatched", sizes=(1, 16))
def gray_images_without_channel_axis():
    model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU())
    model(torch.rand(16, 28, 28))                             # (B, H, W): no channel axis


class Mnist(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3)
        self.fc = nn.Linear(4 * 26 * 26, 10)

    def forward(self, x):
        return self.fc(self.conv(x).flatten(1))


@case("question", "model.fc", "image_unbatched", sizes=(2704, 676))
def one_image_without_batch_axis():
    model = Mnist()
    model(torch.rand(1, 28, 28))                              # one image (C, H, W), no batch axis


@case("question", "model.lstm", "state_batch", sizes=(17, 32))
def state_for_a_full_batch_on_the_last_batch():
    model = Encoder(hidden=16)
    h0 = torch.zeros(1, 32, 16)                               # made once, for batch_size=32
    model(torch.randint(0, 50, (17, 5)), (h0, h0))            # the last batch has 17


@case("question", "model", "gru_pair")
def gru_given_lstm_state():
    model = nn.GRU(8, 16, batch_first=True)
    h0 = torch.zeros(1, 3, 16)
    model(torch.randn(3, 5, 8), (h0, h0))


class TokenScorer(nn.Module):
    def __init__(self, tags=5):
        super().__init__()
        self.embed = nn.Embedding(30, 8)
        self.lstm = nn.LSTM(8, 8, batch_first=True)
        self.out = nn.Linear(8, tags)

    def forward(self, ids):
        return self.out(self.lstm(self.embed(ids))[0])


@case("question", "cross_entropy", "ce_classes_last", sizes=((4, 5), (4, 7)))
def tagger_scores_into_cross_entropy():
    model = TokenScorer()
    scores = model(torch.randint(0, 30, (4, 7)))              # (B, T, C)
    F.cross_entropy(scores, torch.randint(0, 5, (4, 7)))


@case("question", "model", "ce_classes_last", sizes=((4, 5), (4, 7)))
def tagger_scores_into_loss_module():
    scores = TokenScorer()(torch.randint(0, 30, (4, 7)))
    model = nn.CrossEntropyLoss()
    model(scores, torch.randint(0, 5, (4, 7)))


@case("question", "cross_entropy", "ce_target_extra_axis")
def targets_with_extra_axis():
    F.cross_entropy(torch.randn(8, 5), torch.randint(0, 5, (8, 1)))


@case("question", "cross_entropy", "ce_target_dtype")
def float_class_targets():
    F.cross_entropy(torch.randn(8, 5), torch.randint(0, 5, (8,)).float())


@case("question", "cross_entropy", "ce_target_range", sizes=(5, 6))
def too_few_outputs_for_the_tags():
    F.cross_entropy(torch.randn(4, 5), torch.tensor([0, 1, 4, 5]))


@case("question", "binary_cross_entropy_with_logits", "loss_shapes")
def bce_logits_keep_their_axis():
    F.binary_cross_entropy_with_logits(torch.randn(8, 1), torch.rand(8))


@case("question", "model.bn", "batchnorm_features", sizes=(8, 16))
def batchnorm_after_a_changed_conv():
    model = nn.Sequential()
    model.add_module("conv", nn.Conv2d(3, 16, 3))
    model.add_module("bn", nn.BatchNorm2d(8))
    model(torch.randn(2, 3, 10, 10))


@case("question", "attention", "attention_width", sizes=(16, 12))
def attention_width_differs():
    attention = nn.MultiheadAttention(16, 2)
    q = torch.randn(5, 3, 12)
    attention(q, q, q)


class Squeezed(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.fc = nn.Linear(4 * 8 * 8, 10)

    def forward(self, x):
        return self.fc(self.conv(x).view(-1, 4 * 8 * 8))


@case("question", "cross_entropy", "batch_changed", sizes=(8, 2))
def view_guesses_the_batch():
    model = Squeezed()
    scores = model(torch.randn(8, 3, 4, 4))                   # 4 x 4 images: 8 * 64 values = 2 rows of 256
    F.cross_entropy(scores, torch.randint(0, 10, (8,)))


@case("question", "model", "pack_empty")
def empty_sentence_in_a_batch():
    model = Packed(enforce_sorted=False)
    model(torch.randint(1, 20, (3, 5)), torch.tensor([5, 0, 2]))


class Deep(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 4, 3), nn.MaxPool2d(2), nn.Conv2d(4, 8, 3), nn.MaxPool2d(2),
                                      nn.Conv2d(8, 8, 3))

    def forward(self, x):
        return self.features(x)


@case("question", "model.features.4", "conv_too_small")
def kernel_bigger_than_the_map():
    model = Deep()
    model(torch.randn(2, 1, 16, 16))


@case("question", "model.features.3", "pool_too_small")
def pooling_window_bigger_than_the_map():
    model = Deep()
    model.features[2] = nn.Conv2d(4, 8, 7)
    model(torch.randn(2, 1, 16, 16))


@case("question", "model.lstm", "rnn_input_dims", sizes=(3, 4))
def ids_with_a_trailing_axis():
    model = Encoder()
    model(torch.randint(0, 50, (4, 7, 1)))


@case("question", "model.embed", "embedding_negative")
def unknown_words_as_minus_one():
    model = Encoder()
    model(torch.tensor([[4, 9, -1]]))


class ConvThenLSTM(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(8, 32, 3, padding=1)
        self.lstm = nn.LSTM(32, 16, batch_first=True)

    def forward(self, x):                                     # (B, E, T), as the conv wants
        out, _ = self.lstm(self.conv(x))                      # (B, 32, T) given where (B, T, 32) is read
        return out


@case("question", "model.lstm", "rnn_axes_swapped", sizes=(32, 20))
def conv_features_not_moved_back():
    model = ConvThenLSTM()
    model(torch.randn(4, 8, 20))


class Stacked(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm1 = nn.LSTM(8, 16, batch_first=True, bidirectional=True)
        self.lstm2 = nn.LSTM(16, 16, batch_first=True)

    def forward(self, x):
        return self.lstm2(self.lstm1(x)[0])[0]


@case("question", "model.lstm2", "rnn_after_bidirectional", sizes=(16, 32))
def second_lstm_after_a_bidirectional_one():
    model = Stacked()
    model(torch.randn(3, 5, 8))


@case("question", "lstm", "state_batch_first", sizes=((2, 3, 16), (3, 2, 16)))
def state_laid_out_batch_first():
    lstm = nn.LSTM(8, 16, num_layers=2, batch_first=True)
    h0 = torch.zeros(3, 2, 16)                                # (B, layers, H)
    lstm(torch.randn(3, 5, 8), (h0, h0))


@case("question", "lstm", "state_unbatched")
def one_sentence_with_batched_state():
    lstm = nn.LSTM(8, 16)
    lstm(torch.randn(5, 8), (torch.zeros(1, 1, 16), torch.zeros(1, 1, 16)))


@case("question", "model.0", "linear_dtype")
def ids_into_a_linear_layer():
    model = nn.Sequential(nn.Linear(6, 4))
    model(torch.randint(0, 9, (3, 6)))


@case("question", "model.embed", "embedding_not_tensor")
def ids_as_a_python_list():
    model = Encoder()
    model.embed([3, 4, 5])


@case("question", "reshape", "view_per_example", sizes=(400, 256))
def flatten_with_the_wrong_spatial_size():
    maps = torch.randn(8, 16, 5, 5)
    maps.reshape(-1, 16 * 4 * 4)


@case("question", "mse_loss", "broadcast", sizes=(3, 7))
def regression_targets_of_another_length():
    F.mse_loss(torch.randn(8, 3), torch.randn(7))


class PackedFeaturesFirst(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(20, 8, padding_idx=0)
        self.lstm = nn.LSTM(8, 16, batch_first=True)

    def forward(self, ids, lengths):
        x = self.embed(ids).transpose(1, 2)                   # (B, E, T): made for a Conv1d, not moved back
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        return self.lstm(packed)


@case("ch04 packing_traps", "model.lstm", "packed_features", sizes=(8, 6))
def features_and_time_swapped_before_packing():
    model = PackedFeaturesFirst()
    model(torch.randint(1, 20, (3, 6)), torch.tensor([6, 2, 3]))


@case("ch05 float_sizes", "empty", "float_size")
def a_layer_sized_with_true_division():
    side = 28 / 4                                             # 7.0, a float
    nn.Linear(32 * side * side, 10)


@case("question", "model.1", "rnn_tuple_output")
def an_lstm_inside_nn_sequential():
    model = nn.Sequential(nn.LSTM(8, 16, batch_first=True), nn.Linear(16, 3))
    model(torch.randn(4, 7, 8))


class WholeResult(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(8, 16, batch_first=True)
        self.fc = nn.Linear(16, 3)

    def forward(self, x):
        return self.fc(self.gru(x))                           # the GRU's (output, h_n), handed on whole


@case("question", "model.fc", "rnn_tuple_output")
def a_recurrent_result_handed_on_whole():
    model = WholeResult()
    model(torch.randn(4, 7, 8))


@case("ch03 gru_demo", "gru", "gru_unpacked")
def a_gru_unpacked_as_an_lstm():
    gru = nn.GRU(8, 16, num_layers=2, bidirectional=True, batch_first=True)
    out, (h_n, c_n) = gru(torch.randn(4, 7, 8))               # h_n (4, B, H) unpacked along its 4 rows


@case("question", "lstm", "rnn_tuple_output")
def an_lstm_result_used_as_a_tensor():
    lstm = nn.LSTM(8, 16, batch_first=True)
    out = lstm(torch.randn(4, 7, 8))
    out.shape[1]                                              # out is (output, (h_n, c_n))


# -- more mistakes people ask about: each message had no rule until the doctor met it -----------

@case("question", "model.lstm", "rnn_given_ids")
def ids_straight_into_an_lstm():
    model = nn.Module()
    model.lstm = nn.LSTM(1, 16, batch_first=True)
    model.lstm(torch.randint(0, 50, (4, 7, 1)))               # ids, never embedded


class Sentences(torch.utils.data.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        return torch.randint(1, 50, (3 + i,))                 # sentences of 3 to 6 ids, unpadded


@case("question", "stack", "stack_unequal", sizes=((3,), (4,)))
def a_dataloader_of_unpadded_sentences():
    next(iter(torch.utils.data.DataLoader(Sentences(), batch_size=4)))


@case("question", "cat", "cat_sizes", sizes=(4, 16))
def both_directions_joined_on_the_wrong_axis():
    lstm = nn.LSTM(8, 16, bidirectional=True)
    _, (h_n, _) = lstm(torch.randn(7, 4, 8))                   # h_n (2, B=4, H=16)
    torch.cat([h_n[-2], h_n[-1].t()], dim=1)                  # one direction transposed: (4, 16) and (16, 4)


@case("question", "bmm", "bmm_inner", sizes=(16, 5))
def attention_scores_without_a_transpose():
    q, k = torch.randn(4, 5, 16), torch.randn(4, 5, 16)
    torch.bmm(q, k)                                           # q @ k, where q @ k.transpose(1, 2) is meant


@case("question", "cross_entropy", "ce_scores_1d", sizes=(1, 4))
def one_score_per_example_into_cross_entropy():
    scorer = nn.Linear(8, 1)
    F.cross_entropy(scorer(torch.randn(4, 8)).squeeze(-1), torch.tensor([1, 0, 1, 1]))


@case("question", "argmax", "squeeze_batch", sizes=(1, 1))
def a_batch_of_one_squeezed_away():
    model = nn.Linear(8, 3)
    model(torch.randn(1, 8).squeeze()).argmax(1)              # squeeze() took the batch axis too


@case("question", "model.layers.0.self_attn", "padding_mask_layout", sizes=((4, 9), (9, 4)))
def a_padding_mask_given_time_first():
    model = nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 2, dim_feedforward=32, batch_first=True), 1,
                                  enable_nested_tensor=False)
    ids = torch.randint(1, 50, (4, 9))
    model(torch.randn(4, 9, 16), src_key_padding_mask=(ids == 0).t())


class ConvThenNorm(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(8, 16, 3, padding=1)
        self.norm = nn.LayerNorm(16)

    def forward(self, x):                                     # x: (B, E, T)
        return self.norm(self.conv(x))                        # (B, 16, T): features on axis 1, not last


@case("question", "model.norm", "layernorm_axis", sizes=(16, 9))
def layernorm_after_a_conv1d():
    model = ConvThenNorm()
    model(torch.randn(4, 8, 9))


@case("question", "model.1", "norm_dims", sizes=(4, 3))
def one_image_through_batchnorm():
    model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8))
    model(torch.randn(3, 16, 16))                             # one image, no batch axis


@case("question", "model.2", "flatten_missing", sizes=(512, 8))
def a_linear_on_feature_maps_never_flattened():
    model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.MaxPool2d(2), nn.Linear(8 * 8 * 8, 10))
    model(torch.randn(4, 3, 16, 16))


@case("question", "cross_entropy", "ce_onehot_long")
def one_hot_targets_as_integers():
    scores = torch.randn(4, 3)
    F.cross_entropy(scores, F.one_hot(torch.tensor([0, 2, 1, 1]), 3))  # one-hot rows, int64


@case("question", "nll_loss", "ce_scores_1d", sizes=(1, 4))
def one_log_probability_per_example_into_nll_loss():
    F.nll_loss(torch.randn(4), torch.tensor([1, 0, 1, 1]))


# -- PyTorch's fast paths: with the doctor on, the error must be the one plain PyTorch gives ------

@case("question", "encoder.layers.0", "attn_mask_shape", sizes=((7, 7), (4, 4)))
def a_causal_mask_built_from_the_batch_size():
    """In eval mode under no_grad a TransformerEncoder takes its fast path, which checks the mask;
    off that path (as any TorchFunctionMode would put it) is_causal=True drops the mask unread."""
    encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 4, dim_feedforward=32, batch_first=True),
                                    2).eval()
    x = torch.randn(4, 7, 16)                                 # (B, T, E)
    mask = nn.Transformer.generate_square_subsequent_mask(x.size(0))   # (B, B): the batch, not time
    with torch.no_grad():
        encoder(x, mask=mask, is_causal=True)


@case("question", "attention", "attn_mask_shape", sizes=((8, 5, 5), (2, 5, 5)))
def a_three_d_mask_with_one_row_per_sentence():
    attention = nn.MultiheadAttention(16, 4, batch_first=True)
    x = torch.randn(2, 5, 16)                                 # (B, T, E)
    causal = torch.triu(torch.ones(5, 5, dtype=torch.bool), 1)
    attention(x, x, x, attn_mask=causal.expand(2, 5, 5))      # (B, T, T): wants (B * heads, T, T)


@case("question", "attention", "padding_mask_shape", sizes=((2, 6), (2, 5)))
def a_padding_mask_over_the_query_not_the_keys():
    attention = nn.MultiheadAttention(16, 4, batch_first=True)
    queries, memory = torch.randn(2, 5, 16), torch.randn(2, 6, 16)   # (B, L, E), (B, S, E)
    padding = torch.zeros(2, 5, dtype=torch.bool)             # (B, L): built from the queries
    attention(queries, memory, memory, key_padding_mask=padding)


# -- a batch that vanished upstream, operands the other way round, arguments swapped ------------

@case("question", "model.2", "flatten_batch", sizes=(288, 1152))
def flatten_module_from_axis_zero():
    model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.Flatten(0), nn.Linear(8 * 6 * 6, 10))   # start_dim=0: the batch too
    model(torch.randn(4, 3, 8, 8))


@case("question", "matmul", "matmul", sizes=(3, 8))
def weights_stored_out_by_in():
    x = torch.randn(4, 8)                                     # (B, in)
    w = torch.randn(3, 8)                                     # (out, in), as nn.Linear stores it
    x @ w                                                     # wants w.T


@case("question", "_pack_padded_sequence", "pack_arguments")
def packing_given_the_lengths_first():
    padded, lengths = torch.randn(2, 5, 8), torch.tensor([5, 3])
    pack_padded_sequence(lengths, padded, batch_first=True)


@case("question", "lstm", "rnn_tuple_output")
def lstm_result_indexed_as_a_tensor():
    lstm = nn.LSTM(8, 16, batch_first=True)
    result = lstm(torch.randn(4, 5, 8))
    result[:, -1]                                             # the (output, (h_n, c_n)) tuple


@case("question", "head", "linear_transposed", sizes=(16, 4))
def final_state_transposed_before_the_head():
    lstm, head = nn.LSTM(8, 16, batch_first=True), nn.Linear(16, 3)
    _, (h_n, _) = lstm(torch.randn(4, 5, 8))                  # h_n: (1, B, H)
    head(h_n.squeeze(0).t())                                  # (H, B): transposed once too often


# -- attention written by hand, batched products, einsum -----------------------------------------

@case("question", "scaled_dot_product_attention", "attn_mask_shape", sizes=((5, 6), (5, 5)))
def a_square_mask_for_keys_of_another_length():
    q, k, v = torch.randn(2, 4, 5, 8), torch.randn(2, 4, 6, 8), torch.randn(2, 4, 6, 8)   # (B, heads, L|S, E)
    F.scaled_dot_product_attention(q, k, v, attn_mask=torch.ones(5, 5, dtype=torch.bool))   # (L, L), not (L, S)


@case("question", "scaled_dot_product_attention", "sdpa_heads_axis", sizes=(4, 5))
def heads_split_without_the_transpose():
    B, T, heads, E = 2, 5, 4, 8
    x = torch.randn(B, T, heads * E)
    q = x.view(B, T, heads, E)                                # (B, T, heads, E): the transpose(1, 2) forgotten
    k = v = torch.randn(B, T + 1, heads * E).view(B, T + 1, heads, E).transpose(1, 2)   # (B, heads, S, E)
    F.scaled_dot_product_attention(q, k, v)


@case("question", "bmm", "bmm_batch", sizes=(3, 2))
def batched_products_of_two_batch_sizes():
    torch.bmm(torch.randn(3, 4, 5), torch.randn(2, 5, 6))     # 3 matrices against 2


@case("question", "bmm", "bmm_rank")
def bmm_on_two_matrices():
    torch.bmm(torch.randn(4, 5), torch.randn(5, 6))


@case("question", "einsum", "einsum_sizes", sizes=(4, 5))
def einsum_letters_in_another_order():
    torch.einsum("bij,bjk->bik", torch.randn(2, 3, 4), torch.randn(2, 5, 6))


@case("question", "attention", "padding_mask_shape", sizes=(2, 3))
def a_padding_mask_with_a_feature_axis():
    attention = nn.MultiheadAttention(16, 4, batch_first=True)
    x = torch.randn(2, 5, 16)
    attention(x, x, x, key_padding_mask=torch.zeros(2, 5, 1, dtype=torch.bool))   # (B, T, 1)


@case("question", "attention", "attention_rank", sizes=(3, 4))
def attention_given_a_stack_of_batches():
    attention = nn.MultiheadAttention(16, 4, batch_first=True)
    x = torch.randn(3, 2, 5, 16)                              # (chunks, B, T, E)
    attention(x, x, x)


# == everyday errors around the shapes: dtypes, reductions, ranks ====================================

@case("question", "model", "linear_dtype")
def numpy_float64_into_a_linear():
    model = nn.Linear(4, 2)
    features = torch.from_numpy(np.random.default_rng(0).random((3, 4)))   # float64, NumPy's default
    model(features)


@case("question", "backward", "loss_not_scalar")
def backward_of_an_unreduced_loss():
    model = nn.Linear(4, 3)
    loss = F.cross_entropy(model(torch.randn(5, 4)), torch.tensor([0, 1, 2, 1, 0]), reduction="none")   # (5,)
    loss.backward()


@case("question", "item", "item_not_scalar")
def item_of_a_batch_of_losses():
    model = nn.Linear(4, 2)
    loss = F.mse_loss(model(torch.randn(3, 4)), torch.randn(3, 2), reduction="none")   # (3, 2)
    loss.item()


@case("question", "__bool__", "loss_constructed_with_tensors")
def loss_class_given_the_tensors():
    model = nn.Linear(4, 2)
    nn.CrossEntropyLoss(model(torch.randn(3, 4)), torch.tensor([0, 1, 1]))     # built, not called


@case("question", "binary_cross_entropy", "bce_given_logits")
def bce_on_raw_scores():
    model = nn.Linear(4, 1)
    F.binary_cross_entropy(model(torch.randn(6, 4)) * 10, torch.rand(6, 1))       # no sigmoid


@case("question", "__getitem__", "index_rank", sizes=(3, 2))
def scores_indexed_as_if_they_had_a_time_axis():
    scores = nn.Linear(4, 5)(torch.randn(3, 4))              # (B, C): no time axis
    scores[:, -1, :]


@case("question", "cat", "cat_rank", sizes=(3, 2))
def features_joined_to_a_matrix_without_its_step_axis():
    steps, summary = torch.randn(2, 7, 8), torch.randn(2, 8)  # (B, T, H) and (B, H)
    torch.cat([steps, summary], dim=1)


@case("question", "mm", "mm_rank")
def mm_of_a_vector():
    torch.mm(torch.randn(8), torch.randn(8, 3))


@case("question", "expand", "expand_sizes", sizes=(5, 3))
def expand_of_an_axis_that_is_not_one():
    torch.randn(2, 3).expand(2, 5)


@case("question", "repeat", "repeat_rank")
def repeat_with_fewer_counts_than_axes():
    torch.randn(2, 3, 4).repeat(2, 1)


@case("question", "pool", "pool_dims", sizes=(3, 1))
def max_pool_over_a_feature_vector():
    pool = nn.MaxPool1d(2)
    pool(torch.randn(8))


# -- messages of more layers and torch functions, each named from what it reports -------------

@case("question", "", "groupnorm_groups", sizes=(4, 6))
def group_norm_with_groups_that_do_not_divide_the_channels():
    nn.GroupNorm(4, 6)


@case("question", "", "padding_idx_range")
def padding_id_past_the_table():
    nn.Embedding(5, 3, padding_idx=7)                         # the vocabulary has 8 tokens, <pad> last


@case("question", "bag", "embedding_bag_offsets", sizes=(4, 5))
def bag_offsets_given_as_ends():
    bag = nn.EmbeddingBag(10, 3)
    bag(torch.tensor([1, 2, 3, 4]), torch.tensor([0, 2, 5]))  # ends, not starts


@case("question", "one_hot", "one_hot_classes", sizes=(4, 6))
def one_hot_of_labels_numbered_from_one():
    F.one_hot(torch.tensor([1, 5, 2]), num_classes=4)


@case("question", "unflatten", "unflatten_sizes", sizes=(12, 10))
def unflatten_into_sizes_of_another_product():
    torch.randn(2, 12).unflatten(1, (5, 2))


@case("question", "split", "split_sizes", sizes=(12, 10))
def split_into_pieces_that_do_not_add_up():
    torch.randn(2, 12).split([5, 5], dim=1)


@case("question", "__getitem__", "mask_shape", sizes=(5, 4))
def mask_made_for_another_tensor():
    scores, lengths = torch.randn(4, 5), torch.tensor([4, 2, 3, 1])
    mask = torch.arange(4)[None, :] < lengths[:, None]        # (4, 4): built from the batch, not the steps
    scores[mask]


@case("question", "__setitem__", "index_put_shape", sizes=((2, 5), (3, 5)))
def rows_written_with_more_values_than_places():
    table = torch.zeros(4, 5)
    table[torch.tensor([0, 1])] = torch.ones(3, 5)


@case("question", "empty", "negative_size")
def linear_told_to_work_out_its_size():
    nn.Linear(10, -1)


@case("question", "topk", "topk_k", sizes=(3, 5))
def top_five_of_three_classes():
    torch.randn(2, 3).topk(5, dim=1)


@case("question", "dot", "dot_sizes", sizes=(3, 4))
def dot_of_vectors_of_two_lengths():
    torch.dot(torch.randn(3), torch.randn(4))


@case("question", "mv", "mv_sizes", sizes=(4, 3))
def matrix_times_a_vector_of_its_rows():
    torch.mv(torch.randn(3, 4), torch.randn(3))


@case("question", "permute", "permute_rank", sizes=(3, 2))
def permute_of_one_example_without_its_batch():
    torch.randn(7, 8).permute(1, 0, 2)


@case("question", "interpolate", "interpolate_rank", sizes=(2, 1))
def interpolate_a_batch_of_gray_images_without_their_channel():
    F.interpolate(torch.randn(2, 8, 8), size=(16, 16))


@case("question", "pad", "pad_length", sizes=(4, 6))
def pad_three_axes_of_a_matrix():
    F.pad(torch.randn(2, 3), (1, 1, 1, 1, 1, 1))


@case("question", "model.1", "pixel_shuffle_channels", sizes=(4, 6))
def pixel_shuffle_after_a_conv_with_the_channels_wanted():
    model = nn.Sequential(nn.Conv2d(3, 6, 3, padding=1), nn.PixelShuffle(2))
    model(torch.randn(1, 3, 4, 4))


@case("question", "model", "transformer_batch_first", sizes=(3, 5))
def batch_first_sentences_into_a_seq_first_transformer():
    model = nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=16)
    model(torch.randn(3, 5, 8), torch.randn(3, 4, 8))        # (B, S, E), (B, T, E)


@case("question", "ctc_loss", "ctc_input_lengths", sizes=(5, 12))
def ctc_lengths_counted_before_the_network_shortened_them():
    frames = torch.tensor([12, 10])                           # audio frames; a stride of 2 and another made 5 steps
    log_probs = torch.randn(5, 2, 4).log_softmax(2)           # (T, B, C)
    F.ctc_loss(log_probs, torch.tensor([[1, 2], [1, 3]]), frames, torch.tensor([2, 2]))


@case("question", "model.fc", "packed_into_layer")
def packed_output_into_a_linear():
    class Tagger(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm, self.fc = nn.LSTM(4, 6, batch_first=True), nn.Linear(6, 2)

        def forward(self, x, lengths):
            out, _ = self.lstm(pack_padded_sequence(x, lengths, batch_first=True))
            return self.fc(out)                               # out is packed
    model = Tagger()
    model(torch.randn(2, 3, 4), torch.tensor([3, 2]))


@case("question", "", "checkpoint_sizes", sizes=((3, 8), (10, 8)))
def checkpoint_of_a_model_with_more_classes():
    trained = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 10))
    nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)).load_state_dict(trained.state_dict())


@case("question", "stack", "join_of_nothing")
def stack_of_a_list_no_step_filled():
    outputs = [torch.randn(2, 3) for step in range(0)]        # a loop over a sequence of length 0
    torch.stack(outputs)


@case("question", "linear", "forward_arguments", sizes=(1, 2))
def state_handed_to_a_linear():
    out, state = nn.GRU(3, 4)(torch.randn(5, 2, 3))
    linear = nn.Linear(4, 2)
    linear(out, state)


@case("question", "model", "not_a_tensor")
def numpy_batch_into_a_conv():
    model = nn.Conv2d(1, 2, 3)
    model(np.zeros((1, 1, 5, 5), dtype=np.float32))


@case("question", "linear", "values_and_indices")
def max_over_time_into_a_linear():
    steps = torch.randn(3, 5, 4)                              # (B, T, H)
    linear = nn.Linear(4, 2)
    linear(steps.max(1))


@case("question", "model", "input_dtype")
def pixels_as_integers_into_a_conv():
    model = nn.Conv2d(1, 2, 3)
    model(torch.randint(0, 255, (1, 1, 5, 5)))


@case("question", "gather", "gather_index_rank", sizes=(2, 1))
def gather_one_score_per_row_with_a_flat_index():
    scores, picked = torch.randn(3, 4), torch.tensor([0, 3, 1])
    scores.gather(1, picked)


@case("question", "index_select", "index_select_vector")
def index_select_with_a_batch_of_ids():
    torch.randn(10, 4).index_select(0, torch.tensor([[0, 1], [2, 3]]))


@case("question", "pool", "adaptive_output_size")
def adaptive_pool_asked_for_three_sides():
    pool = nn.AdaptiveAvgPool2d((2, 2, 2))
    pool(torch.randn(1, 3, 8, 8))


@case("question", "linear", "squeeze_features", sizes=(1, 4))
def one_feature_column_squeezed_away():
    linear = nn.Linear(1, 3)
    linear(torch.randn(4, 1, 1).squeeze())


@case("question", "model", "pack_lengths_too_long", sizes=(4, 6))
def packed_with_the_lengths_before_truncating():
    embed, model = nn.Embedding(30, 5), nn.LSTM(5, 4, batch_first=True)
    ids = torch.randint(1, 30, (3, 6), generator=torch.Generator().manual_seed(0))[:, :4]   # cut to 4 words
    lengths = torch.tensor([6, 3, 4])                         # counted before the cut
    model(pack_padded_sequence(embed(ids), lengths, batch_first=True, enforce_sorted=False))
