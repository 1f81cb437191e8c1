"""Running the real nbgrader command line in a throwaway course directory."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

class NbgraderFailed(RuntimeError):
    """An nbgrader command exited non-zero; the message carries its output."""


def make_course(root, db_url=None):
    """Create an nbgrader course directory at ``root`` that uses the course's config (and the
    gradebook at ``db_url``, if given, instead of root/gradebook.db)."""
    root = Path(root)
    (root / "source").mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        "from shapeschool_nbgrader.config import configure\n"
        "configure(c)\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        + (f"c.CourseDirectory.db_url = {db_url!r}\n" if db_url else "")
    )
    return root


def add_source(course, chapter_path):
    """Copy a course/ notebook in as the source of the assignment named after the file."""
    chapter_path = Path(chapter_path)
    name = chapter_path.stem
    target = Path(course) / "source" / name
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(chapter_path, target / chapter_path.name)
    return name


def run(course, *args, timeout=1800):
    """Run ``nbgrader ARGS`` inside ``course`` and return its combined output."""
    # nbgrader runs `alembic` by name, so the interpreter's bin folder must be on PATH
    bindir = os.path.dirname(sys.executable)
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course, env=env, capture_output=True, text=True, timeout=timeout,
    )
    output = done.stdout + done.stderr
    if done.returncode != 0:
        raise NbgraderFailed(f"nbgrader {' '.join(args)} exited {done.returncode}:\n{output}")
    if "Exception while loading config file" in output:
        # nbgrader logs a broken config and carries on with its defaults; the course must not
        raise NbgraderFailed(f"nbgrader could not load the course's config:\n{output}")
    return output


def generate_assignment(course, name):
    """``nbgrader generate_assignment NAME`` and the path of the released notebook."""
    run(course, "generate_assignment", name, "--force")
    return Path(course) / "release" / name / f"{name}.ipynb"
