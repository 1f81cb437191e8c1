"""Normalisation layers: LayerNorm's trailing axes, BatchNorm's channels and rank."""
from ..summaries import describe_call, shape_text
from .base import Diagnosis, batch_of_one_squeezed, ints, message, shaped


@message(r"Given normalized_shape=\[([\d, ]+)\], expected input with shape \[\*, ([\d, ]+)\], but got input of "
      r"size\s*\[([\d, ]+)\]")
def layernorm_axis(ctx, m):
    norm, shape = ints(m.group(1)), ints(m.group(3))
    width = norm[-1]
    others = [i for i in range(len(shape) - 1) if shape[i] == width]
    if len(norm) == 1 and len(others) == 1:
        i = others[0]
        return Diagnosis(
            "layernorm_axis", f"{ctx.path or 'LayerNorm'} normalises the LAST axis, which holds {shape[-1]}; the "
            f"{width} features of {shape_text(shape)} are on axis {i} (the (B, C, T) layout a Conv1d gives)",
            f"move the features last before it: x.transpose({i}, {len(shape) - 1})", "conv1d", True,
            (width, shape[-1]))
    return Diagnosis(
        "layernorm_axis", f"{ctx.path or 'LayerNorm'} was built for trailing axes {shape_text(norm)}, and the "
        f"input {shape_text(shape)} ends in {shape_text(shape[-len(norm):])}", "build it for the input's last "
        "axes, or move those axes last", "conv1d", True, (tuple(norm), tuple(shape[-len(norm):])))


@message(r"expected (\d)D input \(got (\d)D input\)")
def norm_dims(ctx, m):
    want, got = int(m.group(1)), int(m.group(2))
    name = type(ctx.module).__name__ if ctx.module is not None else "the layer"
    fix = ("a single example has no batch axis: x.unsqueeze(0) makes a batch of one" if got == want - 1
           else "give it (batch, channels, ...) with the right number of axes")
    return Diagnosis(
        "norm_dims", f"{ctx.path or name} ({name}) takes {want}-D input (batch, channels, ...) and got {got}-D",
        fix, "flatten", got == want - 1, (want, got))


@message(r"running_mean should contain (\d+) elements not (\d+)")
def batchnorm_features(ctx, m):
    got, want = int(m.group(1)), int(m.group(2))
    x = ctx.first_tensor()
    name = ctx.path or "the BatchNorm"
    if x is not None and x.dim() == 3 and x.shape[2] == want and x.shape[1] != want:
        if x.shape[1] == 1:
            fix = "drop the extra axis of 1 (x.squeeze(1)), or give the model (batch, features) as it expects"
        else:
            fix = ("x.transpose(1, 2) before it and back after (BatchNorm1d normalises axis 1), or flatten the "
                   "steps into the batch: x.flatten(0, 1) to (batch * steps, features)")
        return Diagnosis(
            "batchnorm_axis", f"the input {shaped(x)} has its {want} features last, and {name} reads channels from "
            f"axis 1, which holds {got}; num_features={want} is right, the axis is not", fix, None, True, (want, got))
    return Diagnosis(
        "batchnorm_features", f"axis 1 of the input has {got} channels, but {name} has "
        f"num_features={want}", f"num_features={got}", None, True, (want, got))


@message(r"Expected more than 1 value per channel when training, got input size (.*)")
def batchnorm_single_example(ctx, m):
    x = ctx.first_tensor()
    shown = f" {shaped(x)}" if x is not None else ""
    return Diagnosis(
        "batchnorm_single_example", f"{ctx.path or 'a BatchNorm'} is in training mode and got one value per "
        f"channel{shown}: a batch of one example, from which no variance can be computed",
        "call model.eval() to run single examples (it then uses its running statistics); in training, batches "
        "of two or more: DataLoader(..., drop_last=True) keeps a last batch of one away", None, True)


@message(r"expected (\d)D or (\d)D input \(got (\d)D input\)")
def norm_rank(ctx, m):
    low, high, got = (int(g) for g in m.groups())
    x = ctx.first_tensor()
    shown = f" {shaped(x)}" if x is not None else ""
    lost = batch_of_one_squeezed(ctx)
    if lost is not None and got < low:
        op, before, after = lost
        return Diagnosis(
            "squeeze_batch", f"{ctx.path} takes {low}-D or {high}-D input (batch, features, ...), and got {got}-D"
            f"{shown}: {op.name}({describe_call(op.args[1:], op.kwargs)}){' in ' + op.where if op.where else ''} "
            f"made {shape_text(after)} of {shape_text(before)}, dropping the batch axis of a batch of one",
            "keep the batch axis: x.flatten(1) (or x.view(x.size(0), -1)) in place of squeeze()", "unbatched",
            False, (low, got))
    return Diagnosis(
        "norm_rank", f"{ctx.path or 'the normalisation'} takes {low}-D or {high}-D input (batch, features, ...), "
        f"and got {got}-D{shown}", "give it a batch axis (x.unsqueeze(0) for one example)" if got < low else
        "merge or remove the extra axes", "unbatched", False, (low, got))



@message(r"num_channels \((\d+)\) must be divisible by num_groups \((\d+)\)"
         r"|Expected number of channels in input to be divisible by num_groups, but got input of shape "
         r"\[([\d, ]+)\] and num_groups=(\d+)", plain=True)
def groupnorm_groups(ctx, m):
    """GroupNorm splits the channels into num_groups equal groups."""
    channels, groups = (int(m.group(1)), int(m.group(2))) if m.group(1) else (ints(m.group(3))[1], int(m.group(4)))
    divisors = [g for g in range(1, channels + 1) if channels % g == 0]
    return Diagnosis(
        "groupnorm_groups", f"GroupNorm splits {channels} channels into {groups} groups of equal size, and "
        f"{channels} / {groups} is not a whole number", f"num_groups one of {divisors} for {channels} channels "
        f"(or channels a multiple of {groups}); the layer's num_channels must be the channels on axis 1",
        None, True, (groups, channels))
