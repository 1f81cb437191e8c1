"""Through the real nbgrader command line: does the answer key earn full marks on every graded
cell, the untouched student version none, and is nbgrader's release the committed exercise?"""
import shutil

import pytest
from nbgrader.api import Gradebook

from shapeschool_nbgrader import nbgrader_cli
from notebooks import graded_cells, load, nbgrader_meta

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def graded(tmp_path_factory, repo, chapter):
    """Release the chapter, submit the answer key and the untouched exercise, autograde both."""
    course = nbgrader_cli.make_course(tmp_path_factory.mktemp(chapter) / "course")
    name = nbgrader_cli.add_source(course, repo / "course" / f"{chapter}.ipynb")
    release = nbgrader_cli.generate_assignment(course, name)
    submissions = {"answer-key": repo / "solutions", "untouched": repo / "exercises"}
    for student, folder in submissions.items():
        target = course / "submitted" / student / name
        target.mkdir(parents=True)
        shutil.copyfile(folder / f"{chapter}.ipynb", target / f"{chapter}.ipynb")
    nbgrader_cli.run(course, "autograde", name, "--create")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        scores = {
            student: {nbgrader_meta(c)["grade_id"]: (g.score, g.max_score) for c in graded_cells(load("course", chapter))
                      for g in [gb.find_grade(nbgrader_meta(c)["grade_id"], chapter, name, student)]}
            for student in submissions
        }
    return release, scores


def test_release_is_the_committed_exercise(graded, repo, chapter):
    release, _ = graded
    assert release.read_text() == (repo / "exercises" / f"{chapter}.ipynb").read_text(), \
        "nbgrader's release differs from exercises/: run `make generate`"


def test_answer_key_earns_full_marks_on_every_graded_cell(graded):
    _, scores = graded
    short = {cell: s for cell, s in scores["answer-key"].items() if not (s[1] > 0 and s[0] == s[1])}
    assert not short, f"answer key lost points on {short}"


def test_untouched_exercise_earns_nothing(graded):
    _, scores = graded
    earned = {cell: s for cell, s in scores["untouched"].items() if s[0] != 0}
    assert not earned, f"untouched student version earned points on {earned}"
