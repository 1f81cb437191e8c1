"""Recurrent layers (LSTM, GRU, RNN): input_size, input rank, the states h0 and c0, and the
results handed on or unpacked the wrong way."""
import torch
from torch import nn

from ..summaries import describe_call, settings, shape_of, shape_text
from .base import BROADCAST, Diagnosis, after, evidence, ints, made_by, message, shaped


@evidence(nn.LSTM, nn.LSTMCell)
def lstm_given_one_state(ctx, m):
    """An LSTM (or LSTMCell) given one tensor as its state: it takes the pair (h0, c0). The message
    depends on where the layer trips over it (a TypeError from the cell, an IndexError from the
    layer reading hx[1])."""
    hx = ctx.arguments().get("hx")
    if not isinstance(hx, torch.Tensor):
        return None
    return Diagnosis(
        "lstm_state_pair", f"{ctx.path} is an {type(ctx.module).__name__}: its state is a pair (h, c), and it was "
        f"given one tensor {shaped(hx)}, as a GRU takes", "pass (h0, c0), both shaped like that tensor; or leave "
        "the state out to start from zeros", "gru_state", True)


@message(r"input\.size\(-1\) must be equal to input_size\. Expected (\d+), got (\d+)|"
         r"input has inconsistent input_size: got (\d+) expected (\d+)")
def rnn_input_size(ctx, m):
    """A recurrent layer's (or cell's: the second message) input_size against the features it got."""
    want, got = (int(m.group(1)), int(m.group(2))) if m.group(1) else (int(m.group(4)), int(m.group(3)))
    name = type(ctx.module).__name__ if ctx.module is not None else "the recurrent layer"
    prev = ctx.last_before()
    if prev is not None and isinstance(prev.module, nn.Embedding):
        emb = prev.module
        if emb.embedding_dim == got:
            return Diagnosis(
                "rnn_input_size", f"{prev.path} gives {got} features per word (embedding_dim={got}), "
                f"but {ctx.path} was built for input_size={want}",
                f"build the {name} with input_size={got} (the embedding_dim), or the Embedding with "
                f"embedding_dim={want}", "input_size", True, (want, got))
    if prev is not None and isinstance(prev.module, nn.RNNBase) and prev.module.bidirectional:
        width = prev.module.proj_size or prev.module.hidden_size
        if got == 2 * width:
            return Diagnosis(
                "rnn_after_bidirectional", f"{prev.path} is bidirectional: its output has 2 * {width} = {got} "
                f"features per step (both directions side by side), but {ctx.path} was built for "
                f"input_size={want}", f"input_size={got} (2 * hidden_size of {prev.path})",
                "linear_after_lstm", True, (want, got))
    x = ctx.first_tensor()
    joined = _joined_by_cat(ctx, x)
    if joined is not None:
        parts, dim = joined
        widths = [p[dim] for p in parts]
        return Diagnosis(
            "rnn_input_size", f"the input to {ctx.path} {shaped(x)} was joined by cat from "
            f"{', '.join(shape_text(p) for p in parts)}: {' + '.join(map(str, widths))} = {got} features, but "
            f"{ctx.path} was built for input_size={want}", f"build it with input_size={got}, the sum of what is "
            f"joined (work it out from the parts' own sizes, not another setting that happens to match them)",
            "input_size", True, (want, got))
    if x is not None and x.dim() >= 2 and isinstance(ctx.module, nn.RNNBase):
        others = [i for i in range(x.dim() - 1) if x.shape[i] == want]
        if len(others) == 1:
            i = others[0]
            role = _axis_role(ctx.module, i, x.dim())
            return Diagnosis(
                "rnn_axes_swapped", f"the features are on axis {i} of the input {shaped(x)}, where "
                f"{ctx.path} reads {role}; its last axis holds {got}, not the {want} features it was built for",
                f"move the features last: x.transpose({i}, {x.dim() - 1}) (or build the tensor "
                f"{'(batch, time, features)' if getattr(ctx.module, 'batch_first', False) else '(time, batch, features)'})",
                "layouts", True, (want, got))
    return Diagnosis(
        "rnn_input_size", f"the last axis of the input to {ctx.path} holds {got} features, but it was "
        f"built for input_size={want}", f"make input_size={got}, or give it {want} features per step",
        "input_size", True, (want, got))


def _axis_role(module, axis, dims):
    if dims == 2:
        return "time"
    batch_first = getattr(module, "batch_first", False)
    return {0: "batch" if batch_first else "time", 1: "time" if batch_first else "batch"}.get(axis, "features")


@message(r"Expected input to be 2D or 3D, got (\d)D instead")
def rnn_input_dims(ctx, m):
    dims = int(m.group(1))
    prev = ctx.last_before(nn.Embedding)
    x = ctx.first_tensor()
    shape = shaped(x) if x is not None else f"{dims}-D"
    if dims == 4 and prev is not None:
        return Diagnosis(
            "rnn_input_dims", f"{ctx.path} got a 4-D input {shape}: {prev.path} adds a feature axis to the "
            "ids it is given, and the ids already had 3 axes", "give the Embedding ids of shape (batch, time): "
            "drop the extra axis with ids.squeeze(-1)", "ids", True, (3, dims))
    if dims == 1:
        return Diagnosis(
            "rnn_input_dims", f"{ctx.path} got a 1-D input {shape}: a recurrent layer needs at least "
            "(time, features)", "one step of features is x.view(1, -1); a batch of sentences is "
            "(batch, time, features)", "unbatched", True, (3, dims))
    return Diagnosis(
        "rnn_input_dims", f"{ctx.path} got a {dims}-D input {shape}; it takes (time, features) for one "
        "sentence or 3-D for a batch", "remove the extra axis (squeeze, or index it) so the input is 3-D",
        "batch_first", False, (3, dims))


@message(r"Expected hidden(?:\[(\d)\])? size \(([\d, ]+)\), got \[([\d, ]+)\]")
def rnn_state_shape(ctx, m):
    which = {"0": "h0", "1": "c0", None: "h0"}[m.group(1)]
    want, got = ints(m.group(2)), ints(m.group(3))
    lstm = ctx.module
    if not isinstance(lstm, nn.RNNBase) or len(want) != 3 or len(got) != 3:
        return Diagnosis("rnn_state_shape", f"{which} is {shape_text(got)}; the layer expected {shape_text(want)}",
                         "states are (num_layers * num_directions, batch, hidden)", "state_rule", False, (want, got))
    dirs = 2 if lstm.bidirectional else 1
    x = ctx.first_tensor()
    if sum(g != w for g, w in zip(got, want)) >= 2 and not (got[0] == want[1] and got[1] == want[0]):
        made = _output_of_shape(ctx, got)
        if made is not None:
            return Diagnosis(
                "outputs_as_state", f"{which} {shape_text(got)} is not a state: it differs from the {shape_text(want)} "
                f"that {ctx.path} needs (num_layers * num_directions, batch, hidden_size) on more than one axis, and "
                f"it has the shape of {made.path}'s output, a sequence of encodings", f"start {ctx.path} from a state "
                f"of {shape_text(want)} (zeros, or a summary of the encoder: its final state, or a projection of "
                "a pooled vector); give the encodings to the attention, not as the state", "state_rule", True,
                (want, got))
        return Diagnosis(
            "rnn_state_shape", f"{which} is {shape_text(got)}; {ctx.path} needs {shape_text(want)} "
            "(num_layers * num_directions, batch, hidden_size): they differ on more than one axis",
            "check what is passed as the state", "state_rule", False, (want, got))
    if got[0] != want[0]:
        if got[1] == want[0] and got[0] == want[1]:
            return Diagnosis(
                "state_batch_first", f"{which} is {shape_text(got)}, laid out batch-first; states are "
                f"(num_layers * num_directions, batch, hidden) = {shape_text(want)} even when batch_first=True",
                f"make {which} with torch.zeros({want[0]}, batch, {want[2]}), or .transpose(0, 1) it",
                "state_rule", True, (want, got))
        return Diagnosis(
            "state_rows", f"{which} has {got[0]} rows, but {ctx.path} needs num_layers * num_directions = "
            f"{lstm.num_layers} * {dirs} = {want[0]}", f"make {which} with {want[0]} rows: "
            f"torch.zeros({lstm.num_layers} * {dirs}, batch, {want[2]})", "state_rule", True, (want[0], got[0]))
    if got[1] != want[1]:
        other = None
        if x is not None and x.dim() == 3:
            other = [i for i in range(2) if x.shape[i] == got[1]]
        if other:
            return Diagnosis(
                "state_batch", f"{which} was made for a batch of {got[1]}, the size of axis {other[0]} of the "
                f"input {shaped(x)}; with batch_first={lstm.batch_first} the batch is axis "
                f"{0 if lstm.batch_first else 1}, {want[1]}", "take the batch size from the right axis "
                f"(x.size({0 if lstm.batch_first else 1})), or set batch_first to match your data",
                "batch_first", True, (want[1], got[1]))
        return Diagnosis(
            "state_batch", f"{which} was made for a batch of {got[1]}, but the input has {want[1]}",
            "make the state for this batch's size (the last batch of an epoch is often smaller)",
            "state_rule", True, (want[1], got[1]))
    proj = getattr(lstm, "proj_size", 0)
    if proj and which == "h0":
        return Diagnosis(
            "state_proj", f"h0 has {got[2]} features, but with proj_size={proj} h0 and h_n have proj_size "
            f"({want[2]}) features and only c0 has hidden_size", f"h0 = torch.zeros(..., {proj}); "
            f"c0 = torch.zeros(..., {lstm.hidden_size})", "proj_size", True, (want[2], got[2]))
    return Diagnosis(
        "state_hidden", f"{which} has {got[2]} features, but {ctx.path} has hidden_size={want[2]}",
        f"make {which} with {want[2]} features", "state_rule", True, (want[2], got[2]))


@message(r"For (unbatched 2-D|batched 3-D) input, hx(?: and cx)? should also be")
def rnn_state_dims(ctx, m):
    x = ctx.first_tensor()
    shape = shaped(x) if x is not None else "the input"
    if m.group(1).startswith("unbatched"):
        return Diagnosis(
            "state_unbatched", f"the input {shape} has no batch axis, so {ctx.path} reads it as one "
            "unbatched sentence and wants 2-D states, but the states are 3-D",
            "give the input its batch axis (x.unsqueeze(0) with batch_first=True, x.unsqueeze(1) without)",
            "unbatched", True)
    hx = ctx.arguments().get("hx")
    states = [t for t in (hx if isinstance(hx, (tuple, list)) else (hx,)) if isinstance(t, torch.Tensor)]
    wrong = next((t for t in states if t.dim() != 3), None)
    if wrong is None:
        return None
    if wrong.dim() > 3:
        made = made_by(ctx, ("unsqueeze", "view", "reshape"), wrong.shape)
        by = (f": {made.name}({describe_call(made.args[1:], made.kwargs)}) made it from "
              f"{shape_text(shape_of(made.args[0]))}" if made is not None and made.args else "")
        return Diagnosis(
            "state_dims", f"the input {shape} is batched, and the state {shaped(wrong)} is {wrong.dim()}-D, "
            f"{'one axis' if wrong.dim() == 4 else f'{wrong.dim() - 3} axes'} too many{by}", "states are (num_layers * num_directions, batch, hidden): "
            "drop the extra axis (an unsqueeze(0) meant only for a state that was 2-D)", "state_rule", True,
            (3, wrong.dim()))
    return Diagnosis(
        "state_dims", f"the input {shape} is batched, but the state {shaped(wrong)} is {wrong.dim()}-D: it lacks "
        "the (num_layers * num_directions) axis", "states are (num_layers * num_directions, batch, hidden): "
        "h0.unsqueeze(0) for one layer", "state_rule", True, (3, wrong.dim()))


@message(r"'tuple' object has no attribute '(dim|size)'")
def gru_given_pair(ctx, m):
    if isinstance(ctx.module, (nn.GRU, nn.RNN)):
        return Diagnosis(
            "gru_pair", f"{ctx.path} is a {type(ctx.module).__name__}: it has one state h0, and it was "
            "given a pair (h0, c0) as an LSTM takes", "pass h0 alone", "gru_state", True)
    return None


def _returned_tuple(ctx):
    """The newest module call to finish, when it is one that returns a tuple (a recurrent layer's
    (output, state), attention's (output, weights)): its result is what the failing code had."""
    finished = [c for c in reversed(ctx.failure.before) if not c.raised] if ctx.failure else []
    if finished and isinstance(finished[0].module, (nn.RNNBase, nn.MultiheadAttention)):
        return finished[0]
    return None


def _tuple_said(call):
    rnn = call.module
    if isinstance(rnn, nn.LSTM):
        return "(output, (h_n, c_n))", "out, (h_n, c_n) = ", "state_rule"
    if isinstance(rnn, nn.RNNBase):
        return "(output, h_n)", "out, h_n = ", "gru_state"
    return "(output, attention weights)", "out, weights = ", None


@message(r"argument '\w+' \(position \d+\) must be Tensor, not tuple")
@message(r"'tuple' object has no attribute '(\w+)'")
@after(r"tuple indices must be integers or slices, not tuple")
@after(r"argument '\w+' \(position \d+\) must be Tensor, not tuple")
@after(r"'tuple' object has no attribute '(\w+)'")
def rnn_tuple_output(ctx, m):
    """A recurrent layer's whole result handed on: nn.Sequential(nn.LSTM(...), nn.Linear(...)), or
    self.fc(self.lstm(x)), or out = lstm(x); out.shape."""
    source = _returned_tuple(ctx)
    if source is None:
        return None
    returns, unpack, lesson = _tuple_said(source)
    where = f"{ctx.path} was given" if ctx.path else "the code after it used"
    in_sequential = any(isinstance(c.module, nn.Sequential) for c in ctx.failure.stack)
    return Diagnosis(
        "rnn_tuple_output", f"{source.path} is {settings(source.module)}: it returns a tuple {returns}, "
        f"and {where} the whole tuple where a tensor belongs"
        + (", because nn.Sequential hands each module's whole result to the next" if in_sequential else ""),
        f"{unpack}{source.path}(x), then pass out on"
        + (" (or h_n[-1] for one vector per sequence)" if isinstance(source.module, nn.RNNBase) else "")
        + ("; in nn.Sequential, wrap it in a small module whose forward returns the output alone"
           if in_sequential else ""), lesson,
        # sure when the failing module was handed exactly what the layer returned; after plain
        # code, the tuple could be another one
        ctx.call is not None and ctx.call.inputs == (source.output,))


@message(r"RNN input dtype \(torch\.(u?int\d+|long)\) does not match weight dtype")
def rnn_given_ids(ctx, m):
    return Diagnosis(
        "rnn_given_ids", f"{ctx.path or 'the recurrent layer'} got integers ({m.group(1)}): word ids, not "
        "vectors; a recurrent layer reads feature vectors", "turn the ids into vectors with an nn.Embedding "
        "first, and build the layer with input_size=embedding_dim", "ids", True)


@after(r"(?:too many|not enough) values to unpack \(expected (\d+)(?:, got (\d+))?\)")
def unpacked_like_an_lstm(ctx, m):
    source = _returned_tuple(ctx)
    if source is None or not isinstance(source.module, nn.RNNBase):
        return None
    expected, got = int(m.group(1)), m.group(2) and int(m.group(2))
    output = source.output if type(source.output) is tuple else ()
    state = shape_of(output[1]) if len(output) == 2 else None
    if not isinstance(source.module, nn.LSTM) and expected == 2:
        if state is None or (state[0] <= 2 if got is None else state[0] != got):
            return None                        # the count Python reports is not h_n's rows
        return Diagnosis(
            "gru_unpacked", f"{source.path} is {settings(source.module)}: it returns (output, h_n), h_n one "
            f"tensor {shape_text(state)}; unpacking the result as out, (h, c), as for an LSTM, unpacks h_n "
            f"along its {state[0]} rows (num_layers * num_directions), not into two states",
            f"out, h_n = {source.path}(x): a {type(source.module).__name__} has no cell state", "gru_state", True)
    if isinstance(source.module, nn.LSTM) and expected != 2 and got == 2:
        return Diagnosis(
            "rnn_tuple_output", f"{source.path} is {settings(source.module)}: it returns two things, the "
            f"output and the pair (h_n, c_n), and the code unpacked {expected}",
            f"out, (h_n, c_n) = {source.path}(x)", "state_rule", True)
    return None


@message(BROADCAST)
def state_layout_broadcast(ctx, m):
    """A recurrent state (layers * directions, batch, hidden), or something made from it, combined
    with batch-first (batch, steps, hidden) tensors: the batch is on axis 1 of one and 0 of the other."""
    shapes = ctx.op_shapes()
    shapes = [s for s in shapes if s is not None][:2]
    if len(shapes) != 2:
        return None
    for state, other in (shapes, shapes[::-1]):
        if len(state) != 3 or len(other) != 3 or state[1] != other[0] or state[2] != other[2] or other[1] == state[1]:
            continue
        rnns = [m for m in (ctx.module.modules() if ctx.module is not None else ()) if isinstance(m, nn.RNNBase)]
        widths = [r for r in rnns if (r.proj_size or r.hidden_size) == state[2]]
        if not widths:
            continue
        sure = state[0] in {r.num_layers * (2 if r.bidirectional else 1) for r in widths}   # its rows match too
        return Diagnosis(
            "state_leading_axis", f"{ctx.op.name}({shape_text(state)}, {shape_text(other)}) inside {ctx.path}: the "
            f"first is laid out like a recurrent state, (num_layers * num_directions, batch, hidden), with the batch "
            f"of {state[1]} on axis 1; the second is batch-first, with its batch on axis 0",
            "take the last layer's state and give it a step axis: h_n[-1].unsqueeze(1) is (batch, 1, hidden), "
            "which lines up with (batch, steps, hidden)", "h_n_layout", sure, (other[1], state[1]))
    return None


@message(r"'tuple' object has no attribute '(to|cuda|cpu|detach|float|double|half|view|reshape|size|dim|"
         r"shape|unsqueeze|squeeze|permute|transpose|contiguous)'", plain=True)
def tuple_used_as_a_tensor(ctx, m):
    """A tensor method called on a Python tuple, with no recorded call to say where the tuple came
    from (the after rule above answers when a recurrent layer had just returned it)."""
    if ctx.failure is not None and (ctx.failure.call is not None or ctx.failure.op is not None):
        return None
    method = m.group(1)
    return Diagnosis(
        "lstm_state_pair", f"a Python tuple was used as a tensor (.{method}): in sequence models the usual "
        "tuples are an LSTM's state (h, c), a pair where a GRU has one tensor, and a layer's (output, state) "
        "result", f"apply it to each tensor of the tuple: tuple(t.{method}(...) for t in state), or unpack it "
        "first: h, c = state", "gru_state", False)


@message(BROADCAST)
def state_from_previous_batch(ctx, m):
    """A state kept between batches (``self.h`` carried to the next call) meeting a batch of
    another size: the last batch of an epoch is often smaller."""
    a, b, dim = (int(g) for g in m.groups())
    batch = ctx.batch_at_entry()
    stack = ctx.failure.stack if ctx.failure else []
    if batch is None or not stack or batch not in (a, b) or a == b:
        return None
    kept = b if batch == a else a
    earlier = [c for c in ctx.failure.before if c.module is stack[0].module and c.depth == 0 and c.inputs]
    sizes = {shape_of(c.inputs[0])[0] for c in earlier if shape_of(c.inputs[0])}
    if kept not in sizes:
        return None
    tensors = [t for t in ctx.op_args[:2] if isinstance(t, torch.Tensor)]
    held = next((t for t in tensors if t.dim() > 0 and t.shape[0] == kept), None)
    owner = next(((call.path, name) for call in stack for name, value in vars(call.module).items()
                  if held is not None and value is held), None)
    named = f"{owner[0]}.{owner[1]}" if owner else "a tensor"
    return Diagnosis(
        "state_batch", f"{ctx.op.name if ctx.op else 'an elementwise operation'} inside {ctx.path} meets {named} "
        f"made for the previous batch of {kept} with this batch of {batch}: a state kept between calls keeps the "
        "size of the batch that made it", "start the state afresh for each batch (sized from x.size(0)), or make "
        "every batch the same size (drop_last=True)", "state_rule", owner is not None, (batch, kept))


@message(r"Sizes of tensors must match except in dimension (-?\d+)\. Expected size (\d+) but got size (\d+) "
         r"for tensor number (\d+)")
def stacked_state_repeated(ctx, m):
    """A recurrent state of several rows (layers * directions, batch, hidden) repeated or expanded
    over the steps, as if it had one row: the rows multiply, k * steps where the steps are wanted."""
    dim, want, got, which = (int(g) for g in m.groups())
    big, small = max(want, got), min(want, got)
    if small == 0 or big % small or big == small:
        return None
    rows = big // small
    state = _stacked_state_given(ctx, rows)
    if state is None:
        return None
    tensor, rnn_path = state
    return Diagnosis(
        "state_leading_axis", f"{ctx.op.name if ctx.op else 'torch.cat'} joins a tensor with {big} = {rows} x {small} "
        f"rows to one with {small} steps: {ctx.path} was given the state {shaped(tensor)} of {rnn_path}, with "
        f"num_layers * num_directions = {rows} rows, and {rows} x {small} is what repeating the whole state over "
        f"{small} steps makes: code written for a one-layer, one-direction state", "take one row of the state before repeating it: "
        "hidden[-1] (the last layer; for two directions, torch.cat((h_n[-2], h_n[-1]), -1)), then "
        ".unsqueeze(0).repeat(steps, 1, 1)", "state_rule", False, (small, big))


def _stacked_state_given(ctx, rows):
    """(tensor, the recurrent layer's path) when a module running was given a tensor shaped like
    the state, (rows, batch, hidden), of a recurrent layer with num_layers * num_directions == rows
    > 1 inside the modules running; else None."""
    stack = ctx.failure.stack if ctx.failure else []
    rnns = [(f"{call.path}.{name}" if name else call.path, r) for call in stack[:1]
            for name, r in call.module.named_modules() if isinstance(r, nn.RNNBase)]
    for call in reversed(stack):
        for arg in (call.values[0] if call.values else ()):
            if not isinstance(arg, torch.Tensor) or arg.dim() != 3 or arg.shape[0] != rows:
                continue
            for path, r in rnns:
                if r.num_layers * (2 if r.bidirectional else 1) == rows and arg.shape[2] == (r.proj_size or r.hidden_size):
                    return arg, path
    return None


@message(r"Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor|"
         r"Tensors must have same number of dimensions|too many indices for tensor of dimension")
def stacked_state_where_one_layer_was_meant(ctx, m):
    """A module written for one layer's (batch, hidden) state given the whole (layers * directions,
    batch, hidden) state: an unsqueeze meant to add an axis adds a fourth, and what follows has one
    axis too many (the decoder's state fed back after one step of a multi-layer GRU)."""
    stack = ctx.failure.stack if ctx.failure else []
    for call in reversed(stack):
        for arg in (call.values[0] if call.values else ()):
            if not isinstance(arg, torch.Tensor) or arg.dim() != 3 or arg.shape[0] < 2:
                continue
            state = _stacked_state_given(ctx, arg.shape[0])
            if state is None or state[0] is not arg:
                continue
            tensor, rnn_path = state
            return Diagnosis(
                "state_leading_axis", f"{call.path} was given {shaped(tensor)}, the whole state of {rnn_path} "
                f"(num_layers * num_directions = {tensor.shape[0]} rows), where its code works on one layer's "
                f"(batch, hidden) state: each axis it adds lands on a tensor with one axis more than it expects",
                f"give it one layer's state, hidden[-1] (batch, hidden), the last layer's; keep the whole state "
                f"for {rnn_path} itself", "state_rule", False)
    return None


def _output_of_shape(ctx, shape):
    """The outermost module call before the failure whose output (or its first tensor) has ``shape``
    (an encoder, rather than its last layer norm); the newest of those."""
    found = []
    for i, call in enumerate(ctx.failure.before if ctx.failure else []):
        out = call.output[0] if isinstance(call.output, tuple) and call.output else call.output
        if shape_of(out) == tuple(shape):
            found.append((call.depth, -i, call))
    return min(found, key=lambda f: f[:2])[2] if found else None


def _joined_by_cat(ctx, x):
    """(the parts' shapes, the axis) when the newest recorded cat made a tensor of x's shape by
    joining along its last axis; None otherwise."""
    if x is None:
        return None
    for op in reversed(ctx.failure.ops if ctx.failure else []):
        if op.name != "cat" or shape_of(op.result) != tuple(x.shape) or not op.args:
            continue
        given = getattr(op.args[0], "items", op.args[0])         # a list is recorded as ListSeen
        parts = [shape_of(p) for p in given] if isinstance(given, (tuple, list)) else []
        dim = op.args[1] if len(op.args) > 1 else op.kwargs.get("dim", 0)
        dim = getattr(dim, "value", dim)
        if len(parts) >= 2 and all(parts) and isinstance(dim, int) and dim % x.dim() == x.dim() - 1:
            return parts, -1
        return None
    return None

