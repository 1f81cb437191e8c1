"""Shared paths, fixtures and notebook helpers for the test suite."""
import os
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# An error in the shape doctor's own code (a rule, a hook) is dropped for a learner, whose error
# matters more; under test it surfaces, here and in the kernels the tests start.
os.environ["SHAPESCHOOL_DOCTOR_STRICT"] = "1"

CHAPTERS = sorted(p.stem for p in (REPO / "course").glob("*.ipynb"))


@pytest.fixture(scope="session")
def repo():
    return REPO


def pytest_generate_tests(metafunc):
    if "chapter" in metafunc.fixturenames:
        metafunc.parametrize("chapter", CHAPTERS, scope="module")

# Fixture notebooks are data for the tests, not notebooks for nbval to run.
collect_ignore_glob = ["fixtures/*"]


def pytest_terminal_summary(terminalreporter):
    """Print what the fix catalogue (tests/shapeschool_grader/test_fixes.py) and the shape doctor's
    catalogue (tests/shapeschool/doctor/test_catalogue.py) measured, when they ran, and how long
    each answer key's cells took under nbval."""
    for name in ("fixes", "doctor_cases"):
        lines = getattr(sys.modules.get(name), "SUMMARY", [])
        for line in lines.values() if isinstance(lines, dict) else lines:
            terminalreporter.write_line(line)
    for line in PACE:
        terminalreporter.write_line(line)


# -- a chapter's pace: its cells, top to bottom, within ten seconds on a 2-core CPU -----------
# nbval runs each answer key in solutions/ cell by cell; the sum of its cells' run times is what a
# learner waits for, apart from the kernel's start and the cells that train (chapter 6's
# `training`, which says how long it takes). Over the limit, the run fails, saying which chapter.
PACE_LIMIT_S = 10.0
PACE_EXEMPT = {"training"}          # grade_ids of cells that train a model
PACE = []
_nbval_cells = {}                   # nodeid: (chapter, counted)


def pytest_collection_modifyitems(items):
    for item in items:
        cell = getattr(item, "cell", None)
        if cell is not None and item.nodeid.startswith("solutions/"):
            gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            _nbval_cells[item.nodeid] = (item.nodeid.split("/")[1].split(".")[0], gid not in PACE_EXEMPT)


def pytest_sessionfinish(session):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or not _nbval_cells:
        return
    seconds = {}
    for report in reporter.stats.get("passed", []):
        chapter, counted = _nbval_cells.get(report.nodeid, (None, False))
        if counted and report.when == "call":
            seconds[chapter] = seconds.get(chapter, 0.0) + report.duration
    for chapter, total in sorted(seconds.items()):
        slow = total > PACE_LIMIT_S
        PACE.append(f"{chapter}: its cells ran in {total:.1f} s under nbval"
                    + (f", over the {PACE_LIMIT_S:.0f} s a chapter may take: make it faster" if slow else ""))
        if slow:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


# -- the grader's unit tests: a two-cell course (tests/shapeschool_grader/tiny.py) -------------
@pytest.fixture
def alembic_on_path(monkeypatch):
    """nbgrader runs `alembic` by name to create a gradebook: the one beside this interpreter."""
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))


@pytest.fixture(scope="session")
def tiny_template(tmp_path_factory):
    import tiny

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
        return tiny.make_course(tmp_path_factory.mktemp("tiny") / "course").root


@pytest.fixture
def tiny_course(tiny_template, tmp_path, alembic_on_path):
    """A fresh copy of the two-cell course, with no submissions."""
    import tiny

    shutil.copytree(tiny_template, tmp_path / "course")
    return tiny.Course(tiny.config(tmp_path / "course"))


# -- a graded class: the fix catalogue handed in (tests/fixes/handed_in.py) ----------------------
@pytest.fixture(scope="session")
def fix_class(tmp_path_factory):
    """Every catalogued fix of every chapter, and each answer key, handed in and graded once by
    shapeschool-grade, with the class report and the LMS exports asked for (about five minutes).
    ``.course``, ``.handed`` ({(chapter, student): HandedIn}), ``.run`` (the finished process),
    ``.report`` and ``.exports`` (what it wrote)."""
    from types import SimpleNamespace

    import hostile
    from fixes import handed_in
    from nbgrader.api import Gradebook
    from shapeschool_grader import benchmark

    root = tmp_path_factory.mktemp("fix-class")
    course, releases = benchmark.make_course(root / "course", [REPO / "course" / f"{c}.ipynb" for c in CHAPTERS])
    handed = handed_in.the_class(course, releases, CHAPTERS)
    # and one student whose name and error are HTML that would run if the report rendered it
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.update_or_create_student("mallory-html", first_name=hostile.HOSTILE_HTML, last_name="<b>M</b>")
    handed_in.hand_in(course, hostile.corpus.CHAPTER, "mallory-html", releases[hostile.corpus.CHAPTER],
                      {}, notebook=hostile.html_in_its_error())
    report, exports = root / "class-report.html", root / "exports"
    run = benchmark.grade(course, "--jobs", "3", "--report", str(report), "--exports", str(exports))
    return SimpleNamespace(course=course, handed=handed, run=run, report=report, exports=exports,
                           hostile="mallory-html")


# -- the course's website, built once (tests/shapeschool_site, tests/browser/test_site.py) -------
@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The website built from this checkout as ``make site`` builds it: ``source`` (the pages'
    sources and the demonstrations' logs), ``html`` (the site) and ``seconds`` (the build's time)."""
    import time
    import types

    from shapeschool_site import __main__ as site_build
    from shapeschool_site import book

    out = tmp_path_factory.mktemp("site")
    started = time.monotonic()
    site_build.make_sources(REPO, out)
    html = book.build(out)
    return types.SimpleNamespace(source=out, html=html, seconds=time.monotonic() - started)
