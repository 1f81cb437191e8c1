"""Reading chapters' cells by their role, for the tests."""
import nbformat

from conftest import REPO


def load(folder, chapter):
    return nbformat.read(REPO / folder / f"{chapter}.ipynb", as_version=4)


def nbgrader_meta(cell):
    return cell.metadata.get("nbgrader", {})


def fixme_cells(nb):
    return [c for c in nb.cells if nbgrader_meta(c).get("solution") and c.cell_type == "code"]


def graded_cells(nb):
    return [c for c in nb.cells if nbgrader_meta(c).get("grade")]


def errors(cell):
    return [o for o in cell.get("outputs", []) if o.output_type == "error"]
