"""The shape doctor: explains a shape error in your own model, and looks for the silent ones.

    import shapeschool as ss

    with ss.doctor():                    # or, in Jupyter, once: %load_ext shapeschool
        loss = loss_fn(model(x), y)      # an error here keeps its own message and gains a note:
                                         # the module, what flowed in, the cause, the fix, the lesson

    ss.doctor.check(model, x, loss_fn=loss_fn, target=y)   # warns about silent shape bugs
    ss.doctor.last()                     # the last report (an HTML table in Jupyter)

While it is off it costs nothing: no hook is registered and no mode is active. While on it records
the shapes that flow through every ``nn.Module`` (PyTorch's global module hooks) and through torch
functions (a ``TorchFunctionMode``); ``recorder.py`` says what it cannot see.
"""
import sys
import types

from .rules import Diagnosis, diagnose, diagnose_after
from .recorder import Recorder, failure_of, strict
from .report import Report
from .silent import Finding, ShapeWarning, check

__all__ = ["Diagnosis", "Finding", "Report", "ShapeWarning", "check", "explain", "last", "start", "stop"]

_recorder = None
_users = 0
_last = None


def start():
    """Turn the doctor on (it counts: each ``start`` needs its ``stop``)."""
    global _recorder, _users
    if _users == 0:
        _recorder = Recorder().start()
        _recorder.on_escape = _noted
    _users += 1


def stop():
    """Turn the doctor off once every ``start`` has been matched; then it costs nothing."""
    global _recorder, _users
    if _users == 0:
        return
    _users -= 1
    if _users == 0:
        _recorder.stop()
        _recorder = None


def running():
    return _users > 0


def forget():
    """Start the record afresh (the extension does this before each cell)."""
    if _recorder is not None:
        _recorder.forget()


def explain(exc):
    """The doctor's ``Report`` on ``exc``, added to the exception as a note (once); None when the
    exception did not come out of a module or a torch function while the doctor was on, unless
    the result of the module that ran just before explains it (a GRU unpacked as an LSTM)."""
    global _last
    report = getattr(exc, "_shapeschool_report", None)
    if report is not None:
        return report
    failure = failure_of(exc)
    if failure is not None:
        report = Report(exc, failure, diagnose(exc))
    else:                        # raised by plain code: named only when a module's result explains it
        failure = _recorder.afterwards() if _recorder is not None else None
        diagnosis = diagnose_after(exc, failure) if failure is not None else None
        if diagnosis is None:
            return None
        report = Report(exc, failure, diagnosis)
    try:
        exc._shapeschool_report = report
    except AttributeError:
        return report
    _add_note(exc, report)
    _last = report
    return report


def last():
    """The last report the doctor made (it shows as a table in Jupyter), or None."""
    return _last


def _noted(exc):
    try:
        explain(exc)
    except Exception:            # the learner's own error matters more than the doctor's
        if strict():             # under test, the doctor's own errors surface
            raise


def _add_note(exc, report):
    note = report.text()
    if _in_jupyter():
        # the table is shown beside the traceback; the note keeps the cause where logs see it
        rows = report.rows()
        first = [r for r in rows if "cause" in r[0]][:1] or rows[:1]
        note = f"shapeschool.doctor: {first[0][1]} (the doctor's table has the rest)"
    if hasattr(exc, "add_note"):
        exc.add_note(note)
    else:                        # Python 3.9 and 3.10 keep notes but do not print them
        exc.__notes__ = list(getattr(exc, "__notes__", [])) + [note]
        print(note, file=sys.stderr)


def _in_jupyter():
    shell = sys.modules.get("IPython") and sys.modules["IPython"].get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def show(report):
    """Display ``report`` as a table in Jupyter (nothing elsewhere: the note is in the traceback)."""
    if report is not None and _in_jupyter():
        from IPython.display import display
        display(report)


class Session:
    """``with shapeschool.doctor():`` — on inside the block, off after it."""

    def __enter__(self):
        start()
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if isinstance(exc, Exception):
                show(explain(exc))
        finally:
            stop()
        return False


class _CallableModule(types.ModuleType):
    """Lets the module itself be the context manager, ``with shapeschool.doctor():``, while
    ``shapeschool.doctor.check`` stays an ordinary attribute."""

    def __call__(self):
        return Session()


sys.modules[__name__].__class__ = _CallableModule
