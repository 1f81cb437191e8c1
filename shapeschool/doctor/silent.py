"""``doctor.check``: one forward (and one loss) traced, and the silent shape bugs the course
teaches looked for in the trace. Each finding names its evidence; none is raised as an error.

What it looks for:
- samples that mix: changing example 0 of the batch changes the output for another example,
  which no correct model does in eval mode (a batch-first tensor given to a seq-first LSTM, a
  ``view`` that splits the batch, a softmax over the batch axis); it names where the mixing starts;
- a batch on the time axis: a recurrent layer whose batch axis does not hold the batch size;
- a batch that changes size: the output has no axis the size of the batch;
- a ``Conv2d`` given a 3-D batch, which it reads as one image;
- ``cross_entropy`` given scores whose classes are not on axis 1;
- regression losses given predictions and targets of different shapes (they broadcast);
- one direction of a bidirectional layer read as the whole sentence;
- padding run through a bidirectional recurrent layer without packing.
"""
import functools
import math
import warnings
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pad_packed_sequence

from .lessons import where
from .recorder import CHECKED, Recorder, name_in_caller
from .summaries import settings, shape_of, shape_text, tensors_in


class ShapeWarning(UserWarning):
    """A silent shape bug ``doctor.check`` found."""


@dataclass
class Finding:
    kind: str
    path: str
    message: str                  # what is wrong, with the evidence
    fix: str
    lesson: str = None
    certain: bool = True

    def text(self):
        sure = "" if self.certain else " (likely, not certain)"
        taught = f" Taught in {where(self.lesson)}." if self.lesson else ""
        return f"{self.path}: {self.message}{sure}. Fix: {self.fix}.{taught}"


class Findings(list):
    """What ``check`` found; prints as lines of text, shows as a table in Jupyter."""

    def __str__(self):
        if not self:
            return "shapeschool.doctor.check: no silent shape bug found"
        return "\n".join(["shapeschool.doctor.check found:"] + [f"- {f.text()}" for f in self])

    __repr__ = __str__

    def _repr_html_(self):
        import html
        if not self:
            return "<p>shapeschool.doctor.check: no silent shape bug found</p>"
        rows = "".join(f"<tr><td style='text-align:left'><code>{html.escape(f.path)}</code></td>"
                       f"<td style='text-align:left'>{html.escape(f.message)}{'' if f.certain else ' (likely)'}</td>"
                       f"<td style='text-align:left'>{html.escape(f.fix)}</td></tr>" for f in self)
        return ("<table><tr><th>where</th><th>what the trace shows</th><th>fix</th></tr>" + rows + "</table>")


OUTPUT = "the model's output"       # where a finding points when the model returns the evidence

LOSSES_THAT_BROADCAST = ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss")


def check(model, example_input, loss_fn=None, target=None, batch_dim=None, warn=True):
    """Run ``model`` once on ``example_input`` (a batch as your DataLoader gives it: a tensor, or
    a tuple of the model's positional inputs, with the batch on ``batch_dim``), and, given
    ``loss_fn`` and ``target``, the loss once; return the ``Findings`` (and warn each one).

    Without ``batch_dim`` the batch is taken to be on axis 0, as a DataLoader gives it; a finding
    that rests on that guess alone (a seq-first example would read the other way) is then not
    stated as certain, and says to pass ``batch_dim``.

    The model runs in eval mode under ``torch.no_grad`` and is put back as it was."""
    guessed = batch_dim is None
    batch_dim = 0 if guessed else batch_dim
    inputs = example_input if isinstance(example_input, tuple) else (example_input,)
    first = next((t for t in inputs if isinstance(t, torch.Tensor)), None)
    if first is None or first.dim() <= batch_dim:
        raise ValueError(f"doctor.check needs an example batch with a batch axis {batch_dim}; got "
                         f"{type(example_input).__name__}: pass model inputs as a tensor or a tuple of them")
    name = name_in_caller(model) or "model"
    findings, base = _findings(model, inputs, loss_fn, target, batch_dim, name)
    if guessed and findings:
        # A finding that the seq-first reading of the same example does not make rests on the guess.
        sequences = first.dim() >= 3 or first.dim() == 2 and not first.is_floating_point()   # (B, F) floats are not
        try:
            other = (_findings(model, inputs, loss_fn, target, 1, name)[0]                   # read seq-first
                     if sequences and first.shape[1] >= 2 else [])
        except Exception:       # the model cannot run the example read that way (an empty sentence when
            other = None        # example 0 is made a copy of example 1 along axis 1): it is not seq-first
        fed = _fed_directly(base, inputs)
        for f in findings:
            alone = sequences and other is not None and not any(o.kind == f.kind and o.path == f.path for o in other)
            if alone or f.kind == "batch_on_time_axis" and f.path in fed:
                f.certain = False
                f.message += ("; if the example is seq-first, (time, batch, ...), pass batch_dim=1 to "
                              "doctor.check: it cannot tell the two layouts apart from one example")
    if warn:
        for f in findings:
            warnings.warn(f.text(), ShapeWarning, stacklevel=2)
    return findings


def _findings(model, inputs, loss_fn, target, batch_dim, name):
    """(Findings, the traced run) for the example read with its batch on ``batch_dim``."""
    batch = next(t for t in inputs if isinstance(t, torch.Tensor)).shape[batch_dim]
    training = model.training if isinstance(model, nn.Module) else None    # any callable will do
    if training is not None:
        model.eval()
    try:
        with torch.no_grad():
            base = _traced(model, inputs, loss_fn, target, name)
            mixed = _mixing(model, inputs, batch_dim, batch, base, name) if batch >= 2 else None
    finally:
        if training is not None:
            model.train(training)
    findings = Findings()
    if mixed is not None:
        findings.append(mixed)
    for look in (_batch_on_time_axis, _batch_changed, _unbatched_conv, _bidirectional_halves,
                 _padding_checks, _unpacked_in_the_other_layout, _view_moves_axes,
                 _table_sliced_by_batch, _loss_classes_axis, _loss_broadcast, _loss_padding, _mean_over_padding,
                 _predictions_at_padding, _conv1d_over_the_embedding, _pooled_over_padding,
                 _padding_mask_inverted, _over_the_batch_axis, _softmax_then_contracted_elsewhere,
                 _norm_over_the_steps, _padded_steps_read):
        for found in look(base, batch, inputs, batch_dim):
            if not any(f.kind == found.kind and f.path == found.path for f in findings):
                findings.append(found)
    if any(f.kind == "batch_on_time_axis" for f in findings):      # the cause explains the mixing
        findings[:] = [f for f in findings if f.kind != "samples_mix"]
    return findings, base


def _fed_directly(trace, inputs):
    """Paths of the recurrent layers given the example itself (or its embedding, axis for axis):
    where a seq-first example and a batch-first one cannot be told apart."""
    first = next((t for t in inputs if isinstance(t, torch.Tensor)), None)
    paths = set()
    for call in _rnn_calls(trace):
        x = call.values[0][0] if call.values[0] else None
        if isinstance(x, torch.Tensor) and first is not None and tuple(x.shape[:first.dim()]) == tuple(first.shape):
            paths.add(call.path)
    return paths


class _Trace:
    """One traced run: the module calls and watched functional calls, with their values."""

    def __init__(self, recorder, output, returned=None):
        self.calls = list(recorder.calls)
        self.ops = list(recorder.ops)
        self.output = output
        self.returned = returned           # what loss_fn gave back (a loss, a metric, predictions)

    @functools.cached_property
    def padding(self):
        """What ``_padding_of`` finds, worked out once for every look that needs it."""
        return _padding_of(self)


def _traced(model, inputs, loss_fn=None, target=None, name="model"):
    recorder = Recorder(keep_values=True, limit=10_000, watch=CHECKED)
    recorder.name(model, name)
    if isinstance(loss_fn, nn.Module):        # nn.MSELoss() passed straight in is named as it was passed
        recorder.name(loss_fn, name_in_caller(loss_fn) or "loss_fn")
    recorder.start()
    returned = None
    try:
        output = model(*inputs)
        if loss_fn is not None and target is not None:
            returned = loss_fn(output, target)
    finally:
        recorder.stop()
    return _Trace(recorder, output, returned)


def _with_example_zero_changed(inputs, batch_dim, batch):
    """The inputs with example 0 replaced by a copy of example 1 (a valid example, whatever the
    dtype), in every tensor that has the batch on ``batch_dim``; None if nothing changed."""
    changed, out = False, []
    for t in inputs:
        if isinstance(t, torch.Tensor) and t.dim() > batch_dim and t.shape[batch_dim] == batch:
            t = t.clone()
            zero, one = t.select(batch_dim, 0), t.select(batch_dim, 1)
            if not torch.equal(zero, one):
                zero.copy_(one)
                changed = True
        out.append(t)
    return tuple(out) if changed else None


def _moved(a, b, axis, batch):
    """Whether ``a`` and ``b`` differ anywhere except at index 0 of ``axis``."""
    if a.shape != b.shape or a.dim() <= axis or a.shape[axis] != batch:
        return False
    rest_a, rest_b = a.narrow(axis, 1, batch - 1), b.narrow(axis, 1, batch - 1)
    if rest_a.is_floating_point():
        return not torch.allclose(rest_a, rest_b, rtol=1e-4, atol=1e-5, equal_nan=True)
    return not torch.equal(rest_a, rest_b)


def _mixes(a, b, batch):
    """Whether a change to example 0 reached other examples in ``a`` -> ``b``: along every axis
    the size of the batch, something changed beyond index 0. (If along some such axis only
    index 0 changed, that axis can be the batch, and nothing mixed.)"""
    if not isinstance(a, torch.Tensor) or not isinstance(b, torch.Tensor) or a.shape != b.shape:
        return False
    axes = [i for i, size in enumerate(a.shape) if size == batch]
    return bool(axes) and all(_moved(a, b, axis, batch) for axis in axes)


def _mixing(model, inputs, batch_dim, batch, base, name):
    """A finding when examples of the batch affect one another, naming where that starts."""
    changed = _with_example_zero_changed(inputs, batch_dim, batch)
    if changed is None:
        return None
    other = _traced(model, changed, name=name)
    if not any(_mixes(a, b, batch) for a, b in zip(tensors_in(base.output), tensors_in(other.output))):
        return None
    across = _attention_across_examples(base, other)
    if across is not None:
        return across
    # where it starts: the first module, in the order they finished, whose inputs or outputs mix
    finished = sorted(range(len(base.calls)), key=lambda i: _finish_order(base.calls, i))
    previous = None
    for i in finished:
        if i >= len(other.calls) or other.calls[i].path != base.calls[i].path:
            break
        a, b = base.calls[i], other.calls[i]
        for side, va, vb in (("input", a.values[0], b.values[0]), ("output", a.values[1], b.values[1])):
            if any(_mixes(ta, tb, batch) for ta, tb in zip(tensors_in(va), tensors_in(vb))):
                where_ = (f"between {previous.path} and {a.path} (in the forward code)" if side == "input"
                          and previous is not None else a.path)
                return Finding(
                    "samples_mix", where_, f"changing example 0 of the batch changed the {side} of {a.path} "
                    f"for other examples; examples of a batch never affect one another in a correct "
                    f"model (in eval mode)", "keep the batch axis apart: check transposes, view/reshape "
                    "over the batch axis, and softmax/normalisation over dim 0", "batch_first", True)
        previous = a
    return Finding("samples_mix", "the model's forward code", "changing example 0 of the batch changed "
                   "the output for other examples", "keep the batch axis apart in view/reshape and "
                   "reductions", "batch_first", True)


def _changed_along(a, b, axis):
    """The indices along ``axis`` where ``a`` and ``b`` differ."""
    differ = ~torch.isclose(a, b, rtol=1e-4, atol=1e-5) if a.is_floating_point() else a != b
    others = [d for d in range(a.dim()) if d != axis]
    return set(torch.nonzero(differ.any(dim=others) if others else differ).flatten().tolist())


def _attention_across_examples(base, other):
    """A Finding when an attention layer's query holds one changed example spread over its batch
    axis and confined to part of its sequence axis: the examples were laid out the other way (a
    batch-first layout into a seq-first layer, windows folded with the batch), so it attends across
    them."""
    for a, b in zip(base.calls, other.calls):
        if a.path != b.path or not isinstance(a.module, nn.MultiheadAttention) or not a.values or not b.values:
            continue
        qa, qb = (a.values[0][0] if a.values[0] else None), (b.values[0][0] if b.values[0] else None)
        if not isinstance(qa, torch.Tensor) or not isinstance(qb, torch.Tensor) or qa.shape != qb.shape or qa.dim() != 3:
            continue
        seq, batch_axis = (1, 0) if a.module.batch_first else (0, 1)
        along_seq, along_batch = _changed_along(qa, qb, seq), _changed_along(qa, qb, batch_axis)
        if len(along_batch) > 1 and along_seq and len(along_seq) < qa.shape[seq]:
            return Finding(
                "batch_on_time_axis", a.path, f"one example of the batch fills {len(along_batch)} of the "
                f"{qa.shape[batch_axis]} places on axis {batch_axis} of its query {shape_text(qa.shape)}, the axis "
                f"that {settings(a.module)} reads as the batch, and only {len(along_seq)} of the {qa.shape[seq]} "
                f"places on axis {seq}, which it reads as the sequence: it attends across examples",
                f"batch_first={not a.module.batch_first}, or lay the query out "
                f"{'(batch, sequence, features)' if a.module.batch_first else '(sequence, batch, features)'}",
                "batch_first", True)
    return None


def _finish_order(calls, i):
    """Sort key: a call finishes after every call it contains (deeper calls that follow it)."""
    depth = calls[i].depth
    j = i + 1
    while j < len(calls) and calls[j].depth > depth:
        j += 1
    return (j, -depth)


def _rnn_calls(trace):
    return [c for c in trace.calls if isinstance(c.module, nn.RNNBase) and c.values]


def _batch_on_time_axis(trace, batch, inputs, batch_dim):
    for call in _rnn_calls(trace):
        x = call.values[0][0] if call.values[0] else None
        if not isinstance(x, torch.Tensor) or x.dim() != 3:
            continue
        rnn = call.module
        batch_axis, time_axis = (0, 1) if rnn.batch_first else (1, 0)
        if x.shape[time_axis] == batch and x.shape[batch_axis] != batch:
            yield Finding(
                "batch_on_time_axis", call.path, f"dimension {time_axis} of its input {shape_text(x.shape)} is "
                f"{batch}, the example batch's size, and {settings(rnn)} reads dimension {time_axis} as time "
                f"(its batch axis, {batch_axis}, holds {x.shape[batch_axis]})",
                f"batch_first={not rnn.batch_first}, or x.transpose(0, 1) before it", "batch_first", True)


def _batch_changed(trace, batch, inputs, batch_dim):
    outs = tensors_in(trace.output)
    if outs and outs[0].dim() >= 1 and batch not in tuple(outs[0].shape):
        yield Finding(
            "batch_changed", OUTPUT, f"the model was given {batch} examples and returned "
            f"{shape_text(outs[0].shape)}, with no axis of {batch}", "flatten each example with x.flatten(1) "
            "(or x.view(x.size(0), -1)) so view/reshape never guesses the batch", "flatten", True)


def _unbatched_conv(trace, batch, inputs, batch_dim):
    for call in trace.calls:
        if isinstance(call.module, nn.Conv2d) and call.values:
            x = call.values[0][0]
            if isinstance(x, torch.Tensor) and x.dim() == 3:
                yield Finding(
                    "conv_unbatched", call.path, f"its input {shape_text(x.shape)} is 3-D, so Conv2d reads it "
                    f"as ONE image with {x.shape[0]} channels, not {batch} images", "add the channel axis: "
                    "x.unsqueeze(1) gives (batch, 1, height, width)", "flatten", x.shape[0] == batch)


def _conv1d_over_the_embedding(trace, batch, inputs, batch_dim):
    """A Conv1d given an Embedding's (batch, words, features) output as it is: it reads the words as
    channels and slides over the features (in_channels was set to the sentence length to make it run)."""
    tables = {id(c.values[1]): c for c in trace.calls
              if isinstance(c.module, nn.Embedding) and c.values and isinstance(c.values[1], torch.Tensor)}
    for call in trace.calls:
        if not isinstance(call.module, nn.Conv1d) or not call.values or not call.values[0]:
            continue
        x = call.values[0][0]
        table = tables.get(id(x))
        if table is None or x.dim() != 3:
            continue
        words, width = x.shape[1], x.shape[2]
        yield Finding(
            "conv1d_over_features", call.path, f"it gets {table.path}'s output {shape_text(x.shape)}, (batch, words, "
            f"features) as it is, so it reads the {words} words as channels (in_channels={call.module.in_channels}) "
            f"and slides over the {width} embedding features, mixing every word at once",
            f"x.transpose(1, 2) to (batch, {width}, {words}) before it, and in_channels={width} (the embedding "
            "size)", "conv1d", call.module.in_channels == words)


def _padded_steps_read(trace, batch, inputs, batch_dim):
    """After pad_packed_sequence has padded the shorter sequences, a max, mean or sum over the time
    axis that reads the padding too, or a softmax over the steps with no mask between (attention that
    gives the padding weight)."""
    for i, op in enumerate(trace.ops):
        if op.name != "_pad_packed_sequence" or not op.values or not isinstance(op.values[2], tuple):
            continue
        padded, lengths = op.values[2][:2]
        args = op.values[0]
        first = bool(args[2]) if len(args) > 2 and isinstance(args[2], bool) else bool(op.values[1].get("batch_first"))
        if not isinstance(padded, torch.Tensor) or padded.dim() != 3 or not isinstance(lengths, torch.Tensor):
            continue
        time = 1 if first else 0
        steps = padded.shape[time]
        short = int((lengths < steps).sum())
        if short == 0:
            continue
        masked = False
        for later in trace.ops[i + 1:]:
            if later.name in ("masked_fill", "masked_fill_", "where") or _masks(later):
                masked = True
            if not later.values:
                continue
            largs, lkwargs, _ = later.values
            x = largs[0] if largs else None
            dim = lkwargs.get("dim", largs[1] if len(largs) > 1 else None)
            dim = dim[0] if isinstance(dim, (tuple, list)) and len(dim) == 1 else dim
            if later.name in ("max", "amax", "mean") and isinstance(x, torch.Tensor) \
                    and tuple(x.shape) == tuple(padded.shape) and isinstance(dim, int) and dim % 3 == time \
                    and _holds_the_padding(x, padded, lengths, time):
                yield Finding(
                    "padding_pooled", later.where or later.name, f"a {later.name} over the {steps} steps of "
                    f"{shape_text(x.shape)} reads the padding that pad_packed_sequence put after the {short} shorter "
                    f"sequences (lengths {lengths.tolist()}): its values count in a mean (which divides by {steps}) "
                    "and win a max wherever the real values are lower", "pool over each sequence's real steps: fill "
                    "the padding first (pad_packed_sequence(..., padding_value=float('-inf')) for a max), or divide a "
                    "masked sum by the lengths for a mean", "padding_loss", True)
                return
            if later.name in ("softmax", "log_softmax") and not masked and isinstance(x, torch.Tensor) \
                    and isinstance(dim, int) and x.dim() >= 2 and x.shape[dim] == steps and batch in x.shape:
                yield Finding(
                    "padding_read", later.where or later.name, f"a {later.name} over {steps} steps of "
                    f"{shape_text(x.shape)} after pad_packed_sequence padded the {short} shorter sequences "
                    f"(lengths {lengths.tolist()}), with no mask between: the padded steps get weight, and what is "
                    "read from them dilutes the result", "mask the scores of the padded steps before the softmax: "
                    "scores.masked_fill(torch.arange(T)[None, :] >= lengths[:, None], float('-inf'))",
                    "padding_loss", False)
                return


def _holds_the_padding(x, padded, lengths, time):
    """Whether ``x`` still holds pad_packed_sequence's padding where ``padded`` does, row by row (in
    any order of the rows: the batch may have been put back in its order with index_select)."""
    x_rows = x.movedim(time, 0).movedim(1, 0)               # (batch, steps, ...)
    p_rows = padded.movedim(time, 0).movedim(1, 0)
    for b, n in enumerate(lengths.tolist()):
        if n >= p_rows.shape[1]:
            continue
        tail = p_rows[b, n:]
        if not any(torch.equal(x_rows[r, n:], tail) and torch.equal(x_rows[r, :n], p_rows[b, :n])
                   for r in range(x_rows.shape[0])):
            return False
    return True


def _masks(op):
    """Whether a recorded sum or product applies a mask: an operand that is boolean, holds only 0 and
    1, or holds very large negative values (scores + (1 - mask) * -1e9)."""
    if op.name not in ("add", "__add__", "__radd__", "sub", "__sub__", "__rsub__", "mul", "__mul__", "__rmul__") \
            or not op.values:
        return False
    for x in op.values[0]:
        if not isinstance(x, torch.Tensor) or x.dim() < 2:
            continue
        if x.dtype == torch.bool or bool(((x == 0) | (x == 1)).all()) or bool((x <= -1e4).any()):
            return True
    return False


def _norm_over_the_steps(trace, batch, inputs, batch_dim):
    """A normalisation layer reading its features from the axis that holds the steps, which runs only
    because the number of steps equals the number of features: BatchNorm1d (channels on axis 1) given a
    (batch, steps, features) output of an Embedding, a Linear or a batch-first RNN; LayerNorm (the last
    axis) given a Conv1d's (batch, channels, steps)."""
    made = {}
    for call in trace.calls:
        if not call.values or call.values[1] is None:
            continue
        out = call.values[1]
        module = call.module
        if isinstance(module, (nn.Embedding, nn.Linear)) and isinstance(out, torch.Tensor):
            made[id(out)] = (call, "features last")
        elif isinstance(module, nn.RNNBase) and module.batch_first and isinstance(out, tuple) \
                and isinstance(out[0], torch.Tensor):
            made[id(out[0])] = (call, "features last")
        elif isinstance(module, nn.Conv1d) and isinstance(out, torch.Tensor):
            made[id(out)] = (call, "channels first")
    for call in trace.calls:
        if not call.values or not call.values[0] or not isinstance(call.values[0][0], torch.Tensor):
            continue
        x = call.values[0][0]
        producer = made.get(id(x))
        if producer is None or x.dim() != 3:
            continue
        source, layout = producer
        norm = call.module
        if isinstance(norm, nn.BatchNorm1d) and layout == "features last":
            yield Finding(
                "norm_over_steps", call.path, f"it gets {source.path}'s output {shape_text(x.shape)}, (batch, steps, "
                f"features), and BatchNorm1d reads features from axis 1: it normalises each of the {x.shape[1]} steps "
                f"over the batch and the {x.shape[2]} features, and runs only because num_features={norm.num_features} "
                "equals the number of steps", f"x.transpose(1, 2) before it and back after (features on axis 1), or "
                f"LayerNorm({x.shape[2]}) to normalise each step's features", "conv1d", True)
        elif isinstance(norm, nn.LayerNorm) and layout == "channels first" and len(norm.normalized_shape) == 1:
            yield Finding(
                "norm_over_steps", call.path, f"it gets {source.path}'s output {shape_text(x.shape)}, (batch, channels, "
                f"steps), and LayerNorm normalises the last axis: it normalises each channel over the {x.shape[2]} "
                f"steps, and runs only because normalized_shape={tuple(norm.normalized_shape)} equals the number of "
                "steps", "x.transpose(1, 2) before it and back after (channels last), so each step's channels are "
                "normalised", "conv1d", True)


def _state_of(output):
    """h_n of a recurrent layer's output ``(out, h_n)`` or ``(out, (h_n, c_n))``."""
    if isinstance(output, tuple) and len(output) == 2:
        state = output[1]
        return state[0] if isinstance(state, tuple) else state
    return None


def _same(x, tensor):
    return x.shape == tensor.shape and torch.equal(x, tensor)


def _first_reader(trace, calls, candidates):
    """(path, what): the first leaf module among ``calls`` whose first input is exactly one of
    ``candidates`` ({what: tensor}), else OUTPUT when the model returns one of them
    (a function that hands it on, as ``sentence_vector(h_n)`` does); (None, None) when neither."""
    for later in calls:
        if not later.leaf or not later.values:
            continue
        for x in tensors_in(later.values[0])[:1]:
            for what, tensor in candidates.items():
                if _same(x, tensor):
                    return later.path, what
    for x in tensors_in(trace.output)[:1]:
        for what, tensor in candidates.items():
            if _same(x, tensor):
                return OUTPUT, what
    return None, None


def _its(reader):
    return "it is" if reader == OUTPUT else "its input is"


def _bidirectional_halves(trace, batch, inputs, batch_dim):
    for i, call in enumerate(trace.calls):
        rnn = call.module
        if not (isinstance(rnn, nn.RNNBase) and rnn.bidirectional and call.values and call.values[1] is not None):
            continue
        h_n = _state_of(call.values[1])
        out = call.values[1][0] if isinstance(call.values[1], tuple) else None
        halves = {}
        if isinstance(h_n, torch.Tensor):
            halves["h_n[-1] (the backward direction alone)"] = h_n[-1]
            halves["h_n[-2] (the forward direction alone)"] = h_n[-2]
        if isinstance(out, torch.Tensor) and out.dim() == 3 and not isinstance(call.values[0][0], PackedSequence):
            last = out[:, -1] if rnn.batch_first else out[-1]
            halves["the output at the last step (its backward half has read one word)"] = last
        if isinstance(out, PackedSequence):
            padded, lengths = pad_packed_sequence(out, batch_first=True)
            steps = padded[torch.arange(padded.shape[0]), lengths - 1]
            halves["the output at each sentence's last real step (its backward half has read one word)"] = steps
        reader, what = _first_reader(trace, trace.calls[i + 1:], halves)
        if reader is not None:
            yield Finding(
                "bidirectional_half", reader, f"{_its(reader)} {what} of the bidirectional {call.path}",
                "a sentence vector from both directions: torch.cat([h_n[-2], h_n[-1]], dim=1)",
                "sentence_vector", True)
            return


def _ops_named(trace, names):
    return [op for op in trace.ops if op.name in names and op.values]


def _loss_classes_axis(trace, batch, inputs, batch_dim):
    linears = [c for c in trace.calls if isinstance(c.module, nn.Linear) and c.values and c.values[1] is not None]
    if not linears:
        return
    head = linears[-1]
    classes, made = head.module.out_features, head.values[1]
    for op in _ops_named(trace, ("cross_entropy", "nll_loss")):
        scores = op.values[0][0]
        if not isinstance(scores, torch.Tensor) or scores.dim() < 3 or scores.shape[-1] != classes:
            continue
        as_made = (isinstance(made, torch.Tensor) and scores.shape == made.shape
                   and scores.data_ptr() == made.data_ptr() and scores.stride() == made.stride())
        if as_made or scores.shape[1] != classes:
            yield Finding(
                "ce_classes_last", f"{op.where + ': ' if op.where else ''}{op.name}",
                f"the scores {shape_text(scores.shape)} have the {classes} classes of {head.path} on their last "
                f"axis, and {op.name} reads classes from axis 1", "scores.permute(0, 2, 1), or "
                "scores.reshape(-1, C) with targets.reshape(-1)", "loss_axes", True)


def _loss_broadcast(trace, batch, inputs, batch_dim):
    for op in _ops_named(trace, LOSSES_THAT_BROADCAST):
        args = [a for a in op.values[0] if isinstance(a, torch.Tensor)]
        if len(args) >= 2 and args[0].shape != args[1].shape:
            yield Finding(
                "loss_broadcast", f"{op.where + ': ' if op.where else ''}{op.name}",
                f"predictions {shape_text(args[0].shape)} and targets {shape_text(args[1].shape)} broadcast to "
                f"{shape_text(torch.broadcast_shapes(args[0].shape, args[1].shape))}: every prediction is "
                "compared with every target", "give both the same shape: predictions.squeeze(-1)", "loss_axes",
                True)
    for op in _ops_named(trace, ("sub", "__sub__", "__rsub__")):
        if op.where:                                   # a loss written by hand, after the model
            continue
        args = [a for a in op.values[0] if isinstance(a, torch.Tensor)]
        if len(args) != 2 or args[0].dim() == args[1].dim() or min(a.dim() for a in args) != 1:
            continue
        column, row = sorted(args, key=lambda a: -a.dim())
        if column.dim() == 2 and column.shape[1] == 1 and column.shape[0] == row.shape[0] == batch:
            yield Finding(
                "loss_broadcast", op.name, f"{shape_text(args[0].shape)} - {shape_text(args[1].shape)} broadcasts to "
                f"{shape_text((batch, batch))}: every prediction is subtracted from every target, a difference for "
                "each pair of examples", "give both the same shape: predictions.squeeze(-1) (or targets.unsqueeze(-1))",
                "loss_axes", True)
            return


def _groups(sizes_in, sizes_out):
    """Pair runs of input sizes with runs of output sizes whose products agree: how a
    view/reshape merges and splits axes. Empty when the sizes cannot be paired."""
    i = j = 0
    groups = []
    while i < len(sizes_in) and j < len(sizes_out):
        gi, go = [sizes_in[i]], [sizes_out[j]]
        pi, po = sizes_in[i], sizes_out[j]
        i, j = i + 1, j + 1
        while pi != po:
            if pi < po and i < len(sizes_in):
                gi.append(sizes_in[i])
                pi *= sizes_in[i]
                i += 1
            elif po < pi and j < len(sizes_out):
                go.append(sizes_out[j])
                po *= sizes_out[j]
                j += 1
            else:
                return []
        groups.append((gi, go))
    return groups


def _kept(size, gi, go):
    """Whether an axis of ``size`` keeps its place in memory through a view that turns the sizes
    ``gi`` into ``go``: it does when some axis of that size has as many elements after it, within
    the group, before and after. (2, 3, 4) -> (8, 3) re-reads the 3: 4 elements follow it before,
    1 after; (2, 3, 4) -> (2, 12) keeps nothing of size 3 and merges it, which is not a move."""
    trailing_in = {math.prod(gi[p + 1:]) for p, s in enumerate(gi) if s == size}
    trailing_out = {math.prod(go[q + 1:]) for q, s in enumerate(go) if s == size}
    return bool(trailing_in & trailing_out)


def _view_moves_axes(trace, batch, inputs, batch_dim):
    for op in _ops_named(trace, ("view", "reshape")):
        args, _, result = op.values
        x = args[0] if args else None
        if not isinstance(x, torch.Tensor) or not isinstance(result, torch.Tensor):
            continue
        before, after = [int(s) for s in x.shape], [int(s) for s in result.shape]
        for gi, go in _groups(before, after):
            if len(gi) < 2 or len(go) < 2 or 1 in gi or 1 in go:
                continue
            moved = [s for s in gi if s in go and not _kept(s, gi, go)]
            if moved:
                permutation = sorted(gi) == sorted(go)
                yield Finding(
                    "view_moves_axes", op.where or op.name,
                    f"{op.name} turns {shape_text(before)} into {shape_text(after)}: the axis of {moved[0]} moves "
                    f"place, but {op.name} never moves elements, it only re-reads them in memory order, so each "
                    "new row mixes pieces of the old ones",
                    "move axes with transpose/permute (then reshape if sizes must merge or split)",
                    "view_vs_transpose", permutation)
                break
    yield from _split_in_another_order(trace)


def _split_in_another_order(trace):
    """An axis made by merging sizes in one order (flatten of (C, p, p)) and later split back into
    the same sizes in another ((p, p, C)): each piece is read as something it is not. Likely only:
    what ran between (a Linear) may have learnt the other order."""
    merged = []                     # (sizes in order, the op that merged them)
    for op in _ops_named(trace, ("view", "reshape", "flatten")):
        args, _, result = op.values
        x = args[0] if args else None
        if not isinstance(x, torch.Tensor) or not isinstance(result, torch.Tensor):
            continue
        for gi, go in _groups([int(v) for v in x.shape], [int(v) for v in result.shape]):
            gi, go = [v for v in gi if v != 1], [v for v in go if v != 1]
            if len(gi) > 1 and len(go) == 1:
                merged.append((tuple(gi), op))
            elif len(gi) == 1 and len(go) > 1:
                if any(sizes == tuple(go) for sizes, _ in merged):
                    continue                           # it undoes a merge made in this order
                for sizes, first in [(z, f) for z, f in merged if sorted(z) == sorted(go)][-1:]:
                    if len(set(sizes)) > 1:
                        yield Finding(
                            "view_moves_axes", op.where or op.name, f"{first.name} merged sizes {shape_text(sizes)} into "
                            f"one axis of {gi[0]}{' in ' + first.where if first.where else ''}, and {op.name} splits "
                            f"it back as {shape_text(tuple(go))}: the pieces are read in another order than they "
                            "were packed", "split in the order of the merge, then permute the axes to the order you "
                            "need", "view_vs_transpose", False)
                        return


def _tables(trace):
    """(name, tensor) for every buffer and parameter of the modules that ran: where a position
    table lives."""
    seen = {}
    for call in trace.calls:
        for name, table in list(call.module.named_buffers(recurse=False)) + list(
                call.module.named_parameters(recurse=False)):
            if isinstance(table, torch.Tensor) and table.dim() >= 2:
                seen.setdefault(id(table), (f"{call.path}.{name}", table))
    return list(seen.values())


def _table_sliced_by_batch(trace, batch, inputs, batch_dim):
    """A table (a position encoding) sliced to the batch's size and added across the time steps:
    ``x + pe[:x.size(0)]`` written for (time, batch, d) and given (batch, time, d). Row b of the
    table, the code of position b, is added to every step of example b."""
    axis = batch_dim or 0
    tables = _tables(trace)
    for op in _ops_named(trace, ("add", "__add__", "__iadd__", "__radd__")):
        args, _, _ = op.values
        operands = [a for a in args[:2] if isinstance(a, torch.Tensor)]
        if len(operands) != 2 or operands[0].dim() != operands[1].dim() or operands[0].dim() < 3:
            continue
        for x, part in (operands, operands[::-1]):
            if x.shape[axis] != batch or part.shape[axis] != batch:
                continue
            spread = [d for d in range(x.dim()) if d != axis and part.shape[d] == 1 and x.shape[d] not in (1, batch)]
            if not spread:
                continue
            for name, table in _tables_holding(tables, part, axis):
                yield Finding(
                    "positions_wrong_axis", op.where or op.name,
                    f"{name} {shape_text(table.shape)} is cut to its first {batch} rows, the example batch's size, "
                    f"and added to {shape_text(x.shape)} across dimension {spread[0]} ({x.shape[spread[0]]} steps): "
                    f"each example gets one row of the table on every step, the code of one position for all of them",
                    f"slice the table by the number of steps, dimension {spread[0]} of the input, and lay it out "
                    f"to match ({shape_text(x.shape)} takes a (1, {x.shape[spread[0]]}, ...) table), or give it "
                    "the layout it was written for", "layouts", True)
                return


def _tables_holding(tables, part, axis):
    """The tables whose first rows, along ``axis``, are ``part``."""
    for name, table in tables:
        if (table.dim() == part.dim() and table.shape[axis] > part.shape[axis]
                and all(table.shape[d] == part.shape[d] for d in range(table.dim()) if d != axis)
                and torch.equal(table.narrow(axis, 0, part.shape[axis]).detach(), part.detach())):
            yield name, table


def _padding_of(trace):
    """(embedding call, ids, pad id, padded rows) from the first Embedding whose ids end in a
    repeated id in some rows but not all; None when the example shows no padding."""
    for call in trace.calls:
        if not (isinstance(call.module, nn.Embedding) and call.values):
            continue
        ids = call.values[0][0]
        if not isinstance(ids, torch.Tensor) or ids.dim() != 2 or ids.shape[1] < 2 or ids.shape[0] < 2:
            return None
        pad = call.module.padding_idx
        if pad is None or not bool((ids[:, -1] == pad).any()):
            last = ids[:, -1]
            values, counts = last.unique(return_counts=True)
            pad = int(values[counts.argmax()])
        ends = (ids[:, -1] == pad) & (ids[:, -2] == pad)
        rows = int(ends.sum())
        if rows == 0 or rows == ids.shape[0] and bool((ids == pad).all()):
            return None
        if call.module.padding_idx != pad and (rows < 2 or rows == ids.shape[0]):
            return None                      # one row, or every row, ending the same way: words, not padding
        return call, ids, pad, rows
    return None


def _unpacked_in_the_other_layout(trace, batch, inputs, batch_dim):
    """A batch packed with one batch_first and unpacked with the other: pad_packed_sequence defaults
    to batch_first=False, so a batch packed batch-first comes back (time, batch, ...)."""
    packed_first = None
    for op in trace.ops:
        if op.name == "_pack_padded_sequence" and len(op.args) > 2:
            packed_first = bool(op.values[0][2]) if op.values else None
        elif op.name == "_pad_packed_sequence" and packed_first is not None and op.values and len(op.values[0]) > 2:
            unpacked_first = bool(op.values[0][2])
            if unpacked_first != packed_first:
                made = tensors_in(op.values[2])[:1]
                shown = f" {shape_text(made[0].shape)}" if made else ""
                yield Finding(
                    "unpacked_layout", op.where or OUTPUT, f"the batch was packed with batch_first={packed_first} and "
                    f"unpacked with batch_first={unpacked_first} (pad_packed_sequence's default is False), so it comes "
                    f"back{shown}, {'(batch, time, ...)' if unpacked_first else '(time, batch, ...)'}, the other "
                    "layout from the one that was packed", f"pad_packed_sequence(..., batch_first={packed_first})",
                    "packing", False)


def _padding_checks(trace, batch, inputs, batch_dim):
    found = trace.padding
    if found is None:
        return
    table, ids, pad, rows = found
    rnns = [c for c in _rnn_calls(trace) if isinstance(c.values[0][0], torch.Tensor)]
    if table.module.padding_idx != pad and (table.module.padding_idx is not None or rnns):
        said = (f"its padding_idx is {table.module.padding_idx}" if table.module.padding_idx is not None
                else "it has no padding_idx, so the padding row is trained like a word")
        yield Finding(
            "padding_not_padding_idx", table.path, f"{rows} of the {ids.shape[0]} example sentences end in a run of "
            f"id {pad}, which looks like padding, but {said}", f"nn.Embedding(..., padding_idx={pad}) with <pad> at "
            "id 0 of the vocabulary", "padding_idx", False)
    for call in rnns:
        out = call.values[1][0] if isinstance(call.values[1], tuple) else None
        h_n = _state_of(call.values[1])
        rnn = call.module
        if rnn.bidirectional:
            yield Finding(
                "padding_unpacked", call.path, f"{rows} of the {ids.shape[0]} example sentences end in padding (id "
                f"{pad}, from {table.path}), and this bidirectional layer got a plain tensor: its backward "
                "direction starts in the padding", "pack the batch (pack_padded_sequence with the lengths, "
                "enforce_sorted=False)", "packing", True)
            continue
        ends = {}
        if isinstance(out, torch.Tensor) and out.dim() == 3:
            ends["the output at the last column"] = out[:, -1] if rnn.batch_first else out[-1]
        if isinstance(h_n, torch.Tensor):
            ends["the final state h_n"] = h_n[-1]
        reader, what = _first_reader(trace, [c for c in trace.calls if c is not call], ends)
        if reader is not None:
            yield Finding(
                "padding_read", reader, f"{_its(reader)} {what} of {call.path}, which for {rows} of the "
                f"{ids.shape[0]} example sentences comes after their padding (id {pad})",
                "pack the batch, or take out[arange(B), lengths - 1]", "last_real_step", True)
            return


def _loss_padding(trace, batch, inputs, batch_dim):
    found = trace.padding
    for op in _ops_named(trace, ("cross_entropy", "nll_loss")):
        args, kwargs, _ = op.values
        tensors = [a for a in args if isinstance(a, torch.Tensor)]
        if len(tensors) < 2:
            continue
        scores, target = tensors[:2]
        ignore = kwargs.get("ignore_index", args[4] if len(args) > 4 and isinstance(args[4], int) else -100)
        if found is not None:
            _, ids, pad, rows = found
            if target.numel() == ids.numel():
                at_pad = target.reshape(-1)[ids.reshape(-1) == pad]
                if at_pad.numel() and bool((at_pad == at_pad[0]).all()) and int(at_pad[0]) != ignore:
                    yield Finding(
                        "padding_in_loss", op.name, f"{at_pad.numel()} of the {target.numel()} targets sit where "
                        f"the input is padding, all tag {int(at_pad[0])}, and the loss counts them "
                        f"(ignore_index={ignore})", f"ignore_index={int(at_pad[0])}, the padding tag",
                        "padding_loss", True)
        sources = {id(r): a[0] for a, _, r in (o.values for o in trace.ops if o.name in ("view", "reshape"))
                   if isinstance(r, torch.Tensor) and a and isinstance(a[0], torch.Tensor)}
        s_src, t_src = sources.get(id(scores)), sources.get(id(target))
        if s_src is not None and t_src is not None and s_src.dim() == t_src.dim() + 1:
            lead, tlead = tuple(s_src.shape[:-1]), tuple(t_src.shape)
            if lead != tlead and lead == tlead[::-1]:
                yield Finding(
                    "flattened_two_ways", op.name, f"the scores were flattened from {shape_text(s_src.shape)} and the "
                    f"targets from {shape_text(t_src.shape)}: row k of one is not row k of the other",
                    "flatten both from the same layout: scores.reshape(-1, C) and targets.reshape(-1), both "
                    "batch-first", "loss_axes", True)


def _mean_over_padding(trace, batch, inputs, batch_dim):
    """A mean over every position of a padded batch, after the model: an accuracy (or a loss with
    reduction='none') that counts the padding."""
    found = trace.padding
    if found is None:
        return
    _, ids, pad, rows = found
    padding = int((ids == pad).sum())
    for op in _ops_named(trace, ("mean",)):
        args, kwargs, _ = op.values
        if op.where or len(args) != 1 or kwargs.get("dim") is not None:
            continue
        x = args[0]
        if isinstance(x, torch.Tensor) and tuple(x.shape) == tuple(ids.shape):
            yield Finding(
                "padding_in_metric", op.name, f"a mean over all {x.numel()} positions of the {shape_text(x.shape)} "
                f"batch, {padding} of which are padding (id {pad})", "average over the real words only: "
                "x[ids != pad].mean(), or (x * mask).sum() / mask.sum()", "accuracy", True)


def _pooled_over_padding(trace, batch, inputs, batch_dim):
    """A mean over the time axis of a padded batch's (batch, time, features) states inside the model:
    each sentence's vector averages its padded positions too, and changes with the batch's longest."""
    found = trace.padding
    if found is None:
        return
    _, ids, pad, rows = found
    for op in _ops_named(trace, ("mean",)):
        args, kwargs, _ = op.values
        x = args[0] if args else None
        dim = kwargs.get("dim", args[1] if len(args) > 1 else None)
        if not isinstance(x, torch.Tensor) or x.dim() != 3 or tuple(x.shape[:2]) != tuple(ids.shape):
            continue
        if dim not in (1, -2, (1,), [1]):
            continue
        yield Finding(
            "padding_pooled", op.where or op.name, f"a mean over the {x.shape[1]} steps of {shape_text(x.shape)} "
            f"counts the padding: {rows} of the {x.shape[0]} sentences end in padding (id {pad}), so their vectors "
            "average positions that are not words, and change with the longest sentence in the batch",
            "average over the real words only: (x * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True), "
            "with mask = (ids != pad_id)", "padding_loss", True)
        return


_PADDING_MASKS = {nn.MultiheadAttention: "key_padding_mask", nn.TransformerEncoderLayer: "src_key_padding_mask",
                  nn.TransformerEncoder: "src_key_padding_mask", nn.TransformerDecoderLayer: "tgt_key_padding_mask",
                  nn.TransformerDecoder: "tgt_key_padding_mask"}


def _padding_mask_inverted(trace, batch, inputs, batch_dim):
    """A key padding mask True at the real words: PyTorch's masks are True where a position is to be
    ignored, and a tokenizer's attention_mask is 1 where it is a word. Passed as it is (or as
    ids != pad), every real word is masked out and only the padding is attended to."""
    found = trace.padding
    if found is None:
        return
    _, ids, pad, rows = found
    words = ids != pad
    for call in trace.calls:
        name = next((n for kind, n in _PADDING_MASKS.items() if isinstance(call.module, kind)), None)
        if name is None or not call.kwargs:
            continue
        mask = call.kwargs.get(name)
        if not isinstance(mask, torch.Tensor) or tuple(mask.shape) != tuple(ids.shape):
            continue
        if torch.equal(mask.bool(), words):
            yield Finding(
                "padding_mask_inverted", call.path, f"its {name} {shape_text(mask.shape)} is True (or 1) at the "
                f"{int(words.sum())} real words and False at the {int((~words).sum())} padded positions (id {pad}): "
                "PyTorch ignores the positions where the mask is True, so it attends to the padding only",
                f"{name}=(ids == pad_id), or ~attention_mask.bool() for a tokenizer's attention_mask", None, True)
            return


def _over_the_batch_axis(trace, batch, inputs, batch_dim):
    """argmax / softmax / log_softmax taken over the batch axis of (batch, classes) scores after the
    model (in the loss or the metric): a prediction per class across examples, not per example. The
    model's own layers are judged by whether examples mix; this is for what comes after."""
    axis = batch_dim or 0
    for op in _ops_named(trace, ("argmax", "softmax", "log_softmax")):
        if op.where:
            continue
        args, kwargs, _ = op.values
        x = args[0] if args else None
        dim = kwargs.get("dim", args[1] if len(args) > 1 else None)
        if not isinstance(x, torch.Tensor) or x.dim() != 2 or not isinstance(dim, int) or x.shape[axis] != batch:
            continue
        if dim % 2 == axis and x.shape[1 - axis] != batch:
            yield Finding(
                "batch_axis_reduced", op.name, f"{op.name}(dim={dim}) on the scores {shape_text(x.shape)} runs over "
                f"the {batch} examples of the batch (axis {axis}), not over the {x.shape[1 - axis]} classes: each "
                "result compares examples with one another", f"{op.name}(dim={1 - axis}) (or dim=-1), over the classes",
                "loss_axes", True)
            return


def _softmax_then_contracted_elsewhere(trace, batch, inputs, batch_dim):
    """Attention weights normalised over one axis and then used to weigh values summed over another:
    softmax(scores, dim=1) over the queries, with the product summing over the keys; or a softmax
    over rows that merge the batch. The weights the product sums over do not add up to one."""
    ops = trace.ops
    for i, op in enumerate(ops):
        if op.name not in ("softmax", "log_softmax") or not op.values:
            continue
        args, kwargs, weights = op.values
        x = args[0] if args else None
        dim = kwargs.get("dim", args[1] if len(args) > 1 else None)
        picked = (0 if x.dim() in (0, 1, 3) else 1) if isinstance(x, torch.Tensor) else None   # the implicit pick
        if dim is None and picked is not None and x.dim() >= 2 and (x.dim() == 3 or x.shape[picked] == batch
                                                                      and x.shape[picked] != x.shape[-1]) \
                and not (x.shape[picked] != batch and _moved_to_the_front(ops[:i], x)):
            yield Finding(
                "softmax_wrong_axis", op.where or op.name, f"{op.name} was called without dim on "
                f"{shape_text(x.shape)}, and PyTorch then picks axis {picked} (its legacy rule: 0 for 1-D and 3-D "
                f"tensors, else 1), of size {x.shape[picked]}, whatever the axes mean", f"say which axis the "
                f"weights must sum to one over: {op.name}(x, dim=...)", None, False)
            return
        if not isinstance(weights, torch.Tensor) or not isinstance(dim, int) or weights.dim() < 2:
            continue
        axis = dim % weights.dim()
        followed = _axis_through_views(ops[i + 1:], weights, axis)
        if followed is None:
            continue
        tensor, axes = followed
        summed = _axes_summed_by_a_product(ops[i + 1:], tensor)
        if summed is None or set(axes) & summed:
            continue
        where = op.where or op.name
        merged = weights.shape[axis] % batch == 0 and weights.shape[axis] != batch and _merged_the_batch(ops[:i], x, axis, batch)
        if weights.shape[axis] == batch and axis == (batch_dim or 0) or merged:
            yield Finding(
                "samples_mix", where, f"{op.name}(dim={dim}) normalises the {shape_text(weights.shape)} scores over "
                f"axis {axis}, which holds the examples of the batch{' (merged with another axis by a view)' if merged else ''}, "
                "and the product that follows sums over another axis: each example's weights depend on the others, "
                "and do not add up to one where they are used", "normalise over the axis the product sums over: "
                "softmax(dim=-1) for scores (..., queries, keys)", "batch_first", True)
        else:
            yield Finding(
                "softmax_wrong_axis", where, f"{op.name}(dim={dim}) normalises the {shape_text(weights.shape)} "
                f"weights over axis {axis}, and the product that follows sums them over "
                f"{'axis' if len(summed) == 1 else 'axes'} {', '.join(map(str, sorted(summed)))}: the weights it sums "
                "do not add up to one (over the queries rather than the keys, for attention)", "normalise over the "
                "axis the product sums over (the keys: softmax(dim=-1) for (..., queries, keys) scores); routing "
                "between capsules is the exception, normalised over the outputs and summed over the inputs",
                None, False)
        return


def _moved_to_the_front(ops, x):
    """Whether the newest recorded calls that made ``x`` (through contiguous) moved another axis to
    axis 0 (transpose(axis, 0), permute, movedim): a softmax with no dim then reads the axis the
    learner chose on purpose (an old idiom for a softmax over any axis)."""
    shape = tuple(x.shape)
    for op in reversed(ops):
        from_shape = shape_of(op.args[0]) if op.args else None
        if shape_of(op.result) != shape:
            continue
        if op.name == "contiguous":
            continue
        if op.name in ("transpose", "permute", "movedim", "swapaxes") and from_shape and from_shape[0] != shape[0]:
            return True
        return False
    return False


def _axis_through_views(ops, tensor, axis):
    """(the tensor the weights became through views/reshapes, the axes ``axis`` became) following
    recorded views of ``tensor`` that split or keep axes; (tensor, (axis,)) when none was taken."""
    axes = (axis,)
    for op in ops:
        if op.name not in ("view", "reshape") or not op.values or not op.values[0] or op.values[0][0] is not tensor:
            continue
        result = op.values[2]
        if not isinstance(result, torch.Tensor):
            return None
        mapped, i, j = [], 0, 0
        for gi, go in _groups([int(v) for v in tensor.shape], [int(v) for v in result.shape]):
            if any(a in range(i, i + len(gi)) for a in axes):
                if len(gi) != 1:
                    return None                       # the axis was merged with another: not followed
                mapped += list(range(j, j + len(go)))
            i, j = i + len(gi), j + len(go)
        tensor, axes = result, tuple(mapped)
    return tensor, axes


def _axes_summed_by_a_product(ops, weights):
    """The axes of ``weights`` the first later matmul/bmm/einsum that takes it sums over; None when
    no product takes it."""
    for op in ops:
        if not op.values or op.name not in ("matmul", "bmm", "einsum"):
            continue
        args = op.values[0]
        if op.name == "einsum" and args and isinstance(args[0], str):
            operands = list(args[1:]) if len(args) > 2 else list(args[1]) if isinstance(args[1], (list, tuple)) else []
            spec = args[0].replace(" ", "")
            if "->" not in spec or "." in spec:
                continue
            given, out = spec.split("->")
            labels = given.split(",")
            for k, t in enumerate(operands):
                if t is weights and k < len(labels):
                    return {a for a, label in enumerate(labels[k]) if label not in out}
            continue
        tensors = [a for a in args[:2] if isinstance(a, torch.Tensor)]
        if len(tensors) == 2 and tensors[0] is weights:
            return {weights.dim() - 1}
        if len(tensors) == 2 and tensors[1] is weights:
            return {weights.dim() - 2}
    return None


def _merged_the_batch(ops, x, axis, batch):
    """Whether a recorded view/reshape made ``x``'s ``axis`` by merging the batch axis with another."""
    for op in reversed(ops):
        if op.name in ("view", "reshape") and op.values and op.values[2] is x:
            before = op.values[0][0] if op.values[0] else None
            return isinstance(before, torch.Tensor) and before.dim() > x.dim() and before.shape[0] == batch and axis == 0
    return False


def _predictions_at_padding(trace, batch, inputs, batch_dim):
    """Predictions taken by argmax over a padded batch and handed back whole, padded positions and
    all: each sentence gets tags for words it does not have (likely: what happens to them next,
    a trim by length or not, is not traced)."""
    found = trace.padding
    returned = trace.returned
    if found is None or not isinstance(returned, torch.Tensor):
        return
    _, ids, pad, rows = found
    for op in _ops_named(trace, ("argmax",)):
        if op.where or op.values[2] is not returned or tuple(returned.shape) != tuple(ids.shape):
            continue
        padding = int((ids == pad).sum())
        yield Finding(
            "padding_in_metric", op.name, f"the predictions {shape_text(returned.shape)} are taken at every "
            f"position of the padded batch and returned whole: {padding} of them sit on padding (id {pad}), "
            "words no sentence has", "keep each sentence's first `length` predictions (row[:n] for each row and "
            "its length), or mask the padded positions out before they are used", "new_sentence", False)

