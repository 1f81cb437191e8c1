"""Pictures of tensors' axes: one row per stage, one coloured box per axis.

``SHAPESCHOOL_PICTURES=off`` in the environment turns every picture of the course into a line
of text. The class grader sets it: no score depends on a picture, and drawing them was about a
tenth of a graded notebook's CPU time. Anywhere else pictures are on.
"""
import functools
import io
import os

import matplotlib.patches

from .errors import ShapeSchoolError
from .flows import Stage

# One colour per meaning, so the same axis keeps its colour as it moves between positions.
AXIS_COLOURS = {
    "batch": "#4C72B0",
    "time": "#DD8452",
    "embedding": "#55A868",
    "hidden": "#C44E52",
    "2×hidden": "#C44E52",
    "proj": "#E377C2",
    "2×proj": "#E377C2",
    "layers×directions": "#8172B3",
    "channels": "#937860",
    "height": "#DA8BC3",
    "width": "#8C8C8C",
    "features": "#CCB974",
    "classes": "#17BECF",
}
_OTHER = "#64B5CD"

PICTURES_ENV = "SHAPESCHOOL_PICTURES"


def pictures_on():
    """False where ``SHAPESCHOOL_PICTURES`` is ``off``; read on every call, so ``%env`` works."""
    value = os.environ.get(PICTURES_ENV, "on").strip().lower()
    if value not in ("on", "off"):
        raise ShapeSchoolError(f"{PICTURES_ENV}={value!r}: set it to 'on' or 'off' (or unset it: pictures are on)")
    return value == "on"


class NotDrawn:
    """What a picture function returns while pictures are off; ``show`` writes one line for it."""

    def __init__(self, what):
        self.what = what

    def __repr__(self):
        return f"[{self.what}: not drawn, {PICTURES_ENV}=off]"


def picture(draw):
    """Make ``draw`` (which returns a Figure) return a ``NotDrawn`` instead while pictures are off."""
    @functools.wraps(draw)
    def drawn_when_on(*args, **kwargs):
        return draw(*args, **kwargs) if pictures_on() else NotDrawn(draw.__name__)
    return drawn_when_on


@picture
def draw_flow(stages, title=None, ax=None):
    """Draw ``stages`` (a list of flows.Stage) top to bottom and return the Figure.

    Each axis is a box labelled with its meaning and size; boxes keep their position in the
    tensor, so a transpose shows as colours changing places.
    """
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyBboxPatch

    stages = list(stages)
    if not stages:
        raise ValueError("draw_flow needs at least one stage")
    for stage in stages:
        if not isinstance(stage, Stage):
            raise TypeError(f"draw_flow takes flows.Stage objects, got {type(stage).__name__}")
    if ax is None:
        fig = Figure(figsize=(8, 1.1 * len(stages) + 0.6))
        ax = fig.add_subplot(1, 1, 1)
    else:
        fig = ax.figure
    width, gap, label_w = 1.6, 0.15, 2.6
    for row, stage in enumerate(stages):
        y = -row * 1.2
        ax.text(0, y + 0.4, stage.name, ha="left", va="center", fontsize=11, fontweight="bold")
        for i, (axis, size) in enumerate(zip(stage.axes, stage.shape)):
            x = label_w + i * (width + gap)
            colour = AXIS_COLOURS.get(axis, _OTHER)
            ax.add_patch(FancyBboxPatch((x, y), width, 0.8, boxstyle="round,pad=0.02",
                                        facecolor=colour, edgecolor="black", alpha=0.85))
            ax.text(x + width / 2, y + 0.52, axis, ha="center", va="center", fontsize=8, color="white")
            ax.text(x + width / 2, y + 0.22, str(size), ha="center", va="center", fontsize=12,
                    color="white", fontweight="bold")
        if row < len(stages) - 1:
            ax.annotate("", xy=(label_w - 0.3, y - 0.35), xytext=(label_w - 0.3, y + 0.05),
                        arrowprops={"arrowstyle": "->", "color": "grey"})
    longest = max(len(s.shape) for s in stages)
    ax.set_xlim(-0.1, label_w + longest * (width + gap) + 0.1)
    ax.set_ylim(-1.2 * (len(stages) - 1) - 0.3, 1.1)
    ax.axis("off")
    if title:
        ax.set_title(title)
    return fig


@picture
def draw_grids(grids, title=None):
    """Draw layouts.LabelGrid objects side by side; out-of-place cells are red. Returns the Figure."""
    from matplotlib.figure import Figure

    grids = list(grids)
    if not grids:
        raise ValueError("draw_grids needs at least one grid")
    width = sum(len(g.labels[0]) for g in grids) + 1.2 * len(grids)
    height = max(len(g.labels) for g in grids)
    fig = Figure(figsize=(min(1.0 + 0.75 * width, 16), 1.0 + 0.45 * height))
    for i, g in enumerate(grids):
        ax = fig.add_subplot(1, len(grids), i + 1)
        rows, cols = len(g.labels), len(g.labels[0])
        for r in range(rows):
            for c in range(cols):
                bad = g.wrong[r][c]
                ax.add_patch(matplotlib.patches.Rectangle(
                    (c, rows - 1 - r), 1, 1, facecolor="#C44E52" if bad else "#DCE6F2", edgecolor="white"))
                ax.text(c + 0.5, rows - 0.5 - r, g.labels[r][c], ha="center", va="center", fontsize=8,
                        color="white" if bad else "black")
        ax.set_xlim(0, cols)
        ax.set_ylim(0, rows)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(g.title, fontsize=9)
    if title:
        fig.suptitle(title)
    return fig


@picture
def draw_training(history, baseline):
    """A training run, epoch by epoch: the loss falling (left) and the held-out accuracy rising
    toward its final value, against a baseline accuracy (right). ``history`` holds one
    ``(loss, accuracy)`` pair per epoch. Returns the Figure."""
    from matplotlib.figure import Figure

    history = list(history)
    if not history:
        raise ShapeSchoolError("draw_training needs at least one epoch of (loss, accuracy); got none: "
                               "train first, or skip the picture")
    epochs = range(1, len(history) + 1)
    fig = Figure(figsize=(8, 2.6))
    loss_ax, accuracy_ax = fig.subplots(1, 2)
    loss_ax.plot(epochs, [loss for loss, _ in history], marker="o", color="#4C72B0")
    loss_ax.set(title="training loss", xlabel="epoch")
    accuracy_ax.plot(epochs, [accuracy for _, accuracy in history], marker="o", color="#55A868", label="the model")
    accuracy_ax.axhline(baseline, color="grey", linestyle="--", label=f"baseline ({baseline:.1%})")
    accuracy_ax.set(title="held-out accuracy", xlabel="epoch")
    accuracy_ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


def to_png(fig, dpi=80):
    """The figure as PNG bytes (no pyplot, so no backend or GUI is involved)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


def show(fig):
    """Display a Figure in a notebook as a PNG image; works in any frontend and in widgets."""
    from IPython.display import Image, display

    if isinstance(fig, NotDrawn):
        print(fig)
        return
    display(Image(data=to_png(fig)))
