"""``nbgrader autograde``, taken apart at its one execution step.

For each submission nbgrader's own ``Autograde`` converter does everything it always does, in
the grading process: ``sanitize`` restores test cells, kernelspec and metadata and writes
autograded/; ``score`` runs the rest of its pipeline on the executed notebook and writes the
scores into the gradebook. Only ``Execute`` is replaced, by ``Replay``, which hands nbgrader the
notebook as the kernels ran it. So formgrader, ``nbgrader export`` and ``nbgrader
generate_feedback`` work on the result as on any other.
"""
import contextlib
import copy
import json
import logging
import re
import threading

import jsonschema
import nbgrader.api as nbgrader_api
from nbgrader.converters import Autograde, GenerateFeedback
from nbgrader.converters.base import BaseConverter
from nbgrader.nbgraderformat import common as nbgraderformat_common
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from nbgrader.utils import capture_log, setenv


# nbgrader's converters log every step of every submission at INFO; the grader keeps that log
# per step (``capture_log``) and quotes it only when a step fails.
_LOG = logging.getLogger("shapeschool_grader.nbgrader")
_LOG.propagate = False
_LOG.setLevel(logging.INFO)


class StepFailed(RuntimeError):
    """An nbgrader step did not succeed; the message is the line of its log that says why."""


class Replay(NbGraderPreprocessor):
    """Stands where nbgrader's Execute stands: returns the notebook as its kernels ran it."""

    def preprocess(self, nb, resources):
        executed = resources["shapeschool"]["executed"][resources["unique_key"]]
        if [c.source for c in executed.cells] != [c.source for c in nb.cells]:
            raise RuntimeError(f"{resources['unique_key']}: the executed notebook is not the one nbgrader sanitized")
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
    """The second half: the executed notebooks -> nbgrader's post-processing and the gradebook.

    (``_KeepFiles`` sits between Autograde and BaseConverter, so only the base class's file
    copying is skipped; Autograde's own set-up, student, submission and timestamp, still runs.)
    The executed notebooks reach ``Replay`` in each notebook's resources.
    """

    _sanitizing = False

    def __init__(self, executed, **kwargs):
        super().__init__(**kwargs)
        self.executed = executed   # {notebook name: executed notebook}
        self.autograde_preprocessors = [Replay if p is Execute else p for p in self.autograde_preprocessors]

    def init_destination(self, assignment_id, student_id):
        return True   # autograded/ holds the sanitize step's output, which is this step's input

    def init_single_notebook_resources(self, notebook_filename):
        resources = super().init_single_notebook_resources(notebook_filename)
        resources["shapeschool"] = {"executed": self.executed}
        return resources

    def _init_preprocessors(self):
        self._sanitizing = False
        super()._init_preprocessors()

    def convert_single_notebook(self, notebook_filename):
        self._sanitizing = False
        self._init_preprocessors()
        with setenv(NBGRADER_EXECUTION="autograde"):
            BaseConverter.convert_single_notebook(self, notebook_filename)


def _run(step):
    done = capture_log(step)
    if not done["success"]:
        raise StepFailed(last_error(done))


def sanitize(course, assignment, student):
    """Staged submission -> autograded/STUDENT/ASSIGNMENT, sanitized; the student and submission
    are created in the gradebook."""
    step = SanitizeStep(coursedir=course.coursedir(assignment, student), config=course.config, log=_LOG)
    step.force, step.create_student = True, True
    _run(step)


def score(course, assignment, student, executed):
    """The executed notebooks ({name: notebook}) -> autograded/ and the gradebook."""
    step = ScoreStep(executed, coursedir=course.coursedir(assignment, student), config=course.config, log=_LOG)
    step.create_student = True
    _run(step)


def zero(course, assignment, student):
    """What nbgrader does for a missing notebook: the submission exists and scores 0."""
    with course.gradebook() as gb:
        gb.update_or_create_student(student)
        gb.update_or_create_submission(assignment, student)
        for notebook in gb.find_submission(assignment, student).notebooks:
            for grade in notebook.grades:
                grade.auto_score = 0
                grade.needs_manual_grade = False
        gb.db.commit()


def feedback(course, assignment, student):
    """nbgrader's own feedback for one graded submission (the course config hides hidden tests)."""
    step = GenerateFeedback(coursedir=course.coursedir(assignment, student, submitted="submitted"),
                            config=course.config, log=_LOG)
    step.force = True
    _run(step)


def last_error(captured):
    """The line of nbgrader's log that names what went wrong (its last lines only say "see above")."""
    text = (captured.get("log") or "") + "\n" + (captured.get("error") or "")
    named = [line.strip() for line in text.splitlines()
             if re.match(r"\s*[\w.]*(Error|Exception)\b.*:", line) and "Please see" not in line]
    lines = [line for line in text.splitlines() if line.strip()]
    return named[-1] if named else (lines[-1] if lines else "nbgrader failed without saying why")


# -- nbgrader's repeated work, done once -----------------------------------------------------
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


class _EnginePerDatabase:
    """``create_engine`` as nbgrader's ``Gradebook`` calls it, but one engine per database.

    nbgrader opens a ``Gradebook`` about fifteen times per submission, each with an engine of its
    own, and SQLAlchemy keeps its compiled queries per engine: every query was compiled afresh,
    a third of nbgrader's own time per submission. ``Gradebook.close`` disposes of the engine,
    which closes only its idle connections; the next ``Gradebook`` opens new ones and the
    compiled queries stay.

    While grading, a SQLite gradebook is opened for reading and writing only, never created: a
    gradebook moved or deleted under the run is an error (``storage`` stops the run), where
    nbgrader would make a new, empty one in its place and write a student's scores there.
    """

    def __init__(self, create):
        self._create, self._engines, self._lock = create, {}, threading.Lock()

    def __call__(self, url, **kwargs):
        key = (str(url), repr(sorted(kwargs.items())))
        with self._lock:
            if key not in self._engines:
                self._engines[key] = self._create(_never_created(url), **kwargs)
            return self._engines[key]


def _never_created(url):
    """A SQLite file URL as one that opens an existing file only (``mode=rw``); others as they are."""
    from sqlalchemy.engine import make_url

    url = make_url(url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:" or "uri" in url.query:
        return url
    return url.set(database=f"file:{url.database}", query={**url.query, "mode": "rw", "uri": "true"})


@contextlib.contextmanager
def once_per_run():
    """While grading: nbgrader's schema checks and its gradebook engines made once, not per call.
    Everything is put back on the way out."""
    saved = nbgraderformat_common.jsonschema, nbgrader_api.create_engine
    nbgraderformat_common.jsonschema = _SchemaOnce()
    nbgrader_api.create_engine = _EnginePerDatabase(saved[1])
    try:
        yield
    finally:
        nbgraderformat_common.jsonschema, nbgrader_api.create_engine = saved
