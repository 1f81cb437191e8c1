"""Warnings torch raises while the doctor is on name the learner's own line, not the doctor's.

With a ``TorchFunctionMode`` active, a torch function runs again from inside the mode's
``__torch_function__``; a warning it raises with ``stacklevel=2`` then points at that frame, in
the doctor's ``recorder.py``, and a learner would read it as the doctor's. While the doctor is on,
``warnings.showwarning`` (which Python lets a program replace) shows such a warning at the first
frame outside torch and this package instead: the learner's line that led to it.
"""
import os
import sys
import warnings

_RECORDER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "recorder.py")
_users = 0
_shown_before = None


def _yours():
    """(filename, lineno) of the first frame outside torch and shapeschool, or None."""
    from .recorder import outside_torch_and_us          # one definition of "the learner's code"
    frame = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename != warnings.__file__ and outside_torch_and_us(filename):
            return frame.f_code.co_filename, frame.f_lineno
        frame = frame.f_back
    return None


def _showwarning(message, category, filename, lineno, file=None, line=None):
    if filename == _RECORDER:
        place = _yours()
        if place is not None:
            filename, lineno = place
            line = None                              # read again from the learner's file
    _shown_before(message, category, filename, lineno, file, line)


def install():
    """Show the doctor's relocated warnings (counted: each ``install`` needs its ``uninstall``)."""
    global _users, _shown_before
    if _users == 0:
        _shown_before = warnings.showwarning
        warnings.showwarning = _showwarning
    _users += 1


def uninstall():
    global _users
    if _users == 0:
        return
    _users -= 1
    if _users == 0 and warnings.showwarning is _showwarning:   # someone else's replacement stays
        warnings.showwarning = _shown_before
