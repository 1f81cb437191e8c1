"""In a real browser, from files on disk (no server, no network): the website's home page, a
chapter page and the error index read on a desktop and on a phone, and a search for an error
message lands on its explanation. Screenshots land in artifacts/screenshots/site-*.png; the
README's picture (docs/site-error-index.png) is a copy of the desktop error index."""
import re
from urllib.parse import quote_plus

import pytest

import site_checks
from test_jupyterlab import SHOTS, browser  # noqa: F401 - the module's Chromium fixture

pytestmark = pytest.mark.slow

PAGES = {"home": "index.html", "chapter": "exercises/ch03_states_of_stacked_lstms.html", "errors": "errors.html"}
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
MESSAGE = "Expected hidden[0] size"


def _open(browser, site, page, size):  # noqa: F811
    width, height = SIZES[size]
    tab = browser.new_page(viewport={"width": width, "height": height})
    failed = []
    tab.on("requestfailed", lambda request: failed.append(request.url))
    tab.goto((site.html / page).as_uri())
    tab.wait_for_load_state("load")
    return tab, failed


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", PAGES)
def test_the_page_reads_at_this_size_with_nothing_missing(browser, site, name, size):  # noqa: F811
    tab, failed = _open(browser, site, PAGES[name], size)
    assert not [url for url in failed if url.startswith("file:")], f"missing files: {failed}"
    overflow = tab.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{name} is {overflow}px wider than a {size} window: something does not wrap or scroll"
    titles = tab.locator("h1")
    shown = [titles.nth(i).inner_text() for i in range(titles.count()) if titles.nth(i).is_visible()]
    assert len(shown) == 1, f"one title on screen, got {shown}"
    if name == "chapter":
        bar = tab.locator("nav.shapeschool-launch-bar a")
        assert [bar.nth(i).inner_text() for i in range(bar.count())] == \
            ["Open in Colab", "Launch Binder", "Download the notebook"]
        for i in range(bar.count()):
            box = bar.nth(i).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= SIZES[size][0], "every button on screen"
        wide = tab.locator("div.cell_output pre").first
        assert wide.evaluate("e => getComputedStyle(e).overflowX") == "auto", "long output scrolls in its block"
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"site-{name}-{size}.png"))
    tab.close()


@pytest.mark.parametrize("size", SIZES)
def test_searching_an_error_message_lands_on_its_explanation(browser, site, size):  # noqa: F811
    tab, _ = _open(browser, site, "index.html", size)
    tab.goto((site.html / "search.html").as_uri() + "?q=" + MESSAGE.replace(" ", "+").replace("[", "%5B").replace("]", "%5D"))
    first = tab.locator("#search-results li a").first
    first.wait_for(timeout=15_000)
    assert first.inner_text().endswith(MESSAGE), f"the first result is {first.inner_text()!r}"
    first.click()
    tab.wait_for_load_state("load")
    assert re.search(r"/errors\.html#expected-hidden-0-size$", tab.url), tab.url
    heading = tab.locator("h3", has_text=MESSAGE)
    assert heading.is_visible() and heading.bounding_box()["y"] < SIZES[size][1], "the explanation is on screen"
    section = tab.locator("section#expected-hidden-0-size")
    text = section.inner_text()
    assert "What it means" in text and "The fix" in text and "Chapter 3" in text
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"site-search-landing-{size}.png"))
    tab.close()


def test_every_message_in_the_index_is_the_first_thing_its_search_finds(browser, site):  # noqa: F811
    tab, _ = _open(browser, site, "index.html", "desktop")
    missed = []
    entries = site_checks.index_entries((site.source / "errors.md").read_text())
    for _, message in entries:
        tab.goto((site.html / "search.html").as_uri() + "?q=" + quote_plus(message))
        first = tab.locator("#search-results li a").first
        first.wait_for(timeout=15_000)
        said, href = first.inner_text(), first.get_attribute("href")
        if not (said == f"The error index > {message}" and "errors.html#" in href):
            missed.append(f"{message!r}: the first result is {said!r} ({href})")
    tab.close()
    assert len(entries) >= 30 and not missed, "\n".join(missed)
