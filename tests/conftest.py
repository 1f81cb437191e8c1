"""Shared paths and notebook helpers for the test suite."""
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
    """Print what the fix catalogue measured (tests/shapeschool_grader/test_fixes.py), when it ran."""
    fixes = sys.modules.get("fixes")
    for line in getattr(fixes, "SUMMARY", []):
        terminalreporter.write_line(line)
