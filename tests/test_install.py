"""An instructor's install: a fresh virtual environment, ``pip install ".[grader]"``, and the
``shapeschool-grade`` command grading a course from a folder that is not this repository.

The distribution is built from a copy of only what pyproject.toml packages (so nothing may lean
on the rest of the checkout), installed as an ordinary (not editable) install, at the versions
requirements.txt pins (torch's CPU build among them)."""
import os
import shutil
import subprocess
import sys

import pytest

from conftest import REPO
from shapeschool_grader import benchmark

pytestmark = pytest.mark.slow

CHAPTER = "ch01_embeddings_to_lstm"


def test_pip_install_grader_extra_gives_a_command_that_grades_from_any_folder(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "requirements.txt"):
        shutil.copy(REPO / name, source / name)
    shutil.copytree(REPO / "shapeschool", source / "shapeschool", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "autograder", source / "autograder", ignore=shutil.ignore_patterns("__pycache__"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    pip = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                          "--constraint", str(source / "requirements.txt"), f"{source}[grader]"],
                         capture_output=True, text=True, timeout=1200)
    assert pip.returncode == 0, pip.stdout[-3000:] + pip.stderr[-3000:]
    command = venv / "bin" / "shapeschool-grade"
    assert command.exists(), "the grader extra must put shapeschool-grade on the PATH"
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import shapeschool_grader, shapeschool_nbgrader, "
                            "shapeschool; print(shapeschool_grader.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert where.returncode == 0 and str(venv) in where.stdout, where.stdout + where.stderr

    course, releases = benchmark.make_course(tmp_path / "course", [REPO / "course" / f"{CHAPTER}.ipynb"])
    roster = benchmark.make_class(course, releases, 3)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = "/usr/bin:/bin"   # only the venv's own command, called by its path
    done = subprocess.run([str(command), "--course-dir", str(course), "--csv", str(tmp_path / "grades.csv")],
                          cwd=elsewhere, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "UNSANDBOXED" not in done.stderr or not shutil.which("bwrap")
    scores = {row.split(",")[1]: float(row.split(",")[2])
              for row in (tmp_path / "grades.csv").read_text().splitlines()[1:]}
    expected = {"answer-key": 6, "untouched": 0, "half-done": 3}   # chapter 1, as in test_grade.py
    assert scores == {student: expected[kind] for (student, _), kind in roster.items()}
