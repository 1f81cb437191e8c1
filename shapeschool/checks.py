"""Checks that name what was expected, what arrived, and the likely fix.

Every check raises ShapeSchoolError with one message of the form
``<name>: expected <expected>, got <actual>: <hint>``. Shapes are checked before values, so a
learner first hears about the axis that is wrong and only then about numbers.

Value comparisons follow ``torch.testing.assert_close``: a NaN or an infinity matches only the
same non-finite value at the same place in the reference, nothing is broadcast, and the dtype
and device must match the reference's. Integer and boolean tensors are compared exactly.
"""
import contextlib

import torch

from .errors import ShapeSchoolError

# Stated tolerances for comparing floating-point results. On the CPU the course's references
# and the learner's code run the same kernels, so differences are rounding noise. On CUDA,
# cuDNN may pick other algorithms (and TF32 for convolutions), so the bound is wider.
TOLERANCES = {
    "cpu": {"atol": 1e-5, "rtol": 1e-4},
    "cuda": {"atol": 1e-3, "rtol": 1e-3},
    "mps": {"atol": 1e-3, "rtol": 1e-3},
}


def tolerance_for(device):
    """The (atol, rtol) pair the course uses on ``device`` (a torch.device or a string)."""
    kind = torch.device(device).type
    tol = TOLERANCES.get(kind, TOLERANCES["cuda"])
    return tol["atol"], tol["rtol"]


def shape_text(shape):
    """``(32, 12, 300)``; a one-element shape keeps its comma, ``(8,)``."""
    return "(" + ", ".join(str(int(s)) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def fail(name, expected, actual, hint="", detail=""):
    """Raise a failed check: one line for a reader, and its parts for an exercise to reorder.
    ``hint`` is a plain string (the likely fix) or a ``shapeschool.hints.Hint``. For what the
    ``expect_*`` functions cannot say, e.g. ``fail("the first word's scores", "to change when the
    second word changes", "the same scores", hint=BACKWARD)``."""
    message = f"{name}: expected {expected}, got {actual}{detail}"
    if hint:
        message += f": {hint}"
    raise ShapeSchoolError(message, name=name, expected=expected, actual=actual + detail, hint=hint)


@contextlib.contextmanager
def reads_the_layers(name, expected, hint=""):
    """Around a check's own use of the learner's layers (loading their weights into a reference,
    running one of them on a reference tensor): an error there is not the learner's code
    raising, it is the learner's layers not being the ones the exercise asks for. It becomes a
    failed check with ``hint``, naming what the check tried and the error's first line::

        with reads_the_layers("the model's head", "a head that reads both directions (2 * H)", CLASSIFIER_VALUES):
            expected = nn.functional.linear(both, model.head.weight, model.head.bias)
    """
    try:
        yield
    except ShapeSchoolError:
        raise
    except Exception as exc:
        first = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
        fail(name, expected, f"{type(exc).__name__}: {first}", hint)


def expect_tensor(value, name="value"):
    """Fail unless ``value`` is a torch.Tensor (a tuple from an LSTM is a common surprise)."""
    if not isinstance(value, torch.Tensor):
        kind = type(value).__name__
        hint = "an LSTM returns (output, (h_n, c_n)): unpack it" if isinstance(value, tuple) else ""
        fail(name, "a torch.Tensor", f"a {kind}", hint)
    return value


def expect_shape(value, expected, name="tensor", hint=""):
    """Fail unless ``value.shape`` equals ``expected``; ``None`` in ``expected`` matches any size."""
    expect_tensor(value, name)
    expected = tuple(expected)
    actual = tuple(value.shape)
    same = len(actual) == len(expected) and all(e is None or e == a for e, a in zip(expected, actual))
    if not same:
        shown = "(" + ", ".join("*" if e is None else str(e) for e in expected) + ("," if len(expected) == 1 else "") + ")"
        fail(name, shown, shape_text(actual), hint)
    return value


def expect_equal(actual, expected, name="value", hint=""):
    """Fail unless two values (ints, lists, dicts, dtypes, or tensors) are exactly equal.

    A float NaN equals nothing, not even another NaN. Tensors are compared exactly, element by
    element, after their shape, dtype and device (use ``expect_close`` for rounded results).
    """
    if isinstance(actual, torch.Tensor) or isinstance(expected, torch.Tensor):
        expect_tensor(expected, f"{name} (reference)")
        return expect_close(actual, expected, name=name, hint=hint, atol=0.0, rtol=0.0)
    if not actual == expected:
        fail(name, repr(expected), repr(actual), hint)
    return actual


def expect_dtype(value, allowed, name="tensor", hint=""):
    """Fail unless the tensor's dtype is one of ``allowed`` (a dtype or a tuple of them)."""
    expect_tensor(value, name)
    allowed = allowed if isinstance(allowed, (tuple, list)) else (allowed,)
    if value.dtype not in allowed:
        fail(name, " or ".join(str(d) for d in allowed), str(value.dtype), hint)
    return value


def _same_kind(actual, expected, name, hint):
    """Device, then dtype: assert_close's checks, each with a message a learner can act on.
    An exercise's hint ladder is about its own mistake, so these two keep their own words."""
    hint = hint if isinstance(hint, str) else ""
    if actual.device != expected.device:
        fail(f"{name} device", f"a tensor on {expected.device}", f"one on {actual.device}",
              hint or "make new tensors on the input's device, e.g. torch.zeros(..., device=x.device)")
    if actual.dtype != expected.dtype:
        fail(f"{name} dtype", str(expected.dtype), str(actual.dtype),
              hint or "the values are computed in the wrong precision or kind; keep the input's dtype")


def _fmt_value(tensor, where):
    value = tensor[where].item()
    return f"{value:.6g}" if isinstance(value, float) else repr(value)


def expect_close(actual, expected, name="tensor", hint="", atol=None, rtol=None):
    """Fail unless ``actual`` matches ``expected`` in shape, device, dtype and then value.

    The decision is ``torch.testing.assert_close``'s (NaN matches only NaN in the same place).
    Tolerances default to ``tolerance_for(expected.device)`` for floating-point tensors and to
    exact equality for integer and boolean ones. The message names the first position that
    differs and the largest absolute difference.
    """
    expect_tensor(expected, f"{name} (reference)")
    expect_shape(actual, tuple(expected.shape), name, hint)
    _same_kind(actual, expected, name, hint)
    a, e = actual.detach(), expected.detach()
    exact = not (e.is_floating_point() or e.is_complex())
    if exact:
        atol, rtol = 0.0, 0.0
    else:
        d_atol, d_rtol = tolerance_for(e.device)
        atol = d_atol if atol is None else atol
        rtol = d_rtol if rtol is None else rtol
    try:
        torch.testing.assert_close(a, e, atol=atol, rtol=rtol, equal_nan=True)
        return actual
    except AssertionError:
        pass
    close = torch.isclose(a, e, atol=atol, rtol=rtol, equal_nan=True) if not exact else a == e
    where = tuple(int(i) for i in (~close).nonzero()[0].tolist())
    if exact:
        detail = f"{_fmt_value(a, where)} ({int((~close).sum())} of {close.numel()} differ; compared exactly)"
    else:
        gap = (a.double() - e.double()).abs()
        finite = gap[torch.isfinite(gap)]
        worst = f"largest finite difference {float(finite.max()):.3g}, " if finite.numel() else ""
        detail = f"{_fmt_value(a, where)} ({worst}tolerance atol={atol:g}, rtol={rtol:g})"
    if not exact and not bool(torch.isfinite(a[where])) and bool(torch.isfinite(e[where])):
        hint = ("a NaN or infinity where a number belongs: look for 0 / 0, log(0), or a tensor "
                "made with torch.empty and never filled")
    fail(f"{name} values", f"{_fmt_value(e, where)} at index {where}", detail,
          hint or "the shape is right but the numbers are not")
