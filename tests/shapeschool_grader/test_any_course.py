"""shapeschool-grade as a drop-in for ``nbgrader autograde`` on courses that are not this one:
nbgrader's own example course (``nbgrader quickstart``) and a course of our own with what
nbgrader's tests grade (``tests/any_course.py``). Each is graded by both commands from the same
submissions; every graded cell, every executed notebook, the feedback and the export must be
the same, and the grader may log nothing plain nbgrader does not."""
import csv
import json
import re
import shutil

import pytest

import any_course
from shapeschool_grader import benchmark
from shapeschool_nbgrader import nbgrader_cli

pytestmark = pytest.mark.slow

# What differs between two runs of plain nbgrader itself: when each cell ran.
RUN_STAMPS = re.compile(r'"(iopub\.execute_input|iopub\.status\.busy|iopub\.status\.idle|shell\.execute_reply)": "[^"]*"')


def shapeschool_grade(course, assignment, *options):
    done = benchmark.grade(course, assignment, *options, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def grade_both(course, assignment, *options):
    """Copy ``course`` twice; grade one with nbgrader autograde, one with shapeschool-grade."""
    plain, ours = course.parent / "plain", course.parent / "ours"
    shutil.copytree(course, plain)
    shutil.copytree(course, ours)
    return plain, ours, {"plain": nbgrader_cli.run(plain, "autograde", assignment),
                         "ours": shapeschool_grade(ours, assignment, *options)}


def graded_cells(course, assignment):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course}/gradebook.db") as gb:
        return sorted((s.student_id, nb.name, g.name, g.auto_score, g.manual_score, g.needs_manual_grade, g.max_score)
                      for s in gb.assignment_submissions(assignment) for nb in s.notebooks for g in nb.grades)


def executed(course):
    """Every autograded notebook, as text, with what differs between any two runs taken out."""
    found = {}
    for path in sorted((course / "autograded").rglob("*.ipynb")):
        found[str(path.relative_to(course))] = RUN_STAMPS.sub(r'"\1": "..."', path.read_text())
    return found


def feedback(course, assignment):
    nbgrader_cli.run(course, "generate_feedback", assignment)
    return {str(p.relative_to(course)): p.read_text() for p in sorted((course / "feedback").rglob("*.html"))}


def exported(course):
    nbgrader_cli.run(course, "export", "--to", str(course / "grades.csv"))
    with open(course / "grades.csv") as f:
        return list(csv.reader(f))


def logged_problems(text):
    """The lines a grader logs as errors or warnings, less the ones both runs log for the same notebook."""
    return sorted({re.sub(r"\[\w+ \| ", "[", line) for line in text.splitlines() if "| ERROR]" in line
                   or "| WARNING]" in line})


def differences(a, b):
    keys = sorted(set(a) | set(b))
    return [k for k in keys if a.get(k) != b.get(k)]


def assert_same(plain, ours, assignment, logs):
    cells = graded_cells(plain, assignment)
    assert cells and cells == graded_cells(ours, assignment)
    mismatched = differences(executed(plain), executed(ours))
    assert not mismatched, f"executed notebooks differ: {mismatched}"
    mismatched = differences(feedback(plain, assignment), feedback(ours, assignment))
    assert not mismatched, f"feedback differs: {mismatched}"
    assert exported(plain) == exported(ours)
    assert "Notebook JSON is invalid" not in logs["ours"]
    extra = [line for line in logged_problems(logs["ours"]) if line not in logged_problems(logs["plain"])]
    assert not extra, f"shapeschool-grade logged what nbgrader autograde did not: {extra}"
    return cells


def test_nbgrader_quickstart_course_is_graded_as_nbgrader_grades_it(tmp_path):
    nbgrader_cli.run(tmp_path, "quickstart", "course101")
    course = tmp_path / "course101"
    nbgrader_cli.run(course, "generate_assignment", "ps1")
    for student, source in (("bitdiddle", "release"), ("hacker", "source")):   # a blank and a solved hand-in
        folder = course / "submitted" / student / "ps1"
        shutil.copytree(course / source / "ps1", folder)
        (folder / "timestamp.txt").write_text("2026-11-30 09:00:00.000000 UTC\n")
    plain, ours, logs = grade_both(course, "ps1")
    cells = assert_same(plain, ours, "ps1", logs)
    assert max(c[3] or 0 for c in cells if c[0] == "hacker") > 0, "the solved hand-in scored: the comparison means something"
    assert "torch" not in logs["ours"]


@pytest.fixture(scope="module")
def graded_both(tmp_path_factory):
    course = any_course.make(tmp_path_factory.mktemp("any") / "course")
    any_course.generate(course)
    for student, kind in (("alice", "right"), ("bob", "wrong"), ("carol", "blank"), ("dan", "noisy")):
        any_course.submit(course, student, any_course.ANSWERS[kind])
    return course, grade_both(course, any_course.ASSIGNMENT)


def test_a_course_with_data_files_manual_grading_autotests_and_a_timeout_is_graded_as_nbgrader_grades_it(graded_both):
    _, (plain, ours, logs) = graded_both
    cells = assert_same(plain, ours, any_course.ASSIGNMENT, logs)
    scores = {(c[0], c[2]): c[3] for c in cells}
    assert scores["alice", "total_tests"] == 2, "the data file beside the notebook was read"
    assert scores["alice", "finished_tests"] == 1 and scores["bob", "finished_tests"] == 0, "the course's timeout held"
    assert scores["alice", "values_tests"] == 2 and scores["bob", "values_tests"] == 0, "the autotests ran"
    assert scores["alice", "why"] is None and ("alice", "why") in {(c[0], c[2]) for c in cells if c[5]}, \
        "the written answer waits for formgrader, as nbgrader leaves it"
    graded = json.loads((ours / "autograded" / "alice" / "ps1" / "data.ipynb").read_text())
    assert graded["metadata"]["anycourse"] == {"graded_cells": 5}, "the course's own preprocessor ran"


def test_with_checks_apart_only_a_check_that_reads_what_student_code_changed_scores_otherwise(graded_both):
    """With ``--ShapeSchoolGrader.checks_apart=True`` each test cell runs in a trusted kernel of its
    own, whose state student code cannot change: a course's checks see the students' answers, and
    not the rest of their kernel. On this course that changes one score: dan's code moved his
    kernel into another folder, where plain nbgrader's check could not find numbers.csv."""
    course, (plain, _, _) = graded_both
    apart = course.parent / "apart"
    shutil.copytree(course, apart)
    shapeschool_grade(apart, any_course.ASSIGNMENT, "--ShapeSchoolGrader.checks_apart=True")
    nbgrader_scores = {(c[0], c[1], c[2]): c[3] for c in graded_cells(plain, any_course.ASSIGNMENT)}
    apart_scores = {(c[0], c[1], c[2]): c[3] for c in graded_cells(apart, any_course.ASSIGNMENT)}
    changed = {k: (nbgrader_scores[k], apart_scores[k]) for k in nbgrader_scores if nbgrader_scores[k] != apart_scores[k]}
    assert changed == {("dan", "data", "total_tests"): (0.0, 2.0)}


def test_a_notebook_for_another_language_is_never_run_in_a_python_kernel():
    """The kernel server forks IPython kernels only: an R notebook is an error naming what to
    do, not R source run as Python."""
    from nbformat.v4 import new_code_cell, new_notebook

    from shapeschool_grader import pool

    nb = new_notebook(cells=[new_code_cell("x <- c(1, 2)")])
    nb.metadata["kernelspec"] = {"name": "ir", "display_name": "R", "language": "R"}
    kernels = pool.KernelPool(None, 1)   # not entered: no server is started for this
    with pytest.raises(pool.UnsupportedKernel, match="nbgrader autograde"):
        kernels.execute(nb, nb)
