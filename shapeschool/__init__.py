"""Shape School helpers: checks that teach, device choice, and pictures of tensor axes.

    import shapeschool as ss
    DEVICE = ss.pick_device()
    ss.expect_shape(h0, (4, 8, 32), name="h0", hint="h0 needs num_layers * num_directions rows")
"""
from . import doctor
from .cases import Case, Sizes
from .checks import (TOLERANCES, expect_close, expect_dtype, expect_equal, expect_shape,
                     expect_tensor, fail, tolerance_for)
from .demos import raises, runs
from .device import pick_device, seed_everything
from .errors import ShapeSchoolError
from .flows import Stage
from .grading import being_graded
from .hints import Hint, hint

__version__ = "0.1.0"


def load_ipython_extension(ipython):
    """``%load_ext shapeschool``: the shape doctor on for this session."""
    from .doctor import extension
    extension.load(ipython)


def unload_ipython_extension(ipython):
    from .doctor import extension
    extension.unload(ipython)

__all__ = [
    "Case", "ShapeSchoolError", "Sizes", "TOLERANCES", "Stage", "being_graded", "doctor", "expect_close", "expect_dtype", "expect_equal",
    "expect_shape", "expect_tensor", "fail", "Hint", "hint", "pick_device", "raises", "runs", "seed_everything",
    "tolerance_for",
]
