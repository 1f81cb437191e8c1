"""One exercise's check, kept out of the learner's sight until it has something to say.

A chapter's module (``shapeschool/chapters/ch01.py``) describes each fix-me cell's check: the
sizes it allows, the example, the edge cases, what one case checks, and a hint ladder for each
way an answer can fail. The notebook's check cell is then one line, so nothing on screen gives
the answer away before the learner has tried::

    checks.encode(encode)                    # the example, the edge cases, fresh random sizes
    ### BEGIN HIDDEN TESTS
    checks.encode(encode, seed=<its seed>)   # grading: the hidden edges and draws, this seed
    ### END HIDDEN TESTS

A failure is told in the order a learner should read it: which sizes failed, what is wrong in
words, then what came out beside what was expected; where to look and the fix come with later
tries (``shapeschool.hints``). The traceback shows the learner's frames and the check cell's
line and the learner's own code, not this package's (``ShapeSchoolError._render_traceback_``).
"""
import os

from . import hints
from .device import pick_device
from .errors import ShapeSchoolError, learners_frames
from .grading import being_graded
from .hints import FIX, GRADED_LEVEL, WHAT, WHERE, Hint

def _indented(code, first, rest=None):
    rest = first if rest is None else rest
    return "\n".join((first if i == 0 else rest) + line if line.strip() else ""
                     for i, line in enumerate(code.split("\n")))


class Exercise:
    """The check of one fix-me cell.

    ``name`` is the fix-me cell's grade_id (what ``ss.hint`` takes); ``call`` how the learner's
    code is called, for messages (``"encode(sentences, vocab)"``); ``check(case, *answers)`` checks
    one case, reading sizes as ``case.B`` and the device as ``case.device``; ``sizes`` is an
    ``ss.Sizes``; ``example`` the sizes of the example above the check, if it has one; ``edges`` the
    visible edge cases and ``hidden_edges`` the graded ones; ``raised`` the hint ladder for an
    answer that raises; ``solution`` where the worked solution is. ``on_demand`` makes it a
    challenge: a failure says which sizes failed and what came out, and hints come only from
    ``ss.hint``.
    """

    def __init__(self, name, call, check, sizes, *, raised, solution, example=None, edges=(),
                 draws=2, hidden_edges=None, hidden_draws=5, example_label="the example above",
                 on_demand=False):
        if not isinstance(raised, Hint):
            raise TypeError(f"{name}: raised must be a Hint(what=, where=, fix=)")
        self.name, self.call, self.check, self.sizes = name, call, check, sizes
        self.raised, self.solution = raised, solution
        self.example, self.edges, self.draws = example, list(edges), draws
        self.hidden_edges = list(edges if hidden_edges is None else hidden_edges)
        self.hidden_draws = hidden_draws
        self.example_label = example_label
        self.on_demand = on_demand      # a challenge: no hint until the learner asks for one
        hints.register(self)

    def __call__(self, *answers, seed=None):
        """The visible check (``seed=None``: sizes drawn afresh), or with a seed, the hidden tests."""
        visible = seed is None
        if visible:
            cases = self.sizes.cases(example=self.example, edges=self.edges, draws=self.draws,
                                     name=self.call, hint=self.raised)
            if self.example is not None:
                next(iter(cases)).label = self.example_label
        else:
            cases = self.sizes.cases(edges=self.hidden_edges, draws=self.hidden_draws, seed=seed,
                                     name=f"{self.call} (hidden tests)", hint=self.raised)
        device = pick_device()
        for case in cases:
            case.device = device
            try:
                with case:
                    self.check(case, *answers)
            except ShapeSchoolError as failure:
                error = self._failed(failure, visible)
                raise error from error.__cause__     # None unless the learner's code raised
        print(f"{self.name}: {'all checks' if visible else 'hidden tests'} passed ({cases})")
        shown = self.other_answers() if visible else ""     # graded feedback teaches them too
        if shown:
            print(shown)

    def other_answers(self):
        """After a pass: the answer key's fix and other right ones, each with why it works
        (shapeschool/chapters/answers.py, made from the fix catalogue)."""
        from .chapters.answers import ANSWERS

        chapter = os.path.basename(self.solution)[:4]
        known = ANSWERS.get(chapter, {}).get(self.name)
        if not known:
            return ""
        lines = ["The answer key's fix:", _indented(known["reference"], "    "), "Other right answers:"]
        for code, because in known["others"]:
            lines += [_indented(code, "  • ", "    "), f"    ({because})"]
        return "\n".join(lines)

    def _failed(self, failure, visible):
        """The failure re-told for the learner's try, as a new error with a clean traceback."""
        graded = being_graded()
        state = hints.progress(self.name)
        if visible and not graded:
            state.tries += 1
            if not self.on_demand:
                state.level = max(state.level, min(state.tries, FIX))
            hints.failed(self.name)
        level = GRADED_LEVEL if graded or not visible else state.level
        ladder = self._ladder(failure.parts)

        def explain(at):
            return self.explain(failure.parts, ladder, at, graded, visible)

        if visible and not graded:
            state.last, state.explain = ladder, explain
        error = ShapeSchoolError(explain(level), **failure.parts)
        cause = failure.__cause__
        if cause is not None:   # the learner's code raised: keep their error, in their frames
            cause.__traceback__ = learners_frames(cause.__traceback__)
            error.__cause__ = cause
        return error

    def _ladder(self, parts):
        """The failure's hint ladder: its expectation's, the exercise's for an answer that raised,
        or for a plain ``fail(...)`` or one-line hint, its words as what is wrong."""
        hint = parts.get("hint")
        if isinstance(hint, Hint):
            return hint
        if parts.get("raised"):
            return self.raised
        if hint:
            return Hint(what=str(hint), where="", fix="")
        return Hint(what="" if "expected" in parts else parts.get("said", ""), where="", fix="")

    def explain(self, parts, ladder, level, graded=False, visible=True):
        """Which sizes failed, what is wrong in words, what came out beside what was expected;
        then, by ``level``, where to look and the fix; then what to do next."""
        case = parts.get("case")
        lines = [f"{self.call}{'' if visible else ' (hidden tests)'} is not right yet"
                 + (f", with {case.describe()}" if case else "") + "."]
        if parts.get("raised"):
            lines.append(f"What happened: your code raised {parts['raised']}")
            if parts.get("advice"):
                lines.append(f"({parts['advice']})")
        if level >= WHAT and ladder.what:
            lines.append(f"What is wrong: {ladder.what}")
        if "expected" in parts:
            lines.append(f"  {parts['name']}")
            lines.append(f"    expected: {parts['expected']}")
            lines.append(f"    got:      {parts['actual']}")
        if level >= WHERE and ladder.where:
            lines.append(f"Where to look: {ladder.where}")
        if level >= FIX and ladder.fix:
            lines.append(f"The fix: {ladder.fix}")
        lines.append(self._next_step(level, graded or not visible))   # hidden tests keep no ladder
        return "\n".join(lines)

    def _next_step(self, level, graded):
        ask = f'ss.hint("{self.name}")'
        if graded:
            return f"In the notebook, {ask} gives the fix after a failed check."
        if level < WHAT:
            return f"Change your code and run this check again. No hints until you ask: {ask} gives the first."
        if level == WHAT:
            return f"Change your code and run this check again. Stuck? {ask} says where to look."
        if level == WHERE:
            return f"Change your code and run this check again. Still stuck? {ask} gives the fix."
        return f"Still stuck? The worked solution is {self.solution}."
