"""Does a prediction keep its answer back until the learner commits, say right or wrong and why,
and fail loudly when PyTorch stops behaving as the course says?"""
import pytest
import torch
from torch import nn

import shapeschool as ss
from shapeschool.predictions import Prediction

TABLE = nn.Embedding(12, 4)
IDS = torch.tensor([[2, 3]])
SHAPE = Prediction("lookup_shape", why="one new axis at the end.", example="a tuple", answer=(1, 2, 4))
FLOAT = Prediction("float_ids", why="ids are row numbers.", example='"raises" or "runs"',
                   raises=(RuntimeError, "Expected tensor for argument #1 'indices'"))
MYTH = Prediction("input_is_hidden", why="hidden_size is free.", example='"myth" or "fact"', verdict="myth", runs=True)


def test_no_prediction_keeps_the_answer_back(capsys):
    SHAPE(..., lambda: tuple(TABLE(IDS).shape))
    said = capsys.readouterr().out
    assert said.startswith("🔮 Predict first") and "(1, 2, 4)" not in said and "Why" not in said
    FLOAT(..., lambda: TABLE(IDS.float()))
    assert "RuntimeError" not in capsys.readouterr().out


@pytest.mark.parametrize("prediction, predicted, outcome, verdict", [
    (SHAPE, (1, 2, 4), lambda: tuple(TABLE(IDS).shape), "Right: it is (1, 2, 4)."),
    (SHAPE, [1, 2, 4], lambda: TABLE(IDS).shape, "Right: it is (1, 2, 4)."),
    (SHAPE, (2, 4), lambda: tuple(TABLE(IDS).shape), "Not quite: it is (1, 2, 4)."),
    (SHAPE, "raises", lambda: tuple(TABLE(IDS).shape), "Not quite: it is (1, 2, 4)."),
    (FLOAT, "raises", lambda: TABLE(IDS.float()), "Right: it raises."),
    (FLOAT, " Runs", lambda: TABLE(IDS.float()), "Not quite: it raises."),
    (MYTH, "myth", lambda: nn.LSTM(8, 64)(torch.randn(5, 2, 8)), "Right: it is a myth: the experiment runs."),
    (MYTH, "fact", lambda: nn.LSTM(8, 64)(torch.randn(5, 2, 8)), "Not quite: it is a myth: the experiment runs."),
])
def test_right_and_wrong_predictions_are_told_with_why(prediction, predicted, outcome, verdict, capsys):
    prediction(predicted, outcome)
    said = capsys.readouterr().out
    assert verdict in said.splitlines()[0]
    assert said.rstrip().endswith(f"Why: {prediction.why}")


def test_a_raise_is_revealed_with_its_real_message(capsys):
    FLOAT("runs", lambda: TABLE(IDS.float()))
    assert "RuntimeError: Expected tensor for argument #1 'indices'" in capsys.readouterr().out


def test_an_answer_outside_the_choices_is_refused_with_the_choices():
    with pytest.raises(ss.ShapeSchoolError, match=r"one of 'raises' or 'runs'; got 'yes'"):
        FLOAT("yes", lambda: TABLE(IDS.float()))


def test_the_course_is_held_to_its_claims():
    with pytest.raises(ss.ShapeSchoolError, match="claims lookup_shape is \\(1, 2, 4\\), but this torch gives \\(1, 2, 5\\)"):
        SHAPE((1, 2, 4), lambda: (1, 2, 5))
    with pytest.raises(ss.ShapeSchoolError, match="claims this raises RuntimeError"):
        FLOAT("raises", lambda: TABLE(IDS))
    with pytest.raises(ss.ShapeSchoolError, match="claims this runs without error"):
        MYTH("myth", lambda: nn.LSTM(8, 64)(torch.randn(5, 2, 9)))


def test_scored_predictions_fail_when_wrong_or_missing(capsys):
    SHAPE((1, 2, 4), lambda: (1, 2, 4), scored=True)
    with pytest.raises(ss.ShapeSchoolError, match="predicted \\(2, 4\\), but it is \\(1, 2, 4\\)"):
        SHAPE((2, 4), lambda: (1, 2, 4), scored=True)
    with pytest.raises(ss.ShapeSchoolError, match="no prediction was written"):
        SHAPE(..., lambda: (1, 2, 4), scored=True)


def test_a_prediction_is_declared_consistently():
    with pytest.raises(ValueError, match="either raises or runs"):
        Prediction("x", why="", example="", raises=(RuntimeError, "a"), runs=True)
    with pytest.raises(ValueError, match="needs its evidence"):
        Prediction("x", why="", example="", verdict="myth")
