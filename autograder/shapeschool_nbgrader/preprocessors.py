"""nbgrader preprocessors of the course's own."""
import functools
import json

from bleach import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
from nbconvert.filters import markdown2html
from nbconvert.preprocessors.sanitize import SanitizeHTML
from nbgrader.preprocessors import ClearSolutions, NbGraderPreprocessor
from traitlets import default

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


class NeutraliseStudentHTML(SanitizeHTML):
    """nbconvert's ``SanitizeHTML`` (bleach), made safe for nbgrader's own page templates.

    A student writes markdown cells and can make any output (``display(HTML(...))``, a
    ``_repr_html_``). nbgrader's formgrade and feedback templates render both as live HTML and
    ignore ``HTMLExporter.sanitize_html``, so the autograded notebook and the feedback are
    cleaned here instead: scripts, event handlers, iframes and script outputs are escaped or
    dropped by ``SanitizeHTML``; and because a markdown link is not HTML until it is rendered,
    markdown (cells and ``text/markdown`` outputs) is rendered to HTML first, so bleach's
    allowed protocols (http, https, mailto) also remove ``javascript:`` links.
    """

    @default("enabled")
    def _enabled_default(self):   # nbconvert's preprocessors are off unless enabled; this one is the point
        return True

    @default("tags")
    def _tags_default(self):   # what rendered markdown is made of; still no script, style or frame
        return sorted(set(ALLOWED_TAGS) | {"p", "br", "hr", "pre", "code", "span", "div", "img", "sub", "sup",
                                           "del", "kbd", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead",
                                           "tbody", "tr", "th", "td", "dl", "dt", "dd", "details", "summary"})

    @default("attributes")
    def _attributes_default(self):   # no event handlers; URLs keep only http, https and mailto
        return {**ALLOWED_ATTRIBUTES, "img": ["src", "alt", "title", "width", "height"],
                "th": ["align"], "td": ["align"], "code": ["class"], "span": ["class"], "div": ["class"]}

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            # The templates render the cleaned source as markdown once more. Every real link was
            # rendered and vetted above, so a bracket still in the text is literal (say, link
            # syntax inside an HTML block): encoded, it cannot become a link the second time.
            clean = self.sanitize_html_tags(_markdown2html(cell.source))
            cell.source = clean.replace("[", "&#91;").replace("]", "&#93;")
            return cell, resources
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if "text/markdown" in data:
                    data["text/html"] = _markdown2html(data.pop("text/markdown"))
        return super().preprocess_cell(cell, resources, index)

    def sanitize_html_tags(self, html_str):
        # A class hands in the same lesson text and outputs hundreds of times: each distinct
        # text is cleaned once per process under these settings, not once per notebook.
        settings = json.dumps({"tags": sorted(self.tags), "attributes": self.attributes, "strip": self.strip,
                               "strip_comments": self.strip_comments, "styles": sorted(self.styles)},
                              sort_keys=True)
        return _cleaned(settings, html_str)


_CACHE_SIZE = 4096   # distinct texts kept; a course's lessons have a few hundred


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _markdown2html(source):
    return markdown2html(source)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _cleaned(settings, html_str):
    """nbconvert's own cleaning of ``html_str`` under ``settings`` (JSON of SanitizeHTML's traits)."""
    return SanitizeHTML(**json.loads(settings)).sanitize_html_tags(html_str)
