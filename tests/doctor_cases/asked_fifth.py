"""A fifth blind hold-out catalogue: shape mistakes reconstructed from public questions (each case cites its
thread) that neither the doctor's rules nor the other catalogues were written against. It was written without
reading the rules, the silent checks or the doctor's tests, from what the threads say, and first run as a
measurement at first sight (the score is in the README); it joined ``MODULES`` once the doctor had learnt what
it could of it (the rest is in test_catalogue.MISSES).

Each case keeps the poster's layer types, the sizes that matter (scaled down where they were large), their
argument names and their call order; the code and the sentences are written afresh. ``truth`` says what the
thread found the cause to be (or, where the thread left it open, what running the reconstruction shows).
Where the PyTorch of the thread worded the error differently from today's, the case raises today's wording of
the same failure: SSLTransformerRS #1 and Transfer-Learning-Library #98 (the target check printed the target's
size then, its number of dimensions now), yunjey/pytorch-tutorial #81, QLMX/huawei-garbage #16 and
blackfeather-wang/ISDA #2 ("size mismatch, m1 ... m2", now "mat1 and mat2 shapes cannot be multiplied"),
pytorch #5860 (a NameError inside the 0.3 LSTM, now the check that a batched input needs a 3-D state),
pytorch #5007 (L1Loss then compared tensors of the same number of elements without complaint; today the loss
broadcasts and the two layouts raise), i-zaitsev/pytorch_playground #1 (a RuntimeError "index out of range"
then, an IndexError now) and spro/practical-pytorch #82 (today's wording of the dimension-range check).

Where a thread's model came from torchvision, HuggingFace or torch_geometric (not installed here), a small
stand-in with the same module names and output layout takes its place; the mistake is in the poster's code
around it.

Cause ids and finding kinds marked ``# new cause`` / ``# new kind`` were not known to the doctor when the batch
was written: they name what the real cause is.
"""
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import default_collate

from . import Asked

_asked = Asked()
CASES, SILENT, CORRECT = _asked.raising, _asked.silent_cases, _asked.correct_models
raises, silent, correct = _asked.raises, _asked.silent, _asked.correct


def _ids(shape, vocab, low=0, seed=0):
    """Integer ids drawn from a local generator (nothing global is seeded)."""
    return torch.randint(low, vocab, shape, generator=torch.Generator().manual_seed(seed))


def _rand(*shape, seed=0):
    return torch.rand(*shape, generator=torch.Generator().manual_seed(seed))


def _randn(*shape, seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


# == segmentation, counting and losses on maps ===================================================

class DoubleSwinSegStub(nn.Module):
    """Stands in for SSLTransformerRS's DoubleSwinTransformerSegmentation: two sensors in, (B, classes, H, W) out."""

    def __init__(self, s1_channels=2, s2_channels=3, num_classes=8):
        super().__init__()
        self.backbone1 = nn.Conv2d(s1_channels, 6, 3, padding=1)
        self.backbone2 = nn.Conv2d(s2_channels, 6, 3, padding=1)
        self.head = nn.Conv2d(12, num_classes, 1)

    def forward(self, s1, s2):
        return self.head(torch.cat([self.backbone1(s1), self.backbone2(s2)], dim=1))


@raises("https://github.com/HSG-AIML/SSLTransformerRS/issues/1", "criterion", "ce_target_extra_axis",
        truth="The land-cover masks came out of the loader as (B, 1, H, W) while the predictions were (B, 8, H, W); "
              "CrossEntropyLoss wants the class-index target as (B, H, W), so the singleton channel axis has to be "
              "squeezed away; the authors fixed the evaluation script.")
def land_cover_masks_keep_their_channel_axis():
    model, criterion = DoubleSwinSegStub(), nn.CrossEntropyLoss()
    s1, s2 = _rand(2, 2, 16, 16), _rand(2, 3, 16, 16, seed=1)
    y = _ids((2, 1, 16, 16), 8, seed=2)                       # dfc labels, one channel kept
    y_hat = model(s1, s2)
    criterion(y_hat, y)


class DeepLabV2Stub(nn.Module):
    """Stands in for the library's DeepLabV2 segmentation model: (B, 3, H, W) -> (B, 19, H, W) scores."""

    def __init__(self, num_classes=19):
        super().__init__()
        self.backbone = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU())
        self.classifier = nn.Conv2d(8, num_classes, 1)

    def forward(self, x):
        return self.classifier(self.backbone(x))


@raises("https://github.com/thuml/Transfer-Learning-Library/issues/98", "criterion",
        "mask_rgb ce_target_extra_axis",                     # new cause (mask_rgb)
        truth="The source labels reached the loss as (B, H, W, 3): the label images were read as colour pictures, "
              "so each pixel carried three channel values instead of one class index; the poster fixed the data "
              "on their side, and the reconstruction shows the target must be a (B, H, W) map of class ids.")
def colour_label_images_into_cross_entropy():
    model, criterion = DeepLabV2Stub(), nn.CrossEntropyLoss(ignore_index=255)
    x_s = _rand(2, 3, 12, 20)
    label_s = _ids((2, 12, 20, 3), 19, seed=1)                # label image loaded with its RGB channels
    pred_s = model(x_s)
    criterion(pred_s, label_s)


class CSRNet(nn.Module):
    """CSRNet: a VGG front end with three poolings (1/8 resolution), a dilated back end and a 1x1 output layer."""

    def __init__(self):
        super().__init__()
        self.frontend = nn.Sequential(
            nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(4, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU())
        self.backend = nn.Sequential(nn.Conv2d(16, 8, 3, padding=2, dilation=2), nn.ReLU())
        self.output_layer = nn.Conv2d(8, 1, 1)

    def forward(self, x):
        return self.output_layer(self.backend(self.frontend(x)))


@raises("https://github.com/surajdakua/Crowd-Counting-Using-Pytorch/issues/4", "criterion", "output_downsampled",
        truth="CSRNet predicts the density map at an eighth of the image's resolution (96 x 128 for a 768 x 1024 "
              "image), but the ground-truth density map was kept at full size, so MSELoss compares maps of "
              "different sizes; the target has to be downsampled by 8 (with its count preserved) as in the "
              "original CSRNet data preparation.")
def density_map_target_at_full_resolution():
    model, criterion = CSRNet(), nn.MSELoss(reduction="sum")
    img = _rand(1, 3, 48, 64)
    target = _rand(1, 1, 48, 64, seed=1)                      # density map at the image's size
    output = model(img)                                       # (1, 1, 6, 8)
    criterion(output, target)


# == recurrent classifiers and state ============================================================

class BertStub(nn.Module):
    """Stands in for a HuggingFace BertModel: (batch, seq) ids -> a tuple whose [0] is (batch, seq, hidden)."""

    def __init__(self, vocab_size=30, hidden_size=8):
        super().__init__()
        self.embeddings = nn.Module()
        self.embeddings.word_embeddings = nn.Embedding(vocab_size, hidden_size)
        self.encoder = nn.TransformerEncoderLayer(hidden_size, 2, 16, dropout=0.0, batch_first=True)

    def forward(self, input_ids):
        return (self.encoder(self.embeddings.word_embeddings(input_ids)),)


class LSTMClassifier(nn.Module):
    """An LSTM over frozen BERT encodings whose initial state is built from the batch size given at construction."""

    def __init__(self, batch_size, output_size, hidden_size, bert):
        super().__init__()
        self.bert = bert
        self.batch_size, self.output_size, self.hidden_size = batch_size, output_size, hidden_size
        embedding_dim = 8                                     # bert.config.to_dict()['hidden_size']
        self.lstm = nn.LSTM(embedding_dim, hidden_size)
        self.label = nn.Linear(hidden_size, output_size)

    def forward(self, input_sentence, batch_size=None):
        with torch.no_grad():
            embedded = self.bert(input_sentence)[0]
        input = embedded.permute(1, 0, 2)                    # (seq, batch, hidden)
        if batch_size is None:
            h_0 = torch.zeros(1, self.batch_size, self.hidden_size)
            c_0 = torch.zeros(1, self.batch_size, self.hidden_size)
        else:
            h_0 = torch.zeros(1, batch_size, self.hidden_size)
            c_0 = torch.zeros(1, batch_size, self.hidden_size)
        output, (final_hidden_state, final_cell_state) = self.lstm(input, (h_0, c_0))
        return self.label(final_hidden_state[-1])


@raises("https://github.com/bentrevett/pytorch-sentiment-analysis/issues/87", "model.lstm",
        "state_batch batch_hardcoded", sizes=(3, 4),
        truth="The classifier builds h_0 and c_0 from the batch_size fixed at construction whenever forward is called "
              "without one, so the last, smaller batch of the iterator (or any batch of another size) meets a state "
              "for the full batch; the reconstruction shows the state must be built from input_sentence.size(0).")
def last_batch_against_the_constructed_batch_size():
    model = LSTMClassifier(batch_size=4, output_size=3, hidden_size=6, bert=BertStub())
    last_batch = _ids((3, 7), 30)                             # 3 sentences left over at the end of the epoch
    model(last_batch)


@raises("https://github.com/pytorch/pytorch/issues/5860", "lstm", "state_dims rnn_input_size",
        truth="The LSTM was built for 3 input features and given 5, with a state of two axes (no layer axis); "
              "PyTorch 0.3 crashed with an unrelated NameError instead of saying so, which the issue asked to be "
              "improved; the input's last axis must equal input_size and each state must be (num_layers, batch, "
              "hidden_size).")
def lstm_given_wrong_features_and_a_two_axis_state():
    lstm = nn.LSTM(3, 2)
    hidden = (torch.zeros(3, 2), torch.zeros(3, 2))
    input = _randn(6, 4, 5)
    lstm(input, hidden)


# == point clouds and graphs =====================================================================

class Tnet(nn.Module):
    """PointNet's T-net: shared 1x1 convs, a max over points, then BatchNorm'd fully connected layers."""

    def __init__(self, k=3):
        super().__init__()
        self.k = k
        self.conv1, self.conv2, self.conv3 = nn.Conv1d(k, 8, 1), nn.Conv1d(8, 16, 1), nn.Conv1d(16, 32, 1)
        self.fc1, self.fc2, self.fc3 = nn.Linear(32, 16), nn.Linear(16, 8), nn.Linear(8, k * k)
        self.bn1, self.bn2, self.bn3 = nn.BatchNorm1d(8), nn.BatchNorm1d(16), nn.BatchNorm1d(32)
        self.bn4, self.bn5 = nn.BatchNorm1d(16), nn.BatchNorm1d(8)

    def forward(self, input):                                 # (bs, k, n)
        bs = input.size(0)
        xb = F.relu(self.bn1(self.conv1(input)))
        xb = F.relu(self.bn2(self.conv2(xb)))
        xb = F.relu(self.bn3(self.conv3(xb)))
        pool = nn.MaxPool1d(xb.size(-1))(xb)
        flat = nn.Flatten(1)(pool)
        xb = F.relu(self.bn4(self.fc1(flat)))
        xb = F.relu(self.bn5(self.fc2(xb)))
        init = torch.eye(self.k).repeat(bs, 1, 1)
        return self.fc3(xb).view(-1, self.k, self.k) + init


class Transform(nn.Module):
    def __init__(self):
        super().__init__()
        self.input_transform = Tnet(k=3)
        self.feature_transform = Tnet(k=8)
        self.conv1, self.conv2, self.conv3 = nn.Conv1d(3, 8, 1), nn.Conv1d(8, 16, 1), nn.Conv1d(16, 32, 1)
        self.bn1, self.bn2, self.bn3 = nn.BatchNorm1d(8), nn.BatchNorm1d(16), nn.BatchNorm1d(32)

    def forward(self, input):
        matrix3x3 = self.input_transform(input)
        xb = torch.bmm(torch.transpose(input, 1, 2), matrix3x3).transpose(1, 2)
        xb = F.relu(self.bn1(self.conv1(xb)))
        matrix64x64 = self.feature_transform(xb)
        xb = torch.bmm(torch.transpose(xb, 1, 2), matrix64x64).transpose(1, 2)
        xb = F.relu(self.bn2(self.conv2(xb)))
        xb = self.bn3(self.conv3(xb))
        xb = nn.MaxPool1d(xb.size(-1))(xb)
        return nn.Flatten(1)(xb), matrix3x3, matrix64x64


class PointNet(nn.Module):
    def __init__(self, classes=4):
        super().__init__()
        self.transform = Transform()
        self.fc1, self.fc2, self.fc3 = nn.Linear(32, 16), nn.Linear(16, 8), nn.Linear(8, classes)
        self.bn1, self.bn2 = nn.BatchNorm1d(16), nn.BatchNorm1d(8)
        self.dropout = nn.Dropout(p=0.3)
        self.logsoftmax = nn.LogSoftmax(dim=1)

    def forward(self, input):
        xb, matrix3x3, matrix64x64 = self.transform(input)
        xb = F.relu(self.bn1(self.fc1(xb)))
        xb = F.relu(self.bn2(self.dropout(self.fc2(xb))))
        return self.logsoftmax(self.fc3(xb)), matrix3x3, matrix64x64


@raises("https://github.com/nikitakaraevv/pointnet/issues/18", "model.transform.input_transform.bn4",
        "batchnorm_single_example",
        truth="With --batch_size 1 the T-net's fully connected BatchNorm1d layers receive a (1, 512) batch after the "
              "max over points, and batch normalisation in training mode cannot estimate statistics from one "
              "value per channel; the poster concluded the batch size must be larger than one (or the BatchNorm "
              "layers put in eval mode).")
def one_cloud_per_batch_through_the_tnet():
    model = PointNet()
    model.train()
    points = _rand(1, 32, 3).transpose(1, 2)                  # one cloud of 32 points, (1, 3, 32)
    model(points)


class GCNConvStub(nn.Module):
    """Stands in for torch_geometric's GCNConv: a linear map, then a sum over each node's incoming edges."""

    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.lin = nn.Linear(in_channels, out_channels)

    def forward(self, x, edge_index):
        h = self.lin(x)
        return h + torch.zeros_like(h).index_add_(0, edge_index[1], h[edge_index[0]])


class StabilityGCN(nn.Module):
    """Two graphs of 24 nodes in the thread (6 here): GCNConv, then every node's features joined for one Linear."""

    def __init__(self, num_nodes=6, num_features=4):
        super().__init__()
        self.conv1 = GCNConvStub(num_features, num_features)
        self.fc1 = nn.Linear(num_nodes * num_features, 8)
        self.fc2 = nn.Linear(8, 1)

    def forward(self, x, edge_index):
        x = F.relu(self.conv1(x, edge_index))
        x = self.fc1(x.view(-1))                              # data.x.view(-1): every graph of the batch at once
        return self.fc2(F.relu(x))


@raises("https://github.com/pyg-team/pytorch_geometric/issues/1690", "model.fc1", "flatten_batch", sizes=(24, 48),
        truth="A torch_geometric batch stacks the nodes of all its graphs into one (batch * nodes, features) matrix, "
              "so data.x.view(-1) flattens every graph of the batch into one vector; it only matches fc1 when the "
              "batch holds a single graph; the features must be reshaped per graph (view(num_graphs, -1), using "
              "data.num_graphs) before the Linear.")
def node_features_of_two_graphs_flattened_together():
    model = StabilityGCN()
    ring = torch.tensor([[0, 1, 2, 3, 4, 5], [1, 2, 3, 4, 5, 0]])
    edge_index = torch.cat([ring, ring + 6], dim=1)          # two graphs of 6 nodes, batched
    x = _rand(12, 4)
    model(x, edge_index)


# == image classifiers and transfer learning ====================================================

class BasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None if stride == 1 and inplanes == planes else nn.Sequential(
            nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(out)) + identity)


class ResNetStub(nn.Module):
    """torchvision's resnet18 layout (conv1 ... layer4, avgpool, fc), narrow; avgpool as the given version had it."""

    def __init__(self, num_classes=1000, width=4, avgpool=None):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = BasicBlock(width, width)
        self.layer2 = BasicBlock(width, 2 * width, 2)
        self.layer3 = BasicBlock(2 * width, 4 * width, 2)
        self.layer4 = BasicBlock(4 * width, 8 * width, 2)
        self.avgpool = nn.AdaptiveAvgPool2d(1) if avgpool is None else avgpool
        self.fc = nn.Linear(8 * width, num_classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        x = self.avgpool(x)
        return self.fc(x.view(x.size(0), -1))


@raises("https://github.com/yunjey/pytorch-tutorial/issues/81", "resnet.fc", "built_for_crop_size linear_in_features",
        truth="The torchvision ResNet of the time ended in a fixed AvgPool2d(7), which only reduces the 7 x 7 map of a "
              "224 x 224 image to 1 x 1; the tutorial's 256 x 256 test images leave an 8 x 8 map, pooled to 2 x 2, "
              "so the fc layer receives four times the features it was built for; the fix is to feed 224 x 224 "
              "images (today's torchvision uses an adaptive pool).")
def images_larger_than_the_fixed_average_pool():
    resnet = ResNetStub(avgpool=nn.AvgPool2d(7, stride=1))
    resnet.fc = nn.Linear(resnet.fc.in_features, 100)         # fine-tune the top layer only
    images = _randn(2, 3, 256, 256)
    resnet(images)


@raises("https://github.com/QLMX/huawei-garbage/issues/16", "model.fc", "linear_in_features flatten_size",
        truth="The training script's new head was sized for the 2048 features of the ResNeXt/ResNet-50 family it "
              "was written for; after switching the backbone to resnet18 or resnet34, whose pooled features have "
              "512 channels, the head no longer matches; the poster found the head's in_features must be 512 for "
              "these smaller networks.")
def head_sized_for_a_deeper_backbone():
    model = ResNetStub(width=4)                                # resnet18: 8 * width features (512 in the thread)
    model.fc = nn.Linear(64, 2)                                # written for resnext101's 2048 (64 here)
    model(_rand(4, 3, 32, 32))


class Net(nn.Module):
    """The poster's CIFAR-10 network, which already ends in its own 10-way fc3."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.dp1 = nn.Dropout2d(p=.25)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.mish(self.conv1(x)))
        x = self.pool(F.mish(self.conv2(x)))
        x = x.view(-1, 16 * 5 * 5)
        x = self.dp1(x)
        x = F.mish(self.fc1(x))
        x = F.mish(self.fc2(x))
        return self.fc3(x)


class Full_layer(nn.Module):
    """ISDA's separate classifier: it expects the backbone's features (feature_num), not its class scores."""

    def __init__(self, feature_num, class_num):
        super().__init__()
        self.class_num = class_num
        self.fc = nn.Linear(feature_num, class_num)

    def forward(self, x):
        return self.fc(x)


@raises("https://github.com/blackfeather-wang/ISDA-for-Deep-Networks/issues/2", "fc.fc",
        "features_after_head linear_in_features", sizes=(84, 10),    # new cause (features_after_head)
        truth="ISDA feeds the backbone's features (84 here, after fc2) to its own Full_layer classifier, but the "
              "poster's Net still ended in fc3, so it returned 10 class scores and Full_layer's Linear(84, 10) "
              "received 10 values per image; the maintainer explained that the fc layer is defined separately, so "
              "the backbone must stop at its features.")
def class_scores_handed_to_the_separate_classifier():
    net = Net()
    feature_num, num_classes = 84, 10
    fc = Full_layer(feature_num, num_classes)
    features = net(_rand(4, 3, 32, 32))
    fc(features)


class PatchEmbeddings(nn.Module):
    """ViT-pytorch's Embeddings: a patch Conv2d, a class token and learned positions sized for img_size."""

    def __init__(self, hidden_size=8, img_size=224, patch_size=16):
        super().__init__()
        n_patches = (img_size // patch_size) * (img_size // patch_size)
        self.patch_embeddings = nn.Conv2d(3, hidden_size, kernel_size=patch_size, stride=patch_size)
        self.position_embeddings = nn.Parameter(torch.zeros(1, n_patches + 1, hidden_size))
        self.cls_token = nn.Parameter(torch.zeros(1, 1, hidden_size))
        self.dropout = nn.Dropout(0.1)

    def forward(self, x):
        B = x.shape[0]
        cls_tokens = self.cls_token.expand(B, -1, -1)
        x = self.patch_embeddings(x).flatten(2).transpose(-1, -2)
        x = torch.cat((cls_tokens, x), dim=1)
        embeddings = x + self.position_embeddings
        return self.dropout(embeddings)


class ViTTransformer(nn.Module):
    def __init__(self, img_size, hidden_size=8):
        super().__init__()
        self.embeddings = PatchEmbeddings(hidden_size, img_size)
        self.encoder = nn.TransformerEncoderLayer(hidden_size, 2, 16, dropout=0.0, batch_first=True)

    def forward(self, input_ids):
        return self.encoder(self.embeddings(input_ids))


class VisionTransformer(nn.Module):
    def __init__(self, img_size=224, num_classes=10, hidden_size=8):
        super().__init__()
        self.transformer = ViTTransformer(img_size, hidden_size)
        self.head = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        return self.head(self.transformer(x)[:, 0])


@raises("https://github.com/jeonsworld/ViT-pytorch/issues/3", "model.transformer.embeddings", "built_for_crop_size",
        sizes=(197, 5),
        truth="The model was built with its default img_size of 224, so its position table holds 14 x 14 + 1 = 197 "
              "entries, while CIFAR-10's 32 x 32 images give only 2 x 2 patches plus the class token; the poster "
              "fixed it by constructing the model with img_size=32 (or by resizing the images to 224).")
def cifar_images_into_a_vit_built_for_224():
    model = VisionTransformer(img_size=224, num_classes=10)
    model(_rand(2, 3, 32, 32))


class NeuralNet(nn.Module):
    """A stack of kernel-1 Conv1d layers sized by config[0] input channels, then Flatten and a Linear."""

    def __init__(self, config, kernel_size=1):
        super().__init__()
        self.config = config
        self.layers = nn.ModuleList([nn.Sequential(
            nn.Conv1d(self.config[i], self.config[i + 1], kernel_size=kernel_size), nn.ReLU())
            for i in range(len(self.config) - 1)])
        self.last_layer = nn.Linear(self.config[-1], 3)
        self.layers.append(nn.Flatten())
        self.layers.append(self.last_layer)

    def forward(self, x):
        for i, l in enumerate(self.layers):
            x = l(x)
        return x


@raises("https://whosebug.com/question/6505309/Dimensionality-problem-with-PyTorch-Conv-layers", "model.layers.0.0",
        "conv_channels conv1d_time_features", sizes=(10, 1),     # the second: the values along the length, as truth says
        truth="The signals were (100, 10) and unsqueeze(1) made them (N, 1, 10): one channel of length 10, while the "
              "first Conv1d was built with config[0] = 10 input channels; Conv1d reads (batch, channels, length), "
              "so the 10 values must sit on the channel axis ((N, 10, 1), e.g. unsqueeze(2)) or the layer be built "
              "for one channel.")
def signals_unsqueezed_onto_the_channel_axis():
    config = [10, 16, 16, 16]
    model = NeuralNet(config)
    inps = _rand(4, 10).unsqueeze(1)                          # (N, 1, 10)
    batch_size = 1
    model(inps[:batch_size])


# == metric learning, CTC and other losses ======================================================

def hard_example_mining(dist_mat, labels):
    """The batch-hard triplet mining of the thread: one positive row per anchor is assumed when reshaping."""
    N = dist_mat.size(0)
    is_pos = labels.expand(N, N).eq(labels.expand(N, N).t())
    is_neg = labels.expand(N, N).ne(labels.expand(N, N).t())
    dist_ap, relative_p_inds = torch.max(dist_mat[is_pos].contiguous().view(N, -1), 1, keepdim=True)
    dist_an, relative_n_inds = torch.min(dist_mat[is_neg].contiguous().view(N, -1), 1, keepdim=True)
    return dist_ap.squeeze(1), dist_an.squeeze(1)


@raises("https://github.com/earhian/Humpback-Whale-Identification-1st-/issues/9", "view",
        "triplet_unbalanced_batch mask_count_varies", sizes=(4, 6),  # new cause (the first; the second names it in general)
        truth="Batch-hard mining reshapes the positive distances to (N, -1), which assumes every anchor has the same "
              "number of positives, i.e. a batch sampled as P identities x K images; with labels [1, 1, 2, 3] there "
              "are 6 positive pairs for 4 anchors; the poster worked out that batches must be drawn in that "
              "balanced form (e.g. [1, 1, 2, 2]).")
def triplet_mining_on_a_batch_with_unequal_positives():
    embeddings = _randn(4, 6)
    labels = torch.tensor([1, 1, 2, 3])
    dist_mat = torch.cdist(embeddings, embeddings)
    hard_example_mining(dist_mat, labels)


class LbAStub(nn.Module):
    """LbA's reconstruction loss: a triplet loss between feature maps, weighted by a co-occurrence mask."""

    def __init__(self):
        super().__init__()
        self.encoder = nn.Conv2d(3, 8, 3, padding=1)
        self.criterion = nn.TripletMarginLoss(margin=0.3, p=2.0, reduction="none")

    def forward(self, img, img_pos, img_neg, comask_pos):
        feat, feat_recon_pos, feat_recon_neg = self.encoder(img), self.encoder(img_pos), self.encoder(img_neg)
        return torch.mean(comask_pos * self.criterion(feat, feat_recon_pos, feat_recon_neg))


@raises("https://github.com/cvlab-yonsei/LbA/issues/4", "model",
        "distance_reduces_last_axis broadcast",                      # new cause (distance_reduces_last_axis)
        truth="The features are (B, C, H, W) maps and the code was written for PyTorch 1.7.1, whose unreduced "
              "TripletMarginLoss gave a per-position result; in later versions the loss takes the distance over the "
              "last axis, returning (B, C, H), which no longer broadcasts with the (B, 1, H, W) mask; the authors "
              "advise pinning 1.7.1 or reshaping the features so the channel axis is last before the loss.")
def triplet_loss_over_four_axis_feature_maps():
    model = LbAStub()
    img, img_pos, img_neg = _rand(2, 3, 6, 3), _rand(2, 3, 6, 3, seed=1), _rand(2, 3, 6, 3, seed=2)
    comask_pos = (_rand(2, 1, 6, 3, seed=3) > 0.5).float()
    model(img, img_pos, img_neg, comask_pos)


class CRNNBatchFirst(nn.Module):
    """A CRNN whose recurrent head runs batch-first, so its log-probabilities come out (b, T, nclass)."""

    def __init__(self, nclass=12, nh=8):
        super().__init__()
        self.cnn = nn.Sequential(nn.Conv2d(1, 8, 3, 1, 1), nn.ReLU(), nn.MaxPool2d((8, 2)))
        self.rnn = nn.LSTM(8, nh, bidirectional=True, batch_first=True)
        self.embedding = nn.Linear(2 * nh, nclass)

    def forward(self, input):
        conv = self.cnn(input).squeeze(2)                     # (b, c, w)
        recurrent, _ = self.rnn(conv.permute(0, 2, 1))        # (b, T, 2 nh)
        return F.log_softmax(self.embedding(recurrent), dim=2)


@raises("https://github.com/Sierkinhane/CRNN_Chinese_Characters_Rec/issues/304", "criterion",
        "ctc_batch_first", sizes=(3, 10),                            # new cause
        truth="The thread only gives the error; the reconstruction shows it when the network's log-probabilities "
              "are batch-first (b, T, C): the training loop builds preds_size as [preds.size(0)] * batch_size, "
              "while CTCLoss reads axis 1 as the batch, so the lengths count b entries for a batch of T; the "
              "output must be (T, b, C) as the repository's CRNN returns it.")
def ctc_given_batch_first_log_probabilities():
    model, criterion = CRNNBatchFirst(), nn.CTCLoss()
    inp = _rand(3, 1, 8, 20)                                  # 3 text-line images
    text = _ids((3 * 4,), 12, low=1, seed=1)
    length = torch.full((3,), 4, dtype=torch.long)
    preds = model(inp)                                        # (3, 10, 12)
    batch_size = inp.size(0)
    preds_size = torch.IntTensor([preds.size(0)] * batch_size)
    criterion(preds, text, preds_size, length)


@raises("https://github.com/pytorch/pytorch/issues/5007", "c", "loss_shapes broadcast",
        truth="The output and the target held the same 10 x 500 x 80 values in two layouts, (10, 500, 80) against "
              "(10, 80, 500); L1Loss then only compared element counts and returned a number, which the issue "
              "reported as contrary to the documentation; the two tensors must have the same shape (transpose "
              "one), and today the loss broadcasts and raises on the mismatch.")
def l1_loss_between_transposed_spectrograms():
    c = nn.L1Loss()
    a = torch.ones(4, 10, 6)
    b = torch.zeros(4, 6, 10)
    c(a, b)


# == data, embeddings and attention in plain code ===============================================

@raises("https://github.com/imatge-upc/wav2pix/issues/6", "stack", "stack_unequal", sizes=((128,), (102,)),
        truth="The dataset returns each clip's raw waveform at its own length, and the DataLoader's default collate "
              "stacks the batch's tensors, which needs equal sizes; one clip shorter than the 128000-sample window "
              "breaks it, so clips must be cropped or padded to one length (or batched with a padding collate_fn).")
def audio_clips_of_different_lengths_in_one_batch():
    lengths = [128, 128, 128, 128, 128, 102]                  # 128000 and 102452 samples in the thread
    batch = [{"right_images": _rand(3, 8, 8, seed=i), "audio": _randn(n, seed=i)} for i, n in enumerate(lengths)]
    default_collate(batch)


class EmbeddingNet(nn.Module):
    """The movielens notebook's embedding net: user and movie tables joined, a hidden layer, a scaled sigmoid."""

    def __init__(self, n_users, n_movies, n_factors=4, hidden=8):
        super().__init__()
        self.u = nn.Embedding(n_users, n_factors)
        self.m = nn.Embedding(n_movies, n_factors)
        self.drop = nn.Dropout(0.02)
        self.hidden = nn.Sequential(nn.Linear(2 * n_factors, hidden), nn.ReLU())
        self.fc = nn.Linear(hidden, 1)

    def forward(self, users, movies, minmax=None):
        features = torch.cat([self.u(users), self.m(movies)], dim=1)
        x = self.hidden(self.drop(features))
        out = torch.sigmoid(self.fc(x))
        if minmax is not None:
            min_rating, max_rating = minmax
            out = out * (max_rating - min_rating + 1) + min_rating - 0.5
        return out


@raises("https://github.com/i-zaitsev/pytorch_playground/issues/1", "net.u", "embedding_range",
        truth="The thread has no answer; the reconstruction shows the failure when the batch's columns are (user, "
              "movie) and net(x_batch[:, 1], x_batch[:, 0]) hands the movie ids to the user table, which has far "
              "fewer rows than there are movies; each column must go to the table built for it, with ids "
              "re-indexed to [0, n).")
def movie_ids_looked_up_in_the_user_table():
    n_users, n_movies = 9, 30
    net = EmbeddingNet(n_users, n_movies)
    x_batch = torch.stack([_ids((5,), n_users), _ids((5,), n_movies, low=10, seed=1)], dim=1)   # (user, movie)
    net(x_batch[:, 1], x_batch[:, 0], (1.0, 5.0))


class Attn(nn.Module):
    """practical-pytorch's batched Attn with the 'concat' score, looping over examples and encoder steps."""

    def __init__(self, method, hidden_size):
        super().__init__()
        self.method, self.hidden_size = method, hidden_size
        self.attn = nn.Linear(self.hidden_size * 2, hidden_size)
        self.v = nn.Parameter(torch.rand(hidden_size, generator=torch.Generator().manual_seed(0)))

    def forward(self, hidden, encoder_outputs):              # hidden (B, H), encoder_outputs (S, B, H)
        max_len, this_batch_size = encoder_outputs.size(0), encoder_outputs.size(1)
        attn_energies = torch.zeros(this_batch_size, max_len)
        for b in range(this_batch_size):
            for i in range(max_len):
                attn_energies[b, i] = self.score(hidden[b], encoder_outputs[i, b])
        return F.softmax(attn_energies, dim=1).unsqueeze(1)

    def score(self, hidden, encoder_output):
        if self.method == 'concat':
            energy = self.attn(torch.cat((hidden, encoder_output), 1))
            return self.v.dot(energy)
        return hidden.dot(encoder_output)


class BahdanauAttnDecoderRNN(nn.Module):
    def __init__(self, hidden_size=6, output_size=20):
        super().__init__()
        self.embedding = nn.Embedding(output_size, hidden_size)
        self.attn = Attn('concat', hidden_size)
        self.gru = nn.GRU(hidden_size * 2, hidden_size)
        self.out = nn.Linear(hidden_size, output_size)

    def forward(self, word_input, last_hidden, encoder_outputs):
        word_embedded = self.embedding(word_input).unsqueeze(0)          # (1, B, H)
        attn_weights = self.attn(last_hidden[-1], encoder_outputs)       # (B, 1, S)
        context = attn_weights.bmm(encoder_outputs.transpose(0, 1)).transpose(0, 1)
        output, hidden = self.gru(torch.cat((word_embedded, context), 2), last_hidden)
        return F.log_softmax(self.out(output.squeeze(0)), dim=1), hidden, attn_weights


@raises("https://github.com/spro/practical-pytorch/issues/82", "decoder.attn", "cat_dim_out_of_range",  # new cause
        truth="In the batched notebook the 'concat' score receives one example's hidden state and one encoder output, "
              "both 1-D vectors, and joins them on dim 1, which a 1-D tensor does not have; switching to dim 0 "
              "then failed on the sizes; the thread points to computing the scores in matrix form over the batch "
              "(later pull requests) instead of per-example vectors.")
def per_example_vectors_joined_on_a_missing_axis():
    decoder = BahdanauAttnDecoderRNN()
    encoder_outputs = _randn(5, 3, 6)                          # (src_len, batch, hidden)
    last_hidden = _randn(1, 3, 6, seed=1)
    decoder_input = torch.tensor([0, 0, 0])                    # SOS for the batch
    decoder(decoder_input, last_hidden, encoder_outputs)


# == silent (run, but wrong) =====================================================================

class XLSTMRegressor(nn.Module):
    """The xLSTM example's regressor: one prediction per time step of a (1, seq, 1) window."""

    def __init__(self, hidden=8):
        super().__init__()
        self.lstm = nn.LSTM(1, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, 1)

    def forward(self, x):                                     # (1, seq_len, 1)
        out, _ = self.lstm(x)
        return self.fc(out).squeeze(0)                        # (seq_len, 1)


@silent("https://github.com/andrewgcodes/xlstm/issues/4", "loss_fn: mse_loss", "loss_broadcast",
        truth="y_pred is (10, 1), one value per time step of the window, while y_true is (1, 1), the single next "
              "value; MSELoss broadcasts the target over all ten rows and only warns, so every step is trained "
              "toward the same number; the poster proposed comparing y_pred[0] with y_true[0].")
def per_step_predictions_against_one_target():
    return dict(model=XLSTMRegressor(), example_input=_randn(1, 10, 1), loss_fn=nn.MSELoss(),
                target=_randn(1, 1, seed=1))


class RNN(nn.Module):
    """The tutorial's MNIST row-by-row LSTM with batch_first switched to False, started from a zero state."""

    def __init__(self, input_size=7, hidden_size=8, num_layers=1, num_classes=10):
        super().__init__()
        self.lstm = nn.LSTM(input_size, hidden_size, num_layers, batch_first=False)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, x):                                     # images.reshape(-1, sequence_length, input_size)
        out, _ = self.lstm(x)
        return self.fc(out[:, -1, :])


@silent("https://github.com/yunjey/pytorch-tutorial/issues/196", "model.lstm", "batch_on_time_axis",
        truth="The data stay (batch, 28 rows, 28) but the LSTM now reads axis 0 as time, so the 100 images of a batch "
              "become one sequence and the rows become the batch, and out[:, -1, :] takes the last row of every "
              "step; training then stalls near chance (11% accuracy); with batch_first=False the input must be "
              "permuted to (seq, batch, feature) and the last step read as out[-1].")
def image_rows_read_as_the_batch():
    return dict(model=RNN(), example_input=_rand(6, 7, 7))


def squash(s, dim=-1):
    norm2 = (s ** 2).sum(dim=dim, keepdim=True)
    return norm2 / (1 + norm2) * s / torch.sqrt(norm2 + 1e-8)


class DigitCaps(nn.Module):
    """Dynamic routing between capsules; the coupling coefficients come from a softmax with no dim given."""

    def __init__(self, in_caps=36, out_caps=4, in_dim=8, out_dim=6, routing_iters=3):
        super().__init__()
        self.in_caps, self.out_caps, self.routing_iters = in_caps, out_caps, routing_iters
        self.W = nn.Parameter(0.1 * torch.randn(1, in_caps, out_caps, out_dim, in_dim,
                                                generator=torch.Generator().manual_seed(0)))

    def forward(self, u):                                     # (B, in_caps, in_dim)
        u_hat = torch.matmul(self.W, u[:, :, None, :, None]).squeeze(4)    # (B, in_caps, out_caps, out_dim)
        b_ij = torch.zeros(self.in_caps, self.out_caps, 1)
        for iteration in range(self.routing_iters):
            c_ij = F.softmax(b_ij.unsqueeze(0))              # implicit dim 1: over the input capsules
            s_j = (c_ij * u_hat).sum(dim=1, keepdim=True)
            v_j = squash(s_j)
            if iteration < self.routing_iters - 1:
                b_ij = b_ij + (u_hat * v_j).sum(dim=-1, keepdim=True).mean(dim=0)
        return v_j.squeeze(1)                                 # (B, out_caps, out_dim)


class CapsNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 5)
        self.primary_caps = nn.Conv2d(8, 4 * 8, 3, stride=2)   # 4 capsule maps of 8-D capsules
        self.digit_caps = DigitCaps()

    def forward(self, x):                                     # (B, 1, 12, 12)
        h = self.primary_caps(F.relu(self.conv1(x)))          # (B, 32, 3, 3)
        u = squash(h.view(x.size(0), 4, 8, 3, 3).permute(0, 1, 3, 4, 2).reshape(x.size(0), -1, 8))
        return self.digit_caps(u).norm(dim=-1)                # class lengths


@silent("https://github.com/motokimura/capsnet_pytorch/pull/1", "model.digit_caps", "softmax_wrong_axis",
        truth="F.softmax(b_ij.unsqueeze(0)) with no dim picks dim 1, the 1152 input capsules, so each input capsule's "
              "coupling coefficients do not sum to one over the 10 output capsules as dynamic routing requires; "
              "the pull request set dim=2 and the author confirmed test accuracy rose (99.51% to 99.67%).")
def routing_softmax_over_the_input_capsules():
    return dict(model=CapsNet(), example_input=_rand(2, 1, 12, 12))


@silent("https://github.com/pytorch/pytorch/issues/4938", "loss_fn: mse_loss", "loss_broadcast",
        truth="The output was viewed (2, 1) and the target (2, 1, 1, 1); MSE broadcast them to (2, 1, 2, 1) and "
              "averaged every output against every target (1.5 by hand), and F.mse_loss of the time returned a "
              "different number again; shapes must agree, and the issue led to the size warning losses now give.")
def targets_with_extra_trailing_axes():
    return dict(model=nn.Linear(3, 1), example_input=_randn(2, 3), loss_fn=nn.MSELoss(),
                target=_randn(2, 1, 1, 1, seed=1))


class Rnn(nn.Module):
    """The issue's MNIST LSTM with batch_first commented out and the initial state left to the module."""

    def __init__(self, in_dim=7, hidden_dim=8, n_layer=2, n_class=10):
        super().__init__()
        self.n_layer, self.hidden_dim = n_layer, hidden_dim
        self.lstm = nn.LSTM(in_dim, hidden_dim, n_layer)       # batch_first=True)
        self.classifier = nn.Linear(hidden_dim, n_class)

    def forward(self, x):                                     # (B, 1, 28, 28)
        x = x.squeeze(1)                                      # (B, 28, 28)
        out, _ = self.lstm(x)
        out = out[:, -1, :]
        return self.classifier(out)


@silent("https://github.com/pytorch/pytorch/issues/1538", "model.lstm", "batch_on_time_axis",
        truth="Without batch_first the LSTM reads the (batch, 28, 28) images as 'batch' time steps of 28 sequences, "
              "and out[:, -1, :] then takes the last image row at every step instead of the last step of each "
              "image; the maintainers answered that batch_first=True (or transposing the input) is needed, which "
              "is why the two runs gave different results.")
def mnist_rows_through_a_seq_first_lstm():
    return dict(model=Rnn(), example_input=_rand(6, 1, 7, 7))


# == correct (asked about, but right) ============================================================

class MetaOptimizerModel(nn.Module):
    """pytorch-meta-optimizer's MNIST model: log_softmax without dim on (batch, classes) scores."""

    def __init__(self):
        super().__init__()
        self.linear1 = nn.Linear(7 * 7, 8)
        self.linear2 = nn.Linear(8, 10)

    def forward(self, inputs):
        x = inputs.view(-1, 7 * 7)
        x = torch.sigmoid(self.linear1(x))
        x = self.linear2(x)
        return F.log_softmax(x)                               # no dim: 2-D input, so dim 1


@correct("https://github.com/ikostrikov/pytorch-meta-optimizer/issues/10")
def log_softmax_over_the_classes_of_a_two_axis_batch():
    return dict(model=MetaOptimizerModel(), example_input=_rand(4, 1, 7, 7))


@correct("https://github.com/lukemelas/PyTorch-Pretrained-ViT/issues/14")
def vit_built_for_the_image_size_it_is_given():
    return dict(model=VisionTransformer(img_size=64, num_classes=37), example_input=_rand(2, 3, 64, 64))


class GraphConvolution(nn.Module):
    """VGCN's graph convolution: (batch, nodes, in_channels) features with one (nodes, nodes) adjacency."""

    def __init__(self, in_features, out_features, adj):
        super().__init__()
        self.weight = nn.Parameter(0.1 * torch.randn(in_features, out_features,
                                                     generator=torch.Generator().manual_seed(0)))
        self.bias = nn.Parameter(torch.zeros(out_features))
        self.register_buffer("adj", adj)

    def forward(self, input):
        support = torch.matmul(input, self.weight)           # (B, N, out)
        return torch.matmul(self.adj, support) + self.bias  # (N, N) @ (B, N, out)


class VGCNHead(nn.Module):
    def __init__(self, num_nodes=6):
        super().__init__()
        ring = torch.diag(torch.ones(num_nodes - 1), 1)
        adj = torch.eye(num_nodes) + ring + ring.t()
        adj = adj / adj.sum(1, keepdim=True)
        self.gc1 = GraphConvolution(10, 8, adj)
        self.gc2 = GraphConvolution(8, 4, adj)
        self.fc = nn.Linear(4, 1)

    def forward(self, x):                                     # (B, nodes, channels)
        x = F.relu(self.gc1(x))
        x = F.relu(self.gc2(x))
        return self.fc(x.mean(dim=1))


@correct("https://github.com/weizhou-geek/VGCN-PyTorch/issues/3")
def graph_convolution_on_batched_node_features():
    return dict(model=VGCNHead(), example_input=_rand(3, 6, 10))
