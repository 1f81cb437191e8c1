"""Run a script, or a module, with the shape doctor on, as ``python -m pdb`` runs one under the
debugger:

    python -m shapeschool.doctor train.py --epochs 3
    python -m shapeschool.doctor -m mypackage.train --epochs 3

The program runs as it would alone (its ``sys.argv``, its folder first on ``sys.path``, named
``__main__``); a shape error it raises is printed as Python prints it, with the doctor's account
under the traceback, and the exit status is Python's own (1, or the program's ``sys.exit``).
"""
import os
import runpy
import sys
import traceback

USAGE = """usage: python -m shapeschool.doctor SCRIPT.py [ARGS...]
       python -m shapeschool.doctor -m MODULE [ARGS...]

Runs SCRIPT.py (or MODULE) with the shape doctor on; a shape error gets the doctor's account
under its traceback."""


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE, file=sys.stderr if not argv else sys.stdout)
        return 2 if not argv else 0
    as_module = argv[0] == "-m"
    if as_module:
        if len(argv) < 2:
            print("python -m shapeschool.doctor -m needs a module name, e.g. -m mypackage.train", file=sys.stderr)
            return 2
        target, args = argv[1], argv[2:]
    else:
        target, args = argv[0], argv[1:]
        if not os.path.isfile(target):
            print(f"python -m shapeschool.doctor: no script {target!r}: give the path of a .py file, "
                  "or -m and a module name", file=sys.stderr)
            return 2
        target = os.path.abspath(target)

    from . import Session
    sys.argv = [target] + args
    if not as_module:
        sys.path[0] = os.path.dirname(target)
    try:
        with Session():
            if as_module:
                runpy.run_module(target, run_name="__main__", alter_sys=True)
            else:
                runpy.run_path(target, run_name="__main__")
    except SystemExit:
        raise
    except BaseException as exc:       # printed as Python would, from the program's own frames
        tb = exc.__traceback__
        while tb is not None and _ours(tb.tb_frame.f_code.co_filename):
            tb = tb.tb_next
        traceback.print_exception(type(exc), exc, tb or exc.__traceback__)
        return 130 if isinstance(exc, KeyboardInterrupt) else 1
    return 0


def _ours(filename):
    return filename == __file__ or filename == runpy.__file__ or filename.startswith("<frozen runpy")


if __name__ == "__main__":
    sys.exit(main())
