"""Does the course know when nbgrader runs it, and only then?"""
import pytest

from shapeschool import grading


@pytest.mark.parametrize("value, expected", [(None, False), ("", False), ("1", False), ("autograde", True),
                                             ("validate", True), (" Autograde\n", True)])
def test_being_graded_reads_what_nbgrader_sets(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv(grading.VARIABLE, raising=False)
    else:
        monkeypatch.setenv(grading.VARIABLE, value)
    assert grading.being_graded() is expected
