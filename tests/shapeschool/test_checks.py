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
                       match=r"y values: expected 0 at index \(1, 2\), got 0\.5 \(largest finite difference 0\.5"):
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


# --- assert_close semantics: wrong answers that a `>` comparison used to let through ---

def test_an_all_nan_answer_of_the_right_shape_fails():
    with pytest.raises(ss.ShapeSchoolError, match=r"y values: expected 0 at index \(0, 0\), got nan.*NaN or infinity"):
        ss.expect_close(torch.full((2, 3), float("nan")), torch.zeros(2, 3), name="y")


def test_one_nan_among_right_numbers_fails():
    actual = torch.ones(4)
    actual[2] = float("nan")
    with pytest.raises(ss.ShapeSchoolError, match=r"index \(2,\), got nan"):
        ss.expect_close(actual, torch.ones(4))


def test_nan_matches_only_nan_in_the_same_place():
    expected = torch.tensor([1.0, float("nan")])
    ss.expect_close(torch.tensor([1.0, float("nan")]), expected)
    with pytest.raises(ss.ShapeSchoolError, match=r"expected nan at index \(1,\), got 2"):
        ss.expect_close(torch.tensor([1.0, 2.0]), expected)


def test_infinities_match_only_the_same_infinity():
    ss.expect_close(torch.tensor([float("inf"), -float("inf")]), torch.tensor([float("inf"), -float("inf")]))
    with pytest.raises(ss.ShapeSchoolError, match=r"expected inf at index \(0,\), got -inf"):
        ss.expect_close(torch.tensor([-float("inf")]), torch.tensor([float("inf")]))
    with pytest.raises(ss.ShapeSchoolError, match=r"got inf"):
        ss.expect_close(torch.tensor([float("inf")]), torch.tensor([1e30]))


def test_nothing_is_broadcast():
    with pytest.raises(ss.ShapeSchoolError, match=r"expected \(3,\), got \(1, 3\)"):
        ss.expect_close(torch.zeros(1, 3), torch.zeros(3))
    with pytest.raises(ss.ShapeSchoolError, match=r"expected \(2, 3\), got \(\)"):
        ss.expect_close(torch.tensor(0.0), torch.zeros(2, 3))
    ss.expect_close(torch.tensor(1.0), torch.tensor(1.0))          # 0-d against 0-d is fine


def test_dtype_must_match_the_reference():
    with pytest.raises(ss.ShapeSchoolError, match=r"y dtype: expected torch.float32, got torch.float64"):
        ss.expect_close(torch.zeros(2, dtype=torch.float64), torch.zeros(2), name="y")
    with pytest.raises(ss.ShapeSchoolError, match=r"ids dtype: expected torch.int64, got torch.float32"):
        ss.expect_close(torch.zeros(2), torch.zeros(2, dtype=torch.long), name="ids")


def test_device_must_match_the_reference():
    meta = torch.zeros(2, device="meta")
    with pytest.raises(ss.ShapeSchoolError, match=r"y device: expected a tensor on cpu, got one on meta"):
        ss.expect_close(meta, torch.zeros(2), name="y")


def test_integer_tensors_compare_exactly_whatever_the_tolerance():
    with pytest.raises(ss.ShapeSchoolError, match=r"expected 5 at index \(1,\), got 4 \(1 of 3 differ; compared exactly\)"):
        ss.expect_close(torch.tensor([1, 4, 7]), torch.tensor([1, 5, 7]), atol=10, rtol=10)
    ss.expect_close(torch.tensor([True, False]), torch.tensor([True, False]))


def test_expect_equal_compares_tensors_exactly_and_nan_equals_nothing():
    ss.expect_equal(torch.tensor([1, 2]), torch.tensor([1, 2]))
    with pytest.raises(ss.ShapeSchoolError, match=r"values: expected 1 at index \(0,\), got 1\.00001"):
        ss.expect_equal(torch.tensor([1.00001]), torch.tensor([1.0]))
    with pytest.raises(ss.ShapeSchoolError, match=r"expected nan, got nan"):
        ss.expect_equal(float("nan"), float("nan"))
    with pytest.raises(ss.ShapeSchoolError, match=r"got a list"):
        ss.expect_equal([1, 2], torch.tensor([1, 2]))


def test_a_tolerance_never_hides_a_wrong_number():
    expected = torch.linspace(-1, 1, 50)
    wrong = expected.flip(0)                                        # same values, wrong order
    with pytest.raises(ss.ShapeSchoolError):
        ss.expect_close(wrong, expected)
