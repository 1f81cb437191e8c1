"""A seventh blind hold-out catalogue: shape mistakes reconstructed from public questions (each case cites its
thread) that neither the doctor's rules nor the other catalogues were written against. It was written without
reading the rules, the silent checks or the doctor's tests, from what the threads say, and first run as a
measurement at first sight (the scores are in the README); it joined ``MODULES`` once the doctor had learnt what
it could of it. It leans on what the earlier batches had few of: normalisation layers (LayerNorm on
a channels-first map, BatchNorm1d on tokens, GroupNorm groups), nn.Transformer and MultiheadAttention, causal
masks, F.pad, Tensor.unfold / F.unfold, split, scatter, one_hot, expand_as, einsum-free attention code, recurrent
states in seq2seq, packing, contrastive losses, and padding handled silently.

Each case keeps the poster's layer types, the sizes that matter (scaled down where they were large), their
argument names and their call order; the code and the sentences are written afresh. ``truth`` says what the
thread found the cause to be (or, where the thread left it open, what running the reconstruction shows).
Where the PyTorch of the thread worded the error differently from today's, the case raises today's wording of
the same failure: lichengunc/MAttNet #5 (a ValueError from the Python pack_padded_sequence then, today's
RuntimeError from the ATen check), wasiahmad/context_attentive_ir #10 (the state check printed a tuple then, a
list now) and atong01/conditional-flow-matching #161 (GroupNorm's message now names the two numbers).

Where a thread's model came from torchvision, mmcv/mmsegmentation, MONAI, open_clip, fairseq or another package
that is not installed here, a small stand-in with the same module names and output layout takes its place; the
mistake is in the poster's code (or the configuration) around it.

Cause ids and finding kinds marked ``# new cause`` / ``# new kind`` were not used by the other catalogues when
the batch was written: they name what the real cause is.
"""
import math
from types import SimpleNamespace

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from . import Asked, drawn, drawn_ids, drawn_normal

_asked = Asked()
CASES, SILENT, CORRECT = _asked.raising, _asked.silent_cases, _asked.correct_models
raises, silent, correct = _asked.raises, _asked.silent, _asked.correct


# == normalisation layers ==========================================================================

class ConvModule(nn.Module):
    """mmcv's ConvModule, cut down: a conv, then the norm layer named after its type ('bn', 'ln', ...)."""

    def __init__(self, in_channels, out_channels, kernel_size, norm_cfg=dict(type='BN')):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, bias=False)
        if norm_cfg['type'] == 'LN':
            self.norm_name = 'ln'
            self.add_module('ln', nn.LayerNorm(out_channels))
        else:
            self.norm_name = 'bn'
            self.add_module('bn', nn.BatchNorm2d(out_channels))
        self.activate = nn.ReLU()

    def forward(self, x):
        return self.activate(getattr(self, self.norm_name)(self.conv(x)))


class SegformerHead(nn.Module):
    """mmseg's SegformerHead: each stage projected by a 1x1 ConvModule, resized to the first stage, fused."""

    def __init__(self, in_channels=(4, 8), channels=16, num_classes=3, norm_cfg=dict(type='BN')):
        super().__init__()
        self.convs = nn.ModuleList([ConvModule(c, channels, 1, norm_cfg=norm_cfg) for c in in_channels])
        self.fusion_conv = ConvModule(channels * len(in_channels), channels, 1, norm_cfg=norm_cfg)
        self.conv_seg = nn.Conv2d(channels, num_classes, 1)

    def forward(self, inputs):
        outs = []
        for x, conv in zip(inputs, self.convs):
            outs.append(F.interpolate(conv(x), size=inputs[0].shape[2:], mode='bilinear', align_corners=False))
        return self.conv_seg(self.fusion_conv(torch.cat(outs, dim=1)))


class MiTStub(nn.Module):
    """The mix-transformer backbone, cut down to two stages returning (B, C, H, W) maps at 1/4 and 1/8."""

    def __init__(self):
        super().__init__()
        self.stage1 = nn.Conv2d(3, 4, 4, 4)
        self.stage2 = nn.Conv2d(4, 8, 2, 2)

    def forward(self, img):
        c1 = self.stage1(img)
        return [c1, self.stage2(c1)]


class EncoderDecoder(nn.Module):
    def __init__(self, norm_cfg):
        super().__init__()
        self.backbone = MiTStub()
        self.decode_head = SegformerHead(norm_cfg=norm_cfg)

    def forward(self, img):
        return self.decode_head(self.backbone(img))


@raises("https://github.com/open-mmlab/mmsegmentation/issues/3809", "model.decode_head.convs.0.ln", "layernorm_axis",
        sizes=(16, 10),
        truth="The poster set the decode head's norm_cfg to LN, and ConvModule applies its norm layer to the "
              "(B, C, H, W) map, which nn.LayerNorm(C) normalises over the last axis (the width); the poster found "
              "that SegFormer's head expects batch norm and went back to SyncBN (permuting to channels-last around "
              "the LayerNorm also runs).")
def segformer_head_built_with_layer_norm():
    model = EncoderDecoder(norm_cfg=dict(type='LN'))
    model(drawn(2, 3, 32, 40))                                 # 512 x 512 crops in the thread


def build_mlp(num_layers, input_dim, mlp_dim, output_dim, last_bn=True):
    """RCG's (MoCo v3's) projection MLP: Linear, BatchNorm1d, ReLU, ..., with a last affine-free BatchNorm1d."""
    mlp = []
    for l in range(num_layers):
        dim1 = input_dim if l == 0 else mlp_dim
        dim2 = output_dim if l == num_layers - 1 else mlp_dim
        mlp.append(nn.Linear(dim1, dim2, bias=False))
        if l < num_layers - 1:
            mlp.append(nn.BatchNorm1d(dim2))
            mlp.append(nn.ReLU(inplace=True))
        elif last_bn:
            mlp.append(nn.BatchNorm1d(dim2, affine=False))
    return nn.Sequential(*mlp)


@raises("https://github.com/LTH14/rcg/issues/9", "projector.1", "batchnorm_axis", sizes=(16, 5),
        truth="The projection MLP normalises (N, C) vectors, but the poster fed it the ViT's whole token sequence "
              "(batch, 197, dim); BatchNorm1d reads a 3-D input as (N, C, L), so it takes the 197 tokens for "
              "channels; the head must get one vector per image (the class token or a pooled token), or the "
              "tokens flattened into the batch.")
def projection_head_given_every_token():
    projector = build_mlp(2, input_dim=8, mlp_dim=16, output_dim=8)   # 768 -> 4096 -> 256 in the thread
    tokens = drawn_normal(4, 5, 8)                                     # (batch, 197 tokens, dim)
    projector(tokens)


class TimestepBlockStub(nn.Module):
    """guided-diffusion's ResBlock, cut down to what is built: GroupNorm32(32, channels) before the conv."""

    def __init__(self, channels, out_channels):
        super().__init__()
        self.in_layers = nn.Sequential(nn.GroupNorm(32, channels), nn.SiLU(), nn.Conv2d(channels, out_channels, 3, padding=1))


class UNetModel(nn.Module):
    """torchcfm's UNetModel, cut down: the channel multipliers are chosen from the image size, as in
    guided-diffusion, and every level's ResBlocks start with a 32-group GroupNorm."""

    def __init__(self, dim, num_channels, num_res_blocks, channel_mult=None):
        super().__init__()
        image_size = dim[-1]
        if channel_mult is None:
            if image_size == 512:
                channel_mult = (0.5, 1, 1, 2, 2, 4, 4)
            elif image_size == 256:
                channel_mult = (1, 1, 2, 2, 4, 4)
            elif image_size == 64:
                channel_mult = (1, 2, 3, 4)
            else:
                channel_mult = (1, 2, 2, 2)
        ch = input_ch = int(channel_mult[0] * num_channels)
        self.input_blocks = nn.ModuleList([nn.Conv2d(dim[0], ch, 3, padding=1)])
        for level, mult in enumerate(channel_mult):
            for _ in range(num_res_blocks):
                self.input_blocks.append(TimestepBlockStub(ch, int(mult * num_channels)))
                ch = int(mult * num_channels)
        self.input_ch = input_ch


@raises("https://github.com/atong01/conditional-flow-matching/issues/161", "", "groupnorm_groups", sizes=(32, 16),
        truth="For 512 x 512 images the UNet picks channel_mult = (0.5, 1, 1, 2, 2, 4, 4), so with num_channels=32 "
              "the first level has int(0.5 * 32) = 16 channels, which the 32 groups of GroupNorm32 cannot divide; "
              "the model can only be built with num_channels a multiple of 64 at that size (or a channel_mult "
              "that starts at 1).")
def unet_for_512_images_with_32_base_channels():
    UNetModel(dim=(1, 512, 512), num_channels=32, num_res_blocks=1)


# == transformers, attention and masks ============================================================

class DETRdemo(nn.Module):
    """The minimal DETR of the paper's appendix: backbone, 1x1 conv, nn.Transformer (seq-first), learnt queries
    made into a batch of one with unsqueeze(1)."""

    def __init__(self, num_classes=3, hidden_dim=16, nheads=2, num_encoder_layers=1, num_decoder_layers=1):
        super().__init__()
        self.backbone = nn.Sequential(nn.Conv2d(3, 32, 8, 8), nn.ReLU())          # resnet50 without its head
        self.conv = nn.Conv2d(32, hidden_dim, 1)
        self.transformer = nn.Transformer(hidden_dim, nheads, num_encoder_layers, num_decoder_layers,
                                          dim_feedforward=32, dropout=0.0)
        self.linear_class = nn.Linear(hidden_dim, num_classes + 1)
        self.linear_bbox = nn.Linear(hidden_dim, 4)
        self.query_pos = nn.Parameter(torch.rand(10, hidden_dim))
        self.row_embed = nn.Parameter(torch.rand(50, hidden_dim // 2))
        self.col_embed = nn.Parameter(torch.rand(50, hidden_dim // 2))

    def forward(self, inputs):
        x = self.backbone(inputs)
        h = self.conv(x)
        H, W = h.shape[-2:]
        pos = torch.cat([self.col_embed[:W].unsqueeze(0).repeat(H, 1, 1),
                         self.row_embed[:H].unsqueeze(1).repeat(1, W, 1)], dim=-1).flatten(0, 1).unsqueeze(1)
        h = self.transformer(pos + h.flatten(2).permute(2, 0, 1), self.query_pos.unsqueeze(1))
        return self.linear_class(h), self.linear_bbox(h).sigmoid()


@raises("https://github.com/facebookresearch/detr/issues/130", "model.transformer", "attn_batch_mismatch batch_hardcoded",
        sizes=(2, 1),
        truth="The demo DETR makes its object queries a batch of one (query_pos.unsqueeze(1)), so with two images "
              "the encoder memory holds two examples and the decoder's target one; the maintainers said the demo "
              "does not support batching (the full model repeats the queries over the batch).")
def demo_detr_on_a_batch_of_two_images():
    model = DETRdemo()
    inputs = drawn(2, 3, 32, 48)                               # (1, 3, 800, 1200) -> a batch of two in the thread
    model(inputs)


@raises("https://github.com/layer6ai-labs/SGG-Seq2Seq/issues/3", "", "heads_divide",
        truth="The encoder layer is built with d_model = NUM_BOX_FEATURES = 109 and 4 heads, and 109 is not "
              "divisible by 4; the authors explained the committed setting used nhead=1, and that with more heads "
              "a Linear must first project the 109 features to a d_model the heads divide.")
def box_features_split_over_four_heads():
    NUM_BOX_FEATURES = 109
    nn.TransformerEncoderLayer(d_model=NUM_BOX_FEATURES, nhead=4, dim_feedforward=32)


class CausalSelfAttention(nn.Module):
    """nanoGPT's attention with the manual path: the causal mask is a (1, 1, block_size, block_size) buffer sliced
    to the sequence length."""

    def __init__(self, n_embd=8, n_head=2, block_size=8):
        super().__init__()
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)
        self.n_head, self.n_embd = n_head, n_embd
        self.register_buffer("bias", torch.tril(torch.ones(block_size, block_size)).view(1, 1, block_size, block_size))

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float('-inf'))
        att = F.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y)


@raises("https://github.com/karpathy/nanoGPT/issues/473", "attn", "causal_mask_short position_table_short",  # new cause
        sizes=(8, 16),
        truth="The thread left it as a question; running it shows that the causal mask is a buffer built for "
              "block_size positions, so slicing it to T = 16 still gives 8 x 8 and masked_fill cannot broadcast it "
              "over the 16 x 16 scores; nanoGPT never meets this because GPT.forward asserts T <= block_size and "
              "generate crops the context to the last block_size tokens.")
def sequence_longer_than_the_causal_mask_buffer():
    attn = CausalSelfAttention(block_size=8)
    attn(drawn_normal(2, 16, 8))


class MultiHeadAttentionWindow(nn.Module):
    """maxjcohen/transformer's window attention: the sequence is padded by `padding` on each side and cut into
    windows of window_size every window_size - 2 * padding steps; the middles are joined back."""

    def __init__(self, d_model, q, v, h, window_size=12, padding=3):
        super().__init__()
        self._h, self._q, self._v = h, q, v
        self._window_size, self._padding = window_size, padding
        self._step = window_size - 2 * padding
        self._W_q, self._W_k = nn.Linear(d_model, q * h), nn.Linear(d_model, q * h)
        self._W_v, self._W_o = nn.Linear(d_model, v * h), nn.Linear(v * h, d_model)

    def forward(self, query, key, value):
        batch_size = query.shape[0]
        query = F.pad(query.transpose(1, 2), (self._padding, self._padding), 'replicate').transpose(1, 2)
        key = F.pad(key.transpose(1, 2), (self._padding, self._padding), 'replicate').transpose(1, 2)
        value = F.pad(value.transpose(1, 2), (self._padding, self._padding), 'replicate').transpose(1, 2)
        queries = torch.cat(self._W_q(query).chunk(self._h, dim=-1), dim=0)
        keys = torch.cat(self._W_k(key).chunk(self._h, dim=-1), dim=0)
        values = torch.cat(self._W_v(value).chunk(self._h, dim=-1), dim=0)
        queries = queries.unfold(1, self._window_size, self._step).reshape((-1, self._q, self._window_size)).transpose(1, 2)
        keys = keys.unfold(1, self._window_size, self._step).reshape((-1, self._q, self._window_size)).transpose(1, 2)
        values = values.unfold(1, self._window_size, self._step).reshape((-1, self._v, self._window_size)).transpose(1, 2)
        scores = F.softmax(torch.bmm(queries, keys.transpose(1, 2)) / np.sqrt(self._window_size), dim=-1)
        attention = torch.bmm(scores, values)
        attention = attention.reshape((batch_size * self._h, -1, self._window_size, self._v))
        attention = attention[:, :, self._padding:-self._padding, :]
        attention = attention.reshape((batch_size * self._h, -1, self._v))
        attention_heads = torch.cat(attention.chunk(self._h, dim=0), dim=-1)
        return self._W_o(attention_heads)


class Encoder(nn.Module):
    def __init__(self, d_model, q, v, h):
        super().__init__()
        self._selfAttention = MultiHeadAttentionWindow(d_model, q, v, h)
        self._feedForward = nn.Sequential(nn.Linear(d_model, 16), nn.ReLU(), nn.Linear(16, d_model))
        self._layerNorm1, self._layerNorm2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self._dropout = nn.Dropout(p=0.0)

    def forward(self, x):
        residual = x
        x = self._selfAttention(query=x, key=x, value=x)
        x = self._dropout(x)
        x = self._layerNorm1(x + residual)
        residual = x
        x = self._dropout(self._feedForward(x))
        return self._layerNorm2(x + residual)


class Transformer(nn.Module):
    def __init__(self, d_input=3, d_model=8, d_output=2, q=4, v=4, h=2, N=1):
        super().__init__()
        self.layers_encoding = nn.ModuleList([Encoder(d_model, q, v, h) for _ in range(N)])
        self._embedding = nn.Linear(d_input, d_model)
        self._linear = nn.Linear(d_model, d_output)

    def forward(self, x):
        encoding = self._embedding(x)
        for layer in self.layers_encoding:
            encoding = layer(encoding)
        return torch.sigmoid(self._linear(encoding))


@raises("https://github.com/maxjcohen/transformer/issues/15", "net.layers_encoding.0", "window_not_divisible",
        sizes=(29, 24),
        truth="With chunk_mode='window' the attention pads the series and cuts it into windows every "
              "window_size - 2 * padding steps, so only a whole number of steps comes back (3864 of the poster's 3869 "
              "time steps) and the residual sum fails; the author said the window mode was written for lengths that "
              "are multiples of a week (168 hours) and suggested chunk_mode='classic'.")
def window_attention_on_a_series_that_is_not_a_whole_number_of_steps():
    net = Transformer()
    inputs = drawn(1, 29, 3)                                   # (1, K = 3869, d_input) in the thread
    net(inputs)


# == recurrent models, seq2seq and packing ========================================================

class Attn(nn.Module):
    def __init__(self, hidden_size):
        super().__init__()
        self.attn = nn.Linear(hidden_size * 2, hidden_size)
        self.v = nn.Parameter(torch.rand(hidden_size))

    def forward(self, hidden, encoder_outputs):                # hidden (1, B, H), encoder_outputs (S, B, H)
        S = encoder_outputs.size(0)
        energy = torch.tanh(self.attn(torch.cat((hidden.repeat(S, 1, 1), encoder_outputs), 2)))   # (S, B, H)
        scores = (energy * self.v).sum(2).t()                  # (B, S)
        return F.softmax(scores, dim=1).unsqueeze(1)           # (B, 1, S)


class BahdanauAttnDecoderRNN(nn.Module):
    """practical-pytorch's Bahdanau decoder: the GRU is fed the word embedding joined with the context vector, but
    is built with input_size = hidden_size."""

    def __init__(self, hidden_size, output_size, n_layers=1, dropout_p=0.0):
        super().__init__()
        self.embedding = nn.Embedding(output_size, hidden_size)
        self.dropout = nn.Dropout(dropout_p)
        self.attn = Attn(hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size, n_layers, dropout=dropout_p)
        self.out = nn.Linear(hidden_size * 2, output_size)

    def forward(self, word_input, last_hidden, encoder_outputs):
        word_embedded = self.dropout(self.embedding(word_input).view(1, word_input.size(0), -1))   # (1, B, H)
        attn_weights = self.attn(last_hidden[-1:], encoder_outputs)
        context = attn_weights.bmm(encoder_outputs.transpose(0, 1)).transpose(0, 1)                # (1, B, H)
        rnn_input = torch.cat((word_embedded, context), 2)                                          # (1, B, 2H)
        output, hidden = self.gru(rnn_input, last_hidden)
        output = F.log_softmax(self.out(torch.cat((output.squeeze(0), context.squeeze(0)), 1)), dim=1)
        return output, hidden, attn_weights


@raises("https://github.com/spro/practical-pytorch/issues/133", "decoder.gru", "rnn_input_size", sizes=(8, 16),
        truth="BahdanauAttnDecoderRNN builds nn.GRU(hidden_size, hidden_size, ...) but feeds it "
              "torch.cat((word_embedded, context), 2), which has 2 * hidden_size features; the GRU's input_size "
              "must be hidden_size * 2.")
def bahdanau_decoder_gru_built_for_the_embedding_alone():
    hidden_size, output_size, batch = 8, 20, 3
    decoder = BahdanauAttnDecoderRNN(hidden_size, output_size)
    encoder_outputs = drawn_normal(6, batch, hidden_size)      # (S, B, H)
    last_hidden = drawn_normal(1, batch, hidden_size, seed=1)
    word_input = drawn_ids((batch,), output_size, seed=2)
    decoder(word_input, last_hidden, encoder_outputs)


class EncoderRNN(nn.Module):
    def __init__(self, vocab_size=30, emsize=6, nhid=8, nlayers=2):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, emsize)
        self.rnn = nn.LSTM(emsize, nhid // 2, nlayers, batch_first=True, bidirectional=True)

    def forward(self, x):
        return self.rnn(self.embedding(x))


class DecoderRNN(nn.Module):
    def __init__(self, vocab_size=30, emsize=6, nhid=8, nlayers=2):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, emsize)
        self.rnn = nn.LSTM(emsize, nhid, nlayers, batch_first=True)
        self.out = nn.Linear(nhid, vocab_size)

    @staticmethod
    def _fix_enc_hidden(hidden):
        """(layers * 2, B, H / 2) -> the last layer's two directions joined: (1, B, H)."""
        return torch.cat([hidden[-2], hidden[-1]], dim=1).unsqueeze(0)

    def init_decoder(self, hidden):
        return tuple(self._fix_enc_hidden(h) for h in hidden)

    def forward(self, tgt, hidden):
        output, _ = self.rnn(self.embedding(tgt), hidden)
        return self.out(output)


class Seq2seq(nn.Module):
    def __init__(self, nlayers):
        super().__init__()
        self.encoder = EncoderRNN(nlayers=nlayers)
        self.decoder = DecoderRNN(nlayers=nlayers)

    def forward(self, src, tgt):
        _, hidden = self.encoder(src)
        return self.decoder(tgt, self.decoder.init_decoder(hidden))


@raises("https://github.com/wasiahmad/context_attentive_ir/issues/10", "model.decoder.rnn", "state_rows",
        sizes=(2, 1),
        truth="The decoder's initial state is built from the encoder's last layer only, which suits a one-layer "
              "decoder; with the default 'nlayers': 2 the decoder LSTM expects a state per layer; the author "
              "said the implementation does not handle multi-layer decoders and the default should be 1.")
def two_layer_decoder_started_from_one_layer_state():
    model = Seq2seq(nlayers=2)
    src = drawn_ids((3, 7), 30, low=1)
    tgt = drawn_ids((3, 5), 30, low=1, seed=1)
    model(src, tgt)


class RNNEncoder(nn.Module):
    """MAttNet's language encoder: ids padded with 0, lengths counted from the nonzero ids, sorted, packed."""

    def __init__(self, vocab_size=30, word_embedding_size=6, hidden_size=8):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, word_embedding_size)
        self.mlp = nn.Sequential(nn.Linear(word_embedding_size, word_embedding_size), nn.ReLU())
        self.rnn = nn.LSTM(word_embedding_size, hidden_size, batch_first=True, bidirectional=True)

    def forward(self, input_labels):
        input_lengths = (input_labels != 0).sum(1)
        sorted_input_lengths, sort_ixs = input_lengths.sort(descending=True)
        sorted_input_lengths_list = sorted_input_lengths.tolist()
        input_labels = input_labels[sort_ixs]
        embedded = self.mlp(self.embedding(input_labels))
        embedded = pack_padded_sequence(embedded, sorted_input_lengths_list, batch_first=True)
        output, hidden = self.rnn(embedded)
        output, _ = pad_packed_sequence(output, batch_first=True)
        return output, hidden


@raises("https://github.com/lichengunc/MAttNet/issues/5", "rnn_encoder", "pack_empty",
        truth="The thread only gives the error; the reconstruction shows it for a batch in which one referring "
              "expression has no token left (its row is all padding), so its length is 0 and packing refuses it; "
              "empty expressions must be dropped from the batch (or their length clamped to 1 and the output "
              "masked).")
def referring_expression_with_no_tokens():
    rnn_encoder = RNNEncoder()
    labels = drawn_ids((4, 6), 30, low=1)
    labels[:, 4:] = 0
    labels[2] = 0                                              # an expression with every word out of the vocabulary
    rnn_encoder(labels)


# == convolutions, windows, unfold and padding ====================================================

class AttentionConv(nn.Module):
    """Stand-Alone-Self-Attention's AttentionConv: keys and values unfolded into kernel_size x kernel_size windows,
    then viewed back onto the (height, width) grid of the input."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, groups=1, bias=False):
        super().__init__()
        self.out_channels, self.kernel_size = out_channels, kernel_size
        self.stride, self.padding, self.groups = stride, padding, groups
        self.rel_h = nn.Parameter(torch.randn(out_channels // 2, 1, 1, kernel_size, 1))
        self.rel_w = nn.Parameter(torch.randn(out_channels // 2, 1, 1, 1, kernel_size))
        self.key_conv = nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=bias)
        self.query_conv = nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=bias)
        self.value_conv = nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=bias)

    def forward(self, x):
        batch, channels, height, width = x.size()
        padded_x = F.pad(x, [self.padding, self.padding, self.padding, self.padding])
        q_out = self.query_conv(x)
        k_out = self.key_conv(padded_x)
        v_out = self.value_conv(padded_x)
        k_out = k_out.unfold(2, self.kernel_size, self.stride).unfold(3, self.kernel_size, self.stride)
        v_out = v_out.unfold(2, self.kernel_size, self.stride).unfold(3, self.kernel_size, self.stride)
        v_out_h, v_out_w = v_out.split(self.out_channels // 2, dim=1)
        v_out = torch.cat((v_out_h + self.rel_h, v_out_w + self.rel_w), dim=1)
        k_out = k_out.contiguous().view(batch, self.groups, self.out_channels // self.groups, height, width, -1)
        v_out = v_out.contiguous().view(batch, self.groups, self.out_channels // self.groups, height, width, -1)
        q_out = q_out.view(batch, self.groups, self.out_channels // self.groups, height, width, 1)
        out = F.softmax(q_out * k_out, dim=-1)
        return torch.einsum('bnchwk,bnchwk -> bnchw', out, v_out).view(batch, -1, height, width)


class AttentionNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 4, 3, padding=1)
        self.attention = AttentionConv(4, 8, kernel_size=3)    # built with the default padding=0
        self.fc = nn.Linear(8, 10)

    def forward(self, x):
        return self.fc(self.attention(self.stem(x)).mean((2, 3)))


@raises("https://github.com/leaderj1001/Stand-Alone-Self-Attention/issues/11", "model.attention",
        "unfold_unpadded view_per_example", sizes=(10, 8),    # new cause (unfold_unpadded); (map side, windows per side)
        truth="The keys and values are unfolded into 3 x 3 windows without padding, which leaves height - 2 windows "
              "per column (32 for a 34 x 34 map), and the view onto (height, width, -1) cannot take them; the "
              "answer is to build the layer with padding = kernel_size // 2 (1 for a 3 x 3 window) so the windows "
              "keep the map's size.")
def attention_windows_unfolded_without_padding():
    model = AttentionNet()
    model(drawn(2, 3, 10, 10))                                 # 34 x 34 maps in the thread


def chunked_inference(audio, fs=10, chunk_size_seconds=6.0, hop_size_seconds=0.5):
    """query-bandit's chunked inference: reflect-pad the mixture by twice the overlap (and up to a whole number of
    hops), unfold it into overlapping chunks, run them, fold them back."""
    b, c, n_samples = audio.shape
    chunk_size = int(chunk_size_seconds * fs)
    hop_size = int(hop_size_seconds * fs)
    overlap = chunk_size - hop_size
    n_chunks = int(math.ceil((n_samples + 4 * overlap - chunk_size) / hop_size)) + 1
    pad = (n_chunks - 1) * hop_size + chunk_size - n_samples
    audio = F.pad(audio, pad=(2 * overlap, 2 * overlap + pad), mode="reflect")
    padded_length = audio.shape[-1]
    audio = audio.reshape(c, 1, -1, 1)
    chunked_audio = F.unfold(audio, kernel_size=(chunk_size, 1), stride=(hop_size, 1))
    chunked_audio = chunked_audio.permute(2, 0, 1).reshape(-1, c, chunk_size)
    output = torch.permute(chunked_audio, (1, 2, 0))
    output = F.fold(output, output_size=(padded_length, 1), kernel_size=(chunk_size, 1), stride=(hop_size, 1))
    return output[None, :, 0, 2 * overlap: n_samples + 2 * overlap, 0]


@raises("https://github.com/kwatcharasupat/query-bandit/issues/7", "pad", "reflect_pad_too_long",  # new cause
        sizes=(150, 330),                                      # (samples in the track, padding asked on the right)
        truth="The inference reflect-pads the track by twice the chunk overlap plus the rounding to whole hops, and "
              "reflection cannot pad more than the signal is long (1455300 samples asked of a 661500-sample, 15 s "
              "track); the maintainer called it a known issue: pad with zeros (mode='constant') or repeat the "
              "reflection until the padding is long enough.")
def short_track_reflect_padded_beyond_its_length():
    mixture = drawn_normal(1, 2, 150)                          # 15 s of stereo at 44.1 kHz -> 10 Hz here
    chunked_inference(mixture)


class LFSSRNet(nn.Module):
    """LFSSR-ATO's network, cut down: per-view features, an upsampler of int(log2(scale)) x2 PixelShuffle stages,
    and the residual viewed to scale * H x scale * W."""

    def __init__(self, scale, fn=8):
        super().__init__()
        self.scale = scale
        self.fea_conv0 = nn.Conv2d(1, fn, 3, 1, 1, bias=True)
        up = []
        for _ in range(int(math.log(self.scale, 2))):
            up.append(nn.Conv2d(fn, 4 * fn, 3, 1, 1, bias=True))
            up.append(nn.PixelShuffle(2))
            up.append(nn.ReLU(inplace=True))
        self.upsampler = nn.Sequential(*up)
        self.HRconv = nn.Conv2d(fn, fn // 2, 3, 1, 1, bias=True)
        self.conv_last = nn.Conv2d(fn // 2, 1, 3, 1, 1, bias=True)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, lf_lr):
        N, an2, H, W = lf_lr.size()
        fea = self.relu(self.fea_conv0(lf_lr.view(-1, 1, H, W)))
        hr_fea = self.relu(self.HRconv(self.upsampler(fea)))
        res = self.conv_last(hr_fea)
        res = res.view(N, an2, self.scale * H, self.scale * W)
        base = F.interpolate(lf_lr, scale_factor=self.scale, mode='bilinear', align_corners=False)
        return res + base


@raises("https://github.com/jingjin25/LFSSR-ATO/issues/6", "model", "upsampler_stages_for_scale view_per_example",
        sizes=(256, 576),                                      # new cause (upsampler_stages_for_scale)
        truth="The upsampler stacks int(log2(scale)) x2 PixelShuffle stages, which is one stage for scale = 3, so "
              "the features come out at 2H x 2W and cannot be viewed to 3H x 3W; the author said the upsampling "
              "module must be changed for x3 (a Conv2d to 9 * fn and PixelShuffle(3)) and the data prepared for "
              "that scale.")
def light_field_network_set_to_scale_three():
    model = LFSSRNet(scale=3)
    lf_lr = drawn(1, 4, 8, 8)                                  # 2 x 2 views of 8 x 8 (5 x 5 views in the thread)
    model(lf_lr)


class GMSA(nn.Module):
    """ELAN's group-wise multi-scale self-attention, cut to its input split: the projected map (2 * channels) is
    split into three groups of channels * 2 // 3."""

    def __init__(self, channels, window_sizes=(4, 8, 16)):
        super().__init__()
        self.channels = channels
        self.window_sizes = window_sizes
        self.split_chns = [channels * 2 // 3, channels * 2 // 3, channels * 2 // 3]
        self.project_inp = nn.Sequential(nn.Conv2d(channels, channels * 2, kernel_size=1), nn.BatchNorm2d(channels * 2))
        self.project_out = nn.Conv2d(channels, channels, kernel_size=1)

    def forward(self, x):
        x = self.project_inp(x)
        xs = torch.split(x, self.split_chns, dim=1)
        ys = [x_[:, : x_.size(1) // 2] for x_ in xs]           # the windowed attention of each group, elided
        return self.project_out(torch.cat(ys, dim=1))


class ELAB(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.modules_lfe = nn.Sequential(nn.Conv2d(channels, channels, 3, padding=1), nn.ReLU())
        self.modules_gmsa = GMSA(channels)

    def forward(self, x):
        x = self.modules_lfe(x) + x
        return self.modules_gmsa(x) + x


class ELAN(nn.Module):
    def __init__(self, colors=3, c_elan=8, m_elan=1, scale=2):
        super().__init__()
        self.head = nn.Sequential(nn.Conv2d(colors, c_elan, 3, padding=1))
        self.body = nn.Sequential(*[ELAB(c_elan) for _ in range(m_elan)])
        self.tail = nn.Sequential(nn.Conv2d(c_elan, colors * scale * scale, 3, padding=1), nn.PixelShuffle(scale))

    def forward(self, x):
        x = self.head(x)
        return self.tail(self.body(x) + x)


@raises("https://github.com/xindongzhang/ELAN/issues/8", "model.body.0.modules_gmsa", "split_sizes", sizes=(16, 15),
        truth="The thread only gives the error; the reconstruction shows that GMSA splits the 2 * c_elan projected "
              "channels into three groups of c_elan * 2 // 3, which add up only when c_elan is a multiple of 3; "
              "the network was run with 64 channels (128 after the projection, three groups of 42), where the "
              "paper's configuration uses c_elan = 60.")
def elan_built_with_channels_not_a_multiple_of_three():
    model = ELAN(c_elan=8)                                     # 64 in the thread
    model(drawn(1, 3, 16, 12))


class SDCNetStub(nn.Module):
    """S-DCNet, cut down: count maps at 1/32 and 1/64 of the image; parse_merge spreads each low-resolution count
    over the 2 x 2 cells of the higher-resolution map with strided slice assignment."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.AvgPool2d(4))
        self.cls_high = nn.Conv2d(4, 1, 1)
        self.down = nn.MaxPool2d(2)
        self.cls_low = nn.Conv2d(4, 1, 1)

    def forward(self, x):
        f = self.features(x)
        return {'c1': self.cls_high(f), 'c0': self.cls_low(self.down(f))}

    def parse_merge(self, div_res):
        clow, chigh = div_res['c0'], div_res['c1']
        rate = int(chigh.size()[-1] / clow.size()[-1])
        norm = 1 / (float(rate) ** 2)
        cl2h = torch.zeros(chigh.size())
        for rx in range(rate):
            for ry in range(rate):
                cl2h[:, :, rx::rate, ry::rate] = clow * norm
        return cl2h


@raises("https://github.com/xhp-hust-2018-2011/S-DCNet/issues/13", "__setitem__", "unet_odd_size",
        sizes=((6, 9), (5, 8)),
        truth="The image's sides were not multiples of 64, the network's largest downsampling rate, so the 1/64 "
              "count map is not exactly half the 1/32 one (5 x 8 against 11 x 17) and the strided assignment that "
              "spreads it over the higher map does not fit; the author said inputs must be zero-padded to a multiple "
              "of 64, as the data loader's get_pad(..., DIV=64) does.")
def crowd_image_not_padded_to_a_multiple_of_the_stride():
    net = SDCNetStub()
    img = drawn(1, 3, 44, 68)                                  # a 44 x 68 image: 11 x 17 at 1/4, 5 x 8 at 1/8 here
    div_res = net(img)
    net.parse_merge(div_res)


# == losses, targets and plain tensor code ========================================================

class ContrastiveLoss(nn.Module):
    """MONAI's ContrastiveLoss as it was: the batch size is fixed at construction and used to build the
    2N x 2N negatives mask and to find the positive pairs."""

    def __init__(self, temperature=0.5, batch_size=1):
        super().__init__()
        self.batch_size, self.temperature = batch_size, temperature

    def forward(self, input, target):
        temperature_tensor = torch.as_tensor(self.temperature)
        norm_i, norm_j = F.normalize(input, dim=1), F.normalize(target, dim=1)
        negatives_mask = (~torch.eye(self.batch_size * 2, self.batch_size * 2, dtype=torch.bool)).float()
        repr = torch.cat([norm_i, norm_j], dim=0)
        sim_matrix = F.cosine_similarity(repr.unsqueeze(1), repr.unsqueeze(0), dim=2)
        sim_ij = torch.diag(sim_matrix, self.batch_size)
        sim_ji = torch.diag(sim_matrix, -self.batch_size)
        positives = torch.cat([sim_ij, sim_ji], dim=0)
        nominator = torch.exp(positives / temperature_tensor)
        denominator = negatives_mask * torch.exp(sim_matrix / temperature_tensor)
        loss_partial = -torch.log(nominator / torch.sum(denominator, dim=1))
        return torch.sum(loss_partial) / (2 * self.batch_size)


class ViTAutoEncStub(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Conv3d(1, 2, 4, 4)
        self.dec = nn.ConvTranspose3d(2, 1, 4, 4)

    def forward(self, x):
        return self.dec(self.enc(x)), None


@raises("https://github.com/Project-MONAI/tutorials/issues/865", "contrastive_loss", "batch_hardcoded",
        sizes=(8, 16),                                         # (rows of the similarity matrix, rows of the mask)
        truth="The self-supervised script builds ContrastiveLoss(batch_size=batch_size*2), and the loss builds its "
              "2N x 2N negatives mask from that number, so when the batches that reach it hold batch_size pairs "
              "the mask is twice the similarity matrix; the poster fixed it with batch_size=batch_size and MONAI "
              "then made the loss take the batch size from its input.")
def contrastive_loss_told_twice_the_batch():
    batch_size = 4
    model = ViTAutoEncStub()
    contrastive_loss = ContrastiveLoss(batch_size=batch_size * 2, temperature=0.05)
    inputs, inputs_2 = drawn(batch_size, 1, 8, 8, 8), drawn(batch_size, 1, 8, 8, 8, seed=1)
    outputs_v1, _ = model(inputs)
    outputs_v2, _ = model(inputs_2)
    flat_out_v1 = outputs_v1.flatten(start_dim=1, end_dim=4)
    flat_out_v2 = outputs_v2.flatten(start_dim=1, end_dim=4)
    contrastive_loss(flat_out_v1, flat_out_v2)


class YOLOXHead(nn.Module):
    """YOLOX's head, cut to the loss path: per-anchor box, objectness and class outputs, and the class targets of
    the assigned anchors made with F.one_hot(gt_classes, num_classes)."""

    def __init__(self, num_classes, in_channels=8, n_anchors=6):
        super().__init__()
        self.num_classes = num_classes
        self.pred = nn.Linear(in_channels, 5 + num_classes)
        self.n_anchors = n_anchors

    def get_assignments(self, gt_classes, cls_preds_per_image):
        num_in_boxes_anchor = cls_preds_per_image.size(0)
        gt_cls_per_image = (F.one_hot(gt_classes.to(torch.int64), self.num_classes).float()
                            .unsqueeze(1).repeat(1, num_in_boxes_anchor, 1))
        return F.binary_cross_entropy(cls_preds_per_image.sigmoid().unsqueeze(0).expand_as(gt_cls_per_image),
                                      gt_cls_per_image, reduction="none").sum(-1)

    def forward(self, xin, labels):
        outputs = self.pred(xin)                               # (B, n_anchors, 5 + num_classes)
        nlabel = (labels.sum(dim=2) > 0).sum(dim=1)
        costs = []
        for batch_idx in range(outputs.shape[0]):
            num_gt = int(nlabel[batch_idx])
            gt_classes = labels[batch_idx, :num_gt, 0]
            costs.append(self.get_assignments(gt_classes, outputs[batch_idx, :, 5:]))
        return costs


class YOLOXStub(nn.Module):
    def __init__(self, num_classes):
        super().__init__()
        self.backbone = nn.Sequential(nn.Conv2d(3, 8, 4, 4), nn.ReLU())
        self.head = YOLOXHead(num_classes)

    def forward(self, x, targets):
        fpn_outs = self.backbone(x).flatten(2).transpose(1, 2)[:, :6]      # (B, anchors, C)
        return self.head(fpn_outs, targets)


@raises("https://github.com/Megvii-BaseDetection/YOLOX/issues/357", "model.head", "one_hot_classes", sizes=(3, 4),
        truth="The poster's dataset numbers the classes from 1 (0 being background), so the last class id equals "
              "num_classes and F.one_hot(gt_classes, num_classes) refuses it; the maintainers answered that the "
              "class index must start from 0.")
def class_ids_numbered_from_one():
    model = YOLOXStub(num_classes=3)
    images = drawn(2, 3, 16, 16)
    targets = torch.zeros(2, 4, 5)                             # (class, cx, cy, w, h) per object, padded with 0
    targets[0, :2] = torch.tensor([[1., 4, 4, 2, 2], [3., 8, 8, 3, 3]])
    targets[1, :1] = torch.tensor([[2., 5, 5, 2, 2]])
    model(images, targets)


class EmbeddingNetStub(nn.Module):
    def __init__(self, embedding_size=8):
        super().__init__()
        self.embeddingnet = nn.Sequential(nn.Conv2d(3, 4, 3, 2, 1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                                          nn.Linear(4, embedding_size))


class CS_Tripletnet(nn.Module):
    """Learning-Similarity-Conditions' triplet net: the general embeddings l2-normalised with torch.norm(..., dim=1)
    and expand_as, as written for the PyTorch whose reductions kept the reduced axis."""

    def __init__(self, embeddingnet, num_concepts=2):
        super().__init__()
        self.embeddingnet = embeddingnet
        self.concept_branch = nn.Sequential(nn.Linear(8 * 3, num_concepts), nn.Softmax(dim=1))

    def forward(self, x, y, z):
        general_x = self.embeddingnet.embeddingnet(x)
        general_y = self.embeddingnet.embeddingnet(y)
        general_z = self.embeddingnet.embeddingnet(z)
        norm = torch.norm(general_x, p=2, dim=1) + 1e-10
        general_x = general_x / norm.expand_as(general_x)
        norm = torch.norm(general_y, p=2, dim=1) + 1e-10
        general_y = general_y / norm.expand_as(general_y)
        norm = torch.norm(general_z, p=2, dim=1) + 1e-10
        general_z = general_z / norm.expand_as(general_z)
        return self.concept_branch(torch.cat((general_x, general_y, general_z), 1))


@raises("https://github.com/rxtan2/Learning-Similarity-Conditions/issues/12", "tnet", "expand_sizes norm_keepdim",
        sizes=(8, 4),                                          # new cause (norm_keepdim)
        truth="torch.norm(general_x, p=2, dim=1) returns one value per example, (B,), since reductions stopped "
              "keeping the reduced axis, and expand_as lines that vector up with the embedding axis (64 against a "
              "batch of 96 in the thread); the norm needs keepdim=True (a later fork of the code switched to "
              "F.normalize(general_x, p=2, dim=1)).")
def embeddings_divided_by_a_norm_without_its_axis():
    tnet = CS_Tripletnet(EmbeddingNetStub())
    data1, data2, data3 = drawn(4, 3, 12, 12), drawn(4, 3, 12, 12, seed=1), drawn(4, 3, 12, 12, seed=2)
    tnet(data1, data2, data3)


config_task = SimpleNamespace(A_taskpair=None)                 # MTPSL's module of globals


class conv_task(nn.Module):
    """MTPSL's task-pair conditioned conv: FiLM parameters picked from (planes, num_tasks * (num_tasks - 1)) tables
    by the one-hot task-pair row set in config_task."""

    def __init__(self, in_planes, planes, num_tasks=3):
        super().__init__()
        self.conv = nn.Conv2d(in_planes, planes, kernel_size=3, padding=1)
        self.gamma = nn.Parameter(torch.ones(planes, num_tasks * (num_tasks - 1)))
        self.beta = nn.Parameter(torch.zeros(planes, num_tasks * (num_tasks - 1)))
        self.bn = nn.BatchNorm2d(planes)

    def forward(self, x):
        A_taskpair = config_task.A_taskpair
        x = self.conv(x)
        gamma = torch.mm(A_taskpair, self.gamma.t()).view(1, x.size(1), 1, 1)
        beta = torch.mm(A_taskpair, self.beta.t()).view(1, x.size(1), 1, 1)
        return F.relu(self.bn(x) * gamma + beta)


class SegNet_enc(nn.Module):
    def __init__(self, input_channels, filter=(8, 16)):
        super().__init__()
        self.pred_encoder_source = nn.ModuleList(
            [nn.Sequential(nn.Conv2d(c, filter[0], 3, padding=1), nn.BatchNorm2d(filter[0]), nn.ReLU()) for c in input_channels])
        self.encoder_block = nn.ModuleList([conv_task(filter[0], filter[0])])   # num_tasks left at its default 3
        for i in range(len(filter) - 1):
            self.encoder_block.append(conv_task(filter[i], filter[i + 1]))
        self.down_sampling = nn.MaxPool2d(2, 2)

    def forward(self, x, input_task):
        x = self.pred_encoder_source[input_task](x)
        for block in self.encoder_block:
            x = self.down_sampling(block(x))
        return x


class Mapfns(nn.Module):
    def __init__(self, tasks=('semantic', 'depth', 'normal'), input_channels=(13, 1, 3)):
        super().__init__()
        self.tasks = list(tasks)
        self.mapfns = SegNet_enc(input_channels=input_channels)

    def forward(self, x_pred, gt, feat):
        n = len(self.tasks)
        loss = 0
        for source_task in range(n):
            for target_task in range(n):
                if source_task != target_task:
                    A_taskpair = torch.zeros(n, n)
                    A_taskpair[source_task, target_task] = 1.0
                    A_taskpair = A_taskpair.flatten()[:-1].view(n - 1, n + 1)[:, 1:].flatten().view(1, -1)
                    config_task.A_taskpair = A_taskpair
                    mapout_source = self.mapfns(x_pred[source_task], input_task=source_task)
                    mapout_target = self.mapfns(gt[target_task], input_task=target_task)
                    loss = loss + (1 - F.cosine_similarity(mapout_source, mapout_target, dim=1).mean())
        return loss


@raises("https://github.com/VICO-UoE/MTPSL/issues/3", "mapfns.mapfns.encoder_block.0",
        "task_pairs_mismatch parameter_built_for_another_count",  # new cause (the first; the second names it in general)
        sizes=(6, 2),
        truth="The mapping function's task-pair FiLM tables were sized for NYUv2's three tasks (3 x 2 = 6 ordered "
              "pairs) whatever the dataset, while Cityscapes has two tasks, so the one-hot task-pair row has 2 "
              "entries against the tables' 6; the author pushed an update that builds the tables from the number of "
              "tasks.")
def cityscapes_task_pairs_against_tables_for_three_tasks():
    mapfns = Mapfns(tasks=('semantic', 'depth'), input_channels=(7, 1))
    seg_pred, depth_pred = drawn(1, 7, 8, 16), drawn(1, 1, 8, 16, seed=1)
    seg_gt, depth_gt = F.one_hot(drawn_ids((1, 8, 16), 7, seed=2), 7).permute(0, 3, 1, 2).float(), drawn(1, 1, 8, 16, seed=3)
    feat = drawn(1, 16, 2, 4, seed=4)
    mapfns([seg_pred, depth_pred], [seg_gt, depth_gt], feat)


@raises("https://github.com/pytorch/pytorch/issues/126186", "scatter", "scatter_src_rank", sizes=(2, 1),  # new cause
        truth="torch.scatter reads src with the index's layout, so index and src must have the same number of "
              "dimensions; the poster gave a (1, 2) index and a 1-D src of two values (the IndexError names dim 1 "
              "of src, not the dim=0 passed), and the maintainer answered that src must be shaped [[-1, -2]] like "
              "the index.")
def scatter_with_a_flat_source():
    t = torch.tensor([[10, 30, 20], [60, 40, 50]])
    indices = torch.tensor([[1, 0]])
    values = torch.tensor([-1, -2])
    torch.scatter(t, dim=0, index=indices, src=values)


# == silent (run, but wrong) =======================================================================

class PointNetfeat(nn.Module):
    """PointNet's shared point MLP (1x1 Conv1d over the points) and the max over points."""

    def __init__(self):
        super().__init__()
        self.conv1, self.conv2, self.conv3 = nn.Conv1d(3, 8, 1), nn.Conv1d(8, 16, 1), nn.Conv1d(16, 32, 1)
        self.bn1, self.bn2, self.bn3 = nn.BatchNorm1d(8), nn.BatchNorm1d(16), nn.BatchNorm1d(32)

    def forward(self, x):                                      # (B, 3, n_pts)
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        x = self.bn3(self.conv3(x))
        return torch.max(x, 2, keepdim=True)[0].view(-1, 32)


class PointNetCls(nn.Module):
    def __init__(self, k=4):
        super().__init__()
        self.feat = PointNetfeat()
        self.fc1, self.fc2, self.fc3 = nn.Linear(32, 16), nn.Linear(16, 8), nn.Linear(8, k)
        self.bn1, self.bn2 = nn.BatchNorm1d(16), nn.BatchNorm1d(8)

    def forward(self, x):
        x = self.feat(x)
        x = F.relu(self.bn1(self.fc1(x)))
        x = F.relu(self.bn2(self.fc2(x)))
        x = self.fc3(x)
        return F.log_softmax(x, dim=0)


@silent("https://github.com/fxia22/pointnet.pytorch/issues/27", "model", "softmax_wrong_axis samples_mix",
        truth="The classifier's scores are (batch, k) and F.log_softmax(x, dim=0) normalises each class across the "
              "point clouds of the batch instead of over the classes of one cloud; the author fixed it (dim=-1) in "
              "the master branch.")
def class_scores_normalised_across_the_point_clouds():
    return dict(model=PointNetCls(), example_input=drawn_normal(4, 3, 20))


class GINConvNetStub(nn.Module):
    """GraphDTA, with the drug graph branch replaced by an MLP on a drug vector: the protein is embedded to
    (B, 1000, 128) and given to nn.Conv1d(in_channels=1000, ...) without moving the embedding axis."""

    def __init__(self, num_features_xd=10, num_features_xt=25, embed_dim=16, n_filters=8, output_dim=16, seq_len=24):
        super().__init__()
        self.fc1_xd = nn.Sequential(nn.Linear(num_features_xd, output_dim), nn.ReLU())
        self.embedding_xt = nn.Embedding(num_features_xt + 1, embed_dim)
        self.conv_xt_1 = nn.Conv1d(in_channels=seq_len, out_channels=n_filters, kernel_size=4)
        self.fc1_xt = nn.Linear(n_filters * (embed_dim - 4 + 1), output_dim)
        self.fc1 = nn.Linear(2 * output_dim, 16)
        self.out = nn.Linear(16, 1)

    def forward(self, x, target):
        x = self.fc1_xd(x)
        embedded_xt = self.embedding_xt(target)                # (B, seq_len, embed_dim)
        conv_xt = self.conv_xt_1(embedded_xt)                  # convolves over the embedding axis
        xt = self.fc1_xt(conv_xt.view(conv_xt.size(0), -1))
        return self.out(F.relu(self.fc1(torch.cat((x, xt), 1))))


@silent("https://github.com/thinng/GraphDTA/issues/13", "model.conv_xt_1", "conv1d_over_features",
        truth="The protein is embedded to (batch, 1000, 128) and fed to nn.Conv1d(in_channels=1000, ...) without a "
              "permute, so the 1000 sequence positions are taken as channels and the kernel slides over the 128 "
              "embedding features instead of along the sequence; the questioner (and a later commenter) pointed out "
              "it should be (batch, 128, 1000) with in_channels = embed_dim.")
def protein_embedding_convolved_along_its_features():
    drug = drawn(3, 10)
    target = drawn_ids((3, 24), 26, low=1, seed=1)              # 1000 residues -> 24
    return dict(model=GINConvNetStub(), example_input=(drug, target))


class BLSTMEncoder(nn.Module):
    """InferSent's BiLSTM-max encoder: sort by length, pack, run the BiLSTM, unpack (zeros after each length),
    restore the order, max over time."""

    def __init__(self, word_emb_dim=6, enc_lstm_dim=4):
        super().__init__()
        self.enc_lstm = nn.LSTM(word_emb_dim, enc_lstm_dim, 1, bidirectional=True)

    def forward(self, sent, sent_len):                         # sent (T, B, E), sent_len (B,)
        sent_len_sorted, idx_sort = torch.sort(sent_len, descending=True)
        idx_unsort = torch.argsort(idx_sort)
        sent = sent.index_select(1, idx_sort)
        sent_packed = pack_padded_sequence(sent, sent_len_sorted)
        sent_output = self.enc_lstm(sent_packed)[0]
        sent_output = pad_packed_sequence(sent_output)[0]
        sent_output = sent_output.index_select(1, idx_unsort)
        return torch.max(sent_output, 0)[0]


@silent("https://github.com/facebookresearch/InferSent/issues/51", "model", "padding_pooled",
        truth="pad_packed_sequence fills the steps after each sentence's length with zeros, and the max over time "
              "then includes those zeros, so every feature of a shorter sentence is at least 0 while the longest "
              "sentence of the batch has no padding; the maintainer added an option that sets the padding to a large "
              "negative value before the max (and trained a fixed model).")
def bilstm_max_pooled_over_the_padding():
    lengths = torch.tensor([7, 3, 5])
    sent = drawn_normal(7, 3, 6) * (torch.arange(7)[:, None, None] < lengths[None, :, None]).float()
    return dict(model=BLSTMEncoder(), example_input=(sent, lengths), batch_dim=1)


class LSTMEncoder(nn.Module):
    """fairseq's LSTMEncoder as it was: a 2-layer BiLSTM over (T, B) and, for the decoder, the final states of
    the two directions joined by combine_bidir with cat on dim 0 and a view."""

    def __init__(self, num_embeddings=30, embed_dim=6, hidden_size=4, num_layers=2):
        super().__init__()
        self.num_layers, self.hidden_size = num_layers, hidden_size
        self.embed_tokens = nn.Embedding(num_embeddings, embed_dim, padding_idx=1)
        self.lstm = nn.LSTM(embed_dim, hidden_size, num_layers=num_layers, bidirectional=True)
        self.output_units = hidden_size * 2

    def forward(self, src_tokens, src_lengths):
        bsz, seqlen = src_tokens.size()
        x = self.embed_tokens(src_tokens).transpose(0, 1)     # B x T x C -> T x B x C
        packed_x = pack_padded_sequence(x, src_lengths)
        packed_outs, (final_hiddens, final_cells) = self.lstm(packed_x)
        x, _ = pad_packed_sequence(packed_outs, padding_value=0.0)

        def combine_bidir(outs):
            return torch.cat([
                torch.cat([outs[2 * i], outs[2 * i + 1]], dim=0).view(1, bsz, self.output_units)
                for i in range(self.num_layers)
            ], dim=0)

        return x, combine_bidir(final_hiddens), combine_bidir(final_cells)


@silent("https://github.com/facebookresearch/fairseq/issues/239", "model", "view_moves_axes samples_mix",
        truth="combine_bidir joins each layer's forward and backward states with torch.cat(..., dim=0), giving "
              "(2 * bsz, H), and views that as (1, bsz, 2 * H), so each row pairs states of two different sentences "
              "instead of one sentence's two directions; the maintainer confirmed it and fixed it to join the "
              "directions on the feature axis.")
def bidirectional_states_joined_on_the_batch_axis():
    src_lengths = torch.tensor([6, 5, 3])
    src_tokens = drawn_ids((3, 6), 30, low=2)
    src_tokens[1, 5:] = 1
    src_tokens[2, 3:] = 1                                      # padded with padding_idx = 1
    return dict(model=LSTMEncoder(), example_input=(src_tokens, src_lengths))


class ChatbotEncoderRNN(nn.Module):
    def __init__(self, hidden_size, embedding, n_layers=1):
        super().__init__()
        self.hidden_size = hidden_size
        self.embedding = embedding
        self.gru = nn.GRU(hidden_size, hidden_size, n_layers, bidirectional=True)

    def forward(self, input_seq, input_lengths, hidden=None):
        packed = pack_padded_sequence(self.embedding(input_seq), input_lengths)
        outputs, hidden = self.gru(packed, hidden)
        outputs, _ = pad_packed_sequence(outputs)
        outputs = outputs[:, :, :self.hidden_size] + outputs[:, :, self.hidden_size:]
        return outputs, hidden


class LuongAttn(nn.Module):
    def forward(self, hidden, encoder_outputs):                # 'dot' score over every step, padded ones included
        attn_energies = torch.sum(hidden * encoder_outputs, dim=2).t()
        return F.softmax(attn_energies, dim=1).unsqueeze(1)


class LuongAttnDecoderRNN(nn.Module):
    def __init__(self, embedding, hidden_size, output_size, n_layers=1):
        super().__init__()
        self.embedding = embedding
        self.gru = nn.GRU(hidden_size, hidden_size, n_layers)
        self.concat = nn.Linear(hidden_size * 2, hidden_size)
        self.out = nn.Linear(hidden_size, output_size)
        self.attn = LuongAttn()

    def forward(self, input_step, last_hidden, encoder_outputs):
        rnn_output, hidden = self.gru(self.embedding(input_step), last_hidden)
        attn_weights = self.attn(rnn_output, encoder_outputs)
        context = attn_weights.bmm(encoder_outputs.transpose(0, 1))
        concat_input = torch.cat((rnn_output.squeeze(0), context.squeeze(1)), 1)
        output = self.out(torch.tanh(self.concat(concat_input)))
        return F.softmax(output, dim=1), hidden


class ChatbotStep(nn.Module):
    """The chatbot tutorial's first decoding step: encode the padded batch, then one attention decoder step."""

    def __init__(self, voc_size=30, hidden_size=8):
        super().__init__()
        embedding = nn.Embedding(voc_size, hidden_size)
        self.encoder = ChatbotEncoderRNN(hidden_size, embedding)
        self.decoder = LuongAttnDecoderRNN(embedding, hidden_size, voc_size)

    def forward(self, input_variable, lengths, decoder_input):
        encoder_outputs, encoder_hidden = self.encoder(input_variable, lengths)
        decoder_hidden = encoder_hidden[:1]
        return self.decoder(decoder_input, decoder_hidden, encoder_outputs)[0]


@silent("https://github.com/pytorch/tutorials/issues/593", "model.decoder.attn", "padding_pooled padding_read",
        truth="The encoder outputs are padded to the longest sentence (zeros after each length, from "
              "pad_packed_sequence), and the attention's softmax runs over every step without a mask, so the padded "
              "steps of the shorter sentences get attention weight and dilute the context; the question was closed "
              "without a fix (masking the scores with the lengths before the softmax removes it).")
def attention_over_the_padded_encoder_steps():
    lengths = torch.tensor([7, 4, 2])
    input_variable = drawn_ids((7, 3), 30, low=3)
    input_variable = input_variable * (torch.arange(7)[:, None] < lengths[None, :]).long()   # PAD_token = 0
    decoder_input = torch.ones(1, 3, dtype=torch.long)         # SOS_token = 1
    return dict(model=ChatbotStep(), example_input=(input_variable, lengths, decoder_input), batch_dim=1)


# == correct (asked about, but right) ==============================================================

class DecoderRNN_CRNN(nn.Module):
    """video-classification's CRNN decoder: per-frame CNN embeddings (B, T, E) into a batch_first LSTM, the output
    at the last time step RNN_out[:, -1, :] into the classifier."""

    def __init__(self, CNN_embed_dim=12, h_RNN_layers=2, h_RNN=8, h_FC_dim=8, num_classes=5):
        super().__init__()
        self.LSTM = nn.LSTM(input_size=CNN_embed_dim, hidden_size=h_RNN, num_layers=h_RNN_layers, batch_first=True)
        self.fc1 = nn.Linear(h_RNN, h_FC_dim)
        self.fc2 = nn.Linear(h_FC_dim, num_classes)

    def forward(self, x_RNN):
        RNN_out, (h_n, h_c) = self.LSTM(x_RNN, None)
        x = F.relu(self.fc1(RNN_out[:, -1, :]))
        return self.fc2(x)


@correct("https://github.com/HHTseng/video-classification/issues/3")
def last_step_of_a_batch_first_lstm():
    return dict(model=DecoderRNN_CRNN(), example_input=drawn_normal(3, 6, 12))


class DETRTransformerStub(nn.Module):
    """DETR's use of the padding mask: images padded to a common size with a mask True on the padding, the mask
    resized to the feature map, flattened to (B, HW) and given as src_key_padding_mask to a seq-first encoder;
    the decoder's queries repeated over the batch."""

    def __init__(self, hidden_dim=16, nheads=2, num_queries=5):
        super().__init__()
        self.backbone = nn.Sequential(nn.Conv2d(3, 8, 4, 4), nn.ReLU())
        self.input_proj = nn.Conv2d(8, hidden_dim, 1)
        self.transformer = nn.Transformer(hidden_dim, nheads, 1, 1, dim_feedforward=32, dropout=0.0)
        self.query_embed = nn.Embedding(num_queries, hidden_dim)

    def forward(self, samples, mask):
        src = self.input_proj(self.backbone(samples))
        bs, c, h, w = src.shape
        mask = F.interpolate(mask[None].float(), size=(h, w))[0].to(torch.bool)   # (B, h, w)
        src = src.flatten(2).permute(2, 0, 1)                  # (HW, B, C)
        mask = mask.flatten(1)                                 # (B, HW)
        query_embed = self.query_embed.weight.unsqueeze(1).repeat(1, bs, 1)
        hs = self.transformer(src, query_embed, src_key_padding_mask=mask, memory_key_padding_mask=mask)
        return hs.transpose(0, 1)                              # (B, num_queries, C)


@correct("https://github.com/facebookresearch/detr/issues/96")
def padding_mask_false_on_the_image_true_on_the_padding():
    samples = torch.zeros(2, 3, 32, 32)
    samples[0] = drawn(3, 32, 32)
    samples[1, :, :24, :16] = drawn(3, 24, 16, seed=1)          # a smaller image padded to the batch's size
    mask = torch.ones(2, 32, 32, dtype=torch.bool)
    mask[0] = False
    mask[1, :24, :16] = False
    return dict(model=DETRTransformerStub(), example_input=(samples, mask))


class ResidualAttentionBlock(nn.Module):
    def __init__(self, d_model, n_head):
        super().__init__()
        self.ln_1, self.ln_2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.attn = nn.MultiheadAttention(d_model, n_head)     # seq-first (L, N, D)
        self.mlp = nn.Sequential(nn.Linear(d_model, 2 * d_model), nn.GELU(), nn.Linear(2 * d_model, d_model))

    def forward(self, x):
        y = self.ln_1(x)
        x = x + self.attn(y, y, y, need_weights=False)[0]
        return x + self.mlp(self.ln_2(x))


class TiTokEncoderStub(nn.Module):
    """The 1D tokenizer's encoder: patch tokens and latent tokens joined (N, L, D), permuted NLD -> LND for the
    seq-first attention blocks and back, the latent tokens kept."""

    def __init__(self, width=16, num_layers=2, num_latent_tokens=4, patch_size=4, grid=4):
        super().__init__()
        self.patch_embed = nn.Conv2d(3, width, patch_size, patch_size)
        self.positional_embedding = nn.Parameter(torch.randn(grid * grid, width) * 0.02)
        self.latent_tokens = nn.Parameter(torch.randn(num_latent_tokens, width) * 0.02)
        self.ln_pre = nn.LayerNorm(width)
        self.transformer = nn.ModuleList([ResidualAttentionBlock(width, 2) for _ in range(num_layers)])
        self.ln_post = nn.LayerNorm(width)
        self.num_latent_tokens = num_latent_tokens

    def forward(self, pixel_values):
        x = self.patch_embed(pixel_values).flatten(2).permute(0, 2, 1)        # (N, HW, D)
        x = x + self.positional_embedding
        latent = self.latent_tokens.unsqueeze(0).expand(x.shape[0], -1, -1)
        x = self.ln_pre(torch.cat([x, latent], dim=1))
        x = x.permute(1, 0, 2)                                 # NLD -> LND
        for block in self.transformer:
            x = block(x)
        x = x.permute(1, 0, 2)                                 # LND -> NLD
        return self.ln_post(x[:, -self.num_latent_tokens:])


@correct("https://github.com/bytedance/1d-tokenizer/issues/7")
def tokens_permuted_to_sequence_first_for_the_attention_blocks():
    return dict(model=TiTokEncoderStub(), example_input=drawn(3, 3, 16, 16))
