"""Reading what a student handed in, before nbgrader sees it.

Every submission is read here from its own file, which is never written to. Problems become
``Rejected`` (the file cannot be graded: the instructor is told why and the student scores 0)
or notes (the notebook was repaired and graded: the instructor is told what was repaired).

The repairs all restore what the release said, so none of them can raise a score that the
student's own code did not earn:
- an nbformat 3 notebook is converted to nbformat 4;
- a notebook saved under another name is graded as the notebook it is;
- nbgrader cell metadata that was edited (points raised, grade flag removed) is put back;
- metadata stripped by another editor is put back by matching cells against the release, so
  the student's answers are graded rather than silently zeroed.
nbgrader then does the rest: ``OverwriteCells`` puts back the source and type of every locked
cell and (with ``add_missing_cells``) re-adds deleted test cells; ``DeduplicateIds`` ignores
copies of a cell.
"""
import difflib
import io
import json
import os
import re
import shutil
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

MAX_NOTEBOOK_BYTES = 50 * 2**20
MAX_STUDENT_ID = 100
# What a student id may hold: letters and digits (any script), then also . _ - @ + (e-mail
# addresses and LMS ids fit). nbgrader puts ids into folder names and glob patterns, so anything
# else is refused at intake, before nbgrader reads it: a "*" matched every student.
# Letters and digits of any script, then those and . @ + - _ and single inner spaces ("José Ñúñez",
# "李雷", "a.b@uni.edu"): what nbgrader's folders, gradebook and patterns carry as they are.
_SAFE_ID = re.compile(r"\A[^\W_](?:[\w.@+-]| (?! ))*(?<! )\Z")
# the nbgrader metadata that decides how a cell is graded (nbgrader recomputes the rest)
GRADING_KEYS = ("grade", "solution", "locked", "points", "task")


class Rejected(Exception):
    """The submission cannot be graded; the message says why and what to do."""


@dataclass
class Intake:
    notebook: nbformat.NotebookNode
    notes: list = field(default_factory=list)


def student_id_problem(name):
    """Why ``name`` cannot be a student id nbgrader handles safely, or None when it can."""
    if not name:
        return "it is empty"
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        return "it holds a control character (a newline, a tab or similar)"
    if any(ch in name for ch in "*?[]"):
        return "nbgrader reads * ? [ ] in an id as a pattern, which can match other students' folders"
    if any(ch in name for ch in "/\\") or name in (".", ".."):
        return "a path separator or '..' would reach outside the student's own folder"
    if name.startswith("."):
        return "a name starting with '.' is a hidden file, which nbgrader and the exchange skip"
    if len(name) > MAX_STUDENT_ID:
        return f"it is {len(name)} characters long, over the limit of {MAX_STUDENT_ID}"
    if not _SAFE_ID.match(name):
        return ("it holds characters nbgrader's folders, patterns and pages cannot carry safely (use letters, "
                "digits, single spaces between words, and . _ - @ +)")
    return None


def safe_student_id(name):
    """A suggestion to rename an unusable id to: unsafe characters become '-', no leading dots."""
    cleaned = "".join(ch for ch in unicodedata.normalize("NFC", name) if not unicodedata.category(ch).startswith("C"))
    cleaned = re.sub(r"\s+", " ", re.sub(r"[^\w.@+\s-]+", "-", cleaned)).strip()
    cleaned = cleaned.lstrip("._-")[:MAX_STUDENT_ID].rstrip("- ")
    return cleaned if cleaned and not student_id_problem(cleaned) else "student-1"


def refuse_student_id(name, where):
    """The rejection message for an unusable id, or None: it names the file and the rename."""
    problem = student_id_problem(name)
    if problem is None:
        return None
    return (f"{where}: {name!r} cannot be a student id: {problem}. Nothing of it was graded and no other "
            f"student is affected: rename it to {safe_student_id(name)!r} and grade again")


def nbgrader_meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def grade_ids(nb):
    return {nbgrader_meta(c)["grade_id"] for c in nb.cells if nbgrader_meta(c).get("grade_id")}


def read(path):
    """The notebook in ``path`` as nbformat 4, or Rejected with a message an instructor can act on."""
    data = Path(path).read_bytes()
    name = Path(path).name
    if not data.strip():
        raise Rejected(f"{name} is empty (0 cells, {len(data)} bytes): ask the student to resubmit")
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise Rejected(f"{name} is {len(data) / 2**20:.0f} MiB, over the {MAX_NOTEBOOK_BYTES / 2**20:.0f} MiB "
                       "limit for a notebook: ask the student to clear outputs and resubmit")
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Rejected(f"{name} is not a notebook: it is not valid JSON ({exc}); it may have been "
                       "truncated or saved by another program: ask the student to resubmit") from None
    except RecursionError:
        raise Rejected(f"{name} is not a notebook: its JSON is nested thousands of levels deep, as no "
                       "notebook is: ask the student to resubmit the notebook they were given") from None
    if not isinstance(raw, dict) or "nbformat" not in raw:
        raise Rejected(f"{name} is JSON but not a notebook (no 'nbformat' field): ask the student to resubmit")
    if type(raw["nbformat"]) is not int or not 1 <= raw["nbformat"] <= 4:
        raise Rejected(f"{name} is not a notebook this course can read: its 'nbformat' field is "
                       f"{raw['nbformat']!r}, not a notebook format version (1 to 4): ask the student to resubmit the notebook they were given")
    notes = _drop_malformed_nbgrader_metadata(raw, name)
    if raw["nbformat"] < 4:
        notes.append(f"{name} was an nbformat {raw['nbformat']} notebook; converted to nbformat 4")
    try:
        with warnings.catch_warnings():   # a 4.5 notebook an editor saved without cell ids: added below
            warnings.simplefilter("ignore")
            nb = nbformat.reads(json.dumps(raw), as_version=4)
        # Cell ids belong to nbformat 4.5 and later; in an older notebook one is invalid, and
        # nbgrader (writing it) would log "Notebook JSON is invalid" as plain autograde does not.
        if (nb.nbformat, nb.nbformat_minor) >= (4, 5):
            for index, cell in enumerate(nb.cells):
                cell.setdefault("id", f"cell-{index}")
    except Exception as exc:  # nbformat's reader raises several kinds for a broken layout
        raise Rejected(f"{name} could not be read as a notebook ({type(exc).__name__}: {exc}): "
                       "ask the student to resubmit") from None
    return Intake(nb, notes)


_FLAG_KEYS = ("grade", "solution", "locked", "task")


def _drop_malformed_nbgrader_metadata(raw, name):
    """Remove nbgrader metadata nbgrader itself would crash on (a string where a dict belongs, a
    grade_id that is not a string, points that are not a number); ``restore_metadata`` then puts
    the release's back where the cell matches. Returns notes."""
    notes = []
    cells = raw.get("cells") if isinstance(raw.get("cells"), list) else []
    for index, cell in enumerate(cells):
        meta = cell.get("metadata") if isinstance(cell, dict) else None
        if not isinstance(meta, dict) or "nbgrader" not in meta:
            continue
        ng = meta["nbgrader"]
        fine = (isinstance(ng, dict) and isinstance(ng.get("grade_id", ""), str)
                and all(isinstance(ng.get(k, False), bool) for k in _FLAG_KEYS)
                and type(ng.get("points", 0)) in (int, float))
        if not fine:
            del meta["nbgrader"]
            notes.append(f"{name}: cell {index}'s nbgrader metadata was not valid ({json.dumps(ng)[:80]}); "
                         "it was removed, and put back from the release where the cell matches")
    return notes


def belongs_to(nb, release, releases, name):
    """Check ``nb`` is a copy of ``release``; Rejected if it is another chapter's, or no chapter's.

    Chapters share a few cell names ("setup", "explorer"), so a notebook counts as this
    release's when most of its graded-cell names are this release's.
    """
    ids = grade_ids(nb)
    if not ids:
        return   # stripped metadata: restore_metadata matches it by content instead
    if len(ids & grade_ids(release)) * 2 > len(ids):
        return
    best = max(releases, key=lambda other: len(ids & grade_ids(releases[other])), default=None)
    if best is not None and len(ids & grade_ids(releases[best])) * 2 > len(ids):
        raise Rejected(f"{name} is the notebook of {best.split('/')[0]}, not of this assignment: "
                       "ask the student to submit the right notebook")
    raise Rejected(f"{name} is a notebook of no chapter in this course (most of its graded cells "
                   "are unknown here): ask the student to submit the notebook they were given")


def restore_metadata(nb, release):
    """Put back the release's nbgrader metadata; return notes on what had changed."""
    notes = []
    by_id = {nbgrader_meta(c)["grade_id"]: c for c in release.cells if nbgrader_meta(c).get("grade_id")}
    if not grade_ids(nb):
        notes += _realign(nb, release)
    seen = set()
    for cell in nb.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id is not None and grade_id not in by_id:   # pasted from another chapter, or made up
            notes.append(f"cell {grade_id!r} is not a cell of this assignment; it runs as an ordinary cell")
            del cell.metadata["nbgrader"]
            continue
        if grade_id not in by_id:
            continue
        if grade_id in seen:   # a pasted copy: graded once, as nbgrader's DeduplicateIds would
            notes.append(f"cell {grade_id!r} appears more than once; the first copy is graded, "
                         "the others run as ordinary cells")
            del cell.metadata["nbgrader"]
            continue
        seen.add(grade_id)
        want = by_id[grade_id]
        changed = sorted(k for k in GRADING_KEYS if nbgrader_meta(want).get(k) != nbgrader_meta(cell).get(k))
        if changed:
            notes.append(f"cell {grade_id!r}: nbgrader metadata was edited ({', '.join(changed)}); restored")
        if cell.cell_type != want.cell_type:
            notes.append(f"cell {grade_id!r} was changed from {want.cell_type} to {cell.cell_type}; "
                         "nbgrader changes it back")
        elif nbgrader_meta(want).get("locked") and cell.source != want.source:
            notes.append(f"cell {grade_id!r} (read-only) was edited; nbgrader puts the original back")
        if changed:   # left as handed in otherwise, as nbgrader leaves it
            cell.metadata["nbgrader"] = json.loads(json.dumps(nbgrader_meta(want)))
    for grade_id, want in by_id.items():
        if grade_id not in seen and nbgrader_meta(want).get("grade"):
            notes.append(f"test cell {grade_id!r} was deleted; nbgrader adds it back")
    return notes


def _realign(nb, release):
    """Metadata stripped from every cell: match cells to the release and copy its metadata across.

    Cells the student could not change (prose, tests) match by source; the cells between two
    matches are paired in order when both sides have as many, which is how answer cells are found.
    """
    ours = [c.source for c in nb.cells]
    theirs = [None if nbgrader_meta(c).get("solution") else c.source for c in release.cells]
    matcher = difflib.SequenceMatcher(a=theirs, b=ours, autojunk=False)
    restored = 0
    previous_a = previous_b = 0
    for a, b, size in matcher.get_matching_blocks():
        gap = list(range(previous_a, a)), list(range(previous_b, b))
        pairs = list(zip(*gap)) if len(gap[0]) == len(gap[1]) else []
        pairs += [(a + k, b + k) for k in range(size)]
        for i, j in pairs:
            meta = nbgrader_meta(release.cells[i])
            if meta:
                nb.cells[j].metadata["nbgrader"] = json.loads(json.dumps(meta))
                restored += 1
        previous_a, previous_b = a + size, b + size
    return [f"nbgrader metadata had been stripped from every cell (another editor?); restored it "
            f"on {restored} cells by matching them to the release"]


def find_notebook(folder, expected):
    """The file in ``folder`` to grade as ``expected``.ipynb, and a note if it was renamed."""
    exact = Path(folder) / f"{expected}.ipynb"
    if exact.exists():
        return exact, None
    others = sorted(p for p in Path(folder).glob("*.ipynb") if not p.name.startswith("."))
    if len(others) == 1:
        return others[0], f"graded {others[0].name} as {expected}.ipynb (the only notebook submitted)"
    if not others:
        raise Rejected(f"no notebook was submitted (expected {expected}.ipynb)")
    names = ", ".join(p.name for p in others)
    raise Rejected(f"{expected}.ipynb is missing and several other notebooks were submitted ({names}): "
                   f"rename the right one to {expected}.ipynb")


def unpack_zip(path, notebook_name, target):
    """Extract the one notebook in a student's zip file to ``target``; Rejected if there is none."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if m.filename.endswith(".ipynb")
                       and not _base_name(m.filename).startswith(".") and "__MACOSX" not in m.filename]
            if not members:
                raise Rejected(f"{Path(path).name} holds no notebook")
            exact = [m for m in members if _base_name(m.filename) == f"{notebook_name}.ipynb"]
            member = (exact or members)[0]
            if len(exact or members) > 1:
                raise Rejected(f"{Path(path).name} holds several notebooks; expected one {notebook_name}.ipynb")
            if member.file_size > MAX_NOTEBOOK_BYTES:
                raise Rejected(f"{Path(path).name}: its notebook is over {MAX_NOTEBOOK_BYTES >> 20} MiB")
            data = archive.read(member)  # by member, never by a path taken from the archive
    except zipfile.BadZipFile as exc:
        raise Rejected(f"{Path(path).name} is not a readable zip file ({exc})") from None
    out = Path(target) / _base_name(member.filename)
    out.write_bytes(data)
    return out


def _base_name(member_name):
    """A zip member's file name. Zips made on Windows may separate folders with backslashes
    (``work\\ch01.ipynb``): each is read as a separator. Only the last part is ever used, so
    no name in an archive (``..\\..\\x``) can write outside the folder it is unpacked in."""
    return unicodedata.normalize("NFC", member_name.replace("\\", "/").rsplit("/", 1)[-1])


def write_notebook(nb, path):
    buffer = io.StringIO()
    nbformat.write(nb, buffer)
    Path(path).write_text(buffer.getvalue())


def stage(source, staged, notebooks, releases, all_releases):
    """Read the submission in ``source``, repair what can be repaired, and write it to ``staged``,
    where nbgrader reads it; return the notes on what was repaired, or raise Rejected.

    ``releases`` maps each of the assignment's notebook names to its release; ``all_releases``
    holds every assignment's ("assignment/notebook"), to recognise another chapter's notebook."""
    source, staged = Path(source), Path(staged)
    notes = []
    if staged.exists():
        shutil.rmtree(staged)
    staged.mkdir(parents=True)
    if (source / "REJECTED.txt").exists():
        raise Rejected((source / "REJECTED.txt").read_text().strip())
    if (source / "timestamp.txt").exists():
        shutil.copyfile(source / "timestamp.txt", staged / "timestamp.txt")
    for notebook in notebooks:
        path, renamed = find_notebook(source, notebook)
        if renamed:
            notes.append(renamed)
        read_in = read(path)
        notes += read_in.notes
        belongs_to(read_in.notebook, releases[notebook], all_releases, path.name)
        notes += restore_metadata(read_in.notebook, releases[notebook])
        write_notebook(read_in.notebook, staged / f"{notebook}.ipynb")
    return notes
