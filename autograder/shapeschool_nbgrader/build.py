"""Build exercises/ and solutions/ from course/, or check that the committed copies match.

    python -m shapeschool_nbgrader            # rewrite every generated notebook
    python -m shapeschool_nbgrader --check    # exit 1 and list the files that drifted
    python -m shapeschool_nbgrader ch01_...   # only the named chapters

Each run also writes (or checks) docs/cheatsheet.md, made from every chapter
(shapeschool_nbgrader.cheatsheet), and shapeschool/chapters/answers.py, the other right answers
a passing check shows, made from the fix catalogue (shapeschool_nbgrader.answers).

exercises/NAME.ipynb is exactly what ``nbgrader generate_assignment`` releases (broken code in
place of solutions, hidden tests removed, outputs cleared). solutions/NAME.ipynb is the source
with markers, broken blocks and hidden tests removed, executed, with outputs stored.
"""
import argparse
import copy
import json
import sys
import tempfile
from pathlib import Path

import nbformat

from . import answers, cheatsheet, markers, nbgrader_cli

CELL_TIMEOUT = 120


def repository(start=None):
    """The Shape School repository holding ``start`` (default: the current folder): the nearest
    folder, ``start`` or above it, with course/ and pyproject.toml. The build works on a checkout,
    never on an installed copy of this package."""
    start = Path(start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / "course").is_dir() and (folder / "pyproject.toml").is_file():
            return folder
    raise SystemExit(f"{start} is not inside a Shape School checkout (no folder with course/ and "
                     "pyproject.toml): run this from the repository, or pass --repo")


def chapters(repo, names=None):
    """The source notebooks in course/, optionally only those named."""
    found = sorted((repo / "course").glob("*.ipynb"))
    if not names:
        return found
    by_name = {p.stem: p for p in found}
    missing = [n for n in names if n not in by_name]
    if missing:
        raise SystemExit(f"no chapter named {', '.join(missing)} in course/; "
                         f"known: {', '.join(sorted(by_name)) or 'none'}")
    return [by_name[n] for n in names]


def student_notebook_text(source_path, workdir):
    """The student version's file text, released by the real nbgrader command."""
    course = nbgrader_cli.make_course(Path(workdir) / source_path.stem)
    name = nbgrader_cli.add_source(course, source_path)
    return nbgrader_cli.generate_assignment(course, name).read_text()


def answer_notebook(source_path):
    """The answer key before execution: markers, broken code and hidden tests removed."""
    nb = nbformat.read(source_path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = markers.answer_source(cell.source)
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
    return nb


def execute(nb, cwd):
    """Run a notebook top to bottom in a fresh kernel; any error stops the build."""
    from nbclient import NotebookClient

    metadata = copy.deepcopy(nb.metadata)
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(cwd)}})
    client.execute()
    # The kernel's language_info and the widgets' saved state (random model ids, megabytes of
    # PNG) would make every rebuild a diff; the answer key keeps the source's metadata.
    nb.metadata = metadata
    return nb


def without_outputs(nb):
    """A copy to compare sources by: outputs, counts and run metadata removed."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cell.metadata.pop("execution", None)
    return json.dumps(nb, sort_keys=True, indent=1)


def unexecuted_cells(nb):
    return [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.execution_count is None]


def build(repo, paths, check):
    """Write (or, with check, compare) each chapter's generated copies; return drift messages."""
    drift, exercises, solutions = [], repo / "exercises", repo / "solutions"
    with tempfile.TemporaryDirectory(prefix="shapeschool-build-") as workdir:
        for source in paths:
            student_path = exercises / source.name
            student_text = student_notebook_text(source, workdir)
            key = answer_notebook(source)
            key_path = solutions / source.name
            if check:
                if not student_path.exists() or student_path.read_text() != student_text:
                    drift.append(f"{student_path.relative_to(repo)} differs from what course/{source.name} generates")
                if not key_path.exists():
                    drift.append(f"{key_path.relative_to(repo)} is missing")
                    continue
                committed = nbformat.read(key_path, as_version=4)
                if without_outputs(committed) != without_outputs(key):
                    drift.append(f"{key_path.relative_to(repo)} differs from what course/{source.name} generates")
                elif unexecuted_cells(committed):
                    drift.append(f"{key_path.relative_to(repo)} has code cells without stored outputs "
                                 f"(cells {unexecuted_cells(committed)})")
                continue
            exercises.mkdir(exist_ok=True)
            solutions.mkdir(exist_ok=True)
            student_path.write_text(student_text)
            nbformat.write(execute(key, solutions), key_path)
            print(f"built {student_path.relative_to(repo)} and {key_path.relative_to(repo)}")
    return drift


def write_made(repo, check, where, text, source):
    """Write (or, with check, compare) one file made from the course; return drift."""
    path = repo / where
    if check:
        return [] if path.exists() and path.read_text() == text else [f"{where} differs from what {source} generates"]
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    print(f"built {where}")
    return []


def write_cheatsheet(repo, check):
    """docs/cheatsheet.md, made from every chapter."""
    return write_made(repo, check, cheatsheet.PATH, cheatsheet.render(repo), "course/")


def write_answers(repo, check):
    """shapeschool/chapters/answers.py, the other right answers, made from tests/fixes/."""
    return write_made(repo, check, answers.PATH, answers.render(repo), "tests/fixes/ and course/")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m shapeschool_nbgrader", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapters", nargs="*", help="chapter names (file names in course/ without .ipynb)")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if exercises/ or solutions/ differ from course/")
    parser.add_argument("--repo", help="the repository to build (default: the one holding the current folder)")
    args = parser.parse_args(argv)
    repo = repository(args.repo)
    paths = chapters(repo, args.chapters)
    if not paths:
        raise SystemExit("course/ holds no chapters (*.ipynb): nothing to build")
    # the other right answers first: a passing check in the answer keys built next prints them
    drift = write_answers(repo, args.check) + write_cheatsheet(repo, args.check)
    drift += build(repo, paths, args.check)
    if drift:
        print("generated notebooks are out of date:\n  " + "\n  ".join(drift)
              + "\nrun `make generate` and commit course/, exercises/ and solutions/ together",
              file=sys.stderr)
        return 1
    if args.check:
        print(f"exercises/ and solutions/ match course/ ({len(paths)} chapters)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
