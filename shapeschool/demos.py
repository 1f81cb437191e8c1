"""Running a claim instead of stating it: demonstrations of errors and of things that work."""
from . import demo_log
from .errors import ShapeSchoolError


def raised(action, error, contains):
    """Run ``action()`` and return the error it raised, as a learner would read it
    (``Type: message``); fail if it does not raise as claimed. ``raises`` prints this, and a
    prediction (``shapeschool.predictions``) reveals it."""
    try:
        with demo_log.watched(contains):  # the doctor on, only while the site's build logs
            action()
    except error as exc:
        text = str(exc)
        if contains not in text:
            raise ShapeSchoolError(
                f"the course expected a {error.__name__} whose message contains {contains!r}, "
                f"but this torch says: {text!r}. Please report this with your torch version."
            ) from None
        shown = "\n    ".join(line.strip() for line in text.strip().splitlines())
        return f"{type(exc).__name__}: {shown}"
    raise ShapeSchoolError(
        f"the course claims this raises {error.__name__} ({contains!r}), but it ran without "
        "an error on this torch. Please report this with your torch version."
    )


def raises(action, error, contains):
    """Run ``action()``, show the error it raises, and fail if it does not raise as claimed.

    ``contains`` is the stable part of the message: the words that have stayed the same
    across torch releases. The message is printed, as the learner would see it from real code.
    """
    print(raised(action, error, contains))


def runs(action):
    """Run ``action()`` and return its result; a failure names the claim that was wrong."""
    try:
        return action()
    except Exception as exc:  # noqa: BLE001 - any failure disproves the claim
        raise ShapeSchoolError(
            f"the course claims this runs without error, but it raised "
            f"{type(exc).__name__}: {exc}"
        ) from exc
