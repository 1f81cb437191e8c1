"""``scheduler.Run`` with nbgrader's real sanitize and score steps and a kernel-less execute
(tests/shapeschool_grader/tiny.py): order, journal, errors, rejections and claims, in seconds."""
import threading

import nbformat

import tiny
from shapeschool_grader import journal, scheduler, shards, work
from shapeschool_grader.claims import Claims
from shapeschool_grader.report import Reporter

GRADING = "grading-digest"


def _run(course, execute=tiny.run_cells, size=2, claims=None, regrade=False, out=None):
    book = journal.Journal(course.state)
    plan = work.select(course, book, [], shards.Shard(), GRADING, regrade=regrade)
    reporter = Reporter(out=out or open("/dev/null", "w"))
    results = scheduler.Run(course, book, execute, reporter, claims or Claims(course.state), size).grade(plan.todo)
    return plan, {r.student: r for r in results}, book


def _scores(course):
    with course.gradebook() as gb:
        return {s.student.id: s.score for s in gb.assignment_submissions(tiny.ASSIGNMENT)}


def test_scores_reach_the_gradebook_and_the_journal(tiny_course):
    tiny.submit(tiny_course, "alice")
    tiny.submit(tiny_course, "bob", "x = 1")
    _, results, book = _run(tiny_course)
    assert _scores(tiny_course) == {"alice": tiny.POINTS, "bob": 0}
    assert {s: (r.status, r.score, r.max_score) for s, r in results.items()} == {
        "alice": ("graded", tiny.POINTS, tiny.POINTS), "bob": ("graded", 0, tiny.POINTS)}
    entry = book.read(tiny.ASSIGNMENT, "alice")
    assert entry["status"] == "graded" and entry["score"] == tiny.POINTS
    assert set(entry["fingerprint"]) == set(journal.PARTS) and entry["by"]
    assert not (tiny_course.root / ".shapeschool" / "intake" / "alice").exists(), "staged copies are removed"


def test_a_slow_notebook_holds_back_no_other_submission(tiny_course):
    for student in ("a-slow", "b", "c", "d"):
        tiny.submit(tiny_course, student)
    _mark_students(tiny_course)
    order, release = [], threading.Event()

    def execute(nb, rel, folder=None, source=None):
        if nb.metadata.get("shapeschool_test_student") == "a-slow":
            order.append("slow started")
            release.wait(10)
        return tiny.run_cells(nb, rel)

    class Journal(journal.Journal):
        def write(self, entry):
            order.append(entry["student"])
            if entry["student"] == "d":
                release.set()   # every quick one is journalled before the slow one finishes
            super().write(entry)

    book = Journal(tiny_course.state)
    plan = work.select(tiny_course, book, [], shards.Shard(), GRADING)
    scheduler.Run(tiny_course, book, execute, Reporter(out=open("/dev/null", "w")), Claims(tiny_course.state),
                  size=2).grade(plan.todo)
    assert order == ["slow started", "b", "c", "d", "a-slow"]


def test_an_execution_error_is_reported_and_not_journalled_so_the_next_run_retries_it(tiny_course):
    tiny.submit(tiny_course, "alice")
    tiny.submit(tiny_course, "bob")

    _mark_students(tiny_course)

    def execute(nb, release, folder=None, source=None):
        if nb.metadata.get("shapeschool_test_student") == "bob":
            raise RuntimeError("the kernel server died")
        return tiny.run_cells(nb, release)

    _, results, book = _run(tiny_course, execute)
    assert results["bob"].status == "error" and "the kernel server died" in results["bob"].problem
    assert results["alice"].status == "graded"
    assert book.read(tiny.ASSIGNMENT, "bob") is None
    plan, results, _ = _run(tiny_course)
    assert [s.student for s in plan.todo] == ["bob"] and plan.todo[0].why == ["new"]
    assert results["bob"].score == tiny.POINTS


def test_an_unreadable_submission_is_rejected_scores_zero_and_is_journalled(tiny_course):
    folder = tiny.submit(tiny_course, "carol")
    (folder / f"{tiny.ASSIGNMENT}.ipynb").write_text("")
    _, results, book = _run(tiny_course)
    assert results["carol"].status == "rejected" and "is empty" in results["carol"].problem
    assert _scores(tiny_course) == {"carol": 0}
    assert book.read(tiny.ASSIGNMENT, "carol")["status"] == "rejected"


def test_a_student_another_process_has_claimed_is_left_to_it(tiny_course):
    tiny.submit(tiny_course, "alice")
    tiny.submit(tiny_course, "bob")
    other = Claims(tiny_course.state)     # another process's claims: a second open file, a second lock
    assert other.claim("bob")
    mine = Claims(tiny_course.state)
    _, results, book = _run(tiny_course, claims=mine)
    assert set(results) == {"alice"} and book.read(tiny.ASSIGNMENT, "bob") is None
    other.release("bob")
    _, results, _ = _run(tiny_course, claims=mine)
    assert set(results) == {"bob"}
    assert not mine._held, "every claim is let go once its student is journalled"


def test_a_submission_another_process_journalled_after_selection_is_not_graded_again(tiny_course):
    tiny.submit(tiny_course, "alice")
    book = journal.Journal(tiny_course.state)
    plan = work.select(tiny_course, book, [], shards.Shard(), GRADING)
    _run(tiny_course)                                   # "another process" grades alice meanwhile
    before = book.read(tiny.ASSIGNMENT, "alice")
    before["by"] = "elsewhere:1"
    book.write(before)
    ran = []
    scheduler.Run(tiny_course, book, lambda nb, rel, folder=None, source=None: ran.append(1) or tiny.run_cells(nb, rel),
                  Reporter(out=open("/dev/null", "w")), Claims(tiny_course.state), 1).grade(plan.todo)
    assert not ran


def _mark_students(course):
    """Put each submission's student id in its notebook metadata, for executes that pick on one."""
    for folder in (course.root / "submitted").glob(f"*/{tiny.ASSIGNMENT}"):
        path = folder / f"{tiny.ASSIGNMENT}.ipynb"
        nb = nbformat.read(path, as_version=4)
        nb.metadata["shapeschool_test_student"] = folder.parent.name
        nbformat.write(nb, path)


def test_an_assignment_without_notebooks_ends_the_run_instead_of_waiting_for_none(tiny_course):
    import signal

    with tiny_course.gradebook() as gb:
        gb.add_assignment("a0")
    folder = tiny_course.root / "submitted" / "alice" / "a0"
    folder.mkdir(parents=True)
    (folder / "notes.txt").write_text("nothing to run")
    tiny_course.__dict__.pop("assignments", None)
    signal.signal(signal.SIGALRM, lambda *a: (_ for _ in ()).throw(TimeoutError("the run waited for nothing")))
    signal.alarm(60)
    try:
        book = journal.Journal(tiny_course.state)
        plan = work.select(tiny_course, book, ["a0"], shards.Shard(), GRADING)
        assert [(s.student, s.notebooks) for s in plan.todo] == [("alice", [])]
        results = scheduler.Run(tiny_course, book, tiny.run_cells, Reporter(out=open("/dev/null", "w")),
                                Claims(tiny_course.state), 1).grade(plan.todo)
    finally:
        signal.alarm(0)
    assert [r.student for r in results] == ["alice"]
