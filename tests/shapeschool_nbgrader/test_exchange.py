"""The university path, end to end with the real nbgrader commands and a temporary exchange:
release, fetch and submit as two students, collect, autograde, feedback both ways, export.
Are the scores right, and does each student receive only their own feedback?"""
import csv
import html
import re
import shutil

import pytest

from shapeschool_nbgrader import nbgrader_cli
from conftest import CHAPTERS
from notebooks import graded_cells, hidden_lines_shown, load, nbgrader_meta

pytestmark = pytest.mark.slow

CHAPTER = CHAPTERS[0]
STUDENTS = {"alice": "solutions", "bob": "exercises"}   # alice hands in the answer key, bob changes nothing


@pytest.fixture(scope="module")
def cycle(tmp_path_factory, repo):
    root = tmp_path_factory.mktemp("exchange-cycle")
    exchange = root / "exchange"
    exchange.mkdir()
    course = nbgrader_cli.make_course(root / "instructor")
    with open(course / "nbgrader_config.py", "a") as config:
        config.write(f"c.Exchange.root = {str(exchange)!r}\n")
    name = nbgrader_cli.add_source(course, repo / "course" / f"{CHAPTER}.ipynb")
    nbgrader_cli.generate_assignment(course, name)
    nbgrader_cli.run(course, "release_assignment", name)

    def as_student(student, *args):
        home = root / student
        home.mkdir(exist_ok=True)
        return nbgrader_cli.run(home, *args, "--course", "shapeschool", f"--Exchange.root={exchange}",
                                f"--Exchange.cache={home / '.cache'}", f"--student={student}")

    for student, folder in STUDENTS.items():
        as_student(student, "fetch_assignment", name)
        fetched = root / student / name / f"{name}.ipynb"
        assert fetched.read_text() == (repo / "exercises" / f"{name}.ipynb").read_text()
        shutil.copyfile(repo / folder / f"{name}.ipynb", fetched)
        as_student(student, "submit", name)

    nbgrader_cli.run(course, "collect", name)
    nbgrader_cli.run(course, "autograde", name, "--create")
    nbgrader_cli.run(course, "generate_feedback", name)
    nbgrader_cli.run(course, "release_feedback", name)
    for student in STUDENTS:
        as_student(student, "fetch_feedback", name)
    nbgrader_cli.run(course, "export", "--to", str(root / "grades.csv"))
    return root, name


def test_export_has_full_marks_for_the_answer_key_and_none_for_the_untouched(cycle):
    root, name = cycle
    rows = {r["student_id"]: r for r in csv.DictReader(open(root / "grades.csv")) if r["assignment"] == name}
    maximum = sum(nbgrader_meta(c)["points"] for c in graded_cells(load("course", name)))
    assert float(rows["alice"]["score"]) == float(rows["alice"]["max_score"]) == maximum
    assert float(rows["bob"]["score"]) == 0


def test_each_student_receives_only_their_own_feedback(cycle):
    root, name = cycle
    maximum = sum(nbgrader_meta(c)["points"] for c in graded_cells(load("course", name)))
    expected_total = {"alice": maximum, "bob": 0}
    for student in STUDENTS:
        pages = list((root / student / name / "feedback").rglob("*.html"))
        assert len(pages) == 1, f"{student} fetched {pages}"
        total = re.search(r"Score: ([0-9.]+) / ([0-9.]+)", pages[0].read_text())
        assert total and (float(total[1]), float(total[2])) == (expected_total[student], maximum), \
            f"{student}'s feedback shows {total and total[0]}: not their own"


def test_feedback_teaches_without_showing_hidden_tests(cycle):
    root, name = cycle
    page = next((root / "bob" / name / "feedback").rglob("*.html")).read_text()
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert "ShapeSchoolError" in text and "What is wrong: the ids are floating-point numbers" in text \
        and "Where to look: a tensor's dtype is fixed" in text, \
        "the feedback should carry the checks' messages: what is wrong and where to look"
    assert "The fix:" not in text, "graded feedback stops before the fix"
    leaked = hidden_lines_shown(page, name)
    assert not leaked, f"bob's feedback shows hidden-test source: {leaked[:3]}"


def test_the_leak_check_can_fail(cycle):
    """Plain nbconvert HTML of the autograded notebook (hidden tests restored) must be caught."""
    root, name = cycle
    from nbconvert import HTMLExporter
    autograded = root / "instructor" / "autograded" / "bob" / name / f"{name}.ipynb"
    page, _ = HTMLExporter().from_filename(str(autograded))
    assert hidden_lines_shown(page, name)
