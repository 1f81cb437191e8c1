"""Is the committed answer key clean: executed, no errors, nothing on stderr?"""
from notebooks import errors, load


def test_answer_key_ran_without_errors_or_stderr(chapter):
    nb = load("solutions", chapter)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        assert cell.execution_count is not None, f"cell {i} was never run: `make generate`"
        assert not errors(cell), f"cell {i} raised {[e.ename for e in errors(cell)]}"
        stderr = [o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stderr"]
        assert not stderr, f"cell {i} wrote to stderr (nbgrader scores such a test cell 0): {stderr}"


def test_answer_key_has_no_hidden_tests_or_markers(chapter, repo):
    text = (repo / "solutions" / f"{chapter}.ipynb").read_text()
    for marker in ("BEGIN SOLUTION", "BEGIN BROKEN", "HIDDEN TESTS"):
        assert marker not in text
