"""The fix catalogue handed in as a class: one submission per wrong fix, the alternatives several
to a notebook, and each chapter's answer key, graded once by ``shapeschool-grade`` for every test
that needs a graded class (tests/shapeschool_grader/conftest.py's ``fix_class``)."""
import dataclasses

import nbformat

import fixes
from shapeschool_grader import benchmark
from shapeschool_nbgrader import markers
from notebooks import fixme_cells, load, nbgrader_meta


@dataclasses.dataclass(frozen=True)
class HandedIn:
    chapter: str
    student: str
    tried: tuple          # the fixes in this notebook (none: the answer key)
    check: str = None     # for a wrong fix: the grade_id of the check that must lose its point
    fixme: str = None     # ... and of its fix-me cell
    graded: frozenset = frozenset()   # every graded cell of the notebook

    @property
    def wrong(self):
        return self.check is not None


def hand_in(course, chapter, student, release, answers, notebook=None):
    """``release`` with ``answers`` ({grade_id: source}) filled in, or ``notebook`` as it is,
    handed in by ``student``."""
    folder = course / "submitted" / student / chapter
    folder.mkdir(parents=True)
    nbformat.write(notebook or benchmark.answered(release, answers), folder / f"{chapter}.ipynb")
    (folder / "timestamp.txt").write_text("2026-11-01 12:00:00.000000 UTC\n")


def the_class(course, releases, chapters):
    """Write every chapter's submissions into ``course``/submitted; return {(chapter, student): HandedIn}.

    Wrong fixes one submission each: the released notebook with every other fix-me answered, so
    that it must lose exactly its own check's point. Alternatives several to a submission (the
    n-th alternative of every fix-me cell together, the others answered): every point must be
    earned, so each alternative must pass beside the others."""
    handed = {}
    for chapter in chapters:
        source = load("course", chapter)
        cells = source.cells
        fixme = {nbgrader_meta(c)["grade_id"]: c for c in fixme_cells(source)}
        checks = {nbgrader_meta(c)["grade_id"]: nbgrader_meta(cells[i + 1])["grade_id"]
                  for i, c in enumerate(cells) if c in fixme.values()}
        graded = frozenset(nbgrader_meta(c)["grade_id"] for c in cells if nbgrader_meta(c).get("grade"))
        answers = {gid: markers.answer_source(c.source) for gid, c in fixme.items()}
        release = nbformat.read(releases[chapter], as_version=4)
        short = chapter.split("_")[0]
        student = f"{short}-answer-key"
        hand_in(course, chapter, student, release, answers)
        handed[(chapter, student)] = HandedIn(chapter, student, (), graded=graded)
        rounds = {}                                   # n -> {gid: its n-th alternative}
        for gid, tried in fixes.catalogue(chapter).items():
            for k, fix in enumerate(tried):
                if fix.right:
                    rounds.setdefault(sum(f.right for f in tried[:k]), {})[gid] = fix
                    continue
                student = f"{gid.replace('_', '-')}-wrong-{k}"
                hand_in(course, chapter, student, release, {**answers, gid: fixes.fixed_source(fixme[gid].source, fix)})
                handed[(chapter, student)] = HandedIn(chapter, student, (fix,), checks[gid], gid, graded)
        for n, chosen in rounds.items():
            student = f"{short}-alternatives-{n}"
            hand_in(course, chapter, student, release,
                    {**answers, **{gid: fixes.fixed_source(fixme[gid].source, fix) for gid, fix in chosen.items()}})
            handed[(chapter, student)] = HandedIn(chapter, student, tuple(chosen.values()), graded=graded)
    return handed
