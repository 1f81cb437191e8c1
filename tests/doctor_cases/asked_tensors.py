"""Convolution, linear, loss and plain-code shape mistakes reconstructed from public questions (each case cites its thread).

Each case keeps the poster's layer types, the sizes that matter (scaled down where they were large), their
argument names and their call order; the code and the sentences are written afresh. ``truth`` says what the
thread found the cause to be (or, where the thread left it open, what running the reconstruction shows).
"""
import torch
import torch.nn.functional as F
from torch import nn

from . import Asked

_asked = Asked()
CASES, SILENT, CORRECT = _asked.raising, _asked.silent_cases, _asked.correct_models
raises, silent, correct = _asked.raises, _asked.silent, _asked.correct


# -- convolutions: channels, rank, size --------------------------------------------------------

@raises("https://github.com/keras-team/autokeras/issues/351", "conv", "conv_channels", sizes=(1, 3),
        truth="The photo was loaded as an RGB tensor with 3 channels while the hand-made sharpening Conv2d was "
              "built with in_channels=1; the picture has to be made grayscale (or the kernel given 3 input channels).")
def colour_photo_into_a_one_channel_filter():
    photo = torch.rand(3, 12, 12)                             # to_tensor(RGB image): (C, H, W)
    batch = photo.unsqueeze(0)                                # (1, 3, H, W): a batch of one
    kernel = torch.ones(3, 3) / -9
    kernel[1][1] = 1
    conv = nn.Conv2d(1, 1, (3, 3), 1, bias=False)
    conv.weight.data = kernel.view(1, 1, 3, 3)
    conv(batch)


class ConvBlock(nn.Module):
    def __init__(self, ch_in, ch_out):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(ch_in, ch_out, 3, 1, 1), nn.BatchNorm2d(ch_out), nn.ReLU(),
                                  nn.Conv2d(ch_out, ch_out, 3, 1, 1), nn.BatchNorm2d(ch_out), nn.ReLU())

    def forward(self, x):
        return self.conv(x)


class TinyUNetEncoder(nn.Module):
    def __init__(self, img_ch=3):
        super().__init__()
        self.Conv1 = ConvBlock(img_ch, 8)
        self.Maxpool = nn.MaxPool2d(2)
        self.Conv2 = ConvBlock(8, 16)

    def forward(self, x):                                     # x: (B, C, H, W)
        return self.Conv2(self.Maxpool(self.Conv1(x)))


@raises("https://github.com/LeeJunHyun/Image_Segmentation/issues/29", "model.Conv1.conv.0", "channels_last",
        sizes=(3, 32),
        truth="The dataset handed the U-Net images laid out (H, W, C) as they come from the image file; they must "
              "be transposed to (C, H, W) before batching.")
def segmentation_images_height_width_channels():
    model = TinyUNetEncoder()
    image = torch.rand(32, 32, 3)                             # (H, W, C) straight from the file
    model(image.unsqueeze(0))                                 # (1, H, W, C)


class VGGStem(nn.Module):
    def __init__(self):
        super().__init__()
        self.activ = nn.ReLU()
        self.conv1_1 = nn.Conv2d(3, 4, 3, padding=1)
        self.conv1_2 = nn.Conv2d(4, 4, 3, padding=1)

    def forward(self, x):                                     # x: (B, 3, H, W)
        return self.activ(self.conv1_2(self.activ(self.conv1_1(x))))


@raises("https://github.com/long123524/SEANet_torch/issues/4", "model.conv1_1", "conv_dims", sizes=(4, 5),
        truth="The input size given to the summary tool already included the batch (8, 3, H, W), and the tool "
              "adds its own batch axis, so the network received a 5-D tensor; the size must be given without "
              "the batch.")
def summary_size_that_already_has_the_batch():
    model = VGGStem()
    input_size = (8, 3, 16, 16)                               # what was passed to summary(model, ...)
    model(torch.rand(2, *input_size))                         # the tool prepends its own batch of 2


class SkipConvs(nn.Module):
    def __init__(self, dilation_channels=4, skip_channels=6, layers=2):
        super().__init__()
        self.skip_convs = nn.ModuleList(
            nn.Conv1d(in_channels=dilation_channels, out_channels=skip_channels, kernel_size=(1, 1))
            for _ in range(layers))

    def forward(self, x):                                     # x: (B, C, nodes, T)
        skip = 0
        for conv in self.skip_convs:
            skip = skip + conv(x)
        return skip


@raises("https://github.com/nnzhan/Graph-WaveNet/issues/47", "model.skip_convs.0", "conv_layer_rank",  # new cause
        sizes=(3, 4),
        truth="The skip layers were written as nn.Conv1d with a (1, 1) kernel and fed (batch, channels, nodes, "
              "time) maps, which old PyTorch tolerated; they are 2-D convolutions and must be nn.Conv2d.")
def conv1d_with_a_square_kernel_on_4d_maps():
    model = SkipConvs()
    model(torch.randn(2, 4, 5, 3))                            # (B, C, nodes, T)


class DigitNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, 3, padding=1)
        self.conv2 = nn.Conv2d(10, 20, 3, padding=1)
        self.relu = nn.ReLU()
        self.fc1 = nn.Linear(15680, 100)
        self.fc2 = nn.Linear(100, 10)

    def forward(self, x):
        out = self.conv2(self.conv1(x))
        return self.fc2(self.relu(self.fc1(out.view(out.size(0), -1))))


@raises("https://e-com-net.com/article/1743708265516122112.htm", "model.conv1", "conv_dims", sizes=(4, 2),
        truth="The training loop flattened each MNIST batch to (batch, 784) with images.view(-1, 28 * 28), a "
              "habit from fully connected nets, so the first Conv2d got a 2-D tensor instead of (B, 1, 28, 28).")
def mnist_batch_flattened_before_a_conv():
    model = DigitNet()
    images = torch.rand(4, 1, 28, 28)                         # as the DataLoader gives them
    model(images.view(-1, 28 * 28))                           # (B, 784)


class VGGStyleDiscriminator(nn.Module):
    """Stages of (3x3 stride 1, 4x4 stride 2) convolutions, sized for 32 x 32 crops (BasicSR's is for 128)."""

    def __init__(self, nf=4):
        super().__init__()
        self.conv0_0 = nn.Conv2d(3, nf, 3, 1, 1)
        self.conv0_1 = nn.Conv2d(nf, nf, 4, 2, 1)
        for i in range(1, 5):
            setattr(self, f"conv{i}_0", nn.Conv2d(nf, nf, 3, 1, 1))
            setattr(self, f"conv{i}_1", nn.Conv2d(nf, nf, 4, 2, 1))
        self.linear = nn.Linear(nf * 1 * 1, 1)

    def forward(self, x):
        for i in range(5):
            x = F.leaky_relu(getattr(self, f"conv{i}_1")(getattr(self, f"conv{i}_0")(x)), 0.2)
        return self.linear(x.flatten(1))


@raises("https://github.com/XPixelGroup/BasicSR/issues/249", "model.conv4_1", "conv_too_small",
        sizes=((4, 4), (3, 3)),
        truth="The images reaching the discriminator were much smaller than the crop size its stack of stride-2 "
              "convolutions was designed for, so after four halvings the map is 1 x 1 and the next 4 x 4 kernel "
              "does not fit even with its padding.")
def small_crops_through_a_discriminator_built_for_larger_ones():
    model = VGGStyleDiscriminator()
    model(torch.rand(2, 3, 16, 16))                           # 16 -> 8 -> 4 -> 2 -> 1, then a 4x4 kernel


class MiniUNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.Maxpool = nn.MaxPool2d(2)
        self.Conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.Conv2 = nn.Conv2d(4, 8, 3, padding=1)
        self.Conv3 = nn.Conv2d(8, 16, 3, padding=1)
        self.Up3 = nn.Sequential(nn.Upsample(scale_factor=2), nn.Conv2d(16, 8, 3, padding=1))
        self.Up_conv3 = nn.Conv2d(16, 8, 3, padding=1)

    def forward(self, x):
        e1 = self.Conv1(x)                                    # (B, 4, H, W)
        e2 = self.Conv2(self.Maxpool(e1))                     # (B, 8, H/2, W/2)
        e3 = self.Conv3(self.Maxpool(e2))                     # (B, 16, H/4, W/4), floored
        d3 = self.Up3(e3)                                     # doubled back: one short when H/2 was odd
        d3 = torch.cat((e2, d3), dim=1)
        return self.Up_conv3(d3)


@raises("https://github.com/bigmb/Unet-Segmentation-Pytorch-Nest-of-Unets/issues/55", "model",
        "unet_odd_size", sizes=(5, 4),  # new cause
        truth="The image side was not a multiple of 2 ** (number of poolings): max pooling floors an odd side, "
              "upsampling doubles it back one short, and the skip connection cannot be concatenated; resize or "
              "pad the input to a multiple of 16.")
def unet_input_side_not_a_multiple_of_the_poolings():
    model = MiniUNet()
    model(torch.rand(2, 1, 10, 10))                           # 10 -> 5 -> 2 -> 4, skip is 5


# -- flatten, view and linear --------------------------------------------------------------------

class FashionMNISTModelV2(nn.Module):
    def __init__(self, input_shape, hidden_units, output_shape):
        super().__init__()
        self.conv_block_1 = nn.Sequential(
            nn.Conv2d(input_shape, hidden_units, 3, 1, 1), nn.ReLU(),
            nn.Conv2d(hidden_units, hidden_units, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2))
        self.conv_block_2 = nn.Sequential(
            nn.Conv2d(hidden_units, hidden_units, 3, 1, 1), nn.ReLU(),
            nn.Conv2d(hidden_units, hidden_units, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(hidden_units * 7 * 7, output_shape))

    def forward(self, x):
        return self.classifier(self.conv_block_2(self.conv_block_1(x)))


@raises("https://github.com/mrdbourke/pytorch-deep-learning/issues/763", "model.classifier.1", "image_unbatched",
        sizes=(490, 49),
        truth="A single image (1, 28, 28) was passed without a batch axis; the convolutions accept it as one "
              "unbatched image, but Flatten keeps axis 0 (now the 10 channels) as rows, so the Linear gets 10 "
              "rows of 49; image.unsqueeze(0) fixes it.")
def one_fashion_image_without_its_batch_axis():
    model = FashionMNISTModelV2(input_shape=1, hidden_units=10, output_shape=10)
    image = torch.rand(1, 28, 28)                             # (C, H, W), one image from the test set
    model(image)


class TwoScaleNet(nn.Module):
    def __init__(self, num_classes=5):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 8, 3, stride=2), nn.ReLU(), nn.MaxPool2d(2))
        self.drop_out = nn.Dropout(p=0.75)
        self.fc6_scl1 = nn.Linear(8 * 3 * 3, 32)
        self.fc6_scl2 = nn.Linear(8 * 3 * 3, 32)
        self.relu = nn.ReLU()
        self.fc7_scl1 = nn.Linear(32, 16)
        self.fc7_scl2 = nn.Linear(32, 16)
        self.fc8 = nn.Linear(32, num_classes)

    def forward(self, imgs_scl1, imgs_scl2):
        x_1 = self.drop_out(self.features(imgs_scl1))         # (B, 8, 3, 3): never flattened
        x_2 = self.drop_out(self.features(imgs_scl2))
        x_1 = self.fc7_scl1(self.drop_out(self.relu(self.fc6_scl1(x_1))))
        x_2 = self.fc7_scl2(self.drop_out(self.relu(self.fc6_scl2(x_2))))
        return self.fc8(torch.cat([x_1, x_2], 1))


@raises("https://github.com/pytorch/pytorch/issues/1168", "model.fc6_scl1", "flatten_missing", sizes=(72, 3),
        truth="The convolutional features (batch, channels, h, w) went straight into the fully connected layer; "
              "torchvision's AlexNet flattens them with x.view(x.size(0), -1) before its classifier, and this "
              "forward skipped that step.")
def shared_features_into_fc_without_flattening():
    model = TwoScaleNet()
    model(torch.rand(2, 3, 16, 16), torch.rand(2, 3, 16, 16))


class MultiInputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.cnn = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(2), nn.Flatten())
        self.sec = nn.Sequential(nn.Linear(6 * 16, 8), nn.ReLU(), nn.Linear(8, 2))

    def forward(self, input1, input2, input3, input4, input5, input6):
        c1, c2, c3 = self.cnn(input1), self.cnn(input2), self.cnn(input3)     # each (B, 16)
        c4, c5, c6 = self.cnn(input4), self.cnn(input5), self.cnn(input6)
        all = torch.cat((c1, c2, c3, c4, c5, c6), 0)          # (6B, 16): stacked as more examples
        return self.sec(all)


@raises("https://github.com/pytorch/pytorch/issues/139037", "model.sec.0", "cat_batch_axis",  # new cause
        sizes=(96, 16),
        truth="The six branch outputs were concatenated along dim 0, the batch axis, which makes six times as "
              "many examples of 16 features instead of one example of 6 * 16 features; torch.cat(..., 1) is "
              "what the 96-input Linear expects.")
def six_branches_joined_on_the_batch_axis():
    model = MultiInputs()
    model(*[torch.rand(2, 3, 8, 8) for _ in range(6)])


class CellNet(nn.Module):
    """Conv3d over the four stains of a cell image; the batch size was multiplied into the flattened width."""

    batch_size = 4

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv3d(4, 6, kernel_size=(1, 3, 3), stride=1, padding=(0, 1, 1))
        self.pool = nn.MaxPool3d((1, 2, 2))
        self.conv2 = nn.Conv3d(6, 16, kernel_size=(1, 3, 3), stride=1, padding=(0, 1, 1))
        self.fc1 = nn.Linear(self.batch_size * 16 * 1 * 2 * 2, 12)
        self.fc2 = nn.Linear(12, 18)

    def forward(self, x):                                     # x: (B, 4 stains, 1, H, W)
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))                  # (B, 16, 1, 2, 2)
        x = x.view(-1, self.batch_size * 16 * 1 * 2 * 2)      # the batch size written into the row width
        return F.softmax(self.fc2(F.relu(self.fc1(x))), dim=1)


@raises("https://github.com/weka511/hpa-scc/issues/38", "model", "batch_hardcoded view_per_example",  # new cause
        truth="The flattening view wrote the batch size (8 in the thread) into the row width, so a full batch "
              "became one row (the earlier MSE warning) and the smaller last batch cannot be viewed at all; "
              "flatten per example with x.view(x.size(0), -1).")
def last_batch_against_a_batch_size_written_into_view():
    model = CellNet()
    model(torch.rand(3, 4, 1, 8, 8))                          # the last batch: 3 cells, not 4


class TinyVAE(nn.Module):
    def __init__(self, lsize=2):
        super().__init__()
        self.enc = nn.Sequential(nn.Conv2d(3, 4, 4, stride=2), nn.ReLU(), nn.Flatten())
        self.fc_mu = nn.Linear(4 * 3 * 3, lsize)
        self.fc_logsigma = nn.Linear(4 * 3 * 3, lsize)

    def forward(self, x):
        h = self.enc(x)
        return None, self.fc_mu(h), self.fc_logsigma(h)


@raises("https://github.com/ctallec/world-models/issues/25", "view", "batch_hardcoded",  # new cause
        truth="to_latent reshapes the latents with the constant BSIZE, and the last batch of the epoch holds "
              "fewer sequences; drop_last=True on the DataLoader (or the batch's own size) fixes it.")
def latents_viewed_with_the_constant_batch_size():
    BSIZE, SEQ_LEN, LSIZE, SIZE = 4, 3, 2, 8
    vae = TinyVAE(LSIZE)
    obs = torch.rand(3, SEQ_LEN, 3, SIZE, SIZE)               # the last batch: 3 sequences
    _, obs_mu, obs_logsigma = vae(obs.view(-1, 3, SIZE, SIZE))
    (obs_mu + obs_logsigma.exp() * torch.randn_like(obs_mu)).view(BSIZE, SEQ_LEN, LSIZE)


@raises("https://github.com/pytorch/examples/issues/836", "view", "view_stride",
        truth="accuracy() transposes the top-k predictions with .t(), and the comparison result keeps that "
              "transposed memory layout, so correct[:k].view(-1) fails; .reshape(-1) is the fix the example took.")
def topk_accuracy_viewed_after_a_transpose():
    output, target = torch.randn(8, 10), torch.randint(0, 10, (8,))
    maxk = 5
    _, pred = output.topk(maxk, 1, True, True)
    pred = pred.t()                                           # (k, B), a transposed view
    correct = pred.eq(target.view(1, -1).expand_as(pred))
    for k in (1, 5):
        correct[:k].view(-1).float().sum(0, keepdim=True)


# -- sizes of the wrong type ---------------------------------------------------------------------

@raises("https://github.com/timomernick/pytorch-capsule/issues/5", "empty", "float_size",
        truth="The layer size (reconstruction_size * 2) / 3 is a float under Python 3's true division (the code "
              "was written for Python 2); int(...) or // gives the whole number nn.Linear needs.")
def reconstruction_layer_sized_with_true_division():
    num_output_units, output_unit_size, reconstruction_size = 10, 16, 784
    nn.Linear(num_output_units * output_unit_size, (reconstruction_size * 2) / 3)


@raises("https://github.com/BoyuanJiang/context_encoder_pytorch/issues/17", "new", "float_size",
        truth="opt.imageSize / 2 is a float in Python 3, and tensor sizes must be ints; imageSize // 2 fixes the "
              "buffer for the image centre.")
def centre_buffer_sized_with_true_division():
    batchSize, imageSize = 4, 16
    torch.FloatTensor(batchSize, 3, imageSize / 2, imageSize / 2)


@raises("https://github.com/dongdonghy/repulsion-loss-faster-rcnn-pytorch/issues/5", "view", "float_size",
        truth="The number of boxes was computed as int(n) / 4, which is a float in Python 3, and passed to "
              "view; the fix is int(n) // 4.")
def boxes_viewed_with_true_division():
    pred_boxes = torch.rand(12)                               # the selected coordinates, 4 per box
    pred_boxes.view(int(pred_boxes.shape[0]) / 4, 4)


# -- normalisation layers ------------------------------------------------------------------------

class BinaryClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(13, 32)
        self.fc2 = nn.Linear(32, 32)
        self.fc3 = nn.Linear(32, 1)
        self.dropout = nn.Dropout(p=0.2)
        self.bn1 = nn.BatchNorm1d(32)
        self.bn2 = nn.BatchNorm1d(32)

    def forward(self, input):
        x = self.bn1(F.relu(self.fc1(input)))
        x = self.dropout(self.bn2(F.relu(self.fc2(x))))
        return self.fc3(x)


@raises("https://github.com/TylerYep/torchinfo/issues/18", "model.bn1", "batchnorm_axis", sizes=(32, 1),  # new cause
        truth="The summary was asked for input size (1, 13), so the model got (batch, 1, 13); Linear keeps the "
              "extra axis and BatchNorm1d reads axis 1 (size 1) as its channels. The input size is (13,): the "
              "layer was right and changing it to 1 only hides the mistake.")
def summary_input_with_an_extra_axis_before_batchnorm():
    model = BinaryClassifier()
    input_size = (1, 13)                                      # what was passed to summary(model, [...])
    model(torch.randn(2, *input_size))                        # (B, 1, 13)


class AttEmbed(nn.Module):
    def __init__(self, att_feat_size=16, rnn_size=8):
        super().__init__()
        self.att_embed = nn.Sequential(nn.BatchNorm1d(att_feat_size), nn.Linear(att_feat_size, rnn_size),
                                       nn.ReLU(), nn.Dropout(0.5))

    def forward(self, att_feats):                             # (B, regions, features)
        return self.att_embed(att_feats)


@raises("https://github.com/ruotianluo/self-critical.pytorch/issues/44", "model.att_embed.0", "batchnorm_axis",  # new cause
        sizes=(16, 6),
        truth="BatchNorm1d was fed (batch, regions, features) directly, so it read the regions as channels; the "
              "model meant the features to be packed into (K, features) rows first (pack_wrapper), and "
              "num_features is the feature size, not the number of regions.")
def region_features_into_batchnorm_without_packing():
    model = AttEmbed()
    model(torch.randn(2, 6, 16))                              # 6 regions of 16 features each


@raises("https://github.com/pytorch/pytorch/issues/13223", "m", "batchnorm_single_example",  # new cause
        truth="In training mode BatchNorm1d needs more than one value per channel to compute batch statistics, "
              "and a batch of one example gives exactly one; use larger batches, drop_last=True, or eval mode.")
def batchnorm_on_a_batch_of_one():
    m = nn.BatchNorm1d(10, affine=False)
    m(torch.randn(1, 10))                                     # (1, C): one example


class ConvThenLN(nn.Module):
    """A conv module whose norm_cfg asked for LN: LayerNorm on a channels-first feature map."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(8, 16, 1)
        self.norm = nn.LayerNorm(16)

    def forward(self, x):                                     # (B, C, H, W)
        return self.norm(self.conv(x))                        # (B, 16, H, W): channels on axis 1


@raises("https://github.com/ViTAE-Transformer/ViTDet/issues/25", "model.norm", "layernorm_axis", sizes=(16, 5),
        truth="nn.LayerNorm normalises the trailing axis, and a conv feature map (B, C, H, W) has its channels "
              "on axis 1; a channels-first LayerNorm (permute to (B, H, W, C) and back) is needed.")
def layernorm_config_on_conv_feature_maps():
    model = ConvThenLN()
    model(torch.randn(2, 8, 5, 5))


# -- losses ------------------------------------------------------------------------------------

class TwoClassHead(nn.Module):
    def __init__(self, num_ftrs=8):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, num_ftrs, 3), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.fc = nn.Linear(num_ftrs, 2)                      # ants and bees: two outputs

    def forward(self, x):
        return self.fc(self.features(x))


@raises("https://github.com/patrickloeber/pytorchTutorial/issues/30", "criterion", "bce_two_class_head",  # new cause
        sizes=((4, 2), (4,)),
        truth="The transfer-learning model ends in Linear(num_ftrs, 2), one score per class as CrossEntropyLoss "
              "wants, and the labels are class ids (B,); BCELoss needs one probability per example shaped like "
              "float targets, so either keep CrossEntropyLoss or use one output with float (B, 1) targets.")
def bce_on_a_two_class_head():
    model = TwoClassHead()
    inputs, labels = torch.rand(4, 3, 8, 8), torch.tensor([0, 1, 1, 0])
    outputs = model(inputs)                                   # (4, 2)
    criterion = nn.BCELoss()
    criterion(outputs, labels)


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(nn.Conv2d(3, 4, 4, 2, 1), nn.LeakyReLU(0.2), nn.Flatten(),
                                  nn.Linear(4 * 4 * 4, 1), nn.Sigmoid())

    def forward(self, x):
        return self.main(x)                                   # (B, 1)


@raises("https://github.com/Arctanxy/W-Net-PyTorch/issues/15", "criterion", "loss_shapes",
        sizes=((8, 1), (8,)),
        truth="The discriminator returns (B, 1) and the real/fake labels were made as (B,); BCELoss wants the "
              "two shapes equal, so squeeze the output's last axis or make the labels (B, 1).")
def discriminator_column_against_label_row():
    netD = Discriminator()
    out = netD(torch.rand(8, 3, 8, 8))                        # (8, 1)
    real_label = torch.ones(8)                                # (8,)
    criterion = nn.BCELoss()
    criterion(out, real_label.float())


@raises("https://github.com/pytorch/pytorch/issues/45373", "criterion", "bce_target_dtype",  # new cause
        truth="The label tensor is made with torch.full((b_size,), real_label) and real_label = 1, an int, so "
              "newer PyTorch gives it dtype int64; BCELoss needs float targets (use real_label = 1.0 or "
              "dtype=torch.float).")
def dcgan_labels_filled_with_an_int():
    netD = Discriminator()
    real_cpu = torch.rand(8, 3, 8, 8)
    b_size, real_label = real_cpu.size(0), 1
    label = torch.full((b_size,), real_label)                 # int64
    output = netD(real_cpu).view(-1)                          # (B,)
    criterion = nn.BCELoss()
    criterion(output, label)


class SentimentRNN(nn.Module):
    def __init__(self, vocab=30, emb=8, hidden=8):
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb)
        self.rnn = nn.RNN(emb, hidden)
        self.fc = nn.Linear(hidden, 1)

    def forward(self, text):                                  # (T, B)
        _, hidden = self.rnn(self.embedding(text))
        return self.fc(hidden.squeeze(0))                     # (B, 1)


@raises("https://github.com/PacktPublishing/Mastering-PyTorch/issues/4", "loss_func", "bce_target_dtype",  # new cause
        truth="The sentiment labels are integer (Long) tensors and BCEWithLogitsLoss computes in float, so its "
              "result cannot be written back as Long; casting the targets with sentiment.float() fixes it.")
def sentiment_logits_against_integer_labels():
    model = SentimentRNN()
    text, sentiment = torch.randint(0, 30, (6, 4)), torch.tensor([1, 0, 0, 1])
    preds = model(text).squeeze(1)                            # (B,)
    loss_func = nn.BCEWithLogitsLoss()
    loss_func(preds, sentiment)


@raises("https://github.com/DeepRank/deeprank/issues/28", "criterion", "ce_target_extra_axis",
        truth="The classification targets came as a (batch, 1) column; CrossEntropyLoss takes one class index "
              "per row as a 1-D tensor, so targets.view(-1) was added before the loss.")
def class_targets_as_a_column():
    net = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 2))
    outputs = net(torch.randn(6, 10))                         # (B, 2)
    targets = torch.randint(0, 2, (6, 1))                     # (B, 1)
    criterion = nn.CrossEntropyLoss()
    criterion(outputs, targets)


@raises("https://github.com/pytorch/pytorch/issues/133833", "cel", "ce_target_dtype",
        truth="CrossEntropyLoss was given a single score and a float target 1.5; class-index targets must be "
              "integers (and a single score is not a distribution over classes anyway).")
def cross_entropy_with_a_fractional_target():
    tensor1 = torch.tensor([7.2])
    tensor2 = torch.tensor(1.5)
    cel = nn.CrossEntropyLoss()
    cel(input=tensor1, target=tensor2)


@raises("https://github.com/pytorch/pytorch/issues/133833", "cel", "ce_scores_1d ce_target_range",
        truth="A 1-D input of one value is read as one example's scores over a single class, so the only valid "
              "class index is 0 and target 1 is out of bounds; scores need one entry per class.")
def cross_entropy_with_a_single_score():
    tensor1 = torch.tensor([7.2])
    tensor2 = torch.tensor(1)
    cel = nn.CrossEntropyLoss()
    cel(input=tensor1, target=tensor2)


class SegHead(nn.Module):
    def __init__(self, n_classes=2):
        super().__init__()
        self.outc = nn.Conv2d(3, n_classes, 1)

    def forward(self, x):
        return self.outc(x)                                   # (B, n_classes, H, W)


@raises("https://github.com/milesial/Pytorch-UNet/issues/291", "criterion", "mask_gray_values ce_target_range",  # new cause
        sizes=(2, 193),
        truth="The masks were loaded with their raw grayscale values (0 to 255, with anti-aliased edges such as "
              "192) instead of class indices 0 to n_classes - 1; the masks must be mapped to class ids.")
def segmentation_masks_as_gray_levels():
    net = SegHead(n_classes=2)
    masks_pred = net(torch.rand(2, 3, 4, 4))
    true_masks = torch.zeros(2, 4, 4, dtype=torch.long)
    true_masks[:, 1:3, 1:3] = 255
    true_masks[:, 1, 1] = 192                                 # an anti-aliased edge pixel
    criterion = nn.CrossEntropyLoss()
    criterion(masks_pred, true_masks)


@raises("https://github.com/TencentGameMate/gnn_cross_lingual/issues/5", "cross_entropy", "ce_target_range",
        sizes=(12, 13),
        truth="The classifier head was built with num_labels=12, but the data's labels went beyond 11; the number "
              "of outputs must be the number of distinct labels (largest id + 1).")
def classifier_head_with_fewer_labels_than_the_data():
    classifier = nn.Linear(16, 12)                            # num_labels = 12
    logits = classifier(torch.randn(5, 16))
    b_labels = torch.tensor([3, 0, 11, 12, 7])                # a label the head has no output for
    F.cross_entropy(logits, b_labels)


# -- batches that cannot be stacked --------------------------------------------------------------

class PhotoFolder(torch.utils.data.Dataset):
    """Photos of different sizes, turned into tensors without resizing."""

    sizes = [(12, 9), (16, 12), (10, 10), (12, 9)]

    def __len__(self):
        return len(self.sizes)

    def __getitem__(self, i):
        h, w = self.sizes[i]
        return torch.rand(3, h, w)


@raises("https://github.com/milesial/Pytorch-UNet/issues/285", "stack", "stack_unequal",
        sizes=((3, 12, 9), (3, 16, 12)),
        truth="With batch_size > 1 the default collate stacks the images into one tensor, and the photos have "
              "different sizes; resize or crop them to one size (or keep batch_size=1).")
def photos_of_different_sizes_in_one_batch():
    loader = torch.utils.data.DataLoader(PhotoFolder(), batch_size=4)
    next(iter(loader))


# -- silent: nothing raises, and the numbers are wrong -----------------------------------------

@silent("https://github.com/weka511/hpa-scc/issues/38", "the model's output", "batch_changed samples_mix loss_broadcast",
        truth="With the batch size written into the view's row width, a batch of 4 cells becomes ONE row, the "
              "model returns (1, 18) for 4 targets (4, 18), and MSELoss broadcasts the single prediction "
              "against all four with only a warning.")
def cells_folded_into_one_row():
    return dict(model=CellNet(), example_input=torch.rand(4, 4, 1, 8, 8), loss_fn=nn.MSELoss(),
                target=torch.rand(4, 18))


@silent("https://github.com/pytorch/pytorch/issues/19699", "loss_fn: mse_loss", "loss_broadcast",
        truth="MSELoss between predictions (N, 1) and targets (N,) broadcasts to (N, N) and compares every "
              "prediction with every target, so the loss differs from the one with targets reshaped to (N, 1).")
def regression_column_against_target_row():
    return dict(model=nn.Linear(3, 1), example_input=torch.randn(6, 3), loss_fn=nn.MSELoss(),
                target=torch.randn(6))


class RegressionHead(nn.Module):
    def __init__(self, hidden=16):
        super().__init__()
        self.feed_forward = nn.Sequential(nn.Linear(hidden, 8), nn.ReLU(), nn.Linear(8, 1))

    def forward(self, x):
        return self.feed_forward(x).squeeze(-1)               # logits squeezed to (B,)


@silent("https://github.com/deepset-ai/FARM/issues/229", "loss_fn: mse_loss", "loss_broadcast",
        truth="The regression head squeezed its logits to (B,) while the labels stayed (B, 1); the loss silently "
              "compared every prediction with every label until the shapes were made to match.")
def squeezed_regression_logits_against_label_column():
    return dict(model=RegressionHead(), example_input=torch.randn(5, 16), loss_fn=nn.MSELoss(),
                target=torch.rand(5, 1) * 16)


class DepthHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 1, 3, padding=1)

    def forward(self, x):
        return self.conv(x)                                   # (B, 1, H, W)


def depth_loss(pred_depth, depth):
    return F.smooth_l1_loss(pred_depth, depth, reduction="sum")


@silent("https://github.com/jiwei0921/CoNet/issues/3", "smooth_l1_loss", "loss_broadcast",
        truth="The predicted depth is (B, 1, H, W) and the ground-truth depth (B, H, W), so smooth_l1_loss "
              "broadcasts them to (B, B, H, W); target.unsqueeze(1) makes the shapes agree.")
def depth_map_without_its_channel_axis():
    return dict(model=DepthHead(), example_input=torch.rand(2, 3, 6, 6), loss_fn=depth_loss,
                target=torch.rand(2, 6, 6))


@silent("https://github.com/sunwuzhou03/reinforcement-learning-lab/issues/1", "mse_loss", "loss_broadcast",
        truth="The TD target was built from a per-dimension log-probability (64, 4) that was never summed over "
              "the action dimensions, so the critic's (64, 1) values broadcast against four columns.")
def critic_values_against_an_unsummed_target():
    critic_1 = nn.Sequential(nn.Linear(7, 16), nn.ReLU(), nn.Linear(16, 1))   # (state, action) -> Q
    log_prob = torch.randn(6, 4)                              # per action dimension, never summed
    td_target = torch.randn(6, 1) - 0.2 * log_prob            # (B, 4)
    return dict(model=critic_1, example_input=torch.randn(6, 7), loss_fn=F.mse_loss, target=td_target)


@silent("https://github.com/DeepReinforcementLearning/DeepReinforcementLearningInAction/issues/32", "model.3",
        "samples_mix",
        truth="The policy network ends in nn.Softmax(dim=0), which is right for one state vector but, for a "
              "batch of states, normalises each action's score across the batch instead of across the actions.")
def policy_softmax_over_the_batch():
    l1, l2, l3 = 4, 16, 2
    model = nn.Sequential(nn.Linear(l1, l2), nn.LeakyReLU(), nn.Linear(l2, l3), nn.Softmax(dim=0))
    return dict(model=model, example_input=torch.randn(5, l1))


# -- correct: asked about, or the thread's corrected version ------------------------------------

@correct("https://github.com/LeeJunHyun/Image_Segmentation/issues/29")
def segmentation_images_transposed_to_channels_first():
    images = torch.rand(2, 32, 32, 3)                         # (B, H, W, C) as loaded
    return dict(model=TinyUNetEncoder(), example_input=images.permute(0, 3, 1, 2))


@correct("https://github.com/pytorch/pytorch/issues/56542")
def binary_logit_column_with_column_targets():
    simple_net = nn.Linear(3, 1)
    target = torch.empty(3, 1).random_(2)                     # (3, 1), like the Linear's output
    return dict(model=simple_net, example_input=torch.randn(3, 3), loss_fn=nn.BCEWithLogitsLoss(), target=target)


class FlatDiscriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.netD = Discriminator()

    def forward(self, x):
        return self.netD(x).view(-1)                          # (B,)


@correct("https://github.com/pytorch/pytorch/issues/45373")
def dcgan_discriminator_with_float_labels():
    label = torch.full((4,), 1.0)                             # real_label = 1.0: float
    return dict(model=FlatDiscriminator(), example_input=torch.rand(4, 3, 8, 8), loss_fn=nn.BCELoss(), target=label)


@correct("https://github.com/mrdbourke/pytorch-deep-learning/issues/763")
def fashion_images_with_their_batch_axis():
    model = FashionMNISTModelV2(input_shape=1, hidden_units=10, output_shape=10)
    return dict(model=model, example_input=torch.rand(2, 1, 28, 28), loss_fn=nn.CrossEntropyLoss(),
                target=torch.tensor([3, 7]))
