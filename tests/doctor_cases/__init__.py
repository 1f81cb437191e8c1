"""The shape doctor's catalogue: broken models and steps, each a real mistake, with what the doctor
must say about it.

- ``errors.py``: mistakes that raise. The doctor must name the module (its path) and the cause.
- ``silent.py``: mistakes that raise nothing. ``doctor.check`` must report them, naming where.
- ``correct.py``: correct models (the course's answer keys and a few standard ones), on which
  ``doctor.check`` must report nothing.

Each case says where it comes from: a fix-me cell of the course rewritten as a stand-alone model
("ch03 zero_state"), a mistake people ask about ("question"), or, in ``asked_*.py``, a public
question's address: those cases are reconstructed from the poster's own layers, sizes and calls
(rewritten, not copied), and say in ``truth`` what the thread found the cause to be.
"""
from dataclasses import dataclass, field
from typing import Callable

SUMMARY = {}          # lines the doctor's tests print at the end of the run, by test module
COURSE = {}           # chapter -> (named, seeable, errors): tests/shapeschool/doctor/test_on_the_course.py


@dataclass
class Raises:
    name: str
    source: str                    # "ch01 make_embedding", or "question"
    run: Callable[[], None]        # runs the broken step; it raises
    path: str                      # the module path the doctor must name ("" outside any module)
    causes: tuple                  # the cause ids that are right
    sizes: tuple = None            # the two sizes that disagree, (expected, got), where it has them
    truth: str = ""                # the real cause in one sentence (questions: as the thread settled it)


@dataclass
class Silent:
    name: str
    source: str
    setup: Callable[[], dict]      # -> keyword arguments for doctor.check (model, example_input, ...)
    path: str                      # where the finding must point
    kinds: tuple                   # the finding kinds that are right
    note: str = ""
    truth: str = ""


@dataclass
class Correct:
    name: str
    setup: Callable[[], dict]
    tags: tuple = field(default_factory=tuple)
    source: str = ""               # where a correct model from a question comes from


class Asked:
    """The registrars a catalogue of questions (``asked_*.py``) writes its cases with:

        asked = Asked()
        CASES, SILENT, CORRECT = asked.raising, asked.silent_cases, asked.correct_models

        @asked.raises("https://github.com/...", "model.lstm", "state_batch", sizes=(4, 64), truth="...")
        def the_mistake(): ...
    """

    def __init__(self):
        self.raising, self.silent_cases, self.correct_models = [], [], []

    def raises(self, source, path, causes, sizes=None, truth=""):
        def register(run):
            self.raising.append(Raises(run.__name__, source, run, path, tuple(causes.split()), sizes, truth))
            return run
        return register

    def silent(self, source, path, kinds, truth=""):
        def register(setup):
            self.silent_cases.append(Silent(setup.__name__, source, setup, path, tuple(kinds.split()), "", truth))
            return setup
        return register

    def correct(self, source):
        def register(setup):
            self.correct_models.append(Correct(setup.__name__, setup, (), source))
            return setup
        return register


def drawn_ids(shape, vocab, low=0, seed=0):
    """Ids in [low, vocab) drawn from a local generator (nothing global is seeded)."""
    import torch
    return torch.randint(low, vocab, shape, generator=torch.Generator().manual_seed(seed))


def drawn(*shape, seed=0):
    """Uniform [0, 1) values from a local generator."""
    import torch
    return torch.rand(*shape, generator=torch.Generator().manual_seed(seed))


def drawn_normal(*shape, seed=0):
    """Standard normal values from a local generator."""
    import torch
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


# The catalogue's modules: the course's own mistakes, then the ones reconstructed from questions.
MODULES = ("errors", "silent", "correct", "asked_sequence", "asked_tensors", "asked_holdout", "asked_fresh", "asked_third", "asked_fourth", "asked_fifth", "asked_sixth", "asked_seventh")


def _modules():
    import importlib
    found = []
    for name in MODULES:
        try:
            found.append(importlib.import_module(f"{__name__}.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
    return found


def every(kind):
    """Every case of ``kind`` (Raises, Silent or Correct) in the catalogue, in module order."""
    cases = []
    for module in _modules():
        for attr in ("CASES", "SILENT", "CORRECT"):
            cases += [c for c in getattr(module, attr, []) if isinstance(c, kind)]
    return cases
