"""What the class got wrong: failures read back from the autograded notebooks, the class report
(shapeschool_grader.class_page) and the LMS exports (shapeschool_grader.exports).

Ground truth is the fix catalogue (tests/fixes/): each wrong fix names the hint that describes its
mistake, chosen by reading, and the report must put the student who handed it in into that
hint's group."""
import csv
import importlib
import io
import os
import re
import shutil
import sys
from html.parser import HTMLParser

import nbformat
import pytest
import torch

import fixes
import tiny
from shapeschool.chapters import ch03
from shapeschool.errors import ShapeSchoolError
from shapeschool.hints import Hint
from shapeschool_grader import class_page, exports, failures, journal, outcomes
from shapeschool_grader.benchmark import cell_scores
from shapeschool_grader.course import Course

GROUPED_RIGHT = 0.90
HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(1)>\"' onmouseover=alert(2) <a href=javascript:alert(3)>"


class _Elements(HTMLParser):
    """Every element a browser would build from the page, with its attributes."""

    def __init__(self, page):
        super().__init__()
        self.found = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def live_parts(page):
    """What in ``page`` could run: script elements, frames, event handlers, javascript: URLs."""
    alive = []
    for tag, attrs in _Elements(page).found:
        if tag in ("script", "iframe", "object", "embed"):
            alive.append(tag)
        alive += [f"{tag} {k}" for k in attrs if k.startswith("on")]
        alive += [f"{tag} {k}={v}" for k, v in attrs.items() if (v or "").strip().lower().startswith("javascript:")]
    return alive


# -- one failure, read back --------------------------------------------------------------------
def _graded_failure(exercise, answer, monkeypatch):
    """The outputs nbgrader keeps of a check cell whose hidden tests fail on ``answer``."""
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(ShapeSchoolError) as failed:
        exercise(answer, seed=7)
    return [nbformat.v4.new_output("error", ename="ShapeSchoolError", evalue=str(failed.value), traceback=[])]


def test_a_wrong_shape_is_read_back_as_its_hint_with_the_case_and_sizes(monkeypatch):
    def zero_state(lstm, batch):      # one row per layer: directions forgotten
        h0 = torch.zeros(lstm.num_layers, batch, lstm.hidden_size)
        return h0, h0.clone()

    found = failures.read(_graded_failure(ch03.zero_state, zero_state, monkeypatch), failures.hints_of("ch03_x"))
    assert found.kind == "check" and found.hint == "ZERO_STATE_H0", found
    assert (found.what, found.where) == (ch03.ZERO_STATE_H0.what, ch03.ZERO_STATE_H0.where)
    assert found.case and "bi=True" in found.sizes and found.hidden, found


def test_an_answer_that_raises_is_read_back_with_the_errors_stable_part(monkeypatch):
    def zero_state(lstm, batch):
        rows = lstm.num_layers * lstm.num_directions      # an attribute an LSTM does not have
        return torch.zeros(rows, batch, lstm.hidden_size), torch.zeros(rows, batch, lstm.hidden_size)

    found = failures.read(_graded_failure(ch03.zero_state, zero_state, monkeypatch), failures.hints_of("ch03_x"))
    assert found.kind == "raised" and found.hint == "ZERO_STATE_RAISED", found
    assert re.search(r"\d", found.raised) is None, f"numbers left in the stable part: {found.raised}"


def test_a_plain_test_cells_error_and_a_cell_never_reached_are_failures_too():
    plain = failures.read([nbformat.v4.new_output("error", ename="AssertionError", evalue="x was 41, not 42",
                                                  traceback=[])])
    assert (plain.kind, plain.raised) == ("error", "AssertionError: x was N, not N")
    assert failures.read([nbformat.v4.new_output("stream", name="stdout", text="fine\n")]) is None
    assert failures.stopped("ran past the 300 s wall limit").what == "ran past the N s wall limit"


def test_the_stable_part_keeps_what_is_not_a_size():
    assert failures.stable("mat1 and mat2 shapes cannot be multiplied (2x14 and 32x3)") == \
        "mat1 and mat2 shapes cannot be multiplied (NxN and NxN)"
    assert failures.stable("Expected 3D (unbatched) or 4D input to conv2d, got input of size: [2, 3]") == \
        "Expected 3D (unbatched) or 4D input to conv2d, got input of size: [N, N]"


def test_every_hint_of_the_course_has_words_of_its_own_or_shares_them_with_an_identical_hint():
    """A failure is matched to its hint by the words it shows (what and where); two hints with the
    same words would be one group."""
    for chapter in ("ch01", "ch02", "ch03", "ch04", "ch05", "ch06"):
        assert failures.hints_of(f"{chapter}_x"), f"{chapter}: no hints found"


# -- a small class, graded in-process (tests/tiny.py: kernel-less) ------------------------------
def _grade(*argv, cwd):
    return tiny.grade_in_process(*argv, cwd=cwd)[1]


HOSTILE_ANSWER = f"""
class Sly(int):
    def __eq__(self, other):
        raise ValueError({HOSTILE!r})
x = Sly(42)
"""


@pytest.fixture(scope="module")
def graded_class(tiny_template, tmp_path_factory):
    """The two-cell course handed in by a class of five, graded once with the report and exports:
    alice right, bob wrong, mallory with HTML in her error and her name, rita a file that is no
    notebook, nobody with no submission. Returns the folder holding course/, report.html and lms/."""
    root = tmp_path_factory.mktemp("small-class")
    shutil.copytree(tiny_template, root / "course")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
        course = tiny.Course(tiny.config(root / "course"))
        with course.gradebook() as gb:
            gb.update_or_create_student("alice", first_name="Zoë", last_name="Ñúñez-Łukasz", email="zoe@example.org")
            gb.update_or_create_student("mallory", first_name=HOSTILE, last_name="M", email="m@example.org")
            gb.update_or_create_student("nobody", first_name="Ann", last_name="Absent")
        tiny.submit(course, "alice")                       # right
        tiny.submit(course, "bob", answer="x = 41")        # wrong: the test cell's assert fails
        tiny.submit(course, "mallory", answer=HOSTILE_ANSWER)
        (course.root / "submitted" / "rita" / tiny.ASSIGNMENT).mkdir(parents=True)
        (course.root / "submitted" / "rita" / tiny.ASSIGNMENT / f"{tiny.ASSIGNMENT}.ipynb").write_text("{not json")
        code = _grade("--course-dir", str(course.root), "--unsandboxed", "--report", str(root / "report.html"),
                      "--exports", str(root / "lms"), cwd=course.root)
    assert code == 0
    return root


@pytest.fixture
def small_class(graded_class, tmp_path, alembic_on_path):
    """A copy of the graded class of five, to change: (course, report, lms folder)."""
    shutil.copytree(graded_class, tmp_path / "class")
    root = tmp_path / "class"
    return tiny.Course(tiny.config(root / "course")), root / "report.html", root / "lms"


@pytest.fixture
def read_only_class(graded_class):
    """The graded class of five itself, for tests that only read it: (course, report, lms folder)."""
    return tiny.Course(tiny.config(graded_class / "course")), graded_class / "report.html", graded_class / "lms"


def test_the_report_counts_what_the_gradebook_holds_and_groups_each_failure(read_only_class):
    course, report, _ = read_only_class
    [a] = outcomes.read(course, journal.Journal(course.state))
    [check] = a.checks
    assert check.passed == ["alice"]
    groups = {g: sorted(t.student for t in attempts) for g, attempts in check.failed.items()}
    assert groups[("error", "AssertionError")] == ["bob"]
    assert [s for s in groups.values()].count(["mallory"]) == 1
    assert a.counted("rejected") == 1 and a.counted("missing") == 1     # rita's file is no notebook; nobody sent none
    page = report.read_text()
    assert "1 of 3 passed" in page


def test_no_student_text_reaches_the_page_alive(read_only_class):
    _, report, _ = read_only_class
    page = report.read_text()
    assert live_parts(page) == ["script"], "only the page's own table sorting may run"
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page      # shown, as text


def _rows(path):
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "no byte-order mark: both systems read plain UTF-8"
    return list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))


def test_the_canvas_file_has_the_layout_of_canvass_own_gradebook_export(read_only_class):
    _, _, folder = read_only_class
    rows = _rows(folder / f"canvas-{tiny.ASSIGNMENT}.csv")
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", tiny.ASSIGNMENT]
    assert rows[1] == ["Points Possible", "", "", "", "", f"{tiny.POINTS:g}"]
    by_login = {r[3]: r for r in rows[2:]}
    assert by_login["alice"][0] == "Ñúñez-Łukasz, Zoë" and by_login["alice"][5] == f"{tiny.POINTS:g}"
    assert by_login["bob"][5] == "0"
    assert by_login["rita"][5] == "0", "a rejected file keeps the 0 nbgrader recorded"
    assert by_login["nobody"][5] == "", "no submission: left ungraded, not 0"
    assert all(len(r) == len(rows[0]) for r in rows)


def test_the_moodle_file_has_an_identifier_column_and_one_column_per_grade_item(read_only_class):
    _, _, folder = read_only_class
    rows = _rows(folder / f"moodle-{tiny.ASSIGNMENT}.csv")
    assert rows[0] == ["First name", "Last name", "ID number", "Email address", tiny.ASSIGNMENT]
    by_id = {r[2]: r for r in rows[1:]}
    assert by_id["alice"] == ["Zoë", "Ñúñez-Łukasz", "alice", "zoe@example.org", f"{tiny.POINTS:g}"]
    assert by_id["nobody"][4] == "" and by_id["rita"][4] == "0"
    checks = _rows(folder / f"checks-{tiny.ASSIGNMENT}.csv")
    assert checks[0] == exports.CHECK_COLUMNS
    assert {(r[1], r[5]) for r in checks[1:]} == {("alice", "passed"), ("bob", "error"), ("mallory", "error")}


def test_the_report_says_which_scores_the_latest_run_changed(small_class):
    course, report, _ = small_class
    tiny.submit(course, "bob")                          # bob fixes his answer; graded again
    assert _grade("--course-dir", str(course.root), "--unsandboxed", "--report", str(report), cwd=course.root) == 0
    [a] = outcomes.read(course, journal.Journal(course.state))
    assert a.changed() == [("bob", 0.0, float(tiny.POINTS))]
    assert "1 scores changed in the latest run" in report.read_text()


def test_the_report_is_made_again_without_grading(small_class):
    course, report, _ = small_class
    report.unlink()
    before = {p: p.stat().st_mtime_ns for p in (course.root / "autograded").rglob("*.ipynb")}
    assert _grade("--course-dir", str(course.root), "--report-only", "--report", str(report), cwd=course.root) == 0
    assert report.exists()
    assert before == {p: p.stat().st_mtime_ns for p in (course.root / "autograded").rglob("*.ipynb")}


def test_an_unwritable_report_is_one_clear_message(small_class, capsys):
    course, _, _ = small_class
    code = _grade("--course-dir", str(course.root), "--report-only", "--report",
                  str(course.root / "no-such-folder" / "r.html"), cwd=course.root)
    assert code == 1
    err = capsys.readouterr().err
    assert "could not write" in err and "Choose a folder you can write to" in err and "Traceback" not in err


# -- the fix catalogue's class (graded once, tests/conftest.py's fix_class) -----------------------
def _read(root):
    course = Course(tiny.config(root))
    return outcomes.read(course, journal.Journal(course.state))


@pytest.mark.slow
def test_each_wrong_fix_lands_in_the_group_of_its_own_misconception(fix_class):
    assert fix_class.run.returncode == 0, fix_class.run.stdout[-3000:] + fix_class.run.stderr[-3000:]
    read = {a.name: a for a in _read(fix_class.course)}

    right, wrong_group, unnamed = 0, [], 0
    for (chapter, student), handed in fix_class.handed.items():
        if not handed.wrong:
            continue
        fix = handed.tried[0]
        if not fix.hint:
            unnamed += 1
            continue
        expected = getattr(importlib.import_module(f"shapeschool.chapters.{chapter[:4]}"), fix.hint)
        assert isinstance(expected, Hint), f"{chapter}/{handed.fixme}: {fix.hint} is not a Hint"
        [check] = [c for c in read[chapter].checks if c.grade_id == handed.check]
        [attempt] = [t for t in check.attempts if t.student == student]
        got = attempt.failure
        if got is not None and (got.what, got.where) == (expected.what, expected.where):
            right += 1
        else:
            wrong_group.append(f"{student} ({fix.why}): expected {fix.hint}, "
                               f"got {got.hint or got.label if got else 'a pass'}")
    named = right + len(wrong_group)
    fixes.SUMMARY.append(f"class report: {right} of {named} wrong fixes grouped under their own misconception "
                         f"({100 * right / named:.0f}%); {unnamed} wrong fixes have no hint of their own")
    assert right >= GROUPED_RIGHT * named, "grouped under another misconception:\n" + "\n".join(wrong_group)


@pytest.mark.slow
def test_the_class_report_agrees_with_the_gradebook_cell_by_cell(fix_class):
    scores = cell_scores(fix_class.course)
    read = _read(fix_class.course)
    for a in read:
        for check in a.checks:
            for attempt in check.attempts:
                assert attempt.score == scores[(a.name, attempt.student, check.notebook, check.grade_id)]
                assert attempt.passed == (attempt.score == check.max_score)
        for (chapter, student), handed in fix_class.handed.items():
            if chapter == a.name and not handed.wrong:     # answer keys and alternatives pass every check
                assert all(student in c.passed for c in a.checks), f"{student} failed a check in the report"
    page = fix_class.report.read_text()
    assert "Mistakes worth a lecture" in page and live_parts(page) == ["script"]
    for a in read:
        assert f"canvas-{a.name}.csv" in os.listdir(fix_class.exports)
        assert class_page.e(a.name) in page
