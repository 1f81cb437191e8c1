"""Are the committed exercises/ and solutions/ exactly what `make generate` produces?"""
import shutil
import subprocess
import sys

import nbformat
import pytest

from shapeschool_nbgrader import build


@pytest.mark.slow
def test_committed_copies_match_the_sources(repo):
    done = subprocess.run([sys.executable, "-m", "shapeschool_nbgrader", "--check"], cwd=repo,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "match course/" in done.stdout


@pytest.fixture
def copy_of_course(tmp_path, monkeypatch, repo):
    for folder in ("course", "exercises", "solutions"):
        shutil.copytree(repo / folder, tmp_path / folder)
    (tmp_path / "pyproject.toml").write_text("")
    return tmp_path


@pytest.mark.slow
def test_an_edited_source_is_reported_as_drift(copy_of_course):
    path = sorted((copy_of_course / "course").glob("*.ipynb"))[0]
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source += "\nOne more sentence."
    nbformat.write(nb, path)
    drift = build.build(copy_of_course, [path], check=True)
    assert f"exercises/{path.name} differs from what course/{path.name} generates" in drift
    assert f"solutions/{path.name} differs from what course/{path.name} generates" in drift


@pytest.mark.slow
def test_an_answer_key_without_outputs_is_reported(copy_of_course):
    path = sorted((copy_of_course / "solutions").glob("*.ipynb"))[0]
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(nb, path)
    drift = build.build(copy_of_course, [copy_of_course / "course" / path.name], check=True)
    assert any("has code cells without stored outputs" in d for d in drift), drift


def test_unknown_chapter_names_the_known_ones(repo):
    with pytest.raises(SystemExit, match="no chapter named ch99 in course/; known: ch01"):
        build.chapters(repo, ["ch99"])


def test_the_repository_is_found_from_any_folder_inside_it_and_outside_one_is_refused(repo, tmp_path):
    assert build.repository(repo / "tests" / "fixtures") == repo
    with pytest.raises(SystemExit, match="not inside a Shape School checkout"):
        build.repository(tmp_path)


def test_the_cheat_sheet_lists_each_taught_error_with_its_section_and_each_chapters_rules(repo):
    from shapeschool_nbgrader import cheatsheet

    page = cheatsheet.render(repo)
    assert ("| `input.size(-1) must be equal to input_size` | `RuntimeError` | [Chapter 1, §3. The LSTM's "
            "`input_size`](../exercises/ch01_embeddings_to_lstm.ipynb) |") in page
    assert "| `index out of range` | `IndexError` | [Chapter 1, §2." in page      # revealed by a prediction
    assert page.count("### [Chapter ") == len(list((repo / "course").glob("*.ipynb")))
    assert "(this chapter has no summary yet)" not in page


def test_a_drifted_cheat_sheet_is_reported(copy_of_course):
    (copy_of_course / "docs").mkdir()
    (copy_of_course / "docs" / "cheatsheet.md").write_text("edited by hand\n")
    assert build.write_cheatsheet(copy_of_course, check=True) == ["docs/cheatsheet.md differs from what course/ generates"]
    build.write_cheatsheet(copy_of_course, check=False)
    assert build.write_cheatsheet(copy_of_course, check=True) == []


def test_drifted_other_answers_are_reported(copy_of_course, repo):
    shutil.copytree(repo / "tests" / "fixes", copy_of_course / "tests" / "fixes")
    (copy_of_course / "shapeschool" / "chapters").mkdir(parents=True)
    (copy_of_course / "shapeschool" / "chapters" / "answers.py").write_text("ANSWERS = {}\n")
    assert build.write_answers(copy_of_course, check=True) == [
        "shapeschool/chapters/answers.py differs from what tests/fixes/ and course/ generates"]
    build.write_answers(copy_of_course, check=False)
    assert build.write_answers(copy_of_course, check=True) == []
    assert (copy_of_course / "shapeschool" / "chapters" / "answers.py").read_text() == \
        (repo / "shapeschool" / "chapters" / "answers.py").read_text()
