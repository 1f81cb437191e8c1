"""In a real browser: does each student notebook, run cell by cell in JupyterLab, show its broken
cells' errors, render its explorer, and change the explorer's display when a control moves?

Screenshots land in artifacts/screenshots/ for a person to look at.
"""
import os
import shutil
from pathlib import Path

import pytest

from conftest import REPO
from notebooks import fixme_cells, load

from jupyterlab_server import jupyterlab

pytestmark = pytest.mark.slow

CHROMIUM = Path(os.environ.get("SHAPESCHOOL_CHROMIUM", "/usr/bin/chromium"))
SHOTS = REPO / "artifacts" / "screenshots"
# Flags for a closed network: no background fetches, no sandbox as root, no GPU.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        message = f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium (needs root)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(REPO / "exercises", root / "exercises")
    with jupyterlab(root) as server:
        yield server


NOT_YET_RUN = "() => Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')).filter(p => !/[0-9]/.test(p.textContent)).length"


def run_every_cell(page, timeout_ms=60_000):
    """Shift+Enter through the notebook, waiting for the kernel after each cell, so an error in
    one cell does not stop the rest (as Run All would)."""
    cells = page.locator(".jp-Notebook .jp-Cell")
    cells.first.click()
    page.keyboard.press("Escape")
    for _ in range(2 * cells.count()):
        if page.evaluate(NOT_YET_RUN) == 0:
            return
        page.keyboard.press("Shift+Enter")
        page.wait_for_timeout(150)
        page.wait_for_function(
            "() => !Array.from(document.querySelectorAll('.jp-InputPrompt')).some(p => p.textContent.includes('*'))",
            timeout=timeout_ms)
    raise AssertionError(f"{page.evaluate(NOT_YET_RUN)} code cells never ran")


def test_student_notebook_in_jupyterlab(browser, lab, chapter):
    base, token = lab
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    # a workspace of its own, reset, so no notebook from an earlier test is open beside it
    page.goto(f"{base}/lab/workspaces/{chapter}/tree/exercises/{chapter}.ipynb?reset&token={token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    run_every_cell(page)

    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").all_inner_texts()
    shown = " ".join(errors)
    for cell in fixme_cells(load("course", chapter)):
        how = cell.metadata["shapeschool"]
        expected = "ShapeSchoolError" if how.get("silent") else how["fails_with"]
        assert expected in shown, f"{chapter}/{cell.metadata['nbgrader']['grade_id']}: no {expected} on the page"

    explorer = page.locator(".jupyter-widgets.widget-vbox").last
    explorer.wait_for(timeout=30_000)
    explorer.scroll_into_view_if_needed()
    table = explorer.locator(".widget-html-content").first
    assert explorer.locator("img").count() >= 1, "the explorer shows no picture"
    before = table.inner_text()
    page.screenshot(path=str(SHOTS / f"{chapter}.png"))
    checkbox = explorer.locator("input[type='checkbox']")
    if checkbox.count():
        checkbox.first.click()
    else:
        handle = explorer.locator(".noUi-handle").first
        handle.focus()
        page.keyboard.press("ArrowRight")
    page.wait_for_function("([el, text]) => el.innerText !== text", arg=[table.element_handle(), before], timeout=20_000)
    assert table.inner_text() != before
    explorer.screenshot(path=str(SHOTS / f"{chapter}-explorer-after.png"))
    page.close()


def setup_module(module):
    SHOTS.mkdir(parents=True, exist_ok=True)
