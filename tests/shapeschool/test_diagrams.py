"""Does the diagram show each stage's axes and sizes?"""
import pytest

from shapeschool.conv import draw_conv
from shapeschool.diagrams import (AXIS_COLOURS, PICTURES_ENV, NotDrawn, draw_flow, draw_grids, pictures_on, show,
                                  to_png)
from shapeschool.errors import ShapeSchoolError
from shapeschool.flows import Stage, embedding_lstm_flow


def _texts(fig):
    return [t.get_text() for t in fig.axes[0].texts]


def test_every_axis_and_size_is_drawn():
    stages = embedding_lstm_flow(batch=3, seq_len=6, emb_dim=8, hidden=5)
    fig = draw_flow(stages, title="t")
    texts = _texts(fig)
    for stage in stages:
        assert stage.name in texts
        for axis, size in zip(stage.axes, stage.shape):
            assert axis in texts and str(size) in texts
    boxes = fig.axes[0].patches
    assert len(boxes) == sum(len(s.shape) for s in stages)
    # batch keeps one colour wherever it sits
    batch_colours = {tuple(round(c, 3) for c in p.get_facecolor()[:3])
                     for p, axis in zip(boxes, [a for s in stages for a in s.axes]) if axis == "batch"}
    assert len(batch_colours) == 1


def test_png_bytes():
    png = to_png(draw_flow([Stage("x", (2,), ("batch",))]))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_empty_and_wrong_inputs_are_refused():
    with pytest.raises(ValueError, match="at least one stage"):
        draw_flow([])
    with pytest.raises(TypeError, match="flows.Stage"):
        draw_flow([(2, 3)])


def test_known_axes_have_colours():
    assert {"batch", "time", "embedding", "hidden"} <= set(AXIS_COLOURS)


def test_with_pictures_off_nothing_is_drawn_and_show_writes_one_line(monkeypatch, capsys):
    monkeypatch.setenv(PICTURES_ENV, "off")
    assert not pictures_on()
    skipped = draw_flow([])          # the body never runs: drawn, this would raise
    assert isinstance(skipped, NotDrawn)
    assert isinstance(draw_conv(None), NotDrawn) and isinstance(draw_grids(None), NotDrawn)
    show(skipped)
    assert capsys.readouterr().out == f"[draw_flow: not drawn, {PICTURES_ENV}=off]\n"
    monkeypatch.setenv(PICTURES_ENV, "on")
    assert draw_flow([Stage("x", (2,), ("batch",))]).axes   # a real Figure again


def test_pictures_are_on_unless_turned_off_and_a_bad_value_says_what_to_set(monkeypatch):
    monkeypatch.delenv(PICTURES_ENV, raising=False)
    assert pictures_on()
    monkeypatch.setenv(PICTURES_ENV, "no")
    with pytest.raises(ShapeSchoolError, match="set it to 'on' or 'off'"):
        draw_flow([Stage("x", (2,), ("batch",))])


def test_a_training_run_is_drawn_epoch_by_epoch_against_its_baseline():
    from shapeschool.diagrams import draw_training

    fig = draw_training([(1.2, 0.8), (0.5, 0.93), (0.2, 0.97)], baseline=0.89)
    loss_ax, accuracy_ax = fig.axes
    assert list(loss_ax.lines[0].get_ydata()) == [1.2, 0.5, 0.2]
    assert list(accuracy_ax.lines[0].get_xdata()) == [1, 2, 3]
    assert list(accuracy_ax.lines[1].get_ydata()) == [0.89, 0.89]          # the baseline, across the plot
    assert "89.0%" in accuracy_ax.get_legend().get_texts()[1].get_text()
    assert to_png(fig)[:4] == b"\x89PNG"
    with pytest.raises(ShapeSchoolError, match="at least one epoch"):
        draw_training([], baseline=0.5)
