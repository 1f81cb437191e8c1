"""The hostile corpus through ``shapeschool-grade --jobs 1``: each attacker is graded
right before an honest student on the one kernel slot, and neither the attacker nor anything it
started, wrote or held may change that student's score, stop the batch or outlast it."""
import csv
import os
import re
import subprocess
import sys

import nbformat
import pytest

import hostile
from shapeschool_nbgrader import nbgrader_cli
from processes import grading_groups, grading_processes

pytestmark = pytest.mark.slow

CHAPTER = hostile.corpus.CHAPTER
ATTACKS = {**hostile.AGAINST_OTHERS, **hostile.AGAINST_OWN_SCORE}
MEMORY_LIMIT_MIB = 1024
GRADER_PEAK_LIMIT_MIB = 1500   # the grading process itself, whatever the students print


def _ids():
    """Attackers and honest students, interleaved in the order the grader takes them (by id)."""
    pairs = {}
    for number, name in enumerate(ATTACKS, 1):
        pairs[name] = (f"s{number:02d}a-{name}", f"s{number:02d}b-honest")
    return pairs


def _tmp_entries():
    return {folder: set(os.listdir(folder)) for folder in ("/dev/shm",)}



@pytest.fixture(scope="module")
def graded(tmp_path_factory, repo):
    root = tmp_path_factory.mktemp("hostile")
    course = nbgrader_cli.make_course(root / "course")
    name = nbgrader_cli.add_source(course, repo / "course" / f"{CHAPTER}.ipynb")
    nbgrader_cli.generate_assignment(course, name)
    inbox = root / "inbox"
    inbox.mkdir()
    for attack, (attacker, honest) in _ids().items():
        nbformat.write(hostile.attack(ATTACKS[attack]), inbox / f"{attacker}.ipynb")
        nbformat.write(hostile.honest(), inbox / f"{honest}.ipynb")
    nbformat.write(hostile.attack(""), inbox / "s00-untouched.ipynb")
    nbformat.write(hostile.leaking(), inbox / "s99-leaks.ipynb")

    processes, groups, files = set(grading_processes()), grading_groups(), _tmp_entries()
    # The grading process, run so that it reports its own peak memory as it exits.
    measured = ("import resource, sys\n"
                "from shapeschool_grader.cli import main\n"
                "try:\n    main(sys.argv[1:])\n"
                "finally:\n    print('PEAK_KIB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)")
    env = dict(os.environ, INSTRUCTOR_TOKEN=hostile.TOKEN,
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    done = subprocess.run([sys.executable, "-c", measured, name, "--course-dir", str(course), "--inbox", str(inbox),
                           "--jobs", "1", "--wall-limit", "60", "--memory-limit", str(MEMORY_LIMIT_MIB),
                           "--feedback", "--csv", str(root / "grades.csv")],
                          cwd=course, env=env, capture_output=True, text=True, timeout=1800)
    with open(root / "grades.csv") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    left = {pid: line for pid, line in grading_processes().items() if pid not in processes}
    return dict(course=course, name=name, done=done, rows=rows, left=left,
                groups_before=groups, groups_after=grading_groups(), files_before=files, files_after=_tmp_entries())


def test_the_batch_finishes(graded):
    done = graded["done"]
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert len(graded["rows"]) == 2 * len(ATTACKS) + 2   # and the untouched exercise, and the leak


def test_the_attackers_were_graded_right_before_their_honest_students(graded):
    order = re.findall(rf"^\[\s*\d+/\d+\] {CHAPTER} (\S+):", graded["done"].stdout, re.MULTILINE)
    for attacker, honest in _ids().values():
        assert order.index(honest) == order.index(attacker) + 1, "each attack must meet an honest student next"


@pytest.mark.parametrize("attack", hostile.AGAINST_OTHERS)
def test_an_attacker_cannot_change_the_next_students_score(graded, attack):
    attacker, honest = _ids()[attack]
    row = graded["rows"][honest]
    assert (row["status"], float(row["score"])) == ("graded", float(hostile.corpus.POINTS)), row


@pytest.mark.parametrize("attack", ATTACKS)
def test_an_attacker_scores_no_more_than_the_untouched_exercise(graded, attack):
    attacker, _ = _ids()[attack]
    untouched = float(graded["rows"]["s00-untouched"]["score"])
    assert untouched == 0
    assert (graded["rows"][attacker]["status"], float(graded["rows"][attacker]["score"])) == ("graded", untouched)


def test_hidden_tests_never_reach_the_student(graded):
    """A correct answer that reads its callers' source and prints and raises it: the check kernel
    calls it from the grader's own code, so no test's source is there to read."""
    row = graded["rows"]["s99-leaks"]
    assert row["status"] == "graded" and float(row["score"]) == hostile.corpus.POINTS - 1, row   # encode fails, by its own raise
    folder = graded["course"]
    feedback = "".join(p.read_text(errors="replace") for p in (folder / "feedback" / "s99-leaks").rglob("*.html"))
    assert feedback and "BEGIN HIDDEN" not in feedback and hostile.HIDDEN_TEST_MARK not in feedback
    # The autograded notebook is the instructor's and shows the test cells whole; what the
    # student's code read and raised is the error's message, which must hold no test source.
    autograded = nbformat.read(next((folder / "autograded" / "s99-leaks").rglob("*.ipynb")), as_version=4)
    said = [o.get("evalue", "") + o.get("text", "") for c in autograded.cells if c.cell_type == "code"
            for o in c.outputs]
    assert any("ValueError" in text for text in said), "the leak's own error is reported"
    assert not [t for t in said if hostile.HIDDEN_TEST_MARK in t], "hidden test source reached the student"


def test_the_instructors_environment_never_reaches_feedback(graded):
    feedback = graded["course"] / "feedback"
    texts = [p.read_text(errors="replace") for p in feedback.rglob("*.html")]
    autograded = [p.read_text(errors="replace") for p in (graded["course"] / "autograded").rglob("*.ipynb")]
    assert texts, "feedback was written"
    assert not [t for t in texts + autograded if hostile.TOKEN in t]


def test_the_host_is_left_as_it_was(graded):
    assert not graded["left"], f"processes outlived the batch: {graded['left']}"
    assert graded["groups_after"] == graded["groups_before"], "control groups outlived the batch"
    assert graded["files_after"] == graded["files_before"], "files were left in the host's /dev/shm"


def test_the_grading_process_stays_small_whatever_students_print(graded):
    peak = [int(line.split()[1]) for line in graded["done"].stderr.splitlines() if line.startswith("PEAK_KIB")]
    assert peak and peak[0] / 1024 < GRADER_PEAK_LIMIT_MIB, f"the grader peaked at {peak[0] / 1024:.0f} MiB"
