"""Grade a whole class, in parallel, into nbgrader's own gradebook.

    python -m shapeschool_grader.grade [ASSIGNMENT ...] [--course DIR] [--jobs N] [--feedback] [--csv FILE]
    python -m shapeschool_grader.grade ASSIGNMENT --inbox FOLDER   # STUDENT.ipynb or STUDENT.zip files

It is ``nbgrader autograde`` taken apart at one seam. For each submission nbgrader's own
``Autograde`` converter does everything it always does, in this one process: it sanitizes the
notebook (restoring test cells, kernelspec, metadata), writes autograded/, and scores the
executed notebook into the gradebook. Only the execution moves: every notebook runs in kernels
forked from a warm server into sandboxes of their own (``shapeschool_grader.kernels``), several notebooks at
once, its test cells in a trusted check kernel apart from the student's code (``shapeschool_grader.split``,
``shapeschool_grader.calls``), and nbgrader's ``Execute`` step is replaced by ``Replay``, which hands it the
executed notebook. So formgrader,
``nbgrader export`` and ``nbgrader generate_feedback`` work on the result as on any other.

Nothing student code does can reach the gradebook: scores are written here, after the kernel is
gone. Submitted files are only read. A submission is marked done in
``.shapeschool/graded/ASSIGNMENT/STUDENT.json`` only after its scores are committed, so a run that
is killed can simply be run again: it regrades what was not finished, and skips the rest unless
a submission changed (or ``--regrade``).
"""
import argparse
import copy
import csv
import json
import logging
import os
import queue
import re
import shutil
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import jsonschema
import nbformat
import nbgrader.api as nbgrader_api
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.converters import Autograde, GenerateFeedback
from nbgrader.converters.base import BaseConverter
from nbgrader.coursedir import CourseDirectory
from nbgrader.nbgraderformat import common as nbgraderformat_common
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from nbgrader.utils import capture_log, setenv
from traitlets.config.loader import PyFileConfigLoader

from . import intake, kernels, sandbox, split

STATE = ".shapeschool"
STAGED = f"{STATE}/intake"     # what nbgrader reads as "submitted": the repaired copies


class _SchemaOnce:
    """``jsonschema`` as nbgrader's metadata checks use it, checking each schema once, not per cell.

    ``jsonschema.validate`` re-checks the schema itself on every call; nbgrader calls it for
    every cell of every notebook, twice per submission, and that was a third of this process's
    time. Validation is unchanged: the same validator class, the same best-match error.
    """

    def __init__(self):
        self._validators = {}

    def validate(self, instance, schema):
        key = json.dumps(schema, sort_keys=True)
        validator = self._validators.get(key)
        if validator is None:
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            validator = self._validators[key] = cls(schema)
        error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
        if error is not None:
            raise error

    def __getattr__(self, name):
        return getattr(jsonschema, name)


nbgraderformat_common.jsonschema = _SchemaOnce()


class _EnginePerDatabase:
    """``create_engine`` as nbgrader's ``Gradebook`` calls it, but one engine per database.

    nbgrader opens a ``Gradebook`` about fifteen times per submission, each with an engine of its
    own, and SQLAlchemy keeps its compiled queries per engine: every query was compiled afresh,
    a third of nbgrader's own time per submission. ``Gradebook.close`` disposes of the engine, which closes
    only its idle connections; the next ``Gradebook`` opens new ones and the compiled queries stay.
    """

    def __init__(self, create):
        self._create, self._engines, self._lock = create, {}, threading.Lock()

    def __call__(self, url, **kwargs):
        key = (str(url), repr(sorted(kwargs.items())))
        with self._lock:
            if key not in self._engines:
                self._engines[key] = self._create(url, **kwargs)
            return self._engines[key]


nbgrader_api.create_engine = _EnginePerDatabase(nbgrader_api.create_engine)


# -- nbgrader, split at the execution step -------------------------------------------------
class Replay(NbGraderPreprocessor):
    """Stands where nbgrader's Execute stands: returns the notebook as its kernel ran it."""

    results = {}   # (student, assignment, notebook) -> executed notebook, filled by the grader

    def preprocess(self, nb, resources):
        key = tuple(resources["nbgrader"][k] for k in ("student", "assignment", "notebook"))
        executed = self.results.pop(key)
        if [c.source for c in executed.cells] != [c.source for c in nb.cells]:
            raise RuntimeError(f"{key}: the executed notebook is not the one nbgrader sanitized")
        return copy.deepcopy(executed), resources


class SanitizeStep(Autograde):
    """The first half of ``nbgrader autograde``: staged submission -> sanitized autograded/."""

    def convert_single_notebook(self, notebook_filename):
        self._sanitizing = True
        self._init_preprocessors()
        BaseConverter.convert_single_notebook(self, notebook_filename)

    def set_permissions(self, assignment_id, student_id):
        pass   # the score step writes these files again, and sets them read-only then


class _KeepFiles(BaseConverter):
    def init_assignment(self, assignment_id, student_id):
        pass   # the sanitize step copied the submission's other files; copying autograded/ onto itself would delete them


class ScoreStep(Autograde, _KeepFiles):
    """The second half: the executed notebook -> nbgrader's post-processing and the gradebook.

    (``_KeepFiles`` sits between Autograde and BaseConverter, so only the base class's file
    copying is skipped; Autograde's own set-up, student, submission and timestamp, still runs.)
    """

    _sanitizing = False

    def init_destination(self, assignment_id, student_id):
        return True   # autograded/ holds the sanitize step's output, which is this step's input

    def _init_preprocessors(self):
        self._sanitizing = False
        super()._init_preprocessors()

    def convert_single_notebook(self, notebook_filename):
        self._sanitizing = False
        self._init_preprocessors()
        with setenv(NBGRADER_EXECUTION="autograde"):
            BaseConverter.convert_single_notebook(self, notebook_filename)


# -- one class, one run ----------------------------------------------------------------------
@dataclass
class Result:
    assignment: str
    student: str
    status: str = "graded"          # graded | rejected | error | skipped
    score: float = 0.0
    max_score: float = 0.0
    notes: list = field(default_factory=list)
    problem: str = ""               # why it was rejected, or what went wrong
    seconds: float = 0.0
    digest: str = ""


class Course:
    """An nbgrader course directory, read with its own nbgrader_config.py."""

    def __init__(self, root):
        self.root = Path(root).resolve()
        if not (self.root / "nbgrader_config.py").exists():
            raise SystemExit(f"{self.root} is not an nbgrader course directory (no nbgrader_config.py): "
                             "pass --course with the folder you run nbgrader in")
        self.config = PyFileConfigLoader("nbgrader_config.py", path=str(self.root)).load_config()
        self.config.CourseDirectory.root = str(self.root)
        self.state = self.root / STATE
        self.db_url = CourseDirectory(config=self.config).db_url

    def coursedir(self, assignment, student, submitted=STAGED):
        cd = CourseDirectory(config=self.config)
        cd.assignment_id, cd.student_id, cd.submitted_directory = assignment, student, submitted
        return cd

    def assignments(self):
        with Gradebook(self.db_url) as gb:
            return {a.name: [n.name for n in a.notebooks] for a in gb.assignments}

    def release(self, assignment, notebook):
        for step in ("release", "source"):
            path = self.root / step / assignment / f"{notebook}.ipynb"
            if path.exists():
                return nbformat.read(path, as_version=4)
        raise SystemExit(f"no release of {assignment}/{notebook}.ipynb in {self.root}/release or /source: "
                         f"run `nbgrader generate_assignment {assignment}` first")

    def submitted(self, assignment):
        folder = self.root / "submitted"
        return sorted(p.parent.name for p in folder.glob(f"*/{assignment}") if p.is_dir()) if folder.exists() else []

    def journal(self, assignment, student):
        return self.state / "graded" / assignment / f"{student}.json"


def import_inbox(course, assignment, inbox, notebooks):
    """Copy a folder of STUDENT.ipynb / STUDENT.zip files into submitted/STUDENT/ASSIGNMENT/.

    Returns the students imported and the files refused: a name that cannot be a student id
    (``*.ipynb``, ``.alice.ipynb``, a newline) is never copied, so it cannot touch anyone else."""
    imported, refused = [], []
    for path in sorted(Path(inbox).iterdir()):
        if path.suffix not in (".ipynb", ".zip") or not path.is_file():
            continue
        student = path.stem
        problem = intake.refuse_student_id(student, f"{Path(inbox).name}/{path.name}")
        if problem:
            refused.append(Result(assignment, student, status="rejected", problem=problem))
            continue
        target = course.root / "submitted" / student / assignment
        shutil.rmtree(target, ignore_errors=True)   # our own copy of an earlier import, never the inbox
        target.mkdir(parents=True)
        if path.suffix == ".zip":
            try:
                intake.unpack_zip(path, notebooks[0], target)
            except intake.Rejected as exc:
                (target / "REJECTED.txt").write_text(str(exc) + "\n")
        else:
            shutil.copyfile(path, target / f"{notebooks[0]}.ipynb")
        stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(path.stat().st_mtime))
        (target / "timestamp.txt").write_text(stamp + "\n")
        imported.append(student)
    return imported, refused


class Grader:
    def __init__(self, course, jobs=2, wall_limit=300.0, memory_limit=2 << 30, sandboxed=True,
                 regrade=False, out=sys.stdout, refused=()):
        self.course = course
        self.jobs, self.wall_limit, self.memory_limit = jobs, wall_limit, memory_limit
        self.sandboxed, self.regrade, self.out = sandboxed, regrade, out
        self.results = list(refused)   # files refused before grading (an unusable student id)

    def say(self, line):
        print(line, file=self.out, flush=True)

    # -- per submission ----------------------------------------------------------------
    def _files(self, assignment, student):
        folder = self.course.root / "submitted" / student / assignment
        return sorted(p for p in folder.rglob("*") if p.is_file())

    def _stage(self, assignment, student, notebooks, releases, result):
        """Read the submission, repair what can be repaired, write it where nbgrader will read it."""
        source = self.course.root / "submitted" / student / assignment
        staged = self.course.root / STAGED / student / assignment
        shutil.rmtree(staged, ignore_errors=True)
        staged.mkdir(parents=True)
        if (source / "REJECTED.txt").exists():
            raise intake.Rejected((source / "REJECTED.txt").read_text().strip())
        if (source / "timestamp.txt").exists():
            shutil.copyfile(source / "timestamp.txt", staged / "timestamp.txt")
        for notebook in notebooks:
            path, renamed = intake.find_notebook(source, notebook)
            if renamed:
                result.notes.append(renamed)
            read = intake.read(path)
            result.notes += read.notes
            intake.belongs_to(read.notebook, releases[notebook], self._all_releases, path.name)
            result.notes += intake.restore_metadata(read.notebook, releases[notebook])
            intake.write_notebook(read.notebook, staged / f"{notebook}.ipynb")

    def _zero(self, assignment, student):
        """What nbgrader does for a missing notebook: the submission exists and scores 0."""
        with Gradebook(self.course.db_url) as gb:
            gb.update_or_create_student(student)
            gb.update_or_create_submission(assignment, student)
            for notebook in gb.find_submission(assignment, student).notebooks:
                for grade in notebook.grades:
                    grade.auto_score = 0
                    grade.needs_manual_grade = False
            gb.db.commit()

    def _sanitize(self, assignment, student):
        step = SanitizeStep(coursedir=self.course.coursedir(assignment, student), config=self.course.config)
        step.force, step.create_student = True, True
        return capture_log(step)

    def _score(self, assignment, student):
        step = ScoreStep(coursedir=self.course.coursedir(assignment, student), config=self.course.config)
        step.autograde_preprocessors = [Replay if p is Execute else p for p in step.autograde_preprocessors]
        step.create_student = True
        return capture_log(step)

    def _finish(self, result, started):
        result.seconds = time.monotonic() - started
        if result.status in ("graded", "rejected"):
            with Gradebook(self.course.db_url) as gb:
                try:
                    submission = gb.find_submission(result.assignment, result.student)
                    result.score, result.max_score = submission.score, submission.max_score
                except MissingEntry:
                    pass
            journal = self.course.journal(result.assignment, result.student)
            journal.parent.mkdir(parents=True, exist_ok=True)
            partial = journal.with_suffix(".partial")
            partial.write_text(json.dumps(asdict(result), indent=1))
            os.replace(partial, journal)   # atomic: a journal entry is whole or absent
        shutil.rmtree(self.course.root / STAGED / result.student / result.assignment, ignore_errors=True)
        self.results.append(result)

    # -- the class ---------------------------------------------------------------------
    def run(self, assignments):
        known = self.course.assignments()
        unknown = [a for a in assignments if a not in known]
        for name in unknown:
            self.say(f"SKIPPED {name}: no such assignment in the gradebook (known: {', '.join(sorted(known))}); "
                     f"run `nbgrader generate_assignment {name}` if it is new")
        assignments = [a for a in assignments if a in known] or ([] if assignments else sorted(known))
        strays = sorted({f.name for f in (self.course.root / "submitted").glob("*/*") if f.is_dir()} - set(known))
        for name in strays:
            self.say(f"SKIPPED submitted/*/{name}: {name} is not an assignment of this course "
                     "(a misnamed folder? move it under the right assignment's name)")
        self._all_releases = {f"{a}/{n}": self.course.release(a, n) for a in known for n in known[a]}
        todo, refused = [], 0
        for assignment in assignments:
            for student in self.course.submitted(assignment):
                problem = intake.refuse_student_id(student, f"submitted/{student}/{assignment}")
                if problem:   # never handed to nbgrader: its id would be read as a pattern or a path
                    self.results.append(Result(assignment, student, status="rejected", problem=problem))
                    refused += 1
                    continue
                files = self._files(assignment, student)
                digest = intake.digest(files)
                journal = self.course.journal(assignment, student)
                if not self.regrade and journal.exists() and json.loads(journal.read_text()).get("digest") == digest:
                    continue
                todo.append((assignment, student, digest))
        done_before = sum(len(self.course.submitted(a)) for a in assignments) - len(todo) - refused
        if done_before:
            self.say(f"{done_before} submissions already graded and unchanged: skipped (--regrade to grade them again)")
        if not todo:
            self.say("nothing to grade")
            self._summary(0)
            return self.results
        self._grade(todo, known)
        return self.results

    def _slots(self):
        slots = queue.Queue()
        threads = max(1, (os.cpu_count() or 1) // self.jobs)   # torch threads per kernel: no oversubscription
        opened = [kernels.KernelSlot(sandboxed=self.sandboxed, threads=threads).start() for _ in range(self.jobs)]
        for slot in opened:   # each server imports torch; they do so side by side
            slot.wait_ready()
        for slot in opened:
            slots.put(slot)
        return slots, opened

    def _execute(self, slots, nb, release, tries=2):
        """Run one notebook in the next free slot, its checks in a check kernel of their own; a
        kernel that fails to start is tried again."""
        plan = split.plan(nb, release)
        for attempt in range(tries):
            slot = slots.get()
            try:
                return slot.run(copy.deepcopy(nb), Execute(config=self.course.config), {},
                                wall_limit=self.wall_limit, memory_limit=self.memory_limit,
                                split=plan, checker=Execute(config=self.course.config))
            except kernels.KernelFailed:
                if not slot.alive():
                    slot.restart()
                if attempt == tries - 1:
                    raise
            finally:
                slots.put(slot)

    def _grade(self, todo, known):
        self.say(f"grading {len(todo)} submissions with {self.jobs} kernels at a time"
                 + ("" if self.sandboxed else " (UNSANDBOXED)"))
        started = time.monotonic()
        slots, opened = self._slots()
        self.say(f"kernel servers ready in {time.monotonic() - started:.1f} s")
        if opened[0].limits_warning:
            print(opened[0].limits_warning, file=sys.stderr)
        pending = []
        try:
            with ThreadPoolExecutor(self.jobs) as pool:
                for assignment, student, digest in todo:      # sanitize, in order, and queue the runs
                    result = Result(assignment, student, digest=digest)
                    t0 = time.monotonic()
                    notebooks = known[assignment]
                    releases = {n: self._all_releases[f"{assignment}/{n}"] for n in notebooks}
                    try:
                        self._stage(assignment, student, notebooks, releases, result)
                        sanitized = self._sanitize(assignment, student)
                        if not sanitized["success"]:
                            raise RuntimeError(_last_error(sanitized))
                    except intake.Rejected as exc:
                        result.status, result.problem = "rejected", str(exc)
                        self._zero(assignment, student)
                        self._finish(result, t0)
                        self._progress(result, started, len(todo))
                        continue
                    except Exception as exc:
                        result.status, result.problem = "error", f"{type(exc).__name__}: {exc}"
                        self._finish(result, t0)
                        self._progress(result, started, len(todo))
                        continue
                    folder = self.course.root / "autograded" / student / assignment
                    runs = {n: pool.submit(self._execute, slots, nbformat.read(folder / f"{n}.ipynb", as_version=4),
                                           releases[n])
                            for n in notebooks}
                    pending.append((result, runs, t0))
                for result, runs, t0 in pending:          # score, in the same order, as runs finish
                    try:
                        for notebook, run in runs.items():
                            outcome = run.result()
                            if outcome.problem:
                                result.notes.append(f"{notebook}: {outcome.problem}")
                            Replay.results[(result.student, result.assignment, notebook)] = outcome.notebook
                        scored = self._score(result.assignment, result.student)
                        if not scored["success"]:
                            raise RuntimeError(_last_error(scored))
                    except Exception as exc:
                        result.status, result.problem = "error", f"{type(exc).__name__}: {exc}"
                    self._finish(result, t0)
                    self._progress(result, started, len(todo))
        finally:
            for slot in opened:
                slot.__exit__(None, None, None)
        self._summary(time.monotonic() - started)

    def _progress(self, result, started, total):
        done = len(self.results)
        failed = sum(r.status != "graded" for r in self.results)
        elapsed = time.monotonic() - started
        left = elapsed / done * (total - done)
        what = {"graded": f"{result.score:g}/{result.max_score:g}",
                "rejected": "REJECTED", "error": "ERROR"}[result.status]
        extra = f"  ({len(result.notes)} notes)" if result.notes else ""
        self.say(f"[{done:>{len(str(total))}}/{total}] {result.assignment} {result.student}: {what}{extra}"
                 f"   | {failed} not graded | {_clock(elapsed)} elapsed, ~{_clock(left)} left")

    def _summary(self, seconds):
        by = {}
        for r in self.results:
            by.setdefault(r.status, []).append(r)
        self.say(f"\nDone in {_clock(seconds)}: {len(by.get('graded', []))} graded, "
                 f"{len(by.get('rejected', []))} rejected, {len(by.get('error', []))} errors.")
        for r in self.results:
            if r.status != "graded" or r.notes:
                self.say(f"  {r.assignment} {r.student} [{r.status}]" + (f": {r.problem}" if r.problem else ""))
                for note in r.notes:
                    self.say(f"      - {note}")


def _last_error(captured):
    """The line of nbgrader's log that names what went wrong (its last lines only say "see above")."""
    text = (captured.get("log") or "") + "\n" + (captured.get("error") or "")
    named = [line.strip() for line in text.splitlines()
             if re.match(r"\s*[\w.]*(Error|Exception)\b.*:", line) and "Please see" not in line]
    lines = [line for line in text.splitlines() if line.strip()]
    return named[-1] if named else (lines[-1] if lines else "nbgrader failed without saying why")


def _clock(seconds):
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def write_csv(course, path, assignments, refused=()):
    """One row per submission: scores from the gradebook, status and notes from the journal; then
    one row per file refused for its name (never in the gradebook)."""
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["assignment", "student", "score", "max_score", "status", "notes"])
        for r in refused:
            out.writerow([r.assignment, r.student, "0", "", "rejected", r.problem])
        with Gradebook(course.db_url) as gb:
            for assignment in assignments:
                for submission in sorted(gb.assignment_submissions(assignment), key=lambda s: s.student.id):
                    journal = course.journal(assignment, submission.student.id)
                    record = json.loads(journal.read_text()) if journal.exists() else {}
                    notes = ([record["problem"]] if record.get("problem") else []) + record.get("notes", [])
                    out.writerow([assignment, submission.student.id, f"{submission.score:g}",
                                  f"{submission.max_score:g}", record.get("status", "not graded here"),
                                  " | ".join(notes)])


def generate_feedback(course, results):
    """nbgrader's own feedback (the course config hides hidden-test source) for each graded submission."""
    failures = []
    for r in results:
        if r.status != "graded":
            continue
        step = GenerateFeedback(coursedir=course.coursedir(r.assignment, r.student, submitted="submitted"),
                                config=course.config)
        step.force = True
        done = capture_log(step)
        if not done["success"]:
            failures.append(f"{r.assignment} {r.student}: {_last_error(done)}")
    return failures


def parse(argv):
    p = argparse.ArgumentParser(prog="python -m shapeschool_grader.grade", description=__doc__.split("\n\n")[0])
    p.add_argument("assignments", nargs="*", help="assignments to grade (default: every one in the gradebook)")
    p.add_argument("--course", default=".", help="the nbgrader course directory (default: here)")
    p.add_argument("--inbox", help="a folder of STUDENT.ipynb or STUDENT.zip files for one assignment, "
                                   "copied into submitted/ first (for courses without nbgrader's exchange)")
    p.add_argument("--jobs", type=int, default=(os.cpu_count() or 1) + 1,
                   help="notebooks run at once (default: cores + 1, which kept 2 cores busiest here)")
    p.add_argument("--wall-limit", type=float, default=300, help="seconds one notebook may run (default 300)")
    p.add_argument("--memory-limit", type=float, default=2048, help="MiB one notebook may use (default 2048)")
    p.add_argument("--regrade", action="store_true", help="grade again submissions already graded and unchanged")
    p.add_argument("--feedback", action="store_true", help="also write feedback/ for each graded submission")
    p.add_argument("--csv", help="write a CSV of grades (one row per submission) to this file")
    p.add_argument("--unsandboxed", action="store_true",
                   help="run student code without bubblewrap (it then can read and write what you can)")
    return p.parse_args(argv)


def main(argv=None):
    args = parse(argv)
    # nbgrader runs `alembic` by name to create or upgrade a gradebook
    os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
    logging.getLogger("traitlets").setLevel(logging.ERROR)   # nbgrader's log is captured per submission
    course = Course(args.course)
    sandboxed = not args.unsandboxed
    if sandboxed:
        try:
            sandbox.check()
        except sandbox.SandboxUnavailable as exc:
            print(f"{exc}.", file=sys.stderr)
            sandboxed = False
    if not sandboxed:
        print(sandbox.UNSANDBOXED_WARNING, file=sys.stderr)
    if args.inbox:
        if len(args.assignments) != 1:
            raise SystemExit("--inbox needs exactly one assignment: python -m shapeschool_grader.grade ASSIGNMENT --inbox FOLDER")
        notebooks = course.assignments().get(args.assignments[0])
        if not notebooks:
            raise SystemExit(f"{args.assignments[0]} is not in the gradebook: run nbgrader generate_assignment first")
        students, refused = import_inbox(course, args.assignments[0], args.inbox, notebooks)
        print(f"imported {len(students)} submissions from {args.inbox}"
              + (f"; refused {len(refused)} (see the summary)" if refused else ""))
    else:
        refused = []
    grader = Grader(course, jobs=max(1, args.jobs), wall_limit=args.wall_limit,
                    memory_limit=int(args.memory_limit * 2**20), sandboxed=sandboxed, regrade=args.regrade,
                    refused=refused)
    results = grader.run(args.assignments)
    assignments = args.assignments or sorted(course.assignments())
    if args.feedback:
        failures = generate_feedback(course, results)
        print(f"feedback written to {course.root / 'feedback'}" + "".join(f"\n  FAILED {f}" for f in failures))
    if args.csv:
        write_csv(course, args.csv, assignments, [r for r in results if intake.student_id_problem(r.student)])
        print(f"grades written to {args.csv}")
    return 1 if any(r.status == "error" for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
