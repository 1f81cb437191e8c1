"""The other right answers a passing check shows, made from the fix catalogue.

For each exercise: the answer key's own fix (its solution region in course/) and the catalogued
right fixes that say why they work (``right(..., because=...)`` in tests/fixes/CHAPTER.py).
``make generate`` writes them to shapeschool/chapters/answers.py, which the learners' package
reads after a check passes; ``make test`` fails when that file drifts from the catalogue.
"""
import importlib.util
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


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path, submodule_search_locations=None)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _catalogue(repo, stem):
    """tests/fixes/STEM.py's FIXES, or None. The catalogue imports its helpers as the package
    ``fixes``: the one already imported (under pytest) or tests/fixes/ of ``repo``."""
    folder = repo / "tests" / "fixes"
    if not (folder / f"{stem}.py").exists():
        return None
    if "fixes" not in sys.modules:
        _load("fixes", folder / "__init__.py")
    return _load(f"fixes.{stem}", folder / f"{stem}.py").FIXES


def chapter_answers(repo, path):
    """{grade_id: {"reference": code, "others": [(code, because), ...]}} for one chapter."""
    catalogue = _catalogue(repo, path.stem)
    if catalogue is None:
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
