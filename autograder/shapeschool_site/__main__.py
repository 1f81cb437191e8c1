"""``python -m shapeschool_site [--out build/site]``: build the course's website.

The site's sources are made in OUT (a folder this command owns: it is emptied first, except the
Jupyter Book's cache), and the site itself in OUT/_build/html; open its index.html, or serve
that folder with any static web server."""
import argparse
import shutil
import sys
import time
from pathlib import Path

from . import book, error_index, links, notebooks, pages

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "build" / "site"


def make_sources(repo, out):
    """Write every page's source into ``out``; returns the chapters' paths."""
    if out.exists():
        for child in out.iterdir():
            if child.name != "_build":
                shutil.rmtree(child) if child.is_dir() else child.unlink()
    out.mkdir(parents=True, exist_ok=True)
    chapters = [f"exercises/{path.name}" for path in sorted((repo / "exercises").glob("ch*.ipynb"))]
    site_pages = {"README.md": "index.md", "docs/doctor.md": "docs/doctor.md",
                  "docs/cheatsheet.md": "docs/cheatsheet.md", "docs/instructors.md": "docs/instructors.md",
                  **{path: path for path in chapters}}
    notebooks.write(repo, out, out / "_logs", site_pages)
    images = set()
    pages.write_markdown(repo, out, site_pages, images)
    for image in sorted(images):
        (out / image).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(repo / image, out / image)
    error_index.write(repo, out, out / "_logs")       # the logs stay, for the tests to read
    book.write(out, chapters)
    return chapters


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m shapeschool_site", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"the folder to build in (default: {OUT.relative_to(REPO)})")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    if out == REPO or REPO.is_relative_to(out) or any(out == REPO / kept for kept in ("course", "exercises", "solutions", "docs")):
        parser.error(f"--out {args.out} would empty the repository's own files; choose a folder of its own, "
                     "such as build/site")
    started = time.monotonic()
    try:
        make_sources(REPO, out)
        html = book.build(out)
    except (links.BrokenLink, error_index.Incomplete, ValueError, RuntimeError) as problem:
        print(f"make site: {problem}", file=sys.stderr)
        return 1
    print(f"built the site in {time.monotonic() - started:.0f} s: open {html / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
