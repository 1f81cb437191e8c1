"""Is nbgrader running this notebook? Work no score depends on (training a model to draw its
curve) is skipped then, so a class of hundreds is not trained hundreds of times.

nbgrader sets ``NBGRADER_EXECUTION`` in the environment of the kernel it starts: ``autograde``
when it scores a submission, ``validate`` when a learner presses Validate (its documented FAQ);
``shapeschool-grade`` sets ``autograde`` too. A learner's own kernel, in JupyterLab or Colab, has
no such variable.
"""
import os

VARIABLE = "NBGRADER_EXECUTION"


def being_graded():
    """True while nbgrader (or shapeschool-grade) autogrades or validates this notebook."""
    return os.environ.get(VARIABLE, "").strip().lower() in ("autograde", "validate")
