"""Predict, then run: the learner commits to a prediction before a cell reveals what PyTorch does.

A prediction is two cells. The learner's (an nbgrader solution cell, so the answer key holds
the right prediction and the student version ``...``)::

    predict_lookup = ...      # a shape, as a tuple such as (5, 7)

and the reveal, which runs the real code and says whether the prediction was right, and why::

    checks.lookup_shape(predict_lookup, lambda: tuple(table(as_long).shape))

What is true, and why, lives in the chapter's module (``Prediction(...)``), out of sight until
the reveal; the reveal runs the code every time and fails loudly if PyTorch no longer behaves as
the course says (truth by execution). Without a prediction it keeps the answer back and asks for
one. Three kinds of question:

- a value (a shape, a count): the learner writes the value; ``answer`` may pin what the course
  claims, and the outcome must equal it;
- whether a call raises: ``raises=(ErrorType, "stable part of the message")`` or ``runs=True``;
  the learner writes ``"raises"`` or ``"runs"``, and the reveal shows the real message;
- a myth or a fact: ``verdict="myth"`` (or ``"fact"``) with the evidence's ``raises`` or ``runs``;
  the learner writes ``"myth"`` or ``"fact"``.

``scored=True`` makes a wrong or missing prediction a failed check, for an instructor who makes the
reveal cell an nbgrader test cell; by default a wrong prediction is a moment to learn, not an error.
"""
import torch

from . import demos
from .checks import shape_text
from .errors import ShapeSchoolError

RAISES, RUNS = "raises", "runs"
MYTH, FACT = "myth", "fact"


def _said(value):
    """A value as the learner would write it: shapes as tuples, words as words."""
    if isinstance(value, torch.Size):
        value = tuple(value)
    if isinstance(value, tuple) and all(isinstance(v, int) for v in value):
        return shape_text(value)
    return str(value) if isinstance(value, str) else repr(value)


def _same(predicted, actual):
    if isinstance(predicted, str) and isinstance(actual, str):
        return predicted.strip().lower() == actual.strip().lower()
    if isinstance(predicted, (list, tuple, torch.Size)) and isinstance(actual, (list, tuple, torch.Size)):
        return tuple(predicted) == tuple(actual)
    return type(predicted) is type(actual) and predicted == actual


class Prediction:
    """One question a learner answers before the cell below it runs.

    ``name`` names the question (what the notebook calls); ``why`` is said after the reveal,
    right or wrong; ``example`` shows the form an answer takes, for a learner who has not written
    one yet. Give at most one of ``raises``/``runs``, and ``verdict`` only with one of them.
    """

    def __init__(self, name, why, *, example, answer=None, raises=None, runs=False, verdict=None):
        if raises is not None and runs:
            raise ValueError(f"{name}: a call either raises or runs, not both")
        if verdict not in (None, MYTH, FACT):
            raise ValueError(f"{name}: verdict is {MYTH!r} or {FACT!r}")
        if verdict is not None and raises is None and not runs:
            raise ValueError(f"{name}: a verdict needs its evidence: raises=(...) or runs=True")
        self.name, self.why, self.example = name, why, example
        self.answer, self.raises, self.runs, self.verdict = answer, raises, runs, verdict

    @property
    def kind(self):
        if self.verdict is not None:
            return "verdict"
        return "outcome" if (self.raises is not None or self.runs) else "value"

    def choices(self):
        return {"verdict": (MYTH, FACT), "outcome": (RAISES, RUNS)}.get(self.kind)

    def __call__(self, predicted, outcome, scored=False):
        """Run ``outcome`` (a function, or the value itself), then reveal it beside ``predicted``.
        Returns what the function returned (None when it raised, as it was meant to)."""
        result, message = self._run(outcome)
        if predicted is ... or predicted is None:
            print(f"🔮 Predict first: write your prediction in the cell above ({self.example}), run that cell, "
                  f"then run this one. The answer is kept back until then.")
            if scored:
                raise ShapeSchoolError(f"{self.name}: no prediction was written")
            return result
        choices = self.choices()
        if choices and not (isinstance(predicted, str) and predicted.strip().lower() in choices):
            raise ShapeSchoolError(f"{self.name}: write your prediction as one of {' or '.join(map(repr, choices))}; "
                                   f"got {predicted!r}")
        truth = self._truth(result, message)
        right = _same(predicted, truth)
        print(f"🔮 You predicted {_said(predicted)}. {'Right' if right else 'Not quite'}: {self._short(truth, message)}.")
        if message is not None:
            print(message)
        print(f"Why: {self.why}")
        if scored and not right:
            raise ShapeSchoolError(f"{self.name}: predicted {_said(predicted)}, but it is {_said(truth)}")
        return result

    def _run(self, outcome):
        """(result, None) or (None, the error's text), checked against what the course claims."""
        if not callable(outcome):
            result = outcome
        elif self.raises is not None:
            return None, demos.raised(outcome, *self.raises)
        else:
            result = demos.runs(outcome)
        if isinstance(result, torch.Size):
            result = tuple(result)
        if self.answer is not None and not _same(self.answer, result):
            raise ShapeSchoolError(f"the course claims {self.name} is {_said(self.answer)}, but this torch gives "
                                   f"{_said(result)}. Please report this with your torch version.")
        return result, None

    def _truth(self, result, message):
        if self.kind == "verdict":
            return self.verdict
        if self.kind == "outcome":
            return RAISES if message is not None else RUNS
        return result

    def _short(self, truth, message):
        if self.kind == "verdict":
            return f"it is a {truth}: the experiment {'raises' if message is not None else 'runs'}"
        if self.kind == "outcome":
            return f"it {truth}"
        return f"it is {_said(truth)}"
