"""Embedding tables: ids out of range, negative, not a tensor, or floats."""
import torch
from torch import nn

from ..summaries import shape_of
from .base import Diagnosis, message, shaped


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
            "is out of range", "find where -1 (or another negative) came from: an unknown word should map "
            "to the <unk> id", "unknown_words", True, (rows, low))
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
