"""Pipelines run for real at toy sizes, so diagrams and widgets show shapes torch produced.

Nothing here computes a shape by formula: each stage records ``tensor.shape`` after the
layer ran. That way a picture can never disagree with PyTorch.
"""
from dataclasses import dataclass

import torch
from torch import nn

from .quiet import no_backend_notices


@dataclass(frozen=True)
class Stage:
    """One tensor in a pipeline: what it is, its shape, and what each axis means."""

    name: str
    shape: tuple
    axes: tuple

    def __post_init__(self):
        if len(self.shape) != len(self.axes):
            raise ValueError(
                f"stage {self.name!r}: {len(self.shape)} sizes {self.shape} but "
                f"{len(self.axes)} axis names {self.axes}: give one name per axis"
            )

    def describe(self):
        parts = ", ".join(f"{a}={s}" for a, s in zip(self.axes, self.shape))
        return f"{self.name}: ({parts})"


def embedding_lstm_flow(batch=2, seq_len=5, vocab_size=20, emb_dim=8, hidden=6,
                        batch_first=True, num_layers=1, bidirectional=False, proj_size=0):
    """Run ids -> nn.Embedding -> nn.LSTM at the given sizes and return the stages."""
    for label, value in (("batch", batch), ("seq_len", seq_len), ("vocab_size", vocab_size),
                         ("emb_dim", emb_dim), ("hidden", hidden), ("num_layers", num_layers)):
        if int(value) < 1:
            raise ValueError(f"{label} must be at least 1, got {value}")
    if not 0 <= proj_size < hidden:
        raise ValueError(f"proj_size must be 0 (off) or less than hidden={hidden}, got {proj_size}")
    generator = torch.Generator().manual_seed(0)
    time_major = ("time", "batch")
    lead = ("batch", "time") if batch_first else time_major
    lead_sizes = (batch, seq_len) if batch_first else (seq_len, batch)
    ids = torch.randint(0, vocab_size, lead_sizes, generator=generator)   # (B, T) or (T, B)
    embed = nn.Embedding(vocab_size, emb_dim)
    lstm = nn.LSTM(emb_dim, hidden, num_layers=num_layers, bidirectional=bidirectional,
                   batch_first=batch_first, proj_size=proj_size)
    with torch.no_grad(), no_backend_notices():
        x = embed(ids)                      # (*lead, E)
        out, (h_n, c_n) = lstm(x)           # out: (*lead, D*H_out); h_n: (L*D, B, H_out); c_n: (L*D, B, H)
    h_axis = "proj" if proj_size else "hidden"
    return [
        Stage("token ids", tuple(ids.shape), lead),
        Stage("embedded", tuple(x.shape), lead + ("embedding",)),
        Stage("LSTM output", tuple(out.shape), lead + (f"2×{h_axis}" if bidirectional else h_axis,)),
        Stage("h_n", tuple(h_n.shape), ("layers×directions", "batch", h_axis)),
        Stage("c_n", tuple(c_n.shape), ("layers×directions", "batch", "hidden")),
    ]
