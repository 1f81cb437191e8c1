"""nbgrader preprocessors of the course's own."""
from nbgrader.preprocessors import ClearSolutions, NbGraderPreprocessor

from . import markers


class ShowBrokenCode(ClearSolutions):
    """ClearSolutions that puts each region's broken code where nbgrader would put a stub.

    A solution cell without markers still gets nbgrader's stub, so the course's convention
    only adds to nbgrader's behaviour. Errors in the markers stop the release with a message
    naming the cell and line.
    """

    def _replace_solution_region(self, cell, language):
        if cell.cell_type != "code" or not markers.has_solution(cell.source):
            return super()._replace_solution_region(cell, language)
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "?")
        try:
            cell.source = markers.student_source(cell.source)
        except markers.MarkerError as exc:
            raise markers.MarkerError(f"cell {grade_id!r}: {exc}") from None
        return True


class HideHiddenTests(NbGraderPreprocessor):
    """For feedback: drop hidden-test source from test cells and tracebacks from their errors.

    nbgrader's feedback shows each test cell as graded, hidden tests and all, and a traceback
    quotes the failing test line. Students should read what a check said, not how it checks:
    a test cell keeps its visible source, and each error keeps only ``Type: message``.
    """

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade"):
            cell.source = markers.without_hidden_tests(cell.source)
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources
