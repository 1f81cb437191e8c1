"""What the instructor reads: a progress line per submission, the summary, the CSV."""
import csv
import io

import tiny
from shapeschool_grader import journal
from shapeschool_grader.report import Reporter, Result


def test_progress_counts_this_runs_submissions_and_the_summary_names_every_problem():
    out = io.StringIO()
    reporter = Reporter(out)
    reporter.add(Result("a1", "*", status="rejected", problem="'*' cannot be a student id"), progress=False)
    reporter.start(3)
    reporter.add(Result("a1", "alice", score=2, max_score=2))
    reporter.add(Result("a1", "bob", status="error", problem="RuntimeError: the kernel server died"))
    reporter.add(Result("a1", "carol", score=0, max_score=2, notes=["graded a1-Copy1.ipynb as a1.ipynb"]))
    reporter.summary()
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("[1/3] a1 alice: 2/2   | 0 not graded")
    assert lines[1].startswith("[2/3] a1 bob: ERROR   | 1 not graded")
    assert lines[2].startswith("[3/3] a1 carol: 0/2  (1 notes)   | 1 not graded")
    text = out.getvalue()
    assert "3 graded" not in text and ": 2 graded, 1 rejected, 1 errors." in text
    for words in ("a1 * [rejected]: '*' cannot be a student id", "a1 bob [error]: RuntimeError: the kernel server died",
                  "a1 carol [graded]", "- graded a1-Copy1.ipynb as a1.ipynb"):
        assert words in text
    assert "a1 alice" not in text.split("Done in")[1], "a clean submission is not repeated in the summary"


def test_the_csv_has_a_row_per_submission_in_the_gradebook_and_per_refused_file(tiny_course, tmp_path):
    book = journal.Journal(tiny_course.state)
    with tiny_course.gradebook() as gb:
        gb.update_or_create_student("alice")
        gb.update_or_create_submission(tiny.ASSIGNMENT, "alice")
    book.write({"assignment": tiny.ASSIGNMENT, "student": "alice", "status": "graded", "problem": "",
                "notes": ["restored nbgrader metadata"]})
    from shapeschool_grader.report import write_csv

    write_csv(tiny_course, book, tmp_path / "g.csv", [tiny.ASSIGNMENT],
              [Result(tiny.ASSIGNMENT, "b?b", status="rejected", problem="'b?b' cannot be a student id")])
    with open(tmp_path / "g.csv") as f:
        rows = [(r["student"], r["score"], r["max_score"], r["status"], r["notes"]) for r in csv.DictReader(f)]
    assert rows == [("b?b", "0", "", "rejected", "'b?b' cannot be a student id"),
                    ("alice", "0", str(tiny.POINTS), "graded", "restored nbgrader metadata")]
