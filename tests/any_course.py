"""An nbgrader course that is not Shape School's, for checking that ``shapeschool-grade`` grades
any course as ``nbgrader autograde`` does.

Made by code, after reading the kinds of notebook nbgrader's own tests grade (its repository's
``nbgrader/tests/apps/files/``), none copied: plain Python and the standard library only (no
torch), notebooks of nbformat 4.0 without cell ids and 4.5 with them, a data file beside the
notebooks, a notebook that writes a file and reads it back, a manually graded answer and a
task, hidden tests, an ``### AUTOTEST`` cell with the course's ``autotests.yml``, a test cell
left unlocked, a cell that outlives a non-default timeout, and the course's own preprocessor.

    course = make(tmp_path / "course")           # source, config, autotests.yml, gradebook
    generate(course)                             # nbgrader generate_assignment ps1
    submit(course, "alice", ANSWERS["right"])     # STUDENT's filled-in release in submitted/
"""
import shutil
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from shapeschool_nbgrader import nbgrader_cli

ASSIGNMENT = "ps1"
TIMEOUT = 4   # seconds a cell may run: not nbgrader's default of 30

def config():
    """The course's nbgrader_config.py: a timeout of its own, a stub of its own, and its own
    preprocessor after nbgrader's autograde steps."""
    return (f"c = get_config()\n"
            f"c.CourseDirectory.course_id = 'anycourse'\n"
            f"c.Execute.timeout = {TIMEOUT}\n"
            f"import os, sys\n"
            f"sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))\n"
            f"from course_steps import StampGraded\n"
            f"from nbgrader.converters import Autograde\n"
            f"c.Autograde.autograde_preprocessors = (\n"
            f"    list(Autograde.class_traits()['autograde_preprocessors'].default()) + [StampGraded])\n")


# A preprocessor of the course's own, run by nbgrader after execution (as a course might to tag
# its graded notebooks): it must run under both graders, and change the same things.
COURSE_STEPS = '''from nbgrader.preprocessors import NbGraderPreprocessor


class StampGraded(NbGraderPreprocessor):
    def preprocess(self, nb, resources):
        nb.metadata["anycourse"] = {"graded_cells": sum(1 for c in nb.cells if c.cell_type == "code")}
        return nb, resources
'''

AUTOTESTS = '''python3:
    setup: "from hashlib import sha1"
    hash: 'sha1({{snippet}}.encode("utf-8")+b"{{salt}}").hexdigest()'
    dispatch: "type({{snippet}})"
    normalize: "str({{snippet}})"
    check: 'assert {{snippet}} == """{{value}}""", """{{message}}"""'
    success: "print('Success!')"
    templates:
        default:
            - test: "type({{snippet}})"
              fail: "the type of {{snippet}} is not right"
            - test: "{{snippet}}"
              fail: "the value of {{snippet}} is not right"
'''


def _meta(cell, grade_id, solution=False, grade=False, locked=False, points=None, task=False):
    cell.metadata["nbgrader"] = {"grade_id": grade_id, "solution": solution, "grade": grade, "locked": locked,
                                 "schema_version": 3, "task": task, **({"points": points} if points is not None else {})}
    return cell


def _notebook(cells, minor):
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.nbformat_minor = minor
    if minor < 5:
        for cell in nb.cells:
            cell.pop("id", None)
    return nb


def squares():
    """nbformat 4.0, no cell ids: an answer, visible and hidden tests, a written answer, a task."""
    return _notebook([
        new_markdown_cell("Write `squares(n)`: the squares of 1 to n, in a list."),
        _meta(new_code_cell("def squares(n):\n    ### BEGIN SOLUTION\n    return [i * i for i in range(1, n + 1)]\n"
                            "    ### END SOLUTION"), "squares", solution=True),
        _meta(new_code_cell("assert squares(3) == [1, 4, 9]\nprint('visible test passed')\n"
                            "### BEGIN HIDDEN TESTS\nassert squares(1) == [1]\nassert squares(0) == []\n"
                            "### END HIDDEN TESTS"), "squares_tests", grade=True, locked=True, points=3),
        _meta(new_markdown_cell("Why is a list comprehension enough here?"), "why_description", locked=True),
        _meta(new_markdown_cell("YOUR ANSWER HERE"), "why", solution=True, grade=True, points=2),
        _meta(new_markdown_cell("Say what a plot of the squares would show.\n\n=== BEGIN MARK SCHEME ===\n"
                                "A parabola's points.\n=== END MARK SCHEME ==="), "task", task=True, points=1, locked=True),
        _meta(new_code_cell("import math\nprint(math.fsum(squares(10)))"), "uses_squares", grade=True, locked=True,
              points=1),
    ], minor=0)


def data():
    """nbformat 4.5 with ids: a data file beside the notebook, a file written and read back, the
    environment nbgrader gives, and a test cell left unlocked."""
    return _notebook([
        new_markdown_cell("`numbers.csv` lies beside this notebook."),
        new_code_cell("import csv\nwith open('numbers.csv') as f:\n    rows = [int(r[0]) for r in csv.reader(f)]\n"
                      "print(len(rows), 'rows')"),
        _meta(new_code_cell("### BEGIN SOLUTION\ntotal = sum(rows)\n### END SOLUTION"), "total", solution=True),
        _meta(new_code_cell("with open('numbers.csv') as f:\n    assert total == sum(int(line) for line in f)"),
              "total_tests", grade=True, locked=True, points=2),
        new_code_cell("with open('side-effect.txt', 'w') as f:\n    f.write(str(total))\n"
                      "print(open('side-effect.txt').read())"),
        _meta(new_code_cell("import os\nprint(os.environ.get('NBGRADER_EXECUTION'))\nassert total > 0"),
              "unlocked_test", grade=True, points=1),
    ], minor=5)


def slow():
    """A cell that runs past the course's timeout, and the cells after it."""
    return _notebook([
        _meta(new_code_cell("import time\n### BEGIN SOLUTION\nwait = 0\n### END SOLUTION\ntime.sleep(wait)\nfinished = True"),
              "wait", solution=True),
        _meta(new_code_cell("assert finished"), "finished_tests", grade=True, locked=True, points=1),
        _meta(new_code_cell("print('after the slow cell')\nassert 1 + 1 == 2"), "after", grade=True, locked=True,
              points=1),
    ], minor=4)


def autotest():
    """An ``### AUTOTEST`` cell, which generate_assignment turns into hashed tests."""
    return _notebook([
        _meta(new_code_cell("### BEGIN SOLUTION\nanswer = 42\nword = 'shape'\n### END SOLUTION"), "values",
              solution=True),
        _meta(new_code_cell("### AUTOTEST answer; word"), "values_tests", grade=True, locked=True, points=2),
    ], minor=5)


NOTEBOOKS = {"squares": squares, "data": data, "slow": slow, "autotest": autotest}

# What each kind of student writes in each answer cell (by grade_id); cells not named keep the
# release's stub ("raise NotImplementedError()", "YOUR ANSWER HERE").
ANSWERS = {
    "right": {"squares": "def squares(n):\n    return [i ** 2 for i in range(1, n + 1)]",
              "why": "A comprehension walks the range once.",
              "total": "total = sum(rows)", "wait": "import time\nwait = 0\ntime.sleep(wait)\nfinished = True",
              "values": "answer = 42\nword = 'shape'"},
    "wrong": {"squares": "def squares(n):\n    return [i * i for i in range(n)]",
              "total": "total = len(rows)", "wait": "import time\nwait = 3 * {timeout}\ntime.sleep(wait)\nfinished = True",
              "values": "answer = '42'\nword = 'shape'"},
    "blank": {},
    "noisy": {"squares": "import sys\nprint('debugging', file=sys.stderr)\n"
                         "def squares(n):\n    return [i * i for i in range(1, n + 1)]",
              "total": "total = sum(rows)\nimport os\nos.makedirs('out', exist_ok=True)\nos.chdir('out')",
              "values": "answer = 42\nword = 'Shape'"},
}


def make(root):
    """The course's folder: config, source/ps1 with its notebooks and data, autotests.yml."""
    root = Path(root)
    source = root / "source" / ASSIGNMENT
    source.mkdir(parents=True)
    (root / "nbgrader_config.py").write_text(config())
    (root / "course_steps.py").write_text(COURSE_STEPS)
    (root / "autotests.yml").write_text(AUTOTESTS)
    for name, make_notebook in NOTEBOOKS.items():
        nbformat.write(make_notebook(), source / f"{name}.ipynb", version=4)
    (source / "numbers.csv").write_text("".join(f"{n}\n" for n in (3, 1, 4, 1, 5, 9, 2, 6)))
    return root


def generate(course):
    return nbgrader_cli.run(course, "generate_assignment", ASSIGNMENT, "--force")


def submit(course, student, answers):
    """Hand in the release of every notebook with ``answers`` (grade_id -> source) filled in."""
    folder = Path(course) / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    release = Path(course) / "release" / ASSIGNMENT
    for path in release.glob("*.ipynb"):
        with open(path) as f:
            raw = f.read()
        nb = nbformat.reads(raw, as_version=nbformat.NO_CONVERT)
        for cell in nb.cells:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if grade_id in answers:
                cell.source = answers[grade_id].format(timeout=TIMEOUT)
        nbformat.write(nb, folder / path.name, version=nbformat.NO_CONVERT)
    for path in release.iterdir():
        if path.suffix != ".ipynb":
            shutil.copy(path, folder / path.name)
    (folder / "timestamp.txt").write_text("2026-11-30 09:00:00.000000 UTC\n")
    return folder
