"""The chapter pages: each student notebook (``exercises/``) run once, top to bottom, with its
errors kept, as a learner would first see it: the broken cells raise what they really raise and
the checks say what a first try hears. Never an answer key.

While they run, the course's error demonstrations are logged (``shapeschool.demo_log``) for the
error index. Each page starts with a bar that opens the same notebook in Colab or Binder, or
downloads it; the notebook's own badge and Colab set-up cells are left off the page (the bar
replaces them, with no images fetched from elsewhere). The explorers' widgets are left off too,
with a note: on a page they could not run. Each picture the course draws gets the
words its cell's metadata gives it (``shapeschool.alt``) as its alt text."""
import html
import os

import nbformat
from nbformat.v4 import new_markdown_cell

from shapeschool.demo_log import VARIABLE
from shapeschool_nbgrader.launch import binder_url, colab_url

from . import links

CELL_TIMEOUT = 300          # seconds; a cell that runs longer is a bug in the chapter
DOWNLOADS = "notebooks"     # the site's folder of clean student notebooks, to download


def bar(path):
    """The launch bar's HTML for the student notebook at ``path`` (relative to the repository),
    on a page one folder down from the site's root."""
    name = path.rsplit("/", 1)[-1]
    items = [("Open in Colab", colab_url(path), ""), ("Launch Binder", binder_url(path), ""),
             ("Download the notebook", f"../{DOWNLOADS}/{name}", f' download="{html.escape(name)}"')]
    links = "\n".join(f'  <a class="shapeschool-launch" href="{html.escape(url)}"{extra}>{label}</a>'
                      for label, url, extra in items)
    return (f'<nav class="shapeschool-launch-bar" aria-label="Run this chapter">\n{links}\n</nav>\n\n'
            "This page shows the student notebook run once, top to bottom: each broken cell with the "
            "error it really raises and each check with what it says to a first try. Open it to fix them "
            "yourself; the checks then say more with each try.")


def is_launch_cell(cell):
    return bool(cell.metadata.get("shapeschool", {}).get("launch"))


WIDGET = "application/vnd.jupyter.widget-view+json"
EXPLORER_NOTE = ("*An interactive explorer is here in the notebook: its controls re-run real layers as you move "
                 "them, which a page cannot do. Open the notebook (the buttons at the top) to use it.*")


def without_widgets(nb):
    """The page without the explorers' widgets: on a page they would be controls that change nothing
    (no kernel behind them), drawn by scripts fetched from elsewhere. A note says where they are."""
    cells = []
    for cell in nb.cells:
        cells.append(cell)
        if cell.cell_type != "code":
            continue
        kept = [out for out in cell.outputs if WIDGET not in out.get("data", {})]
        if len(kept) < len(cell.outputs):
            cell.outputs = kept
            cells.append(new_markdown_cell(EXPLORER_NOTE, metadata={"shapeschool": {"site": "explorer"}}))
    nb.cells = cells
    nb.metadata.pop("widgets", None)
    return nb


def page_notebook(path, log):
    """The executed page notebook for the student notebook at ``path``; its demonstrations are
    appended to ``log``."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if not is_launch_cell(c)]
    for cell in nb.cells:          # a picture's words, for screen readers (MyST-NB's image options)
        alt = cell.metadata.get("shapeschool", {}).get("alt")
        if alt:
            cell.metadata.setdefault("mystnb", {})["image"] = {"alt": alt}
    before = os.environ.get(VARIABLE)
    os.environ[VARIABLE] = str(log)           # the kernel inherits it
    try:
        NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3", allow_errors=True, record_timing=False,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        if before is None:
            os.environ.pop(VARIABLE, None)
        else:
            os.environ[VARIABLE] = before
    nb = without_widgets(nb)
    title = next((i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.startswith("# ")), None)
    if title is None:
        raise ValueError(f"{path.name} has no title (a markdown cell starting '# '), which its page needs")
    heading, _, rest = nb.cells[title].source.partition("\n")
    nb.cells[title].source = heading                     # the bar goes right under the title
    added = [new_markdown_cell(bar(f"exercises/{path.name}"), metadata={"shapeschool": {"site": "bar"}})]
    if rest.strip():
        added.append(new_markdown_cell(rest.strip()))
    nb.cells[title + 1:title + 1] = added
    return nb


def rewrite_links(nb, path, repo, pages):
    """The page's markdown cells with their links made right for the site (``links.rewrite``)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = links.rewrite(cell.source, path, path, pages, repo, set())
    return nb


def write(repo, out, logs, pages):
    """Every chapter's page notebook into ``out/exercises``, and its clean student notebook into
    ``out/_extra/notebooks`` for download; each chapter's demonstrations are logged in
    ``logs/<chapter>.jsonl``. Returns the chapters' repository paths."""
    made = []
    logs.mkdir(parents=True, exist_ok=True)
    for path in sorted((repo / "exercises").glob("ch*.ipynb")):
        log = logs / f"{path.stem}.jsonl"
        log.unlink(missing_ok=True)
        nb = rewrite_links(page_notebook(path, log), f"exercises/{path.name}", repo, pages)
        target = out / "exercises" / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)
        download = out / "_extra" / DOWNLOADS / path.name
        download.parent.mkdir(parents=True, exist_ok=True)
        download.write_bytes(path.read_bytes())
        made.append(f"exercises/{path.name}")
        print(f"ran {path.relative_to(repo)}")
    return made
