"""``shapeschool-grade`` reads its configuration the way nbgrader's own apps do: every Jupyter
config folder (~/.jupyter, /etc/jupyter, ...), then the current folder, then the course
directory, then the command line. Run in-process here, with a kernel-less execute (tiny.py)."""
import csv
import subprocess
import sys

import pytest

import tiny
from shapeschool_grader import app


@pytest.fixture
def user_config(tmp_path, monkeypatch):
    """An empty ~/.jupyter of a user of its own; returns the folder nbgrader_config.py goes in."""
    home = tmp_path / "home"
    (home / ".jupyter").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(home / ".jupyter"))
    monkeypatch.delenv("JUPYTER_CONFIG_PATH", raising=False)
    return home / ".jupyter"


_grade = tiny.grade_in_process


def test_a_db_url_from_the_users_jupyter_config_is_where_the_scores_go(tmp_path, user_config, tiny_course):
    db = tmp_path / "shared" / "gradebook.db"
    db.parent.mkdir()
    (tiny_course.root / "gradebook.db").rename(db)
    url = f"sqlite:///{db}"
    course = tiny_course
    (user_config / "nbgrader_config.py").write_text(f"c = get_config()\nc.CourseDirectory.db_url = {url!r}\n")
    tiny.submit(course, "alice")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    grader, code = _grade("--course-dir", str(course.root), "--unsandboxed", "--csv", str(tmp_path / "g.csv"),
                          cwd=elsewhere)
    assert code == 0
    assert not (course.root / "gradebook.db").exists(), "nothing may go to the course folder's default gradebook"
    with tiny.Course(tiny.config(course.root, url)).gradebook() as gb:
        assert gb.find_submission(tiny.ASSIGNMENT, "alice").score == tiny.POINTS
    with open(tmp_path / "g.csv") as f:
        assert [(r["student"], r["score"]) for r in csv.DictReader(f)] == [("alice", str(tiny.POINTS))]


def test_the_command_line_beats_the_course_folder_which_beats_the_user(user_config, tiny_course):
    course = tiny_course
    (user_config / "nbgrader_config.py").write_text("c = get_config()\nc.ShapeSchoolGrader.jobs = 5\n"
                                                    "c.ShapeSchoolGrader.wall_limit = 11\n")
    (course.root / "nbgrader_config.py").write_text("c = get_config()\nc.ShapeSchoolGrader.jobs = 4\n")
    grader, _ = _grade("--course-dir", str(course.root), "--unsandboxed", cwd=course.root)
    assert (grader.jobs, grader.wall_limit) == (4, 11)
    grader, _ = _grade("--course-dir", str(course.root), "--unsandboxed", "--jobs", "3", cwd=course.root)
    assert grader.jobs == 3


def test_an_unknown_assignment_and_a_stray_folder_are_named(user_config, tiny_course, capsys):
    course = tiny_course
    tiny.submit(course, "alice")
    (course.root / "submitted" / "alice" / "a2").mkdir()
    _, code = _grade("--course-dir", str(course.root), "--unsandboxed", "a9", "a1", cwd=course.root)
    out = capsys.readouterr().out
    assert code == 0
    assert "SKIPPED a9: no such assignment in the gradebook (known: a1)" in out
    assert "SKIPPED submitted/*/a2: a2 is not an assignment of this course" in out
    assert "[1/1] a1 alice: 2/2" in out


def test_assignment_and_student_options_choose_as_nbgraders_do(user_config, tiny_course, capsys):
    course = tiny_course
    tiny.submit(course, "alice")
    tiny.submit(course, "bob")
    _, code = _grade("--course-dir", str(course.root), "--unsandboxed", "--assignment=a1", "--student=b*",
                     cwd=course.root)
    out = capsys.readouterr().out
    assert code == 0 and "a1 bob: 2/2" in out and "alice" not in out
    _, code = _grade("--course-dir", str(course.root), "--unsandboxed", "--assignment=a9", cwd=course.root)
    assert "SKIPPED a9: no such assignment" in capsys.readouterr().out


def test_without_the_grader_extra_the_command_says_what_to_install(tmp_path):
    hide = ("import importlib.util, sys\n"
            "real = importlib.util.find_spec\n"
            "importlib.util.find_spec = lambda name, *a: None if name == 'nbgrader' else real(name, *a)\n"
            "from shapeschool_grader.cli import main\n"
            "sys.exit(main([]))")
    done = subprocess.run([sys.executable, "-c", hide], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 2
    assert 'pip install "shapeschool[grader]"' in done.stderr and "not installed: nbgrader" in done.stderr


@pytest.mark.parametrize("argv, env", [([], {"SHAPESCHOOL_PICTURES": "off"}), (["--pictures"], {})])
def test_the_lessons_pictures_are_drawn_while_grading_only_when_asked(argv, env, user_config, tiny_course):
    """No score depends on a picture; the kernels are told to skip them unless --pictures."""
    grader = app.ShapeSchoolGrader()
    grader.initialize(argv + ["--course-dir", str(tiny_course.root)])
    assert grader.kernels(1, sandboxed=False).kernel_env == env


def test_a_student_named_with_spaces_and_accents_is_one_id_in_the_gradebook_and_the_csv(tmp_path, user_config,
                                                                                         tiny_course):
    course = tiny_course
    box = tmp_path / "inbox"
    box.mkdir()
    import nbformat

    nb = nbformat.read(course.root / "release" / tiny.ASSIGNMENT / f"{tiny.ASSIGNMENT}.ipynb", as_version=4)
    nb.cells[0].source = "x = 42"
    nbformat.write(nb, box / "Jose\u0301 Ñúñez.ipynb")   # as macOS spells it: e, then a combining accent
    grades = tmp_path / "grades.csv"
    _, code = _grade(tiny.ASSIGNMENT, "--course-dir", str(course.root), "--unsandboxed", "--inbox", str(box),
                     "--csv", str(grades), cwd=course.root)
    assert code == 0
    with course.gradebook() as gb:
        assert [s.id for s in gb.students] == ["José Ñúñez"]
        assert gb.find_submission(tiny.ASSIGNMENT, "José Ñúñez").score == tiny.POINTS
    with open(grades, encoding="utf-8") as f:
        assert [(r["student"], r["score"]) for r in csv.DictReader(f)] == [("José Ñúñez", str(tiny.POINTS))]
