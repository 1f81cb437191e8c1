"""A record of the course's error demonstrations, explained by the shape doctor, for the website.

While ``SHAPESCHOOL_DEMO_LOG`` names a file, each demonstration of an error (``ss.raises`` and
every prediction whose reveal raises) runs with the shape doctor on and appends one JSON line:
the error's type, the stable part the course checks, the message's first line, and the doctor's
diagnosis of it (or null where the doctor has none). The site's error index is made from these
lines (autograder/shapeschool_site/error_index.py), so the index says what the doctor says about
the very error each chapter shows. Unset, as it is for learners, nothing changes and nothing is
written.
"""
import contextlib
import json
import os

VARIABLE = "SHAPESCHOOL_DEMO_LOG"


def enabled():
    return bool(os.environ.get(VARIABLE))


@contextlib.contextmanager
def watched(contains):
    """The doctor on around one demonstration, and its error logged (while the doctor still holds
    what flowed), when the log is enabled; else nothing at all."""
    if not enabled():
        yield
        return
    from . import doctor
    doctor.start()
    try:
        yield
    except Exception as exc:
        _write(exc, contains)
        raise
    finally:
        doctor.stop()


def entry(exc, contains):
    """The JSON-ready record of one demonstrated error."""
    from . import doctor
    try:
        report = doctor.explain(exc)
    except Exception:            # the log is a by-product: it never breaks the lesson
        report = None
    diagnosis = getattr(report, "diagnosis", None)
    lines = str(exc).strip().splitlines()
    return {
        "type": type(exc).__name__,
        "contains": contains,
        "message": lines[0] if lines else "",
        "diagnosis": None if diagnosis is None else {
            "cause_id": diagnosis.cause_id, "cause": diagnosis.cause, "fix": diagnosis.fix,
            "lesson": diagnosis.lesson, "certain": diagnosis.certain, "rule": diagnosis.rule,
        },
    }


def _write(exc, contains):
    with open(os.environ[VARIABLE], "a", encoding="utf-8") as log:
        log.write(json.dumps(entry(exc, contains)) + "\n")
