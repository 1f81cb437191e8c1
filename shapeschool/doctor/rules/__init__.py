"""The doctor's rules, one file per layer family, asked in one order written down here.

How a diagnosis is reached (``diagnose``):
1. the ``@evidence`` rules of every family, in ``FAMILIES`` order, registered for the failing
   module's kind or the failing torch function's name: they look at what flowed, whatever the
   message says;
2. the ``@message`` rules of every family, in ``FAMILIES`` order and, within a family, in the
   order its file defines them: the first whose pattern matches and which answers wins;
3. nothing: the report says the error is not one the doctor recognises, and shows what flowed.
An error raised by plain code (no module or recorded torch function raised it) is asked of the
``@after`` rules, then of the ``plain`` message rules (``diagnose_after``).

Why the order matters, family by family (a family's rules never overlap another's patterns
unless said here; tests/shapeschool/doctor/test_rules.py checks that each message in the
catalogue is answered by the family its case expects):
"""
import torch

from ..recorder import failure_of, strict
from .base import REGISTERED, Context, Diagnosis, asks

FAMILIES = (
    ("packing", "a batch packed along the wrong axes fails inside the recurrent layer with whatever its "
                "first bad index gives (an IndexError, a matrix-size message); the packing evidence "
                "rule must be asked before any recurrent or linear message rule"),
    ("attention", "masks of the wrong size fail with different messages on PyTorch's fast path (a view's "
                  "'shape ... is invalid') and off it; the attention evidence rules must be asked before "
                  "the plain-tensor view rule would explain the view"),
    ("recurrent", "'tuple' object has no attribute ...: a GRU given (h0, c0) is asked before a recurrent "
                  "layer's tuple result handed on, and both before anything generic"),
    ("embedding", ""),
    ("linear", "'mat1 and mat2 shapes cannot be multiplied' is raised by Linear and by plain x @ w; the "
               "linear rule looks at the module and the flow before answering for both"),
    ("conv", ""),
    ("norm", ""),
    ("losses", ""),
    ("tensors", "view, cat, stack, bmm, broadcasting, axes and sizes in plain code: the most general "
                "messages, asked after every layer family that could explain them better"),
    ("einops_", ""),
)

from . import packing, attention, recurrent, embedding, linear, conv, norm, losses, tensors, einops_  # noqa: E402,F401,I001

_ORDER = {name: i for i, (name, _) in enumerate(FAMILIES)}


def _rules(way):
    chosen = [(family, key, fn) for w, family, key, fn in REGISTERED if w == way]
    return sorted(chosen, key=lambda r: _ORDER[r[0]])         # stable: file order within a family


def _asked(function, ctx, found):
    """A rule's answer; an error in a rule never hides the learner's own error (under test it
    surfaces). The rule runs with torch functions' overrides off, so no mode records what it reads."""
    try:
        with torch._C.DisableTorchFunction():     # a rule's own reads of tensors are not the learner's calls
            answer = function(ctx, found)
    except Exception:
        if strict():
            raise
        return None
    if answer is not None and answer.rule is None:
        answer.rule = f"{_family_of(function)}.{function.__name__}"
    return answer


def _family_of(function):
    return function.__module__.rsplit(".", 1)[-1]


def diagnose(exc):
    """The Diagnosis of ``exc`` (raised while the doctor recorded), or None when no rule knows it."""
    ctx = Context(exc, failure_of(exc))
    for family, kinds, function in _rules("evidence"):
        if asks(ctx, kinds):
            answer = _asked(function, ctx, None)
            if answer is not None:
                return answer
    return _first_message(_rules("message"), ctx)


def diagnose_after(exc, failure):
    """The Diagnosis of an error the learner's own code raised after the modules in ``failure``
    returned (or before any ran), or None: only the few errors a module's result explains, and the
    messages a ``plain`` rule reads alone, are named this way."""
    ctx = Context(exc, failure)
    answer = _first_message(_rules("after"), ctx)
    if answer is None:
        answer = _first_message(_rules("plain"), ctx)
        if answer is not None:
            answer.alone = True
    return answer


def _first_message(rules, ctx):
    for family, pattern, function in rules:
        found = pattern.search(ctx.message)
        if found:
            answer = _asked(function, ctx, found)
            if answer is not None:
                return answer
    return None


__all__ = ["Context", "Diagnosis", "FAMILIES", "diagnose", "diagnose_after"]
