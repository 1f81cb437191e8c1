"""Embedding tables: ids out of range, negative, not a tensor, or floats."""
import torch
from torch import nn

from ..summaries import shape_of, shape_text
from .base import BROADCAST, Diagnosis, message, shaped


@message(r"index out of range in self")
def embedding_range(ctx, m):
    table = ctx.module if isinstance(ctx.module, nn.Embedding) else None
    ids = ctx.first_tensor(ctx.op_args) if ctx.op is not None and ctx.op.name == "embedding" else ctx.first_tensor()
    if table is None or ids is None or ids.dtype.is_floating_point:
        return Diagnosis("index_range", "an index is outside the tensor it looks into",
                         "check the largest and smallest index against the size", None, False)
    rows = table.num_embeddings
    low, high = int(ids.min()), int(ids.max())
    if low < 0:
        return Diagnosis(
            "embedding_negative", f"an id is {low}: {ctx.path} has rows 0 to {rows - 1}, and a negative id "
            "is out of range", f"find where {low} came from: an unknown word maps to the <unk> id, and padding "
            "to a real row kept for it (pad id 0 with padding_idx=0), never to a negative id", "unknown_words",
            True, (rows, low))
    if _positions(ids) and _a_position_table(ctx):
        return Diagnosis(
            "position_table_short", f"the ids given to {ctx.path} count up by one along the last axis: they are "
            f"positions, 0 to {high}, for a sequence of {high + 1} steps, but the position table has "
            f"num_embeddings={rows} rows, so it holds sequences of at most {rows} steps",
            f"cut sequences to at most {rows} steps before the model (x[:, :{rows}]), or split them into chunks; "
            f"a table built with more rows works only once those rows are trained (a pretrained model has none)",
            None, True, (rows, high + 1))
    sampled = _sampled_from(ctx, rows, high)
    if sampled is not None:
        op, width = sampled
        return Diagnosis(
            "logits_not_vocab", f"the ids given to {ctx.path} were drawn by {op.name}() from scores with {width} "
            f"columns, but the table has num_embeddings={rows} rows, so an id can reach {width - 1}: the scores "
            "are not one per word of the vocabulary", f"make the layer that produces the scores give {rows} "
            f"outputs (one per row of {ctx.path}, the vocabulary size); a larger table would hide the wrong width",
            None, True, (rows, high + 1))
    return Diagnosis(
        "embedding_range", f"the largest id is {high}, so the table needs {high + 1} rows, but {ctx.path} has "
        f"num_embeddings={rows} (ids 0 to {rows - 1})", "if the ids come from your vocabulary: num_embeddings=len(vocab) (the largest "
        "id + 1), and map words the vocabulary never saw to <unk>; an id past len(vocab) - 1 is a bug upstream, "
        "which a larger table would only hide", "table_rows" if high == rows else "unknown_words", True,
        (rows, high + 1))


def _positions(ids):
    """Whether every row of ``ids`` counts up by one (0, 1, 2, ... or from an offset): positions."""
    if ids.dim() == 0 or ids.shape[-1] < 3:
        return False
    rows = ids.reshape(-1, ids.shape[-1])
    steps = torch.arange(ids.shape[-1], device=ids.device)
    return bool((rows == rows[:, :1] + steps).all())


def _a_position_table(ctx):
    """Ids that count up are every word of a vocabulary as often as positions; the table is taken
    for a position table only when its name says so or a sibling Embedding (the word table) sits
    beside it in the module that called it."""
    if "pos" in ctx.path.rsplit(".", 1)[-1].lower():
        return True
    parent = ctx.failure.stack[-2].module if ctx.failure and len(ctx.failure.stack) >= 2 else None
    return parent is not None and any(isinstance(m, nn.Embedding) and m is not ctx.module
                                      for m in parent.children())


def _sampled_from(ctx, rows, high):
    """(op, width) when the newest sampling call (multinomial, argmax, topk) drew from scores wider
    than the table, wide enough for the id that is out of range; else None."""
    for op in reversed(ctx.failure.ops if ctx.failure else []):
        if op.name in ("multinomial", "argmax", "topk"):
            scores = shape_of(op.args[0]) if op.args else None
            if scores and scores[-1] > rows and high < scores[-1]:
                return op, scores[-1]
            return None
    return None


@message(r"argument 'indices' \(position \d\) must be Tensor, not (\w+)")
def embedding_not_tensor(ctx, m):
    return Diagnosis(
        "embedding_not_tensor", f"{ctx.path or 'the embedding'} was given a Python {m.group(1)} of ids",
        "torch.tensor(ids, dtype=torch.long), shaped (batch, time)", "ids", True)


@message(r"Expected tensor for argument #1 'indices' to have one of the following scalar types")
def embedding_dtype(ctx, m):
    ids = ctx.first_tensor(ctx.op_args)
    ids = ids if ids is not None else ctx.first_tensor()
    shape = f" {shaped(ids)} {str(ids.dtype).replace('torch.', '')}" if ids is not None else ""
    return Diagnosis(
        "embedding_dtype", f"{ctx.path or 'the embedding'} looks rows up by integer id, and it was "
        f"given{shape} floats", "pass ids as torch.long (ids.long()); if these are already vectors, skip "
        "the Embedding", "ids", True)


def _table_of(module, value):
    """(name, table) when ``value`` is one of ``module``'s parameters or buffers, or a slice of one."""
    if module is None or not isinstance(value, torch.Tensor):
        return None
    base = _root(value)
    for name, table in list(module.named_parameters()) + list(module.named_buffers()):
        if table is value or _root(table) is base:
            return name, table
    return None


def _root(tensor):
    """The tensor whose memory a view reads (a buffer registered as pe.unsqueeze(0) is itself a view,
    and a slice of it shares that root)."""
    return tensor._base if tensor._base is not None else tensor


@message(BROADCAST)
def position_table_broadcast(ctx, m):
    """A position table added to a sequence: a learned table of one fixed length, or a seq-first
    (max_len, 1, D) table added to batch-first input."""
    tensors = [a for a in ctx.op_args if isinstance(a, torch.Tensor)][:2]
    if len(tensors) != 2:
        return None
    for table_side, x in ((tensors[0], tensors[1]), (tensors[1], tensors[0])):
        found = _table_of(ctx.module, table_side)
        if found is None or x.dim() != 3 or table_side.dim() != 3 or _table_of(ctx.module, x) is not None:
            continue
        name, table = found
        rows, width = table_side.shape, x.shape
        if table_side.shape[1] == 1 and table_side.shape[2] == x.shape[2] and x.shape[1] != 1:
            return Diagnosis(
                "positions_layout", f"{ctx.path}.{name} is laid out (positions, 1, features) = {shape_text(table.shape)}, "
                f"seq-first, and was sliced to {shape_text(rows)} for an input {shape_text(width)} that is "
                f"batch-first: broadcasting lines the table's positions up with the batch",
                f"for batch-first input keep the table as (1, max_len, features) and slice its axis 1: "
                f"{name}[:, :x.size(1)] (or transpose the input to (time, batch, features))", None, True,
                (tuple(x.shape), tuple(rows)))
        axis = next((d for d in range(3) if table_side.shape[d] != x.shape[d] and table_side.shape[d] != 1), None)
        if axis is not None and table_side.shape[axis] == table.shape[axis] < x.shape[axis] \
                and table_side.shape[2] == x.shape[2] and all(table_side.shape[d] in (1, x.shape[d])
                                                               for d in range(3) if d != axis):
            return Diagnosis(
                "position_table_short", f"{ctx.path}.{name} {shape_text(table.shape)} holds {table.shape[axis]} "
                f"positions, and the input {shape_text(width)} has {x.shape[axis]} steps: slicing the table to the "
                f"input's length stops at its last row, {shape_text(rows)}", f"build the table for the longest "
                f"sequence the model will see (max_len >= {x.shape[axis]}, encoder and decoder alike), or cut "
                f"sequences to {table.shape[axis]} steps", None, True, (table.shape[axis], x.shape[axis]))
        grid = _patch_grid(ctx, x.shape[1], table.shape[1]) if table_side.dim() == 3 else None
        if grid is not None and table_side is table:
            conv, made, side, extra = grid
            stride = conv.module.stride[0]
            return Diagnosis(
                "built_for_crop_size", f"{ctx.path}.{name} {shape_text(table.shape)} holds {side} x {side}"
                f"{' + ' + str(extra) if extra else ''} positions, the patches of a {side * stride} x {side * stride} "
                f"image cut by {conv.path} (stride {stride}); this input gives {made[0]} x {made[1]} patches"
                f"{' + ' + str(extra) if extra else ''} = {x.shape[1]}: the model was built for images of another size",
                f"build it for the images you give (img_size={made[0] * stride}), or resize the images to "
                f"{side * stride} x {side * stride}; a pretrained table can be interpolated to the new grid",
                None, True, (table.shape[1], x.shape[1]))
        if isinstance(table, nn.Parameter) and table_side is table and table.shape[0] == 1 \
                and table.shape[2] == x.shape[2] and table.shape[1] != x.shape[1]:
            return Diagnosis(
                "position_length_fixed", f"{ctx.path}.{name} is a learned table {shape_text(table.shape)}: one row "
                f"for each of exactly {table.shape[1]} positions, added whole to an input {shape_text(width)} of "
                f"{x.shape[1]} steps", f"slice it to the input, {name}[:, :x.size(1)], for inputs up to "
                f"{table.shape[1]} steps; or give inputs of {table.shape[1]} steps, as the model was built for",
                None, True, (table.shape[1], x.shape[1]))
    return None


def _patch_grid(ctx, steps, rows):
    """(the patch convolution's call, its grid (h, w), the table's side, extra tokens) when the steps
    are a patch embedding's h * w patches (plus a class token or so) and the table's rows are a
    square grid of another side plus the same extra tokens: a vision transformer built for another
    image size."""
    import math
    for call in reversed(ctx.failure.before if ctx.failure else []):
        conv = call.module
        if not isinstance(conv, nn.Conv2d) or conv.kernel_size != conv.stride:
            continue
        made = shape_of(call.output)
        if not made or len(made) != 4:
            continue
        patches = made[2] * made[3]
        extra = steps - patches
        if extra not in (0, 1, 2):
            return None
        side = math.isqrt(rows - extra)
        if side * side == rows - extra and side != made[2]:
            return call, tuple(made[2:]), side, extra
        return None
    return None



@message(r"Padding_idx must be within num_embeddings", plain=True)
def padding_idx_range(ctx, m):
    """nn.Embedding(num_embeddings, dim, padding_idx=p) with p outside the table."""
    return Diagnosis(
        "padding_idx_range", "padding_idx names a row of the table, so it must be below num_embeddings (or "
        "negative, counted from the end): the table was built with fewer rows than the padding id",
        "num_embeddings = the vocabulary's size, padding id included (len(vocab), where vocab has the pad "
        "token); padding_idx = vocab['<pad>']", "padding_idx", True)


@message(r"offsets\[-1\] can not be greater than input's length (\d+) but got offsets\[-1\] of (\d+)")
def embedding_bag_offsets(ctx, m):
    """EmbeddingBag(input, offsets): each offset is where a bag starts in the flat input."""
    length, last = int(m.group(1)), int(m.group(2))
    return Diagnosis(
        "embedding_bag_offsets", f"the last offset, {last}, is where the last bag starts in the flat input, and the "
        f"input holds {length} ids: offsets are the starts of the bags (0, then the running sum of their lengths), "
        "not their lengths or ends", "offsets = torch.tensor([0] + lengths[:-1]).cumsum(0), with the ids of every "
        "bag joined into one 1-D tensor", None, True, (length, last))


@message(r"Class values must be smaller than num_classes")
def one_hot_classes(ctx, m):
    """F.one_hot(labels, num_classes) with a label at or above num_classes."""
    labels = ctx.first_tensor(ctx.op_args)
    given = ctx.op.kwargs.get("num_classes") if ctx.op is not None else None
    classes = getattr(given, "value", None)
    if classes is None and ctx.op is not None and len(ctx.op.args) > 1:
        classes = getattr(ctx.op.args[1], "value", None)
    top = int(labels.max()) if labels is not None and labels.numel() else None
    found = f" the labels reach {top}, so they number at least {top + 1} classes," if top is not None else ""
    return Diagnosis(
        "one_hot_classes", f"one_hot makes a column per class, numbered 0 to num_classes - 1 ({classes}):{found} "
        "more than the columns asked for", "num_classes = the number of classes (the largest label + 1); if "
        "the labels start at 1, subtract 1 first", None, top is not None and classes is not None,
        (classes, top + 1) if top is not None and classes is not None else ())
