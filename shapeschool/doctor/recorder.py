"""Record what flows through every ``nn.Module`` and the functional calls around them.

Two mechanisms PyTorch provides, nothing patched:
- global module hooks (``torch.nn.modules.module.register_module_forward_pre_hook`` and
  ``register_module_forward_hook(..., always_call=True)``), so every module's inputs and outputs
  are seen, and the module a failure happened in is known even though ``forward`` raised;
- a ``torch.overrides.TorchFunctionMode``, which sees every call of a torch function or tensor
  method (``F.cross_entropy``, ``x.view``, ``pack_padded_sequence``'s own ``_pack_padded_sequence``),
  whether it runs inside a module or in the learner's own code.

What it cannot see: arguments passed to a module by keyword (PyTorch's global hooks receive only
positional ones); plain Python that raises without calling torch outside any module (a
``KeyError`` in a vocabulary lookup); code compiled by ``torch.compile``; other threads (the
function mode belongs to the thread that turned the doctor on).

When an exception leaves a module or a torch function, the recorder attaches a ``Failure`` to
it (``failure_of(exc)``); nothing is printed and nothing changes the exception.

First, do no harm: a program runs the same with the recorder on. PyTorch's attention and
transformer-encoder modules take a fast path only when no argument "has a torch function", and an
active ``TorchFunctionMode`` counts; off that path their checks and results differ (a causal mask
of the wrong size raises on the fast path and is dropped on the other; padded positions come out
as zeros on one path and as numbers on the other). So while one of ``FAST_PATH`` runs, the mode
is set aside, and only its own module call is recorded (its hooks still run).
tests/shapeschool/doctor/test_do_no_harm.py runs every case with the doctor on and off.
"""
import os
import itertools
import sys
import threading
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.nn.modules import module as _module
from torch.optim import optimizer as _optimizer
from torch.overrides import TorchFunctionMode, _get_current_function_mode, _pop_mode, _push_mode

from . import warnings_place
from .summaries import seen

_TORCH_DIR = os.path.dirname(torch.__file__)
_OWN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_ATTRIBUTE = "_shapeschool_failure"

# Under test (SHAPESCHOOL_DOCTOR_STRICT=1) an error in the doctor's own code surfaces; otherwise
# it is dropped, because the learner's program and its own error matter more than the doctor's.
def strict():
    return os.environ.get("SHAPESCHOOL_DOCTOR_STRICT") == "1"

# Modules whose forward checks ``torch.overrides.has_torch_function`` to choose its path.
FAST_PATH = (nn.MultiheadAttention, nn.TransformerEncoderLayer, nn.TransformerEncoder)

# Modules usually given arguments by keyword (masks, states): for these the keyword arguments are
# read from PyTorch's caller frame when the call starts (the global hooks receive only positional
# ones), and kept, like the positional ones, only while the call runs or when it fails.
KEYWORDS = FAST_PATH + (nn.TransformerDecoderLayer, nn.TransformerDecoder, nn.Transformer, nn.RNNBase)

# The functional calls kept in the recent-calls list (a failing call is kept whatever it is).
WATCHED = frozenset({
    "view", "reshape", "flatten", "permute", "transpose", "t", "squeeze", "unsqueeze", "contiguous",
    "cat", "stack", "matmul", "mm", "bmm", "linear", "einsum",
    "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "_pack_padded_sequence", "_pad_packed_sequence", "pad_sequence", "argmax", "unbind", "interpolate", "multinomial", "topk", "softmax", "log_softmax", "embedding", "mean",
    "__getitem__", "unfold",
})

# Watched functions whose calls are kept only when they are the kind worth keeping: an index is
# kept when it selects by a boolean mask (x[mask]), whose count of values depends on the data;
# plain slicing (x[:, -1]) is too common in a training step to record.
def _indexes_by_mask(args):
    index = args[1] if len(args) > 1 else None
    parts = index if isinstance(index, tuple) else (index,)
    return any(isinstance(part, torch.Tensor) and part.dtype == torch.bool for part in parts)


_SELECTED = {"__getitem__": _indexes_by_mask}


# What doctor.check records besides: it runs the model once, so it can afford to see every sum
# (a table sliced by the wrong size is only visible where it is added).
CHECKED = WATCHED | {"add", "__add__", "__iadd__", "__radd__", "sub", "__sub__", "__rsub__",
                     "max", "amax", "sum", "masked_fill", "masked_fill_", "where", "mul", "__mul__", "__rmul__"}

_SEQ = itertools.count(1)         # orders module calls and functional calls as they happened
_WATCHING = {}                    # watched set -> {torch function -> False, True, or which calls (_SELECTED)}
_UNWATCHED = torch._C.DisableTorchFunction   # while the hooks read shapes, no mode sees those reads


@dataclass
class Call:
    """One module's forward: where it sits, what went in, what came out (or that it raised)."""
    path: str
    module: torch.nn.Module
    depth: int
    inputs: tuple                 # a record (summaries.seen) of each positional input
    output: object = None         # the record of what it returned
    raised: bool = False
    values: tuple = None          # (args, output): args while it runs; both afterwards only when
                                  # the recorder keeps values
    outer: bool = False           # another module call ran inside this one
    set_aside: bool = False       # the function mode was set aside while it ran (FAST_PATH)
    kwargs: dict = None           # its keyword arguments, for KEYWORDS modules, while it runs
    seq: int = 0                  # when it began, counted across module calls and Ops

    @property
    def leaf(self):
        """No module call ran inside it: an LSTM, a Linear, and also a MultiheadAttention, whose
        out_proj is a child its forward never calls."""
        return not self.outer


@dataclass
class Op:
    """One torch function or tensor method call, with a record of its arguments."""
    name: str
    args: tuple                   # records (summaries.seen) of the positional arguments
    kwargs: dict                  # and of the keyword ones that are not None
    where: str                    # the path of the module it ran in, or "" outside any module
    result: object = None         # the record of what it returned (None when it raised)
    line: tuple = None            # (file, line number) of the learner's code that called it, when it raised
    values: tuple = None          # (args, kwargs, result), kept only when the recorder keeps values
    seq: int = 0                  # when it ran, counted across module calls and Ops


@dataclass
class Failure:
    """What the recorder knew when an exception left a module or a torch function."""
    call: Call                    # the innermost module running, or None outside any module
    stack: list                   # the modules running, outermost first
    op: Op = None                 # the torch function that raised, when one did
    before: list = field(default_factory=list)   # the module calls that ran before, in order
    ops: list = field(default_factory=list)      # the watched functional calls that ran before


def failure_of(exc):
    """The ``Failure`` the recorder attached to ``exc``, or None."""
    return getattr(exc, _ATTRIBUTE, None)


def _attach(exc, failure):
    try:
        setattr(exc, _ATTRIBUTE, failure)
    except (AttributeError, TypeError):       # an exception type that takes no attributes
        pass


def _op_name(func):
    name = getattr(func, "__name__", None) or type(func).__name__
    return name


class _Functions(TorchFunctionMode):
    """Sees every torch function call while the recorder runs; records the watched ones and the
    one that raised."""

    def __init__(self, recorder):
        super().__init__()
        self.recorder = recorder
        self.watching = _WATCHING.setdefault(recorder.watch, {})

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        try:
            result = func(*args, **kwargs)
        except Exception as exc:
            try:
                self.recorder.op_failed(exc, _op_name(func), args, kwargs)
            except Exception:
                if strict():
                    raise
            raise
        watching = self.watching
        watched = watching.get(func)
        if watched is None:                       # decided once per function: the common path is a
            if len(watching) > 10_000:            # dictionary lookup (bounded, whatever calls come)
                watching.clear()
            name = _op_name(func)
            watched = watching[func] = (_SELECTED.get(name) or True) if name in self.recorder.watch else False
        if watched:
            if watched is not True and not watched(args):
                return result
            name = _op_name(func)
            try:
                self.recorder.op_ran(name, args, kwargs, result)
            except Exception:
                if strict():
                    raise
        return result


class Recorder:
    """Records module calls and functional calls between ``start()`` and ``stop()``.

    ``keep_values`` keeps references to the tensors themselves (for ``doctor.check``, which
    compares them); otherwise only their descriptions are kept. ``limit`` bounds how many module
    calls, and how many functional calls, are remembered, so a long session costs bounded memory."""

    def __init__(self, keep_values=False, limit=400, watch=WATCHED):
        self.keep_values = keep_values
        self.watch = frozenset(watch)      # the names of the torch functions whose calls are kept
        self.limit = limit
        self.stack = []           # Calls running now, outermost first
        self.calls = []           # Calls of this top-level forward and the previous ones, in start order
        self.ops = []             # watched Ops, newest last
        self._names = {}          # id(module) -> the name its caller knows it by
        self._handles = []
        self._mode = None
        self._stepping = False    # the function mode is set aside while an optimizer steps
        self._thread = None
        self.on_escape = None     # called with an exception that leaves the outermost module or
                                  # a torch function called outside any module

    # -- switching on and off -----------------------------------------------------------------
    def start(self):
        self._thread = threading.get_ident()
        self._handles = [
            _module.register_module_forward_pre_hook(self._pre_hook),
            _module.register_module_forward_hook(self._post_hook, always_call=True),
            _optimizer.register_optimizer_step_pre_hook(self._step_begins),
            _optimizer.register_optimizer_step_post_hook(self._step_ends),
        ]
        self._mode = _Functions(self)
        self._mode.__enter__()
        warnings_place.install()
        return self

    def stop(self):
        for handle in self._handles:
            handle.remove()
        self._handles = []
        if self._mode is not None:
            if self._stepping or any(call.set_aside for call in self.stack):   # set aside: not on the stack
                self._stepping = False
                self._mode = None
            else:
                self._mode.__exit__(None, None, None)
                self._mode = None
            warnings_place.uninstall()
        self.stack = []

    def forget(self):
        """Drop what ran so far: a new cell's errors are explained by what that cell ran, never by
        a module an earlier cell happened to call."""
        self.calls = []
        self.ops = []

    @property
    def running(self):
        return self._mode is not None

    def name(self, module, name):
        """Call ``module`` ``name`` in paths, when it is called outside any other module."""
        self._names[id(module)] = name

    # -- optimizer steps ----------------------------------------------------------------------
    # An optimizer's step is dozens of small in-place updates per parameter, and no shape the
    # learner wrote: the function mode is set aside while it runs (dispatch through a mode is most
    # of the doctor's cost in a training step), and put back when it ends. A step that raises never
    # reaches the post-hook: the next module call puts the mode back.
    def _step_begins(self, optimizer, args, kwargs):
        if threading.get_ident() == self._thread and not self._stepping \
                and self._mode is not None and _get_current_function_mode() is self._mode:
            _pop_mode()
            self._stepping = True
        return None

    def _step_ends(self, optimizer, args, kwargs):
        if threading.get_ident() == self._thread:
            self._take_back()

    def _take_back(self):
        if self._stepping:
            self._stepping = False
            _push_mode(self._mode)

    # -- module hooks -------------------------------------------------------------------------
    def _pre_hook(self, module, args):
        if threading.get_ident() != self._thread:
            return None
        if self._stepping:                # a step raised, or a closure (LBFGS) runs the model
            self._take_back()
        try:
            with _UNWATCHED():            # the recorder's own reads of shapes are not torch calls to see
                self._entered(module, args)
        except Exception:                 # the doctor must never break the learner's program
            if strict():
                raise
        return None

    def _entered(self, module, args):
        path = self._path_of(module)
        if self.stack:
            self.stack[-1].outer = True
        call = Call(path=path, module=module, depth=len(self.stack), inputs=tuple(seen(a) for a in args),
                    values=(args, None), seq=next(_SEQ))
        if isinstance(module, KEYWORDS):
            call.kwargs = _keywords_given()
        if isinstance(module, FAST_PATH) and _get_current_function_mode() is self._mode is not None:
            _pop_mode()
            call.set_aside = True
        self.stack.append(call)
        self.calls.append(call)
        if len(self.calls) > self.limit:
            del self.calls[: len(self.calls) - self.limit]

    def _post_hook(self, module, args, output):
        if threading.get_ident() != self._thread or not self.stack or self.stack[-1].module is not module:
            return None
        call = self.stack.pop()
        if call.set_aside:
            _push_mode(self._mode)
        try:
            with _UNWATCHED():
                self._left(call, output)
        except Exception:
            if strict():
                raise
        return None

    def _left(self, call, output):
        exc = sys.exc_info()[1]       # always_call hooks run inside PyTorch's `except Exception:`
        if exc is not None and output is None:
            call.raised = True
            if failure_of(exc) is None:
                _attach(exc, self._failure(call, stack=self.stack + [call]))
            if not self.stack:
                self._escaped(exc)
        else:
            call.output = seen(output)
            call.values = (call.values[0], output) if self.keep_values else None
            call.kwargs = call.kwargs if self.keep_values else None
        return None

    def _path_of(self, module):
        if self.stack:
            parent = self.stack[-1]
            for name, child in parent.module._modules.items():
                if child is module:
                    return f"{parent.path}.{name}"
            for name, child in parent.module.named_modules():
                if child is module and name:
                    return f"{parent.path}.{name}"
            return f"{parent.path}.<{type(module).__name__}>"
        name = self._names.get(id(module))
        if name is None:
            name = name_in_caller(module) or type(module).__name__.lower()
            self._names[id(module)] = name
        return name

    # -- functional calls ---------------------------------------------------------------------
    def op_ran(self, name, args, kwargs, result):
        op = Op(name, *_seen_call(args, kwargs), where=self.stack[-1].path if self.stack else "",
                result=seen(result), seq=next(_SEQ))
        if self.keep_values:
            op.values = (args, kwargs, result)
        self.ops.append(op)
        if len(self.ops) > self.limit:
            del self.ops[: len(self.ops) - self.limit]

    def op_failed(self, exc, name, args, kwargs):
        if failure_of(exc) is not None:
            return
        op = Op(name, *_seen_call(args, kwargs), where=self.stack[-1].path if self.stack else "")
        op.values = (args, kwargs, None)          # kept for the diagnosis, dropped with the exception
        op.line = _learners_line()
        call = self.stack[-1] if self.stack else None
        _attach(exc, self._failure(call, stack=list(self.stack), op=op))
        if not self.stack:
            self._escaped(exc)

    def afterwards(self):
        """A ``Failure`` for an error raised by plain code after the recorded modules returned."""
        return self._failure(None, stack=[])

    def _escaped(self, exc):
        if self.on_escape is not None:
            self.on_escape(exc)

    def _failure(self, call, stack, op=None):
        before = [c for c in self.calls if c is not call and c not in stack]
        return Failure(call=call, stack=list(stack), op=op, before=before[-30:], ops=list(self.ops[-12:]))


def _keywords_given():
    """The keyword arguments of the module call whose pre-hook is running: PyTorch's ``inner``
    closure in ``Module._call_impl`` holds them ({} where a PyTorch version does not)."""
    frame = sys._getframe(3)          # _keywords_given <- _entered <- _pre_hook <- inner
    given = frame.f_locals.get("kwargs") if frame.f_code.co_name == "inner" else None
    return dict(given) if isinstance(given, dict) else {}


def _seen_call(args, kwargs):
    return tuple(seen(a) for a in args), {k: seen(v) for k, v in kwargs.items() if v is not None}


def _learners_line():
    """(file, line) of the innermost frame on the stack outside torch and this package."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if outside_torch_and_us(filename) and not filename.startswith("<frozen"):
            return filename, frame.f_lineno
        frame = frame.f_back
    return None


def outside_torch_and_us(filename):
    """Whether ``filename`` is the learner's code: neither torch's nor this package's."""
    return not (filename.startswith(_TORCH_DIR) or filename.startswith(_OWN_DIR))


def name_in_caller(module):
    """The variable name the first frame outside torch and this package calls ``module`` by."""
    return name_in_caller_of(sys._getframe(1), module)


def name_in_caller_of(frame, module):
    """``name_in_caller`` from ``frame`` outwards."""
    while frame is not None:
        filename = frame.f_code.co_filename
        if outside_torch_and_us(filename):
            scopes = [list(frame.f_locals.items()), list(frame.f_globals.items())]
            for scope in scopes:
                for name, value in scope:
                    if value is module and not name.startswith("_"):
                        if name == "self":    # called from the model's own method (generate()):
                            return name_in_caller_of(frame.f_back, module) or name   # the caller's name
                        return name
            for scope in scopes:                  # called as model.encoder(x): a part of a named model
                for name, value in scope:
                    if isinstance(value, torch.nn.Module) and not name.startswith("_"):
                        for inner, part in value.named_modules():
                            if part is module and inner:
                                if name == "self":    # from the model's own method (inference()): its
                                    name = name_in_caller_of(frame.f_back, value) or name   # caller's name
                                return f"{name}.{inner}"
            return None
        frame = frame.f_back
    return None
