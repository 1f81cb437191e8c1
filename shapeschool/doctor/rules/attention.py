"""Attention: MultiheadAttention, the transformer encoder, and their masks.

Masks are judged by what flowed, not by the message: PyTorch checks them in different places on
its fast path (a view's "shape '[1, 1, 7, 7]' is invalid") and off it ("The shape of the 2D
attn_mask is ..."). The masks are read from the failing module's own arguments (``ctx.arguments``),
since they are usually passed by keyword.
"""
import re

import torch
from torch import nn

from ..summaries import shape_text
from .base import BROADCAST, Diagnosis, evidence, message

ATTENTION = (nn.MultiheadAttention, nn.TransformerEncoderLayer, nn.TransformerEncoder)

# argument names, by module kind: (the query, the keys, the attention mask, the padding mask)
_NAMES = {
    nn.MultiheadAttention: ("query", "key", "attn_mask", "key_padding_mask"),
    nn.TransformerEncoderLayer: ("src", "src", "src_mask", "src_key_padding_mask"),
    nn.TransformerEncoder: ("src", "src", "mask", "src_key_padding_mask"),
}


def _attention_of(module):
    """The MultiheadAttention that decides the layout: the module itself or its first layer's."""
    if isinstance(module, nn.TransformerEncoder):
        module = module.layers[0]
    return module.self_attn if isinstance(module, nn.TransformerEncoderLayer) else module


def _sizes(module, query, key):
    """(batch or None, target length, source length) of the query and keys, by the module's layout."""
    batch_first = _attention_of(module).batch_first
    if query.dim() == 2:                                           # unbatched: (L, E)
        return None, query.shape[0], key.shape[0]
    if batch_first:
        return query.shape[0], query.shape[1], key.shape[1]
    return query.shape[1], query.shape[0], key.shape[0]


def _from(size, batch, width, heads):
    """What a wrong size most likely came from, when the evidence names it."""
    if batch is not None and size == batch:
        return f"{size} is the batch size: the mask was built from the batch axis"
    if size == width:
        return f"{size} is the embedding width: the mask was built from the feature axis"
    return None


@evidence(*ATTENTION)
def mask_size(ctx, found):
    """An attention mask or a padding mask whose size is not the sequence's."""
    kind = next(k for k in _NAMES if isinstance(ctx.module, k))
    q_name, k_name, mask_name, pad_name = _NAMES[kind]
    given = ctx.arguments()
    query, key = given.get(q_name), given.get(k_name)
    if not isinstance(query, torch.Tensor) or not isinstance(key, torch.Tensor) or query.dim() not in (2, 3):
        return None
    attention = _attention_of(ctx.module)
    heads, width = attention.num_heads, attention.embed_dim
    batch, target, source = _sizes(ctx.module, query, key)
    layout = "(batch, time, features)" if attention.batch_first else "(time, batch, features)"
    flowed = f"the input {shape_text(query.shape)} is {layout} (batch_first={attention.batch_first})"
    if kind is nn.MultiheadAttention and query.dim() == 3 and key.dim() == 3 and not attention.batch_first \
            and query.shape[1] != key.shape[1] and query.shape[0] == key.shape[0]:
        return Diagnosis(
            "attn_batch_first", f"{ctx.path} was built seq-first (batch_first=False), so it reads axis 1 as the "
            f"batch: {query.shape[1]} for the query {shape_text(query.shape)} and {key.shape[1]} for the keys "
            f"{shape_text(key.shape)}; both have {query.shape[0]} on axis 0, the batch of (batch, time, features) "
            "tensors", "nn.MultiheadAttention(..., batch_first=True) for (batch, time, features) inputs",
            None, True, (query.shape[0], query.shape[1]))
    mask = given.get(mask_name)
    if isinstance(mask, torch.Tensor) and mask.dim() in (2, 3):
        want = (target, source) if mask.dim() == 2 else ((batch or 1) * heads, target, source)
        if tuple(mask.shape) != want:
            wrong = next(i for i in range(mask.dim()) if mask.shape[i] != want[i])
            origin = _from(mask.shape[wrong], batch, width, heads)
            sizes = (want, tuple(mask.shape))
            if mask.dim() == 2 and batch is not None and batch != target and tuple(mask.shape) == (batch, source):
                return Diagnosis(
                    "attn_mask_shape", f"{mask_name} is {shape_text(mask.shape)}: (batch, length), the shape of a "
                    f"padding mask (a tokenizer's attention_mask is one); {mask_name} is (L, S) = {shape_text(want)}, "
                    f"one mask shared by every sentence", f"pass the padding as {pad_name}, True at padding "
                    f"({pad_name}=attention_mask == 0), and give {mask_name} only a (L, S) mask such as the causal "
                    "one", None, True, sizes)
            if mask.dim() == 3 and wrong == 0 and batch is not None and mask.shape[0] == batch:
                cause = (f"{mask_name} is {shape_text(mask.shape)}, one mask per sentence; a 3-D mask is one per "
                         f"sentence per head, (batch * num_heads, L, S) = {shape_text(want)}")
                fix = f"{mask_name}.repeat_interleave({heads}, dim=0), or a 2-D (L, S) mask shared by the batch"
            else:
                cause = (f"{mask_name} is {shape_text(mask.shape)}, but {flowed}: its mask must be "
                         f"{shape_text(want)} ({'L, S' if mask.dim() == 2 else 'batch * num_heads, L, S'}: "
                         f"the query's and the keys' lengths)" + (f"; {origin}" if origin else ""))
                fix = (f"build the mask from the sequence length: "
                       f"nn.Transformer.generate_square_subsequent_mask({q_name}.size({1 if attention.batch_first else 0}))"
                       if target == source else f"a mask of shape {shape_text(want)}")
            return Diagnosis("attn_mask_shape", cause, fix, None, True, sizes)
    padding = given.get(pad_name)
    if isinstance(padding, torch.Tensor) and padding.dim() == 2 and batch is not None:
        want = (batch, source)
        if tuple(padding.shape) != want:
            if tuple(padding.shape) == (source, batch):
                return Diagnosis(
                    "padding_mask_layout", f"{pad_name} is {shape_text(padding.shape)}, (time, batch); it must be "
                    f"(batch, time) = {shape_text(want)}, True at padding, whatever batch_first says",
                    f"{pad_name}.transpose(0, 1), or build it from the batch-first ids (ids == pad_id)",
                    None, True, (want, tuple(padding.shape)))
            return Diagnosis(
                "padding_mask_shape", f"{pad_name} is {shape_text(padding.shape)}, but {flowed}"
                + (f" and the keys are {shape_text(key.shape)}" if key is not query else "")
                + f": it must be (batch, the keys' length) = {shape_text(want)}", "one row per sentence, one "
                "column per position of the keys, True at padding", None, True, (want, tuple(padding.shape)))
    return None


@message(r"Expected key_padded_mask\.shape\[0\] to be (\d+), but got (\d+)")
def padding_mask_layout(ctx, m):
    batch, got = int(m.group(1)), int(m.group(2))
    names = next((n for kind, n in _NAMES.items() if isinstance(ctx.module, kind)), None)
    mask = ctx.arguments().get(names[3]) if names else None
    turned = isinstance(mask, torch.Tensor) and mask.dim() == 2 and mask.shape[1] == batch
    if isinstance(mask, torch.Tensor) and not turned:
        return Diagnosis(
            "padding_mask_shape", f"the key padding mask {shape_text(mask.shape)} must be (batch, keys) with the "
            f"batch, {batch}, first; its first axis is {got}, and the batch is not its second either: a mask made "
            "for another batch", "build the mask from this batch's own ids: (ids == pad_id), shape (batch, keys)",
            None, False, (batch, got))
    return Diagnosis(
        "padding_mask_layout", f"the key padding mask's first axis must be the batch, {batch}, and it is {got}"
        + (f"; the mask {shape_text(mask.shape)} has the batch second: a (time, batch) mask" if turned else
           ": a (time, batch) mask, most likely"), "give the mask as (batch, time), True at padding: "
        "mask.transpose(0, 1), or build it from the batch-first ids (ids == pad_id)", None, turned, (batch, got))


@message(r"was expecting embedding dimension of (\d+), but got (\d+)")
def attention_width(ctx, m):
    want, got = int(m.group(1)), int(m.group(2))
    return Diagnosis(
        "attention_width", f"the last axis of the query has {got} features, but {ctx.path or 'the attention'} "
        f"has embed_dim={want}", f"embed_dim={got}, or project the input to {want} first", None, True, (want, got))


@message(r"embed_dim must be divisible by num_heads", plain=True)
def heads_divide(ctx, m):
    """MultiheadAttention's constructor refuses a width its heads cannot share equally."""
    built = ctx.frame_locals("__init__")
    width, heads = built.get("embed_dim"), built.get("num_heads")
    if not isinstance(width, int) or not isinstance(heads, int) or heads <= 0:
        return Diagnosis("heads_divide", "nn.MultiheadAttention splits embed_dim into num_heads heads of equal "
                         "width, so embed_dim must be a multiple of num_heads", "choose num_heads that divides "
                         "embed_dim, or a width that the heads divide", None, True)
    good = [h for h in range(1, min(width, 16) + 1) if width % h == 0]
    return Diagnosis(
        "heads_divide", f"nn.MultiheadAttention(embed_dim={width}, num_heads={heads}) would give each head "
        f"{width} / {heads} = {width / heads:.2f} features; the heads share embed_dim equally, so it must be a "
        f"multiple of num_heads", f"num_heads in {good} for embed_dim={width}, or embed_dim a multiple of {heads} "
        f"(e.g. {heads * max(1, round(width / heads))})", None, True, (width, heads))


@message(r"shape '\[([-\d, ]+)\]' is invalid for input of size (\d+)")
def heads_view(ctx, m):
    """A hand-written attention module's view into heads fails when its width is not a multiple of
    its heads (its own ``num_heads`` is in the sizes asked)."""
    heads = getattr(ctx.module, "num_heads", None)
    asked, total = [int(v) for v in re.findall(r"-?\d+", m.group(1))], int(m.group(2))
    if not isinstance(heads, int) or heads not in asked or isinstance(ctx.module, nn.MultiheadAttention):
        return None
    x = ctx.first_tensor(ctx.op_args)
    if x is None:
        return None
    width = x.shape[-1]
    for parts in (3, 2, 1):                                  # q, k, v projected together, or k and v, or one
        if width % parts == 0 and (width // parts) % heads != 0 and asked[-1] == (width // parts) // heads:
            one = width // parts
            return Diagnosis(
                "heads_divide", f"{ctx.path} splits its width {one} into num_heads={heads} heads of {one} // {heads} "
                f"= {asked[-1]} features, and {heads} x {asked[-1]} = {heads * asked[-1]} is not {one}: the view "
                f"cannot hold the {total} values", f"a width that is a multiple of num_heads (or num_heads that "
                f"divides {one})", None, True, (one, heads * asked[-1]))
    return None


@message(r"expecting (key|value) weights shape of \(([\d, ]+)\), but got torch\.Size\(\[([\d, ]+)\]\)")
def attention_kdim_vdim(ctx, m):
    which = m.group(1)
    setting = "kdim" if which == "key" else "vdim"
    mha = ctx.module if isinstance(ctx.module, nn.MultiheadAttention) else None
    given = ctx.arguments()
    tensor = given.get(which if which == "key" else "value")
    if mha is None or not isinstance(tensor, torch.Tensor):
        return None
    built = getattr(mha, setting)
    return Diagnosis(
        "attn_vdim", f"{ctx.path} was built with {setting}={built}, so it projects {which}s of {built} features, "
        f"but the {which}s given are {shape_text(tensor.shape)}, {tensor.shape[-1]} features",
        f"{setting}={tensor.shape[-1]} (or leave {setting} out when the {which}s are as wide as the queries, "
        f"embed_dim={mha.embed_dim})", None, True, (built, tensor.shape[-1]))


@message(r"expected `key_padding_mask` to be `None` or (\d)-D but found (\d)-D tensor instead")
def padding_mask_rank(ctx, m):
    want, got = int(m.group(1)), int(m.group(2))
    mask = ctx.arguments().get("key_padding_mask")
    shown = f" {shape_text(mask.shape)}" if isinstance(mask, torch.Tensor) else ""
    return Diagnosis(
        "padding_mask_shape", f"key_padding_mask{shown} is {got}-D; it is one flag per key position and sentence, "
        f"(batch, keys' length), {want}-D", "drop the extra axis (mask.squeeze(-1)), True at padding", None, True,
        (want, got))


@message(r"query should be unbatched 2D or batched 3D tensor but received (\d)-D query tensor")
def attention_rank(ctx, m):
    got = int(m.group(1))
    mha = ctx.module if isinstance(ctx.module, nn.MultiheadAttention) else None
    layout = "(batch, time, features)" if mha is not None and mha.batch_first else "(time, batch, features)"
    return Diagnosis(
        "attention_rank", f"{ctx.path or 'MultiheadAttention'} takes {layout}, or (time, features) for one "
        f"sentence, and the query is {got}-D", "remove the extra axis (squeeze it), or merge it into the batch "
        "with flatten(0, 1) and split it again after", None, True, (3, got))


@evidence(nn.MultiheadAttention)
def query_and_keys_of_other_batches(ctx, found):
    """A query batch of one size against keys and values of another: each query attends to its own
    example's keys, so the batches must match (a single query is repeated over the batch)."""
    args = ctx.arguments()
    query, key = args.get("query"), args.get("key")
    if not isinstance(query, torch.Tensor) or not isinstance(key, torch.Tensor) or query.dim() != 3 or key.dim() != 3:
        return None
    axis = 0 if ctx.module.batch_first else 1
    if query.shape[axis] == key.shape[axis]:
        return None
    q, k = query.shape[axis], key.shape[axis]
    fix = (f"repeat the query over the batch: query.expand({k}, -1, -1)" if ctx.module.batch_first else
           f"repeat the query over the batch: query.expand(-1, {k}, -1)") if q == 1 else \
        f"give the query, keys and values the same batch (axis {axis} with batch_first={ctx.module.batch_first})"
    return Diagnosis(
        "attn_batch_mismatch", f"{ctx.path} (batch_first={ctx.module.batch_first}) got a query {shape_text(query.shape)} "
        f"with a batch of {q} and keys {shape_text(key.shape)} with a batch of {k} on axis {axis}: each query "
        "attends to its own example's keys, so the batches must match", fix, None, True, (k, q))


@evidence("scaled_dot_product_attention")
def sdpa_layout(ctx, m):
    """F.scaled_dot_product_attention(q, k, v): (batch, heads, length, features), masks (L, S)."""
    if len(ctx.op_args) < 3:
        return None
    q, k, v = ctx.op_args[:3]
    if not all(isinstance(t, torch.Tensor) for t in (q, k, v)):
        return None
    shown = f"q {shape_text(q.shape)}, k {shape_text(k.shape)}, v {shape_text(v.shape)}"
    if q.shape[-1] != k.shape[-1]:
        return Diagnosis(
            "sdpa_widths", f"{shown}: the query and the keys must have the same last axis (the width each score "
            f"is a dot product over); it is {q.shape[-1]} and {k.shape[-1]}", "project both to one width per "
            "head (E = embed_dim // num_heads)", None, True, (q.shape[-1], k.shape[-1]))
    if q.dim() == k.dim() == 4 and q.shape[1] != k.shape[1] and q.shape[2] == k.shape[1]:
        return Diagnosis(
            "sdpa_heads_axis", f"{shown}: it reads (batch, heads, length, features), and q has the heads on axis 2 "
            f"({q.shape[2]}) where k has them on axis 1: q is (batch, length, heads, features)",
            "split heads as x.view(B, T, heads, E).transpose(1, 2) for every one of q, k and v", None, True,
            (k.shape[1], q.shape[1]))
    mask = ctx.op_kwargs.get("attn_mask", ctx.op_args[3] if len(ctx.op_args) > 3 else None)
    if isinstance(mask, torch.Tensor) and mask.dim() >= 2:
        want = (q.shape[-2], k.shape[-2])
        if tuple(mask.shape[-2:]) != want:
            return Diagnosis(
                "attn_mask_shape", f"{shown}: attn_mask is {shape_text(mask.shape)}, and its last two axes must be "
                f"(L, S) = {shape_text(want)}, the query's and the keys' lengths (it broadcasts over batch and "
                "heads)", f"a mask of shape {shape_text(want)} (or (batch, 1, L, S))", None, True,
                (want, tuple(mask.shape[-2:])))
    return None


@message(BROADCAST)
def mask_without_head_axis(ctx, m):
    """scores.masked_fill(mask, ...) with scores (batch, heads, L, S) and a mask (batch, L, S): lined
    up from the right, the mask's batch meets the heads."""
    if ctx.op is None or ctx.op.name not in ("masked_fill", "masked_fill_"):
        return None
    tensors = [a for a in ctx.op_args if isinstance(a, torch.Tensor)]
    scores = next((t for t in tensors if t.dim() == 4), None)
    mask = next((t for t in tensors if t.dim() == 3), None)
    if scores is None or mask is None:
        return None
    b, h, q, k = scores.shape
    if tuple(mask.shape) != (b, q, k) or b == h:
        return None
    return Diagnosis(
        "attn_mask_shape", f"the scores {shape_text(scores.shape)} are (batch, heads, queries, keys) and the mask "
        f"{shape_text(mask.shape)} is (batch, queries, keys): lined up from the right, the mask's batch ({b}) meets "
        f"the heads ({h})", "give the mask a head axis of 1, mask.unsqueeze(1), shape "
        f"{shape_text((b, 1, q, k))}, so it applies to every head", None, True, (h, b))


@message(r"the batch number of src and tgt must be equal")
def transformer_batches(ctx, m):
    """nn.Transformer given src and tgt with other batches: usually batch-first data given to a
    Transformer built seq-first (or the other way), where the lengths differ."""
    src, tgt = ctx.arguments().get("src"), ctx.arguments().get("tgt")
    if not isinstance(src, torch.Tensor) or not isinstance(tgt, torch.Tensor) or src.dim() != 3 or tgt.dim() != 3:
        return None
    first = getattr(ctx.module, "batch_first", False)
    axis, other = (0, 1) if first else (1, 0)
    shapes = f"src {shape_text(src.shape)} and tgt {shape_text(tgt.shape)}"
    if src.shape[other] == tgt.shape[other]:
        layout, built = (("(seq, batch, features)", "batch_first=True") if first else
                         ("(batch, seq, features)", "batch_first=False (the default)"))
        return Diagnosis(
            "transformer_batch_first", f"{ctx.path} was built with {built}, so it reads the batch from axis {axis}: "
            f"{shapes} have {src.shape[axis]} and {tgt.shape[axis]} there, and agree on axis {other} "
            f"({src.shape[other]}): the data are {layout}", f"build it with batch_first={not first}, or give it "
            f"src.transpose(0, 1) and tgt.transpose(0, 1)", "batch_first", True, (src.shape[other], src.shape[axis]))
    s, t = src.shape[axis], tgt.shape[axis]
    if 1 in (s, t):
        one, many = ("tgt", s) if t == 1 else ("src", t)
        repeat = f"{one}.expand({many}, -1, -1)" if first else f"{one}.expand(-1, {many}, -1)"
        return Diagnosis(
            "attn_batch_mismatch", f"{ctx.path} reads the batch from axis {axis}, and {shapes} have {s} and {t} "
            f"there: {one} is a batch of one (queries or a prompt made once, e.g. a learnt parameter unsqueezed), "
            f"and the other a batch of {many}; each example needs its own", f"repeat it over the batch: {repeat} "
            f"(or .repeat), giving {many} on axis {axis}", "batch_first", True, (many, 1))
    return Diagnosis(
        "attn_batch_mismatch", f"{ctx.path} reads the batch from axis {axis}, and {shapes} have {s} and {t} there: "
        "each source sentence needs its target in the same batch", "give src and tgt from the same batch of "
        "examples (same size on the batch axis)", "batch_first", False, (s, t))


@message(BROADCAST)
def mask_built_for_fewer_positions(ctx, m):
    """A square mask (a causal mask kept as a buffer, sliced [:T, :T]) built for fewer positions than
    the scores have: slicing past its end silently gives the whole buffer, which cannot broadcast."""
    shapes = [s for s in ctx.op_shapes() if s is not None][:2]
    if len(shapes) != 2 or any(len(s) < 2 for s in shapes):
        return None
    (a, b), (c, d) = shapes[0][-2:], shapes[1][-2:]
    if a != b or c != d or a == c:
        return None
    scores, mask = (shapes[0], shapes[1]) if a > c else (shapes[1], shapes[0])
    n, t = mask[-1], scores[-1]
    module = ctx.module
    kept = None
    if module is not None:
        kept = next((name for name, buf in module.named_buffers(recurse=False)
                     if buf.dim() >= 2 and tuple(buf.shape[-2:]) == (n, n)), None)
    if kept is None and not _lower_triangular(ctx, mask):
        return None
    where = f"{ctx.path}.{kept}, a buffer made when the layer was built, holds" if kept else "the mask holds"
    return Diagnosis(
        "causal_mask_short", f"the scores {shape_text(scores)} cover {t} positions and {where} {n} x {n}: a mask "
        f"built for at most {n} positions (the block size, the longest sequence planned for), and slicing it to "
        f"[:{t}, :{t}] gives back all {n} without complaint", f"keep sequences to at most {n} positions (crop the "
        f"context to the last {n} tokens, as generation loops do), or build the mask for the longest length you "
        f"will give (and the position table with it), or make it per call: torch.ones({t}, {t}).tril()", None,
        kept is not None, (n, t))


def _lower_triangular(ctx, shape):
    """Whether the failing call's operand of ``shape`` is a causal (lower-triangular) mask."""
    for a in ctx.op_args:
        if isinstance(a, torch.Tensor) and tuple(a.shape) == tuple(shape):
            square = a.reshape(-1, shape[-2], shape[-1])[0] != 0
            return bool(torch.equal(square, square.tril())) and bool(square.any()) and not bool(square.all())
    return False
