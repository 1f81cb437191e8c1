"""Grading a whole class as an instructor would, and checking the gradebook after: shared by the
SQLite (test_grade.py) and PostgreSQL (test_postgresql.py) tests of the grader."""
import signal
import subprocess
import time

from nbgrader.api import Gradebook

from processes import command_lines
from shapeschool_grader import benchmark

CELLS = 6   # chapter 1's test cells


def kill_part_way(course, assignment, after=3, students=9):
    """Start grading ``course``, SIGKILL the grader once ``after`` submissions are journalled,
    check that no kernel server outlived it, and return how many were journalled."""
    run = subprocess.Popen([benchmark.command(), "--course-dir", str(course), "--jobs", "2"], cwd=course,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    journal = course / ".shapeschool" / "graded" / assignment
    deadline = time.monotonic() + 300
    while len(list(journal.glob("*.json"))) < after and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.05)
    assert len(_servers_of(run.pid)) == 1, "the pool's slots must share one kernel server"
    run.send_signal(signal.SIGKILL)
    run.wait()
    finished = len(list(journal.glob("*.json")))
    assert after <= finished < students, "the kill must land part-way through the class"
    time.sleep(1)
    servers = [pid for pid, line in command_lines().items() if b"zygote.py" in line]
    assert not servers, "no kernel server may outlive a killed grader"
    return finished


def _servers_of(grader):
    """The kernel servers ``grader`` started (the kernels they fork share their command line)."""
    def parent(pid):
        try:
            with open(f"/proc/{pid}/stat") as f:
                return int(f.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            return None
    return [pid for pid, line in command_lines().items() if b"zygote.py" in line and parent(pid) == grader]


def assert_consistent(db_url, assignment, expected):
    """One grade per student and test cell, none missing, none twice, none half-written; and
    each student's total as ``expected`` ({student: total})."""
    with Gradebook(db_url) as gb:
        rows = [(s.student.id, n.name, g.name, g.score) for s in gb.assignment_submissions(assignment)
                for n in s.notebooks for g in n.grades]
    assert len(rows) == len(expected) * CELLS == len({r[:3] for r in rows}), "a grade missing, or there twice"
    totals = {}
    for student, _, _, score in rows:
        assert score is not None, f"{student} has a half-written grade"
        totals[student] = totals.get(student, 0) + score
    assert totals == expected
