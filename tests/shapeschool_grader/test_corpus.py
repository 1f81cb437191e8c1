"""The bad-submission corpus through ``shapeschool-grade``: every scenario gets its
defined outcome and a message the instructor can act on, the rest of the class is graded as
normal, and no submitted file is touched."""
import csv
import hashlib
import json
import shutil

import nbformat
import pytest
from nbgrader.api import Gradebook

import corpus
from shapeschool_grader import benchmark
from shapeschool_nbgrader import nbgrader_cli
from notebooks import hidden_lines_shown

pytestmark = pytest.mark.slow

RENAMED_AS = f"{corpus.CHAPTER}-Copy1.ipynb"
STRAY = "ch99_not_in_this_course"


def hashes(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def graded(tmp_path_factory, repo):
    course = nbgrader_cli.make_course(tmp_path_factory.mktemp("corpus") / "course")
    name = nbgrader_cli.add_source(course, repo / "course" / f"{corpus.CHAPTER}.ipynb")
    nbgrader_cli.generate_assignment(course, name)
    for scenario in corpus.OUTCOMES:
        folder = course / "submitted" / scenario / name
        folder.mkdir(parents=True)
        target = RENAMED_AS if scenario == "renamed" else f"{name}.ipynb"
        shutil.copyfile(corpus.FOLDER / corpus.file_name(scenario), folder / target)
    stray = course / "submitted" / "answer_key" / STRAY
    stray.mkdir(parents=True)
    shutil.copyfile(corpus.FOLDER / "answer_key.ipynb", stray / f"{STRAY}.ipynb")
    before = hashes(course / "submitted")
    done = benchmark.grade(course, "--wall-limit", "20", "--memory-limit", "1024", "--feedback",
                              "--csv", str(course / "grades.csv"))
    journals = {p.stem: json.loads(p.read_text()) for p in (course / ".shapeschool" / "graded" / name).glob("*.json")}
    return course, name, done, before, journals


def test_the_committed_corpus_is_what_corpus_py_makes():
    made = corpus.make_all()
    stale = [s for s, text in made.items() if (corpus.FOLDER / corpus.file_name(s)).read_text() != text]
    assert not stale, f"tests/fixtures/bad_submissions is stale for {stale}: run .venv/bin/python tests/corpus.py"


def test_the_batch_finishes_and_says_so(graded):
    _, _, done, _, journals = graded
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert sorted(journals) == sorted(corpus.OUTCOMES), "every submission must have an outcome on record"
    assert "Done in" in done.stdout


@pytest.mark.parametrize("scenario", sorted(corpus.OUTCOMES))
def test_each_scenario_has_its_defined_outcome(graded, scenario):
    course, name, done, _, journals = graded
    status, score, words = corpus.OUTCOMES[scenario]
    record = journals[scenario]
    said = " ".join([record["problem"], *record["notes"]])
    assert record["status"] == status, f"{scenario}: {record}"
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        submission = gb.find_submission(name, scenario)
        assert (submission.score, submission.max_score) == (score, corpus.POINTS), f"{scenario}: {record}"
    if words:
        assert words in said, f"{scenario}: the instructor should read {words!r}, got {said!r}"
        assert f"{name} {scenario}" in done.stdout.split("Done in")[1], "the summary lists it"


def test_no_submitted_file_was_modified(graded):
    course, _, _, before, _ = graded
    assert hashes(course / "submitted") == before


def test_a_folder_that_is_no_assignment_is_reported(graded):
    _, _, done, _, _ = graded
    assert f"SKIPPED submitted/*/{STRAY}" in done.stdout


def test_megabytes_of_output_are_cut_down(graded):
    course, name, _, _, _ = graded
    nb = nbformat.read(course / "autograded" / "huge_output" / name / f"{name}.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []) if o.get("name") == "stdout")
    assert "x" * 60 in printed, "the output is kept, cut down"
    assert (course / "autograded" / "huge_output" / name / f"{name}.ipynb").stat().st_size < 2**20


def test_a_stopped_notebook_says_so_in_every_cell_it_never_finished(graded):
    course, name, _, _, _ = graded
    nb = nbformat.read(course / "autograded" / "infinite_loop" / name / f"{name}.ipynb", as_version=4)
    stopped = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
               if c.metadata.get("nbgrader", {}).get("grade")
               and any(o.get("ename") == "GradingStopped" for o in c.get("outputs", []))]
    assert stopped == list(corpus.TESTS[2:])


def test_csv_has_one_row_per_submission(graded):
    course, name, _, _, _ = graded
    rows = list(csv.DictReader((course / "grades.csv").open()))
    assert sorted(r["student"] for r in rows) == sorted(corpus.OUTCOMES)
    by_student = {r["student"]: r for r in rows}
    assert by_student["answer_key"]["score"] == str(corpus.POINTS) and by_student["empty_file"]["status"] == "rejected"
    assert "is empty" in by_student["empty_file"]["notes"]


def test_feedback_shows_what_checks_said_but_no_hidden_test(graded):
    course, name, _, _, _ = graded
    page = (course / "feedback" / "untouched" / name / f"{name}.html").read_text()
    assert "ShapeSchoolError" in page
    assert not hidden_lines_shown(page, name)


def test_nbgraders_own_export_and_feedback_work_on_the_result(graded):
    course, name, _, _, _ = graded
    nbgrader_cli.run(course, "export", "--to", str(course / "export.csv"))
    rows = {r["student_id"]: r for r in csv.DictReader((course / "export.csv").open())}
    assert set(corpus.OUTCOMES) <= set(rows)
    assert float(rows["answer_key"]["score"]) == corpus.POINTS and float(rows["stripped_metadata"]["score"]) == corpus.POINTS
    nbgrader_cli.run(course, "generate_feedback", name, "--student", "answer_key", "--force")
    page = (course / "feedback" / "answer_key" / name / f"{name}.html").read_text()
    assert f"{corpus.POINTS:.1f} / {corpus.POINTS:.1f}" in page
    assert not hidden_lines_shown(page, name)
