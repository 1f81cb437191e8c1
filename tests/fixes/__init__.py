"""Catalogues of plausible fixes for every fix-me cell, written as learners write them.

``tests/fixes/CHAPTER.py`` holds ``FIXES``: for each fix-me cell's grade_id, the wrong fixes the
checks must reject (favouring those that keep the right shape) and the other correct fixes they
must accept. A fix's code replaces the cell's solution region (the lines a learner edits), at the
region's indentation, or with ``cell=True`` the whole cell.
"""
import ast
import dataclasses
import importlib
import textwrap

from shapeschool_nbgrader import markers

# Lines the test run prints at its end (conftest's terminal summary): the catch rates.
SUMMARY = []


@dataclasses.dataclass(frozen=True)
class Fix:
    right: bool
    why: str
    code: str
    cell: bool = False
    because: str = ""       # for a right fix: one line on why it works, shown after a pass
    hint: str = ""          # for a wrong fix: the chapter module's Hint that names its mistake


def wrong(why, code, cell=False, hint=""):
    """A wrong fix. ``hint`` names, in the chapter's module (shapeschool/chapters/chNN.py), the
    Hint constant whose words describe this fix's mistake, chosen by reading the hints, not by
    running the fix: the class report must put the fix in that hint's group
    (tests/shapeschool_grader/test_class_report.py)."""
    return Fix(False, why, textwrap.dedent(code).strip("\n"), cell, hint=hint)


def right(why, code, cell=False, because=""):
    """A correct fix. With ``because``, a passing check shows it to the learner as another right
    answer (``make generate`` copies it into shapeschool/chapters/answers.py)."""
    return Fix(True, why, textwrap.dedent(code).strip("\n"), cell, because)


def catalogue(chapter):
    """{grade_id: [Fix, ...]} for one chapter."""
    return importlib.import_module(f"fixes.{chapter}").FIXES


def fixed_source(source, fix):
    """The fix-me cell from course/ as a learner leaves it after trying ``fix``."""
    if fix.cell:
        return fix.code
    lines = source.split("\n")
    begins = [i for i, line in enumerate(lines) if line.strip() == markers.BEGIN_SOLUTION]
    ends = [i for i, line in enumerate(lines) if line.strip() == markers.END_SOLUTION]
    assert len(begins) == len(ends) == 1, "a fix replaces the one solution region of its cell"
    indent = lines[begins[0]][:len(lines[begins[0]]) - len(lines[begins[0]].lstrip())]
    body = [indent + line if line.strip() else "" for line in fix.code.split("\n")]
    return markers.answer_source("\n".join(lines[:begins[0] + 1] + body + lines[ends[0]:]))


def defined_names(source):
    """Top-level functions and classes a cell defines: what a fix must define afresh."""
    return sorted(node.name for node in ast.parse(source).body
                  if isinstance(node, (ast.FunctionDef, ast.ClassDef)))
