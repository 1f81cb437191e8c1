"""nbgrader preprocessors of the course's own."""
from nbgrader.preprocessors import ClearSolutions

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
