"""``shapeschool_grader.split``: which cells run in the check kernel, and which names it takes from the
student's kernel, read from the instructor's release, never from the submission."""
import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from shapeschool_grader import split


def _cell(source, **nbgrader):
    cell = new_code_cell(source)
    if nbgrader:
        cell.metadata["nbgrader"] = dict(nbgrader)
    return cell


def _release():
    return new_notebook(cells=[
        new_markdown_cell("# lesson"),
        _cell("import torch\nvocab = {'<pad>': 0}", grade_id="setup", locked=True),
        _cell("def encode(s):\n    return s\nids = encode('x')\nfor k in range(2):\n    pass",
              grade_id="encode", solution=True),
        _cell("picture = draw(vocab)", grade_id="picture", locked=True),
        _cell("def check(case):\n    table = encode(case)\nassert encode('a') == vocab['<pad>']",
              grade_id="check_encode", grade=True, locked=True, points=1),
        _cell("%%time\nvocab = dict(vocab)\nclass Model:\n    pass", grade_id="model", solution=True),
        _cell("print('scratch')"),
    ])


def test_test_cells_run_in_the_check_kernel_and_the_lesson_cells_they_need_in_both():
    plan = split.plan(_release(), _release())
    assert plan.checks == {4}
    assert plan.lessons == {1}, "the picture no check reads runs only in the student's kernel"


def test_the_check_kernel_takes_only_the_names_the_fix_me_cells_define():
    plan = split.plan(_release(), _release())
    # 'vocab' is the instructor's (a lesson cell binds it); 'table' and 'case' are locals.
    assert plan.names == ("Model", "encode", "ids", "k")


def test_roles_come_from_the_release_not_from_the_submission():
    submitted = _release()
    submitted.cells[4].metadata["nbgrader"]["locked"] = False     # a test cell turned into the student's
    submitted.cells.insert(2, nbformat.from_dict(_cell("vocab = 1", grade_id="mine", locked=True)))
    plan = split.plan(submitted, _release())
    assert plan.checks == {5}
    assert plan.lessons == {1}   # only grade ids the release locks; nbgrader restored their source


def test_a_cell_that_does_not_parse_binds_nothing():
    assert split.bound_names("def (:") == set()
    assert split.bound_names("x, (y, *z) = 1, (2, 3)\nimport a.b as c, d.e\n[w for w in ()]") == {"x", "y", "z", "c", "d"}


def test_names_come_from_the_instructors_source_where_the_release_holds_only_a_stub():
    """nbgrader's default release replaces an answer with ``raise NotImplementedError()``, which
    defines nothing; the course's source notebook holds the solution that names the answer."""
    stubbed = new_notebook(cells=[
        _cell("# YOUR CODE HERE\nraise NotImplementedError()", grade_id="answer", solution=True),
        _cell("assert total == 31\nlen([])", grade_id="check", grade=True, locked=True, points=1)])
    source = new_notebook(cells=[
        _cell("### BEGIN SOLUTION\ntotal = 31\n### END SOLUTION", grade_id="answer", solution=True),
        _cell("assert total == 31\nlen([])", grade_id="check", grade=True, locked=True, points=1)])
    assert split.plan(stubbed, stubbed).names == ()
    assert split.plan(stubbed, stubbed, source).names == ("total",)
    submitted = new_notebook(cells=[
        _cell("total = 31\nlen = lambda x: 1", grade_id="answer", solution=True),   # a student's own `len`
        _cell("assert total == 31\nlen([])", grade_id="check", grade=True, locked=True, points=1)])
    assert split.plan(submitted, stubbed, source).names == ("total",), "never a name only a submission defines"
