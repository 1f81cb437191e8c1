"""Losses: cross-entropy's classes axis, target shapes and dtypes; binary cross-entropy's shapes."""
import torch
from torch import nn

from ..summaries import describe_call, shape_of, shape_text
from .base import BROADCAST, Diagnosis, batch_of_one_squeezed, ints, iterated_from, message, shaped


def _loss_tensors(ctx):
    args = ctx.op_args or ctx.args
    tensors = [a for a in args if isinstance(a, torch.Tensor)]
    return (tensors + [None, None])[:2]


@message(r"Expected target size \[([\d, ]+)\], got \[([\d, ]+)\]")
def ce_target_size(ctx, m):
    want, got = ints(m.group(1)), ints(m.group(2))
    scores, target = _loss_tensors(ctx)
    if scores is not None and scores.dim() == 3 and len(got) == 3 and got[-1] == 1:
        return Diagnosis(
            "ce_target_extra_axis", f"the targets {shape_text(got)} have an extra last axis of 1",
            "target.squeeze(-1)", "loss_axes", True, (want, got))
    if scores is not None and scores.dim() == 3 and len(got) == 2 and got == (scores.shape[0], scores.shape[1]):
        b, t, c = scores.shape
        return Diagnosis(
            "ce_classes_last", f"the scores {shaped(scores)} are (batch, time, classes), and cross_entropy reads "
            f"classes from axis 1: it took {t} classes and {c} positions, so it wanted targets "
            f"{shape_text(want)} and got {shape_text(got)}", "scores.permute(0, 2, 1) (batch, classes, time), "
            "or scores.reshape(-1, C) with targets.reshape(-1)", "loss_axes", True, (want, got))
    if len(want) == len(got) >= 3 and want[0] == got[0]:
        sized = _maps_of_other_sizes(ctx, tuple(want[1:]), tuple(got[1:]))
        if sized is not None:
            return sized
    return Diagnosis(
        "ce_target_size", f"the targets are {shape_text(got)}; for these scores cross_entropy wants "
        f"{shape_text(want)} (the scores' shape without axis 1, the classes)",
        "put the classes on axis 1 of the scores, and give targets the remaining shape", "loss_axes", False,
        (want, got))


@message(r"Expected input batch_size \((\d+)\) to match target batch_size \((\d+)\)")
def ce_batch(ctx, m):
    rows, wanted = int(m.group(1)), int(m.group(2))
    scores, target = _loss_tensors(ctx)
    if target is not None and target.dim() == 2 and target.numel() == rows:
        return Diagnosis(
            "ce_flatten_one", f"the scores have {rows} rows (batch x time, flattened), but the targets "
            f"{shaped(target)} were not flattened: cross_entropy counts {wanted} targets", "flatten both: "
            "scores.reshape(-1, C) and targets.reshape(-1)", "loss_axes", True, (wanted, rows))
    if scores is not None and target is not None and scores.dim() == 2 and target.dim() == 1 \
            and target.numel() == rows * scores.shape[1] and set(target.unique().tolist()) <= {0, 1}:
        return Diagnosis(
            "ce_onehot_long", f"{target.numel()} targets of 0s and 1s for {rows} rows of {scores.shape[1]} scores: "
            f"one-hot rows ({rows}, {scores.shape[1]}) flattened into one long row of labels", "give class ids, "
            "one per row: onehot.argmax(1), shape (B,); or keep the one-hot rows as float probabilities "
            "(onehot.float(), the scores' shape)", "loss_axes", True, (wanted, rows))
    walked = iterated_from(ctx, scores)
    if walked is not None and walked[0] == wanted:
        return Diagnosis(
            "tensor_iterated_as_list", f"the scores {shaped(scores)} are one item of a loop over a tensor "
            f"{shape_text(walked)}: iterating a tensor walks its first axis, the batch, so each item is one example "
            f"(its {rows} channels read as a batch), not one output of a list", "pass the whole tensor to the loss; "
            "if the model gives a list of outputs only in some modes (training), check isinstance(out, list) "
            "before looping", None, True, (wanted, rows))
    squeezed = batch_of_one_squeezed(ctx, target.shape) if target is not None else None
    if squeezed is not None and rows == 1:
        return Diagnosis(
            "squeeze_batch", f"the targets {shaped(target)} came from squeeze() on {shape_text(squeezed[1])}, which "
            f"dropped every axis of size 1, the batch of one included, so cross_entropy reads their first axis, "
            f"{wanted}, as the batch", "squeeze only the axis you mean (squeeze(1) for a channel axis), so that a "
            "batch of one keeps its batch axis", "unbatched", True, (rows, wanted))
    told = _batch_size_argument(ctx, rows)
    if told is not None and rows != wanted:
        return Diagnosis(
            "batch_hardcoded", f"the scores have {rows} rows for {wanted} targets, and {told.path} was called with "
            f"{rows} as an argument: the batch size was passed in (a configured size) rather than taken from the "
            f"data, and this batch holds {wanted}", "take the batch size from the batch itself (labels.shape[0], "
            "len(batch)), so a smaller last batch works; or DataLoader(..., drop_last=True)", "flatten", True,
            (rows, wanted))
    maps = _maps_flattened(ctx, scores, target)
    if maps is not None:
        made, labels = maps
        return Diagnosis(
            "output_downsampled", f"the scores were flattened from a {' x '.join(map(str, made))} map and the "
            f"targets from a {' x '.join(map(str, labels))} one: {rows} positions against {wanted}; the prediction "
            "and the labels are maps of different sizes", "bring the scores to the labels' size before flattening, "
            "whenever either side differs: F.interpolate(scores, size=labels.shape[-2:]) (or resize the labels)",
            "loss_axes", True, (wanted, rows))
    views = [op for op in ctx.failure.ops if op.name in ("view", "reshape")] if ctx.failure else []
    if views and rows != wanted:
        return Diagnosis(
            "batch_changed", f"the scores have {rows} rows for {wanted} targets: a view/reshape with -1 "
            f"({views[-1].where or 'your code'}: {views[-1].name}({describe_call(views[-1].args, views[-1].kwargs)})) merged or split examples",
            "flatten each example with x.flatten(1) (or x.view(x.size(0), -1)), which keeps the batch",
            "flatten", False, (wanted, rows))
    return Diagnosis(
        "ce_batch", f"the scores have {rows} rows and the targets {wanted}", "give one target per row of "
        "scores", "loss_axes", False, (wanted, rows))


@message(r"expected target dtype to be Long|expected scalar type Long but found")
def ce_target_dtype(ctx, m):
    scores, target = _loss_tensors(ctx)
    shown = f" {shaped(target)} {str(target.dtype).replace('torch.', '')}" if target is not None else ""
    return Diagnosis(
        "ce_target_dtype", f"class-index targets must be integers, and these{shown} are not",
        "targets.long() (float targets of the scores' own shape would be read as class probabilities)",
        "loss_axes", True)


@message(r"0D or 1D target tensor expected, multi-target not supported")
def ce_multi_target(ctx, m):
    scores, target = _loss_tensors(ctx)
    shown = f" {shaped(target)}" if target is not None else ""
    return Diagnosis(
        "ce_target_extra_axis", f"2-D scores want 1-D targets (one class per row); these are{shown}",
        "target.squeeze(1) (or target.view(-1))", "loss_axes", True)


@message(r"Target (-?\d+) is out of bounds")
def ce_target_range(ctx, m):
    value = int(m.group(1))
    scores, target = _loss_tensors(ctx)
    classes = scores.shape[1] if scores is not None and scores.dim() >= 2 else None
    if value < 0:
        return Diagnosis(
            "ce_negative_target", f"a target is {value}; classes are 0 to {classes - 1 if classes else 'C-1'}",
            f"if {value} marks padding, pass ignore_index={value}", "padding_loss", True)
    labels = sorted(set(target.unique().tolist())) if target is not None and target.numel() else []
    few = bool(classes) and bool(labels) and len(labels) <= classes and value + 1 > 2 * classes
    if few:                      # as many distinct labels as classes, but not numbered 0..C-1
        fix = (f"the targets hold {len(labels)} distinct values ({', '.join(map(str, labels[:6]))}"
               f"{', ...' if len(labels) > 6 else ''}), not ids 0 to {classes - 1}: map them to class ids first "
               "(a mask saved as gray levels 0 and 255 becomes 0 and 1 with mask // 255); a wider output layer "
               "would only hide this")
    elif classes and value + 1 > 2 * classes:     # far past the classes: more likely not ids at all
        fix = (f"check what the targets hold: class ids must be 0..{classes - 1}; labels that are something else "
               "(gray levels of a mask, counted from 1, raw codes) are mapped to ids first; only if there really "
               f"are {value + 1} classes does the output layer need {value + 1} outputs")
    else:
        fix = ("if the targets are right, give the output layer one output per class or tag, the padding tag "
               f"included (at least {value + 1}); if they are not class ids yet (labels counted from 1), map them "
               f"to 0..{classes - 1 if classes else 'C-1'} first")
    return Diagnosis(
        "ce_target_range", f"a target is {value}, so the scores would need {value + 1} classes, but they have "
        f"{classes} (0 to {classes - 1 if classes else '?'})", fix, "tagger", True, (classes, value + 1))


@message(r"Target size \(torch\.Size\(\[([\d, ]*)\]\)\) must be the same as input size \(torch\.Size\(\[([\d, ]*)\]\)\)")
@message(r"Using a target size \(torch\.Size\(\[([\d, ]*)\]\)\) that is different to the input size "
         r"\(torch\.Size\(\[([\d, ]*)\]\)\)")
def bce_size(ctx, m):
    """Binary cross-entropy compares each prediction with its own target: the shapes must be equal."""
    got, want = ints(m.group(1)), ints(m.group(2))
    if len(want) == 2 and want[1] == 2 and got == want[:1]:
        return Diagnosis(
            "bce_two_class_head", f"the predictions {shape_text(want)} are two scores per example, and the "
            f"targets {shape_text(got)} one class per example: that is cross-entropy's layout; binary "
            "cross-entropy wants one score per example, the same shape as the targets",
            "keep the two outputs and use nn.CrossEntropyLoss with long class ids; or give the model one output "
            "(nn.Linear(..., 1)), squeeze(-1) it, and keep BCEWithLogitsLoss with float targets", "loss_axes",
            True, (want, got))
    if len(want) == len(got) + 1 and want[-1] == 1 and want[:-1] == got:
        fix = "predictions.squeeze(-1), or targets.unsqueeze(-1): the same shape on both sides"
    elif len(got) == len(want) + 1 and got[-1] == 1 and got[:-1] == want:
        fix = "targets.squeeze(-1), or predictions.unsqueeze(-1): the same shape on both sides"
    else:
        fix = "give both the same shape: one target per prediction"
    return Diagnosis(
        "loss_shapes", f"the targets are {shape_text(got)} and the predictions {shape_text(want)}; binary "
        "cross-entropy pairs them element by element, so the shapes must be equal", fix, "loss_axes", True,
        (want, got))


_FLOAT_TARGET_LOSSES = ("binary_cross_entropy", "binary_cross_entropy_with_logits", "mse_loss", "l1_loss",
                        "smooth_l1_loss", "huber_loss")


@message(r"Found dtype (Long|Int|Short|Byte|Bool) but expected (?:Float|Double|Half|BFloat16)")
@message(r"result type (?:Float|Double|Half|BFloat16) can't be cast to the desired output type (Long|Int|Short|Byte)")
def bce_target_dtype(ctx, m):
    """A loss that compares predictions with float targets given integer targets."""
    loss = _loss_name(ctx)
    if loss is None:
        return None
    scores, target = _loss_tensors(ctx)
    shown = f" {shaped(target)} {str(target.dtype).replace('torch.', '')}" if target is not None else ""
    kind = "binary cross-entropy" if "binary" in loss else loss
    return Diagnosis(
        "bce_target_dtype" if "binary" in loss else "loss_target_dtype", f"{kind} compares float predictions "
        f"with float targets, and these targets{shown} are integers", "targets.float() (for binary labels, "
        "0.0 and 1.0); torch.full(..., 1.0) or torch.ones(...) make float labels", "loss_axes", True)


def _loss_name(ctx):
    """The loss that raised: its functional name, from the torch function or the loss module."""
    names = {nn.BCELoss: "binary_cross_entropy", nn.BCEWithLogitsLoss: "binary_cross_entropy_with_logits",
             nn.MSELoss: "mse_loss", nn.L1Loss: "l1_loss", nn.SmoothL1Loss: "smooth_l1_loss",
             nn.HuberLoss: "huber_loss"}
    if ctx.op is not None and ctx.op.name in _FLOAT_TARGET_LOSSES:
        return ctx.op.name
    for kind, name in names.items():
        if isinstance(ctx.module, kind):
            return name
    return None


@message(r"Expected floating point type for target with class probabilities, got Long")
def ce_probabilities_long(ctx, m):
    """Targets the scores' shape are read as class probabilities, so they must be float."""
    tensors = [a for a in ctx.op_args if isinstance(a, torch.Tensor)]
    if len(tensors) < 2:
        return None
    scores, target = tensors[:2]
    if scores.dim() == 1:
        return ce_scores_1d(ctx, None, n=target.shape[0])
    return Diagnosis(
        "ce_onehot_long", f"the targets {shaped(target)} have the scores' shape {shaped(scores)}, so "
        f"{ctx.op.name} reads them as class probabilities, which must be float: one-hot rows of integers",
        "give class ids instead, targets.argmax(1) with shape (B,), or float probabilities: targets.float()",
        "loss_axes", True)


@message(r"For 1D input, 1D target must have size 1, but got target size: (\d+)")
def ce_scores_1d(ctx, m, n=None):
    n = int(m.group(1)) if n is None else n
    scores = ctx.first_tensor(ctx.op_args)
    shown = f" {shaped(scores)}" if scores is not None else ""
    return Diagnosis(
        "ce_scores_1d", f"the scores{shown} are 1-D, so {ctx.op.name if ctx.op else 'the loss'} reads them as ONE "
        f"example's scores over classes, but there are {n} targets: one score per example is not a "
        "distribution over classes", "give (B, C) scores, C >= 2 (a Linear with out_features=C); for one "
        "logit per example use binary_cross_entropy_with_logits with float targets", "loss_axes", True, (1, n))


@message(BROADCAST)
def prediction_downsampled(ctx, m):
    """A dense prediction (a density map, a mask) made smaller than its target by the network's
    strides and poolings, compared with a full-size target."""
    if ctx.op is None or not ctx.op.name.endswith("_loss"):
        return None
    shapes = [s for s in ctx.op_shapes() if s is not None][:2]
    if len(shapes) != 2 or len(shapes[0]) != len(shapes[1]) or len(shapes[0]) < 3:
        return None
    made, wanted = shapes
    differ = [d for d in range(len(made)) if made[d] != wanted[d]]
    if not differ or differ[0] < 2 or any(made[d] == 0 or wanted[d] % made[d] for d in differ):
        return None
    factors = {wanted[d] // made[d] for d in differ}
    if len(factors) != 1 or min(factors) < 2:
        return None
    factor = factors.pop()
    given = _model_input(ctx)
    seen = given is not None and len(given) == len(wanted) and tuple(given[2:]) == tuple(wanted[2:])
    return Diagnosis(
        "output_downsampled", f"{ctx.op.name}({shape_text(made)}, {shape_text(wanted)}): the prediction is 1/{factor} "
        f"of the target's size on {'axes' if len(differ) > 1 else 'axis'} {', '.join(map(str, differ))}"
        + (f", as the network's strides and poolings made it from the input {shape_text(given)}" if seen else "")
        + ", and the target was kept full-size", f"bring the two to one size: upsample the prediction "
        f"(F.interpolate(pred, size=target.shape[2:])) or shrink the target by {factor} (summing it, for a density "
        "map, so its total is kept)", "conv_formula", seen, (wanted[differ[-1]], made[differ[-1]]))


@message(BROADCAST)
def map_sizes_differ(ctx, m):
    """A map compared with a map of another size by an elementwise loss (a reconstruction, a mask):
    traced to the layer that made the prediction's size."""
    if ctx.op is None or not ctx.op.name.endswith("_loss"):
        return None
    shapes = [s for s in ctx.op_shapes() if s is not None][:2]
    if len(shapes) != 2 or len(shapes[0]) != len(shapes[1]) or len(shapes[0]) < 3 or shapes[0][:2] != shapes[1][:2]:
        return None
    made, wanted = shapes
    return _maps_of_other_sizes(ctx, tuple(made[2:]), tuple(wanted[2:]))


def _maps_of_other_sizes(ctx, made, wanted):
    """A diagnosis for a prediction map whose spatial sides ``made`` differ from the target's
    ``wanted``, from how the recorded layers changed the sides; None when they explain nothing.
    Its sizes are (the right one, the wrong one): the target's and the prediction's where a layer
    made the prediction the wrong size, the prediction's and the target's where the labels were."""
    name = ctx.op.name if ctx.op is not None else "the loss"
    differ = [d for d in range(len(made)) if made[d] != wanted[d]]
    if not differ or any(made[d] == 0 or wanted[d] == 0 for d in differ):
        return None
    steps = _side_changes(ctx, len(made))
    last = next((c for c in reversed(steps) if c[2][differ[0]] != c[3][differ[0]]), None)
    if last is not None and isinstance(last[1].module, nn.modules.conv._ConvTransposeNd) \
            and all(abs(made[d] - wanted[d]) < max(2, last[1].module.stride[min(d, len(last[1].module.stride) - 1)])
                    for d in differ):
        path, call, before, after = last
        conv = call.module
        return Diagnosis(
            "deconv_output_size", f"{name}: the prediction's sides {shape_text(made)} and the target's "
            f"{shape_text(wanted)} differ by {', '.join(str(made[d] - wanted[d]) for d in differ)}; {path}, a "
            f"{type(conv).__name__}(kernel_size={conv.kernel_size}, stride={conv.stride}, padding={conv.padding}, "
            f"output_padding={conv.output_padding}), made {shape_text(after)} of {shape_text(before)}: a transposed "
            "convolution's output size is (in - 1) * stride - 2 * padding + kernel_size + output_padding, so it "
            "cannot give back every input size a strided convolution shrank",
            f"ask it for the size you need: call the layer as layer(x, output_size=target.shape[-{len(made)}:]) "
            "(or adjust padding / output_padding until the formula gives the target's sides)",
            "conv_formula", True, (wanted[differ[0]], made[differ[0]]) if len(differ) == 1 else (wanted, made))
    if all(made[d] % wanted[d] == 0 for d in differ) and len({made[d] // wanted[d] for d in differ}) == 1 \
            and made[differ[0]] // wanted[differ[0]] >= 2:
        factor = made[differ[0]] // wanted[differ[0]]
        return Diagnosis(
            "label_downsampling_rate", f"{name}: the targets' sides {shape_text(wanted)} are 1/{factor} of the "
            f"prediction's {shape_text(made)}: the labels were shrunk by a rate (in the dataset or its transform) "
            "other than the one at which the model predicts", f"shrink the labels by the rate the model's output "
            f"has (or none, and upsample the prediction to the labels: F.interpolate(pred, size=labels.shape[-"
            f"{len(made)}:], mode='bilinear'))", "conv_formula", False, (made, wanted))
    given = _model_input(ctx)
    grown = [c for c in steps if all(a >= b for a, b in zip(c[3], c[2])) and c[3] != c[2]]
    if given is not None and len(given) >= len(made) and tuple(given[-len(made):]) == tuple(wanted) \
            and all(made[d] > wanted[d] for d in differ) and grown:
        early = [c for c in grown if any(w in c[0].lower().split(".")[-1] for w in ("enc", "down"))]
        if early and any(isinstance(m, nn.modules.conv._ConvTransposeNd) for m in early[0][1].module.modules()):
            path, call, before, after = early[0]
            return Diagnosis(
                "transposed_conv_for_conv", f"{name}: the prediction {shape_text(made)} is larger than the input "
                f"{shape_text(wanted)}, which the targets match; {path}, a block of the encoder, grew the map from "
                f"{shape_text(before)} to {shape_text(after)}: it is built of transposed convolutions, which "
                "enlarge, where an encoder shrinks", f"build the encoder's blocks of Conv{len(made)}d (stride 2 "
                "halves the map) and keep ConvTranspose for the decoder", "conv_formula", False, (wanted, made))
    return None


def _side_changes(ctx, rank):
    """(path, call, sides before, sides after) for each recorded leaf or block call that changed the
    spatial sides of a (batch, channels, *sides) map of ``rank`` sides, in the order they ran."""
    changes = []
    for call in ctx.failure.before if ctx.failure else []:
        given = shape_of(call.inputs[0]) if call.inputs else None
        made = shape_of(call.output)
        if not given or not made or len(given) != rank + 2 or len(made) != rank + 2:
            continue
        if tuple(given[2:]) != tuple(made[2:]):
            changes.append((call.path, call, tuple(given[2:]), tuple(made[2:])))
    return changes


def _model_input(ctx):
    """The shape of the first tensor given to the model: the newest outermost module call before
    the loss (the loss module itself is not the model)."""
    loss = ctx.failure.stack[0].module if ctx.failure and ctx.failure.stack else None
    for call in reversed(ctx.failure.before if ctx.failure else []):
        if call.depth == 0 and call.inputs and call.module is not loss:
            return shape_of(call.inputs[0])
    return None


@message(BROADCAST)
def loss_rows_changed(ctx, m):
    """Predictions with more (or fewer) rows than the targets, where the targets have the model's
    batch: a view/reshape/flatten inside the model merged another axis into the batch (the final
    states of every layer viewed as rows), or split it."""
    if ctx.op is None or not ctx.op.name.endswith("_loss"):
        return None
    shapes = [s for s in ctx.op_shapes() if s is not None][:2]
    given = _model_input(ctx)
    if len(shapes) != 2 or not all(shapes) or not given:
        return None
    made, wanted = shapes
    batch = given[0]
    if wanted[0] != batch or made[0] == batch or tuple(made[1:]) != tuple(wanted[1:]) and len(made) == len(wanted):
        return None
    op = _merged_into_rows(ctx, batch, made[0])
    if op is None:
        return None
    before, after = shape_of(op.args[0]), shape_of(op.result)
    where = f" in {op.where}" if op.where else ""
    return Diagnosis(
        "batch_changed", f"{ctx.op.name} got {made[0]} predictions for {wanted[0]} targets: the batch is "
        f"{batch} (the model's input {shape_text(given)}), and {op.name}({describe_call(op.args[1:], op.kwargs)})"
        f"{where} made {shape_text(after)} of {shape_text(before)}, folding its other axes into the rows",
        f"keep one row per example: pick the part you mean before flattening (h_n[-1], the last layer's "
        f"state, for {shape_text(before)} final states), or flatten each example with x.flatten(1)",
        "flatten", True, (wanted[0], made[0]))


def _merged_into_rows(ctx, batch, rows):
    """The newest view/reshape/flatten that made a tensor with ``rows`` on axis 0 from one with the
    batch on another axis, or with it on axis 0 and other axes merged in."""
    for op in reversed(ctx.failure.ops if ctx.failure else []):
        if op.name not in ("view", "reshape", "flatten") or not op.args:
            continue
        before, after = shape_of(op.args[0]), shape_of(op.result)
        if before and after and after[0] == rows and batch in before and rows not in before[:1] \
                and (rows % batch == 0 or batch % rows == 0):
            return op
    return None



@message(r"only batches of spatial targets supported \(3D tensors\) but got targets of dimension: (\d+)")
def spatial_target_dims(ctx, m):
    """Pixel-wise cross-entropy / NLL: scores (B, C, H, W) take targets (B, H, W), one class id per
    pixel; masks often arrive with a channel axis or one-hot."""
    scores, target = _loss_tensors(ctx)
    if scores is None or target is None or scores.dim() != 4 or target.dim() != 4:
        return None
    b, c, h, w = scores.shape
    wanted = (b, h, w)
    if tuple(target.shape) == (b, h, w, c) and bool(((target == 0) | (target == 1)).all()):
        return Diagnosis(
            "ce_onehot_long", f"the targets {shaped(target)} are one-hot masks, one 0/1 column per class, but the "
            f"loss takes one class id per pixel, {shape_text(wanted)}", "target.argmax(-1) gives the class ids "
            f"{shape_text(wanted)}", "loss_axes", True, (wanted, tuple(target.shape)))
    if tuple(target.shape[:3]) == (b, h, w) and target.shape[3] in (3, 4) and target.shape[3] != c:
        colours = int(target.max()) >= c
        copies = bool((target == target[..., :1]).all())
        return Diagnosis(
            "mask_rgb", f"the targets {shaped(target)} have {target.shape[3]} values per pixel"
            + (f", up to {int(target.max())}: colours, not class ids" if colours else
               ", three copies of one label" if copies else "") + ": the masks were read as RGB(A) pictures, where "
            f"the loss takes one class id per pixel (0 to {c - 1}), {shape_text(wanted)}", "map each colour to its "
            "class id (a palette lookup), or read the masks as single-channel label images (label[..., 0] when the "
            "channels are copies); keep them (batch, height, width)", "loss_axes", colours or copies,
            (wanted, tuple(target.shape)))
    if tuple(target.shape) == (b, 1, h, w):
        return Diagnosis(
            "ce_target_extra_axis", f"the targets {shaped(target)} keep the mask's channel axis; the loss takes one "
            f"class id per pixel, {shape_text(wanted)}", "target.squeeze(1) (not squeeze(), which would also drop a "
            "batch of one)", "loss_axes", True, (wanted, tuple(target.shape)))
    return Diagnosis(
        "ce_target_size", f"the targets {shaped(target)} are 4-D; for scores {shaped(scores)} the loss takes one "
        f"class id per pixel, {shape_text(wanted)}", "give targets of shape (batch, height, width) holding class "
        "ids", "loss_axes", False, (wanted, tuple(target.shape)))


@message(r"grad can be implicitly created only for scalar outputs")
def backward_of_a_tensor(ctx, m):
    """loss.backward() on a loss that is not one number: reduction='none', or a model's output
    used as the loss."""
    loss = ctx.first_tensor(ctx.op_args)
    if loss is None:
        return None
    made = next((op for op in reversed(ctx.failure.ops if ctx.failure else [])
                 if shape_of(op.result) == tuple(loss.shape)), None)
    by = f", as {made.name} returned it" if made is not None else ""
    return Diagnosis(
        "loss_not_scalar", f"backward() was called on a tensor {shaped(loss)}{by}; without an argument, backward "
        "starts from one number, the loss", "reduce it to one number first: loss.mean() (or the loss's "
        "reduction='mean', its default); backward(gradient) is for when you mean a vector", None, True)


@message(r"a Tensor with (\d+) elements cannot be converted to Scalar|only one element tensors can be "
         r"converted to Python scalars")
def item_of_many(ctx, m):
    x, shown = ctx.operand()
    return Diagnosis(
        "item_not_scalar", f"{ctx.op.name if ctx.op else 'item'}() takes a tensor of one element, and this one{shown} "
        "has more: a loss or a metric not reduced to one number", "reduce it first (.mean() or .sum()), or use "
        ".tolist() for every value", None, True)


@message(r"all elements of input should be between 0 and 1")
def bce_given_scores(ctx, m):
    scores = ctx.first_tensor(ctx.op_args) if ctx.op is not None else ctx.first_tensor()
    if scores is None:
        return None
    if bool(torch.isnan(scores).any()):
        return Diagnosis(
            "nan_scores", f"binary cross-entropy's input {shaped(scores)} holds NaN: the model's numbers blew up "
            "before the loss (a learning rate too high, a log or division of zero)", "find the first step whose "
            "loss is NaN or huge: lower the learning rate, clip gradients, and guard logs and divisions", None, True)
    low, high = float(scores.min()), float(scores.max())
    return Diagnosis(
        "bce_given_logits", f"binary cross-entropy takes probabilities, and its input {shaped(scores)} runs from "
        f"{low:.3g} to {high:.3g}: raw scores (logits), with no sigmoid applied", "nn.BCEWithLogitsLoss on the "
        "raw scores (numerically safer), or torch.sigmoid(scores) before nn.BCELoss", None, True)


@message(r"Boolean value of Tensor with more than one value is ambiguous")
def loss_built_with_tensors(ctx, m):
    """nn.CrossEntropyLoss(outputs, labels): the tensors go to the constructor (as weight and the
    old size_average flag) instead of to the loss it builds."""
    built = ctx.frame_locals("__init__").get("self")
    if not isinstance(built, nn.modules.loss._Loss):
        return None
    name = type(built).__name__
    functional = f" (or F.{_FUNCTIONAL[name]}(outputs, targets))" if name in _FUNCTIONAL else ""
    return Diagnosis(
        "loss_constructed_with_tensors", f"nn.{name}(...) was given tensors: a loss class is built first, with "
        f"its settings, and then called on the tensors; {name}(outputs, targets) hands them to the constructor, "
        "which reads them as settings", f"criterion = nn.{name}() once, then loss = criterion(outputs, targets)"
        f"{functional}", None, True)


_FUNCTIONAL = {"CrossEntropyLoss": "cross_entropy", "NLLLoss": "nll_loss", "MSELoss": "mse_loss",
               "L1Loss": "l1_loss", "BCELoss": "binary_cross_entropy",
               "BCEWithLogitsLoss": "binary_cross_entropy_with_logits", "KLDivLoss": "kl_div",
               "SmoothL1Loss": "smooth_l1_loss", "HuberLoss": "huber_loss"}


@message(r"size mismatch \(got input: \[([\d, ]+)\] ?, target: \[([\d, ]+)\]")
def ce_classes_on_another_axis(ctx, m):
    """Cross-entropy over a map (scores of 4 or more axes): the classes must be on axis 1, and the
    targets the scores' shape without it."""
    scores, target = ints(m.group(1)), ints(m.group(2))
    if len(scores) != len(target) + 1:
        return None
    axes = [a for a in range(len(scores)) if tuple(scores[:a] + scores[a + 1:]) == tuple(target)]
    wanted = tuple(scores[:1] + scores[2:])
    if not axes and len(scores) >= 4 and scores[0] == target[0]:
        sized = _maps_of_other_sizes(ctx, tuple(scores[2:]), tuple(target[1:]))
        if sized is not None:
            return sized
    if not axes or 1 in axes:
        return Diagnosis(
            "ce_target_size", f"the scores {shape_text(scores)} take targets {shape_text(wanted)} (their shape "
            f"without axis 1, the classes), and the targets are {shape_text(target)}", "give one class id per "
            "position, in the scores' shape without axis 1", "loss_axes", False, (wanted, target))
    axis = axes[-1]
    moved = next((op for op in reversed(ctx.failure.ops if ctx.failure else [])
                  if op.name in ("permute", "transpose", "movedim") and shape_of(op.result) == tuple(scores)), None)
    by = (f": {moved.name}({describe_call(moved.args[1:], moved.kwargs)}) made them from "
          f"{shape_text(shape_of(moved.args[0]))}" if moved is not None and moved.args else "")
    source = _source_axis(moved, axis)
    if source is not None:
        before = shape_of(moved.args[0])
        fix = (f"move the classes to axis 1 from the tensor before the {moved.name}, keeping the other axes in "
               f"their order: x.movedim({source}, 1) on {shape_text(before)} (with einops, name the axes in the order "
               "they have, e.g. 'b h w c -> b c h w'); moving them on the result would leave its other axes reordered")
    else:
        fix = (f"put the classes on axis 1: scores.movedim({axis}, 1), after checking that the other axes are in "
               "the targets' order")
    return Diagnosis(
        "ce_classes_last", f"the scores {shape_text(scores)} hold the {scores[axis]} classes on axis {axis}, and "
        f"cross_entropy reads classes from axis 1 (here {scores[1]}){by}", fix, "loss_axes",
        moved is not None or len(axes) == 1, (wanted, target))


def _source_axis(moved, axis):
    """The axis of the tensor before a recorded permute that the permute put at ``axis``."""
    if moved is None or moved.name != "permute" or len(moved.args) < 2:
        return None
    dims = moved.args[1:] if len(moved.args) > 2 else getattr(moved.args[1], "items", moved.args[1])
    dims = [getattr(d, "value", d) for d in (dims if isinstance(dims, (tuple, list)) else (dims,))]
    if not all(isinstance(d, int) for d in dims) or axis >= len(dims):
        return None
    return dims[axis] % len(dims)


def _maps_flattened(ctx, scores, target):
    """(the score map's spatial sides, the label map's) when the scores (N, C) and the targets (N,)
    were both flattened by recorded view/reshape calls from maps of the same rank whose spatial sides
    differ: (B, H, W, C) -> (-1, C) and (B, H', W') -> (-1)."""
    if scores is None or target is None or scores.dim() != 2 or target.dim() != 1:
        return None
    made = labels = None
    for op in reversed(ctx.failure.ops if ctx.failure else []):
        if op.name not in ("view", "reshape", "flatten") or not op.args:
            continue
        before, after = shape_of(op.args[0]), shape_of(op.result)
        if made is None and after == tuple(scores.shape) and before and len(before) >= 3 \
                and before[-1] == scores.shape[1]:
            made = before
        elif labels is None and after == tuple(target.shape) and before and len(before) >= 2:
            labels = before
    if made is None or labels is None or len(made) != len(labels) + 1:
        return None
    sides, label_sides = tuple(made[1:-1]), tuple(labels[1:])
    if made[0] != labels[0] or sides == label_sides:
        return None
    return sides, label_sides



@message(r"Expected tensor to have size at least (\d+) at dimension 1, but got size (\d+) for argument #2 "
         r"'targets' \(while checking arguments for ctc_loss")
def ctc_target_lengths(ctx, m):
    """CTC's target_lengths longer than the padded targets: the lengths were counted on something
    other than what was encoded (labels with characters the alphabet drops, a file extension)."""
    longest, width = int(m.group(1)), int(m.group(2))
    args = ctx.op_args if ctx.op is not None else ctx.args
    lengths = args[3] if len(args) > 3 and isinstance(args[3], torch.Tensor) else None
    shown = f" {lengths.tolist()}" if lengths is not None and lengths.numel() <= 8 else ""
    return Diagnosis(
        "ctc_target_lengths", f"the target_lengths{shown} say a label is up to {longest} symbols long, and the "
        f"targets hold {width} per label: the lengths were counted on something other than what was encoded "
        "(characters the alphabet has no id for, a file name's extension, padding)", "count each label's length "
        "from the ids you encoded (the same list that fills the targets), after cleaning the label text",
        None, True, (longest, width))


def _batch_size_argument(ctx, rows):
    """The newest outermost module call that was passed the whole number ``rows`` as an argument
    (model(x, batch_size)), or None."""
    loss = ctx.failure.stack[0].module if ctx.failure and ctx.failure.stack else None
    for call in reversed(ctx.failure.before if ctx.failure else []):
        if call.depth != 0 or call.module is loss:
            continue
        if any(getattr(a, "value", None) == rows and isinstance(getattr(a, "value", None), int)
               and not isinstance(a.value, bool) for a in call.inputs):
            return call
        return None
    return None



@message(r"input_lengths must be of size batch_size|target_lengths must be of size batch_size")
def ctc_lengths_count(ctx, m):
    """CTC reads log_probs as (time, batch, classes): batch-first log-probabilities make the batch
    look like time, and the lengths count the wrong axis."""
    args = ctx.op_args if ctx.op is not None else ctx.args
    log_probs = args[0] if args and isinstance(args[0], torch.Tensor) else None
    lengths = args[2] if len(args) > 2 and isinstance(args[2], torch.Tensor) else None
    if log_probs is None or log_probs.dim() != 3 or lengths is None:
        return None
    n = lengths.numel()
    if n == log_probs.shape[0] and n != log_probs.shape[1]:
        return Diagnosis(
            "ctc_batch_first", f"CTC reads log_probs as (time, batch, classes), and {shape_text(log_probs.shape)} has "
            f"its batch of {n} first (there are {n} input lengths): it is (batch, time, classes), so CTC took "
            f"{log_probs.shape[1]} as the batch", "log_probs.transpose(0, 1), (time, batch, classes), before the "
            "loss (or make the network return it time-first)", "batch_first", True, (n, log_probs.shape[1]))
    return Diagnosis(
        "ctc_lengths_count", f"CTC's batch is axis 1 of log_probs {shape_text(log_probs.shape)}, "
        f"{log_probs.shape[1]}, and it was given {n} lengths", "give one input length and one target length per "
        "example of the batch", None, False, (log_probs.shape[1], n))


@message(r"Expected input_lengths to have value at most (\d+), but got value (\d+)")
def ctc_input_lengths(ctx, m):
    """An input length longer than the time axis of CTC's log_probs: batch-first log-probabilities
    (the batch read as time), or lengths counted before the network shortened the sequence."""
    steps, longest = int(m.group(1)), int(m.group(2))
    args = ctx.op_args if ctx.op is not None else ctx.args
    log_probs = args[0] if args and isinstance(args[0], torch.Tensor) else None
    lengths = args[2] if len(args) > 2 and isinstance(args[2], torch.Tensor) else None
    if log_probs is not None and log_probs.dim() == 3 and lengths is not None and lengths.numel() == log_probs.shape[0] \
            and log_probs.shape[1] >= longest:
        return Diagnosis(
            "ctc_batch_first", f"CTC reads log_probs as (time, batch, classes), so {shape_text(log_probs.shape)} has "
            f"{steps} steps; its {log_probs.shape[1]} on axis 1 holds the input lengths ({longest} the longest): it "
            "is (batch, time, classes)", "log_probs.transpose(0, 1), (time, batch, classes), before the loss",
            "batch_first", True, (steps, longest))
    return Diagnosis(
        "ctc_input_lengths", f"CTC's log_probs have {steps} time steps, and an input length says {longest}: "
        "input_lengths must count the steps of log_probs, after the network's striding or pooling shortened "
        "them, not the frames or samples that went in", "work the lengths out through the network (for a stride "
        "s: (length + s - 1) // s per strided layer), or give the full T for every example", None, False,
        (steps, longest))
