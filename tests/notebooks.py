"""Reading chapters' cells by their role, for the tests."""
import html
import re

import nbformat

from shapeschool_nbgrader import markers

from conftest import REPO


def load(folder, chapter):
    return nbformat.read(REPO / folder / f"{chapter}.ipynb", as_version=4)


def nbgrader_meta(cell):
    return cell.metadata.get("nbgrader", {})


def is_prediction(cell):
    """A learner's prediction (shapeschool.predictions): a solution cell, but no fix-me."""
    return bool(cell.metadata.get("shapeschool", {}).get("prediction"))


def is_challenge(cell):
    """A chapter's closing exercise: several interacting bugs, no hint until asked."""
    return bool(cell.metadata.get("shapeschool", {}).get("challenge"))


def fixme_cells(nb):
    return [c for c in nb.cells if nbgrader_meta(c).get("solution") and c.cell_type == "code" and not is_prediction(c)]


def prediction_cells(nb):
    return [c for c in nb.cells if nbgrader_meta(c).get("solution") and is_prediction(c)]


def graded_cells(nb):
    return [c for c in nb.cells if nbgrader_meta(c).get("grade")]


def printed(cell):
    """What a code cell printed on stdout (its stream outputs joined)."""
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("name") == "stdout")


def errors(cell):
    return [o for o in cell.get("outputs", []) if o.output_type == "error"]


def hidden_lines_shown(page, chapter):
    """Hidden-test source lines (not also visible elsewhere) that appear in an HTML page's text."""
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", page)).split())   # tags out, spaces folded
    cells = graded_cells(load("course", chapter))
    hidden, visible = set(), set()
    for cell in cells:
        visible.update(" ".join(line.split()) for line in markers.without_hidden_tests(cell.source).split("\n"))
        hidden.update(" ".join(line.split()) for line in markers.answer_source(cell.source, keep_hidden_tests=True).split("\n"))
    return sorted(line for line in hidden - visible if len(line) > 20 and line in text)
