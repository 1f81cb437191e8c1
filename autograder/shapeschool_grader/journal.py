"""What was graded, from what: one entry per submission, written only after its scores are committed.

An entry (``.shapeschool/graded/ASSIGNMENT/STUDENT.json``) records the result and a
fingerprint of everything the scores depend on:

- ``submission``: the submitted files, by path and bytes;
- ``assignment``: the assignment's source (its hidden tests) and release, by path and bytes;
- ``grading``: the grading configuration (nbgrader's preprocessors and their settings, the
  grader's limits and sandbox, the versions of nbgrader and of this package).

A rerun skips a submission only when all three are unchanged *and* the gradebook still holds
its scores; otherwise it says which changed. An entry is replaced atomically, so a run killed at
any point leaves every entry whole or absent.
"""
import hashlib
import json
import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

PARTS = ("submission", "assignment", "grading")

# Configuration that cannot change a score: where things are, who collects, how much is logged,
# how many kernels run at once. Everything else in the loaded config is fingerprinted.
_NOT_GRADING_SECTIONS = ("Exchange", "Formgrade", "GenerateFeedback", "GenerateAssignment", "GenerateSolution",
                         "ReleaseAssignment", "ReleaseFeedback", "Collect", "Fetch", "Submit", "List",
                         "ZipCollect", "Export", "Quickstart", "Validate", "DbApp", "Db", "JupyterApp",
                         "Application", "ShapeSchoolGrader")
_NOT_GRADING_KEYS = {("CourseDirectory", "root"), ("CourseDirectory", "db_url"), ("NbGrader", "logfile"),
                     ("CourseDirectory", "student_id"), ("CourseDirectory", "assignment_id"),
                     ("CourseDirectory", "notebook_id"), ("CourseDirectory", "submitted_directory")}


def files_digest(paths, root):
    """One hash over the paths (relative to ``root``) and bytes of ``paths``."""
    h = hashlib.sha256()
    for path in sorted(Path(p) for p in paths):
        h.update(str(path.relative_to(root)).encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def _stable(value):
    """A JSON-able form of a config value whose text does not change from run to run."""
    if isinstance(value, type) or callable(value):
        return f"{getattr(value, '__module__', '?')}.{getattr(value, '__qualname__', repr(value))}"
    if isinstance(value, dict):
        return {str(k): _stable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_stable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)


def _package_version(name):
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def grading_digest(config, options):
    """The hash of what, besides the files, decides a score or what a graded notebook holds: the
    loaded nbgrader config (less what cannot change either), ``options`` (limits, sandbox,
    pictures) and the package versions."""
    kept = {}
    for section, values in config.items():
        if section.startswith(_NOT_GRADING_SECTIONS) or not hasattr(values, "items"):
            continue
        kept[section] = {k: _stable(v) for k, v in values.items() if (section, k) not in _NOT_GRADING_KEYS}
    kept = {s: v for s, v in kept.items() if v}
    record = {"config": kept, "options": _stable(options),
              "versions": {p: _package_version(p) for p in ("nbgrader", "shapeschool", "nbformat")}}
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()


class Journal:
    def __init__(self, state):
        self.folder = Path(state) / "graded"

    def path(self, assignment, student):
        return self.folder / assignment / f"{student}.json"

    def read(self, assignment, student):
        """The entry, or None if there is none or it cannot be read (then it is graded again)."""
        try:
            return json.loads(self.path(assignment, student).read_text())
        except (OSError, ValueError):
            return None

    def write(self, entry):
        """Replace the entry for ``entry["assignment"]``/``entry["student"]`` atomically."""
        path = self.path(entry["assignment"], entry["student"])
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        try:
            partial.write_text(json.dumps(entry, indent=1))
            os.replace(partial, path)
        finally:   # a full disk leaves the old entry, and no partial one
            partial.unlink(missing_ok=True)


def changed(entry, fingerprint):
    """What makes a journal ``entry`` out of date for ``fingerprint``: [] when it is current;
    ["new"] when there is no entry; ["error"] when the last try ended in an error; else the
    parts (submission, assignment, grading) that changed."""
    if not entry:
        return ["new"]
    if entry.get("status") not in ("graded", "rejected"):
        return ["error"]
    recorded = entry.get("fingerprint") or {}
    return [part for part in PARTS if recorded.get(part) != fingerprint.get(part)]
