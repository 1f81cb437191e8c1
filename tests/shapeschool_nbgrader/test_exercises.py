"""Does the student version show broken code that fails as declared, and hide every answer?"""
import nbformat
import pytest

from shapeschool_nbgrader import markers
from notebooks import errors, fixme_cells, graded_cells, is_challenge, load, nbgrader_meta


# (fix-me cells, of which silent bugs) each chapter must have at least; Chapter 1 is the gentlest
MINIMUMS = {"ch01": (4, 1)}
DEFAULT_MINIMUM = (5, 2)


def test_chapter_has_enough_fixme_cells_and_silent_bugs(chapter):
    cells = fixme_cells(load("course", chapter))
    need_cells, need_silent = MINIMUMS.get(chapter[:4], DEFAULT_MINIMUM)
    assert len(cells) >= need_cells, f"{chapter}: {len(cells)} fix-me cells, the course asks for at least {need_cells}"
    silent = [c for c in cells if c.metadata.get("shapeschool", {}).get("silent")]
    assert len(silent) >= need_silent, f"{chapter}: {len(silent)} silent bugs, the course asks for at least {need_silent}"


def test_every_fixme_declares_how_it_fails_and_is_followed_by_a_check(chapter):
    nb = load("course", chapter)
    for i, cell in enumerate(nb.cells):
        if cell in fixme_cells(nb):
            how = cell.metadata.get("shapeschool", {})
            gid = nbgrader_meta(cell)["grade_id"]
            assert how.get("fails_with") or how.get("silent"), \
                f"{chapter}/{gid}: say in metadata shapeschool.fails_with or shapeschool.silent how it fails"
            following = nb.cells[i + 1]
            assert nbgrader_meta(following).get("grade") and nbgrader_meta(following).get("points", 0) > 0, \
                f"{chapter}/{gid}: the cell after a fix-me must be a graded check"


def test_student_version_holds_no_solution_or_hidden_test(chapter, repo):
    source = load("course", chapter)
    text = (repo / "exercises" / f"{chapter}.ipynb").read_text()
    for marker in (markers.BEGIN_SOLUTION, markers.BEGIN_BROKEN, markers.BEGIN_HIDDEN, markers.END_HIDDEN):
        assert marker not in text
    secret, public = set(), set()
    for cell in source.cells:
        if cell.cell_type != "code":
            continue
        if markers.has_solution(cell.source):  # broken code that matches a solution line is public
            public.update(line.strip() for line in markers.student_source(cell.source).split("\n"))
        inside = False
        for line in cell.source.split("\n"):
            if line.strip() in (markers.BEGIN_SOLUTION, markers.BEGIN_HIDDEN):
                inside = True
            elif line.strip() in (markers.END_SOLUTION, markers.END_HIDDEN):
                inside = False
            elif inside:
                secret.add(line.strip())
            else:
                public.add(line.strip())
    secret = {line for line in secret - public if len(line) > 12}
    visible = {line.strip() for c in load("exercises", chapter).cells for line in c.source.split("\n")}
    leaked = sorted(s for s in secret if s in visible or s.replace('"', '\\"') in text)
    assert not leaked, f"{chapter}: the student version shows {leaked}"


@pytest.mark.slow
def test_untouched_exercise_fails_the_way_each_cell_declares(chapter, site):
    # The website's chapter page is this very run: the student notebook executed top to bottom
    # with its errors kept (shapeschool_site.notebooks; the build runs each chapter once for both).
    nb = nbformat.read(site.source / "exercises" / f"{chapter}.ipynb", as_version=4)
    for i, cell in enumerate(nb.cells):
        how = cell.metadata.get("shapeschool", {})
        if not (how.get("silent") or how.get("fails_with")):
            continue
        gid = nbgrader_meta(cell)["grade_id"]
        raised = [e.ename for e in errors(cell)]
        if how.get("silent"):
            assert raised == [], f"{gid}: a silent bug must run without error, but raised {raised}"
            check = errors(nb.cells[i + 1])
            assert [e.ename for e in check] == ["ShapeSchoolError"], \
                f"{gid}: the check under a silent bug must catch it with a ShapeSchoolError, got {check}"
            assert "expected" in check[0].evalue and "got" in check[0].evalue
        else:
            assert raised == [how["fails_with"]], f"{gid}: expected the broken code to raise {how['fails_with']}, got {raised}"
    for cell in graded_cells(nb):
        assert errors(cell), f"{nbgrader_meta(cell)['grade_id']}: passes on the untouched student version"


def test_chapter_ends_with_a_challenge_that_gives_no_hint_until_asked(chapter):
    """The last fix-me of a chapter is a challenge: unscaffolded, its check an on-demand exercise."""
    import importlib

    cells = fixme_cells(load("course", chapter))
    challenges = [c for c in cells if is_challenge(c)]
    assert len(challenges) == 1 and cells[-1] is challenges[0], f"{chapter}: one challenge, the last fix-me"
    gid = nbgrader_meta(challenges[0])["grade_id"]
    exercise = getattr(importlib.import_module(f"shapeschool.chapters.{chapter[:4]}"), gid)
    assert exercise.on_demand, f"{chapter}/{gid}: a challenge's check gives no hint until asked (on_demand=True)"
