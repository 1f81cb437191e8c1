"""A class that outgrows one machine: the grader against a real PostgreSQL gradebook.

One private server (tests/postgres.py) for the module, a database of its own per test. Graded
into it: a class (read back by ``nbgrader export``), a run SIGKILLed part-way and run again,
two graders started at once on one course, and the class split into three shards run at once.
Every submission must end with exactly one grade per test cell, the score its kind earns,
and (with claims and shards) be graded by exactly one process.
"""
import csv
import re
import subprocess

import pytest

import class_runs
import postgres
from conftest import REPO
from shapeschool_grader import benchmark
from shapeschool_nbgrader import nbgrader_cli

pytestmark = pytest.mark.slow

CHAPTER = "ch01_embeddings_to_lstm"
EXPECTED = {"answer-key": 6, "untouched": 0, "half-done": 3}   # chapter 1, out of 6 (half-done: the first
# five of its eleven answer cells, predictions included, hold the answers of three checks)
GRADED_LINE = re.compile(rf"^\[\s*\d+/\d+\] {CHAPTER} (\S+): ", re.M)


@pytest.fixture(scope="module")
def server():
    try:
        running = postgres.Server().start()
    except postgres.Unavailable as exc:
        pytest.skip(str(exc))
    yield running
    running.stop()


@pytest.fixture
def course(server, tmp_path, request):
    """Chapter 1 released into a gradebook of its own on the server, and a class of 9 handed in."""
    url = server.create_database(re.sub(r"\W", "_", request.node.name)[:60].lower())
    course, releases = benchmark.make_course(tmp_path / "course", [REPO / "course" / f"{CHAPTER}.ipynb"], db_url=url)
    roster = benchmark.make_class(course, releases, 9)
    return course, url, {student: EXPECTED[kind] for (student, _), kind in roster.items()}


def _graded_by(*outputs):
    """{student: how many processes reported grading them}."""
    counts = {}
    for out in outputs:
        for student in GRADED_LINE.findall(out):
            counts[student] = counts.get(student, 0) + 1
    return counts


def test_a_class_graded_into_postgresql_is_what_nbgrader_export_reads(course, tmp_path):
    course, url, expected = course
    done = benchmark.grade(course, "--jobs", "3")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    class_runs.assert_consistent(url, CHAPTER, expected)
    nbgrader_cli.run(course, "export", "--to", str(tmp_path / "export.csv"))
    with open(tmp_path / "export.csv") as f:
        exported = {row["student_id"]: float(row["score"]) for row in csv.DictReader(f)}
    assert exported == expected
    again = benchmark.grade(course)
    assert "9 submissions already graded and unchanged" in again.stdout and "nothing to grade" in again.stdout


def test_a_run_killed_part_way_then_run_again_leaves_the_gradebook_consistent(course):
    course, url, expected = course
    finished_first = class_runs.kill_part_way(course, CHAPTER)
    again = benchmark.grade(course, "--jobs", "2")
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
    assert f"{finished_first} submissions already graded and unchanged" in again.stdout
    class_runs.assert_consistent(url, CHAPTER, expected)


def test_two_graders_started_at_once_grade_each_submission_once(course):
    course, url, expected = course
    runs = [subprocess.Popen([benchmark.command(), "--course-dir", str(course), "--jobs", "2"], cwd=course,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=900) for run in runs]
    for run, (out, err) in zip(runs, outputs):
        assert run.returncode == 0, out[-2000:] + err[-2000:]
    class_runs.assert_consistent(url, CHAPTER, expected)
    assert _graded_by(*(out for out, _ in outputs)) == {student: 1 for student in expected}


def test_three_shards_run_at_once_grade_the_class_once_with_one_process_scores(course):
    course, url, expected = course
    runs = [subprocess.Popen([benchmark.command(), "--course-dir", str(course), "--jobs", "1", "--shard", f"{k}/3"],
                             cwd=course, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for k in range(3)]
    outputs = [run.communicate(timeout=900) for run in runs]
    for run, (out, err) in zip(runs, outputs):
        assert run.returncode == 0, out[-2000:] + err[-2000:]
    class_runs.assert_consistent(url, CHAPTER, expected)
    assert _graded_by(*(out for out, _ in outputs)) == {student: 1 for student in expected}
    shares = [len(GRADED_LINE.findall(out)) for out, _ in outputs]
    assert sum(shares) == 9 and all(share < 9 for share in shares), f"the class was not split: {shares}"
    assert all("belong to other shards" in out for out, _ in outputs)
