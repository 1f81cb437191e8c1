"""Links in a page's markdown, rewritten for the site: a link to another page stays a relative
link to that page, a link to anything else in the repository goes to the file on GitHub, and a
link to a file that does not exist is an error naming the page and the link."""
import posixpath
import re
from pathlib import Path

from shapeschool_nbgrader.launch import BRANCH, REPOSITORY

# [text](target) and ![alt](target); a target has no spaces (the course's never do)
LINK = re.compile(r"(!?\[(?:[^\[\]]|\[[^\]]*\])*\])\(([^)\s]+)\)")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


class BrokenLink(ValueError):
    pass


def github_url(path, folder=False):
    """The file (or folder) at ``path``, relative to the repository root, on GitHub."""
    return f"https://github.com/{REPOSITORY}/{'tree' if folder else 'blob'}/{BRANCH}/{path}".rstrip("/")


def rewrite(text, source, page, pages, repo, images):
    """``text`` (markdown from the repository file ``source``, shown on the site at ``page``) with
    its links made right for the site. ``pages`` maps a repository path to the site path of the
    page made from it; ``images`` collects the repository paths of the pictures the page shows
    (copied into the site at the same paths)."""
    here = posixpath.dirname(source)

    def replaced(match):
        label, target = match.group(1), match.group(2)
        if EXTERNAL.match(target) or target.startswith("#"):
            return match.group(0)
        path, _, anchor = target.partition("#")
        wanted = posixpath.normpath(posixpath.join(here, path))
        if wanted.startswith("..") or not (Path(repo) / wanted).exists():
            raise BrokenLink(f"{source}: the link {target!r} points at {wanted}, which is not in the repository; "
                             "correct the link in that file")
        if label.startswith("!"):
            images.add(wanted)
            return f"{label}({_relative(wanted, page)})"
        if wanted in pages:
            return f"{label}({_relative(pages[wanted], page)}{'#' + anchor if anchor else ''})"
        url = github_url(wanted, folder=(Path(repo) / wanted).is_dir())
        return f"{label}({url}{'#' + anchor if anchor else ''})"

    return LINK.sub(replaced, text)


def _relative(target, page):
    return posixpath.relpath(target, posixpath.dirname(page) or ".")
