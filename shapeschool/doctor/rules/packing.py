"""Packing padded batches: axes, lengths, order and device."""
import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence

from ..summaries import PackedSeen, describe, shape_of, shape_text
from .base import Diagnosis, after, evidence, message, shaped


@evidence(nn.RNNBase)
def packed_inconsistently(ctx, found):
    """A PackedSequence whose steps do not add up to its data: packing read the wrong axes (the
    recurrent layer then fails with whatever message its first bad index gives)."""
    packed = ctx.args[0] if ctx.args and isinstance(ctx.args[0], PackedSequence) else None
    if packed is None or not isinstance(ctx.module, nn.RNNBase):
        return None
    claimed, rows = int(packed.batch_sizes.sum()), packed.data.shape[0]
    if claimed == rows:
        return None
    longest = len(packed.batch_sizes)
    made = _packing_of(ctx)
    if made is not None:
        given, first = made
        steps, other = (given[1], given[0]) if first else (given[0], given[1])
        # the lengths fit another axis of a tensor that led here (the padded batch with its axes in
        # another order): the axes are swapped, as before; only where none does are the lengths too long
        time = 1 if first else 0
        failure = ctx.failure
        seen = [shape_of(c.output) for c in (failure.before if failure else [])] + \
               [shape_of(r) for op in (failure.ops if failure else []) for r in (op.result, *op.args[:1])]
        swapped = any(shape and len(shape) >= 2 and any(size == longest for i, size in enumerate(shape) if i != time)
                      for shape in seen)
        if longest > steps and longest > other and not swapped:
            return Diagnosis(
                "pack_lengths_too_long", f"pack_padded_sequence was given lengths up to {longest} for a batch "
                f"{shape_text(given)} padded to {steps} steps (batch_first={first}): packing does not check them, so "
                f"the packed batch claims {claimed} steps and holds {rows}, and {ctx.path} read past its end",
                f"give each sequence's real length, at most the padded length {steps}: lengths counted before the "
                "sentences were cut, or on another tensor, are the usual cause", "packing_traps", True,
                (steps, longest))
    source = ctx.last_before()
    shown = f" {source.path} gave {describe(source.output)}," if source is not None else ""
    return Diagnosis(
        "pack_batch_first", f"the packed batch claims {claimed} steps (its longest sentence has "
        f"{len(packed.batch_sizes)}) but holds {rows}:{shown} and packing read its axes in the other order, so "
        "the lengths ran past the axis it took as time", "pad with pad_sequence(..., batch_first=True) and "
        "pack with batch_first=True, or keep both seq-first (batch_first=False)", "packing", True,
        (len(packed.batch_sizes), rows))


def _packing_of(ctx):
    """(the padded batch's shape, batch_first) of the newest recorded pack_padded_sequence, or None."""
    for op in reversed(ctx.failure.ops if ctx.failure else []):
        if op.name == "_pack_padded_sequence" and op.args:
            given = shape_of(op.args[0])
            first = op.args[2] if len(op.args) > 2 else op.kwargs.get("batch_first")
            if given and len(given) >= 2:
                return tuple(given), bool(getattr(first, "value", None))
    return None


@evidence("_pack_padded_sequence")
def pack_arguments_swapped(ctx, m):
    """pack_padded_sequence(lengths, padded): the lengths first. Whatever the message says (it
    depends on the lengths' shape), the arguments tell."""
    if len(ctx.op.args) < 2:
        return None
    first, second = shape_of(ctx.op.args[0]), shape_of(ctx.op.args[1])
    if first is None or second is None or len(first) != 1 or len(second) < 2:
        return None
    return Diagnosis(
        "pack_arguments", f"packing was given a 1-D tensor {shape_text(first)} as the padded batch and a "
        f"{len(second)}-D tensor {shape_text(second)} as the lengths: the two are the other way round",
        "pack_padded_sequence(padded, lengths, batch_first=...): the padded batch first, then one length per "
        "sentence", "packing", True)


@message(r"`lengths` array must be sorted in decreasing order")
def pack_sorted(ctx, m):
    return Diagnosis("pack_sorted", "pack_padded_sequence expects the lengths longest first unless told "
                     "otherwise", "enforce_sorted=False (it sorts, and unsorts the result)", "packing", True)


@message(r"Length of all samples has to be greater than 0")
def pack_empty(ctx, m):
    lengths = ctx.first_tensor(ctx.op_args[1:]) if ctx.op_args else None
    which = ""
    if lengths is not None:
        empty = [i for i, n in enumerate(lengths.tolist()) if n <= 0]
        which = f": sentence {empty[0]} has length {lengths.tolist()[empty[0]]}" if empty else ""
    return Diagnosis("pack_empty", f"a sentence in the batch is empty{which}", "drop empty sentences before "
                     "batching (a blank line, or every word filtered out)", "packing_traps", True)


@message(r"Expected `len\(lengths\)` to be equal to batch_size, but got (\d+) \(batch_size=(\d+)\)")
def pack_batch(ctx, m):
    """As many lengths as the other axis holds: the axes were read the other way round. Any other
    count: the lengths are not this batch's (a batch split by DataParallel, a smaller last batch)."""
    n, batch = int(m.group(1)), int(m.group(2))
    flag = ctx.op_args[2] if len(ctx.op_args) > 2 else ctx.op_kwargs.get("batch_first", False)
    x = ctx.first_tensor(ctx.op_args)
    read = "axis 0" if flag else "axis 1"
    other = 1 if flag else 0
    if x is not None and x.dim() >= 2 and x.shape[other] == n:
        return Diagnosis(
            "pack_batch_first", f"there are {n} lengths, one per sentence, but packing read {read} (size {batch}) "
            f"of {shaped(x)} as the batch (batch_first={bool(flag)}), and the {n} sentences are on axis {other}",
            f"batch_first={not flag}, since your batch is "
            f"{'(time, batch, features)' if flag else '(batch, time, features)'}", "packing", True, (n, batch))
    shown = f" of {shaped(x)}" if x is not None else ""
    return Diagnosis(
        "pack_lengths_count", f"there are {n} lengths, but the batch ({read}{shown}, batch_first={bool(flag)}) "
        f"has {batch} sentences: the lengths are not this batch's", "give one length per sentence of the batch "
        "being packed; where the batch was split after the lengths were made (nn.DataParallel splits tensors, "
        "not Python lists; a smaller last batch), pass the lengths as a tensor that travels with the batch",
        "packing", True, (batch, n))


@message(r"'lengths' argument should be a 1D CPU int64 tensor")
def pack_lengths_device(ctx, m):
    """The message names requirements at once: 1-D, on the CPU. Which one failed is in the lengths
    themselves."""
    lengths = ctx.op_args[1] if ctx.op is not None and len(ctx.op_args) > 1 else None
    if isinstance(lengths, torch.Tensor) and lengths.dim() != 1:
        padded = ctx.op_args[0] if isinstance(ctx.op_args[0], torch.Tensor) else None
        same = padded is not None and tuple(lengths.shape) == tuple(padded.shape[:lengths.dim()])[::-1] \
            or padded is not None and tuple(lengths.shape) == tuple(padded.shape[:lengths.dim()])
        return Diagnosis(
            "pack_lengths_wrong", f"the lengths {shaped(lengths)} are {lengths.dim()}-D; packing takes one length per "
            f"sentence, a 1-D tensor of the batch's size" + (", and this tensor has a value per token, like the "
            "ids (token type ids, a mask)" if same else ""), "count each sentence's real tokens: "
            "attention_mask.sum(1) (or (ids != pad_id).sum(1)), then .cpu()", "packing", True)
    on = f" {shaped(lengths)} are on {lengths.device}" if isinstance(lengths, torch.Tensor) else ""
    return Diagnosis("pack_lengths_device", f"packing takes the lengths on the CPU, even when the batch is "
                     f"on the GPU{'; these' + on if on else ''}", "pass lengths.cpu() (or a list)", "packing_traps",
                     isinstance(lengths, torch.Tensor))


@message(r"argument '\w+' \(position \d+\) must be Tensor, not PackedSequence")
@after(r"'PackedSequence' object has no attribute '(\w+)'|argument '\w+' \(position \d+\) must be Tensor, not PackedSequence")
def packed_into_a_layer(ctx, m):
    """A packed result handed on as if it were a tensor: an RNN given a PackedSequence returns one."""
    source = next((c for c in reversed(ctx.failure.before if ctx.failure else [])
                   if isinstance(c.module, nn.RNNBase) and c.inputs and isinstance(c.inputs[0], PackedSeen)), None)
    made = f"{source.path} was given a packed batch, so its output is packed too, and " if source is not None else ""
    where = f"{ctx.path} was given it" if ctx.path else "the code after it used it as a tensor"
    return Diagnosis(
        "packed_into_layer", f"{made}{where}: a PackedSequence is the steps of every sequence laid end to end "
        "(its .data), not a (batch, time, features) tensor", "out, lengths = pad_packed_sequence(out, "
        "batch_first=True) first (the padding it gives back must then be masked), or use h_n for one vector per "
        "sequence", "packing", source is not None)

