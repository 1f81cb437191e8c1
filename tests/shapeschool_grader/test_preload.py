"""What the kernel servers preload is read from the course's own notebooks, not fixed to this course."""
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from shapeschool_grader import preload


def notebook(*sources):
    return new_notebook(cells=[new_markdown_cell("import nothing_from_markdown")] + [new_code_cell(s) for s in sources])


def test_a_notebooks_imports_anywhere_in_its_code_are_read():
    names = preload.for_notebooks([notebook(
        "import numpy as np, scipy.stats\nfrom pandas import DataFrame\n",
        "%matplotlib inline\ndef later():\n    import sklearn.linear_model\n",
        "from . import relative\nfrom json import *\n!pip list")])
    course = [n for n in names if n not in preload.KERNEL]
    assert course == ["numpy", "scipy.stats", "pandas", "?pandas.DataFrame", "sklearn.linear_model", "json"], course
    assert names[len(course):] == preload.KERNEL


def test_a_course_without_torch_preloads_no_torch():
    names = preload.for_notebooks([notebook("def squares(n):\n    return [i * i for i in range(n)]")])
    assert names == preload.KERNEL
    assert not any(n.split(".")[0].lstrip("?") in ("torch", "matplotlib", "shapeschool") for n in names)


def test_a_cell_that_does_not_parse_imports_nothing_and_extra_modules_come_first_after_the_course():
    names = preload.for_notebooks([notebook("import numpy\n", "def broken(:\n    import os")], extra=["helpers"])
    assert names[:2] == ("numpy", "helpers") and "os" not in names


def test_this_courses_chapters_preload_torch_and_their_helpers(repo):
    import nbformat

    chapters = [nbformat.read(p, as_version=4) for p in sorted((repo / "exercises").glob("*.ipynb"))]
    names = preload.for_notebooks(chapters)
    assert {"torch", "einops", "shapeschool.widgets", "shapeschool.diagrams"} <= set(names)
