"""Checks that name what was expected, what arrived, and the likely fix.

Every check raises ShapeSchoolError with one message of the form
``<name>: expected <expected>, got <actual>: <hint>``. Shapes are checked before values, so a
learner first hears about the axis that is wrong and only then about numbers.
"""
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


def _fmt_shape(shape):
    return "(" + ", ".join(str(int(s)) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def _fail(name, expected, actual, hint):
    message = f"{name}: expected {expected}, got {actual}"
    if hint:
        message += f": {hint}"
    raise ShapeSchoolError(message)


def expect_tensor(value, name="value"):
    """Fail unless ``value`` is a torch.Tensor (a tuple from an LSTM is a common surprise)."""
    if not isinstance(value, torch.Tensor):
        kind = type(value).__name__
        hint = "an LSTM returns (output, (h_n, c_n)): unpack it" if isinstance(value, tuple) else ""
        _fail(name, "a torch.Tensor", f"a {kind}", hint)
    return value


def expect_shape(value, expected, name="tensor", hint=""):
    """Fail unless ``value.shape`` equals ``expected``; ``None`` in ``expected`` matches any size."""
    expect_tensor(value, name)
    expected = tuple(expected)
    actual = tuple(value.shape)
    same = len(actual) == len(expected) and all(e is None or e == a for e, a in zip(expected, actual))
    if not same:
        shown = "(" + ", ".join("*" if e is None else str(e) for e in expected) + ("," if len(expected) == 1 else "") + ")"
        _fail(name, shown, _fmt_shape(actual), hint)
    return value


def expect_equal(actual, expected, name="value", hint=""):
    """Fail unless two plain values (ints, dtypes, tuples) are equal."""
    if actual != expected:
        _fail(name, repr(expected), repr(actual), hint)
    return actual


def expect_dtype(value, allowed, name="tensor", hint=""):
    """Fail unless the tensor's dtype is one of ``allowed`` (a dtype or a tuple of them)."""
    expect_tensor(value, name)
    allowed = allowed if isinstance(allowed, (tuple, list)) else (allowed,)
    if value.dtype not in allowed:
        _fail(name, " or ".join(str(d) for d in allowed), str(value.dtype), hint)
    return value


def expect_close(actual, expected, name="tensor", hint="", atol=None, rtol=None):
    """Fail unless ``actual`` matches ``expected`` in shape and then in value.

    Tolerances default to ``tolerance_for(expected.device)``. The message names the first
    position that differs and the largest absolute difference.
    """
    expect_tensor(expected, f"{name} (reference)")
    expect_shape(actual, tuple(expected.shape), name, hint)
    d_atol, d_rtol = tolerance_for(expected.device)
    atol = d_atol if atol is None else atol
    rtol = d_rtol if rtol is None else rtol
    a = actual.detach().to(expected.device, torch.float64)
    e = expected.detach().to(torch.float64)
    bad = (a - e).abs() > atol + rtol * e.abs()
    if bool(bad.any()):
        where = tuple(int(i) for i in bad.nonzero()[0].tolist())
        worst = float((a - e).abs().max())
        _fail(
            f"{name} values",
            f"{float(e[where]):.6g} at index {where}",
            f"{float(a[where]):.6g} (largest difference {worst:.3g}, tolerance atol={atol:g}, rtol={rtol:g})",
            hint or "the shape is right but the numbers are not",
        )
    return actual
