"""The one exception class that Shape School's checks raise."""
import os

_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def learners_frames(tb):
    """A traceback without this package's frames (the checks' own machinery), relinked in place:
    what a learner reads is the cell they ran and their own code."""
    kept = []
    while tb is not None:
        if not os.path.abspath(tb.tb_frame.f_code.co_filename).startswith(_PACKAGE + os.sep):
            kept.append(tb)
        tb = tb.tb_next
    for outer, inner in zip(kept, kept[1:]):
        outer.tb_next = inner
    if kept:
        kept[-1].tb_next = None
    return kept[0] if kept else None


class ShapeSchoolError(AssertionError):
    """A check in the course failed.

    It subclasses AssertionError so that nbgrader and pytest count it as a failed test,
    while the message (not a bare traceback) is what a learner reads first.

    A failed expectation also keeps its parts as data (``parts``: ``name``, ``expected``,
    ``actual``, ``hint``, and ``case`` once a case adds its sizes, or ``raised`` when the learner's
    code raised), so that an exercise can say them again in the order a learner should read them
    (``shapeschool.exercise``) without parsing its own message.
    """

    def __init__(self, message, **parts):
        super().__init__(message)
        self.parts = parts

    def _render_traceback_(self):
        """IPython's hook for a library's own exceptions (it calls this instead of formatting the
        traceback itself): the error is shown in the learner's frames only, the check cell's line
        and, when their code raised, their own code, without the course's machinery above it."""
        from IPython import get_ipython

        shell = get_ipython()
        if shell is None:
            raise RuntimeError("not in IPython")     # IPython then falls back to its own formatting
        error = self
        while error is not None:
            error.__traceback__ = learners_frames(error.__traceback__)
            error = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
        return shell.InteractiveTB.structured_traceback(type(self), self, self.__traceback__, tb_offset=1)
