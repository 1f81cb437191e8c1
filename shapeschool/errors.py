"""The one exception class that Shape School's checks raise."""


class ShapeSchoolError(AssertionError):
    """A check in the course failed.

    It subclasses AssertionError so that nbgrader and pytest count it as a failed test,
    while the message (not a bare traceback) is what a learner reads first.
    """
