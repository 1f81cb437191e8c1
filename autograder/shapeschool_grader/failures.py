"""What went wrong in one graded cell, read back from the autograded notebook (nothing re-run).

A check of this course fails with a ``ShapeSchoolError`` whose text ``shapeschool.exercise``
writes in a fixed order::

    zero_state(lstm, batch) is not right yet, with L=3, bi=True, B=1 (edge case B=1).
    What happened: your code raised RuntimeError: Expected hidden[0] size (6, 1, 4), got [2, 1, 4]
    What is wrong: h0 is not the shape this LSTM expects for its initial hidden state.
      ...expected / got...
    Where to look: the first axis holds one row for each state the LSTM keeps. ...

``read`` turns that back into a ``Failure``: the misconception (the hint's words, and its name
in the chapter's module where the course has one), the case that failed (an edge case, the
example, random sizes; the hidden tests or the visible check), and for an answer that raised,
the error by its stable part. A test cell of any other nbgrader course fails with an ordinary
error (an ``AssertionError`` and its message): that error is the failure. A cell the notebook
never reached (a limit stopped it) has no output: the journal's reason is the failure.

The text is the student's kernel's output, so a student can forge it; what a forged failure can
change is only the group their own failure is counted in, never a score.
"""
import dataclasses
import functools
import importlib
import re

SHAPESCHOOL_ERROR = "ShapeSchoolError"
_FIRST = re.compile(r"^(?P<call>.*?)(?P<hidden> \(hidden tests\))? is not right yet(?:, with (?P<rest>.*))?\.$")
_SIZES = re.compile(r"^(?P<sizes>(?:[\w.]+=[^,()]*, )*[\w.]+=[^,()]*) \((?P<case>.*)\)$")   # B=1, T=2 (edge case B=1)
_RAISED = "What happened: your code raised "
_WHAT = "What is wrong: "
_WHERE = "Where to look: "
_NUMBER = re.compile(r"(?<![A-Za-z_\d])-?\d+(?:\.\d+)?(?:e-?\d+)?(?![A-Za-z\d])")   # not 4D, conv2d
_TIMES = re.compile(r"(?<=\d)x(?=\d)")     # 2x14: a product's sizes, each a number of its own


@dataclasses.dataclass(frozen=True)
class Failure:
    kind: str               # check (a value or shape was wrong) | raised (the student's code raised)
                            # | error (the test cell raised, not a check) | stopped (never ran)
    what: str = ""          # the misconception in the hint's words, or the error's stable message
    where: str = ""         # the hint's "where to look", if it has one
    hint: str = ""          # the hint's name in the chapter's module (ZERO_STATE_H0), if known
    case: str = ""          # which case failed: "edge case B=1", "random sizes", "the example above"
    sizes: str = ""         # the sizes it failed with: "L=3, bi=True, B=1"
    raised: str = ""        # for kind raised/error: "RuntimeError: Expected hidden[N] size (N, N, N) ..."
    hidden: bool = False    # only the hidden tests failed (the visible check passed)

    @property
    def group(self):
        """What the report counts students by: the misconception, and for an error, which error."""
        if self.kind in ("raised", "error"):
            return (self.kind, self.raised)
        return (self.kind, self.what, self.where)

    @property
    def label(self):
        if self.kind == "raised":
            return f"raised {self.raised}"
        if self.kind == "stopped":
            return f"not run: {self.what}"
        return self.what or self.raised or "failed, without a message"


def stable(message):
    """An error message's stable part: its first line, with every number as N, so the same
    mistake at other sizes reads the same ("... (Nx N and N x N)")."""
    first = next((line.strip() for line in str(message).splitlines() if line.strip()), "")
    return _NUMBER.sub("N", _TIMES.sub(" x ", first)).replace(" x ", "x")[:300]


def read(outputs, hints=None):
    """The Failure in a graded cell's ``outputs`` (None where no error was output).
    ``hints``: {(what, where): name} for the course's hints (``hints_of``)."""
    error = next((o for o in outputs if o.get("output_type") == "error"), None)
    if error is None:
        return None
    name, value = error.get("ename", ""), str(error.get("evalue", ""))
    if name != SHAPESCHOOL_ERROR or not value.splitlines():
        return Failure("error", raised=f"{name}: {stable(value)}" if value.strip() else name)
    return _check_failure(value.splitlines(), hints or {})


def _check_failure(lines, hints):
    first = _FIRST.match(lines[0].strip())
    found = {"what": "", "where": "", "raised": ""}
    for line in lines[1:]:
        for key, prefix in (("raised", _RAISED), ("what", _WHAT), ("where", _WHERE)):
            if line.startswith(prefix) and not found[key]:
                found[key] = line[len(prefix):].strip()
    what, where = found["what"], found["where"]
    if not what:   # a check without words of its own: what it compared names it
        named = next((line.strip() for line in lines[1:] if line.startswith("  ") and not line.startswith("    ")), "")
        what = f"{named}: wrong" if named else stable(lines[0])
    rest = (first.group("rest") or "") if first else ""
    sized = _SIZES.match(rest)
    return Failure("raised" if found["raised"] else "check", what=what, where=where,
                   hint=hints.get((what, where), ""),
                   case=sized.group("case") if sized else rest, sizes=sized.group("sizes") if sized else "",
                   raised=stable(found["raised"]) if found["raised"] else "",
                   hidden=bool(first and first.group("hidden")))


def stopped(problem):
    """The failure of a cell the notebook never reached: ``problem`` is why it stopped."""
    return Failure("stopped", what=stable(problem) if problem else "the notebook stopped before this cell")


@functools.lru_cache(maxsize=None)
def hints_of(assignment):
    """{(what, where): name} of the hints in this course's module for ``assignment``
    (``shapeschool.chapters.ch03`` for ``ch03_...``); {} for an assignment of any other course."""
    try:
        from shapeschool.hints import Hint

        module = importlib.import_module(f"shapeschool.chapters.{assignment.split('_')[0]}")
    except Exception:   # another course's assignment, or this package without its chapters
        return {}
    found = {}
    for name, value in sorted(vars(module).items()):
        if isinstance(value, Hint):
            found.setdefault((value.what, value.where), name)
    return found
