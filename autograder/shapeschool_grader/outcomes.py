"""What a graded class did, read from what grading left behind: nbgrader's gradebook (scores,
per cell), the autograded notebooks (each failed check's output) and the grader's journal
(status, repairs, limits hit, the score before this run). Nothing is run again.

    course = Course(config)
    assignments = outcomes.read(course, journal.Journal(course.state), ["ch03_states_of_stacked_lstms"])
    for a in assignments:
        for check in a.checks:
            check.passed, check.failed     # [student ids], {group: [Attempt, ...]}
"""
import dataclasses
import json
from pathlib import Path

from . import failures

# What a submission's journal status becomes when there is no entry: graded elsewhere (plain
# nbgrader autograde) or not yet; the gradebook still has its scores.
NOT_JOURNALLED = "graded by nbgrader"


@dataclasses.dataclass
class Student:
    id: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    lms_user_id: str = ""

    @property
    def name(self):
        full = " ".join(p for p in (self.first_name, self.last_name) if p)
        return full or self.id


@dataclasses.dataclass
class Attempt:
    """One student's try at one check."""
    student: str
    score: float
    max_score: float
    failure: failures.Failure = None

    @property
    def passed(self):
        return self.failure is None and self.score >= self.max_score


@dataclasses.dataclass
class Check:
    """One graded cell of an assignment, and every student's try at it."""
    grade_id: str
    notebook: str
    max_score: float
    attempts: list = dataclasses.field(default_factory=list)

    @property
    def passed(self):
        return [a.student for a in self.attempts if a.passed]

    @property
    def failed(self):
        """{group: [Attempt, ...]}, the biggest group first."""
        groups = {}
        for a in self.attempts:
            if not a.passed:
                groups.setdefault(a.failure.group, []).append(a)
        return dict(sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])))


@dataclasses.dataclass
class Submission:
    student: str
    status: str                # graded | rejected | error | missing | graded by nbgrader
    score: float = 0.0
    max_score: float = 0.0
    problem: str = ""          # why it was rejected or failed
    repairs: list = dataclasses.field(default_factory=list)      # what intake restored
    unfinished: dict = dataclasses.field(default_factory=dict)   # {notebook: why it stopped}
    previous: dict = None      # the journal's score before the latest grading of it
    run: str = ""              # which run graded it last


@dataclasses.dataclass
class Assignment:
    name: str
    max_score: float
    students: dict             # {student id: Student}, everyone in the gradebook
    submissions: dict          # {student id: Submission}, missing ones included
    checks: list               # [Check], in notebook order

    def counted(self, status):
        return sum(1 for s in self.submissions.values() if s.status == status)

    @property
    def latest_run(self):
        return max((s.run for s in self.submissions.values() if s.run), default="")

    def changed(self):
        """[(student, before, now)] for submissions whose score the latest run changed."""
        latest, found = self.latest_run, []
        for s in self.submissions.values():
            if latest and s.run == latest and s.previous and s.previous.get("score") != s.score:
                found.append((s.student, s.previous.get("score"), s.score))
        return sorted(found)


def read(course, book, assignments=None):
    """[Assignment] for ``assignments`` (default: every assignment in the gradebook)."""
    names = list(assignments or sorted(course.assignments))
    with course.gradebook() as gb:
        students = {s.id: Student(s.id, s.first_name or "", s.last_name or "", s.email or "", s.lms_user_id or "")
                    for s in gb.students}
        found = [_assignment(course, book, gb, name, students) for name in names]
    return found


def _assignment(course, book, gb, name, students):
    record = gb.find_assignment(name)
    checks = {}
    for notebook in sorted(record.notebooks, key=lambda n: n.name):
        order = _cell_order(course, name, notebook.name)
        cells = sorted(notebook.grade_cells, key=lambda c: order.get(c.name, len(order)))
        for cell in cells:
            checks[(notebook.name, cell.name)] = Check(cell.name, notebook.name, cell.max_score)
    submissions = {}
    for submitted in gb.assignment_submissions(name):
        sid = submitted.student.id
        entry = book.read(name, sid) or {}
        status = entry.get("status", NOT_JOURNALLED)
        unfinished = entry.get("unfinished") or {}
        submissions[sid] = Submission(
            sid, status, submitted.score, submitted.max_score, entry.get("problem", ""),
            [n for n in entry.get("notes", []) if n not in {f"{k}: {v}" for k, v in unfinished.items()}],
            unfinished, entry.get("previous"), entry.get("run", ""))
        if status in ("rejected", "error"):
            continue   # nothing of it ran: no check was tried
        for nb in submitted.notebooks:
            outputs = _outputs(course, name, sid, nb.name)
            for grade in nb.grades:
                check = checks.get((nb.name, grade.name))
                if check is None:
                    continue
                score = grade.score or 0.0
                failure = None
                if score < grade.max_score:
                    failure = _failure(outputs.get(grade.name), unfinished.get(nb.name), name)
                check.attempts.append(Attempt(sid, score, grade.max_score, failure))
    for sid in students:
        submissions.setdefault(sid, Submission(sid, "missing"))
    return Assignment(name, record.max_score, students, submissions, list(checks.values()))


def _failure(outputs, stopped_because, assignment):
    if outputs:
        found = failures.read(outputs, failures.hints_of(assignment))
        if found is not None:
            return found
        return failures.Failure("check", what="lost points without an error (a partial score)")
    if stopped_because:
        return failures.stopped(stopped_because)
    return failures.Failure("stopped", what="the cell has no output: it did not run")


def _cell_order(course, assignment, notebook):
    """{grade_id: position} in the released notebook, so checks are listed as students meet them."""
    try:
        nb = course.release(assignment, notebook)
    except SystemExit:
        return {}
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
    return {gid: i for i, gid in enumerate(ids) if gid}


def _outputs(course, assignment, student, notebook):
    """{grade_id: outputs} of the autograded notebook ({} if there is none or it cannot be read).
    Read as plain JSON: nbgrader wrote and validated it, and validating hundreds again took
    most of the report's time."""
    path = Path(course.root) / "autograded" / student / assignment / f"{notebook}.ipynb"
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return {}
    found = {}
    for cell in cells:
        grade_id = ((cell.get("metadata") or {}).get("nbgrader") or {}).get("grade_id")
        if cell.get("cell_type") == "code" and grade_id:
            found[grade_id] = cell.get("outputs") or []
    return found
