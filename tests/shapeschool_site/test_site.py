"""The website, built once from this checkout (tests/conftest.py's ``site``), as a reader and a
search engine meet it: every link and picture is there, every chapter page launches its own
notebook, no page shows an answer, and every error the course shows is in the error index.
The checks themselves are in tests/site_checks.py; test_site_checks.py shows each one failing."""
import json

import pytest

from shapeschool_nbgrader.cheatsheet import chapter_facts
from shapeschool_site import error_index
from notebooks import load
import site_checks

pytestmark = pytest.mark.slow

BUILD_BUDGET = 240      # seconds for the whole site on a 2-core machine (about 50 measured)


def test_the_site_builds_within_its_budget(site):
    assert site.seconds < BUILD_BUDGET, f"the site took {site.seconds:.0f} s to build"
    for page in ("index", "errors", "docs/cheatsheet", "docs/doctor", "docs/instructors", "search"):
        assert (site.html / f"{page}.html").is_file(), page


def test_every_internal_link_reaches_a_page_and_its_anchor(site):
    broken = site_checks.broken_links(site.html)
    assert not broken, "\n".join(broken)


def test_every_picture_and_script_is_there_and_every_picture_has_words(site):
    found = site_checks.missing_or_wordless(site.html)
    assert not found, "\n".join(found)


def test_headings_go_down_one_level_at_a_time(site):
    found = site_checks.heading_jumps(site.html)
    assert not found, "headings skip a level:\n" + "\n".join(found)


def test_every_chapter_page_launches_and_downloads_its_own_notebook(site, repo, chapter):
    path = f"exercises/{chapter}.ipynb"
    found = site_checks.launch_problems(site.html / "exercises" / f"{chapter}.html", repo / path, path)
    assert not found, "\n".join(found)


def test_no_page_shows_an_answer_keys_fix_or_a_hidden_test(site, chapter):
    assert len(site_checks.secret_lines(load("course", chapter))) >= 10, "the check has answers to look for"
    found = site_checks.answers_shown(site.html, chapter, load("course", chapter))
    assert not found, "\n".join(found)


def _entries(site):
    return site_checks.index_entries((site.source / "errors.md").read_text())


def test_every_error_a_chapter_page_shows_is_in_the_index(site):
    missing = site_checks.errors_not_indexed(sorted((site.source / "exercises").glob("ch*.ipynb")), _entries(site))
    assert not missing, "errors the pages show that the index does not explain:\n" + "\n".join(missing)


def test_every_message_the_chapters_demonstrate_is_in_the_index(site, repo):
    indexed = {contains for _, contains in _entries(site)}
    for path in sorted((repo / "course").glob("ch*.ipynb")):
        for kind, contains, section in chapter_facts(path)[1]:
            assert contains in indexed, f"{path.stem}: {kind} {contains!r} ({section}) is not in the error index"
    page = (site.html / "errors.html").read_text()
    assert page.count('href="exercises/') >= len(indexed), "each entry links to the section that teaches it"


def test_the_doctor_still_has_no_word_on_what_the_index_explains_without_it(site):
    logged = {}
    for log in (site.source / "_logs").glob("*.jsonl"):
        for entry in error_index.read_log(log):
            logged.setdefault(entry["contains"], entry)
    assert len(logged) >= 30, "the chapters' demonstrations were logged"
    for contains in error_index.WITHOUT_THE_DOCTOR:
        entry = logged.get(contains)
        if entry is not None:   # demonstrated on this device: the doctor's word, if any, would win
            assert entry["diagnosis"] is None, (
                f"the doctor now explains {contains!r}: remove it from WITHOUT_THE_DOCTOR")


def test_the_search_index_holds_every_message_as_a_title(site):
    raw = (site.html / "searchindex.js").read_text()
    index = json.loads(raw[raw.index("(") + 1:raw.rindex(")")])
    titles = set(index.get("alltitles", {}))
    for _, contains in _entries(site):
        assert contains in titles, f"search does not know {contains!r} as a title"
