"""Convolutions and pooling: channels, rank, and maps smaller than the window."""
import math

from torch import nn

from ..summaries import describe_call, shape_of, shape_text
from .base import BROADCAST, Diagnosis, ints, made_by, message


@message(r"weight of size \[([\d, ]+)\], expected input\[([\d, ]+)\] to have (\d+) channels, but got (\d+) channels")
def conv_channels(ctx, m):
    shape, want, got = ints(m.group(2)), int(m.group(3)), int(m.group(4))
    conv = ctx.module
    kind = type(conv).__name__ if conv is not None else "the convolution"
    lone = _one_example_unsqueezed(ctx, conv)
    if lone is not None:
        op, before, given = lone
        return Diagnosis(
            "image_unbatched", f"{ctx.path} was given {shape_text(given)}, with no batch axis: "
            f"{op.name}({describe_call(op.args[1:], op.kwargs)}) made it from {shape_text(before)}, one example, "
            f"where the code expects a batch (the axis it adds is the channel axis of (batch, ...)), so {kind} reads "
            f"{given[0]} channels", "give the model a batch, even of one: x.unsqueeze(0) before the model call",
            "unbatched", True, (want, got))
    if len(shape) >= 3 and shape[-1] == want and shape[1] != want:
        made = _made_by_unsqueeze(ctx, shape) if ctx.first_tensor() is not None and \
            tuple(ctx.first_tensor().shape) == tuple(shape) else None
        if isinstance(conv, nn.Conv1d) and made is not None and made[1] and len(made[1]) == 2:
            op, before = made
            return Diagnosis(
                "conv1d_time_features", f"{op.name}({describe_call(op.args[1:], op.kwargs)}) made {shape_text(shape)} of "
                f"{shape_text(before)}: one channel with the {want} values along the length, and {ctx.path} reads "
                f"channels from axis 1 (in_channels={want})", f"put the values on the channel axis: x.unsqueeze(-1), "
                f"({before[0]}, {want}, 1); or build the layer with in_channels=1 if the values are a signal to slide over",
                "conv1d", False, (want, got))       # which reading is meant, the data alone cannot say
        if isinstance(conv, nn.Conv1d):
            # (B, 1, L) with L == in_channels may as well be a one-channel signal whose length happens to
            # match: sure only when axis 1 holds more than one value
            return Diagnosis(
                "conv1d_time_features", f"{ctx.path} reads channels from axis 1, but the input "
                f"{shape_text(shape)} has its {want} features last (batch, time, features)",
                "x.transpose(1, 2): Conv1d wants (batch, features, time)", "conv1d", shape[1] > 1, (want, got))
        return Diagnosis(
            "channels_last", f"the input {shape_text(shape)} has its {want} channels last, and {ctx.path} "
            f"reads channels from axis 1 ({got})", "x.permute(0, 3, 1, 2): images as (batch, channels, "
            "height, width)", "channels_last", True, (want, got))
    given = ctx.first_tensor()
    if isinstance(conv, nn.Conv2d) and given is not None and given.dim() == 3:
        shape = tuple(given.shape)
        return Diagnosis(
            "conv_unbatched", f"the input {shape_text(shape)} is 3-D, so {ctx.path} reads it as ONE image "
            f"with {got} channels; it was built for {want}", "x.unsqueeze(1) for a batch of one-channel "
            "images: (batch, 1, height, width)", "flatten", True, (want, got))
    prev = ctx.last_before(nn.modules.conv._ConvNd)
    if prev is not None and prev.module.out_channels == got:
        return Diagnosis(
            "conv_chain", f"{prev.path} gives out_channels={got}, but {ctx.path} was built for "
            f"in_channels={want}", f"in_channels={got} for {ctx.path}", "conv_formula", True, (want, got))
    return Diagnosis(
        "conv_channels", f"axis 1 of the input {shape_text(shape)} has {got} channels, but {kind} was built "
        f"for in_channels={want}", f"in_channels={got}, or give it {want} channels",
        "channels_last", True, (want, got))


@message(r"expected (stride|padding|dilation|kernel_size|output_padding) to be a single integer value or a list "
         r"of (\d+) values to match the convolution dimensions, but got \w+=\[([\d, ]+)\]")
def conv_args_rank(ctx, m):
    setting, want, got = m.group(1), int(m.group(2)), ints(m.group(3))
    kind = type(ctx.module).__name__ if ctx.module is not None else "the convolution"
    return Diagnosis(
        "conv_args_2d", f"{ctx.path or kind} is a {kind} over {want} axis{'es' if want > 1 else ''}, and its "
        f"{setting} has {len(got)} values {list(got)}: settings written for a convolution of another rank",
        f"{setting}={got[0]} (one value per axis the layer slides over)", "conv1d", True, (want, len(got)))


@message(r"Expected (\d)D \(unbatched\) or (\d)D \(batched\) input to (\w+), but got input of size: \[([\d, ]*)\]")
def conv_dims(ctx, m):
    unbatched, batched, op, shape = int(m.group(1)), int(m.group(2)), m.group(3), ints(m.group(4))
    if len(shape) < unbatched:
        fix = ("add the missing axes: x[None, None] for one gray image (batch 1, channel 1)" if op == "conv2d"
               else "add the channel axis and the batch axis")
    else:
        fix = "remove the extra axis (squeeze it, or merge it into the batch with flatten(0, 1))"
    conv = ctx.module if isinstance(ctx.module, nn.modules.conv._ConvNd) else None
    channels = _channels_kept_last(ctx, conv, shape)
    if channels is not None:
        op, before = channels
        return Diagnosis(
            "stereo_audio", f"{ctx.path} got {shape_text(shape)}: {op.name}({describe_call(op.args[1:], op.kwargs)}) "
            f"added the channel axis to {shape_text(before)}, which already had a trailing axis of {before[-1]}, "
            f"a recording's channels (stereo), where the model takes one-channel signals (batch, samples)",
            f"mix the channels down, x.mean(-1), or pick one, x[..., 0], before the model; or a first layer "
            f"with in_channels={before[-1]} fed (batch, channels, samples)", "conv1d", False,
            (batched, len(shape)))
    if conv is not None and len(shape) in (batched + 1, batched - 1) and len(shape) >= 3 \
            and shape[1] == conv.in_channels:
        spatial = len(shape) - 2
        right = {1: "Conv1d", 2: "Conv2d", 3: "Conv3d"}.get(spatial)
        return Diagnosis(
            "conv_layer_rank", f"{ctx.path} is a {type(conv).__name__}, which slides over {batched - 2} "
            f"axis{'es' if batched - 2 > 1 else ''}, and the input {shape_text(shape)} is (batch, channels) and "
            f"{spatial} more axes, with its {conv.in_channels} channels where they belong: the data has the rank "
            f"the layer lacks", f"nn.{right}(...) for {len(shape)}-D input (kernel_size and padding per axis)"
            if right else "a convolution of the input's rank", "conv1d", conv.in_channels > 1,
            (batched, len(shape)))
    cause = f"{ctx.path or op} got a {len(shape)}-D input {shape_text(shape)}; it takes {batched}-D (batch, channels, ...)"
    return Diagnosis("conv_dims", cause, fix, "flatten", True, (batched, len(shape)))


@message(r"Calculated padded input size per channel: \(([\d x]+)\)\. Kernel size: \(([\d x]+)\)")
def conv_too_small(ctx, m):
    size, kernel = ints(m.group(1)), ints(m.group(2))
    trail = _spatial_trail(ctx)
    return Diagnosis(
        "conv_too_small", f"the map reaching {ctx.path} is {' x '.join(map(str, size))}{trail}, smaller than its "
        f"{' x '.join(map(str, kernel))} kernel", "pool less, pad more (padding=...), or give larger inputs; "
        "work the sizes out with the output-size formula", "conv_formula", True, (kernel, size))


@message(r"Given input size: \(([\dx]+)\)\. Calculated output size: \(([-\dx]+)\)\. Output size is too small")
def pool_too_small(ctx, m):
    size = ints(m.group(1))
    trail = _spatial_trail(ctx)
    kernel = getattr(ctx.module, "kernel_size", None)
    return Diagnosis(
        "pool_too_small", f"the map reaching {ctx.path or 'the pooling'} is {' x '.join(map(str, size[1:]))}"
        f"{trail}, smaller than its window (kernel_size={kernel})", "give larger inputs (each pooling halves "
        "the side: the input needs at least the window times 2 per pooling before it), or pool less; for a "
        "classifier's last pooling, AdaptiveAvgPool2d picks its window from the input", "pooling", True,
        (tuple(kernel) if isinstance(kernel, (tuple, list)) else (kernel,) * len(size[1:]), tuple(size[1:])))


def _spatial_trail(ctx):
    sizes = [(c.path, shape_of(c.output)) for c in reversed(ctx.before(
        (nn.modules.conv._ConvNd, nn.modules.pooling._MaxPoolNd, nn.modules.pooling._AvgPoolNd)))][-4:]
    steps = [f"{path} -> {shape_text(s[2:])}" for path, s in sizes if s and len(s) >= 3]
    return f" (the sizes so far: {'; '.join(steps)})" if steps else ""


@message(r"(\w+pool\w*): Expected (\d)D or (\d)D \(batch mode\) tensor with optional 0 dim batch size for input, "
         r"but got:? ?\[([\d, ]*)\]")
def pool_dims(ctx, m):
    op, unbatched, batched, shape = m.group(1), int(m.group(2)), int(m.group(3)), ints(m.group(4))
    return Diagnosis(
        "pool_dims", f"{ctx.path or op} takes (channels, ...) or (batch, channels, ...): {unbatched}-D or "
        f"{batched}-D, and got a {len(shape)}-D input {shape_text(shape)}", "add the missing channel (and batch) "
        "axis, x.unsqueeze(0); for a feature vector, pooling is not the layer you want", "conv1d", True,
        (batched, len(shape)))


def _made_by_unsqueeze(ctx, shape):
    """(op, the shape before) for the newest recorded unsqueeze that made a tensor of ``shape``."""
    op = made_by(ctx, ("unsqueeze",), shape)
    return (op, shape_of(op.args[0])) if op is not None else None


def _one_example_unsqueezed(ctx, conv):
    """(op, before, given) when a convolution got an unbatched input that an unsqueeze made from one
    example: the code adds the channel axis to (batch, ...), and the batch axis was missing."""
    given = ctx.first_tensor()
    if not isinstance(conv, nn.modules.conv._ConvNd) or given is None:
        return None
    spatial = len(conv.kernel_size)
    if given.dim() != spatial + 1:
        return None
    made = _made_by_unsqueeze(ctx, given.shape)
    if made is None or made[1] is None or len(made[1]) != spatial:
        return None
    return made[0], made[1], tuple(given.shape)


def _channels_kept_last(ctx, conv, shape):
    """(op, before) when a Conv1d built for one channel got (batch, 1, samples, c): an unsqueeze(1)
    added the channel axis to (batch, samples, c), audio whose few channels sit last."""
    if not isinstance(conv, nn.Conv1d) or conv.in_channels != 1 or len(shape) != 4 or shape[1] != 1:
        return None
    made = _made_by_unsqueeze(ctx, shape)
    if made is None or made[1] is None or len(made[1]) != 3:
        return None
    before = made[1]
    if before[-1] > 8 or before[-1] >= before[1]:
        return None
    return made


@message(BROADCAST)
def upsampled_map_one_off(ctx, m):
    """Two feature maps added (or multiplied) whose sides differ by a pixel or two, one of them made by
    upsampling: scale_factor=2 on a map whose finer partner has an odd side, or a scale factor computed
    as out / in that floors one short."""
    shapes = [s for s in ctx.op_shapes() if s is not None][:2]
    if len(shapes) != 2 or len(shapes[0]) != len(shapes[1]) or len(shapes[0]) < 3:
        return None
    differ = [d for d in range(len(shapes[0])) if shapes[0][d] != shapes[1][d]]
    if not differ or differ[0] < 2 or any(abs(shapes[0][d] - shapes[1][d]) > 2 for d in differ):
        return None
    for made, other in (shapes, shapes[::-1]):
        source = _upsampled_to(ctx, made)
        if source is None:
            continue
        given, scales = source
        axis = differ[-1]
        k = axis - 2
        scale = scales[k] if k < len(scales) else None
        if not isinstance(scale, (int, float)) or given is None or scale == 1 or given[axis] == made[axis]:
            continue
        if float(scale).is_integer():
            if given[axis] * scale != made[axis] or abs(other[axis] - made[axis]) >= scale:
                continue
            return Diagnosis(
                "unet_odd_size", f"{ctx.op.name}({shape_text(shapes[0])}, {shape_text(shapes[1])}): one map was "
                f"upsampled x{int(scale)} from {shape_text(given)} to {shape_text(made)}, and the map it meets has "
                f"{other[axis]} on axis {axis}: an odd side halves to {given[axis]} on the way down (rounded), and "
                f"doubling that gives {made[axis]}", "upsample to the other map's size, not by a factor: "
                "F.interpolate(x, size=other.shape[2:]) (or pad/crop the inputs to multiples of the total stride)",
                "pooling", True, (other[axis], made[axis]))
        if math.floor(given[axis] * scale) != made[axis]:
            continue
        return Diagnosis(
            "upsample_scale_rounding", f"{ctx.op.name}({shape_text(shapes[0])}, {shape_text(shapes[1])}): one map was "
            f"upsampled from {shape_text(given)} by a scale factor of {scale:.6g} (computed as a ratio of sizes), "
            f"and {given[axis]} x {scale!r} = {given[axis] * scale!r} in floating point, floored to {made[axis]}, "
            f"one short of "
            f"{other[axis]}", "pass the size, not a factor: nn.Upsample(size=...) or F.interpolate(x, size=...)",
            "conv_formula", True, (other[axis], made[axis]))
    return None


def _upsampled_to(ctx, shape):
    """(the input's shape, the scale factors per spatial axis) for the newest recorded upsampling
    (an nn.Upsample call, or F.interpolate) whose result has ``shape``; None when none made it."""
    calls = [(c.seq, "module", c) for c in (ctx.failure.before if ctx.failure else [])
             if isinstance(c.module, nn.Upsample) and shape_of(c.output) == tuple(shape)]
    ops = [(op.seq, "op", op) for op in (ctx.failure.ops if ctx.failure else [])
           if op.name == "interpolate" and shape_of(op.result) == tuple(shape)]
    if not calls + ops:
        return None
    _, kind, found = max(calls + ops, key=lambda f: f[0])
    if kind == "module":
        given, factor = shape_of(found.inputs[0]) if found.inputs else None, found.module.scale_factor
    else:
        given = shape_of(found.args[0]) if found.args else None
        factor = found.kwargs.get("scale_factor", found.args[2] if len(found.args) > 2 else None)
        factor = getattr(factor, "value", factor)
    if given is None or factor is None:
        return given, ()
    spatial = len(shape) - 2
    scales = tuple(factor) if isinstance(factor, (tuple, list)) else (factor,) * spatial
    scales = tuple(getattr(f, "value", f) for f in scales)
    if not all(isinstance(f, (int, float)) for f in scales):
        return given, ()
    return given, scales



@message(r"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, "
         r"but input\.size\(-3\)=(\d+) is not divisible by (\d+)")
def pixel_shuffle_channels(ctx, m):
    channels, square = int(m.group(1)), int(m.group(2))
    factor = math.isqrt(square)
    prev = ctx.last_before(nn.modules.conv._ConvNd)
    made = f" ({prev.path} gives out_channels={channels})" if prev is not None and \
        getattr(prev.module, "out_channels", None) == channels else ""
    return Diagnosis(
        "pixel_shuffle_channels", f"PixelShuffle({factor}) turns each {factor} x {factor} = {square} channels into "
        f"one channel {factor} times larger on each side, so the channels must be a multiple of {square}, and "
        f"there are {channels}{made}", f"give the layer before it out_channels = (channels wanted) * {square}", None,
        True, (square, channels))
