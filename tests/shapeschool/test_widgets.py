"""Does moving a control re-run the pipeline and change what is shown?"""
import pytest

from shapeschool.flows import embedding_lstm_flow
from shapeschool.widgets import Explorer

CONTROLS = {"batch": (1, 8, 3), "seq_len": (1, 12, 6), "hidden": (1, 32, 5), "batch_first": True}


def test_initial_render_shows_the_flow():
    ex = Explorer(embedding_lstm_flow, CONTROLS)
    assert ex.last_result[0].shape == (3, 6)
    assert "(3, 6, 5)" in ex.table.value


def test_slider_change_updates_shapes_and_table():
    ex = Explorer(embedding_lstm_flow, CONTROLS)
    ex.controls["batch"].value = 7
    assert ex.last_result[2].shape == (7, 6, 5)
    assert "(7, 6, 5)" in ex.table.value


def test_checkbox_swaps_batch_and_time():
    ex = Explorer(embedding_lstm_flow, CONTROLS)
    ex.controls["batch_first"].value = False
    assert ex.last_result[1].shape == (6, 3, 8)
    assert ex.last_result[3].shape == (1, 3, 5)


def test_an_error_in_the_flow_is_shown_not_raised():
    def broken(**_):
        raise RuntimeError("boom")
    ex = Explorer(broken, {"n": (1, 3, 2)})
    assert ex.last_error == "RuntimeError: boom"
    assert "boom" in ex.table.value


def test_bad_control_spec_is_named():
    with pytest.raises(ValueError, match=r"control 'n': give \(low, high, start\)"):
        Explorer(embedding_lstm_flow, {"n": [1, 2]})
