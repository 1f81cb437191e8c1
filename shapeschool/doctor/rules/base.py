"""What every rule is made of: the ``Diagnosis`` it returns, the ``Context`` it reads, the three
ways to register it, and the small helpers rules share.

A rule is a function ``rule(ctx, found) -> Diagnosis | None`` registered with one of:

- ``@evidence(*kinds)``: asked first, whatever the message, when the failing module is one of
  ``kinds`` (module classes) or the torch function that raised is (names, as recorded:
  ``"scaled_dot_product_attention"``): for mistakes whose message depends on where PyTorch
  happens to trip (a badly packed batch, a mask of the wrong size on the fast path or off it,
  packing arguments in the wrong order); ``found`` is None;
- ``@message(pattern)``: asked when the exception's message matches ``pattern`` (searched, not
  anchored; ``found`` is the match): the stable part of one of PyTorch's messages;
- ``@after(pattern)``: for an error the learner's own code raised just after a module returned
  (no module or torch function raised it, so only the calls before are evidence);
- ``@message(pattern, plain=True)``: also asked for an error nothing recorded raised (a torch
  function refusing its arguments before it runs, an assertion in a layer's constructor).

A rule returns None when the evidence does not fit it, and the next rule is asked. It states a
cause as ``certain`` only when the recorded evidence leaves one reading, and names only numbers
the evidence shows.
"""
import inspect
import re
from dataclasses import dataclass

import torch
from torch.nn.utils.rnn import PackedSequence

from ..summaries import settings, shape_of, shape_text

REGISTERED = []             # (way, family, pattern or kinds, function), in the order registered

# PyTorch's broadcasting message, read by several families (position tables, recurrent states,
# plain tensors), each asking whether its own evidence explains it.
BROADCAST = (r"The size of tensor a \((\d+)\) must match the size of tensor b \((\d+)\) at non-singleton "
             r"dimension (\d+)")


@dataclass
class Diagnosis:
    cause_id: str                 # a stable name for the cause, e.g. "rnn_input_size"
    cause: str                    # in plain words, naming the sizes that disagree
    fix: str
    lesson: str = None            # a key of lessons.LESSONS
    certain: bool = True
    sizes: tuple = ()             # (expected, got), where the message has two sizes
    rule: str = None              # the rule that answered (``family.function``), set by the registry
    alone: bool = False           # named from the message alone: nothing recorded raised the error


def _family(function):
    return function.__module__.rsplit(".", 1)[-1]


def message(pattern, plain=False):
    """Register a rule for messages that match ``pattern``. ``plain=True``: the rule also answers
    for an error no module or recorded torch function raised (a torch function refusing its
    arguments before it runs, an assertion in a layer's constructor), from the message alone."""
    compiled = re.compile(pattern, re.S)

    def register(function):
        REGISTERED.append(("message", _family(function), compiled, function))
        if plain:
            REGISTERED.append(("plain", _family(function), compiled, function))
        return function
    return register


def after(pattern):
    """Register a rule for an error raised by plain code after a module returned."""
    compiled = re.compile(pattern, re.S)

    def register(function):
        REGISTERED.append(("after", _family(function), compiled, function))
        return function
    return register


def evidence(*kinds):
    """Register a rule asked first whenever the failing module is one of ``kinds`` (module classes),
    or the torch function that raised is one of them (names: "scaled_dot_product_attention")."""
    types = tuple(k for k in kinds if isinstance(k, type))
    names = frozenset(k for k in kinds if isinstance(k, str))

    def register(function):
        REGISTERED.append(("evidence", _family(function), (types, names), function))
        return function
    return register


def asks(ctx, kinds):
    """Whether an ``@evidence`` rule registered for ``kinds`` is asked about ``ctx``."""
    types, names = kinds
    return (ctx.module is not None and bool(types) and isinstance(ctx.module, types)
            or ctx.op is not None and ctx.op.name in names)


class Context:
    """What a rule may read: the exception, the failing module or torch function, its inputs, and
    the module calls before it."""

    def __init__(self, exc, failure):
        self.exc = exc
        self.message = str(exc.args[0]) if exc.args else str(exc)
        self.failure = failure
        self.call = failure.call if failure else None
        self.module = self.call.module if self.call else None
        self.op = failure.op if failure else None
        self.args = tuple(self.call.values[0]) if self.call is not None and self.call.values else ()
        self.op_args = tuple(self.op.values[0]) if self.op is not None and self.op.values else ()
        self.op_kwargs = dict(self.op.values[1]) if self.op is not None and self.op.values else {}
        self._arguments = None

    @property
    def path(self):
        if self.call is not None:
            return self.call.path
        return ""

    def arguments(self):
        """The failing module's ``forward`` arguments by name, as they were when the call began:
        its positional inputs and, for the modules the recorder keeps them for (recorder.KEYWORDS),
        its keyword ones, bound to ``forward``'s signature. {} when it is not a module's error."""
        if self._arguments is None:
            self._arguments = {}
            if self.module is not None:
                given = self.call.kwargs or {}
                try:
                    bound = inspect.signature(self.module.forward).bind_partial(*self.args, **given)
                    self._arguments = dict(bound.arguments)
                except TypeError:
                    self._arguments = dict(given)
        return self._arguments

    def op_shapes(self):
        """The shapes of the failing torch function's positional arguments, as recorded (None for
        an argument that is not a tensor); [] when no torch function raised."""
        from ..summaries import shape_of
        return [shape_of(r) for r in self.op.args] if self.op is not None else []

    def batch_at_entry(self):
        """The batch as the model got it: axis 0 of the first tensor given to the outermost module
        running when the error happened; None outside any module."""
        from ..summaries import shape_of
        stack = self.failure.stack if self.failure else []
        if not stack or not stack[0].inputs:
            return None
        shape = shape_of(stack[0].inputs[0])
        return shape[0] if shape else None

    def batch_changed_by(self, batch):
        """The newest recorded call that took a tensor with ``batch`` on axis 0 and returned one
        without it (a flatten, view or cat that merged or split examples), or None."""
        from ..summaries import shape_of
        for op in reversed(self.failure.ops if self.failure else []):
            before = shape_of(op.args[0]) if op.args else None
            made = shape_of(op.result)
            if before and made is not None and before[0] == batch and (not made or made[0] != batch):
                return op
        return None

    def function_named(self):
        """The torch function a message names ("empty(): argument 'size' ...", "view() received ..."),
        for errors raised before any recorded call; else None."""
        found = re.match(r"(\w+)\(\)(?::| received)", self.message)
        return found.group(1) if found else None

    def frame_locals(self, function):
        """The local variables of the innermost frame of ``function`` (a name) the exception passed
        through: a constructor's arguments, for instance; {} when there is none."""
        tb, frames = self.exc.__traceback__, []
        if tb is not None:               # explained while it is raised, the traceback holds only the
            outer = tb.tb_frame.f_back   # innermost frames: the callers are still on the stack
            while outer is not None:
                frames.insert(0, outer)
                outer = outer.f_back
        while tb is not None:
            frames.append(tb.tb_frame)
            tb = tb.tb_next
        found = {}
        for frame in frames:
            if frame.f_code.co_name == function:
                found = frame.f_locals
        return dict(found)

    def operand(self):
        """(the failing torch function's first tensor argument, how a message shows it: " (3, 2)");
        (None, "") when it had none."""
        x = self.first_tensor(self.op_args)
        return x, (f" {shaped(x)}" if x is not None else "")

    def first_tensor(self, args=None):
        for a in (self.args if args is None else args):
            if isinstance(a, PackedSequence):
                return a.data
            if isinstance(a, torch.Tensor):
                return a
        return None

    def before(self, kind=None):
        """Leaf module calls that finished before the failure, newest first (of ``kind``)."""
        calls = [c for c in reversed(self.failure.before) if c.leaf and not c.raised] if self.failure else []
        return [c for c in calls if kind is None or isinstance(c.module, kind)]

    def last_before(self, kind=None):
        calls = self.before(kind)
        return calls[0] if calls else None

    def where(self):
        return f"{self.path}, {settings(self.module)}" if self.module is not None else "your code"


def ints(text):
    """(8, 16, 5) from the text '8, 16, 5' of a message."""
    return tuple(int(v) for v in re.findall(r"-?\d+", text))


def shaped(t):
    """A live tensor's shape as the reports write it."""
    return shape_text(t.shape)


def product(values):
    total = 1
    for v in values:
        total *= v
    return total


def plain(record):
    """A recorded argument as Python: a number, string or None as itself, tuples and lists of them
    as tuples; a tensor stays its record."""
    from ..summaries import ListSeen, ValueSeen
    if isinstance(record, ValueSeen):
        return record.value
    if isinstance(record, ListSeen):
        return tuple(plain(r) for r in record.items)
    if type(record) is tuple:
        return tuple(plain(r) for r in record)
    return record


def floats_in(records):
    """Every float among recorded arguments (sizes made with /, for instance)."""
    found = []
    for r in records:
        value = plain(r)
        for v in value if isinstance(value, tuple) else (value,):
            if isinstance(v, float):
                found.append(v)
    return found


def iterated_from(ctx, tensor):
    """The shape of the tensor that a for loop (or an unpacking, or unbind) walked along its first
    axis to give a tensor of ``tensor``'s shape; None when none did."""
    if tensor is None or ctx.failure is None:
        return None
    for op in reversed(ctx.failure.ops):
        dim = op.args[1] if len(op.args) > 1 else op.kwargs.get("dim", 0)
        if op.name != "unbind" or not op.args or getattr(dim, "value", dim) != 0:
            continue
        whole = shape_of(op.args[0])
        if whole and tuple(whole[1:]) == tuple(tensor.shape):
            return tuple(whole)
    return None


def made_by(ctx, names, shape):
    """The newest recorded call among ``names`` that returned a tensor of ``shape``, or None."""
    for op in reversed(ctx.failure.ops if ctx.failure else []):
        if op.name in names and op.args and shape_of(op.result) == tuple(shape):
            return op
    return None


def batch_of_one_squeezed(ctx, shape=None):
    """(op, shape before, shape after) for the newest recorded squeeze that dropped a leading batch
    axis of 1 (squeeze() with no axis, or squeeze(0)): a batch of one, the last batch of an epoch,
    losing its batch axis; only one that made ``shape``, when given. None when no squeeze did."""
    for op in reversed(ctx.failure.ops if ctx.failure else []):
        if op.name != "squeeze" or not op.args:
            continue
        before, after = shape_of(op.args[0]), shape_of(op.result)
        if shape is not None and after != tuple(shape):
            continue
        dims = [getattr(a, "value", a) for a in op.args[1:]] + [getattr(v, "value", v) for v in op.kwargs.values()]
        if not before or after is None or before[0] != 1 or len(after) >= len(before):
            continue
        if not dims or dims == [0] or dims == [(0,)]:
            return op, tuple(before), tuple(after)
    return None

