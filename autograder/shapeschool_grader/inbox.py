"""``--inbox``: a folder of STUDENT.ipynb / STUDENT.zip files (an LMS download) added to submitted/.

It only ever adds. A submitted/STUDENT/ASSIGNMENT folder it did not make (``nbgrader collect``
made it, or someone edited it) is never touched: that inbox file is not imported, with a
message saying so. A folder an earlier import made, unchanged since, is replaced when the inbox
holds a different file for that student, and the earlier import is moved to
``.shapeschool/replaced/`` rather than deleted. Each import is recorded in
``.shapeschool/inbox/ASSIGNMENT/STUDENT.json`` (what was written, from which file).
"""
import json
import os
import shutil
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from . import intake, journal


@dataclass
class Imported:
    added: list = field(default_factory=list)       # students whose submission was added or updated
    unchanged: list = field(default_factory=list)   # already imported from the same file
    refused: list = field(default_factory=list)     # (student, message): the id is unusable
    kept: list = field(default_factory=list)        # (student, message): submitted/ holds another submission
    renamed: list = field(default_factory=list)     # (file name, student id): an id written another way


def _contents(folder):
    """One digest of a folder's files by path and bytes, less timestamp.txt (which only says when)."""
    folder = Path(folder)
    return journal.files_digest([p for p in folder.rglob("*") if p.is_file() and p.name != "timestamp.txt"], folder)


def _prepare(path, notebook, into):
    """Write what the submission folder should hold for inbox file ``path`` into ``into``."""
    if path.suffix == ".zip":
        try:
            intake.unpack_zip(path, notebook, into)
        except intake.Rejected as exc:
            (into / "REJECTED.txt").write_text(str(exc) + "\n")
    else:
        shutil.copyfile(path, into / f"{notebook}.ipynb")
    stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(path.stat().st_mtime))
    (into / "timestamp.txt").write_text(stamp + "\n")


def import_folder(course, assignment, inbox, notebooks):
    """Add each usable file of ``inbox`` to ``course``'s submitted/ for ``assignment``."""
    inbox = Path(inbox)
    if not inbox.is_dir():
        raise SystemExit(f"--inbox {inbox}: no such folder")
    done = Imported()
    records = course.state / "inbox" / assignment
    for path in sorted(inbox.iterdir()):
        if path.suffix not in (".ipynb", ".zip") or not path.is_file():
            continue
        # One id per student however their system spelled the file's name: macOS writes "é" as
        # "e" and a combining accent, Windows and LMS pages as one character (NFC, used here).
        student = unicodedata.normalize("NFC", path.stem)
        if student != path.stem:
            done.renamed.append((path.name, student))
        problem = intake.refuse_student_id(student, f"{inbox.name}/{path.name}")
        if problem:
            done.refused.append((student, problem))
            continue
        target = course.submitted_folder(assignment, student)
        record_path = records / f"{student}.json"
        with tempfile.TemporaryDirectory(dir=course.state if course.state.is_dir() else None) as scratch:
            fresh = Path(scratch) / "new"
            fresh.mkdir()
            _prepare(path, notebooks[0], fresh)
            wanted = _contents(fresh)
            if target.exists():
                present = _contents(target)
                if present == wanted:
                    done.unchanged.append(student)
                    continue
                record = json.loads(record_path.read_text()) if record_path.exists() else None
                if record is None or record.get("contents") != present:
                    done.kept.append((student, (
                        f"{inbox.name}/{path.name} was not imported: submitted/{student}/{assignment} already "
                        "holds a different submission that --inbox did not put there (nbgrader collect?). "
                        "It is graded as it is; to grade the inbox file instead, move that folder aside "
                        "and run again")))
                    continue
                replaced = course.state / "replaced" / assignment / student
                replaced.mkdir(parents=True, exist_ok=True)
                aside = Path(tempfile.mkdtemp(prefix=time.strftime("%Y%m%dT%H%M%S-"), dir=replaced))
                os.replace(target, aside / assignment)   # our own earlier import: kept, never deleted
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(fresh, target)
        record_path.parent.mkdir(parents=True, exist_ok=True)
        record_path.write_text(json.dumps({"from": str(path.resolve()), "contents": wanted}, indent=1))
        done.added.append(student)
    return done
