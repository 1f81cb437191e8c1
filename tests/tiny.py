"""A two-cell nbgrader course, and a kernel-less ``execute``, for the grader's fast unit tests.

The assignment ``a1`` has one answer cell (``x = ...``) and one test cell worth 2 points
(``assert x == 42``). ``run_cells`` runs a notebook's code cells with ``exec`` in one namespace,
recording an error output where a cell raises, as a kernel would: nbgrader scores its result
exactly as it scores a kernel's. No torch, no kernels, no sandbox.
"""
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output
from nbgrader.converters import GenerateAssignment
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config

from shapeschool_grader.course import Course

ASSIGNMENT = "a1"
POINTS = 2


def source_notebook():
    answer = new_code_cell("### BEGIN SOLUTION\nx = 42\n### END SOLUTION")
    answer.metadata["nbgrader"] = {"solution": True, "grade": False, "locked": False, "grade_id": "answer",
                                   "schema_version": 3}
    test = new_code_cell("assert x == 42")
    test.metadata["nbgrader"] = {"solution": False, "grade": True, "locked": True, "grade_id": "check",
                                 "points": POINTS, "schema_version": 3}
    nb = new_notebook(cells=[answer, test])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def config(root, db_url=None):
    c = Config()
    c.CourseDirectory.root = str(root)
    if db_url:
        c.CourseDirectory.db_url = db_url
    return c


def make_course(root, db_url=None):
    """Source, release and gradebook for ``a1`` in ``root``; returns the Course."""
    root = Path(root)
    (root / "source" / ASSIGNMENT).mkdir(parents=True)
    nbformat.write(source_notebook(), root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    course = Course(config(root, db_url))
    _generate(course)
    return course


def _generate(course):
    """nbgrader's own generate_assignment: the release, and the assignment in the gradebook."""
    coursedir = CourseDirectory(config=course.config)
    coursedir.assignment_id = ASSIGNMENT
    step = GenerateAssignment(coursedir=coursedir, config=course.config)
    step.force = True
    step.start()


def submit(course, student, answer="x = 42", assignment=ASSIGNMENT):
    """Hand in the release with its answer cell holding ``answer``."""
    nb = nbformat.read(course.root / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    nb.cells[0].source = answer
    folder = course.root / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{assignment}.ipynb")
    (folder / "timestamp.txt").write_text("2026-11-01 12:00:00.000000 UTC\n")
    return folder


@dataclass
class Ran:
    """What ``pool.KernelPool.execute`` returns (``execution.Outcome``), as far as the scheduler reads it."""
    notebook: nbformat.NotebookNode
    problem: str = None
    notes: list = field(default_factory=list)
    costs: dict = field(default_factory=dict)


def run_cells(nb, release=None, folder=None, source=None, delay=0.0):
    """Execute ``nb``'s code cells in order with ``exec``; an exception becomes an error output."""
    namespace = {}
    for count, cell in enumerate((c for c in nb.cells if c.cell_type == "code"), start=1):
        cell.outputs, cell.execution_count = [], count
        try:
            exec(compile(cell.source, f"<cell {count}>", "exec"), namespace)
        except Exception as exc:
            cell.outputs.append(new_output("error", ename=type(exc).__name__, evalue=str(exc),
                                           traceback=traceback.format_exception_only(type(exc), exc)))
    if delay:
        time.sleep(delay)
    return Ran(nb)


class Kernels:
    """Stands where ``pool.KernelPool`` stands in ``ShapeSchoolGrader.kernels``."""

    limits_warning = None
    skipped = {}   # modules the kernel server could not preload

    def __init__(self, execute=run_cells):
        self.execute = execute
        self.ran = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass


def make_gradebook_again(course):
    """The assignment in a new, empty gradebook (as ``nbgrader generate_assignment`` after a deleted one)."""
    _generate(course)
    course.__dict__.pop("assignments", None)


def grade_in_process(*argv, cwd, execute=run_cells):
    """``shapeschool-grade ARGV`` run in this process from ``cwd``, with kernel-less ``Kernels``
    running notebooks with ``execute``; returns the app and its exit code."""
    import os

    from shapeschool_grader import app

    class Grader(app.ShapeSchoolGrader):
        def kernels(self, size, sandboxed, preloaded=()):
            return Kernels(execute)

    old = os.getcwd()
    os.chdir(cwd)
    try:
        grader = Grader()
        grader.initialize(list(argv))
        try:
            grader.start()
        except SystemExit as stopped:
            return grader, stopped.code
        raise AssertionError("shapeschool-grade returned without exiting")
    finally:
        os.chdir(old)
