"""Shared paths, fixtures and notebook helpers for the test suite."""
import os
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

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
    catalogue (tests/shapeschool/doctor/test_catalogue.py) measured, when they ran."""
    for name in ("fixes", "doctor_cases"):
        lines = getattr(sys.modules.get(name), "SUMMARY", [])
        for line in lines.values() if isinstance(lines, dict) else lines:
            terminalreporter.write_line(line)


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
