"""Short, readable descriptions of what flows through a model: values and module settings.

    describe(torch.zeros(32, 12, 300))             # '(32, 12, 300) float32'
    settings(nn.LSTM(300, 128, bidirectional=True))
    # 'LSTM(input_size=300, hidden_size=128, num_layers=1, bidirectional=True, batch_first=False)'
"""
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


def describe(value, depth=0):
    """What a value passed to or from a layer looks like: shape and dtype for tensors, and the
    same inside tuples, lists and dicts (an LSTM's ``(output, (h_n, c_n))``)."""
    if isinstance(value, PackedSequence):
        batch = int(value.batch_sizes[0]) if len(value.batch_sizes) else 0
        return f"PackedSequence(data={describe(value.data)}, batch={batch}, longest={len(value.batch_sizes)})"
    if isinstance(value, torch.Tensor):
        dtype = str(value.dtype).replace("torch.", "")
        where = "" if value.device.type == "cpu" else f" on {value.device.type}"
        if value.is_nested:          # a transformer's fast path packs padded batches this way
            return f"nested tensor of {value.size(0)} sequences, {dtype}{where}"
        if value.dim() == 0:
            return f"scalar {dtype}{where}"
        return f"{shape_text(value.shape)} {dtype}{where}"
    if depth > 2:
        return "..."
    if isinstance(value, (tuple, list)):
        inner = ", ".join(describe(v, depth + 1) for v in value)
        return f"({inner}{',' if len(value) == 1 else ''})" if isinstance(value, tuple) else f"[{inner}]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {describe(v, depth + 1)}" for k, v in list(value.items())[:6]) + "}"
    if value is None:
        return "None"
    text = repr(value)
    return text if len(text) <= 40 else type(value).__name__


def describe_inputs(args):
    """The positional inputs of a call, as one line."""
    return ", ".join(describe(a) for a in args) if args else "nothing"


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
