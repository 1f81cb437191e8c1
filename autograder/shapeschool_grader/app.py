"""``shapeschool-grade``: grade a whole class, in parallel and sandboxed, into nbgrader's gradebook.

An nbgrader application like ``nbgrader autograde``: its configuration is read the way every
nbgrader app reads it (``nbgrader_config.py`` in each Jupyter config folder, such as
~/.jupyter and /etc/jupyter, then in the current folder, then in the course directory, then
the command line), so it and ``nbgrader`` always agree on the course and its gradebook. Its
own settings can live there too, as ``c.ShapeSchoolGrader.jobs = 4`` and so on.
"""
import os
import sys
import time
import warnings

from nbgrader.apps.baseapp import NbGrader, nbgrader_aliases, nbgrader_flags
from sqlalchemy.exc import SAWarning
from traitlets import Bool, Float, Integer, List, Unicode

from . import inbox, journal, nbgrader_steps, pool, preload, report, sandbox, scheduler, shards, storage, work
from .claims import for_course as claims_for
from .course import Course

aliases = dict(nbgrader_aliases)
aliases.update({
    "course": "CourseDirectory.course_id",
    "jobs": "ShapeSchoolGrader.jobs",
    "wall-limit": "ShapeSchoolGrader.wall_limit",
    "memory-limit": "ShapeSchoolGrader.memory_limit",
    "inbox": "ShapeSchoolGrader.inbox",
    "shard": "ShapeSchoolGrader.shard",
    "csv": "ShapeSchoolGrader.csv",
    "report": "ShapeSchoolGrader.report",
    "exports": "ShapeSchoolGrader.exports",
})
flags = dict(nbgrader_flags)
flags.update({
    "regrade": ({"ShapeSchoolGrader": {"regrade": True}},
                "Grade again submissions already graded and unchanged."),
    "feedback": ({"ShapeSchoolGrader": {"feedback": True}},
                 "Also write nbgrader's feedback/ for each graded submission."),
    "pictures": ({"ShapeSchoolGrader": {"pictures": True}},
                 "Draw the lessons' pictures in the graded notebooks and feedback (slower; no score depends on them)."),
    "report-only": ({"ShapeSchoolGrader": {"report_only": True}},
                    "Grade nothing: make the --report and --exports again from what is already graded."),
    "gpu": ({"ShapeSchoolGrader": {"gpu": True}},
            "Show the machine's GPUs to the grading kernels (their device nodes, the driver's files, /sys; read-only "
            "but the devices)."),
    "unsandboxed": ({"ShapeSchoolGrader": {"sandboxed": False}},
                    "Run student code without bubblewrap (it can then read and write what you can)."),
})


class ShapeSchoolGrader(NbGrader):
    name = "shapeschool-grade"
    description = __doc__.split("\n\n")[0].split(": ", 1)[1]
    examples = """
        shapeschool-grade                                  # every assignment, in the course folder
        shapeschool-grade ch01_embeddings_to_lstm --feedback --csv grades.csv
        shapeschool-grade --course-dir /srv/course ch01_embeddings_to_lstm ch02_batch_first_and_transposes
        shapeschool-grade ch01_embeddings_to_lstm --inbox ~/downloads/ch01   # STUDENT.ipynb / STUDENT.zip files
        shapeschool-grade --shard 0/4                      # this process's quarter of the class
        shapeschool-grade --report class.html --exports lms/   # then what the class got wrong, and LMS grade files
        shapeschool-grade --report-only --report class.html  # the report again, grading nothing
    """
    aliases = aliases
    flags = flags

    jobs = Integer(0, help="Notebooks run at once (0: the number of cores + 1, which kept 2 cores busiest).").tag(config=True)
    wall_limit = Float(300.0, help="Seconds one notebook may run.").tag(config=True)
    memory_limit = Float(2048.0, help="MiB one notebook may use.").tag(config=True)
    sandboxed = Bool(True, help="Run each notebook in a bubblewrap sandbox of its own.").tag(config=True)
    regrade = Bool(False, help="Grade again submissions already graded and unchanged.").tag(config=True)
    pictures = Bool(False, help="Draw the lessons' pictures while grading. Off, each is one line of text in the "
                                "graded notebook: no score depends on a picture, and drawing them took about a "
                                "tenth of a notebook's grading time.").tag(config=True)
    feedback = Bool(False, help="Also write nbgrader's feedback for each graded submission.").tag(config=True)
    csv = Unicode("", help="Write a CSV of grades (one row per submission) to this file.").tag(config=True)
    report = Unicode("", help="Write the class report (an HTML page: the mistakes the class made, by check, "
                              "with counts and students) to this file.").tag(config=True)
    exports = Unicode("", help="Write grade files for Canvas's and Moodle's gradebook import, and a CSV of every "
                               "check's outcome, into this folder.").tag(config=True)
    report_only = Bool(False, help="Grade nothing: make the report and exports from what is already graded."
                       ).tag(config=True)
    inbox = Unicode("", help="A folder of STUDENT.ipynb or STUDENT.zip files for one assignment, added to "
                             "submitted/ first (for courses without nbgrader's exchange).").tag(config=True)
    checks_apart = Bool(False, help="Run each notebook's test cells in a trusted check kernel of their own, which "
                                    "reaches the student's names through calls, so no student code can change how a "
                                    "check decides (a course written for it: see the README). Off, every cell runs in "
                                    "the student's kernel, as plain nbgrader runs it.").tag(config=True)
    gpu = Bool(False, help="Show the machine's GPUs to the sandboxed kernels: the NVIDIA device nodes, read-only views "
                           "of the driver's files outside /usr and of /sys, and CUDA_VISIBLE_DEVICES and "
                           "SHAPESCHOOL_DEVICE from the grader's environment. Nothing else changes; GPU memory is "
                           "not counted in --memory-limit.").tag(config=True)
    traceback_colours = Bool(True, help="Colour tracebacks as plain nbgrader's kernels do. Off, they are plain text "
                                        "(the same words; formgrader and the feedback show them in one colour), "
                                        "which saves about a tenth of a second per traceback through a large "
                                        "library.").tag(config=True)
    preload = List(Unicode(), help="Modules the kernel servers import once, before forking grading kernels, besides "
                                   "those the assignments' notebooks import (read from their releases) and what every "
                                   "kernel imports: a course's own helper modules, say.").tag(config=True)
    shard = Unicode("", help="K/N: grade only the K-th of N shares of the class (K from 0); N alone takes K from "
                             "JOB_COMPLETION_INDEX (a Kubernetes Indexed Job).").tag(config=True)

    def _classes_default(self):
        return super()._classes_default() + [ShapeSchoolGrader]

    def start(self):
        super().start()
        # nbgrader's gradebook warns on every new submission it records (plain autograde too); harmless
        warnings.filterwarnings("ignore", message="Object of type <Submitted", category=SAWarning)
        # nbgrader runs `alembic` by name to create or upgrade a gradebook: the one beside this interpreter
        os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
        shard = shards.parse(self.shard)
        course = Course(self.config)
        # as nbgrader's own apps: assignments by name on the command line, or --assignment; --student a glob
        named = self.config.CourseDirectory.get("assignment_id", "")
        assignments = list(self.extra_args) or ([named] if named else [])
        students = self.config.CourseDirectory.get("student_id", "*") or "*"
        if self.report_only:
            if not (self.report or self.exports):
                self.fail("--report-only makes the class report and exports: name them with --report FILE.html "
                          "and/or --exports FOLDER")
            self.exit(self._insight(course, assignments))
        try:
            storage.check_writable(course)   # before anything is graded, not once per submission
        except storage.Stopped as exc:
            print(f"shapeschool-grade: {exc}", file=sys.stderr)
            self.exit(2)
        sandboxed = self._sandbox()
        reporter = report.Reporter()
        refused = self._import_inbox(course, assignments, reporter) if self.inbox else []
        options = {"wall_limit": self.wall_limit, "memory_limit": self.memory_limit, "sandboxed": sandboxed,
                   "pictures": self.pictures, **({"gpu": True} if self.gpu else {})}
        book = journal.Journal(course.state)
        plan = work.select(course, book, assignments, shard, journal.grading_digest(self.config, options),
                           regrade=self.regrade, students=students)
        reporter.plan(plan, shard)
        try:
            results = self._grade(course, book, plan.todo, sandboxed, reporter) if plan.todo else reporter.results
        except storage.Stopped as exc:
            reporter.summary()
            print(f"shapeschool-grade stopped: {exc}", file=sys.stderr)
            self.exit(2)
        if not plan.todo:
            reporter.say("nothing to grade")
        reporter.summary()
        if self.feedback:
            self._feedback(course, results)
        if self.csv:
            try:
                report.write_csv(course, book, self.csv, assignments or sorted(course.assignments),
                                 [r for r in results if r in plan.refused or r in refused])
                reporter.say(f"grades written to {self.csv}")
            except OSError as exc:
                print(f"could not write {self.csv}: {exc.strerror or exc}; the file there, if any, is as it was. "
                      "The grades are in the gradebook: free some space or choose another place (--csv FILE) and "
                      "run the same command again, which grades nothing already graded", file=sys.stderr)
                self.exit(2)
        failed = self._insight(course, assignments) if (self.report or self.exports) else 0
        self.exit(1 if failed or any(r.status == "error" for r in results) else 0)

    def _insight(self, course, assignments):
        """The class report and the LMS exports, from what is graded; 0, or 1 with a message
        saying what could not be written and what to do."""
        from . import class_page, exports, outcomes

        names = assignments or sorted(course.assignments)
        unknown = [n for n in names if n not in course.assignments]
        if unknown:
            print(f"not in the gradebook: {', '.join(unknown)} (run nbgrader generate_assignment first)", file=sys.stderr)
            return 1
        read = outcomes.read(course, journal.Journal(course.state), names)
        steps = [(self.report, lambda: exports.write_text(self.report, class_page.page(read, course.course_id)),
                  "class report written to {}"),
                 (self.exports, lambda: exports.write_all(read, self.exports),
                  "grade files written to {} (canvas-*, moodle-*, checks-*.csv per assignment)")]
        for where, write, done in steps:
            if not where:
                continue
            try:
                write()
            except OSError as exc:
                print(f"could not write {where}: {exc.strerror or exc}; no file there is left half-written. Choose a "
                      "folder you can write to (--report FILE.html, --exports FOLDER)", file=sys.stderr)
                return 1
            print(done.format(where))
        return 0

    def _sandbox(self):
        if self.sandboxed:
            try:
                sandbox.check()
                return True
            except sandbox.SandboxUnavailable as exc:
                print(f"{exc}.", file=sys.stderr)
        print(sandbox.UNSANDBOXED_WARNING, file=sys.stderr)
        return False

    def _import_inbox(self, course, assignments, reporter):
        if len(assignments) != 1:
            self.fail("--inbox needs exactly one assignment: shapeschool-grade ASSIGNMENT --inbox FOLDER")
        notebooks = course.assignments.get(assignments[0])
        if not notebooks:
            self.fail(f"{assignments[0]} is not in the gradebook: run nbgrader generate_assignment first")
        done = inbox.import_folder(course, assignments[0], self.inbox, notebooks)
        reporter.say(f"from {self.inbox}: {len(done.added)} submissions added, {len(done.unchanged)} unchanged"
                     + (f", {len(done.refused)} refused (see the summary)" if done.refused else "")
                     + (f", {len(done.kept)} not imported" if done.kept else ""))
        for _student, message in done.kept:
            reporter.say(f"  NOT IMPORTED {message}")
        for file_name, student in done.renamed:
            reporter.say(f"  {file_name!r} imported as student {student!r} (the same letters, written one way)")
        refused = [report.Result(assignments[0], student, status="rejected", problem=problem)
                   for student, problem in done.refused]
        for result in refused:
            reporter.add(result, progress=False)
        return refused

    def _grade(self, course, book, todo, sandboxed, reporter):
        jobs = self.jobs or (os.cpu_count() or 1) + 1
        size = pool.slots_for(jobs, sum(len(s.notebooks) for s in todo))
        reporter.say(f"grading {len(todo)} submissions with {size} kernels at a time"
                     + ("" if sandboxed else " (UNSANDBOXED)"))
        started = time.monotonic()
        preloaded = preload.for_course(course, sorted({s.assignment for s in todo}), extra=self.preload)
        with self.kernels(size, sandboxed, preloaded) as kernels, nbgrader_steps.once_per_run():
            reporter.say(f"kernel servers ready in {time.monotonic() - started:.1f} s")
            for name, why in kernels.skipped.items():
                if name in self.preload:   # the course's own imports fail in its notebooks as they would anyway
                    print(f"WARNING: c.ShapeSchoolGrader.preload names {name}, which the kernel servers could not "
                          f"import ({why}); each kernel imports it for itself", file=sys.stderr)
            if kernels.limits_warning:
                print(kernels.limits_warning, file=sys.stderr)
            claims = claims_for(course)
            try:
                return scheduler.Run(course, book, kernels.execute, reporter, claims, size).grade(todo)
            finally:
                claims.release_all()

    def kernels(self, size, sandboxed, preloaded=()):
        """What runs the notebooks: a context manager whose ``execute(nb, release)`` returns the
        executed notebook (``pool.KernelPool``; the unit tests put a kernel-less one here)."""
        return pool.KernelPool(self.config, size, sandboxed=sandboxed, wall_limit=self.wall_limit,
                               memory_limit=int(self.memory_limit * 2**20), pictures=self.pictures,
                               preload=preloaded or preload.KERNEL, checks_apart=self.checks_apart,
                               colours=self.traceback_colours, gpu=self.gpu)

    def _feedback(self, course, results):
        failures = []
        for r in results:
            if r.status == "graded":
                try:
                    nbgrader_steps.feedback(course, r.assignment, r.student)
                except nbgrader_steps.StepFailed as exc:
                    failures.append(f"{r.assignment} {r.student}: {exc}")
        print(f"feedback written to {course.root / 'feedback'}" + "".join(f"\n  FAILED {f}" for f in failures))



def main(argv=None):
    ShapeSchoolGrader.launch_instance(argv)
