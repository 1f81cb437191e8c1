"""The website, built once from this checkout (tests/conftest.py's ``site``), as a reader and a
search engine meet it: every link and picture is there, every chapter page launches its own
notebook, no page shows an answer, and every error the course shows is in the error index."""
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import nbformat
import pytest

from shapeschool_nbgrader import markers
from shapeschool_nbgrader.cheatsheet import chapter_facts
from shapeschool_nbgrader.launch import binder_url, colab_url
from shapeschool_site import error_index
from notebooks import hidden_lines_shown, load

pytestmark = pytest.mark.slow

BUILD_BUDGET = 240      # seconds for the whole site on a 2-core machine (about 55 measured)


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.links, self.images, self.headings = set(), [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs)
        if tag in ("img", "script") and attrs.get("src"):
            self.images.append((tag, attrs))
        if tag in ("link",) and attrs.get("href") and attrs.get("rel") in ("stylesheet", "preload"):
            self.images.append((tag, {"src": attrs["href"]}))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))


def _parsed(path, cache={}):
    if path not in cache:
        page = _Page()
        page.feed(path.read_text(encoding="utf-8"))
        cache[path] = page
    return cache[path]


def _pages(site):
    return sorted(p for p in site.html.rglob("*.html") if "_static" not in p.parts)


def _text(path):
    """A page's words: tags out, entities read, spaces folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))).split())


def _local(url):
    parsed = urlparse(url)
    return not parsed.scheme and not parsed.netloc and not url.startswith("//")


def test_the_site_builds_within_its_budget(site):
    assert site.seconds < BUILD_BUDGET, f"the site took {site.seconds:.0f} s to build"
    for page in ("index", "errors", "docs/cheatsheet", "docs/doctor", "docs/instructors", "search"):
        assert (site.html / f"{page}.html").is_file(), page


def test_every_internal_link_reaches_a_page_and_its_anchor(site):
    broken = []
    for page in _pages(site):
        for attrs in _parsed(page).links:
            href = attrs["href"]
            if not _local(href) or href.startswith(("javascript:", "mailto:")):
                continue
            path, _, anchor = href.partition("#")
            target = (page.parent / unquote(path)).resolve() if path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(site.html)}: {href} (no such file)")
            elif anchor and target.suffix == ".html" and unquote(anchor) not in _parsed(target).ids:
                broken.append(f"{page.relative_to(site.html)}: {href} (no id {anchor!r} there)")
    assert not broken, "\n".join(broken)


def test_every_picture_and_script_is_there_and_every_picture_has_words(site):
    missing, wordless = [], []
    for page in _pages(site):
        for tag, attrs in _parsed(page).images:
            src = attrs["src"]
            if not _local(src):       # the site reads offline: nothing drawn or run comes from elsewhere
                missing.append(f"{page.relative_to(site.html)}: {src} is fetched from elsewhere")
                continue
            if not (page.parent / unquote(src.split("?")[0])).resolve().exists():
                missing.append(f"{page.relative_to(site.html)}: {src}")
            alt = attrs.get("alt", "")
            icon = "_static/" in src          # the theme's own icons (a launch menu's logos) say what they are
            if tag == "img" and (not alt or (not icon and len(alt) < 15) or re.search(r"\.(png|svg|jpe?g)$", alt)):
                wordless.append(f"{page.relative_to(site.html)}: {src} has alt {alt!r}")
    assert not missing, "\n".join(missing)
    assert not wordless, "every picture needs words for a screen reader:\n" + "\n".join(wordless)


def test_headings_go_down_one_level_at_a_time(site):
    for page in _pages(site):
        levels = _parsed(page).headings
        if page.name in ("search.html", "genindex.html"):
            continue
        jumps = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
        assert not jumps, f"{page.relative_to(site.html)}: a heading skips a level {jumps}"


def test_every_chapter_page_launches_and_downloads_its_own_notebook(site, repo, chapter):
    path = f"exercises/{chapter}.ipynb"
    page = site.html / "exercises" / f"{chapter}.html"
    links = {a.get("class", ""): a for a in _parsed(page).links}
    bar = [a for a in _parsed(page).links if "shapeschool-launch" in a.get("class", "").split()]
    assert [a["href"] for a in bar] == [colab_url(path), binder_url(path), f"../notebooks/{chapter}.ipynb"]
    download = (page.parent / bar[2]["href"]).resolve()
    assert download.read_bytes() == (repo / path).read_bytes(), "the download is the student notebook itself"
    assert "download" in bar[2]
    # Jupyter Book's own launch menu points at the same notebook
    hrefs = [a["href"] for a in _parsed(page).links]
    assert any(h.startswith("https://colab.research.google.com/github/") and h.endswith(path) for h in hrefs)
    binder = [h for h in hrefs if h.startswith("https://mybinder.org/v2/gh/")]
    assert binder and all(parse_qs(urlparse(h).query).get("urlpath", parse_qs(urlparse(h).query).get("labpath", [""]))[0].endswith(path)
                          for h in binder), binder
    assert links is not None


def test_no_page_shows_an_answer_keys_fix_or_a_hidden_test(site, chapter):
    source = load("course", chapter)
    public, secret = set(), set()
    for cell in source.cells:
        if cell.cell_type != "code":
            continue
        public.update(" ".join(line.split()) for line in markers.student_source(cell.source).split("\n"))
        public.update(" ".join(line.split()) for line in markers.without_hidden_tests(
            markers.student_source(cell.source)).split("\n"))
        secret.update(" ".join(line.split()) for line in markers.answer_source(cell.source, keep_hidden_tests=True).split("\n"))
    secret = {line for line in secret - public if len(line) > 12}
    for page in _pages(site):
        text = _text(page)
        shown = sorted(line for line in secret if line in text)
        assert not shown, f"{page.relative_to(site.html)} shows {chapter}'s answer: {shown}"
        raw = page.read_text(encoding="utf-8")
        assert not hidden_lines_shown(raw, chapter), f"{page.relative_to(site.html)} shows a hidden test"


def _index_entries(site):
    """(type, stable part) of each entry of the built error index."""
    text = (site.source / "errors.md").read_text()
    return re.findall(r"^### `+ ?(.+?) ?`+\n\n`(\w+)`", text, re.M)


def test_every_error_a_chapter_page_shows_is_in_the_index(site):
    entries = [(kind, contains) for contains, kind in _index_entries(site)]
    missing = []
    for path in sorted((site.source / "exercises").glob("ch*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            for out in cell.get("outputs", []):
                if out.output_type != "error" or out.ename in ("ShapeSchoolError", "NotImplementedError"):
                    continue        # the course's own checks, and the challenge's "write this" stub
                message = re.sub(r"\x1b\[[0-9;]*m", "", out.evalue)
                known = any(kind == out.ename and (contains in message or kind == "KeyError") for kind, contains in entries)
                if not known:
                    missing.append(f"{path.stem}: {out.ename}: {message.splitlines()[0][:120]}")
    assert not missing, "errors the pages show that the index does not explain:\n" + "\n".join(missing)


def test_every_message_the_chapters_demonstrate_is_in_the_index(site, repo):
    indexed = {contains for contains, _ in _index_entries(site)}
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
    for contains in error_index.WITHOUT_THE_DOCTOR:
        entry = logged.get(contains)
        if entry is not None:   # demonstrated on this device: the doctor's word, if any, would win
            assert entry["diagnosis"] is None, (
                f"the doctor now explains {contains!r}: remove it from WITHOUT_THE_DOCTOR")


def test_the_search_index_holds_every_message_as_a_title(site):
    raw = (site.html / "searchindex.js").read_text()
    index = json.loads(raw[raw.index("(") + 1:raw.rindex(")")])
    titles = {title for title in index.get("alltitles", {})}
    for contains, _ in _index_entries(site):
        assert contains in titles, f"search does not know {contains!r} as a title"
