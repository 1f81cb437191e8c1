"""A sixth blind hold-out catalogue: shape mistakes reconstructed from public questions (each case cites its
thread) that neither the doctor's rules nor the other catalogues were written against. It was written without
reading the rules, the silent checks or the doctor's tests, from what the threads say, and first run as a
measurement at first sight (the score is in the README); it joined ``MODULES`` once the doctor had learnt what
it could of it. Where a case's ``sizes`` were first written in another order than the catalogue's convention
for that kind of error, they were put in the catalogue's order (noted beside them).

Each case keeps the poster's layer types, the sizes that matter (scaled down where they were large), their
argument names and their call order; the code and the sentences are written afresh. ``truth`` says what the
thread found the cause to be (or, where the thread left it open, what running the reconstruction shows).
Where the PyTorch of the thread worded the error differently from today's, the case raises today's wording of
the same failure: Modality-Transferable-MER #3 ("multi-target not supported" then; today a class-index target
with the input's shape is read as class probabilities and must be floating point), e-lab/pytorch-linknet #2 and
CSAILVision/semantic-segmentation-pytorch #66 ("input and target batch or spatial sizes don't match" then, "size
mismatch (got input: ..., target: ...)" now), pytorch #3516 (an "invalid argument: dimension out of range" of
the 0.2 autograd Concat then, today's check that the tensors have the same number of dimensions), pytorch #15037
(the libtorch wording of the stack check) and ZeweiChu/nmt-seq2seq #2 (the gather check's wording).

Where a thread's model came from torchvision, timm, HuggingFace or another package that is not installed here,
a small stand-in with the same module names and output layout takes its place; the mistake is in the poster's
code around it.

Cause ids and finding kinds marked ``# new cause`` / ``# new kind`` were not used by the other catalogues when
the batch was written: they name what the real cause is.
"""
import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from . import Asked, drawn, drawn_ids, drawn_normal

_asked = Asked()
CASES, SILENT, CORRECT = _asked.raising, _asked.silent_cases, _asked.correct_models
raises, silent, correct = _asked.raises, _asked.silent, _asked.correct


# == recurrent models, seq2seq and embeddings ======================================================

class DeepARNetworkStub(nn.Module):
    """pytorch-ts' DeepAR network, cut down: lagged targets, time features, a static embedding and the log scale
    are joined on the last axis and fed to an LSTM built with the input_size given to the estimator."""

    def __init__(self, input_size, num_layers=2, num_cells=8, lags_seq=(1, 2, 3, 4, 5, 6, 7, 23, 24, 25, 47, 48, 49),
                 cardinality=1, embedding_dimension=1):
        super().__init__()
        self.lags_seq = list(lags_seq)
        self.rnn = nn.LSTM(input_size=input_size, hidden_size=num_cells, num_layers=num_layers, batch_first=True)
        self.embedder = nn.Embedding(cardinality, embedding_dimension)
        self.proj_distr_args = nn.Linear(num_cells, 2)

    def unroll_encoder(self, feat_static_cat, past_time_feat, past_target, context_length):
        scale = past_target[:, -context_length:].abs().mean(1, keepdim=True).clamp(min=1e-10)
        lags = torch.stack([past_target[:, -context_length - lag:past_target.size(1) - lag]
                            for lag in self.lags_seq], dim=-1)                        # (B, T, len(lags_seq))
        time_feat = past_time_feat[:, -context_length:]                                 # (B, T, num_time_feat)
        embedded_cat = self.embedder(feat_static_cat)                                   # (B, embedding_dimension)
        static_feat = torch.cat((embedded_cat, scale.log()), dim=1)
        repeated_static_feat = static_feat.unsqueeze(1).expand(-1, context_length, -1)
        inputs = torch.cat((lags / scale.unsqueeze(-1), time_feat, repeated_static_feat), dim=-1)
        outputs, state = self.rnn(inputs)
        return outputs, state, scale

    def forward(self, feat_static_cat, past_time_feat, past_target, context_length=24):
        outputs, _, _ = self.unroll_encoder(feat_static_cat, past_time_feat, past_target, context_length)
        return self.proj_distr_args(outputs)


@raises("https://github.com/zalandoresearch/pytorch-ts/issues/109", "model.rnn", "rnn_input_size", sizes=(43, 19),
        truth="The README's example built the DeepAR estimator with input_size=43, but the features the network joins "
              "before its LSTM (one column per lag, the time features, the static embedding and the log scale) "
              "come to 19 for that frequency and prediction length; the maintainer explained that input_size is "
              "the size of that joined feature axis and fixed the README's number.")
def deepar_built_with_the_readmes_input_size():
    model = DeepARNetworkStub(input_size=43)
    past_target = drawn(2, 24 + 49) * 10                       # history_length = context_length + max(lags_seq)
    past_time_feat = drawn(2, 24 + 49, 4, seed=1)              # 4 time features (hour, day of week, ...)
    feat_static_cat = torch.zeros(2, dtype=torch.long)
    model(feat_static_cat, past_time_feat, past_target)


class LayerNorm(nn.Module):
    """LSTM_LN's layer normalisation over each row of a (batch, features) matrix."""

    def __init__(self, input_size, epsilon=1e-6):
        super().__init__()
        self.alpha = nn.Parameter(torch.ones(1, input_size))
        self.beta = nn.Parameter(torch.zeros(1, input_size))
        self.epsilon = epsilon

    def forward(self, x):
        mean, var = x.mean(1, keepdim=True), x.var(1, keepdim=True)
        return self.alpha * (x - mean) / torch.sqrt(var + self.epsilon) + self.beta


class LayerNormLSTM(nn.Module):
    """One step of LSTM_LN's cell: x (1, batch, input) and a state ((1, batch, H), (1, batch, H))."""

    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        self.i2h = nn.Linear(input_size, 4 * hidden_size)
        self.h2h = nn.Linear(hidden_size, 4 * hidden_size)
        self.ln_i2h, self.ln_h2h = LayerNorm(4 * hidden_size), LayerNorm(4 * hidden_size)
        self.ln_cell = LayerNorm(hidden_size)

    def forward(self, x, hidden):
        h, c = hidden
        h = h.view(h.size(1), -1)
        c = c.view(c.size(1), -1)
        x = x.view(x.size(1), -1)
        i2h = self.ln_i2h(self.i2h(x))
        h2h = self.ln_h2h(self.h2h(h))
        preact = i2h + h2h
        gates = preact[:, :3 * self.hidden_size].sigmoid()
        g_t = preact[:, 3 * self.hidden_size:].tanh()
        i_t, f_t, o_t = gates.chunk(3, 1)
        c_t = self.ln_cell(c * f_t + i_t * g_t)
        h_t = o_t * c_t.tanh()
        h_t, c_t = h_t.view(1, h_t.size(0), -1), c_t.view(1, c_t.size(0), -1)
        return h_t, (h_t, c_t)


class LSTM(nn.Module):
    """LSTM_LN's stacked LSTM: every layer_forward call puts a batch-first input time-first, and the output is put
    back batch-first only once, at the end of forward."""

    def __init__(self, input_size, hidden_size, num_layers=1, batch_first=False):
        super().__init__()
        self.hidden_size, self.num_layers, self.batch_first = hidden_size, num_layers, batch_first
        layers = []
        for i in range(num_layers):
            layers.append(LayerNormLSTM(input_size, hidden_size))
            input_size = hidden_size
        self.layers = layers
        self.params = nn.ModuleList(layers)

    def init_hidden(self, batch_size):
        gen = torch.Generator().manual_seed(0)
        return [(0.1 * torch.randn(1, batch_size, l.hidden_size, generator=gen),
                 0.1 * torch.randn(1, batch_size, l.hidden_size, generator=gen)) for l in self.layers]

    def layer_forward(self, l, xs, h):
        if self.batch_first:
            xs = xs.permute(1, 0, 2).contiguous()
        ys = []
        for i in range(xs.size(0)):
            y, h = l(xs.narrow(0, i, 1), h)
            ys.append(y)
        return torch.cat(ys, 0), h

    def forward(self, x, hiddens):
        new_hs, new_cs = [], []
        for l_idx in range(len(self.layers)):
            x, (h, c) = self.layer_forward(self.layers[l_idx], x, hiddens[l_idx])
            new_hs.append(h)
            new_cs.append(c)
        if self.batch_first:
            x = x.permute(1, 0, 2)
        return x, (torch.cat(new_hs, 0), torch.cat(new_cs, 0))


@raises("https://github.com/exe1023/LSTM_LN/issues/1", "model.params.1",
        "rnn_axes_swapped batch_first_between_layers", sizes=(4, 7),          # new cause (batch_first_between_layers)
        truth="With batch_first=True, layer_forward turns its input time-first on every call, so the first layer's "
              "output (already time-first) is turned back batch-first before the second layer, which then steps over "
              "the batch and meets a state for the real batch; the author had not implemented batch_first, and a "
              "commenter fixed it by moving the permute back to batch-first to the end of layer_forward.")
def second_layer_of_a_batch_first_layernorm_lstm():
    model = LSTM(5, 6, 2, batch_first=True)
    x = drawn_normal(4, 7, 5)                                  # (batch 32 -> 4, seq 50 -> 7, features)
    h = model.init_hidden(4)
    model(x, h)


class LSTMCellSeq2Seq(nn.Module):
    """nmt-seq2seq's encoder-decoder: an LSTMCell stepped over the English embeddings, the state at each sentence's
    last real word gathered with an index built from the mask, then an LSTM decoder."""

    def __init__(self, en_total_words=30, cn_total_words=25, embedding_size=10, hidden_size=8):
        super().__init__()
        self.nhid = hidden_size
        self.embed_en = nn.Embedding(en_total_words, embedding_size)
        self.embed_cn = nn.Embedding(cn_total_words, embedding_size)
        self.encoder = nn.LSTMCell(embedding_size, hidden_size)
        self.decoder = nn.LSTM(embedding_size, hidden_size, batch_first=True)
        self.linear = nn.Linear(hidden_size, cn_total_words)

    def init_hidden(self, bsz):
        return torch.zeros(bsz, self.nhid), torch.zeros(bsz, self.nhid)

    def forward(self, x, x_mask, y, hidden):
        x_embedded = self.embed_en(x)
        B, T, embedding_size = x_embedded.size()
        y_embedded = self.embed_cn(y)
        hiddens, cells = [], []
        for i in range(T):
            hidden = self.encoder(x_embedded[:, i, :], hidden)
            hiddens.append(hidden[0].unsqueeze(1))
            cells.append(hidden[1].unsqueeze(1))
        hiddens = torch.cat(hiddens, 1)                        # (B, T, hidden_size)
        cells = torch.cat(cells, 1)
        x_lengths = x_mask.sum(1).view(B, 1, 1).expand(B, 1, embedding_size) - 1
        h = hiddens.gather(1, x_lengths).permute(1, 0, 2)
        c = cells.gather(1, x_lengths).permute(1, 0, 2)
        hiddens, (h, c) = self.decoder(y_embedded, hx=(h, c))
        return F.log_softmax(self.linear(hiddens), -1)


@raises("https://github.com/ZeweiChu/nmt-seq2seq/issues/2", "model", "gather_index_width",   # new cause
        sizes=(8, 10),
        truth="The thread only gives the error; the reconstruction shows that the index used to gather each "
              "sentence's last encoder state is expanded to the embedding size (300) while the states it gathers "
              "from have hidden_size (128) features, which only works when the two sizes happen to be equal; the "
              "index must be expanded to hiddens.size(2).")
def last_state_gathered_with_an_index_as_wide_as_the_embedding():
    model = LSTMCellSeq2Seq()
    lengths = torch.tensor([6, 4, 5, 2])
    x_mask = (torch.arange(6)[None, :] < lengths[:, None]).long()
    x = drawn_ids((4, 6), 30, low=1) * x_mask
    y = drawn_ids((4, 5), 25, low=1, seed=1)
    model(x, x_mask, y, model.init_hidden(4))


class WordEmbedding(nn.Module):
    """SQLNet's WordEmbedding: a lookup built from whatever GloVe file was loaded (100-d in the poster's run)."""

    def __init__(self, word_emb_dim=100, vocab=40):
        super().__init__()
        self.embedding = nn.Embedding(vocab, word_emb_dim)

    def gen_x_batch(self, q):
        return self.embedding(q)


class AggPredictor(nn.Module):
    def __init__(self, N_word, N_h=8, N_depth=2):
        super().__init__()
        self.agg_lstm = nn.LSTM(input_size=N_word, hidden_size=N_h // 2, num_layers=N_depth,
                                batch_first=True, bidirectional=True)
        self.agg_att = nn.Linear(N_h, 1)
        self.agg_out = nn.Sequential(nn.Linear(N_h, N_h), nn.Tanh(), nn.Linear(N_h, 6))

    def forward(self, x_emb_var):
        h_enc, _ = self.agg_lstm(x_emb_var)
        att = F.softmax(self.agg_att(h_enc).squeeze(-1), dim=1)
        return self.agg_out((h_enc * att.unsqueeze(2)).sum(1))


class SQLNet(nn.Module):
    def __init__(self, word_emb_dim, N_word=300):
        super().__init__()
        self.embed_layer = WordEmbedding(word_emb_dim)
        self.agg_pred = AggPredictor(N_word)

    def forward(self, q):
        x_emb_var = self.embed_layer.gen_x_batch(q)
        return self.agg_pred(x_emb_var)


@raises("https://github.com/xiaojunxu/SQLNet/issues/59", "model.agg_pred.agg_lstm", "rnn_input_size",
        sizes=(300, 100),
        truth="The thread only gives the error; the reconstruction shows it when the word vectors loaded are 100-d "
              "GloVe while the predictors' LSTMs are built with N_word=300, the size of the GloVe 42B vectors the "
              "code is written for; N_word must equal the dimension of the embeddings actually loaded.")
def glove_100d_into_predictors_built_for_300d():
    model = SQLNet(word_emb_dim=100, N_word=300)
    q = drawn_ids((2, 9), 40)
    model(q)


class DecoderWithAttention(nn.Module):
    """The captioning decoder's embedding, sized by the vocabulary of the checkpoint's word map."""

    def __init__(self, vocab_size, embed_dim=6):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim)


def make_word_map(words):
    """create_input_files' word map: words from 1, then <unk>, <start>, <end> on top and <pad> = 0."""
    word_map = {w: i + 1 for i, w in enumerate(words)}
    word_map['<unk>'] = len(word_map) + 1
    word_map['<start>'] = len(word_map) + 1
    word_map['<end>'] = len(word_map) + 1
    word_map['<pad>'] = 0
    return word_map


@raises("https://github.com/foamliu/Image-Captioning-PyTorch/issues/26", "decoder.embedding",
        "embedding_range vocab_size_mismatch", sizes=(30, 33),   # (rows, rows the ids need: id 32 + 1)
        truth="The word map regenerated with pre_process.py holds more tokens than the one the pretrained checkpoint "
              "was trained with, so ids from the new map (the <start> token sits at the top of it) run past the "
              "decoder's embedding table at the first beam-search step; the poster found the mismatch and the author "
              "uploaded the original WORDMAP.json.")
def start_token_from_a_larger_word_map():
    decoder = DecoderWithAttention(vocab_size=30)              # checkpoint's map: 26 words + 4 specials
    word_map = make_word_map([f"w{i}" for i in range(30)])     # rebuilt locally: 30 words + 4 specials
    k = 3                                                      # beam size
    k_prev_words = torch.LongTensor([[word_map['<start>']]] * k)
    decoder.embedding(k_prev_words).squeeze(1)


# == convolutions, resolutions and feature maps ===================================================

@raises("https://discuss.pytorch.org/t/how-to-apply-1d-convolution-on-data-having-batch-size-1/190653", "conv1d",
        "conv1d_time_features conv_channels", sizes=(64, 128),
        truth="The 128 samples of 64 features were unsqueezed to (1, 128, 64), which Conv1d reads as one example with "
              "128 channels and length 64, while the layer was built with in_channels=64; the answer explains that "
              "the feature axis must be the channel axis, e.g. permute to (1, 64, 128).")
def samples_unsqueezed_into_the_channel_axis():
    input_data = drawn_normal(128, 64)
    input_data1 = input_data.unsqueeze(0)
    conv1d = nn.Conv1d(in_channels=64, out_channels=32, kernel_size=3)
    conv1d(input_data1)


class CIFAR10CNN(nn.Module):
    """FedGMM's CIFAR-10 network: two 5x5 convolutions with pooling, then fully connected layers."""

    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(32, 64, 5)
        self.fc1 = nn.Linear(64 * 5 * 5, 32)
        self.output = nn.Linear(32, num_classes)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        return self.output(F.relu(self.fc1(x.view(-1, 64 * 5 * 5))))


@raises("https://github.com/zshuai8/FedGMM_ICML2023/issues/2", "model.conv1", "channels_last", sizes=(3, 32),
        truth="The CIFAR-10 client data reached the network as (N, 32, 32, 3), the height-width-channel layout of "
              "the stored arrays, so conv1 read the 32 rows as channels; the author said 3 should be the channel "
              "axis and added the dimension permutation to the data pipeline.")
def cifar_arrays_kept_height_width_channels():
    model = CIFAR10CNN()
    data = drawn(4, 32, 32, 3)                                 # the client's numpy images, channels last
    model(data)


class LinkNetStub(nn.Module):
    """pytorch-linknet, cut down: its encoder blocks were written with self.Convolution = nn.ConvTranspose2d where
    the Lua original had a strided convolution, so each 'down' block doubles the map instead of halving it."""

    def __init__(self, n_classes=5):
        super().__init__()
        self.Convolution = nn.ConvTranspose2d                  # should be nn.Conv2d
        self.conv1 = nn.Conv2d(3, 4, 7, 2, 3)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.encoder1 = self.Convolution(4, 8, 3, 2, 1)
        self.encoder2 = self.Convolution(8, 8, 3, 2, 1)
        self.decoder1 = nn.ConvTranspose2d(8, 4, 3, 2, 1, output_padding=1)
        self.final = nn.ConvTranspose2d(4, n_classes, 2, 2)

    def forward(self, x):
        x = self.maxpool(self.conv1(x))                        # 1/4
        e1 = self.encoder1(x)                                  # meant 1/8
        e2 = self.encoder2(e1)                                 # meant 1/16
        d1 = self.decoder1(e2)
        return self.final(d1)


@raises("https://github.com/e-lab/pytorch-linknet/issues/2", "criterion",
        "transposed_conv_for_conv output_downsampled", sizes=((16, 32), (52, 116)),  # new cause (transposed_conv_for_conv)
        truth="The model's output came out about three times the label's size (1534 x 3070 against 512 x 1024); "
              "comparing with the Lua code the poster found that model.py set self.Convolution = nn.ConvTranspose2d "
              "where it should be nn.Conv2d, so the encoder's strided blocks upsample instead of downsampling.")
def encoder_blocks_built_from_transposed_convolutions():
    model, criterion = LinkNetStub(), nn.CrossEntropyLoss()
    inputs = drawn(2, 3, 16, 32)                               # 512 x 1024 in the thread
    targets = drawn_ids((2, 16, 32), 5, seed=1)
    outputs = model(inputs)
    criterion(outputs, targets)


class ConvAutoEncoder(nn.Module):
    """deep_audio_features' convolutional autoencoder on (1, freq, time) spectrograms."""

    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.ReLU())
        self.decoder = nn.Sequential(nn.ConvTranspose2d(8, 1, 3, stride=2, padding=(0, 1)), nn.Sigmoid())

    def forward(self, x):
        return self.decoder(self.encoder(x))


@raises("https://github.com/tyiannak/deep_audio_features/issues/23", "criterion",
        "deconv_output_size loss_shapes", sizes=(16, 17),                   # new cause (deconv_output_size)
        truth="The decoder's transposed convolutions did not undo the encoder's strided convolution exactly, so the "
              "reconstruction had 129 frequency rows against the spectrogram's 128 and the MSE loss warned and "
              "failed to broadcast; the poster recalculated padding and stride until the output was 128 x 201.")
def reconstruction_one_row_taller_than_the_spectrogram():
    model, criterion = ConvAutoEncoder(), nn.MSELoss()
    spectrogram = drawn(2, 1, 16, 25)                          # (16, 1, 128, 201) in the thread
    output = model(spectrogram)
    criterion(output, spectrogram)


class LUM(nn.Module):
    """HEP's light-up module, cut down: strided-conv downsampling, nearest upsampling, skips joined on channels."""

    def __init__(self, ch=4):
        super().__init__()
        self.conv_in = nn.Conv2d(3, ch, 3, padding=1)
        self.down1 = nn.Conv2d(ch, ch, 3, stride=2, padding=1)
        self.down2 = nn.Conv2d(ch, ch, 3, stride=2, padding=1)
        self.body = nn.Conv2d(ch, ch, 3, padding=1)
        self.up = nn.Upsample(scale_factor=2)
        self.conv_out = nn.Conv2d(2 * ch, 2, 3, padding=1)

    def forward(self, x):
        x1 = self.conv_in(x)
        x2 = self.down1(x1)
        x4 = self.body(self.down2(x2))
        x5 = self.up(x4)
        cat5 = torch.cat((x5, x2), dim=1)
        out = self.conv_out(cat5)
        return out[:, :1], out[:, 1:]


@raises("https://github.com/fengzhang427/HEP/issues/4", "light", "unet_odd_size cat_sizes", sizes=(12, 11),
        truth="The validation images had a side that becomes odd after the first downsampling (765), the next "
              "strided convolution rounds it up and the upsampling doubles it to 766, so the skip join fails; the "
              "author said it comes from the size of the validation images and gave a helper that pads one map to "
              "the other's size before torch.cat.")
def validation_image_whose_half_side_is_odd():
    light = LUM()
    val_x = drawn(1, 3, 16, 22)                                # the width halves to 11, an odd side
    r_x, i_x = light(val_x)


class FeatExtract(nn.Module):
    """GCViT's feature extractor for the global queries: a conv and a stride-2 max pool."""

    def __init__(self, dim):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(dim, dim, 3, 1, 1, groups=dim), nn.GELU(), nn.Conv2d(dim, dim, 1))
        self.pool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)

    def forward(self, x):
        return self.pool(x + self.conv(x))


class GlobalQueryGen(nn.Module):
    """Pools a level's map down to one window and reshapes it into the global queries; the number of poolings and
    N = window_size ** 2 are fixed from the image size the model is constructed for."""

    def __init__(self, dim, input_resolution, window_size, num_heads):
        super().__init__()
        n_pools = int(math.log2(input_resolution // window_size))
        self.to_q_global = nn.Sequential(*[FeatExtract(dim) for _ in range(n_pools)])
        self.num_heads = num_heads
        self.N = window_size * window_size
        self.dim_head = dim // num_heads

    def forward(self, x):
        x = self.to_q_global(x)
        x = x.permute(0, 2, 3, 1)
        B = x.shape[0]
        return x.reshape(B, 1, self.N, self.num_heads, self.dim_head).permute(0, 1, 3, 2, 4)


class GCViTLayer(nn.Module):
    def __init__(self, dim, input_resolution, window_size, num_heads):
        super().__init__()
        self.q_global_gen = GlobalQueryGen(dim, input_resolution, window_size, num_heads)
        self.proj = nn.Conv2d(dim, dim, 1)

    def forward(self, x):
        q_global = self.q_global_gen(x)
        return self.proj(x) + q_global.mean()


class GCViTStub(nn.Module):
    def __init__(self, dim=12, num_heads=3, window_size=7, resolution=224, num_classes=3):
        super().__init__()
        self.patch_embed = nn.Sequential(nn.Conv2d(3, dim, 3, 2, 1), nn.Conv2d(dim, dim, 3, 2, 1))   # /4
        self.levels = nn.ModuleList([GCViTLayer(dim, resolution // 4, window_size, num_heads)])
        self.head = nn.Linear(dim, num_classes)

    def forward(self, x):
        x = self.patch_embed(x)
        for level in self.levels:
            x = level(x)
        return self.head(x.mean((2, 3)))


@raises("https://github.com/NVlabs/GCVit/issues/26", "model.levels.0.q_global_gen", "built_for_crop_size",
        sizes=(49, 16),
        truth="The model is built for 224 x 224 images: the global query generator's number of poolings and its "
              "N = 7 x 7 queries are fixed from that resolution, and 112 x 112 face images leave a 4 x 4 map after "
              "the same poolings, which cannot be reshaped into 49 queries; the maintainer said the model expects "
              "224 x 224 inputs (or the patch embedding and levels must be adapted to 112).")
def faces_at_half_the_resolution_the_model_was_built_for():
    model = GCViTStub(resolution=224)
    model(drawn(2, 3, 112, 112))


class ResNetDilatedStub(nn.Module):
    """resnet50_dilated8: four stages, the last two dilated, returning every stage (1/4, 1/8, 1/8, 1/8)."""

    def __init__(self, width=4):
        super().__init__()
        self.layer1 = nn.Sequential(nn.Conv2d(3, width, 3, 4, 1), nn.ReLU())
        self.layer2 = nn.Sequential(nn.Conv2d(width, width, 3, 2, 1), nn.ReLU())
        self.layer3 = nn.Sequential(nn.Conv2d(width, width, 3, 1, 2, dilation=2), nn.ReLU())
        self.layer4 = nn.Sequential(nn.Conv2d(width, width, 3, 1, 4, dilation=4), nn.ReLU())

    def forward(self, x, return_feature_maps=True):
        conv_out = []
        for layer in (self.layer1, self.layer2, self.layer3, self.layer4):
            x = layer(x)
            conv_out.append(x)
        return conv_out


class UPerNetStub(nn.Module):
    """UPerNet: a pyramid over the stages, fused at the resolution of the first stage (1/4), log-softmax scores."""

    def __init__(self, num_class=8, width=4):
        super().__init__()
        self.fpn_in = nn.ModuleList([nn.Conv2d(width, width, 1) for _ in range(3)])
        self.conv_last = nn.Conv2d(4 * width, num_class, 1)

    def forward(self, conv_out, segSize=None):
        f = conv_out[-1]
        fpn_feature_list = [f]
        for i in reversed(range(len(conv_out) - 1)):
            conv_x = self.fpn_in[i](conv_out[i])
            f = conv_x + F.interpolate(f, size=conv_x.shape[2:], mode='bilinear', align_corners=False)
            fpn_feature_list.append(f)
        output_size = fpn_feature_list[-1].shape[2:]
        fusion = torch.cat([F.interpolate(t, size=output_size, mode='bilinear', align_corners=False)
                            for t in fpn_feature_list], 1)
        return F.log_softmax(self.conv_last(fusion), dim=1)


class SegmentationModule(nn.Module):
    def __init__(self, net_enc, net_dec, crit):
        super().__init__()
        self.encoder, self.decoder, self.crit = net_enc, net_dec, crit

    def forward(self, feed_dict):
        pred = self.decoder(self.encoder(feed_dict['img_data'], return_feature_maps=True))
        return self.crit(pred, feed_dict['seg_label'])


@raises("https://github.com/CSAILVision/semantic-segmentation-pytorch/issues/66", "segmentation_module.crit",
        "output_downsampled label_downsampling_rate", sizes=((12, 16), (6, 8)),   # new cause (label_downsampling_rate)
        truth="The data loader shrinks the label maps by segm_downsampling_rate (8, the rate of the default dilated "
              "encoder with the PPM decoder), while UPerNet predicts at 1/4 of the image, so the 170 x 212 scores met "
              "85 x 106 labels; the maintainers' account of segm_downsampling_rate (UPerNet computes its loss on "
              "maps downsampled by 4) shows the labels' rate must match the decoder's output.")
def upernet_scores_against_labels_shrunk_by_eight():
    segmentation_module = SegmentationModule(ResNetDilatedStub(), UPerNetStub(), nn.NLLLoss(ignore_index=-1))
    segm_downsampling_rate = 8
    img = drawn(1, 3, 48, 64)
    seg_label = drawn_ids((1, 48 // segm_downsampling_rate, 64 // segm_downsampling_rate), 8, seed=1)
    segmentation_module({'img_data': img, 'seg_label': seg_label})


# == losses and targets ============================================================================

class MultimodalEmotionStub(nn.Module):
    """Modality-Transferable-MER's fusion model, cut down: text, audio and visual features to emotion scores."""

    def __init__(self, text_dim=12, audio_dim=5, visual_dim=7, hidden=8, num_emotions=6):
        super().__init__()
        self.text_lstm = nn.LSTM(text_dim, hidden, batch_first=True)
        self.audio_proj, self.visual_proj = nn.Linear(audio_dim, hidden), nn.Linear(visual_dim, hidden)
        self.out = nn.Linear(3 * hidden, num_emotions)

    def forward(self, text, audio, visual):
        _, (h, _) = self.text_lstm(text)
        fused = torch.cat([h[-1], self.audio_proj(audio.mean(1)), self.visual_proj(visual.mean(1))], dim=1)
        return self.out(fused)


@raises("https://github.com/wenliangdai/Modality-Transferable-MER/issues/3", "criterion",
        "ce_multilabel ce_onehot_long",                                  # new cause (ce_multilabel)
        truth="CMU-MOSEI is a multi-label task: each utterance carries a multi-hot row over the six emotions, which "
              "cannot be a class-index target, and the README's command chose the plain cross-entropy loss; the "
              "poster and the author agreed the command must use the binary cross-entropy loss instead.")
def multi_hot_emotions_into_cross_entropy():
    model, criterion = MultimodalEmotionStub(), nn.CrossEntropyLoss()
    text, audio, visual = drawn(4, 9, 12), drawn(4, 9, 5, seed=1), drawn(4, 9, 7, seed=2)
    labels = (drawn(4, 6, seed=3) > 0.6).long()               # multi-hot emotion labels from the processed data
    outputs = model(text, audio, visual)
    criterion(outputs, labels)


class AlexNetHashStub(nn.Module):
    """ADSH's CNN: image features to code_length hash logits."""

    def __init__(self, code_length=12):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 4, 3, 2, 1), nn.ReLU(), nn.AdaptiveAvgPool2d(2))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(16, 8), nn.ReLU())
        self.fc_encode = nn.Linear(8, code_length)

    def forward(self, x):
        return self.fc_encode(self.classifier(self.features(x)))


@raises("https://github.com/jiangqy/ADSH-AAAI2018/issues/5", "criterion", "loss_shapes n_class_mismatch",
        truth="The network outputs code_length = 12 hash bits per image, and the poster handed BCEWithLogitsLoss the "
              "21 NUS-WIDE labels as the target; the author explained that the supervision must match the output "
              "(a batch x batch pairwise similarity for the hash codes, or a batch x 21 prediction for labels).")
def hash_bits_against_the_label_vectors():
    model, criterion = AlexNetHashStub(code_length=12), nn.BCEWithLogitsLoss()
    train_input = drawn(4, 3, 16, 16)
    train_label = (drawn(4, 21, seed=1) > 0.8).float()        # NUS-WIDE's 21 concepts
    output = model(train_input)
    criterion(output, train_label)


# == plain tensor code, data and collation =========================================================

@raises("https://github.com/pytorch/pytorch/issues/3516", "cat", "cat_rank", sizes=(3, 1),
        truth="torch.cat joins tensors with the same number of dimensions along one of them; the poster joined a "
              "(1, 1, 4) tensor and a 1-D zeros(1) on dim 2, which the 1-D tensor does not have; the zero must be "
              "shaped (1, 1, 1) before joining.")
def three_axis_tensor_joined_with_a_vector():
    x = torch.zeros(1)
    v = drawn_normal(1, 1, 4)
    torch.cat((v, x), dim=2)


@raises("https://github.com/pytorch/pytorch/issues/15037", "stack", "stack_unequal stack_for_cat",  # new cause
        sizes=((1, 8, 8), (2, 8, 8)),
        truth="torch.stack puts tensors of equal shape side by side on a new axis; the poster wanted one (1, 32, 32) "
              "channel and a (2, 32, 32) pair joined into (3, 32, 32), which is torch.cat along dim 0, as the "
              "answer said.")
def one_channel_and_two_channels_stacked():
    ch1 = torch.ones(1, 8, 8)                                  # 32 x 32 in the thread
    ch23 = torch.ones(2, 8, 8)
    torch.stack([ch1, ch23], 0)


def collateFunction(batch):
    """TR-MISR's collate: the low-resolution stacks of the batch are stacked into one tensor."""
    lr_batch, hr_batch = [], []
    for lrs, hr in batch:
        lr_batch.append(lrs)
        hr_batch.append(hr)
    padded_lr_batch = torch.stack(lr_batch, dim=0)
    return padded_lr_batch, torch.stack(hr_batch, dim=0)


@raises("https://github.com/Suanmd/TR-MISR/issues/3", "stack", "stack_unequal", sizes=((4, 8, 16), (4, 16, 8)),
        truth="The poster's scenes were not square: one stack of low-resolution frames was 32 x 64 and another "
              "64 x 32, so the collate function's torch.stack fails; the author said the data loader assumes square "
              "(equal-size) images and needs code for other sizes, and the poster fixed the data.")
def portrait_and_landscape_scenes_in_one_batch():
    batch = [(drawn(4, 8, 16), drawn(1, 24, 48, seed=1)),     # 24 frames of 32 x 64 in the thread
             (drawn(4, 16, 8, seed=2), drawn(1, 48, 24, seed=3))]
    collateFunction(batch)


@raises("https://github.com/neuraloperator/neuraloperator/issues/6", "reshape",
        "view_per_example subsample_rate", sizes=(64, 8),                  # new cause (subsample_rate); sizes
        # in the catalogue's order for a view: (values each example has, values asked of each)
        truth="The Burgers data file holds each solution at 8192 points, but the script's resolution settings "
              "(subsampling rate and h) gave s = 1024 without subsampling the data to it, so x_train keeps 8192 "
              "values per example and cannot be reshaped to (ntrain, s, 1); a commenter and the author settled on "
              "sub = 2**3 and h = 2**13 // sub, downsampling the raw data to the desired resolution.")
def burgers_data_kept_at_its_raw_resolution():
    ntrain, ntest = 10, 2
    x_data = drawn_normal(ntrain + ntest, 64)                  # the raw resolution: 8192 -> 64
    sub = 1                                                    # should be 2**3
    h = 2**3 // sub                                            # meant 2**6 // sub
    s = h
    x_train = x_data[:ntrain, ::sub]
    grid = torch.linspace(0, 1, s).reshape(1, s, 1)
    torch.cat([x_train.reshape(ntrain, s, 1), grid.repeat(ntrain, 1, 1)], dim=2)


def window_partition(x, window_size):
    """SRFormer's window partition: (b, h, w, c) -> (num_windows * b, window_size, window_size, c)."""
    b, h, w, c = x.shape
    x = x.view(b, h // window_size, window_size, w // window_size, window_size, c)
    return x.permute(0, 1, 3, 2, 4, 5).contiguous().view(-1, window_size, window_size, c)


@raises("https://github.com/HVision-NKU/SRFormer/issues/34", "view", "window_not_divisible",   # new cause
        truth="The thread only gives the error; the reconstruction shows that the 35 x 35 feature map is not a "
              "multiple of the window size 3, so h // window_size windows cover only 33 rows and the view cannot "
              "take all 1225 values; the image must be padded to a multiple of the window size before the "
              "partition (as the model's own test-time padding does).")
def feature_map_not_a_multiple_of_the_window():
    x = drawn(1, 35, 35, 1)
    window_partition(x, 3)


@raises("https://github.com/xulianuwa/MCTformer/issues/29", "reshape", "extra_tokens_mismatch",   # new cause
        sizes=(169, 177),
        truth="The thread only gives the error; the numbers show it: MCTformer has one class token per class (20), "
              "so num_extra_tokens = 20 is computed from the model, while the DeiT checkpoint's position table has "
              "a single class token and 196 patch positions; 177 tokens are left after dropping 20, which is not "
              "the 13 x 13 grid the interpolation reshapes to; the checkpoint's own number of extra tokens must be "
              "used (or its class-token position repeated per class first).")
def checkpoint_positions_split_by_the_models_extra_tokens():
    embedding_size = 8                                         # 384 in DeiT-small
    pos_embed_checkpoint = drawn_normal(1, 1 + 196, embedding_size)   # 1 class token + 14 x 14 patches
    num_patches, num_classes = 196, 20
    model_pos_embed = torch.zeros(1, num_classes + num_patches, embedding_size)
    num_extra_tokens = model_pos_embed.shape[-2] - num_patches
    orig_size = int((pos_embed_checkpoint.shape[-2] - num_extra_tokens) ** 0.5)
    new_size = int(num_patches ** 0.5)
    if orig_size != new_size:
        pos_tokens = pos_embed_checkpoint[:, num_extra_tokens:]
        pos_tokens.reshape(-1, orig_size, orig_size, embedding_size).permute(0, 3, 1, 2)


# == silent (run, but wrong) =======================================================================

class MDRNN(nn.Module):
    """world-models' MDRNN for multi-step forward on (SEQ_LEN, BSIZE, *) actions and latents."""

    def __init__(self, latents=4, actions=3, hiddens=8, gaussians=5):
        super().__init__()
        self.latents, self.actions, self.hiddens, self.gaussians = latents, actions, hiddens, gaussians
        self.rnn = nn.LSTM(latents + actions, hiddens)
        self.gmm_linear = nn.Linear(hiddens, (2 * latents + 1) * gaussians + 2)

    def forward(self, actions, latents):
        seq_len, bs = actions.size(0), actions.size(1)
        ins = torch.cat([actions, latents], dim=-1)
        outs, _ = self.rnn(ins)
        gmm_outs = self.gmm_linear(outs)
        stride = self.gaussians * self.latents
        mus = gmm_outs[:, :, :stride].view(seq_len, bs, self.gaussians, self.latents)
        sigmas = torch.exp(gmm_outs[:, :, stride:2 * stride].view(seq_len, bs, self.gaussians, self.latents))
        pi = gmm_outs[:, :, 2 * stride:2 * stride + self.gaussians]
        pi = pi.view(seq_len, bs, self.gaussians)
        logpi = F.log_softmax(pi, dim=-2)
        rs, ds = gmm_outs[:, :, -2], gmm_outs[:, :, -1]
        return mus, sigmas, logpi, rs, ds


@silent("https://github.com/ctallec/world-models/issues/10", "model", "samples_mix softmax_wrong_axis",
        truth="pi is viewed (seq_len, bs, gaussians) and log_softmax is taken over dim=-2, the batch axis, so the "
              "mixture weights of each sequence are normalised across the other sequences of the batch instead of "
              "over the gaussians; the author agreed and changed it to dim=-1.")
def mixture_weights_normalised_across_the_batch():
    actions, latents = drawn_normal(6, 4, 3), drawn_normal(6, 4, 4, seed=1)    # (SEQ_LEN, BSIZE, *)
    return dict(model=MDRNN(), example_input=(actions, latents), batch_dim=1)


class TransformerLayer(nn.Module):
    """OmDet's ELA encoder layer (AIFI-like): self-attention over the flattened top feature map, built without
    batch_first although it is given (batch, tokens, channels)."""

    def __init__(self, c1, cm=32, num_heads=2, dropout=0.0):
        super().__init__()
        self.self_attn = nn.MultiheadAttention(c1, num_heads, dropout=dropout)
        self.fc1, self.fc2 = nn.Linear(c1, cm), nn.Linear(cm, c1)
        self.norm1, self.norm2 = nn.LayerNorm(c1), nn.LayerNorm(c1)

    def forward(self, src, pos=None):
        q = k = src if pos is None else src + pos
        src = self.norm1(src + self.self_attn(q, k, value=src)[0])
        return self.norm2(src + self.fc2(F.gelu(self.fc1(src))))


class ELAEncoderStub(nn.Module):
    def __init__(self, dim=16):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, dim, 3, 2, 1), nn.ReLU(), nn.Conv2d(dim, dim, 3, 2, 1))
        self.encoder = TransformerLayer(dim)

    def forward(self, x):
        feat = self.stem(x)
        b, c, h, w = feat.shape
        src_flatten = feat.flatten(2).permute(0, 2, 1)         # (b, h*w, c)
        memory = self.encoder(src_flatten)
        return memory.permute(0, 2, 1).reshape(b, c, h, w)


@silent("https://github.com/om-ai-lab/OmDet/issues/19", "model.encoder.self_attn", "batch_on_time_axis samples_mix",
        truth="The encoder layer's nn.MultiheadAttention keeps the default (L, N, E) layout but receives the flattened "
              "feature map as (batch, tokens, channels), so it attends across the images of the batch at each "
              "position, which made batched inference inconsistent; the authors confirmed it must be "
              "batch_first=True (the trained weights stay valid).")
def flattened_feature_maps_into_seq_first_attention():
    return dict(model=ELAEncoderStub(), example_input=drawn(3, 3, 16, 16))


class SelfAttention(nn.Module):
    """QANet's multi-head self-attention: heads computed one by one into an (n_heads, batch, l, value_dim) buffer,
    then viewed to (batch, l, n_heads * value_dim) without moving the head axis."""

    def __init__(self, d_model=8, n_heads=2):
        super().__init__()
        self.n_heads, self.value_dim = n_heads, d_model // n_heads
        self.q = nn.ModuleList([nn.Linear(d_model, self.value_dim) for _ in range(n_heads)])
        self.k = nn.ModuleList([nn.Linear(d_model, self.value_dim) for _ in range(n_heads)])
        self.v = nn.ModuleList([nn.Linear(d_model, self.value_dim) for _ in range(n_heads)])
        self.out = nn.Linear(d_model, d_model)

    def forward(self, x):                                      # (batch, l, d_model)
        batch_size, l = x.size(0), x.size(1)
        heads = torch.zeros(self.n_heads, batch_size, l, self.value_dim)
        for i in range(self.n_heads):
            q, k, v = self.q[i](x), self.k[i](x), self.v[i](x)
            weights = torch.softmax(q @ k.transpose(1, 2) / math.sqrt(self.value_dim), dim=-1)
            heads[i] = weights @ v
        x = heads.view(batch_size, l, -1)
        return self.out(x)


class EncoderBlock(nn.Module):
    def __init__(self, d_model=8):
        super().__init__()
        self.norm = nn.LayerNorm(d_model)
        self.self_attention = SelfAttention(d_model)
        self.ffn = nn.Linear(d_model, d_model)

    def forward(self, x):
        x = x + self.self_attention(self.norm(x))
        return x + self.ffn(x)


@silent("https://github.com/hackiey/QAnet-pytorch/issues/2", "model.self_attention", "view_moves_axes samples_mix",
        truth="heads is (n_heads, batch, l, value_dim) and heads.view(batch_size, l, -1) regroups memory instead of "
              "moving the head axis behind the positions, so each output row mixes heads of other positions (and "
              "other examples); the author agreed it must be permute(1, 2, 0, 3).contiguous().view(...) and noted "
              "the bug was invisible with one head.")
def heads_viewed_into_positions_without_a_permute():
    return dict(model=EncoderBlock(), example_input=drawn_normal(3, 5, 8))


class QNet(nn.Module):
    def __init__(self, in_features=6, num_actions=4):
        super().__init__()
        self.fc1 = nn.Linear(in_features, 16)
        self.fc2 = nn.Linear(16, num_actions)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


@silent("https://github.com/hungtuchen/pytorch-dqn/issues/3", "sub", "loss_broadcast",
        truth="current_Q_values is gathered as (B, 1) while target_Q_values = rew + gamma * next_max_q is (B,), so the "
              "Bellman error target_Q_values - current_Q_values broadcasts to (B, B) and compares every transition "
              "with every target; the poster made the sizes agree with next_max_q.unsqueeze(-1).")
def bellman_error_between_a_column_and_a_row():
    Q, target_Q = QNet(), QNet()
    obs_batch, next_obs_batch = drawn_normal(5, 6), drawn_normal(5, 6, seed=1)
    act_batch = drawn_ids((5,), 4, seed=2)
    rew_batch, not_done_mask, gamma = drawn(5, seed=3), torch.ones(5), 0.99
    next_max_q = target_Q(next_obs_batch).detach().max(1)[0]
    target_Q_values = rew_batch + gamma * not_done_mask * next_max_q          # (B,)

    def bellman_loss(q_values, target_Q_values):
        current_Q_values = q_values.gather(1, act_batch.unsqueeze(1))          # (B, 1)
        bellman_error = target_Q_values - current_Q_values
        return bellman_error.clamp(-1, 1).pow(2).mean()

    return dict(model=Q, example_input=obs_batch, loss_fn=bellman_loss, target=target_Q_values)


class LateFusionEncoder(nn.Module):
    def __init__(self, vocab_size=30, embed_size=6, img_feature_size=10, rnn_hidden_size=8):
        super().__init__()
        self.word_embed = nn.Embedding(vocab_size, embed_size)
        self.ques_rnn = nn.LSTM(embed_size, rnn_hidden_size, batch_first=True)
        self.fusion = nn.Linear(img_feature_size + rnn_hidden_size, rnn_hidden_size)

    def forward(self, img, ques):
        _, (h, _) = self.ques_rnn(self.word_embed(ques))
        return torch.tanh(self.fusion(torch.cat([img, h[-1]], 1)))


class DiscriminativeDecoder(nn.Module):
    """The challenge starter's discriminative decoder: one score per candidate answer, log-softmax over dim 0."""

    def __init__(self, vocab_size=30, embed_size=6, rnn_hidden_size=8):
        super().__init__()
        self.word_embed = nn.Embedding(vocab_size, embed_size)
        self.option_rnn = nn.LSTM(embed_size, rnn_hidden_size, batch_first=True)
        self.log_softmax = nn.LogSoftmax(dim=0)

    def forward(self, enc_out, options):                      # enc_out (b, H), options (b, num_options, len)
        batch_size, num_options, max_opt_len = options.size()
        options = self.word_embed(options.contiguous().view(-1, num_options * max_opt_len))
        options = options.view(batch_size, num_options, max_opt_len, -1)
        scores = []
        for opt_id in range(num_options):
            opt_embed, _ = self.option_rnn(options[:, opt_id, :, :], None)
            scores.append(torch.sum(opt_embed[:, -1, :] * enc_out, 1))
        scores = torch.stack(scores, 1)                        # (b, num_options)
        return self.log_softmax(scores)


class VisDialModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = LateFusionEncoder()
        self.decoder = DiscriminativeDecoder()

    def forward(self, img, ques, options):
        return self.decoder(self.encoder(img, ques), options)


@silent("https://github.com/batra-mlp-lab/visdial-challenge-starter-pytorch/issues/1", "model.decoder.log_softmax",
        "samples_mix softmax_wrong_axis",
        truth="The decoder's scores are (batch_size, answer_options) and nn.LogSoftmax(dim=0) normalises each answer "
              "option across the dialogs of the batch instead of over the options of one dialog; the maintainers "
              "called it a typo and changed it to dim=1.")
def answer_scores_normalised_across_the_dialogs():
    img = drawn(3, 10)
    ques = drawn_ids((3, 5), 30, low=1, seed=1)
    options = drawn_ids((3, 4, 6), 30, low=1, seed=2)          # 100 candidate answers -> 4
    return dict(model=VisDialModel(), example_input=(img, ques, options))


# == correct (asked about, but right) ==============================================================

def my_softmax(input, axis=1):
    """NRI's softmax over any axis: move the axis to the front, softmax with the implicit dim, move it back."""
    trans_input = input.transpose(axis, 0).contiguous()
    soft_max_1d = F.softmax(trans_input)                       # implicit dim: 0 for a 3-D input
    return soft_max_1d.transpose(axis, 0)


class MLPEncoder(nn.Module):
    """NRI's MLP encoder: node MLP, node2edge with the receiver/sender matrices, edge-type logits."""

    def __init__(self, n_in=8, n_hid=8, edge_types=2, num_atoms=4):
        super().__init__()
        off_diag = torch.ones(num_atoms, num_atoms) - torch.eye(num_atoms)
        recv, send = torch.nonzero(off_diag, as_tuple=True)
        self.register_buffer("rel_rec", F.one_hot(recv, num_atoms).float())
        self.register_buffer("rel_send", F.one_hot(send, num_atoms).float())
        self.mlp1 = nn.Sequential(nn.Linear(n_in, n_hid), nn.ELU())
        self.mlp2 = nn.Sequential(nn.Linear(2 * n_hid, n_hid), nn.ELU())
        self.fc_out = nn.Linear(n_hid, edge_types)

    def node2edge(self, x):
        receivers = torch.matmul(self.rel_rec, x)
        senders = torch.matmul(self.rel_send, x)
        return torch.cat([senders, receivers], dim=2)

    def forward(self, inputs):                                 # (B, num_atoms, timesteps * dims)
        x = self.mlp1(inputs)
        x = self.mlp2(self.node2edge(x))
        return self.fc_out(x)                                  # (B, num_edges, edge_types)


class NRIEdgePosterior(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = MLPEncoder()

    def forward(self, data):
        logits = self.encoder(data)
        return my_softmax(logits, -1)


@correct("https://github.com/ethanfetaya/NRI/issues/25")
def edge_type_softmax_after_moving_the_axis_first():
    return dict(model=NRIEdgePosterior(), example_input=drawn_normal(3, 4, 8))


class Encoder(nn.Module):
    """pytorch-seq2seq's packed encoder: (src_len, batch) ids and their lengths, a bidirectional GRU, and the two
    final directions joined into the decoder's first hidden state."""

    def __init__(self, input_dim=30, emb_dim=6, enc_hid_dim=8, dec_hid_dim=8):
        super().__init__()
        self.embedding = nn.Embedding(input_dim, emb_dim)
        self.rnn = nn.GRU(emb_dim, enc_hid_dim, bidirectional=True)
        self.fc = nn.Linear(enc_hid_dim * 2, dec_hid_dim)

    def forward(self, src, src_len):
        embedded = self.embedding(src)
        packed_embedded = pack_padded_sequence(embedded, src_len.to('cpu'))
        packed_outputs, hidden = self.rnn(packed_embedded)
        outputs, _ = pad_packed_sequence(packed_outputs)
        hidden = torch.tanh(self.fc(torch.cat((hidden[-2, :, :], hidden[-1, :, :]), dim=1)))
        return outputs, hidden


@correct("https://github.com/bentrevett/pytorch-seq2seq/issues/91")
def packed_bidirectional_encoder_on_time_first_batches():
    src_len = torch.tensor([7, 5, 4])
    src = drawn_ids((7, 3), 30, low=1)
    src = src * (torch.arange(7)[:, None] < src_len[None, :]).long()   # padded with 0 after each length
    return dict(model=Encoder(), example_input=(src, src_len), batch_dim=1)


def attention(query, key, value, mask=None, dropout=None):
    d_k = query.size(-1)
    scores = torch.matmul(query, key.transpose(-2, -1)) / math.sqrt(d_k)
    if mask is not None:
        scores = scores.masked_fill(mask == 0, -1e9)
    p_attn = F.softmax(scores, dim=-1)
    if dropout is not None:
        p_attn = dropout(p_attn)
    return torch.matmul(p_attn, value), p_attn


class MultiHeadedAttention(nn.Module):
    """The Annotated Transformer's multi-head attention: view(nbatches, -1, h, d_k) then transpose(1, 2)."""

    def __init__(self, h=2, d_model=8, dropout=0.0):
        super().__init__()
        self.d_k, self.h = d_model // h, h
        self.linears = nn.ModuleList([nn.Linear(d_model, d_model) for _ in range(4)])
        self.attn = None
        self.dropout = nn.Dropout(p=dropout)

    def forward(self, query, key, value, mask=None):
        if mask is not None:
            mask = mask.unsqueeze(1)                           # the same mask for every head
        nbatches = query.size(0)
        query, key, value = [l(x).view(nbatches, -1, self.h, self.d_k).transpose(1, 2)
                             for l, x in zip(self.linears, (query, key, value))]
        x, self.attn = attention(query, key, value, mask=mask, dropout=self.dropout)
        x = x.transpose(1, 2).contiguous().view(nbatches, -1, self.h * self.d_k)
        return self.linears[-1](x)


@correct("https://github.com/harvardnlp/annotated-transformer/issues/17")
def heads_split_with_view_then_transpose():
    x = drawn_normal(3, 5, 8)
    mask = torch.ones(3, 1, 5, dtype=torch.bool)
    mask[1, :, 3:] = False                                     # the second sentence has 3 real tokens
    return dict(model=MultiHeadedAttention(), example_input=(x, x, x, mask))
