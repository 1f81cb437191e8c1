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
from ..predictions import Prediction

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


# --- Challenge: PhotoClassifier, three bugs and no hint until asked -----------------------------

PHOTO_RAISED = Hint(
    what="PhotoClassifier raised an error on these photos.",
    where="read which line raised, and the two pairs of sizes in the message: the first is what reached "
          "the head (one row per photo?), the second the head's weight transposed, (in_features x "
          "out_features). Follow one side of a photo through the stride-2 convolution and the pool, for "
          "every size the model takes, odd ones included: how does each layer round?",
    fix="flatten each photo's maps on its own, x.flatten(1), and size the head from "
        "side = ((size - 1) // 2 + 1) // 2: the stride-2 convolution with padding 1 gives "
        "(size - 1) // 2 + 1 (half, rounded up), and the pool halves that, rounding down. size // 4 is "
        "one short whenever size % 4 == 3.")
PHOTO_SHAPE = Hint(
    what="the scores are not one row per photo and one column per class.",
    where="what reaches the head: which axes does the flattening join, and does the batch axis stay on "
          "its own?",
    fix="self.head(x.flatten(1)): join every axis after the batch, keep the batch.")
PHOTO_VALUES = Hint(
    what="the shape is right but the scores are not those of the model's own layers run on each photo "
         "with its channels first: convolution, ReLU, 2x2 max-pooling, each photo's maps flattened, "
         "then the head.",
    where="how the photos become (batch, channels, height, width) before the convolution: does every "
          "pixel keep its own channels, and does height stay before width? With square photos a wrong "
          "order keeps the right shape.",
    fix="self.features(photos.permute(0, 3, 1, 2)) (or photos.movedim(3, 1)): move the channel axis. "
        "reshape pours the same numbers, in memory order, into a new shape, and transpose(1, 3) swaps "
        "height and width as well.")


def check_photo_classifier(case, PhotoClassifier):
    """PhotoClassifier(C, S, K) on channels-last (B, S, S, C) photos, against the model's own
    convolution and head run on each photo's channels picked out one by one. The forward pass
    comes first, so a LazyLinear head has its weights when they are read."""
    model = PhotoClassifier(case.C, case.S, case.K).to(case.device)
    photos = torch.rand(case.B, case.S, case.S, case.C, device=case.device)          # (B, S, S, C)
    with torch.no_grad():
        got = model(photos)
        expect_shape(got, (case.B, case.K), name=f"PhotoClassifier(...) on {case.S}x{case.S} photos, .shape",
                     hint=PHOTO_SHAPE)
        ref_features = nn.Sequential(nn.Conv2d(case.C, 8, 3, stride=2, padding=1), nn.ReLU(),
                                     nn.MaxPool2d(2)).to(case.device)
        ref_features.load_state_dict(model.features.state_dict())
        channels_first = torch.stack([photos[..., c] for c in range(case.C)], dim=1)  # (B, C, S, S)
        flat = ref_features(channels_first).reshape(case.B, -1)                       # (B, 8 * side * side)
        expected = nn.functional.linear(flat, model.head.weight, model.head.bias)     # (B, K)
        expect_close(got, expected, name=f"PhotoClassifier(...) on {case.S}x{case.S} photos", hint=PHOTO_VALUES)


photo_classifier = Exercise(
    "photo_classifier", "PhotoClassifier(channels, size, classes)(photos)", check_photo_classifier,
    Sizes(C=(1, 4), S=(3, 33), K=(2, 6), B=(1, 4), where=lambda S, **_: S >= 3),
    example=dict(C=3, S=28, K=5, B=2), example_label="the example's sizes, other weights and photos",
    edges=["S=4*(S//4)+3", "S=4*(S//4)+1", "B=1", "C=B"], draws=2,
    hidden_edges=["S=4*(S//4)+3", "S=4*(S//4)+2", "B=1", "C=B"], hidden_draws=6,
    raised=PHOTO_RAISED, solution=SOLUTION, on_demand=True)


# --- Predictions: asked before the cell that reveals them ---------------------------------------

SHAPE = "a shape, as a tuple such as (5, 7)"
COUNT = "a whole number, such as 7"
OUTCOME = '"raises" or "runs"'
VERDICT = '"myth" or "fact"'

conv_length = Prediction(
    "conv_length", example=COUNT, answer=4,
    why="padding 1 at each end makes the input 11 long; a window of 3 taps with dilation 2 spans "
        "2 * (3 - 1) + 1 = 5 inputs; starts every 2 positions: 0, 2, 4 and 6 (inputs 6 to 10). A start at "
        "8 would need inputs 8 to 12, past the end, so there are 4 outputs.")

myth_kernel_too_big = Prediction(
    "myth_kernel_too_big", example=VERDICT, verdict="myth",
    raises=(RuntimeError, "Kernel size can't be greater than actual input size"),
    why="no window of 5 taps fits in 3 inputs, so counting window starts would give less than one; but a "
        "convolution checks that its window fits in the (padded) input before it computes anything, and "
        "raises instead of returning an empty or negative-sized output.")

pool_windows = Prediction(
    "pool_windows", example=COUNT, answer=2,
    why="rounding (5 - 1) / 3 up gives 2 steps, so 3 windows, starting at 0, 3 and 6. But the last input "
        "is number 4, and a window that would start past it is dropped: ceil_mode may let a window hang "
        "over the end, never start beyond it. 2 windows, starting at 0 and 3.")

trace_shape = Prediction(
    "trace_shape", example=SHAPE, answer=(1, 32, 6, 6),
    why="padding=1 keeps 28; the pool halves it to 14; the second convolution has no padding, so a "
        "3-wide window leaves 14 - 3 + 1 = 12; the pool halves that to 6. The channels are the last "
        "convolution's out_channels, 32, and the batch stays 1.")

float_pool_builds = Prediction(
    "float_pool_builds", example=OUTCOME, runs=True,
    why="a pooling layer has no weights, so building it only stores the numbers it is given; nothing "
        "checks that they are whole until the first batch arrives. nn.Linear makes its weight as it is "
        "built, so it refuses a float at once.")

flatten_all = Prediction(
    "flatten_all", example=SHAPE, answer=(96,),
    why="torch.flatten's start_dim defaults to 0, so it joins every axis, the batch included: "
        "2 * 3 * 4 * 4 = 96 values in one axis. (nn.Flatten, the layer, starts at dimension 1 instead.)")

view_batch = Prediction(
    "view_batch", example=SHAPE, answer=(2, 1024),
    why="-1 means 'whatever makes the count come out': 8 * 16 * 4 * 4 = 2048 values in rows of 1024 "
        "make 2 rows. view checks only that the count divides, not that a row is one image, so the "
        "batch of 8 silently became 2.")

myth_lazy_load = Prediction(
    "myth_lazy_load", example=VERDICT, verdict="myth", runs=True,
    why="load_state_dict gives a LazyLinear's uninitialised weight the saved weight's shape and values, "
        "with no batch needed; what waits for the first batch is its in_features attribute.")

square_conv1d = Prediction(
    "square_conv1d", example=OUTCOME, runs=True,
    why="Conv1d checks only that dimension 1 holds in_channels numbers. With T == E == 16 it does, so it "
        "runs: it reads the 16 time steps as channels and slides along the 16 features. Nothing in the "
        "tensor says which axis is which; only a size that differs exposes the mistake.")

transpose_channels = Prediction(
    "transpose_channels", example=SHAPE, answer=(2, 3, 5, 6),
    why="transpose(1, 3) swaps axes 1 and 3 only: the channels (3) move to dimension 1 and the height "
        "(6) goes where the channels were, so width comes before height. A Conv2d(3, ...) would run on "
        "it, over images turned on their side; with square images even the shape looks right.")
