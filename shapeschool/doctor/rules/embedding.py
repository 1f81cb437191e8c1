"""Embedding tables: ids out of range, negative, not a tensor, or floats."""
from torch import nn

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
    return Diagnosis(
        "embedding_range", f"the largest id is {high}, but {ctx.path} has num_embeddings={rows} rows "
        f"(ids 0 to {rows - 1})", "num_embeddings=len(vocab) (the largest id + 1), and map words the "
        "vocabulary never saw to <unk>", "table_rows" if high == rows else "unknown_words", True, (rows, high + 1))


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
