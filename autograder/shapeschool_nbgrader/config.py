"""nbgrader configuration for the Shape School course.

A course directory's ``nbgrader_config.py`` takes it with three lines::

    c = get_config()
    from shapeschool_nbgrader.config import configure
    configure(c)

after ``pip install "shapeschool[grader]"`` (see the README). Settings made after ``configure(c)``
(``c.CourseDirectory.root``, ``c.Exchange.root``, ``c.CourseDirectory.db_url``) add to it.
"""
from nbgrader.converters import Autograde, GenerateAssignment, GenerateFeedback
from nbgrader.preprocessors import ClearSolutions

from .launch import AddLaunchCells
from .preprocessors import HideHiddenTests, NeutraliseStudentHTML, ShowBrokenCode

COURSE_ID = "shapeschool"


def configure(c):
    """Put the course's nbgrader settings into the traitlets config ``c``."""
    c.CourseDirectory.course_id = COURSE_ID

    # nbgrader's own pipeline, with ClearSolutions swapped for the broken-code version, after a
    # first step that adds the Colab/Binder launch cells. The rest keeps nbgrader's order
    # (ClearHiddenTests must follow SaveCells and ComputeChecksums).
    c.GenerateAssignment.preprocessors = [AddLaunchCells] + [
        ShowBrokenCode if step is ClearSolutions else step
        for step in GenerateAssignment.class_traits()["preprocessors"].default()
    ]

    # Feedback shows what each check said, never how a hidden test checks it, and no student HTML
    # or JavaScript stays live in it (nbgrader's templates ignore HTMLExporter.sanitize_html).
    c.GenerateFeedback.preprocessors = [HideHiddenTests, NeutraliseStudentHTML] + list(
        GenerateFeedback.class_traits()["preprocessors"].default())

    # The autograded notebook, which formgrader shows the instructor, keeps no live student HTML or
    # JavaScript either: cleaned last, after scores are read from the outputs.
    c.Autograde.autograde_preprocessors = list(
        Autograde.class_traits()["autograde_preprocessors"].default()) + [NeutraliseStudentHTML]

    # No cell in the course trains anything: a minute bounds a runaway loop in any one cell.
    c.Execute.timeout = 60

    # A student who deletes a test cell must not escape it: nbgrader adds it back before grading.
    c.OverwriteCells.add_missing_cells = True

    # nbgrader scores a test cell 0 for any output on stderr. A warning is not a failure: a student
    # whose correct code makes PyTorch warn (say, "use clone().detach()") keeps the points. Only a
    # stderr output made of nothing but Python warnings ("file:line: SomeWarning: message", then
    # the indented source line) is dropped; any other stderr still scores 0.
    c.IgnorePattern.enabled = True
    c.IgnorePattern.pattern = r"\A(?:[^\n]*:\d+: \w*Warning: [^\n]*\n(?:[ \t][^\n]*\n)*)+\Z"

    # Under shapeschool-grade, every check runs in a trusted kernel of its own, out of the
    # student's code's reach (the chapters are written for it: CONTRIBUTING, "What the class
    # grader needs from a chapter"). nbgrader's own apps do not read this setting.
    c.ShapeSchoolGrader.checks_apart = True
    # Tracebacks without colour: the same text, for a tenth of the time (a tenth of a second per
    # traceback through torch, and the chapters' notebooks hold several each).
    c.ShapeSchoolGrader.traceback_colours = False
    return c
