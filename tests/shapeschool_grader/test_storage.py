"""When the gradebook or the disk fails under a run: one message that says what to do, nothing
half-written, and the same command finishes the class once the trouble is fixed."""
import errno
import shutil

import pytest

import tiny
from shapeschool_grader import nbgrader_steps

_grade = tiny.grade_in_process
STUDENTS = ("ana", "ben", "cy")


def submit_all(course):
    for student in STUDENTS:
        tiny.submit(course, student)


def graded(course):
    """Students whose submission the gradebook holds with its score."""
    with course.gradebook() as gb:
        return sorted(s.student.id for s in gb.assignment_submissions(tiny.ASSIGNMENT) if s.score == tiny.POINTS)


def journalled(course):
    return sorted(p.stem for p in (course.state / "graded" / tiny.ASSIGNMENT).glob("*.json"))


def partial_files(course):
    return [p for p in course.root.rglob("*") if p.name.endswith(".partial")]


def test_a_read_only_gradebook_is_found_before_anything_is_graded(tiny_course, capsys):
    course = tiny_course
    submit_all(course)
    url = f"sqlite:///file:{course.root / 'gradebook.db'}?mode=ro&uri=true"   # as a read-only file opens
    _, code = _grade("--course-dir", str(course.root), "--unsandboxed", f"--CourseDirectory.db_url={url}",
                     cwd=course.root)
    said = capsys.readouterr().err
    assert code == 2 and "cannot be written" in said and "run the same command again" in said
    assert said.count("cannot be written") == 1, "one message, not one per student"
    assert graded(course) == [] and journalled(course) == []


def test_a_full_disk_stops_the_run_and_the_same_command_finishes_it(tiny_course, capsys, monkeypatch):
    course = tiny_course
    submit_all(course)
    score = nbgrader_steps.score
    calls = []

    def fills_up(*args, **kwargs):
        calls.append(args[2])
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return score(*args, **kwargs)

    monkeypatch.setattr(nbgrader_steps, "score", fills_up)
    _, code = _grade("--course-dir", str(course.root), "--unsandboxed", "--jobs", "1", cwd=course.root)
    said = capsys.readouterr().err
    assert code == 2 and "is full" in said and "Free some space" in said
    assert graded(course) == journalled(course) == ["ana"], "the one graded before is kept, and journalled"
    assert partial_files(course) == []
    monkeypatch.setattr(nbgrader_steps, "score", score)   # space freed
    _, code = _grade("--course-dir", str(course.root), "--unsandboxed", cwd=course.root)
    assert code == 0 and graded(course) == journalled(course) == list(STUDENTS)


def test_a_gradebook_that_disappears_mid_run_stops_it_and_nothing_goes_to_a_new_one(tiny_course, tmp_path, capsys):
    course = tiny_course
    submit_all(course)
    gradebook, aside = course.root / "gradebook.db", tmp_path / "moved-away.db"

    def moved_while_running(nb, release=None, folder=None, source=None):
        if gradebook.exists():
            shutil.move(gradebook, aside)
        return tiny.run_cells(nb, release)

    _, code = _grade("--course-dir", str(course.root), "--unsandboxed", "--jobs", "1", cwd=course.root,
                     execute=moved_while_running)
    said = capsys.readouterr().err
    assert code == 2 and "is gone" in said and "Put it back" in said
    assert not gradebook.exists(), "no new, empty gradebook was made in its place"
    assert journalled(course) == []
    shutil.move(aside, gradebook)
    _, code = _grade("--course-dir", str(course.root), "--unsandboxed", cwd=course.root)
    assert code == 0 and graded(course) == list(STUDENTS)


@pytest.mark.parametrize("message, kind", [
    ("(sqlite3.OperationalError) attempt to write a readonly database", "cannot be written"),
    ("(sqlite3.OperationalError) database or disk is full", "is full"),
    ("OSError: [Errno 28] No space left on device: 'autograded/ana/a1/a1.ipynb'", "is full"),
    ("(psycopg2.errors.ReadOnlySqlTransaction) cannot execute UPDATE in a read-only transaction", "cannot be written"),
])
def test_what_databases_and_nbgrader_say_is_read_as_the_trouble_it_is(tiny_course, message, kind):
    from shapeschool_grader import storage

    assert kind in storage.problem(RuntimeError(message), tiny_course)


def test_a_students_own_error_is_not_taken_for_the_disks(tiny_course):
    from shapeschool_grader import storage

    assert storage.problem(RuntimeError("NameError: name 'x' is not defined"), tiny_course) is None
    assert storage.problem(OSError(errno.ENOENT, "No such file"), tiny_course) is None


@pytest.mark.slow
def test_a_disk_that_fills_under_a_real_run_stops_it_with_one_message(tiny_course):
    """The real command, its kernels and nbgrader, with autograded/ on a file system of a few
    kilobytes (a mount of its own, seen by this run only)."""
    import os
    import subprocess
    import sys

    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root and util-linux's unshare to give the run a small file system of its own")
    course = tiny_course
    for n in range(6):
        tiny.submit(course, f"s{n}")
    (course.root / "autograded").mkdir(exist_ok=True)
    grader = os.path.join(os.path.dirname(sys.executable), "shapeschool-grade")
    script = (f"mount -t tmpfs -o size=12k tmpfs '{course.root}/autograded' && "
              f"exec '{grader}' --unsandboxed --jobs 1 --course-dir '{course.root}'")
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    done = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script], cwd=course.root,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.count("is full") == 1 and "Traceback" not in done.stderr, done.stderr
    assert partial_files(course) == []
    assert set(journalled(course)) <= set(graded(course)), "nothing journalled that the gradebook lacks"
    assert len(journalled(course)) < 6
