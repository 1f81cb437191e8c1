"""Is student HTML and JavaScript dead by the time formgrader or feedback shows it, while the
ordinary things a notebook shows (text, links, pictures, math) survive?"""
import copy
import os
import re

import nbgrader.server_extensions.formgrader.handlers as formgrader
from nbconvert.exporters import HTMLExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from traitlets.config import Config

from shapeschool_nbgrader.preprocessors import NeutraliseStudentHTML

LIVE = re.compile(r"<script>alert|<iframe|<(?:img|svg|a|div|b)\b[^>]*\son\w+\s*=|href=[\"']?\s*javascript:|<object|<embed",
                  re.IGNORECASE)


def hostile_notebook():
    nb = new_notebook(cells=[
        new_markdown_cell("# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n**bold** [course](https://example.org) <script>alert('md')</script> "
                          "<img src=x onerror=alert('img')> [click](javascript:alert('link')) "
                          "[obfuscated](jav&#x61;script:alert('entity')) $x^2$"),
        new_code_cell("show()", outputs=[
            new_output("display_data", data={"text/html": "<b>ok</b><script>alert('out')</script><iframe src=e></iframe>",
                                              "text/plain": "ok"}),
            new_output("display_data", data={"application/javascript": "alert('js')", "text/plain": "js"}),
            new_output("execute_result", execution_count=1, data={"text/html": "<div onmouseover=alert('div')>x</div>"}),
            new_output("display_data", data={"text/markdown": "[m](javascript:alert('mdout')) <script>alert('m2')</script>"}),
            new_output("display_data", data={"image/svg+xml": "<svg><script>alert('svg')</script></svg>"}),
            new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}),
            new_output("stream", name="stdout", text="<script>alert('stdout')</script>\n"),
        ]),
        new_markdown_cell("<script>alert('block')</script> [x](javascript:alert('after-block')) ![i](javascript:alert(2))"),
        new_markdown_cell("[ref]\n\n[ref]: javascript:alert('reference')"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def formgrade_page(nb):
    """The page formgrader serves for an autograded notebook, made the way its handler makes it."""
    c = Config()
    c.HTMLExporter.template_name = "formgrade"
    c.HTMLExporter.extra_template_basedirs = [formgrader.template_path]
    c.HTMLExporter.extra_template_paths = [os.path.join(formgrader.template_path, "..", "static", "node_modules",
                                                        "bootstrap", "dist", "css")]
    resources = {"assignment_id": "a", "notebook_id": "n", "submission_id": "s", "index": 0, "total": 1,
                 "base_url": "/", "student": "x", "last_name": "", "first_name": "", "notebook_path": "/n"}
    page, _ = HTMLExporter(config=c).from_notebook_node(nb, resources=resources)
    return page


def live_student_code(page):
    return sorted({m.group(0)[:40] for m in LIVE.finditer(page)} - {m.group(0)[:40] for m in LIVE.finditer(formgrade_page(new_notebook()))})


def test_formgrader_would_run_student_script_without_the_preprocessor():
    assert live_student_code(formgrade_page(hostile_notebook())), "the hostile notebook must be hostile"


def test_nothing_a_student_wrote_stays_live_after_it():
    clean, _ = NeutraliseStudentHTML()(copy.deepcopy(hostile_notebook()), {})   # as a pipeline calls it
    page = formgrade_page(clean)
    assert not live_student_code(page), live_student_code(page)


def test_ordinary_content_survives():
    clean, _ = NeutraliseStudentHTML()(copy.deepcopy(hostile_notebook()), {})   # as a pipeline calls it
    page = formgrade_page(clean)
    assert "<strong>bold</strong>" in page and 'href="https://example.org"' in page
    assert "&lt;p&gt;" not in page, "rendered markdown must stay markup, not escaped text"
    assert "<h1" in page and "<td>1</td>" in page
    assert "<b>ok</b>" in page and "iVBORw0KGgo=" in page and "x^2" in page
    assert "&lt;script&gt;alert('stdout')" in page      # printed text stays text


def test_a_text_seen_before_is_cleaned_under_the_settings_in_force():
    """Cleaning is remembered per text (a class hands in the same lessons hundreds of times), but
    never across settings: a text first cleaned under a looser configuration is cleaned again."""
    text = "<b>bold</b> <i>it</i>"
    loose = NeutraliseStudentHTML()
    strict = NeutraliseStudentHTML(tags=["i"], strip=True)
    assert loose.sanitize_html_tags(text) == "<b>bold</b> <i>it</i>"
    assert strict.sanitize_html_tags(text) == "bold <i>it</i>"
    assert loose.sanitize_html_tags(text) == "<b>bold</b> <i>it</i>"


def test_a_hostile_text_is_cleaned_every_time_it_comes():
    once, _ = NeutraliseStudentHTML()(copy.deepcopy(hostile_notebook()), {})
    again, _ = NeutraliseStudentHTML()(copy.deepcopy(hostile_notebook()), {})
    def contents(nb):   # each hostile_notebook() has cell ids of its own
        return [(c.source, c.get("outputs")) for c in nb.cells]
    assert contents(once) == contents(again) and not live_student_code(formgrade_page(again))
