"""The course as a website, built by one command (``make site``, ``python -m shapeschool_site``)
from the sources everything else is made from; nothing in it is kept by hand.

What each page is made from:
- the home page: README.md, less the sections named in ``pages.LEFT_OUT`` (the shape doctor's
  section becomes a page of its own);
- a page per chapter: the student version (``exercises/``), executed here with its errors kept,
  so each broken cell shows the error it really raises and each check what it says on a first
  try; never an answer key. A bar at its top opens that notebook in Colab or Binder, or downloads
  it, and Jupyter Book's own launch menu does the same (``notebooks.py``);
- the cheat sheet and the instructors' guide: docs/cheatsheet.md and docs/instructors.md;
- the error index: every error the chapters demonstrate, each explained by the shape doctor as
  it explains that very demonstration, with the section that teaches it, and the silent bugs by
  symptom (``error_index.py``).

Links between repository files become links between pages where both are pages, and links into
the repository on GitHub where the target is not a page (``links.py``). The repository and branch
are ``shapeschool_nbgrader.launch``'s, the one place they are set. Jupyter Book 1 renders it all
(``book.py``; CONTRIBUTING.md says why that tool).
"""
