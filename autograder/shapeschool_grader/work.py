"""Which submissions this run grades, and why each one.

A submission is graded when it is new, when its files, its assignment's source or release, or
the grading configuration changed since it was journalled, when the gradebook no longer holds
its scores, or with ``--regrade``. Only this process's shard of the class is considered, and a
student id nbgrader cannot handle safely is refused before anything reads it.
"""
import fnmatch
from dataclasses import dataclass, field

from . import intake, journal
from .report import Result


@dataclass
class Submission:
    assignment: str
    student: str
    notebooks: list
    fingerprint: dict
    why: list = field(default_factory=list)   # what changed: "new", "submission", "assignment", ...
    seen: dict = None                         # its journal entry when it was selected


@dataclass
class Plan:
    todo: list = field(default_factory=list)
    current: int = 0                               # unchanged and in the gradebook: skipped
    refused: list = field(default_factory=list)    # Results for unusable student ids
    other_shards: int = 0
    warnings: list = field(default_factory=list)


def in_gradebook(course, assignment):
    """Students whose submission of ``assignment`` the gradebook holds, every notebook of it."""
    wanted = set(course.assignments.get(assignment, ()))
    with course.gradebook() as gb:
        return {s.student.id for s in gb.assignment_submissions(assignment)
                if wanted <= {n.name for n in s.notebooks}}


def fingerprint(course, assignment, student, assignment_digest, grading_digest):
    files = course.submission_files(assignment, student)
    return {"submission": journal.files_digest(files, course.root / "submitted"),
            "assignment": assignment_digest, "grading": grading_digest}


def why_grade(submission, graded_students, regrade):
    """What makes ``submission`` need grading ([] when nothing does), from its journal entry."""
    if regrade:
        return ["--regrade"]
    changed = journal.changed(submission.seen, submission.fingerprint)
    if not changed and submission.student not in graded_students:
        return ["gradebook"]
    return changed


def select(course, book, assignments, shard, grading_digest, regrade=False, students="*"):
    """What to grade: every submission of ``assignments`` (all, when empty) by the students whose
    ids match the glob ``students`` (nbgrader's ``--student``) that this shard owns."""
    plan = Plan()
    known = course.assignments
    for name in assignments:
        if name not in known:
            plan.warnings.append(f"SKIPPED {name}: no such assignment in the gradebook (known: "
                                 f"{', '.join(sorted(known)) or 'none'}); run `nbgrader generate_assignment {name}` "
                                 "if it is new")
    chosen = [a for a in assignments if a in known] or ([] if assignments else sorted(known))
    for name in course.stray_assignments():
        plan.warnings.append(f"SKIPPED submitted/*/{name}: {name} is not an assignment of this course "
                             "(a misnamed folder? move it under the right assignment's name)")
    for assignment in chosen:
        assignment_digest = journal.files_digest(course.assignment_files(assignment), course.root)
        graded = in_gradebook(course, assignment)
        for student in course.submitted(assignment):
            if not fnmatch.fnmatchcase(student, students):
                continue
            if not shard.owns(student):
                plan.other_shards += 1
                continue
            problem = intake.refuse_student_id(student, f"submitted/{student}/{assignment}")
            if problem:   # never handed to nbgrader: its id would be read as a pattern or a path
                plan.refused.append(Result(assignment, student, status="rejected", problem=problem))
                continue
            submission = Submission(assignment, student, known[assignment],
                                    fingerprint(course, assignment, student, assignment_digest, grading_digest))
            submission.seen = book.read(assignment, student)
            submission.why = why_grade(submission, graded, regrade)
            if submission.why:
                plan.todo.append(submission)
            else:
                plan.current += 1
    plan.todo.sort(key=lambda s: (s.student, s.assignment))   # a student's submissions together: short claims
    return plan
