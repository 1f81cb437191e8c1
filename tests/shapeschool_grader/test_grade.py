"""``shapeschool-grade`` as an instructor uses it: the same scores as plain nbgrader,
a run killed part-way and run again, and a folder of files instead of nbgrader's exchange."""
import re
import shutil
import zipfile

import pytest
from nbgrader.api import Gradebook

import class_runs
from conftest import REPO
from shapeschool_grader import benchmark

pytestmark = pytest.mark.slow

CHAPTER = "ch01_embeddings_to_lstm"
EXPECTED = {"answer-key": 6, "untouched": 0, "half-done": 3}   # chapter 1, out of 6 (half-done: the first
# five of its eleven answer cells, predictions included, hold the answers of three checks)


def test_same_scores_cell_by_cell_as_sequential_nbgrader_on_a_mixed_class(tmp_path):
    """Every chapter, each with a correct, a half-done and an untouched submission."""
    sequential, ours, diff = benchmark.run(students=3, chapters=None, jobs=3, workdir=tmp_path)
    assert not diff, f"scores differ from plain nbgrader autograde: {diff[:5]}"
    scores = benchmark.cell_scores(tmp_path / "parallel")
    assert len(scores) > 60 and {0, 1} <= set(scores.values()), "the class must mix passes and fails"


def _course(root, students):
    course, releases = benchmark.make_course(root, [REPO / "course" / f"{CHAPTER}.ipynb"])
    roster = benchmark.make_class(course, releases, students)
    return course, roster


def _grades(course):
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        rows = [(s.student.id, n.name, g.name, g.score) for s in gb.assignment_submissions(CHAPTER)
                for n in s.notebooks for g in n.grades]
    return rows


def test_a_run_killed_part_way_and_run_again_finishes_consistently(tmp_path):
    course, roster = _course(tmp_path / "course", students=9)
    finished_first = class_runs.kill_part_way(course, CHAPTER)
    again = benchmark.grade(course, "--jobs", "2")
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
    assert f"{finished_first} submissions already graded and unchanged" in again.stdout
    class_runs.assert_consistent(f"sqlite:///{course / 'gradebook.db'}", CHAPTER,
                                 {student: EXPECTED[kind] for (student, _), kind in roster.items()})


def test_a_folder_of_notebooks_and_zips_named_by_student(tmp_path):
    course, releases = benchmark.make_course(tmp_path / "course", [REPO / "course" / f"{CHAPTER}.ipynb"])
    kinds = benchmark.submissions(releases[CHAPTER], REPO / "course" / f"{CHAPTER}.ipynb")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    import nbformat
    nbformat.write(kinds["answer-key"], inbox / "alice.ipynb")
    with zipfile.ZipFile(inbox / "bob.zip", "w") as z:
        z.writestr(f"bob-work/{CHAPTER}.ipynb", nbformat.writes(kinds["half-done"]))
    with zipfile.ZipFile(inbox / "carol.zip", "w") as z:
        z.writestr("notes.txt", "I forgot the notebook")
    before = {p.name: p.read_bytes() for p in inbox.iterdir()}
    done = benchmark.grade(course, CHAPTER, "--inbox", str(inbox), "--csv", str(tmp_path / "grades.csv"))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert {p.name: p.read_bytes() for p in inbox.iterdir()} == before, "the inbox is only read"
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        scores = {s.student.id: s.score for s in gb.assignment_submissions(CHAPTER)}
    assert scores == {"alice": EXPECTED["answer-key"], "bob": EXPECTED["half-done"], "carol": 0}
    assert "carol.zip holds no notebook" in done.stdout
    shutil.rmtree(course)


def test_without_a_sandbox_grading_works_and_says_so_loudly(tmp_path):
    course, roster = _course(tmp_path / "course", students=2)
    done = benchmark.grade(course, "--unsandboxed")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "UNSANDBOXED" in done.stderr and "(UNSANDBOXED)" in done.stdout
    totals = {}
    for student, _, _, score in _grades(course):
        totals[student] = totals.get(student, 0) + score
    assert totals == {student: EXPECTED[kind] for (student, _), kind in roster.items()}


def test_unusable_names_are_refused_and_touch_no_other_student(tmp_path):
    """Files named so that nbgrader would read the id as a pattern or a path, or skip it, are
    refused with a rename; the honest students beside them get exactly their scores; a student's
    scripts are dead in the autograded notebook and the feedback."""
    course, releases = benchmark.make_course(tmp_path / "course", [REPO / "course" / f"{CHAPTER}.ipynb"])
    kinds = benchmark.submissions(releases[CHAPTER], REPO / "course" / f"{CHAPTER}.ipynb")
    import nbformat
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    nbformat.write(kinds["answer-key"], inbox / "alice.ipynb")
    nbformat.write(kinds["half-done"], inbox / "bob.ipynb")
    bad_names = ["*", "alice[1]", ".carol", "dave\nx", "b?b"]
    for bad in bad_names:
        nbformat.write(kinds["answer-key"], inbox / f"{bad}.ipynb")
    hostile = kinds["answer-key"]
    hostile.cells.append(nbformat.v4.new_markdown_cell("<script>alert('md')</script> [x](javascript:alert(1))"))
    hostile.cells.append(nbformat.v4.new_code_cell(
        "from IPython.display import HTML, display\ndisplay(HTML(\"<script>alert('out')</script>\"))"))
    nbformat.write(hostile, inbox / "eve.ipynb")

    for attempt in range(2):   # and again: refusals repeat, nothing is graded twice
        done = benchmark.grade(course, CHAPTER, "--inbox", str(inbox), "--csv", str(tmp_path / "grades.csv"),
                                  "--feedback")
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        assert done.stdout.count("cannot be a student id") == len(bad_names), done.stdout[-3000:]
        assert ("3 submissions already graded and unchanged" in done.stdout) == (attempt == 1), done.stdout[:600]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        scores = {s.student.id: s.score for s in gb.assignment_submissions(CHAPTER)}
    assert scores == {"alice": EXPECTED["answer-key"], "bob": EXPECTED["half-done"], "eve": EXPECTED["answer-key"]}
    assert sorted(p.name for p in (course / "submitted").iterdir()) == ["alice", "bob", "eve"]
    assert "rename it to 'alice-1'" in done.stdout and "rename it to 'carol'" in done.stdout
    rows = (tmp_path / "grades.csv").read_text()
    assert rows.count(",rejected,") == len(bad_names)

    outputs = [o for c in nbformat.read(course / "autograded" / "alice" / CHAPTER / f"{CHAPTER}.ipynb",
                                        as_version=4).cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if "image/png" in o.get("data", {})], "pictures are drawn only with --pictures"
    assert any("not drawn, SHAPESCHOOL_PICTURES=off" in o.get("text", "") for o in outputs)

    graded = nbformat.read(course / "autograded" / "eve" / CHAPTER / f"{CHAPTER}.ipynb", as_version=4)
    rendered = [c.source for c in graded.cells if c.cell_type == "markdown"] + [
        str(o.get("data", {})) for c in graded.cells for o in c.get("outputs", [])]   # what formgrader renders
    feedback = (course / "feedback" / "eve" / CHAPTER / f"{CHAPTER}.html").read_text()
    live_html = re.compile(r"<script>alert|href=[\"']?\s*javascript:", re.IGNORECASE)
    live_markdown = re.compile(r"<script>alert|\]\(\s*javascript:", re.IGNORECASE)   # rendered again later
    for page in rendered:
        assert not live_markdown.search(page), page[:300]
    assert not live_html.search(feedback)
