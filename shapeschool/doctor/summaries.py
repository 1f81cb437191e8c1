"""Short, readable descriptions of what flows through a model: values and module settings.

    describe(torch.zeros(32, 12, 300))             # '(32, 12, 300) float32'
    settings(nn.LSTM(300, 128, bidirectional=True))
    # 'LSTM(input_size=300, hidden_size=128, num_layers=1, bidirectional=True, batch_first=False)'
"""
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence

from ..checks import shape_text

# The settings that decide a layer's shapes, by layer kind (the first matching kind wins).
_SETTINGS = (
    (nn.RNNBase, ("input_size", "hidden_size", "num_layers", "bidirectional", "batch_first", "proj_size")),
    (nn.Linear, ("in_features", "out_features")),
    (nn.Bilinear, ("in1_features", "in2_features", "out_features")),
    (nn.Embedding, ("num_embeddings", "embedding_dim", "padding_idx")),
    (nn.EmbeddingBag, ("num_embeddings", "embedding_dim", "mode")),
    (nn.modules.conv._ConvNd, ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation")),
    (nn.modules.pooling._MaxPoolNd, ("kernel_size", "stride", "padding", "ceil_mode")),
    (nn.modules.pooling._AvgPoolNd, ("kernel_size", "stride", "padding", "ceil_mode")),
    (nn.modules.pooling._AdaptiveAvgPoolNd, ("output_size",)),
    (nn.modules.pooling._AdaptiveMaxPoolNd, ("output_size",)),
    (nn.modules.batchnorm._BatchNorm, ("num_features",)),
    (nn.LayerNorm, ("normalized_shape",)),
    (nn.Flatten, ("start_dim", "end_dim")),
    (nn.Unflatten, ("dim", "unflattened_size")),
    (nn.MultiheadAttention, ("embed_dim", "num_heads", "batch_first", "kdim", "vdim")),
    (nn.CrossEntropyLoss, ("ignore_index", "reduction")),
    (nn.NLLLoss, ("ignore_index", "reduction")),
    (nn.Softmax, ("dim",)),
    (nn.LogSoftmax, ("dim",)),
)


# -- what flowed, kept as numbers ----------------------------------------------------------------
# The recorder keeps a record of each value that flows (``seen``): shapes as tuples of ints,
# dtypes as torch dtypes, never text. Rules read the numbers; text is written only when a report
# is (``describe``), so a session that raises nothing never formats a shape.

@dataclass(frozen=True)
class TensorSeen:
    shape: tuple                  # () for a scalar; for a nested tensor, (number of sequences,)
    dtype: torch.dtype
    device: str = "cpu"
    nested: bool = False

    @property
    def dim(self):
        return len(self.shape)

    def __str__(self):
        dtype = str(self.dtype).replace("torch.", "")
        where = "" if self.device == "cpu" else f" on {self.device}"
        if self.nested:
            return f"nested tensor of {self.shape[0]} sequences, {dtype}{where}"
        if not self.shape:
            return f"scalar {dtype}{where}"
        return f"{shape_text(self.shape)} {dtype}{where}"


@dataclass(frozen=True)
class PackedSeen:
    data: TensorSeen
    batch: int                    # sentences in the batch (its first step's count)
    longest: int                  # steps of the longest sentence

    def __str__(self):
        return f"PackedSequence(data={self.data}, batch={self.batch}, longest={self.longest})"


@dataclass(frozen=True)
class ListSeen:
    items: tuple

    def __str__(self):
        return "[" + ", ".join(str(i) for i in self.items) + "]"


@dataclass(frozen=True)
class DictSeen:
    items: tuple                  # ((key, seen), ...), the first six

    def __str__(self):
        return "{" + ", ".join(f"{k!r}: {v}" for k, v in self.items) + "}"


@dataclass(frozen=True)
class ValueSeen:
    """Anything else: a number, a string, None, a dtype (``value`` kept), or an object (only its
    short text)."""
    value: object
    text: str

    def __str__(self):
        return self.text


_KEPT = (int, float, bool, str, type(None), torch.dtype, torch.device, slice, type(Ellipsis))


def seen(value, depth=0):
    """The record of ``value``: TensorSeen, PackedSeen, a tuple of records, ListSeen, DictSeen or
    ValueSeen."""
    if isinstance(value, torch.Tensor):
        if value.is_nested:          # a transformer's fast path packs padded batches this way
            return TensorSeen((value.size(0),), value.dtype, value.device.type, True)
        return TensorSeen(tuple(value.shape), value.dtype, value.device.type)
    if isinstance(value, PackedSequence):
        batch = int(value.batch_sizes[0]) if len(value.batch_sizes) else 0
        return PackedSeen(seen(value.data), batch, len(value.batch_sizes))
    if depth > 2:
        return ValueSeen(None, "...")
    if isinstance(value, tuple):
        return tuple(seen(v, depth + 1) for v in value)
    if isinstance(value, list):
        return ListSeen(tuple(seen(v, depth + 1) for v in value))
    if isinstance(value, dict):
        return DictSeen(tuple((k, seen(v, depth + 1)) for k, v in list(value.items())[:6]))
    if isinstance(value, _KEPT):
        text = repr(value)
        return ValueSeen(value, text if len(text) <= 40 else type(value).__name__)
    return ValueSeen(None, type(value).__name__)


def describe(value):
    """What a value passed to or from a layer looks like: shape and dtype for tensors, and the
    same inside tuples, lists and dicts (an LSTM's ``(output, (h_n, c_n))``). ``value`` is the
    value itself or its record from ``seen``."""
    if not _is_record(value):
        value = seen(value)
    if isinstance(value, tuple):
        inner = ", ".join(describe(v) for v in value)
        return f"({inner}{',' if len(value) == 1 else ''})"
    return str(value)


def _is_record(value):
    return isinstance(value, _SEEN) or type(value) is tuple and all(_is_record(v) for v in value)


def describe_inputs(args):
    """The positional inputs of a call (values or their records), as one line."""
    return ", ".join(describe(a) for a in args) if args else "nothing"


def describe_call(args, kwargs):
    """``(8, 16) float32, 1, dim=0``: a torch function's arguments (values or records)."""
    parts = [describe(a) for a in args]
    parts += [f"{k}={describe(v)}" for k, v in kwargs.items()
              if not (v is None or isinstance(v, ValueSeen) and v.value is None and v.text == "None")]
    return ", ".join(parts)


def shape_of(record):
    """The shape of a recorded tensor (or of a packed batch's data), else None."""
    if isinstance(record, PackedSeen):
        record = record.data
    return record.shape if isinstance(record, TensorSeen) and not record.nested else None


_SEEN = (TensorSeen, PackedSeen, ListSeen, DictSeen, ValueSeen)


def tensors_in(value):
    """Every tensor inside ``value`` (a tensor, a PackedSequence's data, tuples, lists, dicts)."""
    if isinstance(value, PackedSequence):
        return [value.data]
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in tensors_in(v)]
    if isinstance(value, dict):
        return [t for v in value.values() for t in tensors_in(v)]
    return []


def settings(module):
    """The module's type and the settings that decide its shapes, named:
    ``Linear(in_features=512, out_features=10)``."""
    for kind, names in _SETTINGS:
        if isinstance(module, kind):
            parts = []
            for name in names:
                if not hasattr(module, name):
                    continue
                value = getattr(module, name)
                if (name == "proj_size" and not value) or (name in ("padding_idx", "kdim", "vdim") and value is None):
                    continue                 # only shown when it is set
                if name in ("kdim", "vdim") and value == getattr(module, "embed_dim", None):
                    continue
                parts.append(f"{name}={value!r}")
            return f"{type(module).__name__}({', '.join(parts)})"
    extra = module.extra_repr()
    return f"{type(module).__name__}({extra})" if extra and "\n" not in extra and len(extra) < 80 else type(module).__name__


_NOT_SIZES = {"stride", "padding", "dilation", "kernel_size", "ignore_index", "dim", "start_dim", "end_dim",
              "padding_idx", "output_size", "groups", "training"}


def modules_that_ran(failure):
    """(path, module) for each module running when ``failure`` happened, then those that ran before it,
    newest first, each module once: where the sizes in a message most likely came from."""
    found, seen = [], set()
    for call in (list(failure.stack) + list(reversed(failure.before))) if failure is not None else []:
        if id(call.module) not in seen:
            seen.add(id(call.module))
            found.append((call.path, call.module))
    return found


def settings_by_value(modules):
    """{size: ["path.setting", ...]} for the shape-deciding settings of ``modules`` ((path, module)
    pairs), and the whole-number attributes a model of the learner's own keeps (self.hidden_size)."""
    found = {}

    def add(value, name):
        if isinstance(value, int) and not isinstance(value, bool) and value >= 2:
            found.setdefault(value, [])
            if name not in found[value]:
                found[value].append(name)

    for path, module in modules:
        names = next((n for kind, n in _SETTINGS if isinstance(module, kind)), ())
        for name in names:
            if name not in _NOT_SIZES:
                add(getattr(module, name, None), f"{path}.{name}")
        if not type(module).__module__.startswith("torch."):
            for name, value in vars(module).items():
                if not name.startswith("_") and name not in _NOT_SIZES:
                    add(value, f"{path}.{name}")
    return found

