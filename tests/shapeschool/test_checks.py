"""Do the checks accept what is right, and name both values and the fix when it is wrong?"""
import pytest
import torch

import shapeschool as ss


def test_expect_shape_passes_and_returns_the_tensor():
    t = torch.zeros(4, 8, 32)
    assert ss.expect_shape(t, (4, 8, 32)) is t


def test_expect_shape_message_names_both_shapes_and_hint():
    with pytest.raises(ss.ShapeSchoolError,
                       match=r"^h0: expected \(4, 8, 32\), got \(2, 8, 32\): h0 needs num_layers \* num_directions rows$"):
        ss.expect_shape(torch.zeros(2, 8, 32), (4, 8, 32), name="h0",
                        hint="h0 needs num_layers * num_directions rows")


def test_expect_shape_wildcard_and_rank():
    ss.expect_shape(torch.zeros(3, 5), (None, 5))
    with pytest.raises(ss.ShapeSchoolError, match=r"expected \(\*, 5\), got \(3, 5, 1\)"):
        ss.expect_shape(torch.zeros(3, 5, 1), (None, 5))
    with pytest.raises(ss.ShapeSchoolError, match=r"expected \(3,\), got \(3, 1\)"):
        ss.expect_shape(torch.zeros(3, 1), (3,))


def test_a_tuple_from_an_lstm_is_named():
    out = torch.nn.LSTM(2, 3)(torch.zeros(4, 2))
    with pytest.raises(ss.ShapeSchoolError, match=r"got a tuple: an LSTM returns \(output, \(h_n, c_n\)\)"):
        ss.expect_shape(out, (4, 3), name="out")


def test_failed_check_is_an_assertion_error_for_graders():
    assert issubclass(ss.ShapeSchoolError, AssertionError)


def test_expect_close_checks_shape_before_values():
    with pytest.raises(ss.ShapeSchoolError, match=r"^y: expected \(2, 3\), got \(3, 2\)"):
        ss.expect_close(torch.zeros(3, 2), torch.zeros(2, 3), name="y")


def test_expect_close_names_position_and_difference():
    expected = torch.zeros(2, 3)
    actual = expected.clone()
    actual[1, 2] = 0.5
    with pytest.raises(ss.ShapeSchoolError,
                       match=r"y values: expected 0 at index \(1, 2\), got 0\.5 \(largest difference 0\.5"):
        ss.expect_close(actual, expected, name="y")


def test_expect_close_respects_the_stated_cpu_tolerance():
    atol, rtol = ss.tolerance_for("cpu")
    expected = torch.ones(5)
    ss.expect_close(expected + atol / 2, expected)
    with pytest.raises(ss.ShapeSchoolError):
        ss.expect_close(expected + 10 * (atol + rtol), expected)


def test_cuda_tolerance_is_wider_than_cpu():
    assert ss.tolerance_for("cuda")[0] > ss.tolerance_for("cpu")[0]


def test_expect_dtype_and_equal():
    ss.expect_dtype(torch.zeros(2, dtype=torch.long), (torch.long, torch.int))
    with pytest.raises(ss.ShapeSchoolError, match=r"ids: expected torch.int64, got torch.float32: use long"):
        ss.expect_dtype(torch.zeros(2), torch.long, name="ids", hint="use long")
    with pytest.raises(ss.ShapeSchoolError, match=r"n: expected 12, got 11"):
        ss.expect_equal(11, 12, name="n")
