"""The other right answers a passing check shows, made from the fix catalogue.

For each exercise: the answer key's own fix (its solution region in course/) and the catalogued
right fixes that say why they work (``right(..., because=...)`` in tests/fixes/CHAPTER.py).
``make generate`` writes them to shapeschool/chapters/answers.py, which the learners' package
reads after a check passes; ``make test`` fails when that file drifts from the catalogue.
"""
import importlib
import pprint
import sys
import textwrap

import nbformat

from . import markers

PATH = "shapeschool/chapters/answers.py"
MOST = 3            # other answers shown after a pass
LONGEST = 12        # lines: a longer fix is not shown


def _solution(source):
    lines = source.split("\n")
    (begin, end), = markers._regions(lines, markers.BEGIN_SOLUTION, markers.END_SOLUTION)
    return textwrap.dedent("\n".join(lines[begin + 1:end])).strip("\n")


def chapter_answers(repo, path):
    """{grade_id: {"reference": code, "others": [(code, because), ...]}} for one chapter."""
    if str(repo / "tests") not in sys.path:
        sys.path.insert(0, str(repo / "tests"))
    try:
        catalogue = importlib.import_module(f"fixes.{path.stem}").FIXES
    except ModuleNotFoundError:
        return {}
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nbformat.read(path, as_version=4).cells}
    found = {}
    for gid, fixes in catalogue.items():
        others = [(fix.code, fix.because) for fix in fixes
                  if fix.right and fix.because and fix.code.count("\n") < LONGEST][:MOST]
        if others and gid in cells:
            found[gid] = {"reference": _solution(cells[gid].source), "others": others}
    return found


def render(repo):
    answers = {}
    for path in sorted((repo / "course").glob("*.ipynb")):
        found = chapter_answers(repo, path)
        if found:
            answers[path.stem[:4]] = found
    return ('"""Other right answers for each exercise, shown after its check passes. Made by `make generate`\n'
            'from tests/fixes/ (the right fixes that say `because`) and the answers in course/: do not edit."""\n'
            f"ANSWERS = {pprint.pformat(answers, width=110, sort_dicts=False)}\n")
