"""A fresh blind hold-out catalogue: shape mistakes reconstructed from public questions (each case cites its
thread) that neither the doctor's rules nor the other catalogues were written against. It measures the doctor
at first sight: it was written without reading the rules, from what the threads say.

Each case keeps the poster's layer types, the sizes that matter (scaled down where they were large), their
argument names and their call order; the code and the sentences are written afresh. ``truth`` says what the
thread found the cause to be (or, where the thread left it open, what running the reconstruction shows).
Where the PyTorch of the thread worded the error differently from today's, the case raises today's wording of
the same failure.

Cause ids marked ``# new cause`` were not known to the doctor when the batch was first run: they named
what the real cause is, so that the catalogue said what the doctor should learn. It has learnt them since;
the first-sight scores are in the README.
"""
import math

import torch
import torch.nn.functional as F
from einops import rearrange
from torch import nn

from . import Asked, drawn_ids as _ids, drawn as _rand

_asked = Asked()
CASES, SILENT, CORRECT = _asked.raising, _asked.silent_cases, _asked.correct_models
raises, silent, correct = _asked.raises, _asked.silent, _asked.correct


# == recurrent layers =============================================================================

class SentenceVAE(nn.Module):
    """Sentence-VAE, cut to what inference() touches: a bidirectional GRU decoder started from the latent."""

    def __init__(self, vocab_size=30, embedding_size=8, hidden_size=6, latent_size=4, num_layers=1,
                 bidirectional=True):
        super().__init__()
        self.hidden_size, self.num_layers, self.bidirectional = hidden_size, num_layers, bidirectional
        self.hidden_factor = (2 if bidirectional else 1) * num_layers
        self.embedding = nn.Embedding(vocab_size, embedding_size)
        self.decoder_rnn = nn.GRU(embedding_size, hidden_size, num_layers=num_layers,
                                  bidirectional=bidirectional, batch_first=True)
        self.latent2hidden = nn.Linear(latent_size, hidden_size * self.hidden_factor)
        self.outputs2vocab = nn.Linear(hidden_size * (2 if bidirectional else 1), vocab_size)

    def inference(self, z, sos_idx=2):
        batch_size = z.size(0)
        hidden = self.latent2hidden(z)
        if self.bidirectional or self.num_layers > 1:
            hidden = hidden.view(self.hidden_factor, batch_size, self.hidden_size)    # unflatten
        hidden = hidden.unsqueeze(0)                          # done for every model, not only the simple one
        input_sequence = torch.full((batch_size, 1), sos_idx, dtype=torch.long)
        output, hidden = self.decoder_rnn(self.embedding(input_sequence), hidden)
        return self.outputs2vocab(output)


@raises("https://github.com/timbmg/Sentence-VAE/issues/35", "model.decoder_rnn", "state_dims",
        truth="With a bidirectional GRU the latent is already unflattened to (hidden_factor, B, H), and the "
              "unconditional hidden.unsqueeze(0) after it makes the state 4-D, (1, 2, B, H); the unsqueeze belongs "
              "only to the one-layer one-direction case (the fix PR moves it into an else branch).")
def bidirectional_decoder_state_unsqueezed_twice():
    model = SentenceVAE()
    model.inference(torch.randn(10, 4))                       # n=10 samples


class LMModel3(nn.Module):
    """fastbook's LMModel3: the hidden state is kept on the module between batches."""

    def __init__(self, vocab_sz=30, n_hidden=8):
        super().__init__()
        self.i_h = nn.Embedding(vocab_sz, n_hidden)
        self.h_h = nn.Linear(n_hidden, n_hidden)
        self.h_o = nn.Linear(n_hidden, vocab_sz)
        self.h = 0

    def forward(self, x):                                     # (bs, 3)
        for i in range(3):
            self.h = self.h + self.i_h(x[:, i])
            self.h = F.relu(self.h_h(self.h))
        out = self.h_o(self.h)
        self.h = self.h.detach()                              # (bs, n_hidden) carried to the next batch
        return out

    def reset(self):
        self.h = 0


@raises("https://github.com/fastai/fastbook/pull/469", "model", "state_batch batch_changed", sizes=(4, 6),
        truth="self.h keeps the previous batch's (bs, n_hidden) state, so a last batch of another size cannot be "
              "added to it; the PR proposed averaging the state over the batch, and the maintainer answered that "
              "it works for him because fastai's language-model loader gives batches of one size.")
def state_kept_from_a_larger_batch():
    model = LMModel3()
    model(_ids((6, 3), 30))                                   # a full batch
    model(_ids((4, 3), 30, seed=1))                           # the dataset's last, smaller batch


class LSTMRegressor(nn.Module):
    """cpuheater's time-series LSTM: the final states of all layers are viewed as rows."""

    def __init__(self, num_classes=1, input_size=1, hidden_size=5, num_layers=2):
        super().__init__()
        self.num_layers, self.hidden_size = num_layers, hidden_size
        self.lstm = nn.LSTM(input_size, hidden_size, num_layers, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, x):                                     # (B, seq_length, 1)
        h_0 = torch.zeros(self.num_layers, x.size(0), self.hidden_size)
        c_0 = torch.zeros(self.num_layers, x.size(0), self.hidden_size)
        ula, (h_out, _) = self.lstm(x, (h_0, c_0))
        h_out = h_out.view(-1, self.hidden_size)              # (num_layers * B, H): every layer becomes rows
        return self.fc(h_out)


@raises("https://github.com/cpuheater/pytorch_examples/issues/2", "criterion",
        "batch_changed state_layers_as_batch", sizes=(6, 12),   # new cause
        truth="h_out.view(-1, hidden_size) flattens the (num_layers, B, H) final states into rows, which is one "
              "row per example only with one layer; with num_layers=2 the model returns twice as many predictions "
              "as targets (the fix is to take h_out[-1], the top layer).")
def two_layer_states_viewed_as_predictions():
    model = LSTMRegressor()
    trainX, trainY = _rand(6, 4, 1), _rand(6, 1, seed=1)
    criterion = nn.MSELoss()
    outputs = model(trainX)
    criterion(outputs, trainY)


@raises("https://github.com/PetrochukM/PyTorch-NLP/issues/62", "lstm", "lstm_state_pair",
        truth="An LSTMCell takes its state as a pair (h, c); the poster passed one hidden tensor, as GRUCell takes, "
              "so the cell read that tensor as the pair and failed; GRUCell worked because it has one state.")
def lstm_cell_given_one_state_tensor():
    lstm = nn.LSTMCell(8, 16)                                 # the poster's LSTMCell(256, 512)
    input_ = torch.randn(1, 8)
    hidden_state = torch.randn(1, 16)
    lstm(input_, hidden_state)


class Attn(nn.Module):
    """PyTorch-Batch-Attention-Seq2seq's Attn: the decoder state is repeated over the encoder steps."""

    def __init__(self, method, hidden_size):
        super().__init__()
        self.method, self.hidden_size = method, hidden_size
        self.attn = nn.Linear(hidden_size * 2, hidden_size)
        self.v = nn.Parameter(torch.rand(hidden_size) / math.sqrt(hidden_size))

    def forward(self, hidden, encoder_outputs):               # (layers * dirs, B, H), (T, B, H)
        max_len = encoder_outputs.size(0)
        H = hidden.repeat(max_len, 1, 1).transpose(0, 1)      # (B, layers * T, H) when layers > 1
        encoder_outputs = encoder_outputs.transpose(0, 1)     # (B, T, H)
        attn_energies = self.score(H, encoder_outputs)
        return F.softmax(attn_energies, dim=1).unsqueeze(1)

    def score(self, hidden, encoder_outputs):
        energy = torch.tanh(self.attn(torch.cat([hidden, encoder_outputs], 2)))
        energy = energy.transpose(2, 1)
        v = self.v.repeat(encoder_outputs.size(0), 1).unsqueeze(1)
        return torch.bmm(v, energy).squeeze(1)


class BahdanauAttnDecoderRNN(nn.Module):
    def __init__(self, hidden_size=8, embed_size=6, output_size=20, n_layers=2):
        super().__init__()
        self.embedding = nn.Embedding(output_size, embed_size)
        self.attn = Attn("concat", hidden_size)
        self.gru = nn.GRU(hidden_size + embed_size, hidden_size, n_layers)
        self.out = nn.Linear(hidden_size, output_size)

    def forward(self, word_input, last_hidden, encoder_outputs):
        word_embedded = self.embedding(word_input).view(1, word_input.size(0), -1)     # (1, B, E)
        attn_weights = self.attn(last_hidden, encoder_outputs)                         # the whole stacked state
        context = attn_weights.bmm(encoder_outputs.transpose(0, 1)).transpose(0, 1)    # (1, B, H)
        output, hidden = self.gru(torch.cat((word_embedded, context), 2), last_hidden)
        return F.log_softmax(self.out(output.squeeze(0)), dim=1), hidden


@raises("https://github.com/AuCson/PyTorch-Batch-Attention-Seq2seq/issues/7", "decoder.attn", "state_leading_axis",
        sizes=(5, 10),
        truth="The decoder's hidden state is (layers * directions, B, H), so hidden.repeat(max_len, 1, 1) stacks "
              "layers * T rows per example and cannot be joined to the T encoder outputs; the author answered that "
              "the code only handles the single-layer case.")
def stacked_decoder_state_repeated_over_the_steps():
    decoder = BahdanauAttnDecoderRNN()
    encoder_outputs = torch.randn(5, 3, 8)                    # (T, B, H)
    decoder(_ids((3,), 20), torch.zeros(2, 3, 8), encoder_outputs)


# == embeddings ===================================================================================

class EncoderRNN(nn.Module):
    def __init__(self, vocab_size, hidden_size=8):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, hidden_size, padding_idx=1)
        self.gru = nn.GRU(hidden_size, hidden_size)

    def forward(self, word_inputs):                           # (T, B)
        embedded = self.embedding(word_inputs)
        return self.gru(embedded)


@raises("https://github.com/pytorch/text/issues/235", "encoder.embedding", "embedding_range", sizes=(20, 35),
        truth="The vocabulary was rebuilt with min_freq=100, which shrank it (31760 to 2383 words), but the batches "
              "still carry ids from the full numbering, so ids past the smaller embedding table are looked up; the "
              "thread never settled it, and the reconstruction shows ids beyond the table's rows.")
def ids_from_the_full_vocabulary_into_a_pruned_table():
    encoder = EncoderRNN(vocab_size=20)                       # len(EN.vocab) after min_freq
    word_inputs = _ids((7, 3), 35)                            # numericalized against 35 words
    word_inputs[0, 0] = 34
    encoder(word_inputs)


class PositionalEncoder(nn.Module):
    """SamLynnEvans' encoder: a fixed table of max_seq_len positions added to the (B, T, d) embeddings."""

    def __init__(self, d_model, max_seq_len=20):
        super().__init__()
        self.d_model = d_model
        position = torch.arange(max_seq_len).unsqueeze(1)
        div = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_seq_len, d_model)
        pe[:, 0::2] = torch.sin(position * div)
        pe[:, 1::2] = torch.cos(position * div)
        self.register_buffer("pe", pe.unsqueeze(0))           # (1, max_seq_len, d)

    def forward(self, x):
        x = x * math.sqrt(self.d_model)
        seq_len = x.size(1)
        return x + self.pe[:, :seq_len]


class Decoder(nn.Module):
    def __init__(self, vocab_size, d_model, heads=2):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, d_model)
        self.pe = PositionalEncoder(d_model)
        self.layer = nn.TransformerDecoderLayer(d_model, heads, 16, dropout=0.0, batch_first=True)
        self.norm = nn.LayerNorm(d_model)

    def forward(self, trg, e_outputs):
        x = self.pe(self.embed(trg))
        return self.norm(self.layer(x, e_outputs))


class Encoder(nn.Module):
    def __init__(self, vocab_size, d_model, heads=2):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, d_model)
        self.pe = PositionalEncoder(d_model)
        self.layer = nn.TransformerEncoderLayer(d_model, heads, 16, dropout=0.0, batch_first=True)

    def forward(self, src):
        return self.layer(self.pe(self.embed(src)))


class Transformer(nn.Module):
    def __init__(self, src_vocab=30, trg_vocab=30, d_model=8):
        super().__init__()
        self.encoder = Encoder(src_vocab, d_model)
        self.decoder = Decoder(trg_vocab, d_model)
        self.out = nn.Linear(d_model, trg_vocab)

    def forward(self, src, trg):
        return self.out(self.decoder(trg, self.encoder(src)))


@raises("https://github.com/SamLynnEvans/Transformer/issues/14", "model.decoder.pe", "position_table_short",
        sizes=(20, 23),
        truth="-max_strlen was raised above 200, but the positional encoder's table still has max_seq_len=200 "
              "rows, so a 207-token sentence cannot be added to it; a commenter pointed at max_seq_len in the "
              "Positional Encoder, which must cover the longest input of encoder and decoder.")
def sentences_longer_than_the_position_table():
    model = Transformer()
    src, trg = _ids((2, 12), 30), _ids((2, 23), 30, seed=1)   # the poster's 207 against 200
    model(src, trg)


def KLDIVloss(output, target, V, D):
    """t2vec's loss: the k nearest cells of each target, looked up in the network's output distribution."""
    indices = torch.index_select(V, 0, target)                # (B, k): neighbour ids from the preprocessing
    outputk = torch.gather(output, 1, indices)
    targetk = torch.index_select(D, 0, target)
    return F.kl_div(outputk, targetk, reduction="sum")


@raises("https://github.com/boathit/t2vec/issues/17", "gather", "vocab_size_mismatch", sizes=(22, 20),  # new cause
        truth="The preprocessing made a vocabulary of 18866 cells but the network was built with vocab_size=18864, "
              "so the nearest-neighbour ids (up to 18865) index past the output's columns; the vocab_size must be "
              "the one the preprocessing produced, as the maintainer answered.")
def neighbour_ids_from_a_larger_vocabulary():
    generator = nn.Linear(8, 20)                              # vocab_size=20 in the network
    output = F.log_softmax(generator(torch.randn(4, 8)), dim=1)
    V = _ids((22, 3), 22, seed=3)                             # the preprocessing's 22 cells, k=3 neighbours
    V[:, 0] = torch.arange(22)                                # each cell is its own nearest neighbour
    D = torch.softmax(_rand(22, 3), dim=1)
    target = torch.tensor([3, 21, 7, 0])
    KLDIVloss(output, target, V, D)


# == attention ====================================================================================

class ScaleDotProductAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.softmax = nn.Softmax(dim=-1)

    def forward(self, q, k, v, mask=None, e=1e-12):
        batch_size, head, length, d_tensor = k.size()
        score = (q @ k.transpose(2, 3)) / math.sqrt(d_tensor)
        if mask is not None:
            score = score.masked_fill(mask == 0, -10000)
        score = self.softmax(score)
        return score @ v, score


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model=16, n_head=2):
        super().__init__()
        self.n_head = n_head
        self.attention = ScaleDotProductAttention()
        self.w_q, self.w_k = nn.Linear(d_model, d_model), nn.Linear(d_model, d_model)
        self.w_v, self.w_concat = nn.Linear(d_model, d_model), nn.Linear(d_model, d_model)

    def split(self, tensor):
        batch_size, length, d_model = tensor.size()
        return tensor.view(batch_size, length, self.n_head, d_model // self.n_head).transpose(1, 2)

    def concat(self, tensor):
        batch_size, head, length, d_tensor = tensor.size()
        return tensor.transpose(1, 2).contiguous().view(batch_size, length, head * d_tensor)

    def forward(self, q, k, v, mask=None):
        q, k, v = self.split(self.w_q(q)), self.split(self.w_k(k)), self.split(self.w_v(v))
        out, attention = self.attention(q, k, v, mask=mask)
        return self.w_concat(self.concat(out))


@raises("https://github.com/hyunwoongko/transformer/issues/32", "model.attention", "attn_mask_shape broadcast",
        sizes=(2, 3),
        truth="The scores are (batch, head, len, len) but the commenter's mask was (batch, len, len), without the "
              "head axis, so masked_fill lines the batch up with the heads; a mask of (len, len) or (batch, 1, len, "
              "len) broadcasts, and the commenter found an unsqueeze was needed.")
def mask_without_a_head_axis():
    model = MultiHeadAttention()
    x = torch.randn(3, 5, 16)                                 # batch 3, 2 heads
    mask = torch.tril(torch.ones(5, 5)).expand(3, 5, 5)       # (batch, len, len)
    model(x, x, x, mask=mask)


def scaled_dot_product(q, k, v, mask=None):
    attn_logits = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(q.size(-1))
    if mask is not None:
        attn_logits = attn_logits.masked_fill(mask == 0, -9e15)
    attention = F.softmax(attn_logits, dim=-1)
    return torch.matmul(attention, v), attention


class UvaMultiheadAttention(nn.Module):
    """uvadlc Tutorial 6's MultiheadAttention, with an input width different from embed_dim."""

    def __init__(self, input_dim, embed_dim, num_heads):
        super().__init__()
        self.embed_dim, self.num_heads, self.head_dim = embed_dim, num_heads, embed_dim // num_heads
        self.qkv_proj = nn.Linear(input_dim, 3 * embed_dim)
        self.o_proj = nn.Linear(embed_dim, embed_dim)

    def forward(self, x, mask=None):
        batch_size, seq_length, embed_dim = x.size()          # the input's width, not self.embed_dim
        qkv = self.qkv_proj(x)
        qkv = qkv.reshape(batch_size, seq_length, self.num_heads, 3 * self.head_dim).permute(0, 2, 1, 3)
        q, k, v = qkv.chunk(3, dim=-1)
        values, attention = scaled_dot_product(q, k, v, mask=mask)
        values = values.permute(0, 2, 1, 3)
        values = values.reshape(batch_size, seq_length, embed_dim)
        return self.o_proj(values)


@raises("https://github.com/phlippe/uvadlc_notebooks/issues/51", "mha", "reshape_wrong_width", sizes=(12, 5),  # new cause
        truth="forward() takes embed_dim from the input's size, which is input_dim, and then reshapes the heads' "
              "values to (batch, seq, input_dim); they hold embed_dim features, so the reshape fails whenever the "
              "two differ; the maintainers agreed it must be self.embed_dim.")
def heads_reshaped_to_the_input_width():
    mha = UvaMultiheadAttention(input_dim=5, embed_dim=12, num_heads=3)
    mha(torch.rand(2, 4, 5))


class TimmAttention(nn.Module):
    """timm's Attention: the fused qkv is split with C // num_heads features per head."""

    def __init__(self, dim, num_heads=8):
        super().__init__()
        self.num_heads = num_heads
        self.scale = (dim // num_heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, C // self.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        attn = ((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(B, N, C))


class Block(nn.Module):
    def __init__(self, dim, num_heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = TimmAttention(dim, num_heads)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, dim * 2), nn.GELU(), nn.Linear(dim * 2, dim))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class MAE_Encoder(nn.Module):
    def __init__(self, image_size=8, patch_size=4, emb_dim=16, num_layer=2, num_head=3):
        super().__init__()
        self.cls_token = nn.Parameter(torch.zeros(1, 1, emb_dim))
        self.pos_embedding = nn.Parameter(torch.zeros((image_size // patch_size) ** 2, 1, emb_dim))
        self.patchify = nn.Conv2d(3, emb_dim, patch_size, patch_size)
        self.transformer = nn.Sequential(*[Block(emb_dim, num_head) for _ in range(num_layer)])
        self.layer_norm = nn.LayerNorm(emb_dim)

    def forward(self, img):
        patches = rearrange(self.patchify(img), "b c h w -> (h w) b c") + self.pos_embedding
        patches = torch.cat([self.cls_token.expand(-1, patches.shape[1], -1), patches], dim=0)
        return self.layer_norm(self.transformer(rearrange(patches, "t b c -> b t c")))


@raises("https://github.com/IcarusWizard/MAE/issues/24", "model.transformer.0.attn", "heads_divide",
        truth="The attention splits emb_dim over num_head heads, and the default num_head=3 does not divide the "
              "poster's emb_dim (512, 256), so the fused qkv cannot be split; the author answered that emb_dim must "
              "be divisible by num_head (e.g. 8 heads for 512).")
def embedding_width_not_divisible_by_three_heads():
    model = MAE_Encoder(emb_dim=16, num_head=3)               # the poster's 512 with 3 heads
    model(torch.randn(2, 3, 8, 8))


# == convolutions and images ======================================================================

def normalize(tensor, mean, std):
    """What transforms.Normalize does to a (C, H, W) image, in place."""
    mean = torch.as_tensor(mean, dtype=tensor.dtype).view(-1, 1, 1)
    std = torch.as_tensor(std, dtype=tensor.dtype).view(-1, 1, 1)
    return tensor.sub_(mean).div_(std)


@raises("https://github.com/znxlwm/pytorch-MNIST-CelebA-GAN-DCGAN/issues/10", "sub_",
        "broadcast normalize_channels", sizes=(1, 3),   # new cause
        truth="MNIST digits are one-channel images, but Normalize was given three means and three stds (for RGB), "
              "and the in-place subtraction cannot grow the (1, 28, 28) image to three channels; a commenter fixed "
              "it with Normalize(mean=[0.5], std=[0.5]).")
def gray_digit_normalized_with_rgb_statistics():
    img = _rand(1, 28, 28)                                    # ToTensor() of a grayscale digit
    normalize(img, (0.5, 0.5, 0.5), (0.5, 0.5, 0.5))


class DeepLPFStub(nn.Module):
    """deeplpf's network entry: the backbone's first convolution takes RGB."""

    def __init__(self):
        super().__init__()
        self.backbonenet = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.LeakyReLU(),
                                         nn.Conv2d(16, 16, 3, padding=1))
        self.head = nn.Conv2d(16, 3, 1)

    def forward(self, img):
        return self.head(self.backbonenet(img))


@raises("https://github.com/sjmoran/deeplpf-image-enhancement/issues/16", "model.backbonenet.0", "conv_channels",
        sizes=(3, 4),
        truth="Pillow opened the repository's own PNG as RGBA, so the image had a fourth, alpha channel; the "
              "maintainer said to keep the first three channels, and the poster fixed it with .convert('RGB').")
def rgba_image_into_an_rgb_network():
    model = DeepLPFStub()
    img = _rand(12, 16, 4)                                    # np.array(Image.open(png)): (H, W, 4)
    model(img.permute(2, 0, 1).unsqueeze(0))                  # (1, 4, H, W)


class StackHourglassStub(nn.Module):
    """road_connectivity's StackHourglassNetMTL, cut to its stem."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, kernel_size=7, stride=2, padding=3, bias=True)
        self.bn1 = nn.BatchNorm2d(8)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(2, stride=2)

    def forward(self, x):
        return self.maxpool(self.relu(self.bn1(self.conv1(x))))


@raises("https://github.com/anilbatra2185/road_connectivity/issues/10", "model.conv1", "channels_last",
        sizes=(3, 32),
        truth="The batch reached the first 7x7 convolution as (N, H, W, C) images, channels last, so it read the "
              "height as the channels; the maintainer closed it as the code works with the repository's own data "
              "loading (which gives (N, C, H, W)), and running the reconstruction shows the channels-last batch.")
def channels_last_batch_into_the_stem():
    model = StackHourglassStub()
    model(_rand(2, 32, 32, 3))                                # the poster's (16, 256, 256, 3)


class UnetSkipConnectionBlock(nn.Module):
    """pix2pix's U-Net block: 4x4 stride-2 down, the inner block, 4x4 stride-2 up, then the skip cat."""

    def __init__(self, outer_nc, inner_nc, input_nc=None, submodule=None, outermost=False, innermost=False):
        super().__init__()
        self.outermost = outermost
        input_nc = outer_nc if input_nc is None else input_nc
        downconv = nn.Conv2d(input_nc, inner_nc, kernel_size=4, stride=2, padding=1, bias=False)
        downrelu, uprelu = nn.LeakyReLU(0.2, True), nn.ReLU(True)
        if outermost:
            upconv = nn.ConvTranspose2d(inner_nc * 2, outer_nc, kernel_size=4, stride=2, padding=1)
            model = [downconv, submodule, uprelu, upconv, nn.Tanh()]
        elif innermost:
            upconv = nn.ConvTranspose2d(inner_nc, outer_nc, kernel_size=4, stride=2, padding=1, bias=False)
            model = [downrelu, downconv, uprelu, upconv]
        else:
            upconv = nn.ConvTranspose2d(inner_nc * 2, outer_nc, kernel_size=4, stride=2, padding=1, bias=False)
            model = [downrelu, downconv, submodule, uprelu, upconv]
        self.model = nn.Sequential(*model)

    def forward(self, x):
        if self.outermost:
            return self.model(x)
        return torch.cat([x, self.model(x)], 1)


class UnetGenerator(nn.Module):
    def __init__(self, input_nc=3, output_nc=3, num_downs=5, ngf=4):
        super().__init__()
        unet_block = UnetSkipConnectionBlock(ngf * 8, ngf * 8, innermost=True)
        for _ in range(num_downs - 5):
            unet_block = UnetSkipConnectionBlock(ngf * 8, ngf * 8, submodule=unet_block)
        unet_block = UnetSkipConnectionBlock(ngf * 4, ngf * 8, submodule=unet_block)
        unet_block = UnetSkipConnectionBlock(ngf * 2, ngf * 4, submodule=unet_block)
        unet_block = UnetSkipConnectionBlock(ngf, ngf * 2, submodule=unet_block)
        self.model = UnetSkipConnectionBlock(output_nc, ngf, input_nc=input_nc, submodule=unet_block,
                                             outermost=True)

    def forward(self, input):
        return self.model(input)


@raises("https://github.com/junyanz/pytorch-CycleGAN-and-pix2pix/issues/566",
        "model.model.model.1.model.2.model.2", "unet_odd_size cat_sizes", sizes=(5, 4),
        truth="unet_256 halves the image eight times and doubles it back, so it only fits sides of 256 (or "
              "multiples); with crop_size=360 one level has an odd side (5), the transposed convolution gives 4 back, "
              "and the skip cat fails; the maintainer said unet_256 is only meant for 256-pixel images.")
def crop_size_not_a_power_of_two_through_the_unet():
    model = UnetGenerator()                                   # unet_32 here: five halvings
    model(torch.randn(1, 3, 40, 40))                          # 40 -> 20 -> 10 -> 5 -> 2 -> 1


# == normalization ================================================================================

@raises("https://github.com/sksq96/pytorch-summary/issues/85", "model.1", "batchnorm_axis", sizes=(100, 1),
        truth="The summary ran the model on (-1, 1, 300) inputs, so the Linear gives (N, 1, 100) and BatchNorm1d "
              "reads axis 1, of size 1, as its features; a commenter explained that BatchNorm1d takes (N, C) or "
              "(N, C, L), so the running mean should have 1 element there, not 100.")
def batchnorm_after_a_linear_on_a_three_d_batch():
    model = nn.Sequential(nn.Linear(300, 100), nn.BatchNorm1d(100), nn.Tanh(),
                          nn.Linear(100, 50), nn.Tanh(), nn.Linear(50, 3))
    model(torch.randn(2, 1, 300))                             # summary(model, (1, 300))


# == flatten and linear ===========================================================================

class LogisticRegression(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(784, 10)

    def forward(self, x):
        return self.linear(x)                                 # no x.view(x.size(0), -1)


@raises("https://github.com/facebookresearch/CrypTen/issues/487", "model.linear", "flatten_missing",
        sizes=(784, 28),
        truth="The MNIST images come as (N, 28, 28) and the logistic regression's Linear(784, 10) multiplied their "
              "last axis, 28 wide; the poster solved it by adding x = x.view(x.size(0), -1) in forward (and sizing "
              "the CNN's fc1 from 64 * 12 * 12).")
def mnist_images_into_a_linear_without_flatten():
    model = LogisticRegression()
    model(_rand(8, 28, 28))                                   # the tutorial's 100 images


# == losses =======================================================================================

@raises("https://github.com/jfzhang95/pytorch-deeplab-xception/issues/185", "criterion",
        "ce_onehot_long ce_target_extra_axis",
        truth="The masks reached the loss one-hot, (B, H, W, 4), while CrossEntropyLoss takes one class index per "
              "pixel, (B, H, W); a commenter answered that the target should be 3-dimensional.")
def one_hot_masks_into_segmentation_cross_entropy():
    logit = torch.randn(2, 4, 9, 9)                           # DeepLab's (B, classes, H, W)
    target = F.one_hot(_ids((2, 9, 9), 4), 4)                 # (B, H, W, 4)
    criterion = nn.CrossEntropyLoss(ignore_index=255)
    criterion(logit, target.long())


class SegLoss(nn.Module):
    """BiO-Net's loss: NLL of the log-softmax, summed."""

    def forward(self, predicted, target):
        return F.nll_loss(F.log_softmax(predicted, dim=1), target, reduction="sum")


@raises("https://github.com/tiangexiang/BiO-Net/issues/10", "criterion", "ce_target_extra_axis",
        sizes=((1, 16, 16), (1, 1, 16, 16)),
        truth="The masks keep their channel axis, (1, 1, H, W), but the pixel-wise NLL loss takes one class index "
              "per pixel as (N, H, W); the author answered to convert the target from [1, 1, 512, 512] to "
              "[1, 512, 512] before the loss.")
def mask_with_a_channel_axis_into_nll_loss():
    net = nn.Conv2d(3, 2, 3, padding=1)                       # stands in for BiO-Net's two-class output
    x, y = torch.randn(1, 3, 16, 16), (_rand(1, 1, 16, 16) > 0.5).float()
    criterion = SegLoss()
    output = net(x)
    criterion(output, y.long())


# == plain tensor code ============================================================================

@raises("https://github.com/pytorch/pytorch/issues/58380", "einsum", "einsum_sizes", sizes=(8, 3),
        truth="In 'bix,iox->box' the letter i names the second axis of the input (8192) and the first of the "
              "weights (12), which do not match; the maintainers agreed the i sizes differ and that the error, "
              "which then printed only remapped shapes, should name the subscript (as it now does).")
def spectral_weights_laid_out_like_the_input():
    first = _rand(3, 8, 2)                                    # (b, i, x): the poster's (12, 8192, 2)
    weights1 = _rand(3, 8, 2, seed=1)                         # meant (i, o, x)
    torch.einsum("bix,iox->box", first, weights1)


# == silent =======================================================================================

class DQN(nn.Module):
    """dqn-pytorch's network: convolutions over the 4 stacked frames, then an LSTM without batch_first."""

    def __init__(self, n_action=4, lstm_memory=12):
        super().__init__()
        self.conv1 = nn.Conv2d(4, 8, kernel_size=5, stride=2)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 8, kernel_size=3, stride=2)
        self.bn2 = nn.BatchNorm2d(8)
        self.lstm = nn.LSTM(16, lstm_memory, 1)               # reads (seq_len, batch, input_size)
        self.head = nn.Linear(8 * lstm_memory, n_action)

    def forward(self, x):                                     # (B, 4, 21, 21)
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))                   # (B, 8, 4, 4)
        x = x.view(x.size(0), -1, 16)                         # (B, 8, 16): batch first
        x, _ = self.lstm(x)
        return self.head(x.reshape(x.size(0), -1))


@silent("https://github.com/AndersonJo/dqn-pytorch/issues/1", "model.lstm", "batch_on_time_axis",
        truth="The CNN gives the LSTM (batch, seq_len, input_size) = (32, 64, 16), but the LSTM was built without "
              "batch_first=True, so it runs over the batch as if it were time; the author agreed, and it trained "
              "anyway, which is why nothing raised.")
def cnn_features_into_a_seq_first_lstm():
    return dict(model=DQN(), example_input=torch.randn(5, 4, 21, 21))


class SentenceVAEModel(nn.Module):
    """Sentence-VAE's forward with a bidirectional GRU: the states are flattened and unflattened with view."""

    def __init__(self, vocab_size=30, embedding_size=8, hidden_size=6, latent_size=4, num_layers=1,
                 bidirectional=True):
        super().__init__()
        self.hidden_size, self.num_layers, self.bidirectional = hidden_size, num_layers, bidirectional
        self.hidden_factor = (2 if bidirectional else 1) * num_layers
        self.embedding = nn.Embedding(vocab_size, embedding_size)
        self.encoder_rnn = nn.GRU(embedding_size, hidden_size, num_layers=num_layers,
                                  bidirectional=bidirectional, batch_first=True)
        self.decoder_rnn = nn.GRU(embedding_size, hidden_size, num_layers=num_layers,
                                  bidirectional=bidirectional, batch_first=True)
        self.hidden2mean = nn.Linear(hidden_size * self.hidden_factor, latent_size)
        self.latent2hidden = nn.Linear(latent_size, hidden_size * self.hidden_factor)
        self.outputs2vocab = nn.Linear(hidden_size * (2 if bidirectional else 1), vocab_size)

    def forward(self, input_sequence):                        # (B, T)
        batch_size = input_sequence.size(0)
        input_embedding = self.embedding(input_sequence)
        _, hidden = self.encoder_rnn(input_embedding)         # (hidden_factor, B, H)
        if self.bidirectional or self.num_layers > 1:
            hidden = hidden.view(batch_size, self.hidden_size * self.hidden_factor)
        else:
            hidden = hidden.squeeze()
        z = self.hidden2mean(hidden)                          # the mean: eval-time z, no sampling
        hidden = self.latent2hidden(z)                        # (B, hidden_factor * H)
        if self.bidirectional or self.num_layers > 1:
            hidden = hidden.view(self.hidden_factor, batch_size, self.hidden_size)
        else:
            hidden = hidden.unsqueeze(0)
        outputs, _ = self.decoder_rnn(input_embedding, hidden)
        return self.outputs2vocab(outputs)


@silent("https://github.com/timbmg/Sentence-VAE/issues/20", "model", "view_moves_axes samples_mix",
        truth="latent2hidden gives (batch, hidden_factor * hidden), and view(hidden_factor, batch, hidden) "
              "reinterprets that memory instead of moving the factor axis, so the decoder's initial states mix "
              "different sentences; the issue proposed view(batch, hidden_factor, hidden).transpose(0, 1) (and "
              "the same view is used in both forward and inference).")
def latent_unflattened_across_the_batch():
    return dict(model=SentenceVAEModel(), example_input=_ids((3, 6), 30))


class PositionalEncoding(nn.Module):
    """hello-agents chapter 3: the RNN-style (max_len, 1, d_model) table, inside a batch-first model."""

    def __init__(self, d_model, dropout=0.1, max_len=64):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        position = torch.arange(max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, 1, d_model)
        pe[:, 0, 0::2] = torch.sin(position * div_term)
        pe[:, 0, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe)

    def forward(self, x):                                     # x: (batch_size, seq_len, d_model)
        x = x + self.pe[:x.size(0)]                           # indexes the table by batch position
        return self.dropout(x)


class PositionWiseFeedForward(nn.Module):
    def __init__(self, d_model, d_ff, dropout=0.1):
        super().__init__()
        self.linear1, self.linear2 = nn.Linear(d_model, d_ff), nn.Linear(d_ff, d_model)
        self.dropout, self.relu = nn.Dropout(dropout), nn.ReLU()

    def forward(self, x):
        return self.linear2(self.dropout(self.relu(self.linear1(x))))


class TinyTransformer(nn.Module):
    def __init__(self, vocab=30, d_model=16):
        super().__init__()
        self.embedding = nn.Embedding(vocab, d_model)
        self.positional_encoding = PositionalEncoding(d_model)
        self.feed_forward = PositionWiseFeedForward(d_model, 32)
        self.fc_out = nn.Linear(d_model, vocab)

    def forward(self, src):                                   # (B, T)
        x = self.positional_encoding(self.embedding(src) * math.sqrt(16))
        return self.fc_out(x + self.feed_forward(x))


@silent("https://github.com/datawhalechina/hello-agents/issues/61", "model.positional_encoding",
        "positions_wrong_axis",
        truth="The chapter's attention and feed-forward modules take (batch, seq, dim), but the positional table "
              "was kept in the RNN layout (max_len, 1, d_model), so pe[:x.size(0)] picks one encoding per batch "
              "index and adds it to every token of that sequence; the issue proposed a (1, max_len, d_model) "
              "table, and a follow-up PR fixed the shape.")
def seq_first_position_table_in_a_batch_first_model():
    return dict(model=TinyTransformer(), example_input=_ids((4, 7), 30))


@silent("https://github.com/pytorch/pytorch/issues/16045", "loss_fn: mse_loss", "loss_broadcast",
        truth="nn.Linear(2, 1) gives (n, 1) predictions and the targets are (n,); MSELoss broadcasts them to "
              "(n, n), so the regression never finds the right coefficients and nothing is raised; the issue led to "
              "the size warning mse_loss now gives (y.reshape(n, 1) fixes it).")
def linear_regression_column_against_target_row():
    x = torch.randn(10, 2)
    y = 10 + 9 * x[:, 0] - 2 * x[:, 1]                        # (n,)
    return dict(model=nn.Linear(2, 1), example_input=x, loss_fn=nn.MSELoss(), target=y)


class DALLEText(nn.Module):
    """DALLE-pytorch's text half: token embeddings to logits over the text vocabulary."""

    def __init__(self, num_text_tokens=20, dim=16, ignore_index=-100):
        super().__init__()
        self.ignore_index = ignore_index                      # defined, but the loss never uses it
        self.text_emb = nn.Embedding(num_text_tokens, dim)
        self.to_logits = nn.Sequential(nn.LayerNorm(dim), nn.Linear(dim, num_text_tokens))

    def forward(self, text):                                  # (B, n)
        return self.to_logits(self.text_emb(text))           # (B, n, num_text_tokens)


def dalle_loss(logits, labels):
    return F.cross_entropy(rearrange(logits, "b n c -> b c n"), labels)    # pads (id 0) are scored


def _padded_captions(lengths, vocab=20):
    ids = torch.zeros(len(lengths), max(lengths), dtype=torch.long)         # the tokenizer pads with 0
    g = torch.Generator().manual_seed(4)
    for b, n in enumerate(lengths):
        ids[b, :n] = torch.randint(1, vocab, (n,), generator=g)
    return ids


@silent("https://github.com/lucidrains/DALLE-pytorch/issues/57", "cross_entropy", "padding_in_loss",
        truth="ignore_index is defined but never passed to the cross-entropy, so the text's padding (id 0, the "
              "default tokenizer's pad) is scored as targets; the maintainer passed it to the loss and the "
              "commenter noted the default should be 0, the pad id.")
def padded_caption_tokens_scored():
    text = _padded_captions([8, 5, 3])
    return dict(model=DALLEText(), example_input=text[:, :-1], loss_fn=dalle_loss, target=text[:, 1:])


# == correct (asked about, but right) ============================================================

class DeepVO(nn.Module):
    """DeepVO: consecutive frames stacked, a CNN per pair, then a batch_first LSTM over the pairs."""

    def __init__(self, hidden=16):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(6, 8, 3, 2, 1), nn.LeakyReLU(0.1), nn.Conv2d(8, 8, 3, 2, 1),
                                  nn.LeakyReLU(0.1))
        self.rnn = nn.LSTM(8 * 4 * 4, hidden, num_layers=2, batch_first=True)
        self.linear = nn.Linear(hidden, 6)

    def encode_image(self, x):
        return self.conv(x)

    def forward(self, x):                                     # (B, seq, C, H, W)
        x = torch.cat((x[:, :-1], x[:, 1:]), dim=2)           # (B, seq - 1, 6, H, W)
        batch_size, seq_len = x.size(0), x.size(1)
        x = x.view(batch_size * seq_len, x.size(2), x.size(3), x.size(4))
        x = self.encode_image(x)
        x = x.view(batch_size, seq_len, -1)
        out, hc = self.rnn(x)
        return self.linear(out)


@correct("https://github.com/ChiWeiHsiao/DeepVO-pytorch/issues/31")
def batch_first_lstm_over_frame_pairs():
    return dict(model=DeepVO(), example_input=torch.randn(2, 4, 3, 16, 16))


class SpectralConv1d(nn.Module):
    def __init__(self, in_channels, out_channels, modes1):
        super().__init__()
        self.out_channels, self.modes1 = out_channels, modes1
        self.scale = 1 / (in_channels * out_channels)
        self.weights1 = nn.Parameter(self.scale * torch.rand(in_channels, out_channels, modes1, dtype=torch.cfloat))

    def forward(self, x):                                     # (batch, channel, x)
        batchsize = x.shape[0]
        x_ft = torch.fft.rfft(x)
        out_ft = torch.zeros(batchsize, self.out_channels, x.size(-1) // 2 + 1, dtype=torch.cfloat)
        out_ft[:, :, :self.modes1] = torch.einsum("bix,iox->box", x_ft[:, :, :self.modes1], self.weights1)
        return torch.fft.irfft(out_ft, n=x.size(-1))


class FNO1d(nn.Module):
    """The Fourier neural operator: Linear on (batch, x, channel), permute, 1-D convolutions, permute back."""

    def __init__(self, modes=4, width=8):
        super().__init__()
        self.fc0 = nn.Linear(2, width)
        self.conv0, self.conv1 = SpectralConv1d(width, width, modes), SpectralConv1d(width, width, modes)
        self.w0, self.w1 = nn.Conv1d(width, width, 1), nn.Conv1d(width, width, 1)
        self.fc1 = nn.Linear(width, 16)
        self.fc2 = nn.Linear(16, 1)

    def forward(self, x):                                     # (batch, x, 2)
        x = self.fc0(x)
        x = x.permute(0, 2, 1)                                # (batch, width, x)
        x = F.gelu(self.conv0(x) + self.w0(x))
        x = self.conv1(x) + self.w1(x)
        x = x.permute(0, 2, 1)                                # (batch, x, width)
        return self.fc2(F.gelu(self.fc1(x)))


@correct("https://github.com/neuraloperator/neuraloperator/issues/23")
def fourier_operator_permuting_for_its_convolutions():
    return dict(model=FNO1d(), example_input=torch.randn(3, 16, 2))


class KeonEncoder(nn.Module):
    def __init__(self, input_size, embed_size, hidden_size, n_layers=1):
        super().__init__()
        self.hidden_size = hidden_size
        self.embed = nn.Embedding(input_size, embed_size)
        self.gru = nn.GRU(embed_size, hidden_size, n_layers, bidirectional=True)

    def forward(self, src, hidden=None):                      # (T, B)
        outputs, hidden = self.gru(self.embed(src), hidden)
        outputs = outputs[:, :, :self.hidden_size] + outputs[:, :, self.hidden_size:]    # sum the directions
        return outputs, hidden


class Attention(nn.Module):
    def __init__(self, hidden_size):
        super().__init__()
        self.hidden_size = hidden_size
        self.attn = nn.Linear(hidden_size * 2, hidden_size)
        self.v = nn.Parameter(torch.rand(hidden_size))
        stdv = 1.0 / math.sqrt(self.v.size(0))
        self.v.data.uniform_(-stdv, stdv)

    def forward(self, hidden, encoder_outputs):               # (B, H), (T, B, H)
        timestep = encoder_outputs.size(0)
        h = hidden.repeat(timestep, 1, 1).transpose(0, 1)     # (B, T, H)
        encoder_outputs = encoder_outputs.transpose(0, 1)     # (B, T, H)
        attn_energies = self.score(h, encoder_outputs)
        return F.softmax(attn_energies, dim=1).unsqueeze(1)   # (B, 1, T)

    def score(self, hidden, encoder_outputs):
        energy = F.relu(self.attn(torch.cat([hidden, encoder_outputs], 2)))
        energy = energy.transpose(1, 2)                       # (B, H, T)
        v = self.v.repeat(encoder_outputs.size(0), 1).unsqueeze(1)    # (B, 1, H)
        return torch.bmm(v, energy).squeeze(1)                # (B, T)


class KeonDecoder(nn.Module):
    def __init__(self, embed_size, hidden_size, output_size, n_layers=1):
        super().__init__()
        self.output_size, self.n_layers = output_size, n_layers
        self.embed = nn.Embedding(output_size, embed_size)
        self.attention = Attention(hidden_size)
        self.gru = nn.GRU(hidden_size + embed_size, hidden_size, n_layers)
        self.out = nn.Linear(hidden_size * 2, output_size)

    def forward(self, input, last_hidden, encoder_outputs):
        embedded = self.embed(input).unsqueeze(0)             # (1, B, N)
        attn_weights = self.attention(last_hidden[-1], encoder_outputs)
        context = attn_weights.bmm(encoder_outputs.transpose(0, 1))    # (B, 1, N)
        context = context.transpose(0, 1)                     # (1, B, N)
        output, hidden = self.gru(torch.cat([embedded, context], 2), last_hidden)
        output = self.out(torch.cat([output.squeeze(0), context.squeeze(0)], 1))
        return F.log_softmax(output, dim=1), hidden, attn_weights


class Seq2Seq(nn.Module):
    def __init__(self, src_vocab=30, trg_vocab=25, embed_size=8, hidden_size=12):
        super().__init__()
        self.encoder = KeonEncoder(src_vocab, embed_size, hidden_size)
        self.decoder = KeonDecoder(embed_size, hidden_size, trg_vocab)

    def forward(self, src, trg):                              # (T_src, B), (T_trg, B): teacher forcing
        batch_size, max_len = src.size(1), trg.size(0)
        outputs = torch.zeros(max_len, batch_size, self.decoder.output_size)
        encoder_output, hidden = self.encoder(src)
        hidden = hidden[:self.decoder.n_layers]
        output = trg[0, :]                                    # <sos>
        for t in range(1, max_len):
            output, hidden, attn_weights = self.decoder(output, hidden, encoder_output)
            outputs[t] = output
            output = trg[t]
        return outputs


@correct("https://github.com/keon/seq2seq/issues/16")
def seq_first_attention_decoder_with_bmm():
    return dict(model=Seq2Seq(), example_input=(_ids((7, 3), 30), _ids((6, 3), 25, seed=1)), batch_dim=1)
