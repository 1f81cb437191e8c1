"""Do demonstrations fail when PyTorch stops behaving as the course claims?"""
import pytest
import torch

import shapeschool as ss


def test_raises_prints_the_real_message(capsys):
    lstm = torch.nn.LSTM(4, 6)
    ss.raises(lambda: lstm(torch.zeros(2, 3, 5)), RuntimeError, "input.size(-1) must be equal to input_size")
    assert capsys.readouterr().out.startswith("RuntimeError: input.size(-1) must be equal to input_size")


def test_raises_fails_when_nothing_is_raised():
    with pytest.raises(ss.ShapeSchoolError, match="ran without an error"):
        ss.raises(lambda: torch.zeros(2), RuntimeError, "anything")


def test_raises_fails_when_the_stable_part_is_missing():
    def boom():
        raise RuntimeError("something else")
    with pytest.raises(ss.ShapeSchoolError, match="whose message contains 'expected words'"):
        ss.raises(boom, RuntimeError, "expected words")


def test_raises_lets_other_error_types_through():
    with pytest.raises(KeyError):
        ss.raises(lambda: {}["missing"], RuntimeError, "x")


def test_runs_returns_the_result_or_names_the_failure():
    assert ss.runs(lambda: 3) == 3
    with pytest.raises(ss.ShapeSchoolError, match="claims this runs without error, but it raised ZeroDivisionError"):
        ss.runs(lambda: 1 / 0)
