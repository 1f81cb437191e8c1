"""Chapter 5's checks (course/ch05_conv_and_flatten_arithmetic.ipynb), out of the learner's sight.

Each exercise is called from its check cell as ``checks.NAME(answer)``; the hidden tests add a
seed. Every case builds its own layers and inputs, and a reference from plain PyTorch: the
lengths a real ``nn.Conv1d`` and ``nn.MaxPool1d`` give, the model's own weights in reference
layers, a convolution done one window at a time, channels picked out one by one.
"""
import torch
from torch import nn

from ..cases import Sizes
from ..checks import expect_close, expect_equal, expect_shape
from ..exercise import Exercise
from ..hints import Hint

SOLUTION = "solutions/ch05_conv_and_flatten_arithmetic.ipynb"


# --- Fix me 1: conv_out_len ---------------------------------------------------------------------

CONV_RAISED = Hint(
    what="conv_out_len raised an error instead of returning a length.",
    where="read the error's last line. The function does arithmetic on five whole numbers: look for a "
          "name it uses that does not exist, or an operation that whole numbers do not allow.",
    fix="return (length + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1.")
CONV_TYPE = Hint(
    what="the length came back as another type than int. A number of outputs is a count, and a layer "
         "built from it needs a whole number.",
    where="which operator divides by the stride? In Python 3 one of the two division operators always "
          "gives a float, even when the division is exact.",
    fix="divide with // (floor division): (length + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1.")
CONV_LENGTH = Hint(
    what="the number of outputs differs from what a real nn.Conv1d gives with the same length, kernel, "
         "stride, padding and dilation.",
    where="build the count from its parts, as section 1 does: how long is the input once padded (on which "
          "ends does padding go?); how many positions one dilated window spans from its first tap to its "
          "last; and how many window starts, stride apart, leave the whole window inside the padded input, "
          "and which way does that count round?",
    fix="(length + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1: padding on both ends, a "
        "window spanning dilation * (kernel - 1) + 1 inputs, starts every stride, rounded down.")


def _real_conv_len(case, length, kernel, stride, padding, dilation):
    layer = nn.Conv1d(1, 1, kernel, stride=stride, padding=padding, dilation=dilation).to(case.device)
    with torch.no_grad():
        return layer(torch.zeros(1, 1, length, device=case.device)).shape[-1]


def check_conv_out_len(case, conv_out_len):
    """conv_out_len(L, k, s, p, d) against the length a real nn.Conv1d gives."""
    args = (case.L, case.k, case.s, case.p, case.d)
    got = conv_out_len(*args)
    expect_equal(type(got), int, name=f"the type of conv_out_len{args}", hint=CONV_TYPE)
    expect_equal(got, _real_conv_len(case, *args), name=f"conv_out_len{args}", hint=CONV_LENGTH)


conv_out_len = Exercise(
    "conv_out_len", "conv_out_len(length, kernel, stride, padding, dilation)", check_conv_out_len,
    Sizes(L=(1, 64), k=(1, 7), s=(1, 4), p=(0, 3), d=(1, 3),
          where=lambda L, k, s, p, d: L >= 1 and L + 2 * p >= d * (k - 1) + 1),
    example=dict(L=9, k=3, s=2, p=1, d=2),
    edges=["L=32,k=5,s=1,p=2,d=1", "L=28,k=3,s=2,p=0,d=1", "L=d*(k-1)+1-2*p", "s=1,d=1", "k=1"], draws=4,
    hidden_edges=["L=d*(k-1)+1-2*p", "p=0", "d=3"], hidden_draws=20, raised=CONV_RAISED, solution=SOLUTION)


# --- Fix me 2: pool_out_len ---------------------------------------------------------------------

POOL_RAISED = Hint(
    what="pool_out_len raised an error instead of returning a length.",
    where="read the error's last line. The function does arithmetic on whole numbers and a flag: look "
          "for a name it uses that does not exist, or an operation those values do not allow.",
    fix="without ceil_mode, (length - kernel) // stride + 1; with it, math.ceil((length - kernel) / stride) + 1, "
        "less one when (out - 1) * stride >= length.")
POOL_FLOOR = Hint(
    what="with ceil_mode=False, the number of windows differs from what a real nn.MaxPool1d gives.",
    where="without ceil_mode only whole windows count: how many starts, stride apart, leave the whole "
          "window inside the input? And what stride does the layer use when none is given?",
    fix="(length - kernel) // stride + 1, with stride = kernel when it is None.")
POOL_CEIL = Hint(
    what="with ceil_mode=True, the number of windows differs from what a real nn.MaxPool1d gives.",
    where="two rules, both shown in section 2's demonstration: a last window that hangs over the end "
          "counts too, yet a window may never start past the last input. Does your count include a "
          "window that starts past the end, or leave out one that starts inside and hangs over?",
    fix="out = math.ceil((length - kernel) / stride) + 1, then out -= 1 if (out - 1) * stride >= length "
        "(that last window would start at or past the end).")


def _real_pool_len(case, length, kernel, stride, ceil_mode):
    layer = nn.MaxPool1d(kernel, stride=stride, ceil_mode=ceil_mode)
    return layer(torch.zeros(1, 1, length, device=case.device)).shape[-1]


def check_pool_out_len(case, pool_out_len):
    """pool_out_len(L, k, s, ceil_mode) against the length a real nn.MaxPool1d gives."""
    args = (case.L, case.k, case.s, case.cm)
    expect_equal(pool_out_len(*args), _real_pool_len(case, *args), name=f"pool_out_len{args}",
                 hint=POOL_CEIL if case.cm else POOL_FLOOR)


pool_out_len = Exercise(
    "pool_out_len", "pool_out_len(length, kernel, stride, ceil_mode)", check_pool_out_len,
    Sizes(L=(1, 40), k=(1, 5), s=[None, 1, 2, 3, 4, 5], cm=[False, True], where=lambda L, k, **_: k <= L),
    example=dict(L=5, k=2, s=None, cm=True),
    edges=["L=5,k=2,s=None,cm=False", "L=5,k=1,s=3,cm=True", "L=6,k=1,s=3,cm=True", "L=8,k=3,s=2,cm=True",
           "cm=False"], draws=4,
    hidden_edges=["cm=True,k=1", "cm=True,s=5", "s=None"], hidden_draws=20, raised=POOL_RAISED,
    solution=SOLUTION)


# --- Fix me 3: SmallCNN -------------------------------------------------------------------------

SMALL_CNN_RAISED = Hint(
    what="SmallCNN did not get from a batch of images to scores: building it, or its forward pass, "
         "raised the error above.",
    where="if it failed as the head was built, a size was not a whole number. If it failed in the forward "
          "pass, read the error's two pairs: (images x features that reached the head) and the head's "
          "weight transposed, (in_features x out_features). Follow the side of the image through "
          "self.features: which layer changes it, by how much, and how does it round an odd side?",
    fix="side = size // 2: padding=1 keeps the convolution's output at size, and MaxPool2d(2) halves each "
        "side, rounding down; the head is nn.Linear(8 * side * side, classes).")
SMALL_CNN_SHAPE = Hint(
    what="the scores are not one row per image and one column per class.",
    where="the head's out_features, and what the forward pass flattens: every image keeps its own row.",
    fix="self.head = nn.Linear(8 * side * side, classes) with side = size // 2, fed features.flatten(1).")
SMALL_CNN_VALUES = Hint(
    what="the scores are not those of the model's own layers in order: convolution, ReLU, 2x2 max-pooling, "
         "each image's maps flattened, then the head.",
    where="forward: does each image go through self.features and then self.head, flattened one image per "
          "row, with nothing else in between?",
    fix="keep forward as given, self.head(self.features(images).flatten(1)), and size the head with "
        "side = size // 2.")


def check_small_cnn(case, SmallCNN):
    """SmallCNN(C, S, K) on (B, C, S, S) images, against the same layers with the model's own
    weights. The forward pass comes first, so a LazyLinear head has its weights when they are read."""
    model = SmallCNN(case.C, case.S, case.K).to(case.device)
    imgs = torch.randn(case.B, case.C, case.S, case.S, device=case.device)           # (B, C, S, S)
    with torch.no_grad():
        got = model(imgs)
        expect_shape(got, (case.B, case.K), name=f"SmallCNN(...) on {case.S}x{case.S} images, .shape",
                     hint=SMALL_CNN_SHAPE)
        ref_features = nn.Sequential(nn.Conv2d(case.C, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)).to(case.device)
        ref_features.load_state_dict(model.features.state_dict())
        flat = ref_features(imgs).flatten(1)                                          # (B, 8 * (S // 2) ** 2)
        expect_close(got, nn.functional.linear(flat, model.head.weight, model.head.bias),
                     name=f"SmallCNN(...) on {case.S}x{case.S} images", hint=SMALL_CNN_VALUES)


small_cnn = Exercise(
    "small_cnn", "SmallCNN(in_channels, size, classes)", check_small_cnn,
    Sizes(C=(1, 4), S=(2, 21), K=(2, 6), B=(1, 3)),
    example=dict(C=3, S=28, K=10, B=2), example_label="the example's sizes, other weights and images",
    edges=["S=2*(S//2)+1", "S=2", "S=3", "B=1"],
    hidden_edges=["S=2*(S//2)+1", "C=1"], raised=SMALL_CNN_RAISED, solution=SOLUTION)


# --- Fix me 4: per_example_features -------------------------------------------------------------

FLAT_RAISED = Hint(
    what="per_example_features raised an error on a batch of feature maps.",
    where="read the error's last line: which call failed, and what did it expect? Some of the maps' "
          "sizes may be 1 here (one example, one channel, 1x1 maps), which the example on screen does "
          "not have.",
    fix="torch.flatten(maps, start_dim=1) (or maps.flatten(1), or nn.Flatten()(maps)).")
FLAT_SHAPE = Hint(
    what="the result is not a table of one row per example, each row holding all that example's values "
         "(C * H * W of them).",
    where="which axes does your call join into one? The batch axis must stay on its own, and every axis "
          "after it goes into the row; nothing in it may depend on the example's sizes.",
    fix="torch.flatten(maps, start_dim=1): join axes 1 to the last, keep axis 0.")
FLAT_VALUES = Hint(
    what="the shape is right but a row does not hold its example's values in their stored order "
         "(channel by channel, each map row by row).",
    where="did an axis move before the flattening? Flattening alone reads each example's values in the "
          "order they are stored.",
    fix="torch.flatten(maps, start_dim=1), with no permute or transpose before it.")


def check_per_example_features(case, per_example_features):
    """(B, C, H, W) maps against the same maps reshaped to (B, C * H * W) in memory order."""
    m = torch.randn(case.B, case.C, case.H, case.W, device=case.device)              # (B, C, H, W)
    got = per_example_features(m)
    expect_shape(got, (case.B, case.C * case.H * case.W), name="per_example_features(maps).shape", hint=FLAT_SHAPE)
    expect_close(got, m.reshape(case.B, -1), name="per_example_features(maps)", hint=FLAT_VALUES)


per_example_features = Exercise(
    "per_example_features", "per_example_features(maps)", check_per_example_features,
    Sizes(B=(1, 4), C=(1, 4), H=(1, 4), W=(1, 4)),
    example=dict(B=2, C=3, H=4, W=4), example_label="the example's sizes, other numbers",
    edges=["B=1", "C=1", "H=W=1", "B=C"],
    hidden_edges=["B=1", "C=H=W=1"], raised=FLAT_RAISED, solution=SOLUTION)


# --- Fix me 5: TextCNN --------------------------------------------------------------------------

TEXT_RAISED = Hint(
    what="TextCNN raised an error on a batch of embedded sentences.",
    where="read the channel counts in Conv1d's message: the number it expected is emb_dim, the number it "
          "got is the size of axis 1 of the tensor that reached it. Which axis of x is that, and which "
          "axis should the convolution slide along?",
    fix="h = self.conv(x.transpose(1, 2)): Conv1d reads (batch, channels, time), so the embedding axis "
        "goes to dim 1.")
TEXT_SHAPE = Hint(
    what="the output is not one row per sentence and one column per filter.",
    where="h is (batch, filters, positions): which axis does the max run over, and which axes are left?",
    fix="return h.max(dim=2).values, the max over positions: (B, filters).")
TEXT_VALUES = Hint(
    what="the shape is right but the numbers are not, for each filter, its largest response over the "
         "sentence's windows of width consecutive words.",
    where="two places: what the convolution is given (is each channel one embedding feature, and does it "
          "slide along the words, with each word's vector kept whole?), and what the max keeps.",
    fix="h = self.conv(x.transpose(1, 2)), which moves the axes (a view or reshape to (B, E, T) pours the "
        "numbers into the new shape instead), then h.max(dim=2).values.")


def _text_cnn_reference(model, x):
    """One window at a time, no Conv1d."""
    w, b = model.conv.weight, model.conv.bias                                        # (F, E, k), (F,)
    k = w.shape[-1]
    windows = torch.stack([x[:, t:t + k] for t in range(x.shape[1] - k + 1)], dim=1)  # (B, T-k+1, k, E)
    scores = torch.einsum("bnke,fek->bnf", windows, w) + b                           # (B, T-k+1, F)
    return scores.max(dim=1).values                                                  # (B, F)


def check_text_cnn(case, TextCNN):
    """TextCNN(E, F, width=k) on (B, T, E) sentences, against the convolution done window by window."""
    model = TextCNN(case.E, case.F, width=case.k).to(case.device)
    xs = torch.randn(case.B, case.T, case.E, device=case.device)                    # (B, T, E)
    with torch.no_grad():
        got = model(xs)
        expect_shape(got, (case.B, case.F), name="TextCNN(...)(x).shape", hint=TEXT_SHAPE)
        expect_close(got, _text_cnn_reference(model, xs), name="TextCNN(...)(x)", hint=TEXT_VALUES)


text_cnn = Exercise(
    "text_cnn", "TextCNN(emb_dim, filters, width)", check_text_cnn,
    Sizes(E=(2, 10), F=(1, 6), k=(1, 4), B=(1, 4), T=(1, 12), where=lambda T, k, **_: T >= k),
    example=dict(E=16, F=8, k=3, B=2, T=7), example_label="the example's sizes, other weights and sentences",
    edges=["T=E", "B=1", "F=1", "T=k"],
    hidden_edges=["T=E", "k=1"], raised=TEXT_RAISED, solution=SOLUTION)


# --- Fix me 6: to_channels_first ----------------------------------------------------------------

CHANNELS_RAISED = Hint(
    what="to_channels_first raised an error on a batch of channels-last images.",
    where="read the error's last line: which call failed? One way of rearranging needs the memory laid out "
          "to match the new shape; another needs one axis number for each of the four axes.",
    fix="return images.permute(0, 3, 1, 2).")
CHANNELS_SHAPE = Hint(
    what="the result is not (batch, channels, height, width).",
    where="where does each input axis end up? The batch stays first, the channels come next, and height "
          "stays before width.",
    fix="images.permute(0, 3, 1, 2): output axis i is input axis (0, 3, 1, 2)[i].")
CHANNELS_VALUES = Hint(
    what="the shape is right, but channel c of the result is not channel c of each pixel.",
    where="does your call move an axis, or pour the same numbers, in memory order, into a new shape? And "
          "is height still before width? (With square images or as many channels as rows, a wrong order "
          "keeps the right shape.)",
    fix="images.permute(0, 3, 1, 2) (or images.movedim(3, 1)): move the channel axis; do not reshape.")


def check_to_channels_first(case, to_channels_first):
    """(B, H, W, C) images against their channels picked out one by one and stacked at dim 1."""
    imgs = torch.rand(case.B, case.H, case.W, case.C, device=case.device)             # (B, H, W, C)
    expected = torch.stack([imgs[..., c] for c in range(case.C)], dim=1)             # channel c of every pixel
    got = to_channels_first(imgs)
    expect_shape(got, (case.B, case.C, case.H, case.W), name="to_channels_first(images).shape", hint=CHANNELS_SHAPE)
    expect_close(got, expected, name="to_channels_first(images)", hint=CHANNELS_VALUES)


to_channels_first = Exercise(
    "to_channels_first", "to_channels_first(images)", check_to_channels_first,
    Sizes(B=(1, 3), H=(2, 7), W=(2, 7), C=(2, 4)),
    example=dict(B=2, H=6, W=5, C=3), example_label="the example's sizes, other pixels",
    edges=["H=W", "C=B", "B=1", "C=H"],
    hidden_edges=["H=W", "C=B"], raised=CHANNELS_RAISED, solution=SOLUTION)
