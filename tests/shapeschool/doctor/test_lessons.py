"""Is every section the doctor sends a learner to a heading of the course's notebook?"""
import nbformat
import pytest

from shapeschool.doctor.lessons import CHAPTERS, LESSONS, where


@pytest.mark.parametrize("key", sorted(LESSONS))
def test_the_heading_is_in_the_chapter(repo, key):
    chapter, heading = LESSONS[key]
    nb = nbformat.read(repo / "course" / f"{CHAPTERS[chapter]}.ipynb", as_version=4)
    headings = {line.lstrip("#").strip() for cell in nb.cells if cell.cell_type == "markdown"
                for line in cell.source.splitlines() if line.startswith("#")}
    assert heading in headings, f"course/{CHAPTERS[chapter]}.ipynb has no heading {heading!r}"


def test_where_names_the_chapter_and_file():
    assert where("state_rule") == ('Chapter 3, "1. The rule: one state per layer per direction" '
                                   "(course/ch03_states_of_stacked_lstms.ipynb)")


def test_every_rule_that_names_a_lesson_names_a_known_one():
    import re
    from pathlib import Path

    from shapeschool.doctor import rules
    source = "".join(p.read_text() for p in Path(rules.__file__).parent.glob("*.py"))
    named = set(re.findall(r'"(\w+)", (?:True|False)(?:, \()?', source))
    assert named <= set(LESSONS) | {"None"}, named - set(LESSONS)
