"""The Jupyter Book around the pages: its configuration, its table of contents, its style, and
the build. The pages' notebooks arrive executed, so the book runs nothing itself."""
import subprocess
import sys
from pathlib import Path

from shapeschool_nbgrader.launch import BRANCH, REPOSITORY

TITLE = "Shape School"
STYLE = """\
/* The launch bar: three plain links that look like buttons, wrapping on a narrow screen. */
.shapeschool-launch-bar { display: flex; flex-wrap: wrap; gap: .5rem; margin: .5rem 0 1rem; }
.shapeschool-launch { border: 1px solid var(--pst-color-primary); border-radius: .35rem;
  padding: .3rem .8rem; text-decoration: none; font-weight: 600; }
.shapeschool-launch:hover, .shapeschool-launch:focus { background: var(--pst-color-primary);
  color: var(--pst-color-background); }
/* Long code lines and error messages scroll inside their block, never the page. */
div.highlight pre, div.output pre, .cell_output pre { overflow-x: auto; white-space: pre; }
table.table { display: block; overflow-x: auto; }
/* The error index's headings are messages: code, but not shouting. */
h3 code.docutils.literal { font-size: .8em; }
"""


# Search: a section whose title holds the whole query (an error message in the error index) comes
# before pages that merely use its words. The rest is Sphinx's own scoring (searchtools.js).
SCORER = """\
var Scorer = {
  score: (result) => (result[2] ? result[4] + 100 : result[4]),   // result[2]: the section's anchor
  objNameMatch: 11, objPartialMatch: 6, objPrio: {0: 15, 1: 5, 2: -5}, objPrioDefault: 0,
  title: 15, partialTitle: 7, term: 5, partialTerm: 2,
};
"""


def config(chapters):
    """_config.yml's text. ``chapters`` only matter to the table of contents."""
    return f"""\
# Made by autograder/shapeschool_site/book.py: edit that, not this.
title: {TITLE}
author: Shape School contributors
copyright: "2026"
only_build_toc_files: true
exclude_patterns: [_build, _extra, "**.ipynb_checkpoints"]
execute:
  execute_notebooks: "off"    # the chapters were run before the book was made (notebooks.py)
parse:
  myst_enable_extensions: [colon_fence, linkify]
html:
  use_repository_button: true
  home_page_in_navbar: true
  extra_footer: "Made from the course's sources by <code>make site</code>."
launch_buttons:
  notebook_interface: jupyterlab
  binderhub_url: https://mybinder.org
  colab_url: https://colab.research.google.com
repository:
  url: https://github.com/{REPOSITORY}
  branch: {BRANCH}
  path_to_book: ""
sphinx:
  config:
    html_extra_path: [_extra]
    myst_heading_anchors: 3        # README's own #the-section links, as GitHub makes them
    html_static_path: [_static]
    html_css_files: [shapeschool.css]
    html_search_scorer: _static/scorer.js
    html_show_sourcelink: false
    # Tracebacks holding the checks' own words ("Stuck?") trip the traceback lexer's strict pass;
    # Sphinx then colours them in its relaxed pass, which is all a reader sees.
    suppress_warnings: [misc.highlighting_failure]
    html_theme_options:
      use_download_button: false
      use_repository_button: true
      repository_url: https://github.com/{REPOSITORY}
      repository_branch: {BRANCH}
      path_to_docs: ""
      launch_buttons:
        notebook_interface: jupyterlab
        binderhub_url: https://mybinder.org
        colab_url: https://colab.research.google.com
"""


def toc(chapters):
    parts = "\n".join(f"      - file: {path.removesuffix('.ipynb')}" for path in chapters)
    return f"""\
# Made by autograder/shapeschool_site/book.py: edit that, not this.
format: jb-book
root: index
parts:
  - caption: The course
    chapters:
{parts}
  - caption: Reference
    chapters:
      - file: errors
      - file: docs/cheatsheet
      - file: docs/doctor
  - caption: Teaching with it
    chapters:
      - file: docs/instructors
"""


def write(out, chapters):
    (out / "_config.yml").write_text(config(chapters), encoding="utf-8")
    (out / "_toc.yml").write_text(toc(chapters), encoding="utf-8")
    (out / "_static").mkdir(exist_ok=True)
    (out / "_static" / "shapeschool.css").write_text(STYLE, encoding="utf-8")
    (out / "_static" / "scorer.js").write_text(SCORER, encoding="utf-8")


def build(out):
    """Run Jupyter Book on ``out``; any warning (a broken reference, a missing page) fails it."""
    command = Path(sys.executable).parent / "jupyter-book"      # installed beside this Python (the site extra)
    if not command.exists():
        raise RuntimeError(f"Jupyter Book is not installed beside {sys.executable}: run make setup, or "
                           "pip install 'shapeschool[site]'")
    done = subprocess.run([str(command), "build", str(out), "--warningiserror", "--keep-going"],
                          text=True, capture_output=True, cwd=out)     # Sphinx reads the scorer from the cwd
    if done.returncode != 0:
        said = [line for line in (done.stdout + done.stderr).splitlines() if "WARNING" in line or "ERROR" in line
                or "Error" in line]
        raise RuntimeError("Jupyter Book could not build the site:\n" + "\n".join(said[:40] or [done.stderr[-4000:]]))
    return out / "_build" / "html"
