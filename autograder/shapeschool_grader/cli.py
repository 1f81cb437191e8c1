"""The ``shapeschool-grade`` command: a clear message where the grader's dependencies are missing."""
import importlib.util
import sys

MISSING = ("shapeschool-grade needs the grader's dependencies (nbgrader and its kernels), which a plain "
           "`pip install shapeschool` leaves out: install them with pip install \"shapeschool[grader]\" "
           "(from a checkout: pip install \".[grader]\")")


def main(argv=None):
    missing = [name for name in ("nbgrader", "nbclient", "ipykernel") if importlib.util.find_spec(name) is None]
    if missing:
        print(f"{MISSING}; not installed: {', '.join(missing)}", file=sys.stderr)
        return 2
    from .app import main as grade

    return grade(argv)
