"""Plain tensor code: view and reshape, cat and stack, bmm, broadcasting, axes, sizes of the
wrong type."""
import re
import sys

import math

import torch
from torch import nn

from ..summaries import ListSeen, describe, describe_call, shape_of, shape_text
from .base import (BROADCAST, Diagnosis, after, batch_of_one_squeezed, floats_in, ints, made_by, message, plain, product,
                   shaped)


@message(r"must be tuple of ints,\s*(?:but (?:got float|found element of type float)|not float)"
         r"|received an invalid combination of arguments - got \([^)]*\bfloat\b", plain=True)
def float_size(ctx, m):
    floats = floats_in(ctx.op.args + tuple(ctx.op.kwargs.values())) if ctx.op is not None else []
    size = f"the size {floats[0]}" if floats else "a size"
    named = ctx.op.name if ctx.op is not None else ctx.function_named()
    made = f" given to torch's {named}()" if named else ""
    return Diagnosis(
        "float_size", f"{size}{made} is a float, and sizes of layers and tensors must be whole numbers: "
        "in Python / always gives a float (28 / 4 is 7.0), even when it divides exactly",
        "work sizes out with // (28 // 4 is 7), or int(...) around the result", "in_features", True)


@message(r"shape '\[([-\d, ]+)\]' is invalid for input of size (\d+)")
def view_numel(ctx, m):
    asked, total = ints(m.group(1)), int(m.group(2))
    x = ctx.first_tensor(ctx.op_args)
    name = ctx.op.name if ctx.op is not None else "view"
    if x is not None and x.dim() >= 3 and -1 in asked and len(asked) == 2 and asked.index(-1) == 0:
        per = product(x.shape[1:])
        return Diagnosis(
            "view_per_example", f"{name}(-1, {asked[1]}) on {shaped(x)}: each example has "
            f"{' x '.join(str(s) for s in x.shape[1:])} = {per} values, not {asked[1]}",
            f"x.flatten(1) (or x.view(x.size(0), -1)) keeps the batch and computes {per}; then "
            f"in_features={per}", "flatten", True, (per, asked[1]))
    unpadded = _unfolded_without_padding(ctx, x, asked)
    if unpadded is not None:
        side, windows, size, step = unpadded
        return Diagnosis(
            "unfold_unpadded", f"{name}({', '.join(map(str, asked))}) on {shaped(x)} asks {side} positions per side, "
            f"and the tensor has {windows}: it was unfolded into windows of {size} every {step} without padding, "
            f"which leaves ({side} - {size}) // {step} + 1 = {windows} windows per side, not one per position",
            f"pad by {size // 2} on each side before unfolding (F.pad(x, [{size // 2}] * 4), or the layer's padding "
            f"= kernel_size // 2) so there is a window for every position", "conv_formula", True, (side, windows))
    scaled = _scaled_by_another_factor(ctx, x, asked)
    if scaled is not None:
        side, made, meant, setting = scaled
        odd = (f": the upsampling stages were built for another factor (stages of x2 give 2, 4, 8, never {meant})"
               if meant % 2 else "")
        return Diagnosis(
            "upsampler_stages_for_scale", f"{name}({', '.join(map(str, asked))}) on {shaped(x)}: the model was given "
            f"maps of side {side}, its layers made them {side * made} ({made} times larger, {(side * made) ** 2} "
            f"values a map), and the view asks {side * meant} ({meant} times, {(side * meant) ** 2} values)"
            + (f"; {meant} is {setting}" if setting else "") + odd,
            f"build the upsampler for a factor of {meant} (a Conv2d to {meant * meant} x the channels, then "
            f"PixelShuffle({meant})), or ask for the factor it gives ({made})", "conv_formula", False,
            ((side * made) ** 2, (side * meant) ** 2))
    grid = _grid_of_positions(x, asked)
    if grid is not None:
        side, positions = grid
        return Diagnosis(
            "extra_tokens_mismatch", f"{name}({', '.join(map(str, asked))}) on {shaped(x)} lays {positions} positions "
            f"out as a {side} x {side} grid ({side * side}): {positions} is {positions - side * side:+d} from it. "
            "Where a table of positions holds extra tokens before the grid (a class token, a distillation token, "
            "one per class), the number dropped before the grid must be the number that table has, not the number "
            "the model has", "split off the table's own extra tokens (for a checkpoint: the count it was trained "
            "with), then reshape what remains; check that it is a square", "flatten", False,
            (side * side, positions))
    windows = _windows_that_do_not_divide(x, asked)
    if windows is not None:
        n, k, a = windows
        return Diagnosis(
            "window_not_divisible", f"{name}({', '.join(map(str, asked))}) on {shaped(x)} cuts an axis of {n} into "
            f"{a} windows of {k}: {n} is not a multiple of {k}, so {n} // {k} = {a} windows cover {a * k} of the {n} "
            "and the values left over have nowhere to go", f"pad that axis to a multiple of {k} first (F.pad up to "
            f"{-(-n // k) * k}), or crop it to {a * k}; the same holds for any window or patch size", "flatten",
            True, (a * k, n))
    built = _built_for_another_grid(ctx, x, asked, total)
    if built is not None:
        size, setting, have = built
        return Diagnosis(
            "built_for_crop_size", f"{name}({', '.join(map(str, asked))}) on {shaped(x)}: {size} is {setting}, "
            f"{_as_grid(size)} positions fixed when the model was built, and this map has {_as_grid(have)}: the "
            "model was built for inputs of another size than it is given", "give it inputs of the size it was built "
            "for (resize or crop), or build it for this size (the image size it is constructed with)", "flatten",
            False, (size, have))
    selected = _selected_by_mask(ctx, x)
    if selected is not None and len(asked) >= 2:
        mask = selected.args[1] if len(selected.args) > 1 else None
        from_shape = shape_of(selected.args[0])
        return Diagnosis(
            "mask_count_varies", f"{name}({', '.join(map(str, asked))}) on the {total} values that a boolean mask "
            f"picked out of {shape_text(from_shape) if from_shape else 'a tensor'}"
            f"{f' (mask {describe(mask)})' if mask is not None else ''}: how many values a mask picks depends "
            f"on the data, so they split into rows of equal length only when every row picks the same number, and "
            f"here they do not", "keep the rows and mask inside them (masked_fill with -inf or +inf, then max or "
            "min over the row), or make every row pick the same number (draw batches so that they do)",
            "flatten", False, (asked[0], total))
    rest = product(asked[1:]) if len(asked) >= 2 and -1 not in asked else 0
    if x is not None and x.dim() >= 2 and rest > 0 and asked[0] == x.shape[0] and product(x.shape[1:]) != rest \
            and _width_from_the_input(ctx, x, asked) is None:
        per = product(x.shape[1:])
        ratio = (f"; {per} is {per // rest} times {rest}: data kept at a finer resolution than the sizes the code "
                 "was set for (subsample it, or set the sizes from the data)" if per % rest == 0 else
                 f"; {rest} is {rest // per} times {per}" if rest % per == 0 else "")
        return Diagnosis(
            "view_per_example", f"{name}({', '.join(map(str, asked))}) on {shaped(x)} keeps the {asked[0]} "
            f"examples and asks {_product_text(asked[1:])} values of each, but each has "
            f"{_product_text(x.shape[1:])}{ratio}", "take the sizes from the tensor "
            "(x.reshape(x.size(0), -1, ...)) or bring the data to the size the code expects", "flatten", False,
            (per, rest))
    if rest > 0 and asked[0] > 0 and total % rest == 0 and total // rest != asked[0]:
        batch = total // rest
        seen_before = batch in _batches_before(ctx)
        return Diagnosis(
            "batch_hardcoded", f"{name}({', '.join(map(str, asked))}) on {shaped(x) if x is not None else total}: "
            f"{total} values are {batch} x {' x '.join(map(str, asked[1:]))}, so the sizes after the first fit and "
            f"the first, {asked[0]}, does not" + (f"; {batch} is the size of a batch this code ran on, so {asked[0]} "
            "is a batch size written into the code, which fails on any other batch (the last batch of an epoch is "
            "usually smaller)" if seen_before else ""), f"take the batch from the data (x.size(0) of the batch, or "
            f"-1 in place of {asked[0]}); or DataLoader(..., drop_last=True)", "flatten", seen_before,
            (batch, asked[0]))
    width = _width_from_the_input(ctx, x, asked)
    if width is not None:
        lead, per, source = width
        return Diagnosis(
            "reshape_wrong_width", f"{name}({', '.join(map(str, asked))}) on {shaped(x)} keeps the leading "
            f"{shape_text(lead)} and asks {asked[-1]} values for each, but the tensor has "
            f"{' x '.join(map(str, x.shape[len(lead):]))} = {per} per position; {asked[-1]} is the width of "
            f"{source}, read from the input where the layer's own width is meant", f"reshape to the width the "
            f"tensor holds ({per}: the layer's embed_dim, num_heads * head_dim), not the input's size",
            "flatten", False, (per, asked[-1]))
    shown = shaped(x) if x is not None else f"{total} values"
    return Diagnosis(
        "view_numel", f"{name} to [{', '.join(map(str, asked))}] needs a multiple of the known sizes, and "
        f"the tensor {shown} has {total} values", "compute the sizes from x.shape, or use -1 for the one "
        "you mean to be inferred", "flatten", False, (asked, total))


def _width_from_the_input(ctx, x, asked):
    """(leading sizes, values per position, what) when a view/reshape keeps x's leading axes and asks
    for a last size that is the last axis of the input of the module running, while x holds another
    number of values per position: a width read from x.size() where the layer's own was meant."""
    stack = ctx.failure.stack if ctx.failure else []
    if x is None or not stack or len(asked) < 2 or -1 in asked:
        return None
    lead = tuple(asked[:-1])
    if tuple(x.shape[:len(lead)]) != lead or x.dim() <= len(lead):
        return None
    per = product(x.shape[len(lead):])
    given = shape_of(stack[-1].inputs[0]) if stack[-1].inputs else None
    if per == asked[-1] or not given or given[-1] != asked[-1]:
        return None
    return lead, per, f"{stack[-1].path}'s input {shape_text(given)}"


def _product_text(sizes):
    """``4 x 4 = 16``, or ``16`` for one size."""
    sizes = [int(s) for s in sizes if int(s) != 1] or [1]
    return f"{' x '.join(map(str, sizes))} = {product(sizes)}" if len(sizes) > 1 else str(sizes[0])


def _windows_that_do_not_divide(x, asked):
    """(n, k, n // k) when ``asked`` is the shape of ``x`` with axes cut into windows, each axis n kept
    or asked as (n // k, k), and some k does not divide its n (x.view(b, h // k, k, w // k, k, c) on a
    map whose side is not a multiple of k)."""
    if x is None:
        return None
    i, cut = 0, None
    for n in x.shape:
        if i < len(asked) and asked[i] == n:
            i += 1
        elif i + 1 < len(asked) and asked[i + 1] >= 2 and asked[i] == n // asked[i + 1]:
            if n % asked[i + 1] and cut is None:
                cut = (n, asked[i + 1], asked[i])
            i += 2
        else:
            return None
    return cut if i == len(asked) else None


def _unfolded_without_padding(ctx, x, asked):
    """(side, windows, size, step) when ``x`` was made by unfold and the view asks, where the tensor has
    the windows per side, the side the input had: windows of an unpadded unfold, one short per side."""
    if x is None or len(asked) > x.dim() + 1:
        return None
    unfolds = [u for u in _unfolds(ctx) if u[1] >= u[2]]
    if not unfolds or made_by(ctx, {"unfold"}, x.shape) is None:
        return None
    for _, length, size, step in unfolds:
        windows = (length - size) // step + 1
        if windows == length:
            continue
        for i in range(min(len(asked), x.dim())):
            if x.shape[i] == windows and asked[i] == length:
                return asked[i], windows, size, step
    return None


def _scaled_by_another_factor(ctx, x, asked):
    """(the input's side, the factor the layers scaled it by, the factor the view asks, the setting
    that names it) when a view asks square maps of side meant * side and the tensor holds maps of side
    made * side (side: the model input's last axis), made != meant."""
    stack = ctx.failure.stack if ctx.failure else []
    given = shape_of(stack[0].inputs[0]) if stack and stack[0].inputs else None
    if x is None or not given or len(given) < 3 or x.dim() < 2 or len(asked) < 2:
        return None
    side = given[-1]
    have, want = x.shape[-1], asked[-1]
    if x.shape[-2] != have or asked[-2] != want or given[-2] != side or side < 2 or have == want:
        return None
    if have % side or want % side or have == side:
        return None
    made, meant = have // side, want // side
    if meant < 2:
        return None
    return side, made, meant, _setting_named(ctx, meant)


def _grid_of_positions(x, asked):
    """(side, positions) when a (B, positions, C) tensor is reshaped to (B, side, side, C) and the
    positions are not side * side."""
    if x is None or x.dim() != 3 or len(asked) != 4 or asked[1] != asked[2] or asked[1] < 2:
        return None
    if asked[3] != x.shape[2] or asked[0] not in (-1, x.shape[0]) or x.shape[1] == asked[1] ** 2:
        return None
    return asked[1], x.shape[1]


def _built_for_another_grid(ctx, x, asked, total):
    """(size, the setting it is, the size the map has) when a size asked is a count of positions a
    module was built with (a square, set by its constructor) and the tensor holds another square
    number of positions in its place."""
    if x is None or -1 in asked:
        return None
    rest = product(asked)
    for size in asked:
        if size < 4 or rest == 0 or (total * size) % rest:
            continue
        have = total * size // rest
        if have == size or math.isqrt(size) ** 2 != size or math.isqrt(have) ** 2 != have:
            continue
        setting = _setting_named(ctx, size)
        if setting is not None:
            return size, setting, have
    return None


def _as_grid(n):
    side = math.isqrt(n)
    return f"{side} x {side} = {n}" if side * side == n else str(n)


def _selected_by_mask(ctx, x):
    """The recorded boolean-mask selection (x[mask]) that made the 1-D ``x``, or None."""
    if x is None or x.dim() != 1:
        return None
    op = made_by(ctx, {"__getitem__"}, x.shape)
    if op is None or len(op.args) < 2:
        return None
    index = op.args[1]
    parts = index if isinstance(index, tuple) else (index,)
    return op if any(getattr(p, "dtype", None) == torch.bool for p in parts) else None


def _batches_before(ctx):
    """The first-axis sizes of the tensors recorded before the failure (module inputs, functional
    calls' arguments): the batch sizes this code ran on."""
    sizes = set()
    failure = ctx.failure
    for record in [r for c in (failure.before if failure else []) for r in c.inputs[:1]] + \
                  [r for op in (failure.ops if failure else []) for r in op.args[:1]]:
        shape = shape_of(record)
        if shape:
            sizes.add(shape[0])
    return sizes


@message(r"view size is not compatible with input tensor's size and stride")
def view_stride(ctx, m):
    x = ctx.first_tensor(ctx.op_args)
    shown = f" {shaped(x)} with strides {tuple(x.stride())}" if x is not None else ""
    return Diagnosis(
        "view_stride", f"view reinterprets memory, and the tensor{shown} is a transposed or permuted view "
        "whose elements are not laid out in that order", ".reshape(...) (or .contiguous().view(...)); "
        "first check that the axes are in the order you mean", "view_vs_transpose", True)


@message(BROADCAST)
def broadcast(ctx, m):
    a, b, dim = (int(g) for g in m.groups())
    op = ctx.op.name if ctx.op is not None else "an elementwise operation"
    shapes = ctx.op_shapes()
    shapes = [s for s in shapes if s is not None][:2]
    lesson = "loss_axes" if ctx.op is not None and ctx.op.name.endswith("_loss") else None
    if len(shapes) == 2:
        first, second = shapes
        operands = f"{op}({shape_text(first)}, {shape_text(second)})"
        width = max(len(first), len(second))
        lined = f"; lined up from the right, {shape_text(_padded(first, width))} and {shape_text(_padded(second, width))}"
    else:
        operands, lined = op, ""
    fixed = _batch_written_into_a_module(ctx, a, b)
    if fixed is not None:
        setting, value, batch, wrong, right = fixed
        return Diagnosis(
            "batch_hardcoded", f"{operands}: axis {dim} is {a} in one and {b} in the other. {setting} = {value} was "
            f"fixed when the module was built, and the batch that reached it holds {batch}: the {wrong} comes from "
            f"the setting, the {right} from the data", f"take the batch from the input (x.size(0)) inside forward, "
            f"not from a number given at construction; or build it with {setting.rsplit('.', 1)[-1]}={batch}",
            "flatten", False, (right, wrong))
    untiled = _windows_that_do_not_tile(ctx)
    if untiled is not None and a != b:
        op, length, size, step, kept = untiled
        return Diagnosis(
            "window_not_divisible", f"{operands}: axis {dim} is {a} in one and {b} in the other. Earlier, "
            f"unfold({op.args[1].value if hasattr(op.args[1], 'value') else '?'}, size={size}, step={step})"
            f"{' in ' + op.where if op.where else ''} cut {length} steps into windows of {size} every {step}: "
            f"{length} - {size} is not a multiple of {step}, so the last {length - kept} steps fit no window and "
            "are dropped, and what comes back is shorter than what went in", f"pad the sequence to a length the "
            f"windows tile ({size} + a multiple of {step}) before unfolding, and crop back after; or use windows "
            "that divide the length", "flatten", False, (max(a, b), min(a, b)))
    swapped = _batch_and_time_swapped(ctx, a, b)
    if swapped is not None:
        given, batch, steps, turned = swapped
        return Diagnosis(
            "rnn_axes_swapped", f"{operands}{' in ' + ctx.path if ctx.path else ''}: {batch} and {steps} are the "
            f"batch and the number of steps of the model's input {shape_text(given)}, so one operand has the steps "
            f"where the other has the batch: the batch and time axes were swapped on the way"
            + (f" ({turned})" if turned else ""), "follow the two axes through the code: turn the tensor back to the "
            "layout the next part expects after each permute or transpose (a batch-first model turned time-first "
            "for a loop over steps must be turned back before the next layer)", "batch_first", False, (batch, steps))
    return Diagnosis(
        "broadcast", f"{operands}: axis {dim} of the result is {a} in one operand and {b} in the other, and "
        f"neither is 1{lined}", "make the two agree on that axis (or one of them 1 there): find which axis each "
        "operand means to be the batch, time and features", lesson, False, (a, b))


def _batch_written_into_a_module(ctx, a, b):
    """(setting, its value, the data's batch, the size from the setting, the size from the data) when
    one of two sizes that disagree is a module's batch-size setting (or twice it: pairs) and the other
    the batch of the data that reached it (or twice it)."""
    from ..summaries import settings_by_value
    stack = ctx.failure.stack if ctx.failure else []
    if not stack or not stack[-1].inputs:
        return None
    given = shape_of(stack[-1].inputs[0])
    if not given:
        return None
    batch = given[0]
    named = settings_by_value([(c.path, c.module) for c in stack])
    for value, names in named.items():
        batchy = [n for n in names if "batch" in n.rsplit(".", 1)[-1].lower()]
        if not batchy or value == batch:
            continue
        for k in (1, 2):
            if {a, b} == {k * value, k * batch}:
                return batchy[0], value, batch, k * value, k * batch
    return None


def _unfolds(ctx):
    """(op, length, size, step) for each recorded Tensor.unfold(dimension, size, step), newest first."""
    found = []
    for op in reversed(ctx.failure.ops if ctx.failure else []):
        if op.name != "unfold" or len(op.args) < 4:
            continue
        shape = shape_of(op.args[0])
        dim, size, step = (getattr(a, "value", None) for a in op.args[1:4])
        if shape and all(isinstance(v, int) for v in (dim, size, step)) and step > 0 and -len(shape) <= dim < len(shape):
            found.append((op, shape[dim], size, step))
    return found


def _windows_that_do_not_tile(ctx):
    """(op, length, size, step, steps kept) for the newest unfold whose windows leave the end of the
    axis over: (length - size) is not a multiple of step."""
    for op, length, size, step in _unfolds(ctx):
        if length >= size and (length - size) % step:
            return op, length, size, step, size + (length - size) // step * step
    return None


def _batch_and_time_swapped(ctx, a, b):
    """(the model's input, batch, steps, the last permute or transpose seen) when the two sizes that
    disagree are the batch and the step count of the outermost module's 3-D input, or None."""
    stack = ctx.failure.stack if ctx.failure else []
    if len(stack) < 2 or not stack[0].inputs or a == b:
        return None
    given = shape_of(stack[0].inputs[0])
    if not given or len(given) != 3 or {a, b} != {given[0], given[1]}:
        return None
    first = getattr(stack[0].module, "batch_first", True)
    batch, steps = (given[0], given[1]) if first else (given[1], given[0])
    turned = next((f"{op.where + ': ' if op.where else ''}{op.name}({describe_call(op.args[1:], op.kwargs)}) made "
                   f"{describe(op.result)}" for op in reversed(ctx.failure.ops)
                   if op.name in ("permute", "transpose", "t")), None)
    return given, batch, steps, turned


def _padded(shape, width):
    """A shape as broadcasting lines it up: 1s added on the left."""
    return (1,) * (width - len(shape)) + tuple(shape)


@message(r"stack expects each tensor to be equal size, but got \[([\d, ]*)\] at entry (\d+) and \[([\d, ]*)\] at entry (\d+)")
def stack_unequal(ctx, m):
    a, b = ints(m.group(1)), ints(m.group(3))
    sequences = len(a) == len(b) >= 1 and a[1:] == b[1:]
    where = ("the DataLoader's default collate stacks a batch's examples into one tensor" if _in_collate()
             else "torch.stack makes one tensor of its inputs")
    images = len(a) == len(b) == 3 and a[0] == b[0] and a[1:] != b[1:]     # (C, H, W) of other sizes
    if images:
        fix = ("give every image one size before batching: resize or crop in the dataset's transform "
               "(transforms.Resize((H, W)), RandomCrop), or pad them in a collate_fn")
    else:
        fix = ("pad them to one length: pad_sequence(batch, batch_first=True) in a collate_fn, keeping the "
               "lengths (then pack, or mask, so the padding is not read)")
    return Diagnosis(
        "stack_unequal", f"{where}, and they differ: entry {m.group(2)} is {shape_text(a)} and entry "
        f"{m.group(4)} is {shape_text(b)}; a tensor cannot be ragged", fix, None if images else "packing",
        sequences, (a, b))


def _in_collate():
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name in ("default_collate", "collate"):
            return True
        frame = frame.f_back
    return False


@message(r"Sizes of tensors must match except in dimension (-?\d+)\. Expected size (\d+) but got size (\d+) "
      r"for tensor number (\d+)")
def cat_sizes(ctx, m):
    dim, want, got, which = (int(g) for g in m.groups())
    tensors = ctx.op_args[0] if ctx.op_args and isinstance(ctx.op_args[0], (list, tuple)) else ()
    shapes = [tuple(t.shape) for t in tensors if isinstance(t, torch.Tensor)]
    shown = f" ({', '.join(shape_text(s) for s in shapes)})" if shapes else ""
    name = ctx.op.name if ctx.op is not None else "torch.cat"
    if len(shapes) > which and len(shapes[0]) == len(shapes[which]):
        first, other = shapes[0], shapes[which]
        axis = next((i for i in range(len(first)) if first[i] != other[i] and i != dim % len(first)), None)
        maps = ctx.before((nn.modules.pooling._MaxPoolNd, nn.modules.pooling._AvgPoolNd, nn.Upsample,
                           nn.modules.conv._ConvTransposeNd))
        if axis is not None and len(first) >= 4 and axis >= 2 and maps:
            return Diagnosis(
                "unet_odd_size", f"{name} joins feature maps along dim {dim}, and their sides differ: {shape_text(first)} "
                f"and {shape_text(other)}, {want} against {got} on axis {axis}: pooling halves a side and floors it "
                f"(an odd side loses a row), and upsampling doubles it back, one short of the map it is joined to",
                "give inputs whose sides are multiples of 2 ** (the number of poolings), or pad or crop before "
                "joining: F.interpolate(x, size=skip.shape[2:]) or F.pad", "pooling", True, (want, got))
        if sorted(first) == sorted(other) and first != other:
            return Diagnosis(
                "cat_sizes", f"{name} joins along dim {dim}, so every other axis must agree; tensor {which} is "
                f"{shape_text(other)}, the first's axes {shape_text(first)} in another order{shown}",
                f"put tensor {which}'s axes in the first's order (a .t() or transpose too many, or one too few)",
                None, True, (want, got))
        if axis == 0:
            return Diagnosis(
                "cat_batch", f"{name} joins along dim {dim}, and tensor {which} has a batch of {got} where the first "
                f"has {want}{shown}: they are not the same examples", "join tensors made from the same batch (a "
                "state or a table made for another batch size is the usual cause)", None, True, (want, got))
        folded = _folded_by_a_view(ctx, first, other) or _folded_by_a_view(ctx, other, first)
        if folded is not None:
            op, before, made = folded
            return Diagnosis(
                "cat_folded", f"{name} joins along dim {dim}, and {shape_text(first)} and {shape_text(other)} disagree "
                f"on more than that axis: {op.name}({describe_call(op.args[1:], op.kwargs)})"
                f"{' in ' + op.where if op.where else ''} made {shape_text(made)} of {shape_text(before)}, folding "
                f"axis 0 ({before[0]}) into the others", f"keep that axis where it was: {op.name} with "
                f"{before[0]} in its place (x.size(0) rather than 1), so both tensors have the same batch",
                None, True, (want, got))
    return Diagnosis(
        "cat_sizes", f"{name} joins along dim {dim}, so every other axis must agree; tensor {which} has {got} "
        f"where the first has {want}{shown}", "check which axis each tensor keeps the batch on (transpose one), or "
        "join along the axis where they differ", None, False, (want, got))


def _folded_by_a_view(ctx, shape, other):
    """(op, its input's shape, shape) when a recorded view/reshape made ``shape`` from a tensor whose
    axis 0 (a batch) appears in ``other`` but not in ``shape``: the batch folded into other axes."""
    for op in reversed(ctx.failure.ops if ctx.failure else []):
        if op.name not in ("view", "reshape") or shape_of(op.result) != tuple(shape) or not op.args:
            continue
        before = shape_of(op.args[0])
        if before and before[0] > 1 and before[0] in other and before[0] not in shape:
            return op, before, tuple(shape)
    return None


@message(r"Expected size for first two dimensions of batch2 tensor to be: \[(\d+), (\d+)\] but got: \[(\d+), (\d+)\]")
def bmm_inner(ctx, m):
    batch, want, batch2, got = (int(g) for g in m.groups())
    same_shape = False
    if len(ctx.op_args) >= 2 and all(isinstance(t, torch.Tensor) for t in ctx.op_args[:2]):
        same_shape = ctx.op_args[0].shape == ctx.op_args[1].shape
    hint = (" Both are the same shape: for attention scores, q @ k.transpose(-2, -1) gives (B, T, T)"
            if same_shape else "")
    shapes = ctx.op_shapes()[:2]
    operands = (f"{ctx.op.name}({shape_text(shapes[0])}, {shape_text(shapes[1])}): "
                if len(shapes) == 2 and all(shapes) else "")
    if batch != batch2:
        return Diagnosis(
            "bmm_batch", f"{operands}a batched matrix product pairs the i-th matrix of one with the i-th of the "
            f"other, and one holds {batch} matrices, the other {batch2}", "make both (B, ...) for the same B: the "
            "two come from batches of different sizes, or one has its batch on another axis", None, True,
            (batch, batch2))
    turned = len(shapes) == 2 and shapes[1] and shapes[1][-1] == want
    sized = _sized_for_other_positions(ctx, positions=want, built=got)
    if sized is not None:
        layer, side, made, given = sized
        scaled = (f"; the model's input {shape_text(given)} would have to be about {given[-1] * side // made[-1]} "
                  f"pixels a side" if given else "")
        return Diagnosis(
            "built_for_crop_size", f"{operands}{got} = {side} x {side} is {layer.path}'s out_channels, and the map it "
            f"meets is {made[0]} x {made[1]} = {want} positions: a layer with one channel per position was built for "
            f"a {side} x {side} map, and this input gives a {made[0]} x {made[1]} one{scaled}. (If {got} channels "
            "are not positions, the second operand may just need transposing.)", "feed inputs of the size the model "
            "was built for (resize or crop them), or rebuild that layer for this size", "conv_formula", False,
            (got, want))
    second = shapes[1] if len(shapes) == 2 and shapes[1] else None
    elsewhere = [k for k in range(len(second) - 2) if second[k] == want] if second and not same_shape else []
    if len(elsewhere) == 1 and not turned:
        k = elsewhere[0]
        return Diagnosis(
            "matmul", f"{operands}the product needs the first's last axis ({want}) to meet the second's "
            f"second-to-last axis, which is {got}; the second has its {want} on axis {k}, with "
            f"{shape_text(second[k + 1:-1])} between it and its last axis: an axis sits between the two that should "
            "meet", f"bring axis {k} of the second next to its last axis (x.movedim({k}, -2)), or fold the axes "
            f"between into the batch first, so that it is (..., {want}, {second[-1]})", None, True, (want, got))
    return Diagnosis(
        "bmm_inner", f"{operands}a batched matrix product (B, n, m) @ (B, m, p) needs the first's last axis ({want}) "
        f"to equal the second's middle axis, which is {got}.{hint}",
        ("if the second's last axis is the one meant to meet the first's, transpose it, x.transpose(-2, -1); if "
         f"not, {got} comes from elsewhere (a layer built for another input size, an axis moved earlier): a "
         "transpose that merely makes it run would multiply the wrong axes") if turned and not same_shape else
        "transpose the second operand's last two axes, x.transpose(-2, -1), or check which axis holds the features",
        None, same_shape, (want, got))


def _sized_for_other_positions(ctx, positions, built):
    """(layer call, side, (h, w), model input shape) when ``built`` is a square side * side that a
    convolution that ran produced as its channels, while the map it was given has h * w ==
    ``positions`` positions: one channel per position of a map of another size."""
    side = math.isqrt(built)
    if side * side != built or ctx.failure is None:
        return None
    for call in reversed(ctx.failure.before):
        if not isinstance(call.module, torch.nn.modules.conv._ConvNd) or call.module.out_channels != built:
            continue
        made = shape_of(call.output)
        if made and len(made) == 4 and made[2] * made[3] == positions and made[2:] != (side, side):
            first = next((c for c in ctx.failure.stack[:1] + ctx.failure.before if c.depth == 0 and c.inputs), None)
            given = shape_of(first.inputs[0]) if first is not None else None
            return call, side, tuple(made[2:]), (given if given and len(given) == 4 else None)
    return None


@message(r"batch([12]) must be a 3D tensor")
def bmm_rank(ctx, m):
    which = int(m.group(1))
    shapes = ctx.op_shapes()[:2]
    shown = f" {shape_text(shapes[which - 1])}" if len(shapes) >= which and shapes[which - 1] else ""
    return Diagnosis(
        "bmm_rank", f"bmm multiplies batches of matrices, (B, n, m) @ (B, m, p), and its operand {which}{shown} is "
        "not 3-D", "for two matrices use x @ w (or torch.mm); for batches, give both a batch axis "
        "(x.unsqueeze(0)); torch.matmul broadcasts a batch over a single matrix", None, True)


@message(r"einsum\(\): subscript (\w) has size (\d+) for operand (\d+) which does not broadcast with previously "
         r"seen size (\d+)")
def einsum_sizes(ctx, m):
    letter, got, which, seen_size = m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4))
    equation = plain(ctx.op.args[0]) if ctx.op is not None and ctx.op.args else None
    shapes = ctx.op_shapes()[1:]
    where = []
    if isinstance(equation, str):
        for i, term in enumerate(equation.split("->")[0].split(",")):
            term = term.strip()
            if letter in term and i < len(shapes) and shapes[i] is not None and len(term) == len(shapes[i]):
                where.append(f"axis {term.index(letter)} of operand {i} {shape_text(shapes[i])} "
                             f"({shapes[i][term.index(letter)]})")
    return Diagnosis(
        "einsum_sizes", f"in {equation!r}, the letter {letter} names one size, and it is {seen_size} in one place "
        f"and {got} in operand {which}" + (f": {'; '.join(where)}" if where else ""),
        f"write the letters in each operand's own axis order, or transpose the operand so that {letter} means "
        "the same axis in both", None, True, (seen_size, got))



@message(r"1D tensors expected, but got (\d)D and (\d)D tensors")
def dot_needs_vectors(ctx, m):
    shapes = ctx.op_shapes()[:2]
    shown = f" ({', '.join(shape_text(s) for s in shapes if s)})" if shapes else ""
    return Diagnosis(
        "dot_needs_vectors", f"{ctx.op.name if ctx.op else 'torch.dot'} multiplies two 1-D vectors; it was given "
        f"{m.group(1)}-D and {m.group(2)}-D tensors{shown}", "for a row of scores per example use "
        "(a * b).sum(-1), or torch.bmm / @ for matrices; squeeze a single row to 1-D only if there is one "
        "example", None, True)


@message(r"Dimension out of range \(expected to be in range of \[-(\d+), (\d+)\], but got (-?\d+)\)")
def dim_out_of_range(ctx, m):
    dims, asked = int(m.group(1)), int(m.group(3))
    x = ctx.first_tensor(ctx.op_args)
    squeezed = next((op for op in reversed(ctx.failure.ops if ctx.failure else []) if op.name == "squeeze"), None)
    shown = f" {shaped(x)}" if x is not None else ""
    before = shape_of(squeezed.args[0]) if squeezed is not None and squeezed.args else None
    if before and len(squeezed.args) == 1 and not squeezed.kwargs:            # squeeze(): every axis
        kept = tuple(s for s in before if s != 1)
        if before[0] == 1 and x is not None and x.dim() == len(kept):
            return Diagnosis(
                "squeeze_batch", f"squeeze() on {shape_text(before)} dropped every axis of size 1, the batch of one "
                f"included, so the tensor{shown} has no axis {asked}", "squeeze only the axis you mean: "
                "x.squeeze(-1) (or squeeze(dim)), and keep the batch axis even for one example", "unbatched",
                tuple(x.shape) == kept, (asked, dims))           # sure when it is the squeezed tensor itself
    lost = batch_of_one_squeezed(ctx)
    if lost is not None:
        op, before, after = lost
        return Diagnosis(
            "squeeze_batch", f"{ctx.op.name + '() on ' if ctx.op else ''}a tensor{shown} with {dims} axes was asked "
            f"for axis {asked}; earlier, {op.name}({describe_call(op.args[1:], op.kwargs)})"
            f"{' in ' + op.where if op.where else ''} made {shape_text(after)} of {shape_text(before)}, dropping "
            "the batch axis of a batch of one (the last batch of an epoch often holds one example)",
            "squeeze only the axis you mean, never the batch: squeeze(-1), or flatten(1) / view(x.size(0), -1) "
            "to drop 1-sized feature axes", "unbatched", False, (asked, dims))
    joined = _joined_without_the_axis(ctx, dims, asked)
    if joined is not None:
        return joined
    if ctx.op is not None and ctx.op.name.startswith("scatter"):
        names = ("input", "dim", "index", "src")
        given = dict(zip(names, ctx.op_args), **ctx.op_kwargs)
        index, src = given.get("index"), given.get("src", given.get("value"))
        if isinstance(index, torch.Tensor) and isinstance(src, torch.Tensor) and src.dim() < index.dim():
            return Diagnosis(
                "scatter_src_rank", f"{ctx.op.name} reads src at the index's positions, so src needs as many axes as "
                f"the index {shaped(index)}, {index.dim()}, and src is {shaped(src)}, {src.dim()}",
                "give src the index's shape: src.view_as(index) (or src.unsqueeze(0) for one row), or a scalar value",
                None, True,
                (index.dim(), src.dim()))
    return Diagnosis(
        "dim_out_of_range", f"{ctx.op.name + '() on ' if ctx.op else ''}a tensor{shown} with {dims} axes was asked "
        f"for axis {asked}", "print x.shape just before: an axis went missing earlier (a squeeze, an index, "
        "or an input without its batch axis)", "unbatched", False, (asked, dims))


def _joined_without_the_axis(ctx, dims, asked):
    """cat / stack of tensors that lack the axis asked: when the module running was given a batch of
    the same vectors, they are one example's, taken out of the batch (a loop over examples)."""
    op = ctx.op
    if op is None or op.name not in ("cat", "concat", "concatenate", "stack") or not op.args:
        return None
    given = op.args[0].items if isinstance(op.args[0], ListSeen) else op.args[0]
    parts = [shape_of(r) for r in given] if isinstance(given, tuple) else []
    parts = [p for p in parts if p is not None]
    if not parts or len({len(p) for p in parts}) != 1:
        return None
    rank = len(parts[0])
    listed = ", ".join(shape_text(p) for p in parts[:4]) + (", ..." if len(parts) > 4 else "")
    stack = ctx.failure.stack if ctx.failure else []
    inputs = [shape_of(r) for r in (stack[-1].inputs if stack else ())]
    batched = next((g for g in inputs if g and len(g) == rank + 1 and g[1:] == parts[0]), None)
    batch = ""
    if batched is not None:
        batch = (f"; they are single examples' vectors: {stack[-1].path} was given {shape_text(batched)}, a batch "
                 f"of {batched[0]} of them, and code that loops over the examples takes the batch axis away")
    joined_on = "joins them end to end" if op.name != "stack" else "puts them side by side"
    return Diagnosis(
        "cat_dim_out_of_range", f"{op.name}() was asked to join {listed} on axis {asked}, and they have {rank} "
        f"ax{'is' if rank == 1 else 'es'}{batch}", f"dim={rank - 1 if op.name != 'stack' else rank} {joined_on}; "
        f"better, keep the batch axis and join whole batches ({shape_text(batched) if batched else 'the batched tensors'} "
        f"with its partner on dim={rank}), so no loop over examples is needed", "unbatched", False, (asked, dims))


@message(r"index (-?\d+) is out of bounds for dimension (\d+) with size (\d+)|"
         r"INDICES element is out of DATA bounds, id=(-?\d+) axis_dim=(\d+)")
def index_past_the_scores(ctx, m):
    """gather / index_select / indexing with ids numbered over more entries than the tensor has
    along that axis: ids from one vocabulary, scores from a layer built for another size."""
    index, size = (int(m.group(1)), int(m.group(3))) if m.group(1) is not None else (int(m.group(4)), int(m.group(5)))
    name = ctx.op.name if ctx.op is not None else "indexing"
    layer = next((c for c in reversed(ctx.failure.before if ctx.failure else [])
                  if isinstance(c.module, nn.Linear) and c.module.out_features == size), None)
    if index < 0:
        return None
    if layer is not None:
        return Diagnosis(
            "vocab_size_mismatch", f"{name} looks up index {index} along an axis of {size}: the {size} columns are "
            f"{layer.path}'s outputs (out_features={size}), and the ids reach {index}, so they number at least "
            f"{index + 1} entries: the ids and the layer were made for vocabularies of different sizes",
            f"build {layer.path} with out_features equal to the vocabulary the ids come from (at least {index + 1}); "
            "if that vocabulary is the right size, the ids were made with another one", None, False,
            (index + 1, size))
    return Diagnosis(
        "index_range", f"{name} looks up index {index} along an axis of {size} (indices 0 to {size - 1})",
        "find where the indices were made: they count over more entries than this tensor has", None, False,
        (index + 1, size))


@message(r"Size does not match at dimension (\d+) expected index \[([\d, ]*)\] to be no larger than "
         r"self \[([\d, ]*)\] apart from dimension (\d+)")
def gather_index_width(ctx, m):
    """gather(dim, index) with an index larger than the source on an axis other than ``dim``: an index
    expanded to another layer's width (the embedding's, where the states are hidden_size wide)."""
    axis, index, source, along = int(m.group(1)), ints(m.group(2)), ints(m.group(3)), int(m.group(4))
    name = ctx.op.name if ctx.op is not None else "gather"
    wide, have = index[axis], source[axis]
    named = _setting_named(ctx, wide)
    return Diagnosis(
        "gather_index_width", f"{name}(dim={along}) was given an index {shape_text(index)} for a source "
        f"{shape_text(source)}: on axis {axis} the index is {wide} wide and the source {have}, and an index may be no "
        f"larger than its source on every axis but the one gathered along" + (f"; {wide} is {named}, the width of "
        "something else, where the source's width was meant" if named else ""),
        f"build the index to the source's size on axis {axis}: .expand(..., source.size({axis})) ({have}), not "
        f"{wide}", None, True, (have, wide))


def _setting_named(ctx, value):
    """``model.embed.embedding_dim``: a setting of a module that ran whose value is ``value``, or None."""
    from ..summaries import modules_that_ran, settings_by_value
    names = settings_by_value(modules_that_ran(ctx.failure)).get(value)
    return " and ".join(names[:2]) if names else None


@message(r"output with shape \[([\d, ]*)\] doesn't match the broadcast shape \[([\d, ]*)\]")
def in_place_cannot_grow(ctx, m):
    """x.sub_(y), x += y: an in-place operation writes into x, so broadcasting may stretch y to x
    but never x to y."""
    kept, grown = ints(m.group(1)), ints(m.group(2))
    op = ctx.op.name if ctx.op is not None else "an in-place operation"
    shapes = [s for s in ctx.op_shapes() if s is not None][:2]
    other = shapes[1] if len(shapes) == 2 else None
    if other is not None and len(kept) == 3 and len(other) == 3 and other[1:] == (1, 1) and kept[0] != other[0]:
        return Diagnosis(
            "normalize_channels", f"{op} works in place on an image {shape_text(kept)} with {kept[0]} channel"
            f"{'s' if kept[0] != 1 else ''}, and was given per-channel values {shape_text(other)} for {other[0]} "
            f"channels: statistics for {other[0]}-channel images (RGB) applied to a {kept[0]}-channel one",
            f"give one mean and one std per channel of these images ({kept[0]}: Normalize(mean=[0.5] * {kept[0]}, "
            f"std=[0.5] * {kept[0]})), or convert the images to {other[0]} channels first", None,
            op in ("sub_", "div_"), (kept[0], other[0]))
    shown = f" with {shape_text(other)}" if other is not None else ""
    return Diagnosis(
        "broadcast", f"{op} writes its result into its first tensor {shape_text(kept)}, and combining it{shown} "
        f"broadcasts to {shape_text(grown)}: an in-place operation can stretch the other tensor to its own shape, "
        "never its own to the other's", "make the second tensor fit the first (size 1 or the same size on each "
        "axis), or use the out-of-place form (x = x - y), which may grow", None, True, (kept, grown))


@message(r"too many indices for tensor of dimension (\d+)")
def too_many_indices(ctx, m):
    dims = int(m.group(1))
    x, shown = ctx.operand()
    return Diagnosis(
        "index_rank", f"the tensor{shown} has {dims} axes, and it was indexed with more: an axis it was expected "
        "to have is gone (a squeeze, a reduction, an index that dropped it) or was never there",
        "print x.shape just before: index only the axes it has, or keep the axis (x[:, 0:1] keeps it, x[:, 0] "
        "drops it)", None, False, (dims + 1, dims))


@message(r"Tensors must have same number of dimensions: got (\d+) and (\d+)")
def cat_rank(ctx, m):
    a, b = int(m.group(1)), int(m.group(2))
    tensors = ctx.op_args[0] if ctx.op_args and isinstance(ctx.op_args[0], (list, tuple)) else ()
    shapes = [tuple(t.shape) for t in tensors if isinstance(t, torch.Tensor)]
    shown = f" ({', '.join(shape_text(s) for s in shapes)})" if shapes else ""
    return Diagnosis(
        "cat_rank", f"{ctx.op.name if ctx.op else 'cat'} joins tensors of one rank, and these have {a} and {b} "
        f"axes{shown}", "give the smaller one the missing axis (x.unsqueeze(dim) where it belongs), or drop the "
        "extra one, so both have the same axes but the joined one", None, False, (a, b))


@message(r"self must be a matrix|mat2 must be a matrix")
def mm_rank(ctx, m):
    shapes = ctx.op_shapes()[:2]
    shown = f"({', '.join(shape_text(s) for s in shapes if s)})" if shapes else ""
    return Diagnosis(
        "mm_rank", f"{ctx.op.name if ctx.op else 'mm'}{shown} multiplies two 2-D matrices", "torch.matmul (or @) "
        "takes vectors and batches too; or give the vector a matrix axis, x.unsqueeze(0)", None, False)


@message(r"The expanded size of the tensor \((-?\d+)\) must match the existing size \((\d+)\) at non-singleton "
         r"dimension (\d+)")
def expand_sizes(ctx, m):
    want, have, dim = (int(g) for g in m.groups())
    x, shown = ctx.operand()
    strided = _strided_places_of_an_odd_map(ctx)
    if strided is not None:
        sides, step, places, values = strided
        return Diagnosis(
            "unet_odd_size", f"x[..., ::{step}, ::{step}] = v on a map of sides {shape_text(sides)}: the slice picks "
            f"{shape_text(places)} places (rounding up), and v is {shape_text(values)}, the map's sides divided by "
            f"{step} rounding down, as strided layers give: sides that are not multiples of {step} make the two "
            "disagree", f"pad the image to a multiple of the network's total stride ({step} here, more for deeper "
            "networks) before it goes in, and crop the result back", "conv_formula", True, (places, values))
    return Diagnosis(
        "expand_sizes", f"expand only stretches axes of size 1, and axis {dim} of the tensor{shown} is {have}, asked "
        f"to become {want}", "expand to its own size on that axis (-1 keeps it), or repeat it if you mean copies; "
        "check that the axes are in the order you expect", None, False, (want, have))


def _strided_places_of_an_odd_map(ctx):
    """(the map's sides, the step, the places the slice picks, the value's sides) for x[..., ::k, ::k] = v
    where v has the sides divided by k rounding down and the slice picks them rounding up."""
    if ctx.op is None or ctx.op.name != "__setitem__" or len(ctx.op_args) < 3:
        return None
    x, index, value = ctx.op_args[:3]
    if not isinstance(x, torch.Tensor) or not isinstance(value, torch.Tensor) or not isinstance(index, tuple):
        return None
    parts = [p for p in index if isinstance(p, slice)]
    if len(parts) != len(index) or len(index) > x.dim():
        return None
    steps = {p.step for p in parts if p.step not in (None, 1)}
    if len(steps) != 1:
        return None
    step = steps.pop()
    axes = [i for i, p in enumerate(parts) if p.step == step]
    sides = tuple(x.shape[i] for i in axes)
    places = tuple(len(range(*parts[i].indices(x.shape[i]))) for i in axes)
    values = tuple(value.shape[value.dim() - x.dim() + i] for i in axes) if value.dim() >= x.dim() - min(axes) else ()
    if not values or places == values or any(n // step != v for n, v in zip(sides, values)):
        return None
    return sides, step, places, values


@message(r"Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor")
def repeat_rank(ctx, m):
    x = ctx.first_tensor(ctx.op_args)
    args = ctx.op.args[1:] if ctx.op is not None else ()
    shown = f" {shaped(x)}" if x is not None else ""
    return Diagnosis(
        "repeat_rank", f"repeat takes one count per axis, and the tensor{shown} has {x.dim() if x is not None else 'more'} "
        f"axes; it was given {len(args)} count{'s' if len(args) != 1 else ''}", "give a count for every axis "
        "(1 to keep one as it is): x.repeat(n, 1, 1) for a 3-D x", None, False)


@message(r"unflatten: Provided sizes \[([-\d, ]+)\] don't multiply up to the size of dim (-?\d+) \((\d+)\)")
def unflatten_sizes(ctx, m):
    sizes, dim, size = ints(m.group(1)), int(m.group(2)), int(m.group(3))
    return Diagnosis(
        "unflatten_sizes", f"unflatten splits axis {dim} ({size} values) into {shape_text(sizes)}, and "
        f"{_product_text(sizes)}, not {size}", f"sizes whose product is {size}, or -1 for the one to be worked out"
        f"{_unflatten_example(dim, sizes, size)}",
        "flatten", True, (size, product(sizes)))


def _unflatten_example(dim, sizes, size):
    first = sizes[0]
    if first > 0 and size % first == 0:
        return f" (unflatten({dim}, ({first}, -1)) gives {first} x {size // first})"
    return ""


@message(r"split_with_sizes expects split_sizes to sum exactly to (\d+) \(input tensor's size at dimension (-?\d+)\), "
         r"but got split_sizes=\[([\d, ]+)\]")
def split_sizes(ctx, m):
    size, dim, parts = int(m.group(1)), int(m.group(2)), ints(m.group(3))
    return Diagnosis(
        "split_sizes", f"split cuts axis {dim}, which holds {size}, into pieces of {list(parts)}, which add up to "
        f"{sum(parts)}", f"pieces that add up to {size} (the widths of what was joined on that axis), or "
        f"chunk(n, dim={dim}) for n equal pieces", None, True, (size, sum(parts)))


@message(r"The shape of the mask \[([\d, ]*)\] at index (\d+) does not match the shape of the indexed tensor "
         r"\[([\d, ]*)\] at index (\d+)")
def mask_shape(ctx, m):
    mask, axis, shape = ints(m.group(1)), int(m.group(2)), ints(m.group(3))
    return Diagnosis(
        "mask_shape", f"a boolean mask {shape_text(mask)} picks elements of the axes it covers, so it must have "
        f"their sizes; on axis {axis} the mask has {mask[axis]} and the tensor {shape_text(shape)} has "
        f"{shape[axis]}", f"build the mask from this tensor (e.g. x > 0, or lengths compared with "
        f"torch.arange(x.size({axis}))), or index the tensor the mask was made for", None, True,
        (shape[axis], mask[axis]))


@message(r"shape mismatch: value tensor of shape \[([\d, ]*)\] cannot be broadcast to indexing result of shape "
         r"\[([\d, ]*)\]")
def index_put_shape(ctx, m):
    value, picked = ints(m.group(1)), ints(m.group(2))
    return Diagnosis(
        "index_put_shape", f"x[index] = value: the index picks {shape_text(picked)} of x, and the value is "
        f"{shape_text(value)}, which does not broadcast to it", f"give as many values as the index picks "
        f"({shape_text(picked)}), or pick as many places as there are values", None, True, (picked, value))


@message(r"Trying to create tensor with negative dimension (-?\d+): \[([-\d, ]*)\]", plain=True)
def negative_size(ctx, m):
    size, shape = int(m.group(1)), ints(m.group(2))
    return Diagnosis(
        "negative_size", f"a size of {size} reached a tensor being made ({shape_text(shape)}): a layer's size, "
        "or a size passed to torch.zeros / empty / randn, came out negative" + (": -1 means 'work it out' only in "
        "view and reshape, never in a layer's size" if size == -1 else ", usually from a subtraction (a size "
        "worked out from a formula with a map that was already too small)"), "print the size where it is worked "
        "out; for a Linear after convolutions let nn.LazyLinear find in_features, or compute it from a dummy "
        "forward pass", "lazy", True, ())


@message(r"selected index k out of range|k \((\d+)\) is too big for dimension (-?\d+) of size (\d+)")
def topk_too_many(ctx, m):
    x = ctx.first_tensor(ctx.op_args)
    k = ctx.op_args[1] if len(ctx.op_args) > 1 and isinstance(ctx.op_args[1], int) else ctx.op_kwargs.get("k")
    dim = ctx.op_args[2] if len(ctx.op_args) > 2 and isinstance(ctx.op_args[2], int) else ctx.op_kwargs.get("dim", -1)
    if x is None or not isinstance(k, int) or not isinstance(dim, int) or x.dim() == 0:
        return Diagnosis("topk_k", "topk was asked for more entries than the axis holds", "k at most the axis' "
                         "size: min(k, x.size(dim))", None, False)
    size = x.shape[dim]
    return Diagnosis(
        "topk_k", f"topk({k}) along axis {dim} of {shaped(x)}, which holds {size}", f"k at most {size} "
        f"(min(k, x.size({dim}))), or the axis you meant (topk works along the last axis unless dim is given)",
        None, True, (size, k))


@message(r"inconsistent tensor size, expected tensor \[(\d+)\] and src \[(\d+)\] to have the same number of elements")
def dot_sizes(ctx, m):
    a, b = int(m.group(1)), int(m.group(2))
    name = ctx.op.name if ctx.op is not None else "dot"
    return Diagnosis(
        "dot_sizes", f"{name} multiplies two vectors element by element and sums: they must be equally long, and "
        f"they hold {a} and {b}", "vectors of one length; for rows of a batch, (a * b).sum(-1) or a @ b.T",
        None, True, (a, b))


@message(r"size mismatch, got input \((\d+)\), mat \((\d+)x(\d+)\), vec \((\d+)\)")
def mv_sizes(ctx, m):
    out, rows, cols, vec = (int(g) for g in m.groups())
    flip = f"; the vector's {vec} is the matrix's rows, so mat.T @ vec (or vec @ mat) may be meant" if vec == rows else ""
    return Diagnosis(
        "mv_sizes", f"a matrix ({rows}x{cols}) times a vector needs {cols} values, one per column, and the vector "
        f"has {vec}{flip}", "a vector as long as the matrix has columns", None, True, (cols, vec))


@message(r"number of dimensions in the tensor input does not match the length of the desired ordering of "
         r"dimensions i\.e\. input\.dim\(\) = (\d+) is not equal to len\(dims\) = (\d+)")
def permute_rank(ctx, m):
    dims, asked = int(m.group(1)), int(m.group(2))
    x, shown = ctx.operand()
    lost = batch_of_one_squeezed(ctx, tuple(x.shape) if x is not None else None)
    if lost is not None and asked == dims + 1:
        op, before, after = lost
        return Diagnosis(
            "squeeze_batch", f"permute lists {asked} axes for the {dims}-D tensor{shown}: earlier, "
            f"{op.name}({describe_call(op.args[1:], op.kwargs)}) made {shape_text(after)} of {shape_text(before)}, "
            "dropping the batch axis of a batch of one", "squeeze only the axis you mean (squeeze(-1)), never the "
            "batch", "unbatched", True, (asked, dims))
    more = ("one more than it has: the batch axis is missing (one example given, or squeezed away earlier)"
            if asked == dims + 1 else "one fewer than it has: an extra axis arrived (a channel or batch axis "
                                      "added twice)" if asked == dims - 1 else "")
    return Diagnosis(
        "permute_rank", f"permute lists {asked} axes, and the tensor{shown} has {dims}" + (f": {more}" if more else ""),
        "list every axis once (permute takes a full new order), or fix the tensor's axes upstream: print x.shape "
        "before the call", "unbatched", False, (asked, dims))


@message(r"Input and (?:output|scale_factor) must have the same number of spatial dimensions, but got input with "
         r"spatial dimensions of \[([\d, ]*)\] and (?:output size of|scale_factor of shape|scale_factor of) "
         r"\(([\d., ]*)\)")
def interpolate_rank(ctx, m):
    spatial, size = ints(m.group(1)), tuple(v for v in m.group(2).replace(" ", "").split(",") if v)
    x, shown = ctx.operand()
    missing = len(size) - len(spatial)
    fix = (f"interpolate reads (N, C, *sides): give the input {len(size) + 2} axes (x.unsqueeze(1) for a batch of "
           f"one-channel maps (N, H, W); x[None] for one image (C, H, W))" if missing > 0 else
           f"give one value per side the input has ({len(spatial)}), or move the extra axis into the batch")
    return Diagnosis(
        "interpolate_rank", f"interpolate takes (batch, channels, *sides), so the input{shown} has "
        f"{len(spatial)} side{'s' if len(spatial) != 1 else ''} {shape_text(spatial)}, and it was asked for "
        f"{len(size)} ({', '.join(size)})", fix, "unbatched", True, (len(size), len(spatial)))


@message(r"Padding length should be less than or equal to two times the input dimension but got padding length "
         r"(\d+) and input of dimension (\d+)")
def pad_length(ctx, m):
    values, dims = int(m.group(1)), int(m.group(2))
    return Diagnosis(
        "pad_length", f"F.pad takes two values per axis it pads, starting from the LAST axis and going back: "
        f"{values} values pad {values // 2} axes, and the tensor has {dims}", f"give (left, right) for the last "
        f"axis, then (top, bottom) for the one before, and so on: at most {2 * dims} values; to pad only an earlier "
        "axis, give zeros for the axes after it", None, True, (2 * dims, values))


@message(r"argument '\w+' \(position \d+\) must be Tensor, not (list|numpy\.ndarray|int|float)"
         r"|received an invalid combination of arguments - got \((list|numpy\.ndarray)", plain=True)
def not_a_tensor(ctx, m):
    """A Python list or a NumPy array given where torch wants a tensor."""
    kind = m.group(1) or m.group(2)
    named = ctx.path or (ctx.op.name if ctx.op is not None else ctx.function_named() or "the layer")
    if kind == "numpy.ndarray":
        fix = ("torch.from_numpy(array).float() (a float32 tensor, as layers' weights are; NumPy makes float64), "
               "or a Dataset that returns tensors")
    elif kind == "list":
        fix = "torch.tensor(values, dtype=torch.float32) (for ids: dtype=torch.long), or torch.stack(list_of_tensors)"
    else:
        fix = "a tensor: torch.tensor([value])"
    return Diagnosis(
        "not_a_tensor", f"{named} was given a {kind.replace('numpy.ndarray', 'NumPy array')}, and torch's layers and "
        "functions take tensors", fix, None, True)


@message(r"argument '\w+' \(position \d+\) must be Tensor, not torch\.return_types\.(\w+)")
@after(r"argument '\w+' \(position \d+\) must be Tensor, not torch\.return_types\.(\w+)")
def values_and_indices(ctx, m):
    """max / min / topk / sort / mode with a dim return (values, indices), not a tensor."""
    kind = m.group(1)
    return Diagnosis(
        "values_and_indices", f"{kind}(x, dim) returns two tensors, (values, indices), and the pair was given "
        f"where one tensor belongs", f"take the one you mean: x.{kind}(dim).values (or [0]), or .indices for the "
        f"positions; amax / amin give the values alone", None, True)


@message(r"stack expects a non-empty TensorList|(?:cat|concat)\(\): expected a non-empty list of Tensors"
         r"|expected a non-empty list of Tensors")
def join_of_nothing(ctx, m):
    name = ctx.op.name if ctx.op is not None else "stack"
    return Diagnosis(
        "join_of_nothing", f"{name} was given an empty list: the loop or the filter that was to fill it added "
        "nothing (an empty batch, a sequence of length 0, a condition never true)", "check the list's length before "
        "joining, and find why it is empty: print how many items the loop saw", None, True)


@message(r"(\w+)\.forward\(\) takes (\d+) positional arguments? but (\d+) were given")
def forward_arguments(ctx, m):
    kind, takes, given = m.group(1), int(m.group(2)) - 1, int(m.group(3)) - 1
    layer = getattr(nn, kind, None)
    state = " (a recurrent state given to a layer that keeps none, or to nn.Sequential, which passes one input on)" \
        if layer is not None and not issubclass(layer, nn.RNNBase) else ""
    return Diagnosis(
        "forward_arguments", f"{kind}'s forward takes {takes} input{'s' if takes != 1 else ''} and was given "
        f"{given}{state}", f"give it {takes}: for a layer after an LSTM, its output alone (out, not (out, state)); in "
        "nn.Sequential, write a module whose forward takes and returns what each step needs", None, True,
        (takes, given))


@message(r"Input type \((?:torch\.)?(long int|int|unsigned char|double|\w+)\) and (?:bias|weight) type "
         r"\((?:torch\.)?(float|\w+)\) should be the same"
         r"|Input type \(torch\.(\w+)Tensor\) and weight type \(torch\.(\w+)Tensor\) should be the same")
def conv_input_dtype(ctx, m):
    given = m.group(1) or m.group(3) or ""
    if "cuda" in m.group(0).lower() or ctx.op_args and any(getattr(a, "device", None) is not None and
                                                         a.device.type != "cpu" for a in ctx.op_args[:2]):
        return None
    ints_ = given in ("long int", "int", "unsigned char", "Long", "Int", "Byte")
    return Diagnosis(
        "input_dtype", f"{ctx.path or 'the layer'} was given {given} values and its weights are float: "
        + ("images or signals stored as integers (uint8 pixels, int labels)" if ints_ else "another float type "
           "(NumPy's float64)"), ("x.float() (and / 255 for 8-bit pixels), or transforms.ToTensor(), which "
                                  "scales them" if ints_ else "x.float(), or build the data as float32"),
        None, True)


@message(r"Index tensor must have the same number of dimensions as input tensor")
def gather_index_rank(ctx, m):
    x = ctx.first_tensor(ctx.op_args)
    index = next((a for a in ctx.op_args[1:] if hasattr(a, "dtype") and not a.dtype.is_floating_point), None)
    if x is None or index is None:
        return None
    return Diagnosis(
        "gather_index_rank", f"gather takes an index with as many axes as the source: the source is {shaped(x)}, "
        f"the index {shaped(index)}", "give the index the missing axes (index.unsqueeze(1) for one pick per row of "
        "a 2-D source; .expand(...) to the source's other sizes), or index with x[torch.arange(n), index]", None,
        True, (x.dim(), index.dim()))


@message(r"index_select\(\): Index is supposed to be a vector")
def index_select_vector(ctx, m):
    index = next((a for a in ctx.op_args[1:] if hasattr(a, "dim")), None)
    return Diagnosis(
        "index_select_vector", "index_select takes a 1-D index" + (f", and was given {shaped(index)}"
                                                                  if index is not None else ""),
        "index.flatten() and reshape the result back, or x[index] (which keeps the index's shape), or an "
        "nn.Embedding for ids", None, True)


@message(r"adaptive_(?:avg|max)_pool(\d)d: output_size must be (\d+)")
def adaptive_output_size(ctx, m):
    rank = int(m.group(1))
    return Diagnosis(
        "adaptive_output_size", f"an adaptive pool over {rank} axes takes output_size with {rank} values (one per "
        "side it pools)", f"output_size=({', '.join(['1'] * rank)}) for a {rank}-axis pool, or the pool of the rank "
        "the input has", "lazy", True)


@message(r"size mismatch for ([\w.]+): copying a param with shape torch\.Size\(\[([\d, ]*)\]\) from checkpoint, "
         r"the shape in current model is torch\.Size\(\[([\d, ]*)\]\)", plain=True)
def checkpoint_sizes(ctx, m):
    """load_state_dict of a checkpoint saved from a model built with other sizes."""
    found = re.findall(r"size mismatch for ([\w.]+): copying a param with shape torch\.Size\(\[([\d, ]*)\]\) from "
                       r"checkpoint, the shape in current model is torch\.Size\(\[([\d, ]*)\]\)", ctx.message)
    name, saved, built = found[0][0], ints(found[0][1]), ints(found[0][2])
    differ = [i for i in range(min(len(saved), len(built))) if saved[i] != built[i]]
    what = {0: "output size (out_features, num_classes, vocabulary rows)", 1: "input size (in_features, "
            "embedding or hidden width)"}.get(differ[0] if differ else -1, "size")
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    return Diagnosis(
        "checkpoint_sizes", f"the checkpoint's {name} is {shape_text(saved)} and this model's is {shape_text(built)}"
        f"{more}: the checkpoint was saved from a model built with another {what}",
        "build the model with the checkpoint's sizes (the same vocabulary and number of classes) to load it; to "
        "reuse it for other classes, drop the mismatched entries (state = {k: v for k, v in state.items() if k not "
        f"in ('{name}', ...)}}) and load with strict=False, then train the new layer", None, True,
        (tuple(built), tuple(saved)))


@message(r"Padding size should be less than the corresponding input dimension, but got: padding \((\d+), (\d+)\) "
         r"at dimension (\d+) of input \[([\d, ]*)\]")
def reflect_pad_too_long(ctx, m):
    left, right, dim, shape = int(m.group(1)), int(m.group(2)), int(m.group(3)), ints(m.group(4))
    length = shape[dim]
    mode = getattr(ctx.op.kwargs.get("mode"), "value", None) if ctx.op is not None else None
    return Diagnosis(
        "reflect_pad_too_long", f"{mode or 'reflect'} padding mirrors the signal itself, so on each side it can add "
        f"at most {length - 1} values (the axis holds {length}), and {max(left, right)} were asked",
        "pad with mode='constant' (zeros) or 'replicate' for padding longer than the signal, or pad in rounds of "
        "reflection", None, True, (length, max(left, right)))
