"""Keeping backend performance notices out of lessons and test cells.

Some CPU builds of PyTorch print a UserWarning that projected LSTMs (proj_size > 0) fall back
from oneDNN to the default implementation. It changes no result, and in a graded cell any
output on stderr scores 0, so the course silences that notice, and only that one.
"""
import contextlib
import warnings

BACKEND_NOTICES = (
    r".*not supported with oneDNN.*",
)


@contextlib.contextmanager
def no_backend_notices():
    """Ignore PyTorch's backend performance notices inside the block; other warnings still show."""
    with warnings.catch_warnings():
        for pattern in BACKEND_NOTICES:
            warnings.filterwarnings("ignore", message=pattern, category=UserWarning)
        yield
