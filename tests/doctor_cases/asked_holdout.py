"""A hold-out catalogue: shape mistakes reconstructed from public questions that the doctor's rules were NOT
written against (each case cites its thread). It measures the doctor at first sight.

Each case keeps the poster's layer types, the sizes that matter (scaled down where they were large), their
argument names and their call order; the code and the sentences are written afresh. ``truth`` says what the
thread found the cause to be (or, where the thread left it open, what running the reconstruction shows).

Cause ids and finding kinds marked ``# new cause`` / ``# new kind`` were not known to the doctor when the
batch was first run: they named what the real cause is, so that the catalogue said what the doctor should
learn. It has learnt them since; the first-sight scores are in the README.
"""
import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from . import Asked, drawn_ids as _ids

_asked = Asked()
CASES, SILENT, CORRECT = _asked.raising, _asked.silent_cases, _asked.correct_models
raises, silent, correct = _asked.raises, _asked.silent, _asked.correct


# == recurrent layers =============================================================================

class BiLSTMTagger(nn.Module):
    """The libtorch model: LSTMOptions(emb_size, hidd_size).bidirectional(true), states made by hand."""

    def __init__(self, vocab=50, emb_size=8, hidd_size=100):
        super().__init__()
        self.hidd_size = hidd_size
        self.embedding = nn.Embedding(vocab, emb_size)
        self.lstm = nn.LSTM(emb_size, hidd_size, bidirectional=True)

    def forward(self, words):                                 # (T, B)
        batch = words.size(1)
        h0 = torch.zeros(1, batch, self.hidd_size)            # one row: sized as for a one-direction LSTM
        c0 = torch.zeros(1, batch, self.hidd_size)
        out, _ = self.lstm(self.embedding(words), (h0, c0))
        return out


@raises("https://github.com/pytorch/pytorch/issues/22739", "model.lstm", "state_rows", sizes=(2, 1),
        truth="The LSTM was made bidirectional but its initial states were built with one row, as for a single "
              "direction; they need num_layers * 2 rows (the maintainers sent the poster to the forum, and running "
              "it gives 'Expected ... [2, 10, 100], got [1, 10, 100]').")
def bidirectional_lstm_given_states_for_one_direction():
    model = BiLSTMTagger()
    model(_ids((5, 10), 50))                                  # (T, B) with a batch of 10


class EncoderRNN(nn.Module):
    """self-attention-classification's encoder: a batch-first BiLSTM, packed without batch_first."""

    def __init__(self, emb_dim=8, h_dim=6, v_size=30, batch_first=True):
        super().__init__()
        self.h_dim = h_dim
        self.embed = nn.Embedding(v_size, emb_dim)
        self.lstm = nn.LSTM(emb_dim, h_dim, batch_first=batch_first, bidirectional=True)

    def init_hidden(self, b_size):
        return torch.zeros(2, b_size, self.h_dim), torch.zeros(2, b_size, self.h_dim)

    def forward(self, sentence, lengths=None):                # (B, T), torchtext batch_first=True
        hidden = self.init_hidden(sentence.size(0))
        emb = self.embed(sentence)                            # (B, T, E)
        packed_emb = emb
        if lengths is not None:
            lengths = lengths.view(-1).tolist()
            packed_emb = pack_padded_sequence(emb, lengths)   # batch_first left at False: reads (T, B, E)
        out, hidden = self.lstm(packed_emb, hidden)
        if lengths is not None:
            out = pad_packed_sequence(out, batch_first=True)[0]
        return out[:, :, :self.h_dim] + out[:, :, self.h_dim:]


@raises("https://github.com/nn116003/self-attention-classification/issues/1", "encoder", "pack_batch_first",
        sizes=(4, 7),
        truth="The embeddings are batch-first (the LSTM and the torchtext field both say batch_first=True) but "
              "pack_padded_sequence was called without batch_first=True, so it reads the 7 time steps as the "
              "batch; the question went unanswered, and passing the lengths shows the mismatch.")
def batch_first_embeddings_packed_as_time_first():
    encoder = EncoderRNN()
    x = _ids((4, 7), 30, low=1)                               # (batch, seq): 4 reviews of up to 7 words
    x_l = torch.tensor([7, 6, 4, 3])                          # include_lengths=True, longest first
    encoder(x, x_l)


class BatchedAttnDecoder(nn.Module):
    """practical-pytorch's BahdanauAttnDecoderRNN, run on a batch (the notebook says TODO: FIX BATCHING)."""

    def __init__(self, hidden_size=16, output_size=30, n_layers=1, dropout_p=0.1):
        super().__init__()
        self.embedding = nn.Embedding(output_size, hidden_size)
        self.dropout = nn.Dropout(dropout_p)
        self.gru = nn.GRU(hidden_size * 2, hidden_size, n_layers)
        self.out = nn.Linear(hidden_size * 2, output_size)

    def forward(self, word_input, last_hidden, encoder_outputs):   # (B,), (1, B, H), (S, B, H)
        word_embedded = self.embedding(word_input).view(1, 1, -1)  # meant S=1 x B x N; gives (1, 1, B * N)
        word_embedded = self.dropout(word_embedded)
        states = encoder_outputs.transpose(0, 1)                   # (B, S, H)
        attn_energies = torch.bmm(states, last_hidden[-1].unsqueeze(2)).squeeze(2)    # (B, S)
        attn_weights = F.softmax(attn_energies, dim=1).unsqueeze(1)                   # (B, 1, S)
        context = attn_weights.bmm(states).transpose(0, 1)         # (1, B, H)
        rnn_input = torch.cat((word_embedded, context), 2)
        output, hidden = self.gru(rnn_input, last_hidden)
        output = F.log_softmax(self.out(torch.cat((output.squeeze(0), context.squeeze(0)), 1)), dim=1)
        return output, hidden, attn_weights


@raises("https://github.com/spro/practical-pytorch/issues/136", "decoder", "flatten_batch cat_folded", sizes=(1, 4),
        truth="embedding(word_input).view(1, 1, -1) is written for one word at a time; with a batch of words it "
              "folds the whole batch into one feature vector, so it cannot be joined to the (1, B, N) context; "
              "the issue says it must be view(1, word_input.size(0), -1).")
def batched_decoder_input_viewed_as_one_word():
    decoder = BatchedAttnDecoder()
    encoder_outputs = torch.randn(6, 4, 16)                   # (S, B, H)
    decoder(_ids((4,), 30), torch.randn(1, 4, 16), encoder_outputs)


class Attn(nn.Module):
    def __init__(self, method, hidden_size):
        super().__init__()
        self.method = method
        self.attn = nn.Linear(hidden_size, hidden_size)

    def forward(self, hidden, encoder_outputs):               # (1, H), (S, 1, H)
        seq_len = len(encoder_outputs)
        attn_energies = torch.zeros(seq_len)
        for i in range(seq_len):
            attn_energies[i] = self.score(hidden, encoder_outputs[i])
        return F.softmax(attn_energies, dim=0).unsqueeze(0).unsqueeze(0)

    def score(self, hidden, encoder_output):                  # (1, H), (1, H)
        energy = self.attn(encoder_output)
        return hidden.dot(energy)                             # written when dot flattened its operands


class AttnDecoderRNN(nn.Module):
    def __init__(self, hidden_size=16, output_size=30):
        super().__init__()
        self.embedding = nn.Embedding(output_size, hidden_size)
        self.gru = nn.GRU(hidden_size * 2, hidden_size)
        self.out = nn.Linear(hidden_size * 2, output_size)
        self.attn = Attn("general", hidden_size)

    def forward(self, word_input, last_context, last_hidden, encoder_outputs):
        word_embedded = self.embedding(word_input).view(1, 1, -1)            # (1, 1, H): one word
        rnn_input = torch.cat((word_embedded, last_context.unsqueeze(0)), 2)
        rnn_output, hidden = self.gru(rnn_input, last_hidden)
        attn_weights = self.attn(rnn_output.squeeze(0), encoder_outputs)    # (1, H) and (S, 1, H)
        context = attn_weights.bmm(encoder_outputs.transpose(0, 1))
        output = F.log_softmax(self.out(torch.cat((rnn_output.squeeze(0), context.squeeze(1)), 1)), dim=1)
        return output, context.squeeze(1), hidden, attn_weights


@raises("https://github.com/spro/practical-pytorch/issues/51", "decoder.attn", "dot_needs_vectors",   # new cause
        truth="The attention score calls hidden.dot(energy) on two (1, H) rows; from PyTorch 0.2 on, dot takes "
              "only 1-D vectors, so the rows must be flattened (or the score computed with a sum of products / mm).")
def attention_score_dot_of_two_rows():
    decoder = AttnDecoderRNN()
    encoder_outputs = torch.randn(5, 1, 16)                   # (S, 1, H): one sentence
    decoder(torch.tensor([1]), torch.zeros(1, 16), torch.zeros(1, 1, 16), encoder_outputs)


# == embeddings ===================================================================================

def batch_unique_consecutive(ids, pad_value):
    """audiolm's helper: drop repeated consecutive ids per row, then pad the rows back to one length."""
    rows = [torch.unique_consecutive(row) for row in ids]
    return nn.utils.rnn.pad_sequence(rows, batch_first=True, padding_value=pad_value)


class SemanticTransformer(nn.Module):
    def __init__(self, num_semantic_tokens=20, dim=16, pad_id=-1):
        super().__init__()
        self.pad_id = pad_id
        self.eos_id = num_semantic_tokens
        self.semantic_embedding = nn.Embedding(num_semantic_tokens + 1, dim)     # the tokens and eos
        self.to_logits = nn.Linear(dim, num_semantic_tokens + 1)

    def forward(self, ids):                                   # (B, T)
        ids = batch_unique_consecutive(ids, pad_value=self.pad_id)
        return self.to_logits(self.semantic_embedding(ids))


@raises("https://github.com/lucidrains/audiolm-pytorch/issues/18", "model.semantic_embedding",
        "embedding_negative",
        truth="With a batch larger than one the rows are padded with pad_id, which defaults to -1, but the "
              "embedding has rows only for the semantic tokens and eos, so -1 is out of range; the pad id must be "
              "an id the table has (the maintainer changed how padding is handled).")
def default_pad_id_minus_one_looked_up():
    model = SemanticTransformer()
    ids = torch.tensor([[3, 3, 5, 7, 7, 2], [4, 6, 6, 6, 6, 1]])  # the second row has fewer unique runs
    model(ids)


class GPTModel(nn.Module):
    """LLMs-from-scratch's GPT, cut to its embeddings and head; context_length scaled from 1024 to 16."""

    def __init__(self, vocab_size=60, context_length=16, emb_dim=8, num_classes=2):
        super().__init__()
        self.tok_emb = nn.Embedding(vocab_size, emb_dim)
        self.pos_emb = nn.Embedding(context_length, emb_dim)
        self.final_norm = nn.LayerNorm(emb_dim)
        self.out_head = nn.Linear(emb_dim, num_classes)

    def forward(self, in_idx):                                # (B, T)
        batch_size, seq_len = in_idx.shape
        tok_embeds = self.tok_emb(in_idx)
        pos_embeds = self.pos_emb(torch.arange(seq_len, device=in_idx.device))
        return self.out_head(self.final_norm(tok_embeds + pos_embeds))


@raises("https://github.com/rasbt/LLMs-from-scratch/issues/175", "model.pos_emb", "position_table_short",
        sizes=(16, 40),
        truth="The classification data were padded to the longest text, 9599 tokens, but the GPT's position "
              "embedding has context_length = 1024 rows; the texts must be truncated to the context length.")
def texts_padded_past_the_context_length():
    model = GPTModel()
    input_batch = _ids((2, 40), 60)                           # the poster's (8, 9599)
    model(input_batch)[:, -1, :]


# == convolutions =================================================================================

class AudioEncoder(nn.Module):
    """zeta's AudioEncoder with the MFCC already computed: (batch, n_mfcc=40, time)."""

    def __init__(self, n_mfcc=40):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv1d(n_mfcc, 64, 3, padding=1), nn.ReLU(), nn.Conv1d(64, 32, 3, padding=1))

    def forward(self, mfcc):                                  # (B, 40, T)
        mfcc = mfcc.transpose(1, 2)                           # (B, T, 40): moves the coefficients off axis 1
        return self.conv(mfcc)


@raises("https://github.com/kyegomez/zeta/issues/406", "encoder.conv.0", "conv1d_time_features conv_channels",
        sizes=(40, 81),
        truth="The MFCC transform already gives (batch, 40, time), the layout Conv1d(40, ...) reads; the "
              "transpose(1, 2) before the convolutions puts time on axis 1, so the layer sees 81 'channels'; "
              "dropping the transpose fixes it.")
def mfcc_transposed_before_conv1d():
    encoder = AudioEncoder()
    encoder(torch.randn(1, 40, 81))


class QNet(nn.Module):
    """The adversarial autoencoder's encoder: the DCGAN helper ported to 1-D by renaming the layers only."""

    def __init__(self, conv_dim=8):
        super().__init__()

        def conv(c_in, c_out, k_size, stride=2, pad=1):
            return nn.Sequential(nn.Conv1d(c_in, c_out, k_size, (stride, 1), pad, (0, 0)))

        self.conv1 = conv(2, conv_dim, 4)
        self.conv2 = conv(conv_dim, conv_dim * 2, 4)

    def forward(self, x):                                     # (B, 2, T)
        return self.conv2(F.leaky_relu(self.conv1(x), 0.05))


@raises("https://github.com/pytorch/pytorch/issues/1680", "model.conv1.0", "conv_args_2d",   # new cause
        truth="The layers were copied from a 2-D DCGAN and only renamed to Conv1d, so stride (2, 1) and dilation "
              "(0, 0) are still pairs; a 1-D convolution takes one number for each (stride=2, dilation=1).")
def conv2d_arguments_left_on_conv1d():
    model = QNet()
    model(torch.randn(4, 2, 32))


class TinyResNet(nn.Module):
    """The distiller's teacher: a ResNet stem built for RGB images."""

    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(8, num_classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


@raises("https://github.com/lucidrains/vit-pytorch/issues/54", "teacher.conv1", "conv_channels", sizes=(3, 1),
        truth="The dataset is grayscale, one channel, while the ResNet teacher's first convolution expects 3; the "
              "maintainer advised expanding the images to three channels (or training a 1-channel model).")
def grayscale_batch_into_an_rgb_teacher():
    teacher = TinyResNet()
    img = torch.randn(4, 1, 32, 32)                           # (B, 1, H, W)
    teacher(img)


# == pooling ======================================================================================

class InceptionResnetV2Stub(nn.Module):
    """The network's end: strided stages, then AvgPool2d(8) sized for the 8 x 8 maps of 299 x 299 images."""

    def __init__(self, width=8):
        super().__init__()
        layers, c = [], 3
        for _ in range(5):                                    # halve the side five times
            layers += [nn.Conv2d(c, width, 3, 2, 1), nn.ReLU()]
            c = width
        self.features = nn.Sequential(*layers)
        self.avgpool_1a = nn.AvgPool2d(8, count_include_pad=False)
        self.last_linear = nn.Linear(width, 16)

    def forward(self, x):
        x = self.avgpool_1a(self.features(x))
        return self.last_linear(x.view(x.size(0), -1))


@raises("https://github.com/tamerthamoqa/facenet-pytorch-glint360k/issues/6", "model.avgpool_1a",
        "pool_too_small", sizes=((8, 8), (5, 5)),
        truth="The face crops were smaller than the 299 x 299 the network was built for, so the last map is "
              "5 x 5 and the fixed 8 x 8 average pooling does not fit; set the kernel to the map size or use "
              "adaptive pooling (both suggested in the thread).")
def face_crops_smaller_than_the_final_pool():
    model = InceptionResnetV2Stub()
    model(torch.randn(2, 3, 160, 160))                        # 160 -> 80 -> 40 -> 20 -> 10 -> 5


class DoubleConv(nn.Sequential):
    def __init__(self, c_in, c_out):
        super().__init__(nn.Conv2d(c_in, c_out, 3, padding=1), nn.ReLU(inplace=True),
                         nn.Conv2d(c_out, c_out, 3, padding=1), nn.ReLU(inplace=True))


class Down(nn.Module):
    def __init__(self, c_in, c_out):
        super().__init__()
        self.maxpool_conv = nn.Sequential(nn.MaxPool2d(2), DoubleConv(c_in, c_out))

    def forward(self, x):
        return self.maxpool_conv(x)


class UNetDownPath(nn.Module):
    def __init__(self, n_channels=1, base=4):
        super().__init__()
        self.inc = DoubleConv(n_channels, base)
        self.down1 = Down(base, base * 2)
        self.down2 = Down(base * 2, base * 4)
        self.down3 = Down(base * 4, base * 8)
        self.down4 = Down(base * 8, base * 8)

    def forward(self, x):
        x1 = self.inc(x)
        x2 = self.down1(x1)
        x3 = self.down2(x2)
        x4 = self.down3(x3)
        return self.down4(x4)


@raises("https://github.com/milesial/Pytorch-UNet/issues/134", "model.down4.maxpool_conv.0", "pool_too_small",
        sizes=((2, 2), (4, 1)),
        truth="Some grayscale images in the dataset were very narrow; after three halvings the map is 4 x 1 and "
              "the fourth 2 x 2 max pooling has no column to pool; the maintainer said images small in width or "
              "height do not suit the network.")
def narrow_image_through_four_poolings():
    model = UNetDownPath()
    model(torch.randn(1, 1, 32, 8))                           # 8 wide: 8 -> 4 -> 2 -> 1


# == flatten and linear ===========================================================================

class IResNetStub(nn.Module):
    """MagFace's iresnet: stride-2 stages to a 7 x 7 map for 112 x 112 faces, then fc sized 512 * 7 * 7."""

    fc_scale = 7 * 7

    def __init__(self, width=8, num_features=16):
        super().__init__()
        self.layers = nn.Sequential(nn.Conv2d(3, width, 3, 2, 1), nn.PReLU(width),
                                    nn.Conv2d(width, width, 3, 2, 1), nn.PReLU(width),
                                    nn.Conv2d(width, width, 3, 2, 1))
        self.bn2 = nn.BatchNorm2d(width)
        self.dropout = nn.Dropout(0.4)
        self.fc = nn.Linear(width * self.fc_scale, num_features)
        self.features = nn.BatchNorm1d(num_features)

    def forward(self, x):
        x = self.bn2(self.layers(x))
        x = self.dropout(torch.flatten(x, 1))
        return self.features(self.fc(x))


@raises("https://github.com/IrvingMeng/MagFace/issues/71", "model.fc", "flatten_size linear_in_features",
        sizes=(392, 2888),
        truth="The face images were not resized to 112 x 112, so the last map is larger than 7 x 7 and the "
              "flattened features do not fit the fc sized 512 * 7 * 7; the answer was to resize the images first.")
def face_images_not_resized_to_the_training_size():
    model = IResNetStub()
    model(torch.rand(2, 3, 152, 152))                         # scaled: 56 x 56 is this stub's 112 x 112


class AttentionGeneration(nn.Module):
    """PSANet's point-wise attention: one output channel per position of the map it was sized for."""

    def __init__(self, in_channels, reduced_channels, out_channels):
        super().__init__()
        self.conv_reduce = nn.Sequential(nn.Conv2d(in_channels, reduced_channels, 1), nn.ReLU())
        self.attention = nn.Sequential(nn.Conv2d(reduced_channels, reduced_channels, 1), nn.ReLU(),
                                       nn.Conv2d(reduced_channels, out_channels, 1, bias=False))
        self.reduced_channels = reduced_channels

    def forward(self, x):
        reduce_x = self.conv_reduce(x)
        attention = self.attention(reduce_x)
        n, c, h, w = attention.size()
        attention = attention.view(n, c, -1)                  # (n, positions it was built for, h * w)
        reduce_x = reduce_x.view(n, self.reduced_channels, -1)
        fm = torch.bmm(reduce_x, torch.softmax(attention, dim=1))
        return fm.view(n, self.reduced_channels, h, w)


class PointwiseSpatialAttention(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.collect_attention = AttentionGeneration(in_channels, 8, out_channels)
        self.distribute_attention = AttentionGeneration(in_channels, 8, out_channels)

    def forward(self, x):
        return torch.cat([self.collect_attention(x), self.distribute_attention(x)], dim=1)


class PSAHead(nn.Module):
    def __init__(self, nclass, crop_size=64):
        super().__init__()
        self.psa = PointwiseSpatialAttention(16, (crop_size // 8) ** 2)    # psa_out_channels = (crop // 8) ** 2
        self.project = nn.Conv2d(16 + 16, nclass, 1)

    def forward(self, x):
        return self.project(torch.cat([x, self.psa(x)], dim=1))


class PSANet(nn.Module):
    def __init__(self, nclass=5):
        super().__init__()
        self.backbone = nn.Sequential(nn.Conv2d(3, 16, 8, 8), nn.ReLU())    # output stride 8
        self.head = PSAHead(nclass)

    def forward(self, x):
        size = x.shape[2:]
        return F.interpolate(self.head(self.backbone(x)), size, mode="bilinear", align_corners=True)


@raises("https://github.com/Tramac/awesome-semantic-segmentation-pytorch/issues/71",
        "model.head.psa.collect_attention", "built_for_crop_size",   # new cause
        sizes=(64, 36),
        truth="The attention branch has (crop_size // 8) ** 2 output channels, one per position of the map of a "
              "480 x 480 crop, so torch.bmm only lines up when the input is that size; a commenter solved it by "
              "feeding 480 x 480 images.")
def psanet_attention_sized_for_another_crop():
    model = PSANet()
    model(torch.randn(2, 3, 48, 48))                          # built for 64 x 64 crops (the repo's 480)


# == losses =======================================================================================

class TextGenLSTM(nn.Module):
    def __init__(self, vocab=50, emb=8, hidden=16):
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb)
        self.lstm = nn.LSTM(emb, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, vocab)

    def forward(self, x, hc):                                 # (B, T)
        out, (sh, sc) = self.lstm(self.embedding(x), hc)
        return self.fc(out), (sh, sc)                         # (B, T, vocab)


@raises("https://github.com/markhliu/DGAI/issues/7", "loss_func", "ce_classes_last", sizes=((4, 50), (4, 7)),
        truth="The word predictions are (batch, steps, vocabulary) and CrossEntropyLoss reads classes from axis 1, "
              "so without output.transpose(1, 2) it takes the steps as classes and the vocabulary as positions, "
              "asking for targets (batch, vocabulary); the book's transpose(1, 2) gives (B, V, T) against (B, T).")
def word_scores_classes_last_into_cross_entropy():
    model = TextGenLSTM()
    inputs, targets = _ids((4, 7), 50), _ids((4, 7), 50, seed=1)
    sh, sc = torch.zeros(1, 4, 16), torch.zeros(1, 4, 16)
    output, (sh, sc) = model(inputs, (sh, sc))
    loss_func = nn.CrossEntropyLoss()
    loss_func(output, targets)                                # the notebook: output.transpose(1, 2)


@raises("https://github.com/deepset-ai/FARM/issues/100", "loss_fct", "ce_onehot_long", sizes=(32, 8),
        truth="For single-label classification with 4 classes the labels reached the head one-hot, (8, 4), as the "
              "poster's pdb dump shows; label_ids.view(-1) then makes 32 targets for 8 rows of logits, where "
              "CrossEntropyLoss needs one class index per example.")
def one_hot_labels_flattened_for_cross_entropy():
    feed_forward = nn.Linear(16, 4)                           # TextClassificationHead, 4 classes
    logits = feed_forward(torch.randn(8, 16))                 # batch_size=8
    label_ids = F.one_hot(_ids((8,), 4), 4)                   # (8, 4) long
    loss_fct = nn.CrossEntropyLoss(reduction="none")
    loss_fct(logits, label_ids.view(-1))


class MSCStub(nn.Module):
    """deeplab-pytorch's MSC wrapper: in training a list of logits, one per scale; in eval one tensor."""

    def __init__(self, n_classes=6):
        super().__init__()
        self.base = nn.Conv2d(3, n_classes, 3, 4, 1)

    def forward(self, x):
        logits = self.base(x)
        if self.training:
            return [logits, self.base(F.interpolate(x, scale_factor=0.75)), logits]
        return logits                                          # (B, C, H, W)


@raises("https://github.com/kazuto1011/deeplab-pytorch/issues/64", "criterion", "tensor_iterated_as_list",  # new cause
        sizes=(2, 6),
        truth="The training loop iterates over the model's output expecting a list of per-scale logits; with the "
              "MSC wrapper removed (or in eval mode) the output is one (B, C, H, W) tensor, so each 'logit' is one "
              "example's (C, H, W) and is read as a batch of C; the maintainer pointed to exactly this.")
def multiscale_loop_over_a_single_logit_tensor():
    model = MSCStub()
    model.eval()                                              # the poster's change: no multi-scale list
    images, labels = torch.randn(2, 3, 36, 36), _ids((2, 9, 9), 6)
    criterion = nn.CrossEntropyLoss(ignore_index=255)
    logits = model(images)
    iter_loss = 0
    for logit in logits:                                      # meant: one logit tensor per scale
        iter_loss += criterion(logit, labels)


def getTargetSegmentation(batch):
    """The repo's helper: gray levels to class ids, then squeeze() (which also drops a batch of one)."""
    denom = 0.24705882
    return (batch / denom).round().long().squeeze()


@raises("https://github.com/sinAshish/Multi-Scale-Attention/issues/16", "CE_loss", "squeeze_batch", sizes=(1, 16),
        truth="With batch_size 1 the label batch (1, 1, H, W) is squeezed to (H, W), losing its batch axis, so "
              "CrossEntropyLoss reads H as the batch; the maintainers said batch size 1 is the problem and a batch "
              "above 1 trains.")
def batch_of_one_label_squeezed_flat():
    net = nn.Conv2d(1, 5, 3, padding=1)                       # stands in for the 5-class network
    image = torch.randn(1, 1, 16, 16)
    labels = torch.randint(0, 5, (1, 1, 16, 16), generator=torch.Generator().manual_seed(0)) * 0.24705882
    outputs0 = net(image)                                     # (1, 5, H, W)
    Segmentation_class = getTargetSegmentation(labels)        # (H, W)
    CE_loss = nn.CrossEntropyLoss()
    CE_loss(outputs0, Segmentation_class)


class CSRNetStub(nn.Module):
    """A counting network: VGG-style frontend with three poolings, so the density map is 1/8 of the image."""

    def __init__(self):
        super().__init__()
        layers, c = [], 3
        for width in (8, 16, 16):
            layers += [nn.Conv2d(c, width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
            c = width
        self.frontend = nn.Sequential(*layers)
        self.output_layer = nn.Conv2d(c, 1, 1)

    def forward(self, x):
        return self.output_layer(self.frontend(x))


@raises("https://github.com/maheshkkumar/fscc/issues/5", "criterion", "output_downsampled",   # new cause
        sizes=(64, 8),
        truth="The predicted density map is 1/8 of the image (three poolings) while the ground-truth density was "
              "kept at full resolution, so the MSE loss cannot pair them; the maintainer said to bring the two to "
              "one size (upsample the prediction, or downsample the ground truth).")
def density_map_at_an_eighth_against_full_ground_truth():
    model = CSRNetStub()
    img, target = torch.rand(1, 3, 64, 64), torch.rand(1, 1, 64, 64)
    output = model(img)                                       # (1, 1, 8, 8)
    criterion = nn.MSELoss(reduction="sum")
    criterion(output, target)


class TextLSTM(nn.Module):
    def __init__(self, vocab=40, emb=8, hidden=16):
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb)
        self.lstm = nn.LSTM(emb, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, 1)

    def forward(self, x):                                     # (B, T)
        out, _ = self.lstm(self.embedding(x))
        return torch.sigmoid(self.fc(out[:, -1, :]))          # (B, 1)


@raises("https://github.com/FernandoLpz/Text-Classification-LSTMs-PyTorch/issues/9", "binary_cross_entropy",
        "loss_shapes", sizes=((8, 1), (8,)),
        truth="The classifier returns one probability per text as a (B, 1) column and the labels are a (B,) row; "
              "binary cross-entropy wants the two shapes equal, and a commenter fixed it with y.unsqueeze(1) "
              "(squeezing the predictions with .detach() broke the gradient instead).")
def probabilities_column_against_label_row():
    model = TextLSTM()
    x, y = _ids((8, 12), 40), torch.randint(0, 2, (8,), generator=torch.Generator().manual_seed(1)).float()
    y_pred = model(x)
    F.binary_cross_entropy(y_pred, y)


# == batches =====================================================================================

class CaptchaDataset(torch.utils.data.Dataset):
    """Captcha images and their encoded characters; some captchas have 7 characters, some 6."""

    texts = ["x4bq7mn", "8f2kd1", "p9wz3hc", "gt6yv2"]

    def __len__(self):
        return len(self.texts)

    def __getitem__(self, i):
        text = self.texts[i]
        return {"images": torch.rand(3, 12, 40), "targets": torch.tensor([ord(ch) % 36 + 1 for ch in text])}


@raises("https://github.com/abhishekkrthakur/captcha-recognition-pytorch/issues/1", "stack", "stack_unequal",
        sizes=((7,), (6,)),
        truth="The captchas in the poster's dataset have texts of different lengths, so the label tensors cannot "
              "be stacked into one batch; a commenter answered that the labels must have one length (pad them).")
def captcha_labels_of_different_lengths():
    loader = torch.utils.data.DataLoader(CaptchaDataset(), batch_size=4)
    next(iter(loader))


# == silent ======================================================================================

class PackedTagger(nn.Module):
    def __init__(self, input_size=30, hidden=12, n_tags=5):
        super().__init__()
        self.lstm = nn.LSTM(input_size, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, n_tags)

    def forward(self, x):                                     # (B, T, C), every sequence of full length here
        lens = [x.size(1)] * x.size(0)
        packed = pack_padded_sequence(x, lens, batch_first=True)
        packed_h, _ = self.lstm(packed)
        h, _ = pad_packed_sequence(packed_h)                  # batch_first forgotten: (T, B, H)
        return self.fc(h)


@silent("https://github.com/pytorch/pytorch/issues/1176", "model", "unpacked_layout",
        truth="The batch was packed with batch_first=True but unpacked without it, so pad_packed_sequence returns "
              "(T, B, H) where (B, T, H) is expected; a maintainer answered that pad_packed_sequence(..., "
              "batch_first=True) does it.")
def unpacked_without_batch_first():
    return dict(model=PackedTagger(), example_input=torch.randn(3, 6, 30))


class AutoregressiveWrapper(nn.Module):
    def __init__(self, num_tokens=20, dim=16):
        super().__init__()
        self.emb = nn.Embedding(num_tokens, dim)
        self.to_logits = nn.Linear(dim, num_tokens)

    def forward(self, xi):                                    # (B, T)
        return self.to_logits(self.emb(xi))                   # (B, T, V)


def _padded_formulas(lengths, vocab=20, pad=0):
    ids = torch.full((len(lengths), max(lengths)), pad)
    g = torch.Generator().manual_seed(0)
    for b, n in enumerate(lengths):
        ids[b, :n] = torch.randint(1, vocab, (n,), generator=g)
    return ids


def ocr_loss(out, xo):
    return F.cross_entropy(out.transpose(1, 2), xo)           # ignore_index left at -100; [PAD] is 0


@silent("https://github.com/lukas-blecher/LaTeX-OCR/issues/305", "cross_entropy", "padding_in_loss",
        truth="The sequences are padded with [PAD] = 0, but cross_entropy keeps its default ignore_index=-100, so "
              "every padded position is scored as a target; the poster asks whether ignore_index should be the pad "
              "value, which is what excluding padding from the loss needs.")
def padded_formula_tokens_scored_in_the_loss():
    x = _padded_formulas([9, 5, 3])
    xi, xo = x[:, :-1], x[:, 1:]
    return dict(model=AutoregressiveWrapper(), example_input=xi, loss_fn=ocr_loss, target=xo)


@silent("https://github.com/pytorch/pytorch/issues/16413", "loss_fn: mse_loss", "loss_broadcast",
        truth="MSELoss between a prediction of shape (3,) and a target of shape (3, 1) broadcasts them to (3, 3) "
              "and averages every pairing, so the loss is not the mean squared error; the issue led to the "
              "warning PyTorch now gives.")
def regression_row_against_target_column():
    class Regressor(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 1)

        def forward(self, x):
            return self.fc(x).squeeze(1)                      # (B,)

    return dict(model=Regressor(), example_input=torch.randn(3, 4), loss_fn=nn.MSELoss(),
                target=torch.tensor([[1.0], [2.0], [3.0]]))


class Conv2_1d(nn.Module):
    """A (2+1)-D convolution: a 2-D convolution per frame, then a 1-D one over time, each position alone."""

    def __init__(self, in_channels=3, out_channels=4, kernel=3):
        super().__init__()
        self.out_channels = out_channels
        self.conv2d = nn.Conv2d(in_channels, out_channels, kernel, padding=1)
        self.conv1d = nn.Conv1d(out_channels, out_channels, kernel, padding=1)

    def forward(self, x):                                     # (b, c, t, d1, d2)
        b, c, t, d1, d2 = x.size()
        x = x.view(b * t, c, d1, d2)                          # no permute: channels and frames are mixed
        x = self.conv2d(x)
        dr1, dr2 = x.size(2), x.size(3)
        x = x.view(b * dr1 * dr2, x.size(1), t)
        x = self.conv1d(x)
        return x.view(b, self.out_channels, -1, dr1, dr2)


@silent("https://github.com/proceduralia/pytorch-conv2_1d/issues/1", "model", "view_moves_axes",
        truth="x.view(b * t, c, d1, d2) on a (b, c, t, d1, d2) clip does not make one image per frame: without "
              "x.permute(0, 2, 1, 3, 4) first it regroups values of different channels and frames; the author "
              "agreed and updated the code.")
def clip_viewed_into_frames_without_permute():
    return dict(model=Conv2_1d(), example_input=torch.randn(2, 3, 4, 6, 6))


class MultiHeadSelfAttention(nn.Module):
    """FuxiCTR's AutoInt attention: the heads are split with one view, without moving the head axis."""

    def __init__(self, input_dim=16, attention_dim=4, num_heads=4):
        super().__init__()
        self.num_heads, self.attention_dim = num_heads, attention_dim
        self.W_q = nn.Linear(input_dim, attention_dim * num_heads, bias=False)
        self.W_k = nn.Linear(input_dim, attention_dim * num_heads, bias=False)
        self.W_v = nn.Linear(input_dim, attention_dim * num_heads, bias=False)

    def forward(self, X):                                     # (B, fields, input_dim)
        batch_size = X.size(0)
        query, key, value = self.W_q(X), self.W_k(X), self.W_v(X)
        query = query.view(batch_size * self.num_heads, -1, self.attention_dim)
        key = key.view(batch_size * self.num_heads, -1, self.attention_dim)
        value = value.view(batch_size * self.num_heads, -1, self.attention_dim)
        scores = torch.bmm(query, key.transpose(1, 2)) / math.sqrt(self.attention_dim)
        output = torch.bmm(scores.softmax(dim=-1), value)
        return output.view(batch_size, -1, self.num_heads * self.attention_dim)


@silent("https://github.com/reczoo/FuxiCTR/issues/30", "model", "view_moves_axes",
        truth="Splitting heads with view(batch_size * num_heads, -1, attention_dim) without first viewing "
              "(batch, fields, heads, dim) and transposing puts pieces of different fields into one head's "
              "rows; the maintainers labelled it a bug and fixed it with view(...).transpose(1, 2).")
def attention_heads_split_by_view_alone():
    return dict(model=MultiHeadSelfAttention(), example_input=torch.randn(3, 5, 16))


# == correct (asked about, but right) ============================================================

class BERTLMHead(nn.Module):
    def __init__(self, vocab_size=30, hidden=16):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, hidden)
        self.linear = nn.Linear(hidden, vocab_size)

    def forward(self, x):                                     # (B, T)
        return F.log_softmax(self.linear(self.embedding(x)), dim=-1)     # (B, T, V)


def masked_lm_loss(mask_lm_output, bert_label):
    return F.nll_loss(mask_lm_output.transpose(1, 2), bert_label, ignore_index=0)   # (B, V, T) against (B, T)


@correct("https://github.com/codertimo/BERT-pytorch/issues/35")
def nll_loss_on_scores_transposed_to_classes_second():
    x = _ids((3, 8), 30, low=1)
    bert_label = _ids((3, 8), 30, low=1, seed=2)
    return dict(model=BERTLMHead(), example_input=x, loss_fn=masked_lm_loss, target=bert_label)


class NMTModel(nn.Module):
    """OpenNMT's RNN encoder-decoder: bidirectional encoder states folded to (layers, B, 2H) for the decoder."""

    def __init__(self, vocab=30, emb=8, hidden=6, layers=2):
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb)
        self.encoder = nn.LSTM(emb, hidden, layers, bidirectional=True)
        self.decoder = nn.LSTM(emb, hidden * 2, layers)
        self.generator = nn.Linear(hidden * 2, vocab)

    @staticmethod
    def _fix_enc_hidden(h):
        # (layers * directions, B, H) -> (layers, B, directions * H)
        return h.view(h.size(0) // 2, 2, h.size(1), h.size(2)).transpose(1, 2).contiguous() \
                .view(h.size(0) // 2, h.size(1), h.size(2) * 2)

    def forward(self, src):                                   # (S, B)
        _, (h, c) = self.encoder(self.embedding(src))
        state = (self._fix_enc_hidden(h), self._fix_enc_hidden(c))
        out, _ = self.decoder(self.embedding(src), state)     # teacher forcing on the source, for the shapes
        return self.generator(out)


@correct("https://github.com/OpenNMT/OpenNMT-py/issues/61")
def bidirectional_states_folded_per_layer():
    return dict(model=NMTModel(), example_input=_ids((7, 3), 30), batch_dim=1)


class SeqFirstEncoder(nn.Module):
    def __init__(self, d_model=16, nhead=2):
        super().__init__()
        self.layer = nn.TransformerEncoderLayer(d_model, nhead, 32, dropout=0.1)   # (S, N, E)

    def forward(self, src):
        return self.layer(src)


@correct("https://github.com/pytorch/pytorch/issues/59159")
def seq_first_encoder_layer_with_layernorm():
    return dict(model=SeqFirstEncoder(), example_input=torch.randn(7, 3, 16), batch_dim=1)
