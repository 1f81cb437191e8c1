"""One check, many sizes: the example the learner sees, the edge sizes where shape bugs hide,
and fresh random draws. A failure names the sizes it failed with and why they were chosen.

    sizes = ss.Sizes(B=(1, 6), T=(1, 6), E=(1, 12), H=(1, 12))
    checked = sizes.cases(example=dict(B=3, T=5, E=8, H=16), edges=["B=1", "T=B", "H=1"],
                          name="run_seq_first(lstm, x)", hint="transpose x to (T, B, E) first")
    for case in checked:
        with case:                     # B, T, E, H are case.B, case.T, ...
            ...expect_close(...)...
    print(f"run_seq_first: all checks passed ({checked})")

An edge is ``"NAME=VALUE"``: VALUE is an integer, True or False, another size's name, or an
expression over the drawn sizes, so ``"T=B"`` makes time equal to batch (a square tensor that
lets a swapped axis keep its shape), ``"p=V-1"`` picks the last row, ``"B=H=1"`` sets both, and
``"L=2,bi=True"`` sets two. The other sizes are drawn at random. Each case also carries
``case.rng``, a ``random.Random`` for drawing its contents (words, lengths) the same way. Visible checks draw afresh on every
run (``seed=None``); hidden tests pass a seed of their own so that grading repeats.
"""
import copy
import random

import torch

from .device import gpu_advice
from .errors import ShapeSchoolError

_TRIES = 500


def _value(expression, values):
    """An edge's VALUE: a literal, a size's name, or arithmetic over the drawn sizes."""
    return eval(expression, {"__builtins__": {}}, dict(values))  # noqa: S307 - course authors' edges


class Sizes:
    """The sizes an exercise allows: each a ``(low, high)`` range (both included) or a list of
    choices, and optionally ``where``, a test every drawn combination must pass."""

    def __init__(self, where=None, **ranges):
        if not ranges:
            raise ValueError("Sizes needs at least one size, e.g. Sizes(B=(1, 6))")
        self.ranges = ranges
        self.where = where

    def _one(self, rng, key):
        allowed = self.ranges[key]
        if isinstance(allowed, tuple) and len(allowed) == 2 and all(isinstance(v, int) for v in allowed):
            return rng.randint(*allowed)
        return rng.choice(list(allowed))

    def draw(self, rng, edge=""):
        """One combination: ``edge`` applied, the rest drawn until ``where`` accepts it."""
        sets = [part.split("=") for part in edge.split(",") if part.strip()]
        for names in sets:
            unknown = [n.strip() for n in names[:-1] if n.strip() not in self.ranges]
            if len(names) < 2 or unknown:
                raise ValueError(f"edge {edge!r}: write NAME=VALUE with NAME among {', '.join(self.ranges)}")
        for _ in range(_TRIES):
            values = {key: self._one(rng, key) for key in self.ranges}
            for names in sets:
                value = _value(names[-1].strip(), values)
                for name in names[:-1]:
                    values[name.strip()] = value
            if self.where is None or self.where(**values):
                return values
        raise ValueError(f"no sizes satisfy the check's conditions with edge {edge!r} after {_TRIES} draws")

    def cases(self, example=None, edges=(), draws=2, seed=None, name="the check", hint=""):
        """The cases to run: the example (if given), one per edge, then ``draws`` random ones."""
        rng = random.Random(seed)
        chosen = []
        if example is not None:
            chosen.append(Case(example, "the example above", name, hint, rng.random()))
        chosen.extend(Case(self.draw(rng, edge), f"edge case {edge}", name, hint, rng.random())
                      for edge in edges)
        chosen.extend(Case(self.draw(rng), "random sizes", name, hint, rng.random()) for _ in range(draws))
        return Cases(chosen, example is not None, len(edges), draws)


def made_then_moved(case, *made):
    """``made`` (tensors and modules made where torch makes them by default, the CPU) as they are,
    then, when the case runs elsewhere, copies moved to ``case.device``. Each comes with the words
    that name where it runs, for a failure's name: a learner's index out of range fails the first
    run as an IndexError they can read, before it could become a GPU's device-side assert."""
    here = next((m.device for m in made if isinstance(m, torch.Tensor)), torch.empty(0).device)
    yield "", made
    if here != case.device:
        yield f" on {case.device.type}", tuple(copy.deepcopy(m).to(case.device) for m in made)


def _gist(error):
    """An error's message in one line: its first line, which for torch holds the point (the rest
    is advice such as CUDA_LAUNCH_BLOCKING). einops puts the point last ("Shape mismatch, can't
    divide axis ..."), below its pattern, so its errors keep their last line too."""
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()] or [""]
    if type(error).__module__.split(".")[0] == "einops" and len(lines) > 1:
        return f"{lines[0]} ... {lines[-1]}"
    return lines[0]


class Cases:
    """The cases of one check, in order; ``str()`` says how many of each kind ran."""

    def __init__(self, cases, has_example, edges, draws):
        self._cases = cases
        self._parts = (["the example"] if has_example else []) + \
            ([f"{edges} edge case{'s' * (edges != 1)}"] if edges else []) + \
            ([f"{draws} random size{'s' * (draws != 1)}"] if draws else [])

    def __iter__(self):
        return iter(self._cases)

    def __len__(self):
        return len(self._cases)

    def __str__(self):
        if len(self._parts) < 2:
            return "".join(self._parts)
        return ", ".join(self._parts[:-1]) + " and " + self._parts[-1]


class Case(dict):
    """One combination of sizes, read as ``case.B`` or ``case["B"]``.

    Used as a context manager around a check: a failed check gains the sizes it failed with,
    and an error raised by the learner's code becomes a failed check that still shows the
    check's hint, with the original error beneath it. Inside it, torch draws from the case's
    own seed, and on leaving, the notebook's random state is put back as it was: a check's
    tensors repeat whatever ran before it, and the lesson after it prints the same numbers
    however many sizes the check tried.
    """

    def __init__(self, values, label, name="the check", hint="", seed=None):
        super().__init__(values)
        self.label, self.name, self.hint = label, name, hint
        self.rng = random.Random(seed)
        self.torch_seed = self.rng.getrandbits(63)

    def __getattr__(self, key):
        try:
            return self[key]
        except KeyError:
            raise AttributeError(f"this case has no size {key!r}; it has {', '.join(self)}") from None

    def describe(self):
        if not self:
            return self.label
        return ", ".join(f"{k}={v}" for k, v in self.items()) + f" ({self.label})"

    def __enter__(self):
        cuda = list(range(torch.cuda.device_count())) if torch.cuda.is_available() else []
        self._saved_rng = torch.random.fork_rng(devices=cuda)
        self._saved_rng.__enter__()
        torch.manual_seed(self.torch_seed)
        return self

    def __exit__(self, kind, error, tb):
        self._saved_rng.__exit__(None, None, None)
        if kind is None or not issubclass(kind, Exception):
            return False
        if isinstance(error, ShapeSchoolError):
            raise ShapeSchoolError(f"with {self.describe()}: {error}",
                                   **{"said": str(error), **error.parts, "case": self}) from None
        first = _gist(error)
        message = f"with {self.describe()}: {self.name}: expected it to run, got {kind.__name__}: {first}"
        if self.hint:
            message += f": {self.hint}"
        advice = gpu_advice(error)
        if advice:
            message += f"\n({advice})"
        raise ShapeSchoolError(f"{message}\n\nThe error was:\n{kind.__name__}: {error}", name=self.name,
                               hint=self.hint, case=self, raised=f"{kind.__name__}: {first}",
                               advice=advice) from error
