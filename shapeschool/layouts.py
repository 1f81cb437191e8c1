"""Where does each element go? Tensors whose values name their own (batch, time) position.

Put ``position_codes(B, T)`` through a transpose, a view or a reshape and every element still
says where it started, so a scrambled layout is visible at a glance, not only as wrong numbers.
"""
from dataclasses import dataclass

import torch


def position_codes(batch, seq_len):
    """A (batch, seq_len) long tensor whose element [b, t] is ``b * 100 + t``."""
    if not (1 <= batch <= 99 and 1 <= seq_len <= 99):
        raise ValueError(f"batch and seq_len must be 1 to 99, got {batch} and {seq_len}")
    b = torch.arange(batch).unsqueeze(1)        # (B, 1)
    t = torch.arange(seq_len).unsqueeze(0)      # (1, T)
    return b * 100 + t                          # (B, T)


def label(code):
    """``107`` -> ``'b1t7'``: the batch index and time step an element came from."""
    code = int(code)
    return f"b{code // 100}t{code % 100}"


@dataclass(frozen=True)
class LabelGrid:
    """A 2-D tensor shown as labels, with the cells that differ from the right layout marked."""

    title: str
    labels: tuple
    wrong: tuple

    @property
    def wrong_count(self):
        return sum(sum(row) for row in self.wrong)

    @property
    def size(self):
        return sum(len(row) for row in self.labels)


def grid(title, tensor, reference=None):
    """A LabelGrid of a 2-D code tensor; cells unequal to ``reference`` are marked wrong."""
    if tensor.dim() != 2:
        raise ValueError(f"grid shows 2-D tensors, got shape {tuple(tensor.shape)}")
    if reference is not None and reference.shape != tensor.shape:
        raise ValueError(f"reference shape {tuple(reference.shape)} differs from {tuple(tensor.shape)}")
    wrong = (tensor != reference) if reference is not None else torch.zeros_like(tensor, dtype=torch.bool)
    return LabelGrid(title,
                     tuple(tuple(label(v) for v in row) for row in tensor.tolist()),
                     tuple(tuple(bool(w) for w in row) for row in wrong.tolist()))


def swap_flow(batch=3, seq_len=4, use_view=False):
    """(B, T) -> (T, B) by transpose (right) or by view (wrong unless B or T is 1)."""
    x = position_codes(batch, seq_len)                  # (B, T)
    right = x.transpose(0, 1)                           # (T, B): element [t, b] = x[b, t]
    got = x.view(seq_len, batch) if use_view else right  # view keeps memory order: scrambles
    how = "x.view(T, B)" if use_view else "x.transpose(0, 1)"
    return [grid("x: (batch, time)", x), grid(f"{how}: (time, batch)", got, right)]


def grids_summary(grids):
    """HTML: for each grid, how many elements are out of place."""
    parts = []
    for g in grids:
        verdict = (f"<b style='color:#C44E52'>{g.wrong_count} of {g.size} elements in the wrong place</b>"
                   if g.wrong_count else "every element in place")
        parts.append(f"<li><code>{g.title}</code>: {verdict}</li>")
    return "<ul>" + "".join(parts) + "</ul>"


def state_rows(num_layers, bidirectional):
    """A one-column LabelGrid naming what each row of h_n / c_n holds, in PyTorch's order."""
    directions = ("forward", "backward") if bidirectional else ("forward",)
    labels = tuple((f"row {i}: layer {layer} {d}",)
                   for i, (layer, d) in enumerate((layer, d) for layer in range(num_layers) for d in directions))
    return LabelGrid("h_n rows", labels, tuple((False,) for _ in labels))


def packing_flow(len_0=5, len_1=2, len_2=4, len_3=1):
    """Pad four sequences of the given lengths and pack them for real; show both layouts.

    The first grid is the padded (batch, time) batch with padding marked; the second shows,
    for each time step, which sequences the packed batch still holds (its batch_sizes), read
    from what pack_padded_sequence returned.
    """
    from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence

    lengths = [len_0, len_1, len_2, len_3]
    if min(lengths) < 1:
        raise ValueError(f"every length must be at least 1, got {lengths}")
    seqs = [torch.full((n,), 100 * b) + torch.arange(n) for b, n in enumerate(lengths)]
    padded = pad_sequence(seqs, batch_first=True, padding_value=-1)          # (B, T_max)
    packed = pack_padded_sequence(padded, torch.tensor(lengths), batch_first=True, enforce_sorted=False)
    T, B = padded.shape[1], len(lengths)
    pad_labels = tuple(tuple("pad" if v < 0 else label(v) for v in row) for row in padded.tolist())
    pad_mask = tuple(tuple(v < 0 for v in row) for row in padded.tolist())
    steps, idle = [], []
    for t, size in enumerate(packed.batch_sizes.tolist()):
        active = packed.sorted_indices[:size].tolist()
        steps.append(tuple(f"b{b}t{t}" if b in active else "-" for b in range(B)))
        idle.append(tuple(b not in active for b in range(B)))
    return [LabelGrid("padded (batch, time): red = padding", pad_labels, pad_mask),
            LabelGrid(f"packed, step by step: batch_sizes {packed.batch_sizes.tolist()}", tuple(steps), tuple(idle))]


def packing_summary(grids):
    padded, packed = grids
    pads = sum(sum(row) for row in padded.wrong)
    return (f"<p>{padded.size - pads} real tokens and {pads} padding positions; "
            f"the packed LSTM runs {len(packed.labels)} steps and reads only the real tokens.</p>")
