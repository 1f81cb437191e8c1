"""Grade files an LMS imports, and a table of every check for the instructor's own analysis.

For each assignment, in one folder:

- ``canvas-ASSIGNMENT.csv``: the layout of Canvas's own gradebook export, which its gradebook
  import takes back (Canvas Instructor Guide, "How do I import grades in the Gradebook?"): the
  columns ``Student`` ("Last, First"), ``ID``, ``SIS User ID``, ``SIS Login ID``, ``Section``, then
  one column per assignment, and a second row ``Points Possible``. Canvas finds each student by
  name or by ``ID`` (its own user id: nbgrader's ``lms_user_id`` where the roster has it);
  ``SIS Login ID`` holds the nbgrader student id (the JupyterHub login). An assignment column
  without a Canvas id in its name is created as a new assignment on import.
- ``moodle-ASSIGNMENT.csv``: for Moodle's CSV grade import (MoodleDocs, "Grade import"), where
  the instructor maps one column to the user and the others to grade items: ``First name``,
  ``Last name``, ``ID number``, ``Email address`` and the assignment. ``Email address`` maps to
  ``useremail``; ``ID number`` (the nbgrader id) to ``useridnumber`` only where they agree.
- ``checks-ASSIGNMENT.csv``: one row per student per check: score, outcome, and for a failure,
  the misconception, the case that failed and the error.

A student with no submission gets an empty grade cell (both systems leave an empty cell
ungraded rather than writing 0); a rejected submission keeps the 0 nbgrader recorded for it.
Files are UTF-8 (names in any script), written whole or not at all.
"""
import csv
import io
import os
from pathlib import Path

CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_POINTS_ROW = "Points Possible"
MOODLE_COLUMNS = ["First name", "Last name", "ID number", "Email address"]
CHECK_COLUMNS = ["assignment", "student", "check", "score", "max_score", "outcome", "misconception", "hint",
                 "case", "sizes", "error"]


def _number(value):
    return f"{value:g}"


def _grade(submission):
    return "" if submission.status == "missing" else _number(submission.score)


def canvas_rows(assignment):
    rows = [CANVAS_COLUMNS + [assignment.name],
            [CANVAS_POINTS_ROW, "", "", "", ""] + [_number(assignment.max_score)]]
    for sid, student in sorted(assignment.students.items()):
        sortable = ", ".join(p for p in (student.last_name, student.first_name) if p) or sid
        rows.append([sortable, student.lms_user_id, "", sid, "", _grade(assignment.submissions[sid])])
    return rows


def moodle_rows(assignment):
    rows = [MOODLE_COLUMNS + [assignment.name]]
    for sid, student in sorted(assignment.students.items()):
        rows.append([student.first_name, student.last_name, sid, student.email, _grade(assignment.submissions[sid])])
    return rows


def check_rows(assignment):
    rows = [CHECK_COLUMNS]
    for check in assignment.checks:
        for attempt in sorted(check.attempts, key=lambda a: a.student):
            f = attempt.failure
            outcome = "passed" if attempt.passed else f.kind
            rows.append([assignment.name, attempt.student, check.grade_id, _number(attempt.score),
                         _number(attempt.max_score), outcome, f.what if f else "", f.hint if f else "",
                         (f.case + (" (hidden tests)" if f.hidden else "")) if f else "", f.sizes if f else "",
                         f.raised if f else ""])
    return rows


def write_text(path, text):
    """``text`` to ``path`` in UTF-8, atomically: a reader sees the old file or the whole new one."""
    path = Path(path)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def write_rows(path, rows):
    """``rows`` to ``path`` as CSV (RFC 4180: CRLF, fields quoted where needed), atomically."""
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    write_text(path, text.getvalue())


def write_all(assignments, folder):
    """Every assignment's three files into ``folder``; returns the paths written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for assignment in assignments:
        for kind, rows in (("canvas", canvas_rows), ("moodle", moodle_rows), ("checks", check_rows)):
            path = folder / f"{kind}-{assignment.name}.csv"
            write_rows(path, rows(assignment))
            written.append(path)
    return written
