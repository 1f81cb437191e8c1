"""A third blind hold-out catalogue: shape mistakes reconstructed from public questions (each case cites its
thread) that neither the doctor's rules nor the other catalogues were written against. It was written
without reading the rules, from what the threads say, and first run as a measurement at first sight (the
score is in the README); it joined ``MODULES`` once the doctor had learnt it.

Each case keeps the poster's layer types, the sizes that matter (scaled down where they were large), their
argument names and their call order; the code and the sentences are written afresh. ``truth`` says what the
thread found the cause to be (or, where the thread left it open, what running the reconstruction shows).
Where the PyTorch of the thread worded the error differently from today's, the case raises today's wording of
the same failure: PyTorchText #4 ("expected 3D tensor", now "Expected 2D (unbatched) or 3D (batched) input to
conv1d"), pytorch-cifar #97 ("size mismatch, m1: [2 x 4608], m2: [512 x 10]", now "mat1 and mat2 shapes cannot
be multiplied"), FocusSeq2Seq #6 (the same GRUCell check, reworded), HeptapodLM #7 ("input and target batch or spatial
sizes don't match", now "size mismatch (got input: ..., target: ...)"), Modern-Computer-Vision #73 (a
deprecation warning then, a ValueError now) and pytorch #64888 (no check in the poster's version, an error
inside the attention now).

Where a thread's model came from torchvision or HuggingFace (not installed here), a small stand-in with the
same module names and output layout takes its place; the mistake is in the poster's code around it.

Cause ids and finding kinds marked ``# new cause`` / ``# new kind`` were not known to the doctor when the
batch was written: they name what the real cause is, and the doctor has learnt them since.
"""
import math

import torch
import torch.nn.functional as F
from einops import rearrange
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from . import Asked, drawn_ids as _ids, drawn as _rand, drawn_normal as _randn

_asked = Asked()
CASES, SILENT, CORRECT = _asked.raising, _asked.silent_cases, _asked.correct_models
raises, silent, correct = _asked.raises, _asked.silent, _asked.correct


# == recurrent layers and seq2seq decoders =========================================================

class BahdanauAttention(nn.Module):
    def __init__(self, enc_hidden_size, dec_hidden_size, attention_size):
        super().__init__()
        self.Wh = nn.Linear(enc_hidden_size, attention_size, bias=False)
        self.Ws = nn.Linear(dec_hidden_size, attention_size)
        self.v = nn.Linear(attention_size, 1, bias=False)

    def forward(self, enc_outputs, s):                       # (B, L, enc), (B, dec)
        energy = self.v(torch.tanh(self.Wh(enc_outputs) + self.Ws(s).unsqueeze(1))).squeeze(2)
        return F.softmax(energy, dim=1)


class NQGDecoder(nn.Module):
    """FocusSeq2Seq's NQG decoder: a GRUCell fed the word embedding joined to the attention context."""

    def __init__(self, embed_size=6, enc_hidden_size=8, dec_hidden_size=4, attention_size=5, vocab_size=30):
        super().__init__()
        input_size = embed_size + dec_hidden_size            # the context it is fed is enc_hidden_size wide
        self.word_embed = nn.Embedding(vocab_size, embed_size)
        self.rnncell = nn.GRUCell(input_size=input_size, hidden_size=dec_hidden_size)
        self.attention = BahdanauAttention(enc_hidden_size, dec_hidden_size, attention_size)
        self.readout = nn.Linear(embed_size + enc_hidden_size + dec_hidden_size, vocab_size)

    def forward(self, enc_outputs, s, target_WORD_encoding):
        B = enc_outputs.size(0)
        dec_input_word = torch.full((B,), 2, dtype=torch.long)          # <sos>
        out_log_p = []
        for i in range(target_WORD_encoding.size(1)):
            dec_input_word_embed = self.word_embed(dec_input_word)
            if i == 0:
                context = torch.zeros_like(enc_outputs[:, 0])           # (B, enc_hidden_size)
            dec_input = torch.cat([dec_input_word_embed, context], dim=1)
            s = self.rnncell(dec_input, s)
            attention = self.attention(enc_outputs, s)
            context = torch.bmm(attention.unsqueeze(1), enc_outputs).squeeze(1)
            out_log_p.append(F.log_softmax(self.readout(torch.cat([dec_input_word_embed, context, s], 1)), 1))
            dec_input_word = target_WORD_encoding[:, i]
        return torch.stack(out_log_p, 1)


@raises("https://github.com/clovaai/FocusSeq2Seq/issues/6", "decoder.rnncell", "rnn_input_size", sizes=(10, 14),
        truth="The decoder's GRUCell is built with input_size = embed_size + dec_hidden_size, but what it is fed is "
              "the word embedding joined to the attention context, which is enc_hidden_size wide; the two sizes are "
              "equal in the default config, so the mistake only shows when dec_hidden_size is changed (812 given "
              "against 556 expected in the thread).")
def gru_cell_sized_with_the_decoder_width_for_an_encoder_context():
    decoder = NQGDecoder()                                   # the poster's dec_hidden_size=256 against enc 512
    enc_outputs = torch.randn(3, 7, 8)                       # (B, source_len, enc_hidden_size)
    decoder(enc_outputs, torch.zeros(3, 4), _ids((3, 5), 30))


class Seq2SeqEncoder(nn.Module):
    def __init__(self, input_dim=30, emb_dim=6, enc_hid_dim=5, dec_hid_dim=7):
        super().__init__()
        self.embedding = nn.Embedding(input_dim, emb_dim)
        self.rnn = nn.GRU(emb_dim, enc_hid_dim, bidirectional=True)
        self.fc = nn.Linear(enc_hid_dim * 2, dec_hid_dim)

    def forward(self, src):                                  # (src_len, B)
        outputs, hidden = self.rnn(self.embedding(src))
        hidden = torch.tanh(self.fc(torch.cat((hidden[-2, :, :], hidden[-1, :, :]), dim=1)))
        return outputs, hidden                               # (src_len, B, 2 enc), (B, dec)


class Attention(nn.Module):
    def __init__(self, enc_hid_dim=5, dec_hid_dim=7):
        super().__init__()
        self.attn = nn.Linear(enc_hid_dim * 2 + dec_hid_dim, dec_hid_dim)
        self.v = nn.Linear(dec_hid_dim, 1, bias=False)

    def forward(self, hidden, encoder_outputs):              # (B, dec), (src_len, B, 2 enc)
        src_len = encoder_outputs.shape[0]
        hidden = hidden.unsqueeze(1).repeat(1, src_len, 1)
        encoder_outputs = encoder_outputs.permute(1, 0, 2)
        energy = torch.tanh(self.attn(torch.cat((hidden, encoder_outputs), dim=2)))
        return F.softmax(self.v(energy).squeeze(2), dim=1)


class Seq2SeqDecoder(nn.Module):
    """bentrevett's attention decoder with its GRU given n_layers=2, the state repeated to two layers."""

    def __init__(self, output_dim=25, emb_dim=6, enc_hid_dim=5, dec_hid_dim=7, n_layers=2):
        super().__init__()
        self.output_dim, self.n_layers = output_dim, n_layers
        self.attention = Attention(enc_hid_dim, dec_hid_dim)
        self.embedding = nn.Embedding(output_dim, emb_dim)
        self.rnn = nn.GRU(enc_hid_dim * 2 + emb_dim, dec_hid_dim, num_layers=n_layers)
        self.fc_out = nn.Linear(enc_hid_dim * 2 + dec_hid_dim + emb_dim, output_dim)

    def forward(self, input, hidden, encoder_outputs):
        embedded = self.embedding(input.unsqueeze(0))        # (1, B, emb)
        a = self.attention(hidden, encoder_outputs).unsqueeze(1)
        weighted = torch.bmm(a, encoder_outputs.permute(1, 0, 2)).permute(1, 0, 2)
        rnn_input = torch.cat((embedded, weighted), dim=2)
        if hidden.dim() == 2:
            hidden = hidden.unsqueeze(0).repeat(self.n_layers, 1, 1)
        output, hidden = self.rnn(rnn_input, hidden)
        prediction = self.fc_out(torch.cat((output.squeeze(0), weighted.squeeze(0), embedded.squeeze(0)), dim=1))
        return prediction, hidden.squeeze(0)                 # (2, B, dec): squeeze(0) leaves it 3-D


class AttnSeq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = Seq2SeqEncoder()
        self.decoder = Seq2SeqDecoder()

    def forward(self, src, trg):
        outputs = torch.zeros(trg.shape[0], trg.shape[1], self.decoder.output_dim)
        encoder_outputs, hidden = self.encoder(src)
        input = trg[0, :]
        for t in range(1, trg.shape[0]):
            output, hidden = self.decoder(input, hidden, encoder_outputs)
            outputs[t] = output
            input = trg[t]
        return outputs


@raises("https://github.com/bentrevett/pytorch-seq2seq/issues/54", "model.decoder.attention", "state_leading_axis",
        truth="Setting the decoder GRU to two layers is not enough: the first token decodes, but the state the GRU "
              "returns is (2, B, H), which hidden.squeeze(0) leaves 3-D, so on the second step the attention's "
              "unsqueeze(1) makes it 4-D and .repeat(1, src_len, 1) has too few sizes; the maintainer explained "
              "the attention must be given a single layer's (B, H) state.")
def two_layer_decoder_state_fed_back_to_the_attention():
    model = AttnSeq2Seq()
    model(_ids((6, 3), 30), _ids((4, 3), 25, seed=1))


class BertStub(nn.Module):
    """Stands in for a HuggingFace encoder: returns (last_hidden_state, pooler_output), batch first."""

    def __init__(self, vocab=40, hidden_size=12):
        super().__init__()
        self.embeddings = nn.Embedding(vocab, hidden_size)
        self.layer = nn.TransformerEncoderLayer(hidden_size, 2, 24, dropout=0.0, batch_first=True)
        self.pooler = nn.Linear(hidden_size, hidden_size)

    def forward(self, input_ids, attention_mask=None):
        pad = None if attention_mask is None else attention_mask == 0
        hidden = self.layer(self.embeddings(input_ids), src_key_padding_mask=pad)
        return hidden, torch.tanh(self.pooler(hidden[:, 0]))


class SentencePairClassifier(nn.Module):
    """A BERT encoder with a bidirectional LSTM on top, packed with the third input as the lengths."""

    def __init__(self):
        super().__init__()
        self.bert_layer = BertStub()
        self.hidden_size = 12
        self.LSTM = nn.LSTM(self.hidden_size, self.hidden_size, bidirectional=True)
        self.cls_layer = nn.Linear(self.hidden_size * 2, 1)

    def forward(self, input_ids, attn_masks, token_type_ids):
        cont_reps, pooler_output = self.bert_layer(input_ids, attn_masks)
        cont_reps = cont_reps.permute(1, 0, 2)               # (T, B, H)
        enc_hiddens, (last_hidden, last_cell) = self.LSTM(pack_padded_sequence(cont_reps, token_type_ids))
        output_hidden = torch.cat((last_hidden[0], last_hidden[1]), dim=1)
        return self.cls_layer(output_hidden)


@raises("https://github.com/shenweichen/DeepCTR-Torch/issues/275", "model", "pack_lengths_wrong",   # new cause
        truth="pack_padded_sequence takes one length per sequence, a 1-D CPU int64 tensor of B lengths, and the "
              "poster passed the tokenizer's token_type_ids, a (B, T) tensor of segment ids (on the GPU in the "
              "thread), as the lengths; the lengths should come from the attention mask (attn_masks.sum(1)).")
def token_type_ids_given_as_the_packing_lengths():
    model = SentencePairClassifier()
    input_ids = _ids((3, 7), 40, low=1)
    attn_masks = torch.ones(3, 7, dtype=torch.long)
    token_type_ids = torch.zeros(3, 7, dtype=torch.long)
    token_type_ids[:, 4:] = 1                                # the second sentence of each pair
    model(input_ids, attn_masks, token_type_ids)


class BertQGDecoder(nn.Module):
    """BertQuestionGeneration's decoder as the issue's traceback shows it: the GRU is started from `queries`."""

    def __init__(self, output_dim=30, emb_dim=6, enc_hid_dim=12, dec_hid_dim=8):
        super().__init__()
        self.embedding = nn.Embedding(output_dim, emb_dim)
        self.rnn = nn.GRU(emb_dim, dec_hid_dim, batch_first=True, num_layers=1)
        self.out = nn.Linear(enc_hid_dim + dec_hid_dim, output_dim)

    def forward(self, src, queries, hidden):
        embedded = self.embedding(src.unsqueeze(1))          # (B, 1, emb)
        output, hidden = self.rnn(embedded, queries)         # queries: the BERT encodings (B, T, enc)
        return output, hidden


class BertQGSeq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = BertStub(vocab=30, hidden_size=12)
        self.decoder = BertQGDecoder()

    def forward(self, input_ids, output_ids):
        bert_encodings, _ = self.encoder(input_ids)
        hidden = torch.zeros(input_ids.size(0), 8)
        output = output_ids[:, 0]
        for t in range(1, output_ids.size(1)):
            _, hidden = self.decoder(output, bert_encodings, hidden)
            output = output_ids[:, t]


@raises("https://github.com/andrearosasco/BertQuestionGeneration/issues/4", "model.decoder.rnn",
        "outputs_as_state",                                  # new cause
        truth="The decoder handed the GRU the BERT token encodings (B, T, 1024) as its initial hidden state, where "
              "a (1, B, 512) state belongs; the repository's later decoder starts the GRU from hidden.unsqueeze(0) "
              "and uses the encodings only as the attention's keys (queries).")
def bert_encodings_given_as_the_gru_state():
    model = BertQGSeq2Seq()
    model(_ids((3, 7), 30), _ids((3, 4), 30, seed=1))


class SentimentBiRNN(nn.Module):
    """bentrevett's tutorial 2: a packed bidirectional LSTM, the two final states joined, then squeeze(0)."""

    def __init__(self, vocab_size=40, embedding_dim=8, hidden_dim=6, output_dim=1, pad_idx=1):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=pad_idx)
        self.rnn = nn.LSTM(embedding_dim, hidden_dim, num_layers=2, bidirectional=True)
        self.fc = nn.Linear(hidden_dim * 2, output_dim)

    def forward(self, text, text_lengths):                   # (T, B)
        packed = pack_padded_sequence(self.embedding(text), text_lengths, enforce_sorted=False)
        packed_output, (hidden, cell) = self.rnn(packed)
        hidden = torch.cat((hidden[-2, :, :], hidden[-1, :, :]), dim=1)      # (B, 2H)
        return self.fc(hidden.squeeze(0))                    # squeezes the batch away when B == 1


@raises("https://github.com/bentrevett/pytorch-sentiment-analysis/issues/41", "squeeze", "squeeze_batch",
        truth="After the two directions are joined the final state is already (batch, 2 * hidden), so "
              "hidden.squeeze(0) does nothing for a full batch but removes the batch axis when the dataset's last "
              "batch holds one example, and predictions.squeeze(1) then fails; the maintainer agreed the squeeze "
              "is unnecessary and removed it.")
def last_batch_of_one_squeezed_before_the_head():
    model = SentimentBiRNN()
    text = _ids((5, 1), 40, low=2)                            # the last batch: one review
    predictions = model(text, torch.tensor([5])).squeeze(1)


# == convolutions, pooling and upsampling ==========================================================

_CIFAR_CFG = [8, "M", 16, "M", 32, 32, "M", 64, 64, "M", 64, 64, "M"]                    # VGG11, narrowed


class VGG(nn.Module):
    """kuangliu's CIFAR VGG: five 2x2 poolings and a classifier of 512 features (64 here)."""

    def __init__(self):
        super().__init__()
        self.features = self._make_layers(_CIFAR_CFG)
        self.classifier = nn.Linear(64, 10)

    def forward(self, x):
        out = self.features(x)
        out = out.view(out.size(0), -1)
        return self.classifier(out)

    def _make_layers(self, cfg):
        layers, in_channels = [], 3
        for x in cfg:
            if x == "M":
                layers += [nn.MaxPool2d(kernel_size=2, stride=2)]
            else:
                layers += [nn.Conv2d(in_channels, x, kernel_size=3, padding=1), nn.BatchNorm2d(x), nn.ReLU(inplace=True)]
                in_channels = x
        layers += [nn.AvgPool2d(kernel_size=1, stride=1)]
        return nn.Sequential(*layers)


@raises("https://github.com/kuangliu/pytorch-cifar/issues/97", "net.classifier",
        "linear_in_features flatten_size built_for_crop_size", sizes=(64, 576),   # the last: the thread's own reading
        truth="The CIFAR VGG is sized for 32 x 32 images, whose maps end at 1 x 1, so the classifier takes 512 "
              "features; STL10's 96 x 96 images end at 3 x 3 and flatten to 4608; the answer was to change the last "
              "pooling or the classifier's input (the poster pooled 12 x 12 instead of 2 x 2 and it worked).")
def stl10_images_through_a_cifar_vgg():
    net = VGG()
    net(torch.randn(2, 3, 96, 96))


class ResNetStub(nn.Module):
    """Stands in for torchvision's resnet50 (not installed here): the same child names, 2048 -> 32 features."""

    def __init__(self, width=32):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = nn.Sequential(nn.Conv2d(8, 16, 3, 1, 1), nn.ReLU())
        self.layer2 = nn.Sequential(nn.Conv2d(16, 16, 3, 2, 1), nn.ReLU())
        self.layer3 = nn.Sequential(nn.Conv2d(16, width, 3, 2, 1), nn.ReLU())
        self.layer4 = nn.Sequential(nn.Conv2d(width, width, 3, 1, 1), nn.ReLU())
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))


class ClassBlock(nn.Module):
    def __init__(self, input_dim, class_num, num_bottleneck=12):
        super().__init__()
        self.add_block = nn.Sequential(nn.Linear(input_dim, num_bottleneck), nn.BatchNorm1d(num_bottleneck),
                                       nn.LeakyReLU(0.1), nn.Dropout(p=0.5))
        self.classifier = nn.Sequential(nn.Linear(num_bottleneck, class_num))

    def forward(self, x):
        return self.classifier(self.add_block(x))


class ft_net(nn.Module):
    """Person_reID_baseline's ft_net: the backbone's children called by hand, squeezed, then the ClassBlock."""

    def __init__(self, class_num=7):
        super().__init__()
        self.model = ResNetStub()
        self.classifier = ClassBlock(32, class_num)

    def forward(self, x):
        m = self.model
        x = m.maxpool(m.relu(m.bn1(m.conv1(x))))
        x = m.layer4(m.layer3(m.layer2(m.layer1(x))))
        x = m.avgpool(x)
        x = torch.squeeze(x)                                 # (B, 2048, 1, 1) -> (B, 2048), or (2048,) if B == 1
        return self.classifier(x)


@raises("https://github.com/layumi/Person_reID_baseline_pytorch/issues/77", "model.classifier.add_block.1",
        "squeeze_batch",
        truth="torch.squeeze(x) drops every axis of size one, so when the data loader's last batch holds a single "
              "image the (1, 2048, 1, 1) features become (2048,) and the classifier's BatchNorm1d gets a 1-D "
              "input; the issue proposed x.view(x.size(0), -1) and the maintainer agreed.")
def last_batch_of_one_image_squeezed_flat():
    model = ft_net()
    model(torch.randn(1, 3, 32, 32))                          # the last batch of the epoch


class FPN(nn.Module):
    """mmdetection's FPN top-down path: each coarser lateral upsampled by scale_factor=2 and added."""

    def __init__(self, in_channels=(4, 8, 16), out_channels=6):
        super().__init__()
        self.lateral_convs = nn.ModuleList(nn.Conv2d(c, out_channels, 1) for c in in_channels)
        self.fpn_convs = nn.ModuleList(nn.Conv2d(out_channels, out_channels, 3, padding=1) for _ in in_channels)

    def forward(self, inputs):
        laterals = [lateral_conv(inputs[i]) for i, lateral_conv in enumerate(self.lateral_convs)]
        used_backbone_levels = len(laterals)
        for i in range(used_backbone_levels - 1, 0, -1):
            laterals[i - 1] += F.interpolate(laterals[i], scale_factor=2, mode="nearest")
        return [self.fpn_convs[i](laterals[i]) for i in range(used_backbone_levels)]


@raises("https://github.com/open-mmlab/mmdetection/pull/2157", "neck", "unet_odd_size", sizes=(11, 12),
        truth="The top-down path assumes every level is exactly twice the next coarser one, but a level with an odd "
              "side (85) has a coarser neighbour of 43, which doubles to 86; the PR upsamples to the finer "
              "lateral's size (size=laterals[i - 1].shape[2:]) instead of scale_factor=2.")
def fpn_level_with_an_odd_width():
    neck = FPN()
    feats = [torch.randn(1, 4, 16, 22), torch.randn(1, 8, 8, 11), torch.randn(1, 16, 4, 6)]    # 11 -> 6 -> 12
    neck(feats)


def upsample(in_tens, out_HW=(64, 64)):
    """PerceptualSimilarity's helper: the scale factor computed from the sizes, not the size itself."""
    in_H, in_W = in_tens.shape[2], in_tens.shape[3]
    scale_factor_H, scale_factor_W = 1.0 * out_HW[0] / in_H, 1.0 * out_HW[1] / in_W
    return nn.Upsample(scale_factor=(scale_factor_H, scale_factor_W), mode="bilinear", align_corners=False)(in_tens)


class LPIPSStub(nn.Module):
    """LPIPS with spatial=True, cut to its head: per-layer distance maps upsampled to the image and summed."""

    def __init__(self, chns=(4, 8)):
        super().__init__()
        self.net = nn.ModuleList([nn.Sequential(nn.Conv2d(3, chns[0], 3, 1, 1), nn.ReLU()),
                                  nn.Sequential(nn.Conv2d(chns[0], chns[1], 5, 2), nn.ReLU())])
        self.lins = nn.ModuleList(nn.Conv2d(c, 1, 1, bias=False) for c in chns)

    def forward(self, in0, in1):
        feats0, feats1, diffs = [], [], []
        a, b = in0, in1
        for layer in self.net:
            a, b = layer(a), layer(b)
            diffs.append((F.normalize(a, dim=1) - F.normalize(b, dim=1)) ** 2)
        res = [upsample(self.lins[kk](diffs[kk]), out_HW=in0.shape[2:]) for kk in range(len(diffs))]
        val = res[0]
        for l in range(1, len(res)):
            val += res[l]
        return val


@raises("https://github.com/richzhang/PerceptualSimilarity/issues/51", "model", "upsample_scale_rounding",   # new cause
        sizes=(30, 29),
        truth="upsample() hands nn.Upsample a scale factor computed as out / in, and in floating point "
              "in * (out / in) can land just under the integer (799.99999), so the map is floored one pixel short "
              "(600 x 799 against 600 x 800 in the thread) and cannot be added to the others; the issue proposed "
              "passing size=out_HW instead of a scale factor.")
def distance_maps_upsampled_by_a_computed_scale_factor():
    model = LPIPSStub()
    model(torch.rand(1, 3, 12, 30), torch.rand(1, 3, 12, 30))                # the second layer's map is 4 x 13


class Denoiser(nn.Module):
    """Retinexformer's denoiser U-shape: Conv2d(4, 2, 1) down, ConvTranspose2d(2, 2) up, skip joined by cat."""

    def __init__(self, dim=4):
        super().__init__()
        self.embedding = nn.Conv2d(3, dim, 3, 1, 1, bias=False)
        self.down = nn.Conv2d(dim, dim * 2, 4, 2, 1, bias=False)
        self.bottleneck = nn.Conv2d(dim * 2, dim * 2, 3, 1, 1)
        self.up = nn.ConvTranspose2d(dim * 2, dim, stride=2, kernel_size=2, padding=0, output_padding=0)
        self.fution = nn.Conv2d(dim * 2, dim, 1, 1, bias=False)
        self.mapping = nn.Conv2d(dim, 3, 3, 1, 1, bias=False)

    def forward(self, x):
        fea = self.embedding(x)
        skip = fea
        fea = self.bottleneck(self.down(fea))
        fea = self.up(fea)
        fea = self.fution(torch.cat([fea, skip], dim=1))
        return self.mapping(fea) + x


@raises("https://github.com/caiyuanhao1998/Retinexformer/issues/111", "model", "unet_odd_size cat_sizes",
        sizes=(12, 13),                                      # (expected, got) in the order torch.cat's message gives
        truth="The stride-2 downsampling floors an odd side (213 -> 106) and the stride-2 transposed convolution "
              "doubles it back to 212, so it cannot be joined to the 213-pixel skip; the author answered to pad "
              "the input to a multiple of 4 first, as the repository's test script does.")
def odd_image_side_through_the_transposed_upsampling():
    model = Denoiser()
    model(torch.rand(1, 3, 13, 16))


class CNNText(nn.Module):
    """PyTorchText's CNNText: Conv1d layers given 2-D kernels (1, 64) as if they were Conv2d."""

    def __init__(self, vocab=50, emb=16):
        super().__init__()
        self.encoder_tit = nn.Embedding(vocab, emb)
        self.title_conv_1 = nn.Sequential(nn.Conv1d(in_channels=1, out_channels=1, kernel_size=(1, emb)),
                                          nn.ReLU(), nn.MaxPool1d(kernel_size=1))
        self.fc = nn.Linear(8, 2)

    def forward(self, title):
        title = self.encoder_tit(title).unsqueeze(1)        # (B, 1, T, emb): an image with one channel
        title_out_1 = self.title_conv_1(title)
        return self.fc(title_out_1.view(title.size(0), -1))


@raises("https://github.com/chenyuntc/PyTorchText/issues/4", "model.title_conv_1.0", "conv_layer_rank",
        truth="The layers are nn.Conv1d but were written with 2-D kernels (1, 64) and fed the embedded titles as a "
              "one-channel image (B, 1, T, 64), the layout of nn.Conv2d; Conv1d takes (B, channels, length), so it "
              "rejects the 4-D input; either use Conv2d or give Conv1d the embeddings as channels, (B, 64, T).")
def conv1d_with_a_two_d_kernel_on_an_embedded_title():
    model = CNNText()
    model(_ids((2, 8), 50))


class ConvFeatureExtractionModel(nn.Module):
    """wav2vec's feature extractor: unsqueeze(1) adds the channel axis to a (B, T) batch of waveforms."""

    def __init__(self, conv_layers=((8, 10, 5), (8, 3, 2))):
        super().__init__()
        self.conv_layers = nn.ModuleList()
        in_d = 1
        for dim, k, stride in conv_layers:
            self.conv_layers.append(nn.Sequential(nn.Conv1d(in_d, dim, k, stride=stride, bias=False),
                                                  nn.Dropout(p=0.0), nn.GroupNorm(1, dim), nn.ReLU()))
            in_d = dim

    def forward(self, x):                                    # (B, T)
        x = x.unsqueeze(1)                                   # (B, 1, T)
        for conv in self.conv_layers:
            x = conv(x)
        return x


class Wav2VecModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.feature_extractor = ConvFeatureExtractionModel()
        self.feature_aggregator = nn.Sequential(nn.Conv1d(8, 8, 2), nn.ReLU())

    def forward(self, source):
        return self.feature_aggregator(self.feature_extractor(source))


@raises("https://github.com/facebookresearch/fairseq/issues/1412", "model.feature_extractor.conv_layers.0.0",
        "image_unbatched", sizes=(1, 200),
        truth="librosa.load gives one 1-D signal and it went in as is; the feature extractor expects a (batch, "
              "samples) tensor and adds the channel axis with unsqueeze(1), so a lone (T,) signal becomes (T, 1), "
              "which the first Conv1d reads as T channels of length 1; the signal needs a batch axis first "
              "(tensors.unsqueeze(0)).")
def one_waveform_without_its_batch_axis():
    model = Wav2VecModel()
    signal = _rand(200)                                       # librosa.load(...) -> (samples,)
    model.feature_extractor(signal)


@raises("https://github.com/espnet/espnet/issues/5089", "model.feature_extractor.conv_layers.0.0",
        "stereo_audio",                                      # new cause
        truth="The poster's recordings were two-channel, so the batch reached the wav2vec2 upstream as (batch, "
              "samples, 2); the model takes one-channel speech as (batch, samples) and adds the channel axis "
              "itself, so the input to its first Conv1d became 4-D; a maintainer answered that it accepts "
              "1-channel speech only (mix or pick one channel).")
def stereo_recordings_into_a_one_channel_feature_extractor():
    model = Wav2VecModel()
    wav = _rand(3, 200, 2)                                    # (batch, samples, channels) from the stereo files
    model(wav)


class WideBasic(nn.Module):
    def __init__(self, in_planes, out_planes, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(in_planes)
        self.conv1 = nn.Conv2d(in_planes, out_planes, 3, stride, 1, bias=False)
        self.shortcut = nn.Conv2d(in_planes, out_planes, 1, stride, bias=False)

    def forward(self, x):
        return self.conv1(F.relu(self.bn1(x))) + self.shortcut(x)


class WideResNet(nn.Module):
    """Cutout's WideResNet: avg_pool2d(out, 8) then view(-1, nChannels), written for 32 x 32 images."""

    def __init__(self, num_classes=10, widen=2):
        super().__init__()
        nChannels = [4, 4 * widen, 8 * widen, 16 * widen]
        self.conv1 = nn.Conv2d(3, nChannels[0], 3, 1, 1, bias=False)
        self.block1 = WideBasic(nChannels[0], nChannels[1], 1)
        self.block2 = WideBasic(nChannels[1], nChannels[2], 2)
        self.block3 = WideBasic(nChannels[2], nChannels[3], 2)
        self.bn1 = nn.BatchNorm2d(nChannels[3])
        self.fc = nn.Linear(nChannels[3], num_classes)
        self.nChannels = nChannels[3]

    def forward(self, x):
        out = self.block3(self.block2(self.block1(self.conv1(x))))
        out = F.relu(self.bn1(out))
        out = F.avg_pool2d(out, 8)
        out = out.view(-1, self.nChannels)
        return self.fc(out)


@raises("https://github.com/uoguelph-mlrg/Cutout/issues/16", "criterion", "batch_changed view_per_example",
        sizes=(4, 16),
        truth="The WideResNet pools its last map with a fixed 8 x 8 window, which covers the whole map only for "
              "32 x 32 images; the poster's larger images leave a 2 x 2 map and view(-1, nChannels) turns it into "
              "four rows per image, so the model returns 4 x batch_size predictions (the thread was not answered; "
              "the reconstruction shows it with 64 x 64 images).")
def larger_images_viewed_into_four_rows_each():
    model = WideResNet()
    criterion = nn.CrossEntropyLoss()
    images, labels = torch.randn(4, 3, 64, 64), _ids((4,), 10)
    pred = model(images)
    criterion(pred, labels)


# == attention, transformers and embeddings =======================================================

class TransformerEncoder(nn.Module):
    """bentrevett's tutorial 6 encoder: learned positions from a table of max_length rows."""

    def __init__(self, input_dim=30, hid_dim=8, n_heads=2, pf_dim=16, max_length=20):
        super().__init__()
        self.tok_embedding = nn.Embedding(input_dim, hid_dim)
        self.pos_embedding = nn.Embedding(max_length, hid_dim)
        self.layer = nn.TransformerEncoderLayer(hid_dim, n_heads, pf_dim, dropout=0.0, batch_first=True)
        self.scale = math.sqrt(hid_dim)

    def forward(self, src, src_mask=None):
        batch_size, src_len = src.shape
        pos = torch.arange(0, src_len).unsqueeze(0).repeat(batch_size, 1)
        src = self.tok_embedding(src) * self.scale + self.pos_embedding(pos)
        return self.layer(src, src_key_padding_mask=src_mask)


class TransformerSeq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = TransformerEncoder()
        self.out = nn.Linear(8, 30)

    def forward(self, src):
        return self.out(self.encoder(src))


@raises("https://github.com/bentrevett/pytorch-seq2seq/issues/69", "model.encoder.pos_embedding",
        "position_table_short", sizes=(20, 23),
        truth="The position embedding is a table of a fixed number of rows (the tutorial's max_length) and the "
              "poster's own dataset had longer sentences, so positions past the table were looked up; the "
              "maintainer explained the number is the longest sentence the model can take and must cover the "
              "data (or the sentences be trimmed).")
def sentences_longer_than_the_learned_positions():
    model = TransformerSeq2Seq()
    model(_ids((2, 23), 30))                                  # max_length 20 rows, 23 tokens


class HeptapodLM(nn.Module):
    """HeptapodLM's 2-D language model head: logits (b, h, w, num_tokens), scored in forward."""

    def __init__(self, num_tokens=12, dim=8):
        super().__init__()
        self.token_emb = nn.Embedding(num_tokens, dim)
        self.mix = nn.Conv2d(dim, dim, 3, padding=1)
        self.to_logits = nn.Linear(dim, num_tokens)

    def forward(self, x, x_labels):                          # (b, h, w) ids
        h = self.token_emb(x).permute(0, 3, 1, 2)
        h = F.relu(self.mix(h)).permute(0, 2, 3, 1)
        logits = self.to_logits(h)                           # (b, h, w, num_tokens)
        return F.cross_entropy(rearrange(logits, "b c h w -> b h w c"), x_labels)


@raises("https://github.com/kyegomez/HeptapodLM/issues/7", "model", "einops_order ce_classes_last",
        truth="The logits come out classes last, (b, h, w, num_tokens), and the rearrange meant to move the "
              "classes to axis 1 names the axes in the wrong order ('b c h w -> b h w c'), so it moves the height to "
              "the end instead and cross_entropy gets (4, 31, 10000, 31) against (4, 31, 31) labels; the pattern "
              "should be 'b h w c -> b c h w'.")
def logits_rearranged_with_the_axes_named_backwards():
    model = HeptapodLM()
    x = _ids((2, 5, 5), 12)
    model(x, x)


@raises("https://github.com/pytorch/pytorch/issues/64888", "model", "attn_batch_mismatch",   # new cause
        sizes=(4, 1),
        truth="With batch_first=True the query (1, 1, 640) held one example while the keys and values (4, 196, 640) "
              "held four; the layer did not check it then and returned a tensor, and the maintainers showed that "
              "it now raises; the query must be repeated over the batch (expand(4, -1, -1)).")
def one_query_against_a_batch_of_keys():
    model = nn.MultiheadAttention(16, 1, batch_first=True)     # the poster's (640, 1)
    query = torch.randn(1, 1, 16)
    key = value = torch.randn(4, 9, 16)
    model(query, key, value)


# == losses =======================================================================================

def cross_entropy2d(input, target, weight=None):
    """pytorch-semseg's loss: the scores are resized to the labels only if BOTH sides differ."""
    n, c, h, w = input.size()
    nt, ht, wt = target.size()
    if h != ht and w != wt:                                  # upsample labels
        input = F.interpolate(input, size=(ht, wt), mode="bilinear", align_corners=True)
    input = input.transpose(1, 2).transpose(2, 3).contiguous().view(-1, c)
    target = target.view(-1)
    return F.cross_entropy(input, target, weight=weight, ignore_index=250)


@raises("https://github.com/meetps/pytorch-semseg/issues/127", "cross_entropy",
        "resize_guard_and output_downsampled", sizes=(120, 108),                        # new cause
        truth="The loss resizes the scores to the label size only when both height and width differ ('and'); a "
              "validation image whose output matches the label in one side only (500 wide, 366 against 375 high in "
              "the thread) is flattened unresized, and the pixel counts disagree (183000 against 187500); the "
              "thread was not answered, and the reconstruction shows the guard must be 'or'.")
def scores_resized_only_when_both_sides_differ():
    outputs = torch.randn(1, 4, 9, 12)                       # fcn8s scores, one side short
    labels = _ids((1, 10, 12), 4)
    cross_entropy2d(input=outputs, target=labels)


@raises("https://github.com/PacktPublishing/Modern-Computer-Vision-with-PyTorch/issues/73", "loss_fn",
        "loss_shapes", sizes=((1, 1), (1,)),
        truth="The model ends in Linear(1, 1) and Sigmoid, so each prediction is (batch, 1), while y_train was made "
              "as a flat tensor([0, 1]), (batch,); BCELoss requires the two shapes equal and now raises instead of "
              "warning; the commenter fixed it with y_train.unsqueeze(1) (or by squeezing the prediction).")
def bce_prediction_column_against_a_flat_label():
    model = nn.Sequential(nn.Conv2d(1, 1, kernel_size=3), nn.MaxPool2d(2), nn.ReLU(), nn.Flatten(),
                          nn.Linear(1, 1), nn.Sigmoid())
    X_train = _randn(2, 1, 4, 4)
    y_train = torch.tensor([0, 1]).float()
    loss_fn = nn.BCELoss()
    x, y = X_train[:1], y_train[:1]                          # DataLoader(batch_size=1)
    prediction = model(x)
    loss_fn(prediction, y)


class SeqModule(nn.Module):
    """A protein-function model: conv features of the sequence, one logit per GO term."""

    def __init__(self, n_terms=20):
        super().__init__()
        self.conv = nn.Conv1d(21, 8, 5, padding=2)
        self.pool = nn.AdaptiveMaxPool1d(1)
        self.fc = nn.Linear(8, n_terms)

    def forward(self, seq):                                  # (B, 21, L) one-hot residues
        return self.fc(self.pool(F.relu(self.conv(seq))).squeeze(2))        # (B, n_terms)


@raises("https://github.com/pytorch/pytorch/issues/25663", "loss_function", "loss_shapes ce_target_extra_axis",
        sizes=((1, 20), (1, 1, 20)),
        truth="Each label was stored as a (1, n_terms) row, so the data loader stacks them to (batch, 1, n_terms) "
              "while the model gives (batch, n_terms) logits; BCEWithLogitsLoss requires equal shapes, and the "
              "label needs its extra axis squeezed (labels.squeeze(1)); the thread's answers point at making the "
              "two shapes the same.")
def multilabel_targets_with_an_extra_axis():
    seq_model = SeqModule()
    loss_function = nn.BCEWithLogitsLoss()
    seq = torch.randn(1, 21, 30)
    label = (_rand(1, 1, 20) > 0.8).float()                  # one (1, n_terms) label per protein, batch 1
    loss_function(seq_model(seq), label)


# == plain tensor code ============================================================================

@raises("https://github.com/VSainteuf/pytorch-psetae/issues/21", "stack", "stack_unequal",
        truth="Each parcel's time series has its own number of dates (105, 109, ...), and the default collate "
              "stacks the samples into one tensor, which needs equal sizes; the maintainer pointed to padding the "
              "sequences (and a custom collate) as in the lightweight-temporal-attention repository.")
def time_series_of_different_lengths_in_one_batch():
    samples = [_rand(5, 4, 3), _rand(6, 4, 3, seed=1)]       # (T, channels, pixels) per parcel
    torch.utils.data.default_collate(samples)


def blend_shapes(betas, shape_disps):
    """SMPL's blend_shapes: the shape coefficients times the shape basis."""
    return torch.einsum("bl,mkl->bmk", [betas, shape_disps])


@raises("https://github.com/xy02-05/ScoreHypo/issues/6", "einsum", "einsum_sizes", sizes=(10, 30),
        truth="The model file's shape basis has 300 components (shapedirs (6890, 3, 300)) while the network gives "
              "10 betas, so the letter l is 10 in one operand and 300 in the other; the thread was not answered, "
              "and the reconstruction shows the basis must be cut to the number of betas (shapedirs[..., :10]).")
def ten_betas_against_a_basis_of_three_hundred():
    betas = _randn(1, 10)
    shapedirs = _randn(20, 3, 30)                             # (vertices, 3, num_shape_components)
    blend_shapes(betas, shapedirs)


# == silent =======================================================================================

class AEALblock(nn.Module):
    """AEMatter's axial attention block: rows and columns made batch first, into default (seq-first) MHA."""

    def __init__(self, d_model=8, nhead=2, width=4):
        super().__init__()
        self.width = width
        self.attn_h = nn.MultiheadAttention(d_model // 2, nhead)            # batch_first=False
        self.attn_w = nn.MultiheadAttention(d_model // 2, nhead)
        self.proj = nn.Conv2d(d_model, d_model, 1)

    def forward(self, src):
        b, c, h, w = src.shape
        x1 = src[:, 0:c // 2]
        x1_ = rearrange(x1, "b c (h1 h2) w -> (b h1) (h2 w) c", h2=self.width)
        x2 = src[:, c // 2:]
        x2_ = rearrange(x2, "b c h (w1 w2) -> (b w1) (h w2) c", w2=self.width)
        x1_ = self.attn_h(x1_, x1_, x1_)[0]
        x2_ = self.attn_w(x2_, x2_, x2_)[0]
        x1 = rearrange(x1_, "(b h1) (h2 w) c -> b c (h1 h2) w", h2=self.width, b=b)
        x2 = rearrange(x2_, "(b w1) (h w2) c -> b c h (w1 w2)", w2=self.width, b=b)
        return src + self.proj(torch.cat([x1, x2], dim=1))


@silent("https://github.com/aipixel/AEMatter/issues/3", "model.attn_h", "batch_on_time_axis samples_mix",
        truth="The windows are laid out batch first, ((b h1), (h2 w), c), but nn.MultiheadAttention was built "
              "without batch_first=True, so it reads the (b h1) windows as the sequence and attends across "
              "windows and images instead of within a window; the author confirmed the bug (the released model was "
              "trained with it, acting as a strong regularizer).")
def windows_batch_first_into_seq_first_attention():
    return dict(model=AEALblock(), example_input=torch.randn(2, 8, 8, 8))


class MeanPooledEncoder(nn.Module):
    """A BERT-like encoder whose sentence embedding is last_hidden_state.mean(dim=1)."""

    def __init__(self, vocab=30, dim=8, pad_id=0):
        super().__init__()
        self.pad_id = pad_id
        self.embeddings = nn.Embedding(vocab, dim, padding_idx=pad_id)
        layer = nn.TransformerEncoderLayer(dim, 2, 16, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, 1, enable_nested_tensor=False)

    def forward(self, input_ids):
        attention_mask = input_ids != self.pad_id
        last_hidden_state = self.encoder(self.embeddings(input_ids), src_key_padding_mask=~attention_mask)
        return last_hidden_state.mean(dim=1)                  # pads averaged in


def _padded(lengths, vocab=30, seed=2):
    ids = torch.zeros(len(lengths), max(lengths), dtype=torch.long)
    g = torch.Generator().manual_seed(seed)
    for b, n in enumerate(lengths):
        ids[b, :n] = torch.randint(1, vocab, (n,), generator=g)
    return ids


@silent("https://github.com/huggingface/transformers/issues/17463", "model", "padding_read padding_pooled",  # new kind
        truth="Mean pooling over last_hidden_state averages the padded positions too, and the model's outputs there "
              "are not zeros, so a sentence's embedding changes with the longest sentence in its batch; the "
              "answer was to weight the mean by the attention mask (sum of masked states over the mask's sum).")
def sentence_embedding_mean_includes_the_padding():
    return dict(model=MeanPooledEncoder(), example_input=_padded([7, 3, 5]))


class DiTUnpatch(nn.Module):
    """minRF's DiT ends: patches packed (c, p, q), then unpatchify reads each patch as (p, q, c)."""

    def __init__(self, in_channels=3, patch_size=2, dim=16):
        super().__init__()
        self.patch_size, self.out_channels = patch_size, in_channels
        self.init_conv_seq = nn.Linear(patch_size * patch_size * in_channels, dim)
        self.block = nn.Sequential(nn.LayerNorm(dim), nn.Linear(dim, dim), nn.GELU())
        self.final_layer = nn.Linear(dim, patch_size * patch_size * in_channels)

    def patchify(self, x):
        B, C, H, W = x.size()
        p = self.patch_size
        x = x.view(B, C, H // p, p, W // p, p).permute(0, 2, 4, 1, 3, 5)     # (B, h, w, C, p, p)
        return x.flatten(-3).flatten(1, 2)                   # (B, h * w, C * p * p)

    def unpatchify(self, x):
        c, p = self.out_channels, self.patch_size
        h = w = int(x.shape[1] ** 0.5)
        x = x.reshape(shape=(x.shape[0], h, w, p, p, c))
        x = torch.einsum("nhwpqc->nchpwq", x)
        return x.reshape(shape=(x.shape[0], c, h * p, h * p))

    def forward(self, x):
        tokens = self.init_conv_seq(self.patchify(x))
        return self.unpatchify(self.final_layer(tokens + self.block(tokens)))


@silent("https://github.com/cloneofsimo/minRF/issues/6", "model", "view_moves_axes",
        truth="patchify packs each patch as (channels, p, p) but unpatchify reshapes it as (p, p, channels) before "
              "the einsum, so unpatchify(patchify(image)) is not the image; the author agreed it is a bug, noting "
              "pixels are only shuffled within a patch, which the final Linear can learn to undo.")
def patches_unpacked_in_another_order():
    return dict(model=DiTUnpatch(), example_input=torch.randn(2, 3, 8, 8))


class InceptionRegressor(nn.Module):
    """A tsai-style time-series regressor: conv features, global pooling, one output column."""

    def __init__(self, c_in=3, c_out=1):
        super().__init__()
        self.conv = nn.Conv1d(c_in, 8, 3, padding=1)
        self.gap = nn.AdaptiveAvgPool1d(1)
        self.fc = nn.Linear(8, c_out)

    def forward(self, x):                                    # (B, c_in, seq_len)
        return self.fc(self.gap(F.relu(self.conv(x))).squeeze(-1))          # (B, 1)


@silent("https://github.com/timeseriesAI/tsai/issues/22", "loss_fn: mse_loss", "loss_broadcast",
        truth="The regression targets were 2-D in the poster's dataset and came out (batch,) against the model's "
              "(batch, 1) predictions, so MSELoss broadcast them to (batch, batch) and the model did not train "
              "across epochs; the maintainer answered to pass a one-dimensional target of the matching shape "
              "(t.reshape(-1,) before building the datasets, with predictions to match).")
def regression_column_against_flat_targets():
    return dict(model=InceptionRegressor(), example_input=torch.randn(16, 3, 10), loss_fn=nn.MSELoss(),
                target=torch.randn(16))


class TextClassifier(nn.ModuleList):
    """FernandoLpz's CNN: Conv1d(seq_len, out_size, k) run on (B, seq_len, embedding) without a permute."""

    def __init__(self, num_words=50, seq_len=12, embedding_size=16, out_size=4, stride=2):
        super().__init__()
        self.embedding = nn.Embedding(num_words, embedding_size, padding_idx=0)
        self.conv_1 = nn.Conv1d(seq_len, out_size, 2, stride)
        self.conv_2 = nn.Conv1d(seq_len, out_size, 3, stride)
        self.conv_3 = nn.Conv1d(seq_len, out_size, 4, stride)
        self.pool_1, self.pool_2, self.pool_3 = nn.MaxPool1d(2, stride), nn.MaxPool1d(3, stride), nn.MaxPool1d(4, stride)
        self.fc = nn.Linear(4 * (4 + 3 + 2), 1)

    def forward(self, x):
        x = self.embedding(x)                                # (B, seq_len, embedding_size)
        x1 = self.pool_1(torch.relu(self.conv_1(x)))
        x2 = self.pool_2(torch.relu(self.conv_2(x)))
        x3 = self.pool_3(torch.relu(self.conv_3(x)))
        union = torch.cat((x1, x2, x3), 2)
        union = union.reshape(union.size(0), -1)
        return torch.sigmoid(self.fc(union))


@silent("https://github.com/FernandoLpz/Text-Classification-CNN-PyTorch/issues/3", "model.conv_1",
        "conv1d_over_features",                              # new kind
        truth="The embedded text is (batch, seq_len, embedding) and the Conv1d layers were built with seq_len as "
              "in_channels, so they slide along the embedding features and mix all word positions at once instead "
              "of sliding over the words; the issue and a commenter said to permute to (batch, embedding, seq_len) "
              "and make in_channels the embedding size.")
def text_convolutions_sliding_over_the_embedding():
    return dict(model=TextClassifier(), example_input=_ids((3, 12), 50, low=1))


# == correct (asked about, but right) ============================================================

class EncoderCNN(nn.Module):
    def __init__(self, img_x=16, img_y=16, CNN_embed_dim=12):
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(3, 4, 5, 2), nn.BatchNorm2d(4, momentum=0.01), nn.ReLU(inplace=True))
        self.conv2 = nn.Sequential(nn.Conv2d(4, 8, 3, 2), nn.BatchNorm2d(8, momentum=0.01), nn.ReLU(inplace=True))
        self.fc1 = nn.Linear(8 * 2 * 2, 16)
        self.fc3 = nn.Linear(16, CNN_embed_dim)

    def forward(self, x_3d):                                 # (B, T, C, H, W)
        cnn_embed_seq = []
        for t in range(x_3d.size(1)):
            x = self.conv2(self.conv1(x_3d[:, t, :, :, :]))
            x = x.view(x.size(0), -1)
            cnn_embed_seq.append(self.fc3(F.relu(self.fc1(x))))
        return torch.stack(cnn_embed_seq, dim=0).transpose_(0, 1)          # (B, T, embed)


class DecoderRNN(nn.Module):
    def __init__(self, CNN_embed_dim=12, h_RNN_layers=2, h_RNN=10, h_FC_dim=8, num_classes=5):
        super().__init__()
        self.LSTM = nn.LSTM(input_size=CNN_embed_dim, hidden_size=h_RNN, num_layers=h_RNN_layers, batch_first=True)
        self.fc1 = nn.Linear(h_RNN, h_FC_dim)
        self.fc2 = nn.Linear(h_FC_dim, num_classes)

    def forward(self, x_RNN):
        RNN_out, (h_n, h_c) = self.LSTM(x_RNN, None)
        return self.fc2(F.relu(self.fc1(RNN_out[:, -1, :])))


class CRNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.cnn_encoder = EncoderCNN()
        self.rnn_decoder = DecoderRNN()

    def forward(self, x_3d):
        return self.rnn_decoder(self.cnn_encoder(x_3d))


@correct("https://github.com/HHTseng/video-classification/issues/42")
def video_crnn_with_a_batch_first_lstm():
    return dict(model=CRNN(), example_input=torch.randn(2, 4, 3, 16, 16))


class LastStateClassifier(nn.Module):
    """A batch_first LSTM whose h_n stays (num_layers, batch, hidden): the top layer is h_n[-1]."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(16, 12, num_layers=2, batch_first=True)
        self.fc = nn.Linear(12, 3)

    def forward(self, input):                                # (batch, seq, feature)
        _, (finalHiddenState, _) = self.lstm(input)
        return self.fc(finalHiddenState[-1])


@correct("https://github.com/pytorch/pytorch/issues/19675")
def batch_first_lstm_classified_from_its_last_layer_state():
    return dict(model=LastStateClassifier(), example_input=torch.randn(3, 8, 16))


class LSTMBackbone(nn.Module):
    """The patrec lab's LSTM: packed, unpacked, the forward state at each length, the backward one at 0."""

    def __init__(self, input_dim=6, rnn_size=5, num_layers=1, bidirectional=True, dropout=0.0):
        super().__init__()
        self.bidirectional, self.batch_first = bidirectional, True
        self.hidden_size = rnn_size
        self.lstm = nn.LSTM(input_dim, rnn_size, num_layers, batch_first=True, bidirectional=bidirectional)
        self.drop = nn.Dropout(dropout)

    def forward(self, x, lengths):
        packed = pack_padded_sequence(x, lengths.to("cpu"), batch_first=True, enforce_sorted=False)
        output, _ = self.lstm(packed)
        output, lengths = pad_packed_sequence(output, batch_first=True)
        output = self.drop(output)
        return self._final_output(output, lengths)

    def _final_output(self, out, lengths):
        if not self.bidirectional:
            return self._select_last_unpadded(out, lengths)
        forward, backward = out[..., :self.hidden_size], out[..., self.hidden_size:]
        last_backward_out = backward[:, 0, :] if self.batch_first else backward[0, ...]
        last_forward_out = self._select_last_unpadded(forward, lengths)
        return torch.cat((last_forward_out, last_backward_out), dim=-1)

    def _select_last_unpadded(self, out, lengths):
        gather_idx = (lengths - 1).unsqueeze(1).expand((-1, self.hidden_size)).unsqueeze(1)
        return out.gather(1, gather_idx).squeeze(1)


@correct("https://github.com/slp-ntua/patrec-labs/issues/210")
def bidirectional_last_states_taken_at_each_length():
    x = torch.randn(4, 7, 6)
    lengths = torch.tensor([7, 3, 5, 2])
    for b, n in enumerate(lengths):
        x[b, n:] = 0.0
    return dict(model=LSTMBackbone(), example_input=(x, lengths))
