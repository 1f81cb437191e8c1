"""Name the cause of a shape error: from the stable part of PyTorch's message, the settings of the
module it happened in, and what flowed into that module.

Each rule reads one kind of message and returns a ``Diagnosis`` or None; the first that answers
wins, and ``diagnose`` falls back to an honest "not recognised". A diagnosis is ``certain`` only
when the evidence leaves one reading (the sizes in the message match a named module's setting);
otherwise it says "likely".
"""
import re
import sys
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence

from .recorder import failure_of, strict
from .summaries import settings, shape_text


@dataclass
class Diagnosis:
    cause_id: str                 # a stable name for the cause, e.g. "rnn_input_size"
    cause: str                    # in plain words, naming the sizes that disagree
    fix: str
    lesson: str = None            # a key of lessons.LESSONS
    certain: bool = True
    sizes: tuple = ()             # (expected, got), where the message has two sizes


class Context:
    """What a rule may read: the exception, the failing module or torch function, its inputs, and
    the module calls before it."""

    def __init__(self, exc, failure):
        self.exc = exc
        self.message = str(exc.args[0]) if exc.args else str(exc)
        self.failure = failure
        self.call = failure.call if failure else None
        self.module = self.call.module if self.call else None
        self.op = failure.op if failure else None
        self.args = tuple(self.call.values[0]) if self.call is not None and self.call.values else ()
        self.op_args = tuple(self.op.values[0]) if self.op is not None and self.op.values else ()

    @property
    def path(self):
        if self.call is not None:
            return self.call.path
        return ""

    def first_tensor(self, args=None):
        for a in (self.args if args is None else args):
            if isinstance(a, PackedSequence):
                return a.data
            if isinstance(a, torch.Tensor):
                return a
        return None

    def before(self, kind=None):
        """Leaf module calls that finished before the failure, newest first (of ``kind``)."""
        calls = [c for c in reversed(self.failure.before) if c.leaf and not c.raised] if self.failure else []
        return [c for c in calls if kind is None or isinstance(c.module, kind)]

    def last_before(self, kind=None):
        calls = self.before(kind)
        return calls[0] if calls else None

    def where(self):
        return f"{self.path}, {settings(self.module)}" if self.module is not None else "your code"


def _ints(text):
    return tuple(int(v) for v in re.findall(r"-?\d+", text))


def _shape(t):
    return shape_text(t.shape)


RULES = []          # for errors raised in a module or a torch function
AFTER_RULES = []    # for errors the learner's own code raised just after a module returned (no
                    # module or torch function raised them, so only the calls before are evidence)


def _registrar(rules):
    def register_for(pattern):
        """Register a rule for messages that match ``pattern`` (searched, not anchored)."""
        compiled = re.compile(pattern, re.S)

        def register(function):
            rules.append((compiled, function))
            return function
        return register
    return register_for


rule = _registrar(RULES)
after = _registrar(AFTER_RULES)


def _first_answer(rules, ctx):
    """The Diagnosis of the first rule whose pattern matches and which answers, or None."""
    for pattern, function in rules:
        found = pattern.search(ctx.message)
        if found:
            try:
                answer = function(ctx, found)
            except Exception:                  # a rule must never hide the learner's own error
                if strict():
                    raise
                answer = None
            if answer is not None:
                return answer
    return None


# -- recurrent layers --------------------------------------------------------------------------

@rule(r"input\.size\(-1\) must be equal to input_size\. Expected (\d+), got (\d+)")
def rnn_input_size(ctx, m):
    want, got = int(m.group(1)), int(m.group(2))
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
    if x is not None and x.dim() >= 2:
        others = [i for i in range(x.dim() - 1) if x.shape[i] == want]
        if len(others) == 1:
            i = others[0]
            role = _axis_role(ctx.module, i, x.dim())
            return Diagnosis(
                "rnn_axes_swapped", f"the features are on axis {i} of the input {_shape(x)}, where "
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


@rule(r"Expected input to be 2D or 3D, got (\d)D instead")
def rnn_input_dims(ctx, m):
    dims = int(m.group(1))
    prev = ctx.last_before(nn.Embedding)
    x = ctx.first_tensor()
    shape = _shape(x) if x is not None else f"{dims}-D"
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


@rule(r"Expected hidden(?:\[(\d)\])? size \(([\d, ]+)\), got \[([\d, ]+)\]")
def rnn_state_shape(ctx, m):
    which = {"0": "h0", "1": "c0", None: "h0"}[m.group(1)]
    want, got = _ints(m.group(2)), _ints(m.group(3))
    lstm = ctx.module
    if not isinstance(lstm, nn.RNNBase) or len(want) != 3 or len(got) != 3:
        return Diagnosis("rnn_state_shape", f"{which} is {shape_text(got)}; the layer expected {shape_text(want)}",
                         "states are (num_layers * num_directions, batch, hidden)", "state_rule", False, (want, got))
    dirs = 2 if lstm.bidirectional else 1
    x = ctx.first_tensor()
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
                f"input {_shape(x)}; with batch_first={lstm.batch_first} the batch is axis "
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


@rule(r"For (unbatched 2-D|batched 3-D) input, hx(?: and cx)? should also be")
def rnn_state_dims(ctx, m):
    x = ctx.first_tensor()
    shape = _shape(x) if x is not None else "the input"
    if m.group(1).startswith("unbatched"):
        return Diagnosis(
            "state_unbatched", f"the input {shape} has no batch axis, so {ctx.path} reads it as one "
            "unbatched sentence and wants 2-D states, but the states are 3-D",
            "give the input its batch axis (x.unsqueeze(0) with batch_first=True, x.unsqueeze(1) without)",
            "unbatched", True)
    return Diagnosis(
        "state_dims", f"the input {shape} is batched, but the states are 2-D: they lack the "
        "(num_layers * num_directions) axis", "states are (num_layers * num_directions, batch, hidden): "
        "h0.unsqueeze(0) for one layer", "state_rule", True)


@rule(r"'tuple' object has no attribute '(dim|size)'")
def gru_given_pair(ctx, m):
    if isinstance(ctx.module, (nn.GRU, nn.RNN)):
        return Diagnosis(
            "gru_pair", f"{ctx.path} is a {type(ctx.module).__name__}: it has one state h0, and it was "
            "given a pair (h0, c0) as an LSTM takes", "pass h0 alone", "gru_state", True)
    return None


@rule(r"must be tuple of ints,\s*(?:but (?:got float|found element of type float)|not float)")
def float_size(ctx, m):
    floats = re.findall(r"\d+\.\d*", ctx.op.args) if ctx.op is not None else []
    size = f"the size {floats[0]}" if floats else "a size"
    made = f" given to torch's {ctx.op.name}()" if ctx.op is not None else ""
    return Diagnosis(
        "float_size", f"{size}{made} is a float, and sizes of layers and tensors must be whole numbers: "
        "in Python / always gives a float (28 / 4 is 7.0), even when it divides exactly",
        "work sizes out with // (28 // 4 is 7), or int(...) around the result", "in_features", True)


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


@rule(r"argument '\w+' \(position \d+\) must be Tensor, not tuple")
@rule(r"'tuple' object has no attribute '(\w+)'")
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
        ctx.call is not None and ctx.call.inputs == source.output)


@rule(r"RNN input dtype \(torch\.(u?int\d+|long)\) does not match weight dtype")
def rnn_given_ids(ctx, m):
    return Diagnosis(
        "rnn_given_ids", f"{ctx.path or 'the recurrent layer'} got integers ({m.group(1)}): word ids, not "
        "vectors; a recurrent layer reads feature vectors", "turn the ids into vectors with an nn.Embedding "
        "first, and build the layer with input_size=embedding_dim", "ids", True)


# -- linear layers -----------------------------------------------------------------------------

@rule(r"mat1 and mat2 shapes cannot be multiplied \((\d+)x(\d+) and (\d+)x(\d+)\)")
def matmul_sizes(ctx, m):
    rows, got, want, out = (int(g) for g in m.groups())
    packed = ctx.args[0] if ctx.args and isinstance(ctx.args[0], PackedSequence) else None
    if packed is not None and isinstance(ctx.module, nn.RNNBase) and (packed.data.shape[-1], ctx.module.input_size) == (got, want):
        # packing never looks at the feature axis, so a recurrent layer given packed data of the
        # wrong width fails inside, in its first matrix product, not with its input_size message
        return Diagnosis(
            "packed_features", f"the packed data {_shape(packed.data)} has {got} features per step, but "
            f"{ctx.path} was built for input_size={want}; packing does not check the feature axis, so "
            "a batch packed with its axes swapped (features before time) gets this far",
            f"pack a (batch, time, features) tensor with batch_first=True: its last axis must hold the {want} "
            "features", "packing_traps", True, (want, got))
    if not isinstance(ctx.module, nn.Linear) and not (ctx.op is not None and ctx.op.name == "linear"):
        return Diagnosis(
            "matmul", f"a matrix product of ({rows} x {got}) by ({want} x {out}): the first's columns "
            f"({got}) must equal the second's rows ({want})", "transpose one operand, or check which axis "
            "holds the features", None, False, (want, got))
    prev = ctx.last_before()
    rnn = ctx.last_before(nn.RNNBase)
    if rnn is not None and rnn.module.bidirectional:
        width = rnn.module.proj_size or rnn.module.hidden_size
        if got == 2 * width:
            return Diagnosis(
                "linear_after_bidirectional", f"{rnn.path} is bidirectional, so each step (and the two final "
                f"states side by side) has 2 * {width} = {got} features, but {ctx.path} has in_features={want}",
                f"nn.Linear(2 * {width}, ...), that is in_features={got}", "linear_after_lstm", True, (want, got))
    x = ctx.first_tensor()
    if isinstance(ctx.module, nn.Linear) and x is not None and x.dim() >= 3 and _product(x.shape[1:]) == want:
        return Diagnosis(
            "flatten_missing", f"{ctx.path} got {_shape(x)}: a Linear acts on the last axis only ({got} values), "
            f"and each example's {' x '.join(map(str, x.shape[1:]))} = {want} values were never flattened into one",
            f"x.flatten(1) before it (or nn.Flatten() in an nn.Sequential) gives ({x.shape[0]}, {want})", "flatten",
            True, (want, got))
    flattened, whole = _whole_batch_flattened(ctx, got) if rows == 1 else (None, None)
    if flattened is not None:
        return Diagnosis(
            "flatten_batch", f"{flattened.name}() flattened the whole batch {shape_text(whole)} "
            f"into one row of {got} values; {ctx.path} expected {want} per example", "x.flatten(1) (start_dim=1) "
            "keeps one row per example", "flatten", True, (want, got))
    spatial = ctx.last_before((nn.modules.conv._ConvNd, nn.modules.pooling._MaxPoolNd,
                               nn.modules.pooling._AvgPoolNd, nn.modules.pooling._AdaptiveAvgPoolNd,
                               nn.modules.pooling._AdaptiveMaxPoolNd))
    if spatial is not None:
        shape = _sizes_of(spatial.output)
        if shape and len(shape) == 3 and _first_conv_unbatched(ctx):
            return Diagnosis(
                "image_unbatched", f"the image reached {spatial.path} as {shape_text(shape)}, with no batch "
                f"axis, so flatten(1) kept its {shape[0]} channels as rows of {got} features",
                "give the model a batch: image.unsqueeze(0) is a batch of one", "flatten", True, (want, got))
        if shape and len(shape) >= 3 and _product(shape[1:]) == got:
            per = " x ".join(map(str, shape[1:]))
            return Diagnosis(
                "flatten_size", f"{spatial.path} gives {shape_text(shape[1:])} per example, {per} = {got} "
                f"features after flattening, but {ctx.path} has in_features={want}",
                f"in_features={got}; or nn.LazyLinear, which reads it from the first batch; or compute it "
                "with the output-size formula", "in_features", True, (want, got))
    source = f" (from {prev.path})" if prev is not None else ""
    return Diagnosis(
        "linear_in_features", f"the last axis of the input to {ctx.path}{source} has {got} features, but "
        f"it has in_features={want}", f"in_features={got}, or give it {want} features",
        "linear_after_lstm" if rnn is not None else "in_features", True, (want, got))


def _whole_batch_flattened(ctx, got):
    """The newest call that made one row of every value of a batched tensor of ``got`` values
    (torch.flatten(x), x.flatten(), x.view(-1), x.reshape(-1)) and that tensor's shape; (None, None)
    when there is none."""
    whole = {"flatten": ("", ", 0", ", start_dim=0"), "view": (", -1",), "reshape": (", -1",)}
    for op in reversed(ctx.failure.ops if ctx.failure else []):
        if op.name not in whole:
            continue
        shape, rest = _tensor_then_rest(op)
        if shape and len(shape) >= 2 and _product(shape) == got and rest in whole[op.name]:
            return op, shape
    return None, None


def _first_conv_unbatched(ctx):
    convs = ctx.before(nn.Conv2d)
    return bool(convs) and len(_sizes_of(convs[-1].inputs) or ()) == 3


@rule(r"mat1 and mat2 must have the same dtype, but got (Long|Int) and")
def linear_dtype(ctx, m):
    x = ctx.first_tensor(ctx.op_args)
    shown = f" {_shape(x)}" if x is not None else ""
    return Diagnosis(
        "linear_dtype", f"{ctx.path or 'a matrix product'} got integer values{shown}: word ids, not vectors",
        "turn ids into vectors with an nn.Embedding first (or .float() if they really are numbers)", "ids", True)


def _sizes_of(described):
    """(8, 16, 5, 5) from '(8, 16, 5, 5) float32'."""
    found = re.match(r"\(([\d, ]+)\)", described or "")
    return _ints(found.group(1)) if found else None


def _tensor_then_rest(op):
    """((8, 16, 5, 5), ", 1") from an Op whose arguments read "(8, 16, 5, 5) float32, 1": the shape
    of its first argument, a tensor, and the text of the arguments after it; (None, None) otherwise."""
    found = re.match(r"\(([\d, ]+)\) \w+", op.args)
    return (_ints(found.group(1)), op.args[found.end():]) if found else (None, None)


def _product(values):
    total = 1
    for v in values:
        total *= v
    return total


# -- embeddings --------------------------------------------------------------------------------

@rule(r"index out of range in self")
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


@rule(r"argument 'indices' \(position \d\) must be Tensor, not (\w+)")
def embedding_not_tensor(ctx, m):
    return Diagnosis(
        "embedding_not_tensor", f"{ctx.path or 'the embedding'} was given a Python {m.group(1)} of ids",
        "torch.tensor(ids, dtype=torch.long), shaped (batch, time)", "ids", True)


@rule(r"Expected tensor for argument #1 'indices' to have one of the following scalar types")
def embedding_dtype(ctx, m):
    ids = ctx.first_tensor(ctx.op_args)
    ids = ids if ids is not None else ctx.first_tensor()
    shape = f" {_shape(ids)} {str(ids.dtype).replace('torch.', '')}" if ids is not None else ""
    return Diagnosis(
        "embedding_dtype", f"{ctx.path or 'the embedding'} looks rows up by integer id, and it was "
        f"given{shape} floats", "pass ids as torch.long (ids.long()); if these are already vectors, skip "
        "the Embedding", "ids", True)


# -- convolutions and pooling ------------------------------------------------------------------

@rule(r"weight of size \[([\d, ]+)\], expected input\[([\d, ]+)\] to have (\d+) channels, but got (\d+) channels")
def conv_channels(ctx, m):
    shape, want, got = _ints(m.group(2)), int(m.group(3)), int(m.group(4))
    conv = ctx.module
    kind = type(conv).__name__ if conv is not None else "the convolution"
    if len(shape) >= 3 and shape[-1] == want and shape[1] != want:
        if isinstance(conv, nn.Conv1d):
            return Diagnosis(
                "conv1d_time_features", f"{ctx.path} reads channels from axis 1, but the input "
                f"{shape_text(shape)} has its {want} features last (batch, time, features)",
                "x.transpose(1, 2): Conv1d wants (batch, features, time)", "conv1d", True, (want, got))
        return Diagnosis(
            "channels_last", f"the input {shape_text(shape)} has its {want} channels last, and {ctx.path} "
            f"reads channels from axis 1 ({got})", "x.permute(0, 3, 1, 2): images as (batch, channels, "
            "height, width)", "channels_last", True, (want, got))
    given = ctx.first_tensor()
    if isinstance(conv, nn.Conv2d) and given is not None and given.dim() == 3:
        shape = tuple(given.shape)
        return Diagnosis(
            "conv_unbatched", f"the input {shape_text(shape)} is 3-D, so {ctx.path} reads it as ONE image "
            f"with {got} channels; it was built for {want}", "x.unsqueeze(1) for a batch of one-channel "
            "images: (batch, 1, height, width)", "flatten", True, (want, got))
    prev = ctx.last_before(nn.modules.conv._ConvNd)
    if prev is not None and prev.module.out_channels == got:
        return Diagnosis(
            "conv_chain", f"{prev.path} gives out_channels={got}, but {ctx.path} was built for "
            f"in_channels={want}", f"in_channels={got} for {ctx.path}", "conv_formula", True, (want, got))
    return Diagnosis(
        "conv_channels", f"axis 1 of the input {shape_text(shape)} has {got} channels, but {kind} was built "
        f"for in_channels={want}", f"in_channels={got}, or give it {want} channels",
        "channels_last", True, (want, got))


@rule(r"Expected (\d)D \(unbatched\) or (\d)D \(batched\) input to (\w+), but got input of size: \[([\d, ]*)\]")
def conv_dims(ctx, m):
    unbatched, batched, op, shape = int(m.group(1)), int(m.group(2)), m.group(3), _ints(m.group(4))
    if len(shape) < unbatched:
        fix = ("add the missing axes: x[None, None] for one gray image (batch 1, channel 1)" if op == "conv2d"
               else "add the channel axis and the batch axis")
    else:
        fix = "remove the extra axis (squeeze it, or merge it into the batch with flatten(0, 1))"
    cause = f"{ctx.path or op} got a {len(shape)}-D input {shape_text(shape)}; it takes {batched}-D (batch, channels, ...)"
    return Diagnosis("conv_dims", cause, fix, "flatten", True, (batched, len(shape)))


@rule(r"Calculated padded input size per channel: \(([\d x]+)\)\. Kernel size: \(([\d x]+)\)")
def conv_too_small(ctx, m):
    size, kernel = _ints(m.group(1)), _ints(m.group(2))
    trail = _spatial_trail(ctx)
    return Diagnosis(
        "conv_too_small", f"the map reaching {ctx.path} is {' x '.join(map(str, size))}{trail}, smaller than its "
        f"{' x '.join(map(str, kernel))} kernel", "pool less, pad more (padding=...), or give larger inputs; "
        "work the sizes out with the output-size formula", "conv_formula", True, (kernel, size))


@rule(r"Given input size: \(([\dx]+)\)\. Calculated output size: \(([-\dx]+)\)\. Output size is too small")
def pool_too_small(ctx, m):
    size = _ints(m.group(1))
    trail = _spatial_trail(ctx)
    kernel = getattr(ctx.module, "kernel_size", None)
    return Diagnosis(
        "pool_too_small", f"the map reaching {ctx.path or 'the pooling'} is {' x '.join(map(str, size[1:]))}"
        f"{trail}, smaller than its window (kernel_size={kernel})", "pool less, or with a smaller window, "
        "or give larger inputs; AdaptiveAvgPool2d picks its window from the input", "pooling", True,
        (kernel, tuple(size[1:])))


def _spatial_trail(ctx):
    sizes = [(c.path, _sizes_of(c.output)) for c in reversed(ctx.before(
        (nn.modules.conv._ConvNd, nn.modules.pooling._MaxPoolNd, nn.modules.pooling._AvgPoolNd)))][-4:]
    steps = [f"{path} -> {shape_text(s[2:])}" for path, s in sizes if s and len(s) >= 3]
    return f" (the sizes so far: {'; '.join(steps)})" if steps else ""


# -- view, reshape, flatten --------------------------------------------------------------------

@rule(r"shape '\[([-\d, ]+)\]' is invalid for input of size (\d+)")
def view_numel(ctx, m):
    asked, total = _ints(m.group(1)), int(m.group(2))
    x = ctx.first_tensor(ctx.op_args)
    name = ctx.op.name if ctx.op is not None else "view"
    if x is not None and x.dim() >= 3 and -1 in asked and len(asked) == 2 and asked.index(-1) == 0:
        per = _product(x.shape[1:])
        return Diagnosis(
            "view_per_example", f"{name}(-1, {asked[1]}) on {_shape(x)}: each example has "
            f"{' x '.join(str(s) for s in x.shape[1:])} = {per} values, not {asked[1]}",
            f"x.flatten(1) (or x.view(x.size(0), -1)) keeps the batch and computes {per}; then "
            f"in_features={per}", "flatten", True, (per, asked[1]))
    shown = _shape(x) if x is not None else f"{total} values"
    return Diagnosis(
        "view_numel", f"{name} to [{', '.join(map(str, asked))}] needs a multiple of the known sizes, and "
        f"the tensor {shown} has {total} values", "compute the sizes from x.shape, or use -1 for the one "
        "you mean to be inferred", "flatten", False, (asked, total))


@rule(r"view size is not compatible with input tensor's size and stride")
def view_stride(ctx, m):
    x = ctx.first_tensor(ctx.op_args)
    shown = f" {_shape(x)} with strides {tuple(x.stride())}" if x is not None else ""
    return Diagnosis(
        "view_stride", f"view reinterprets memory, and the tensor{shown} is a transposed or permuted view "
        "whose elements are not laid out in that order", ".reshape(...) (or .contiguous().view(...)); "
        "first check that the axes are in the order you mean", "view_vs_transpose", True)


# -- losses ------------------------------------------------------------------------------------

def _loss_tensors(ctx):
    args = ctx.op_args or ctx.args
    tensors = [a for a in args if isinstance(a, torch.Tensor)]
    return (tensors + [None, None])[:2]


@rule(r"Expected target size \[([\d, ]+)\], got \[([\d, ]+)\]")
def ce_target_size(ctx, m):
    want, got = _ints(m.group(1)), _ints(m.group(2))
    scores, target = _loss_tensors(ctx)
    if scores is not None and scores.dim() == 3 and len(got) == 3 and got[-1] == 1:
        return Diagnosis(
            "ce_target_extra_axis", f"the targets {shape_text(got)} have an extra last axis of 1",
            "target.squeeze(-1)", "loss_axes", True, (want, got))
    if scores is not None and scores.dim() == 3 and len(got) == 2 and got == (scores.shape[0], scores.shape[1]):
        b, t, c = scores.shape
        return Diagnosis(
            "ce_classes_last", f"the scores {_shape(scores)} are (batch, time, classes), and cross_entropy reads "
            f"classes from axis 1: it took {t} classes and {c} positions, so it wanted targets "
            f"{shape_text(want)} and got {shape_text(got)}", "scores.permute(0, 2, 1) (batch, classes, time), "
            "or scores.reshape(-1, C) with targets.reshape(-1)", "loss_axes", True, (want, got))
    return Diagnosis(
        "ce_target_size", f"the targets are {shape_text(got)}; for these scores cross_entropy wants "
        f"{shape_text(want)} (the scores' shape without axis 1, the classes)",
        "put the classes on axis 1 of the scores, and give targets the remaining shape", "loss_axes", False,
        (want, got))


@rule(r"Expected input batch_size \((\d+)\) to match target batch_size \((\d+)\)")
def ce_batch(ctx, m):
    rows, wanted = int(m.group(1)), int(m.group(2))
    scores, target = _loss_tensors(ctx)
    if target is not None and target.dim() == 2 and target.numel() == rows:
        return Diagnosis(
            "ce_flatten_one", f"the scores have {rows} rows (batch x time, flattened), but the targets "
            f"{_shape(target)} were not flattened: cross_entropy counts {wanted} targets", "flatten both: "
            "scores.reshape(-1, C) and targets.reshape(-1)", "loss_axes", True, (wanted, rows))
    views = [op for op in ctx.failure.ops if op.name in ("view", "reshape")] if ctx.failure else []
    if views and rows != wanted:
        return Diagnosis(
            "batch_changed", f"the scores have {rows} rows for {wanted} targets: a view/reshape with -1 "
            f"({views[-1].where or 'your code'}: {views[-1].name}({views[-1].args})) merged or split examples",
            "flatten each example with x.flatten(1) (or x.view(x.size(0), -1)), which keeps the batch",
            "flatten", False, (wanted, rows))
    return Diagnosis(
        "ce_batch", f"the scores have {rows} rows and the targets {wanted}", "give one target per row of "
        "scores", "loss_axes", False, (wanted, rows))


@rule(r"expected target dtype to be Long|expected scalar type Long but found")
def ce_target_dtype(ctx, m):
    scores, target = _loss_tensors(ctx)
    shown = f" {_shape(target)} {str(target.dtype).replace('torch.', '')}" if target is not None else ""
    return Diagnosis(
        "ce_target_dtype", f"class-index targets must be integers, and these{shown} are not",
        "targets.long() (float targets of the scores' own shape would be read as class probabilities)",
        "loss_axes", True)


@rule(r"0D or 1D target tensor expected, multi-target not supported")
def ce_multi_target(ctx, m):
    scores, target = _loss_tensors(ctx)
    shown = f" {_shape(target)}" if target is not None else ""
    return Diagnosis(
        "ce_target_extra_axis", f"2-D scores want 1-D targets (one class per row); these are{shown}",
        "target.squeeze(1) (or target.view(-1))", "loss_axes", True)


@rule(r"Target (-?\d+) is out of bounds")
def ce_target_range(ctx, m):
    value = int(m.group(1))
    scores, target = _loss_tensors(ctx)
    classes = scores.shape[1] if scores is not None and scores.dim() >= 2 else None
    if value < 0:
        return Diagnosis(
            "ce_negative_target", f"a target is {value}; classes are 0 to {classes - 1 if classes else 'C-1'}",
            f"if {value} marks padding, pass ignore_index={value}", "padding_loss", True)
    return Diagnosis(
        "ce_target_range", f"a target is {value}, but the scores have {classes} classes (0 to "
        f"{classes - 1 if classes else '?'})", "give the output layer one output per tag or class, the "
        "padding tag included (n_tags = len(tag_vocab))", "tagger", True, (classes, value + 1))


@rule(r"Target size \(torch\.Size\(\[([\d, ]*)\]\)\) must be the same as input size \(torch\.Size\(\[([\d, ]*)\]\)\)")
def bce_size(ctx, m):
    got, want = _ints(m.group(1)), _ints(m.group(2))
    return Diagnosis(
        "loss_shapes", f"the targets are {shape_text(got)} and the predictions {shape_text(want)}",
        "give both the same shape: predictions.squeeze(-1), or targets.unsqueeze(-1)", "loss_axes", True,
        (want, got))


# -- packing -----------------------------------------------------------------------------------

@rule(r"`lengths` array must be sorted in decreasing order")
def pack_sorted(ctx, m):
    return Diagnosis("pack_sorted", "pack_padded_sequence expects the lengths longest first unless told "
                     "otherwise", "enforce_sorted=False (it sorts, and unsorts the result)", "packing", True)


@rule(r"Length of all samples has to be greater than 0")
def pack_empty(ctx, m):
    lengths = ctx.first_tensor(ctx.op_args[1:]) if ctx.op_args else None
    which = ""
    if lengths is not None:
        empty = [i for i, n in enumerate(lengths.tolist()) if n <= 0]
        which = f": sentence {empty[0]} has length {lengths.tolist()[empty[0]]}" if empty else ""
    return Diagnosis("pack_empty", f"a sentence in the batch is empty{which}", "drop empty sentences before "
                     "batching (a blank line, or every word filtered out)", "packing_traps", True)


@rule(r"Expected `len\(lengths\)` to be equal to batch_size, but got (\d+) \(batch_size=(\d+)\)")
def pack_batch(ctx, m):
    n, batch = int(m.group(1)), int(m.group(2))
    flag = ctx.op_args[2] if len(ctx.op_args) > 2 else None
    read = "axis 0" if flag else "axis 1"
    return Diagnosis(
        "pack_batch_first", f"there are {n} lengths, one per sentence, but packing read {read} (size {batch}) "
        f"as the batch (batch_first={bool(flag)})", f"batch_first={not flag} if your batch is "
        f"{'(time, batch, features)' if flag else '(batch, time, features)'}", "packing", True, (n, batch))


@rule(r"'lengths' argument should be a 1D CPU int64 tensor")
def pack_lengths_device(ctx, m):
    return Diagnosis("pack_lengths_device", "packing takes the lengths on the CPU, even when the batch is "
                     "on the GPU", "pass lengths.cpu() (or a list)", "packing_traps", True)


# -- broadcasting, joining, normalising --------------------------------------------------------

@rule(r"The size of tensor a \((\d+)\) must match the size of tensor b \((\d+)\) at non-singleton dimension (\d+)")
def broadcast(ctx, m):
    a, b, dim = (int(g) for g in m.groups())
    op = ctx.op.name if ctx.op is not None else "an elementwise operation"
    shown = f" ({ctx.op.args})" if ctx.op is not None else ""
    lesson = "loss_axes" if ctx.op is not None and ctx.op.name.endswith("_loss") else None
    return Diagnosis(
        "broadcast", f"{op}{shown}: axis {dim} (counted from the right-aligned shapes) is {a} in one and {b} in "
        "the other", "make the shapes agree (or one of them 1) on that axis", lesson, False, (a, b))


@rule(r"stack expects each tensor to be equal size, but got \[([\d, ]*)\] at entry (\d+) and \[([\d, ]*)\] at entry (\d+)")
def stack_unequal(ctx, m):
    a, b = _ints(m.group(1)), _ints(m.group(3))
    sequences = len(a) == len(b) >= 1 and a[1:] == b[1:]
    where = ("the DataLoader's default collate stacks a batch's examples into one tensor" if _in_collate()
             else "torch.stack makes one tensor of its inputs")
    return Diagnosis(
        "stack_unequal", f"{where}, and they differ: entry {m.group(2)} is {shape_text(a)} and entry "
        f"{m.group(4)} is {shape_text(b)}; a tensor cannot be ragged",
        "pad them to one length: pad_sequence(batch, batch_first=True) in a collate_fn, keeping the lengths "
        "(then pack, or mask, so the padding is not read)", "packing", sequences, (a, b))


def _in_collate():
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name in ("default_collate", "collate"):
            return True
        frame = frame.f_back
    return False


@rule(r"Sizes of tensors must match except in dimension (-?\d+)\. Expected size (\d+) but got size (\d+) "
      r"for tensor number (\d+)")
def cat_sizes(ctx, m):
    dim, want, got, which = (int(g) for g in m.groups())
    tensors = ctx.op_args[0] if ctx.op_args and isinstance(ctx.op_args[0], (list, tuple)) else ()
    shapes = ", ".join(shape_text(t.shape) for t in tensors if isinstance(t, torch.Tensor))
    shown = f" ({shapes})" if shapes else ""
    return Diagnosis(
        "cat_sizes", f"torch.cat joins along dim {dim}, so every other axis must agree; tensor {which} has {got} "
        f"where the first has {want}{shown}", f"check which axis each tensor keeps the batch on (transpose one), or "
        f"join along the axis where they differ", None, True, (want, got))


@rule(r"Expected size for first two dimensions of batch2 tensor to be: \[(\d+), (\d+)\] but got: \[(\d+), (\d+)\]")
def bmm_inner(ctx, m):
    batch, want, batch2, got = (int(g) for g in m.groups())
    same_shape = False
    if len(ctx.op_args) >= 2 and all(isinstance(t, torch.Tensor) for t in ctx.op_args[:2]):
        same_shape = ctx.op_args[0].shape == ctx.op_args[1].shape
    hint = (" Both are the same shape: for attention scores, q @ k.transpose(-2, -1) gives (B, T, T)"
            if same_shape else "")
    return Diagnosis(
        "bmm_inner", f"a batched matrix product (B, n, m) @ (B, m, p) needs the first's last axis ({want}) to equal "
        f"the second's middle axis, which is {got}.{hint}", "transpose the second operand's last two axes, "
        "x.transpose(-2, -1), or check which axis holds the features", None, True, (want, got))


@rule(r"Expected floating point type for target with class probabilities, got Long")
def ce_probabilities_long(ctx, m):
    """Targets the scores' shape are read as class probabilities, so they must be float."""
    tensors = [a for a in ctx.op_args if isinstance(a, torch.Tensor)]
    if len(tensors) < 2:
        return None
    scores, target = tensors[:2]
    if scores.dim() == 1:
        return ce_scores_1d(ctx, None, n=target.shape[0])
    return Diagnosis(
        "ce_onehot_long", f"the targets {_shape(target)} have the scores' shape {_shape(scores)}, so "
        f"{ctx.op.name} reads them as class probabilities, which must be float: one-hot rows of integers",
        "give class ids instead, targets.argmax(1) with shape (B,), or float probabilities: targets.float()",
        "loss_axes", True)


@rule(r"For 1D input, 1D target must have size 1, but got target size: (\d+)")
def ce_scores_1d(ctx, m, n=None):
    n = int(m.group(1)) if n is None else n
    scores = ctx.first_tensor(ctx.op_args)
    shown = f" {_shape(scores)}" if scores is not None else ""
    return Diagnosis(
        "ce_scores_1d", f"the scores{shown} are 1-D, so {ctx.op.name if ctx.op else 'the loss'} reads them as ONE "
        f"example's scores over classes, but there are {n} targets: one score per example is not a "
        "distribution over classes", "give (B, C) scores, C >= 2 (a Linear with out_features=C); for one "
        "logit per example use binary_cross_entropy_with_logits with float targets", "loss_axes", True, (1, n))


@rule(r"Dimension out of range \(expected to be in range of \[-(\d+), (\d+)\], but got (-?\d+)\)")
def dim_out_of_range(ctx, m):
    dims, asked = int(m.group(1)), int(m.group(3))
    x = ctx.first_tensor(ctx.op_args)
    squeezed = next((op for op in reversed(ctx.failure.ops if ctx.failure else []) if op.name == "squeeze"), None)
    shown = f" {_shape(x)}" if x is not None else ""
    before, rest = _tensor_then_rest(squeezed) if squeezed is not None else (None, None)
    if before and rest == "":                                                  # squeeze(): every axis
        after = tuple(s for s in before if s != 1)
        if before[0] == 1 and x is not None and x.dim() == len(after):
            return Diagnosis(
                "squeeze_batch", f"squeeze() on {shape_text(before)} dropped every axis of size 1, the batch of one "
                f"included, so the tensor{shown} has no axis {asked}", "squeeze only the axis you mean: "
                "x.squeeze(-1) (or squeeze(dim)), and keep the batch axis even for one example", "unbatched",
                tuple(x.shape) == after, (asked, dims))           # sure when it is the squeezed tensor itself
    return Diagnosis(
        "dim_out_of_range", f"{ctx.op.name + '() on ' if ctx.op else ''}a tensor{shown} with {dims} axes was asked "
        f"for axis {asked}", "print x.shape just before: an axis went missing earlier (a squeeze, an index, "
        "or an input without its batch axis)", "unbatched", False, (asked, dims))


@rule(r"Expected key_padded_mask\.shape\[0\] to be (\d+), but got (\d+)")
def padding_mask_layout(ctx, m):
    batch, got = int(m.group(1)), int(m.group(2))
    return Diagnosis(
        "padding_mask_layout", f"the key padding mask's first axis must be the batch, {batch}, and it is {got}: "
        "a (time, batch) mask", "give the mask as (batch, time), True at padding: mask.transpose(0, 1), or "
        "build it from the batch-first ids (ids == pad_id)", None, True, (batch, got))


@rule(r"Given normalized_shape=\[([\d, ]+)\], expected input with shape \[\*, ([\d, ]+)\], but got input of "
      r"size\s*\[([\d, ]+)\]")
def layernorm_axis(ctx, m):
    norm, shape = _ints(m.group(1)), _ints(m.group(3))
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


@rule(r"expected (\d)D input \(got (\d)D input\)")
def norm_dims(ctx, m):
    want, got = int(m.group(1)), int(m.group(2))
    name = type(ctx.module).__name__ if ctx.module is not None else "the layer"
    fix = ("a single example has no batch axis: x.unsqueeze(0) makes a batch of one" if got == want - 1
           else "give it (batch, channels, ...) with the right number of axes")
    return Diagnosis(
        "norm_dims", f"{ctx.path or name} ({name}) takes {want}-D input (batch, channels, ...) and got {got}-D",
        fix, "flatten", got == want - 1, (want, got))


@rule(r"running_mean should contain (\d+) elements not (\d+)")
def batchnorm_features(ctx, m):
    got, want = int(m.group(1)), int(m.group(2))
    return Diagnosis(
        "batchnorm_features", f"axis 1 of the input has {got} channels, but {ctx.path or 'the BatchNorm'} has "
        f"num_features={want}", f"num_features={got}", None, True, (want, got))


@rule(r"was expecting embedding dimension of (\d+), but got (\d+)")
def attention_width(ctx, m):
    want, got = int(m.group(1)), int(m.group(2))
    return Diagnosis(
        "attention_width", f"the last axis of the query has {got} features, but {ctx.path or 'the attention'} "
        f"has embed_dim={want}", f"embed_dim={got}, or project the input to {want} first", None, True, (want, got))


@rule(r"Input tensor shape: torch\.Size\(\[([\d, ]*)\]\)\. Additional info: \{(.*?)\}\.\s*Shape mismatch, (\d+) != (\d+)")
def einops_sizes(ctx, m):
    shape, named, got, said = _ints(m.group(1)), m.group(2), int(m.group(3)), int(m.group(4))
    pattern = re.search(r'pattern "([^"]*)"', ctx.message)
    left = pattern.group(1).split("->")[0].split() if pattern else []
    axis = shape.index(got) if got in shape else None
    name = left[axis] if axis is not None and axis < len(left) else "an axis"
    return Diagnosis(
        "einops_order", f"the pattern's left side ({' '.join(left)}) calls axis {axis} '{name}', and you said "
        f"{named}, but the tensor {shape_text(shape)} has {got} there", "write the left side in the tensor's "
        "own axis order (seq-first outputs are 't b h')", "layouts", True, (said, got))


def packed_inconsistently(ctx):
    """A PackedSequence whose steps do not add up to its data: packing read the wrong axes (the
    recurrent layer then fails with whatever message its first bad index gives)."""
    packed = ctx.args[0] if ctx.args and isinstance(ctx.args[0], PackedSequence) else None
    if packed is None or not isinstance(ctx.module, nn.RNNBase):
        return None
    claimed, rows = int(packed.batch_sizes.sum()), packed.data.shape[0]
    if claimed == rows:
        return None
    source = ctx.last_before()
    shown = f" {source.path} gave {source.output}," if source is not None else ""
    return Diagnosis(
        "pack_batch_first", f"the packed batch claims {claimed} steps (its longest sentence has "
        f"{len(packed.batch_sizes)}) but holds {rows}:{shown} and packing read its axes in the other order, so "
        "the lengths ran past the axis it took as time", "pad with pad_sequence(..., batch_first=True) and "
        "pack with batch_first=True, or keep both seq-first (batch_first=False)", "packing", True,
        (len(packed.batch_sizes), rows))


@after(r"(?:too many|not enough) values to unpack \(expected (\d+)(?:, got (\d+))?\)")
def unpacked_like_an_lstm(ctx, m):
    source = _returned_tuple(ctx)
    if source is None or not isinstance(source.module, nn.RNNBase):
        return None
    expected, got = int(m.group(1)), m.group(2) and int(m.group(2))
    shapes = re.findall(r"\(([\d, ]+)\)", source.output or "")
    state = _ints(shapes[-1]) if len(shapes) == 2 else None
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


def diagnose_after(exc, failure):
    """The Diagnosis of an error the learner's own code raised after the modules in ``failure``
    returned, or None: only the few errors a module's result explains are named this way."""
    return _first_answer(AFTER_RULES, Context(exc, failure))


def diagnose(exc):
    """The Diagnosis of ``exc`` (raised while the doctor recorded), or None when no rule knows it.
    A badly packed batch is looked for first: its message is whatever the LSTM's first bad index
    gives, so no message rule can know it."""
    ctx = Context(exc, failure_of(exc))
    try:
        answer = packed_inconsistently(ctx)
    except Exception:                          # a rule must never hide the learner's own error
        if strict():
            raise
        answer = None
    return answer if answer is not None else _first_answer(RULES, ctx)
