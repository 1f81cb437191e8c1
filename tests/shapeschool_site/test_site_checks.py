"""Each of the site tests' checks (tests/site_checks.py), run on small sites broken on purpose: a check
that could not fail here would pass a broken site."""
import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

from shapeschool_nbgrader.launch import BRANCH, REPOSITORY
from shapeschool_site import error_index, notebooks
from notebooks import load
import site_checks

PATH = "exercises/ch01_embeddings_to_lstm.ipynb"


def _site(root, pages):
    for name, body in pages.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(f"<html><body>{body}</body></html>")
    return root


def test_a_link_to_no_file_or_no_anchor_is_found(tmp_path):
    _site(tmp_path, {"index.html": '<a href="other.html#here">ok</a> <a href="missing.html">no file</a> '
                                   '<a href="other.html#gone">no anchor</a> <a href="https://pytorch.org">away</a>',
                     "other.html": '<h1 id="here">Here</h1>'})
    found = site_checks.broken_links(tmp_path)
    assert len(found) == 2 and "missing.html (no such file)" in found[0] and "'gone'" in found[1]


def test_missing_pictures_pictures_without_words_and_anything_from_elsewhere_are_found(tmp_path):
    (tmp_path / "real.png").write_bytes(b"png")
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "logo.png").write_bytes(b"png")
    _site(tmp_path, {"index.html": '<img src="real.png" alt="Two grids: the batch-first tensor and its view">'
                                   '<img src="_static/logo.png" alt="Colab logo">'})
    assert site_checks.missing_or_wordless(tmp_path) == []
    _site(tmp_path, {"index.html": '<img src="gone.png" alt="A picture that was never copied">'
                                   '<img src="real.png" alt="real.png"> <img src="real.png">'
                                   '<script src="https://cdn.example/widgets.js"></script>'})
    found = site_checks.missing_or_wordless(tmp_path)
    assert len(found) == 4 and "gone.png is missing" in found[0] and "fetched from elsewhere" in found[3]


def test_a_heading_that_skips_a_level_is_found(tmp_path):
    _site(tmp_path, {"good.html": "<h1>a</h1><h2>b</h2><h3>c</h3><h2>d</h2>", "bad.html": "<h1>a</h1><h3>c</h3>"})
    assert site_checks.heading_jumps(tmp_path) == ["bad.html: [(1, 3)]"]


def _chapter_page(root, repo, bar_path=PATH, menu_path=PATH, download=None):
    name = PATH.rsplit("/", 1)[-1]
    (root / "notebooks").mkdir(parents=True, exist_ok=True)
    (root / "notebooks" / name).write_bytes(download or (repo / PATH).read_bytes())
    menu = (f'<a href="https://colab.research.google.com/github/{REPOSITORY}/blob/{BRANCH}/{menu_path}">Colab</a>'
            f'<a href="https://mybinder.org/v2/gh/{REPOSITORY}/{BRANCH}?urlpath=lab/tree/{menu_path}">Binder</a>')
    bar = notebooks.bar(bar_path).split("\n\n")[0]
    return _site(root, {f"exercises/{name}".replace(".ipynb", ".html"): bar + menu}) / "exercises" / name.replace(".ipynb", ".html")


def test_a_chapter_page_must_launch_and_download_its_own_notebook(tmp_path, repo):
    page = _chapter_page(tmp_path / "right", repo)
    assert site_checks.launch_problems(page, repo / PATH, PATH) == []
    other = "exercises/ch02_batch_first_and_transposes.ipynb"
    wrong = {
        "bar": _chapter_page(tmp_path / "bar", repo, bar_path=other),
        "menu": _chapter_page(tmp_path / "menu", repo, menu_path=other),
        "download": _chapter_page(tmp_path / "download", repo, download=(repo / "solutions" / PATH.split("/")[1]).read_bytes()),
    }
    said = {what: site_checks.launch_problems(page, repo / PATH, PATH) for what, page in wrong.items()}
    assert "the bar's links" in said["bar"][0]
    assert said["menu"] == ["the launch menu has no Colab link to this notebook",
                            said["menu"][1]] and "Binder" in said["menu"][1]
    assert said["download"] == ["the download is not the student notebook itself"]


def test_a_page_showing_an_answer_keys_line_is_found(tmp_path):
    source = load("course", "ch01_embeddings_to_lstm")
    secret = sorted(site_checks.secret_lines(source))
    assert len(secret) >= 10
    student = load("exercises", "ch01_embeddings_to_lstm")
    shown = "".join(f"<pre>{c.source}</pre>" for c in student.cells if c.cell_type == "code")
    _site(tmp_path, {"exercises/ch01.html": shown})
    assert site_checks.answers_shown(tmp_path, "ch01_embeddings_to_lstm", source) == []
    _site(tmp_path, {"exercises/ch01.html": shown + f"<pre>{secret[0]}</pre>"})
    assert "shows ch01_embeddings_to_lstm's answer" in site_checks.answers_shown(tmp_path, "ch01_embeddings_to_lstm", source)[0]


def _run(tmp_path, *errors):
    cell = new_code_cell("x", outputs=[new_output("error", ename=e, evalue=v, traceback=[]) for e, v in errors])
    path = tmp_path / "ch09.ipynb"
    nbformat.write(new_notebook(cells=[cell]), path)
    return [path]


def test_an_error_a_page_shows_that_the_index_lacks_is_found(tmp_path):
    entries = [("RuntimeError", "Expected hidden[0] size"), ("KeyError", "zebra")]
    shown = _run(tmp_path, ("RuntimeError", "Expected hidden[0] size (4, 3, 16), got [2, 3, 16]"), ("KeyError", "'mat'"),
                 ("ShapeSchoolError", "run_one(lstm, sentence) is not right yet"))
    assert site_checks.errors_not_indexed(shown, entries) == []
    missing = _run(tmp_path, ("RuntimeError", "mat1 and mat2 shapes cannot be multiplied (3x32 and 16x3)"),
                   ("IndexError", "Expected hidden[0] size"))          # the right words under another type
    assert len(site_checks.errors_not_indexed(missing, entries)) == 2


def test_the_index_entries_read_back_as_rendered():
    entry = error_index.Entry("RuntimeError", "`lengths` array must be sorted", "m", "c", "f", "packing",
                              "Chapter 4 · X", "4. Y", "exercises/ch04.ipynb")
    other = error_index.Entry("IndexError", "index out of range", "m", "c", "f", "embedding",
                              "Chapter 1 · X", "2. Z", "exercises/ch01.ipynb")
    page = error_index.render([entry, other], [])
    assert site_checks.index_entries(page) == [("IndexError", "index out of range"),
                                               ("RuntimeError", "`lengths` array must be sorted")]
