"""Convolution windows made visible: which input positions each output position reads.

The output length comes from running a real nn.Conv1d; the windows are laid out from it, so the
picture and PyTorch cannot disagree about how many outputs there are.
"""
from dataclasses import dataclass

import torch
from torch import nn

from .diagrams import picture


def conv_formula(length, kernel, stride=1, padding=0, dilation=1):
    """floor((L + 2p - d(k - 1) - 1) / s) + 1: PyTorch's output length for a convolution."""
    return (length + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


@dataclass(frozen=True)
class ConvPicture:
    length: int
    kernel: int
    stride: int
    padding: int
    dilation: int
    out_length: int
    windows: tuple          # per output position, the padded-input positions it reads


def conv_windows(length=10, kernel=3, stride=1, padding=0, dilation=1):
    """Run nn.Conv1d on a length-L input and describe each output position's window."""
    layer = nn.Conv1d(1, 1, kernel, stride=stride, padding=padding, dilation=dilation)
    with torch.no_grad():
        out_length = layer(torch.zeros(1, 1, length)).shape[-1]    # (1, 1, L_out)
    windows = tuple(tuple(i * stride + j * dilation for j in range(kernel)) for i in range(out_length))
    return ConvPicture(length, kernel, stride, padding, dilation, out_length, windows)


def conv_summary(pic):
    """HTML: the formula with the numbers filled in, beside what the real layer gave."""
    by_formula = conv_formula(pic.length, pic.kernel, pic.stride, pic.padding, pic.dilation)
    return (f"<p>floor(({pic.length} + 2×{pic.padding} − {pic.dilation}×({pic.kernel} − 1) − 1) / {pic.stride}) + 1 "
            f"= <b>{by_formula}</b>; the real <code>nn.Conv1d</code> gave <b>{pic.out_length}</b>.</p>")


@picture
def draw_conv(pic, title=None):
    """Padded input on top (padding grey), one row per output position marking the cells it reads."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    total = pic.length + 2 * pic.padding
    rows = min(pic.out_length, 12)
    fig = Figure(figsize=(min(2 + 0.45 * total, 16), 1.4 + 0.35 * rows))
    ax = fig.add_subplot(1, 1, 1)
    for x in range(total):
        is_pad = x < pic.padding or x >= pic.padding + pic.length
        ax.add_patch(Rectangle((x, rows + 0.5), 1, 1, facecolor="#DDDDDD" if is_pad else "#55A868",
                               edgecolor="white"))
        ax.text(x + 0.5, rows + 1.0, "p" if is_pad else str(x - pic.padding), ha="center", va="center", fontsize=7)
    for i, window in enumerate(pic.windows[:rows]):
        y = rows - 1 - i
        ax.text(-0.3, y + 0.5, f"out[{i}]", ha="right", va="center", fontsize=7)
        for x in window:
            ax.add_patch(Rectangle((x, y + 0.1), 1, 0.8, facecolor="#C44E52", edgecolor="white"))
    if pic.out_length > rows:
        ax.text(total / 2, -0.4, f"... {pic.out_length - rows} more outputs", ha="center", fontsize=7)
    ax.set_xlim(-2.5, total + 0.2)
    ax.set_ylim(-0.8, rows + 1.7)
    ax.axis("off")
    ax.set_title(title or f"L={pic.length}, kernel={pic.kernel}, stride={pic.stride}, "
                          f"padding={pic.padding}, dilation={pic.dilation} -> {pic.out_length} outputs", fontsize=9)
    return fig
