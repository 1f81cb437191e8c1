"""An nbgrader course directory, as the configuration nbgrader itself reads describes it.

``Course`` is built from a loaded traitlets config (``app.GradeApp`` loads it the way every
nbgrader app does), so the grader and ``nbgrader`` always agree on the course's folder, its
gradebook (``CourseDirectory.db_url``) and its preprocessors.
"""
from functools import cached_property
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory

STATE = ".shapeschool"           # the grader's own files in a course: journal, claims, staged copies
STAGED = f"{STATE}/intake"       # what nbgrader reads as "submitted": the repaired copies


class CourseError(SystemExit):
    """The course cannot be graded as configured; the message says what to change."""


class Course:
    def __init__(self, config):
        self.config = config
        coursedir = CourseDirectory(config=config)
        self.root = Path(coursedir.root).resolve()
        self.db_url, self.course_id = coursedir.db_url, coursedir.course_id
        if not self.root.is_dir():
            raise CourseError(f"the course directory {self.root} does not exist: pass --course-dir, or set "
                              "c.CourseDirectory.root in nbgrader_config.py")
        self.state = self.root / STATE
        # nbgrader warns, for every CourseDirectory made, that a relative root "is not absolute":
        # the converters made per submission get the absolute one
        config.CourseDirectory.root = str(self.root)

    def coursedir(self, assignment, student, submitted=STAGED):
        """A CourseDirectory for one submission, for nbgrader's converters."""
        cd = CourseDirectory(config=self.config)
        cd.assignment_id, cd.student_id, cd.submitted_directory = assignment, student, submitted
        return cd

    def gradebook(self):
        return Gradebook(self.db_url, self.course_id)

    @cached_property
    def assignments(self):
        """{assignment: [notebook, ...]} as the gradebook holds them (``generate_assignment`` puts them there)."""
        with self.gradebook() as gb:
            return {a.name: sorted(n.name for n in a.notebooks) for a in gb.assignments}

    def release(self, assignment, notebook):
        """The released notebook (or, before ``release_assignment``, the generated one's source)."""
        for step in ("release", "source"):
            path = self.root / step / assignment / f"{notebook}.ipynb"
            if path.exists():
                return nbformat.read(path, as_version=4)
        raise CourseError(f"no release of {assignment}/{notebook}.ipynb in {self.root}/release or /source: "
                          f"run `nbgrader generate_assignment {assignment}` first")

    @cached_property
    def sources(self):
        """{"assignment/notebook": the instructor's own notebook, solutions in it, or None where the
        course keeps none}, read once a run, as ``releases`` are."""
        found = {}
        for a, notebooks in self.assignments.items():
            for n in notebooks:
                path = self.root / "source" / a / f"{n}.ipynb"
                found[f"{a}/{n}"] = nbformat.read(path, as_version=4) if path.exists() else None
        return found

    @cached_property
    def releases(self):
        """{"assignment/notebook": release notebook} for every assignment: a submission of one
        chapter handed in as another is recognised by them."""
        return {f"{a}/{n}": self.release(a, n) for a, notebooks in self.assignments.items() for n in notebooks}

    def assignment_files(self, assignment):
        """What an assignment's grading depends on besides the submission: its source (tests
        and all) and its release."""
        files = []
        for step in ("source", "release"):
            folder = self.root / step / assignment
            if folder.is_dir():
                files += sorted(p for p in folder.rglob("*") if p.is_file() and ".ipynb_checkpoints" not in p.parts)
        return files

    def autograded_folder(self, assignment, student):
        """Where nbgrader puts a graded submission, and runs its notebooks."""
        cd = self.coursedir(assignment, student)
        return Path(cd.format_path(cd.autograded_directory, student, assignment))

    def submitted_folder(self, assignment, student):
        return self.root / "submitted" / student / assignment

    def submitted(self, assignment):
        """Every student with a submitted/STUDENT/ASSIGNMENT folder, sorted."""
        folder = self.root / "submitted"
        if not folder.is_dir():
            return []
        return sorted(p.parent.name for p in folder.glob(f"*/{assignment}") if p.is_dir())

    def submission_files(self, assignment, student):
        folder = self.submitted_folder(assignment, student)
        return sorted(p for p in folder.rglob("*") if p.is_file())

    def stray_assignments(self):
        """Folder names under submitted/*/ that are no assignment of this course."""
        folder = self.root / "submitted"
        found = {f.name for f in folder.glob("*/*") if f.is_dir()} if folder.is_dir() else set()
        return sorted(found - set(self.assignments))
