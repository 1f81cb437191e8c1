"""What the site tests look for in a built site, each as a function that lists what it found
wrong (empty: nothing). tests/shapeschool_site/test_site.py runs them on the real site;
test_site_checks.py runs them on small sites broken on purpose, so that each is shown to fail."""
import html
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, unquote, urlparse

import nbformat

from shapeschool_nbgrader import markers
from shapeschool_nbgrader.launch import binder_url, colab_url
from notebooks import hidden_lines_shown

THEIRS = ("search.html", "genindex.html")        # Sphinx's own pages


class Page(HTMLParser):
    def __init__(self, path):
        super().__init__()
        self.path = path
        self.ids, self.links, self.assets, self.headings = set(), [], [], []
        self.feed(path.read_text(encoding="utf-8"))

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs)
        if tag in ("img", "script") and attrs.get("src"):
            self.assets.append((tag, attrs))
        if tag == "link" and attrs.get("href") and attrs.get("rel") in ("stylesheet", "preload"):
            self.assets.append((tag, {"src": attrs["href"]}))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))


_PARSED = {}


def parsed(path):
    if path not in _PARSED or _PARSED[path][0] != path.stat().st_mtime_ns:
        _PARSED[path] = (path.stat().st_mtime_ns, Page(path))
    return _PARSED[path][1]


def pages(root):
    return sorted(p for p in root.rglob("*.html") if "_static" not in p.relative_to(root).parts)


def text(path):
    """A page's words: tags out, entities read, spaces folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))).split())


def local(url):
    parsed_url = urlparse(url)
    return not parsed_url.scheme and not parsed_url.netloc and not url.startswith("//")


def broken_links(root):
    """Links within the site that reach no file, or a file without the anchor they name."""
    broken = []
    for page in pages(root):
        for attrs in parsed(page).links:
            href = attrs["href"]
            if not local(href):
                continue
            path, _, anchor = href.partition("#")
            target = (page.parent / unquote(path)).resolve() if path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(root)}: {href} (no such file)")
            elif anchor and target.suffix == ".html" and unquote(anchor) not in parsed(target).ids:
                broken.append(f"{page.relative_to(root)}: {href} (no id {anchor!r} there)")
    return broken


def missing_or_wordless(root):
    """Pictures, scripts and styles that are missing or fetched from elsewhere, and pictures
    without words for a screen reader (the theme's own icons need only a name)."""
    found = []
    for page in pages(root):
        for tag, attrs in parsed(page).assets:
            src = attrs["src"]
            if not local(src):          # the site reads offline: nothing drawn or run comes from elsewhere
                found.append(f"{page.relative_to(root)}: {src} is fetched from elsewhere")
                continue
            if not (page.parent / unquote(src.split("?")[0])).resolve().exists():
                found.append(f"{page.relative_to(root)}: {src} is missing")
            alt = attrs.get("alt", "")
            icon = "_static/" in src
            if tag == "img" and (not alt or (not icon and len(alt) < 15) or re.search(r"\.(png|svg|jpe?g)$", alt)):
                found.append(f"{page.relative_to(root)}: {src} has no words (alt {alt!r})")
    return found


def heading_jumps(root):
    """Pages whose headings skip a level going down (h2 then h4)."""
    found = []
    for page in pages(root):
        if page.name in THEIRS:
            continue
        levels = parsed(page).headings
        jumps = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
        if jumps:
            found.append(f"{page.relative_to(root)}: {jumps}")
    return found


def launch_problems(page, notebook, path):
    """What is wrong with a chapter page's buttons: ``notebook`` is the student notebook at the
    repository path ``path``, which the page's bar and its launch menu must open and download."""
    found = []
    links = parsed(page).links
    bar = [a for a in links if "shapeschool-launch" in a.get("class", "").split()]
    name = path.rsplit("/", 1)[-1]
    wanted = [colab_url(path), binder_url(path), f"../notebooks/{name}"]
    if [a["href"] for a in bar] != wanted:
        found.append(f"the bar's links are {[a['href'] for a in bar]}, not {wanted}")
    elif "download" not in bar[2] or not (page.parent / bar[2]["href"]).resolve().exists() or \
            (page.parent / bar[2]["href"]).resolve().read_bytes() != notebook.read_bytes():
        found.append("the download is not the student notebook itself")
    hrefs = [a["href"] for a in links if a not in bar]          # the launch menu's own, not the bar's
    if not any(h.startswith("https://colab.research.google.com/github/") and h.endswith(path) for h in hrefs):
        found.append("the launch menu has no Colab link to this notebook")
    binder = [h for h in hrefs if h.startswith("https://mybinder.org/v2/gh/")]
    query = [parse_qs(urlparse(h).query) for h in binder]
    if not binder or not all((q.get("urlpath") or q.get("labpath") or [""])[0].endswith(path) for q in query):
        found.append(f"the launch menu's Binder links {binder} do not all open this notebook")
    return found


def secret_lines(source):
    """The lines of a chapter's source that only its answer key and hidden tests hold."""
    public, secret = set(), set()
    for cell in source.cells:
        if cell.cell_type != "code":
            continue
        student = markers.student_source(cell.source)
        public.update(" ".join(line.split()) for line in student.split("\n"))
        public.update(" ".join(line.split()) for line in markers.without_hidden_tests(student).split("\n"))
        secret.update(" ".join(line.split())
                      for line in markers.answer_source(cell.source, keep_hidden_tests=True).split("\n"))
    return {line for line in secret - public if len(line) > 12}


def answers_shown(root, chapter, source):
    """Pages that show a line only ``chapter``'s answer key or hidden tests hold."""
    secret = secret_lines(source)
    found = []
    for page in pages(root):
        shown = sorted(line for line in secret if line in text(page))
        if shown:
            found.append(f"{page.relative_to(root)} shows {chapter}'s answer: {shown}")
        if hidden_lines_shown(page.read_text(encoding="utf-8"), chapter):
            found.append(f"{page.relative_to(root)} shows a hidden test of {chapter}")
    return found


def errors_not_indexed(notebooks, entries):
    """Errors the executed chapter ``notebooks`` show that no (type, stable part) of the error
    index explains; a KeyError's message is the missing key, so any KeyError entry explains one."""
    missing = []
    for path in notebooks:
        for cell in nbformat.read(path, as_version=4).cells:
            for out in cell.get("outputs", []):
                if out.output_type != "error" or out.ename in ("ShapeSchoolError", "NotImplementedError"):
                    continue        # the course's own checks, and the challenge's "write this" stub
                message = re.sub(r"\x1b\[[0-9;]*m", "", out.evalue)
                if not any(kind == out.ename and (contains in message or kind == "KeyError") for kind, contains in entries):
                    missing.append(f"{path.stem}: {out.ename}: {message.splitlines()[0][:120] if message else ''}")
    return missing


def index_entries(errors_md):
    """(type, stable part) of each entry of an error index's markdown."""
    return [(kind, contains) for contains, kind in
            re.findall(r"^### `+ ?(.+?) ?`+\n\n`(\w+)`", errors_md, re.M)]
