"""Rules that name an error raised by plain code just after a module returned (a GRU unpacked as
an LSTM, a recurrent layer's tuple used as a tensor) must stay quiet, or unsure, when that
module's result does not explain the error."""
import pytest
import torch
from torch import nn

import shapeschool as ss


def explained(step):
    try:
        with ss.doctor():
            step()
    except Exception as exc:               # the step's own error, explained or not
        return ss.doctor.explain(exc)
    raise AssertionError("the step raised nothing")


def test_an_unpacking_error_about_something_else_is_not_blamed_on_the_gru():
    def step():
        out, h_n = nn.GRU(8, 16, batch_first=True)(torch.randn(3, 5, 8))   # right
        first, second = [1, 2, 3]                                           # an unrelated mistake
    assert explained(step) is None


def test_a_count_that_is_not_h_n_s_rows_is_not_blamed_on_the_gru():
    def step():
        gru = nn.GRU(8, 16, num_layers=3, batch_first=True)                 # h_n has 3 rows
        out, h_n = gru(torch.randn(3, 5, 8))
        a, b = (1,)                                                         # "expected 2, got 1"
    assert explained(step) is None


def test_a_python_error_after_a_recurrent_layer_is_left_alone():
    def step():
        nn.LSTM(8, 16, batch_first=True)(torch.randn(3, 5, 8))
        {}["missing"]
    assert explained(step) is None


def test_a_tuple_used_as_a_tensor_after_plain_code_is_only_likely():
    def step():
        nn.LSTM(8, 16, batch_first=True)(torch.randn(3, 5, 8))
        (1, 2).shape                                                        # some other tuple
    report = explained(step)
    assert report.cause_id == "rnn_tuple_output" and not report.diagnosis.certain


@pytest.mark.parametrize("layer, rows", [(nn.GRU(8, 16, batch_first=True), 1),
                                         (nn.GRU(8, 16, num_layers=2, bidirectional=True, batch_first=True), 4),
                                         (nn.RNN(8, 16, num_layers=3, batch_first=True), 3)])
def test_a_gru_or_rnn_unpacked_as_an_lstm_is_named_with_its_rows(layer, rows):
    def step():
        out, (h_n, c_n) = layer(torch.randn(3, 5, 8))
    report = explained(step)
    assert report.cause_id == "gru_unpacked" and report.diagnosis.certain
    assert f"along its {rows} rows" in report.diagnosis.cause and report.path == "layer"
