"""Linear layers and matrix products: in_features, flattening before them, integer inputs."""
from torch import nn
from torch.nn.utils.rnn import PackedSequence

from ..summaries import describe, describe_call, shape_of, shape_text
from .base import Diagnosis, message, plain, product, shaped


@message(r"mat1 and mat2 shapes cannot be multiplied \((\d+)x(\d+) and (\d+)x(\d+)\)")
def matmul_sizes(ctx, m):
    rows, got, want, out = (int(g) for g in m.groups())
    packed = ctx.args[0] if ctx.args and isinstance(ctx.args[0], PackedSequence) else None
    if packed is not None and isinstance(ctx.module, nn.RNNBase) and (packed.data.shape[-1], ctx.module.input_size) == (got, want):
        # packing never looks at the feature axis, so a recurrent layer given packed data of the
        # wrong width fails inside, in its first matrix product, not with its input_size message
        return Diagnosis(
            "packed_features", f"the packed data {shaped(packed.data)} has {got} features per step, but "
            f"{ctx.path} was built for input_size={want}; packing does not check the feature axis, so "
            "a batch packed with its axes swapped (features before time) gets this far",
            f"pack a (batch, time, features) tensor with batch_first=True: its last axis must hold the {want} "
            "features", "packing_traps", True, (want, got))
    if not isinstance(ctx.module, nn.Linear) and not (ctx.op is not None and ctx.op.name == "linear"):
        shapes = ctx.op_shapes()
        shapes = [s for s in shapes if s is not None][:2]
        operands = (f"{ctx.op.name}({shape_text(shapes[0])}, {shape_text(shapes[1])})" if len(shapes) == 2
                    else f"a matrix product of ({rows} x {got}) by ({want} x {out})")
        turned = len(shapes) == 2 and len(shapes[1]) >= 1 and shapes[1][-1] == got
        table = _a_parameter_among(ctx, ctx.op_args[:2])
        if table is not None and not turned:
            name, param, which = table
            return Diagnosis(
                "parameter_built_for_another_count", f"{operands}: the {which} operand is {name} {shape_text(param.shape)}, "
                f"a weight table made when the layer was built, whose {want} entries on the axis the product reads "
                f"stand for {want} cases, and the other operand brings {got}: the table was built for another count than the data has (a setting "
                f"such as a number of tasks, classes or heads, left at a default or given for another dataset)",
                f"build the layer from the data's own count ({got}), or give it data of {want}", None, False,
                (want, got))
        return Diagnosis(
            "matmul", f"{operands}: the first operand's last axis ({got}) must equal the second's "
            f"{'first' if len(shapes) < 2 or len(shapes[1]) <= 2 else 'second-to-last'} axis ({want})"
            + (f"; the second's last axis is {got}: it is the other way round" if turned else ""),
            "transpose the second operand (w.T, or w.transpose(-2, -1))" if turned else
            "transpose one operand, or check which axis holds the features", None, turned, (want, got))
    prev = ctx.last_before()
    rnn = ctx.last_before(nn.RNNBase)
    if rnn is not None and rnn.module.bidirectional:
        width = rnn.module.proj_size or rnn.module.hidden_size
        if got == 2 * width:
            return Diagnosis(
                "linear_after_bidirectional", f"{rnn.path} is bidirectional, so each step (and the two final "
                f"states side by side) has 2 * {width} = {got} features, but {ctx.path} has in_features={want}",
                f"nn.Linear(2 * {width}, ...), that is in_features={got}", "linear_after_lstm", True, (want, got))
    joined = _joined_on_the_batch(ctx, rows, got, want)
    if joined is not None:
        op, parts = joined
        return Diagnosis(
            "cat_batch_axis", f"{op.name}(..., dim=0) joined {len(parts)} tensors of {shape_text(parts[0])} along "
            f"the batch axis into ({rows}, {got}): {len(parts)} times as many examples of {got} features, where "
            f"{ctx.path} (in_features={want}) wants each example's {len(parts)} x {got} = {want} features side by "
            "side", f"{op.name}(..., dim=1) joins the features of each example: ({parts[0][0]}, {want})", None, True,
            (want, got))
    x = ctx.first_tensor()
    squeezed = _features_squeezed(ctx, x, want)
    if squeezed is not None:
        op, before = squeezed
        return Diagnosis(
            "squeeze_features", f"{op.name}({describe_call(op.args[1:], op.kwargs)}) made {shaped(x)} of "
            f"{shape_text(before)}, dropping every axis of size 1, the {want} feature{'s' if want != 1 else ''} axis "
            f"that {ctx.path or 'the layer'} (in_features={want}) reads included: the {x.shape[-1]} on the last axis "
            "now are the examples", "squeeze only the axis you mean (squeeze(1), or none: the Linear takes "
            f"{shape_text(before)} as it is if its last axis is the features)", "unbatched", True, (want, got))
    if x is not None and x.dim() == 2 and x.shape[0] == want and x.shape[1] == got:
        return Diagnosis(
            "linear_transposed", f"{ctx.path} got {shaped(x)}: its {want} features are on axis 0 and the "
            f"{got} examples on the last axis, and a Linear reads features from the last axis",
            "transpose it back (x.t()), or find the .t() / transpose that turned it: (examples, features)",
            None, True, (want, got))
    if isinstance(ctx.module, nn.Linear) and x is not None and x.dim() >= 3 and product(x.shape[1:]) == want:
        return Diagnosis(
            "flatten_missing", f"{ctx.path} got {shaped(x)}: a Linear acts on the last axis only ({got} values), "
            f"and each example's {' x '.join(map(str, x.shape[1:]))} = {want} values were never flattened into one",
            f"x.flatten(1) before it (or nn.Flatten() in an nn.Sequential) gives ({x.shape[0]}, {want})", "flatten",
            True, (want, got))
    flattened, whole = _whole_batch_flattened(ctx, got) if rows == 1 else (None, None)
    if flattened is not None:
        return Diagnosis(
            "flatten_batch", f"{flattened.name}() flattened the whole batch {shape_text(whole)} "
            f"into one row of {got} values; {ctx.path} expected {want} per example", "x.flatten(1) (start_dim=1) "
            "keeps one row per example", "flatten", True, (want, got))
    batch = ctx.batch_at_entry()
    x_rows = product(x.shape[:-1]) if x is not None else rows
    if batch is not None and x is not None and x.dim() <= 2 and x_rows != batch:
        changed = ctx.batch_changed_by(batch)
        if changed is not None:
            return Diagnosis(
                "batch_changed", f"the model got a batch of {batch}, but {ctx.path} gets {x_rows} row"
                f"{'s' if x_rows != 1 else ''} of {got}: {changed.name}({describe_call(changed.args, changed.kwargs)})"
                f"{' in ' + changed.where if changed.where else ''} made {describe(changed.result)} of it, so "
                f"examples were merged or split before {ctx.path}; in_features={want} may well be right",
                "keep the batch on axis 0: flatten(1) / nn.Flatten() (start_dim=1), view(x.size(0), -1), "
                "cat along the feature axis", "flatten", True, (want, got))
    spatial = ctx.last_before((nn.modules.conv._ConvNd, nn.modules.pooling._MaxPoolNd,
                               nn.modules.pooling._AvgPoolNd, nn.modules.pooling._AdaptiveAvgPoolNd,
                               nn.modules.pooling._AdaptiveMaxPoolNd))
    if spatial is not None:
        shape = shape_of(spatial.output)
        if shape and len(shape) == 3 and _first_conv_unbatched(ctx):
            return Diagnosis(
                "image_unbatched", f"the image reached {spatial.path} as {shape_text(shape)}, with no batch "
                f"axis, so flatten(1) kept its {shape[0]} channels as rows of {got} features",
                "give the model a batch: image.unsqueeze(0) is a batch of one", "flatten", True, (want, got))
        if shape and len(shape) >= 3 and product(shape[1:]) == got:
            per = " x ".join(map(str, shape[1:]))
            k = _smaller_by(shape[1:], want)
            if k is not None:
                sides = " x ".join(str(s // k) for s in shape[2:])
                fixed = isinstance(spatial.module, (nn.modules.pooling._AvgPoolNd, nn.modules.pooling._MaxPoolNd))
                return Diagnosis(
                    "built_for_crop_size", f"{ctx.path} has in_features={want} = {shape[1]} x {sides}: it was built "
                    f"for a {sides} map after {spatial.path}, which gives {' x '.join(map(str, shape[2:]))} here, "
                    f"{k} times larger on each side: inputs {k} times larger than the model was built for (or "
                    "in_features worked out for one more halving)", "resize the inputs to the size the model was "
                    "built (and trained) for" + ("; or let the pool fit any size: nn.AdaptiveAvgPool2d(1) in place "
                    f"of {type(spatial.module).__name__}" if fixed and sides.replace("1 x ", "") == "1" else "")
                    + f"; in_features={got} only if this size is the one you mean", "conv_formula", False,
                    (want, got))
            return Diagnosis(
                "flatten_size", f"{spatial.path} gives {shape_text(shape[1:])} per example, {per} = {got} "
                f"features after flattening, but {ctx.path} has in_features={want}",
                f"in_features={got}; or nn.LazyLinear, which reads it from the first batch; or compute it "
                "with the output-size formula. If the weights were trained (a pretrained model), resize the "
                f"inputs to the size they were trained at instead: a new in_features discards what "
                f"{ctx.path} learned", "in_features", True, (want, got))
    source = f" (from {prev.path})" if prev is not None else ""
    elsewhere = x is not None and any(x.shape[i] == want for i in range(x.dim() - 1))
    kept = batch is None or x is None or x.shape[0] == batch
    return Diagnosis(
        "linear_in_features", f"the last axis of the input to {ctx.path}{source} has {got} features, but "
        f"it has in_features={want}" + (f"; {want} is on another axis of {shaped(x)}" if elsewhere else ""),
        f"in_features={got}, or give it {want} features" + ("; or move that axis last" if elsewhere else ""),
        "linear_after_lstm" if rnn is not None else "in_features", kept and not elsewhere, (want, got))


def _joined_on_the_batch(ctx, rows, got, want):
    """(op, part shapes) when the newest recorded call that made a (rows, got) tensor was a cat along
    dim 0 of parts (batch, got) whose features, side by side, would be the ``want`` asked for."""
    for op in reversed(ctx.failure.ops if ctx.failure else []):
        made = shape_of(op.result)
        if made != (rows, got):
            continue
        if op.name not in ("cat", "concat", "concatenate") or not op.args:
            return None
        dim = plain(op.args[1]) if len(op.args) > 1 else plain(op.kwargs.get("dim", op.kwargs.get("axis"))) or 0
        parts = [shape_of(r) for r in plain(op.args[0])] if isinstance(plain(op.args[0]), tuple) else []
        if dim == 0 and len(parts) >= 2 and all(p is not None and len(p) == 2 and p[1] == got for p in parts) \
                and len(parts) * got == want:
            return op, parts
        return None
    return None


def _whole_batch_flattened(ctx, got):
    """The newest call that made one row of every value of a batched tensor of ``got`` values
    (torch.flatten(x), x.flatten(), x.view(-1), x.reshape(-1)) and that tensor's shape; (None, None)
    when there is none."""
    for op in reversed(ctx.failure.ops if ctx.failure else []):
        shape = shape_of(op.args[0]) if op.args else None
        if shape and len(shape) >= 2 and product(shape) == got and _into_one_row(op):
            return op, shape
    return None, None


def _into_one_row(op):
    rest = tuple(plain(a) for a in op.args[1:])
    named = {k: plain(v) for k, v in op.kwargs.items()}
    if op.name == "flatten":
        return ((rest in ((), (0,), (0, -1)) and not named)
                or (not rest and named in ({"start_dim": 0}, {"start_dim": 0, "end_dim": -1})))
    if op.name in ("view", "reshape"):
        return rest in ((-1,), ((-1,),)) and not named
    return False


def _first_conv_unbatched(ctx):
    convs = ctx.before(nn.Conv2d)
    return bool(convs) and bool(convs[-1].inputs) and len(shape_of(convs[-1].inputs[0]) or ()) == 3


@message(r"mat1 and mat2 must have the same dtype, but got (Long|Int) and")
def linear_dtype(ctx, m):
    x, shown = ctx.operand()
    return Diagnosis(
        "linear_dtype", f"{ctx.path or 'a matrix product'} got integer values{shown}: word ids, not vectors",
        "turn ids into vectors with an nn.Embedding first (or .float() if they really are numbers)", "ids", True)


@message(r"mat1 and mat2 must have the same dtype, but got (Double|Half|BFloat16|Float) and (Double|Half|BFloat16|Float)")
def float_precision_differs(ctx, m):
    """float64 data (NumPy's default, torch.from_numpy keeps it) into float32 weights, or the other
    way round."""
    given, weights = m.group(1), m.group(2)
    x, shown = ctx.operand()
    numpy = " (NumPy's default: torch.from_numpy and torch.tensor(array) keep it)" if given == "Double" else ""
    return Diagnosis(
        "linear_dtype", f"the input{shown} is {given.lower()}{numpy} and {ctx.path or 'the layer'}'s weights are "
        f"{weights.lower()}: a matrix product needs one dtype", "x.float() (or make the array float32 before "
        "converting it: array.astype(np.float32)); model.double() instead makes the whole model slower",
        None, True)


def _smaller_by(per_example, features):
    """k (2 or more) when ``features`` is the channels times a map k times smaller on every side
    than ``per_example`` (channels, *sides); None otherwise."""
    channels, sides = per_example[0], per_example[1:]
    if not sides or features % channels:
        return None
    for k in range(2, max(sides) + 1):
        if all(s % k == 0 for s in sides) and product([s // k for s in sides]) * channels == features:
            return k
    return None



def _features_squeezed(ctx, x, want):
    """(the squeeze, the shape before) when ``x`` was made by a squeeze with no axis that dropped the
    last axis, which held the ``want`` features a Linear reads (a (N, 1, 1) column squeezed to (N,))."""
    if x is None:
        return None
    for op in reversed(ctx.failure.ops if ctx.failure else []):
        if op.name != "squeeze" or not op.args or shape_of(op.result) != tuple(x.shape):
            continue
        before = shape_of(op.args[0])
        if before and len(op.args) == 1 and not op.kwargs and before[-1] == want == 1 and len(before) > x.dim():
            return op, tuple(before)
        return None
    return None


def _a_parameter_among(ctx, operands):
    """(its name, the parameter, "first" or "second") for an operand that is a parameter of a module
    running when the product failed, or a transposed view of one (self.w.t())."""
    stack = ctx.failure.stack if ctx.failure else []
    for call in reversed(stack):
        for name, param in call.module.named_parameters(recurse=False):
            for i, operand in enumerate(operands):
                if operand is param or getattr(operand, "_base", None) is param:
                    return f"{call.path}.{name}", param, ("first", "second")[i]
    return None
