"""The site's markdown pages, made from the repository's own markdown: the home page and the
shape doctor's page from README.md, and the docs/ pages as they are; links rewritten by ``links``."""
import re

from . import links

DOCTOR = "Your own model: the shape doctor"
LEFT_OUT = ("Repository layout",)         # README sections for contributors, not for the site's readers
FENCE = re.compile(r"^(```|~~~)")
# [![Open In Colab](https://.../badge.svg)](url): a badge fetched from elsewhere, shown as its words
BADGE = re.compile(r"\[!\[([^\]]+)\]\(https?://[^)\s]+\)\]\(([^)\s]+)\)")


def without_badges(markdown):
    """Badge images from other sites become plain links, so every page reads offline."""
    return BADGE.sub(r"[\1](\2)", markdown)


def sections(markdown):
    """(preamble, [(heading, text with its heading line)]) at level 2, fences respected."""
    preamble, found, fenced = [], [], False
    for line in markdown.split("\n"):
        if FENCE.match(line):
            fenced = not fenced
        if not fenced and line.startswith("## "):
            found.append((line[3:].strip(), [line]))
        elif found:
            found[-1][1].append(line)
        else:
            preamble.append(line)
    return "\n".join(preamble), [(heading, "\n".join(lines)) for heading, lines in found]


def home_and_doctor(readme):
    """The home page's markdown and the doctor page's, from README.md's text."""
    preamble, parts = sections(readme)
    named = dict(parts)
    for wanted in (DOCTOR, *LEFT_OUT):
        if wanted not in named:
            raise ValueError(f"README.md has no section '## {wanted}', which the site's pages are made from "
                             f"(autograder/shapeschool_site/pages.py): rename it there too")
    home = [preamble.rstrip()] + [text.rstrip() for heading, text in parts if heading not in (DOCTOR, *LEFT_OUT)]
    doctor = "# The shape doctor\n" + named[DOCTOR].split("\n", 1)[1]
    return "\n\n".join(home) + "\n", doctor.rstrip() + "\n"


# Said on the home page after the README's sections (site pages, so written after the rewrite)
ELSEWHERE = ("## The error index and the shape doctor\n\n"
             "Every error message the course teaches, with its cause, its fix and the section that teaches it: "
             "[the error index](errors.md). For the errors of your own model, after the course: "
             "[the shape doctor](docs/doctor.md).\n")


def write_markdown(repo, out, pages, images):
    """Write the home, doctor and docs pages into the site's source folder ``out``."""
    readme = without_badges((repo / "README.md").read_text(encoding="utf-8"))
    home, doctor = home_and_doctor(readme)
    made = {"README.md": home, "docs/doctor.md": doctor}
    for source in ("docs/cheatsheet.md", "docs/instructors.md"):
        made[source] = (repo / source).read_text(encoding="utf-8")
    for page, text in made.items():
        # the doctor's section is README.md's text, whose links are relative to the root
        source = "README.md" if page == "docs/doctor.md" else page
        text = links.rewrite(text, source, pages[page], pages, repo, images)
        if page == "README.md":
            text += "\n" + ELSEWHERE
        target = out / pages[page]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
