"""Hints a learner earns: first what is wrong, then where to look, and only then the fix.

An exercise's check says, for each way an answer can fail, what a teacher beside the learner
would say in turn::

    DTYPE = Hint(what="the ids are floating-point numbers, and ...",
                 where="a tensor's dtype is fixed on the line that creates it ...",
                 fix="create it with dtype=torch.long ...")

The first failed try shows ``what`` (with the sizes that failed, what came out and what was
expected); the next failed try adds ``where``; the one after adds ``fix`` and points to the
worked solution. ``ss.hint()`` asks for the next step on demand, without another try. Tries are
counted per exercise in the learner's kernel, so a restarted kernel starts again from the first
step. Graded feedback (nbgrader, shapeschool-grade) says what is wrong and where to look.
"""
import dataclasses

from .errors import ShapeSchoolError

WHAT, WHERE, FIX = 1, 2, 3
GRADED_LEVEL = WHERE


@dataclasses.dataclass(frozen=True)
class Hint:
    what: str      # the symptom, in words, without the cure
    where: str     # where in the code to look
    fix: str       # the fix itself

    def __str__(self):
        # Read as one line (an old-style check message), a hint is its fix.
        return self.fix


@dataclasses.dataclass
class Progress:
    """One exercise's tries in this kernel."""
    tries: int = 0          # failed visible checks
    level: int = 0          # the furthest step shown so far (WHAT, WHERE or FIX)
    last: object = None     # the last failure's hint ladder
    explain: object = None  # renders that failure again at a given level


_EXERCISES = {}     # grade_id -> Exercise, for every chapter imported in this kernel
_PROGRESS = {}      # grade_id -> Progress
_LAST_FAILED = []   # grade_ids in the order their checks last failed


def register(exercise):
    _EXERCISES[exercise.name] = exercise


def progress(name):
    return _PROGRESS.setdefault(name, Progress())


def failed(name):
    if name in _LAST_FAILED:
        _LAST_FAILED.remove(name)
    _LAST_FAILED.append(name)


def forget():
    """Every exercise back to its first try (tests; a learner restarts the kernel instead)."""
    _PROGRESS.clear()
    _LAST_FAILED.clear()


def hint(name=None):
    """The next hint for an exercise whose check failed: where to look, then the fix.

    ``name`` is the exercise's name as its check cell calls it (``"encode"``); without it, the
    exercise whose check failed most recently. Hints come after a try: before any check of the
    exercise has failed, this says to run it first.
    """
    if name is None:
        if not _LAST_FAILED:
            print("No check has failed yet in this session. Run a fix-me cell and the check under it: "
                  "the first hint comes with the first failed check.")
            return
        name = _LAST_FAILED[-1]
    if name not in _EXERCISES:
        known = ", ".join(sorted(_EXERCISES)) or "none: run the chapter's set-up cell first"
        raise ShapeSchoolError(f"ss.hint({name!r}): no exercise of that name; the exercises loaded are {known}")
    state = progress(name)
    if state.tries == 0 or state.explain is None:
        print(f"{name}: try it first. Run the fix-me cell, read what it says, change the code, and run "
              f"the check under it: the first hint comes with the first failed check.")
        return
    state.level = min(state.level + 1, FIX)
    print(state.explain(state.level))
