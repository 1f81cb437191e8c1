"""Reading submissions: each problem a clear rejection or a repair with a note, never a crash."""
import json
import zipfile

import nbformat
import pytest

import corpus
from shapeschool_grader import intake
from notebooks import load, nbgrader_meta

RELEASE = load("exercises", corpus.CHAPTER)


def scenario(tmp_path, name, as_name=None):
    path = tmp_path / (as_name or f"{corpus.CHAPTER}.ipynb")
    path.write_text((corpus.FOLDER / corpus.file_name(name)).read_text())
    return path


@pytest.mark.parametrize("name, words", [("empty_file", "is empty"), ("invalid_json", "not valid JSON")])
def test_unreadable_files_are_rejected_with_what_to_do(tmp_path, name, words):
    with pytest.raises(intake.Rejected, match=words) as caught:
        intake.read(scenario(tmp_path, name))
    assert "resubmit" in str(caught.value)


def test_json_that_is_no_notebook_is_rejected(tmp_path):
    path = tmp_path / "x.ipynb"
    path.write_text(json.dumps({"cells": []}))
    with pytest.raises(intake.Rejected, match="not a notebook"):
        intake.read(path)


def test_nbformat_3_is_converted_with_a_note(tmp_path):
    read = intake.read(scenario(tmp_path, "nbformat3"))
    assert read.notebook.nbformat == 4 and "nbformat 3" in read.notes[0]
    assert all("id" in c for c in read.notebook.cells)


@pytest.mark.parametrize("minor, ids", [(0, False), (4, False), (5, True)])
def test_cell_ids_are_given_only_to_notebooks_whose_format_has_them(tmp_path, minor, ids):
    """A 4.0 notebook (nbgrader quickstart's) is read without ids, as nbformat itself reads it:
    with one, nbgrader's writer logs the notebook as invalid. A 4.5 notebook that lost its ids
    in an editor gets them back."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_markdown_cell("hi")])
    nb.nbformat_minor = minor
    for cell in nb.cells:
        cell.pop("id", None)
    path = tmp_path / "n.ipynb"
    path.write_text(json.dumps(nb))
    read = intake.read(path).notebook
    assert [("id" in c) for c in read.cells] == [ids, ids]
    assert nbformat.validate(read) is None   # valid as it stands: nothing for nbgrader to complain of


def test_a_renamed_notebook_is_found_and_a_missing_one_is_named(tmp_path):
    scenario(tmp_path, "answer_key", as_name="Copy of ch01.ipynb")
    found, note = intake.find_notebook(tmp_path, corpus.CHAPTER)
    assert found.name == "Copy of ch01.ipynb" and f"as {corpus.CHAPTER}.ipynb" in note
    scenario(tmp_path, "untouched", as_name="other.ipynb")
    with pytest.raises(intake.Rejected, match="several other notebooks"):
        intake.find_notebook(tmp_path, corpus.CHAPTER)


def test_another_chapters_notebook_is_named_as_such():
    other = load("exercises", "ch02_batch_first_and_transposes")
    releases = {f"{corpus.CHAPTER}/{corpus.CHAPTER}": RELEASE,
                "ch02_batch_first_and_transposes/ch02_batch_first_and_transposes": other}
    with pytest.raises(intake.Rejected, match="notebook of ch02_batch_first_and_transposes"):
        intake.belongs_to(other, RELEASE, releases, "x.ipynb")
    intake.belongs_to(RELEASE, RELEASE, releases, "x.ipynb")   # its own: no complaint


def test_edited_metadata_is_put_back(tmp_path):
    nb = intake.read(scenario(tmp_path, "edited_metadata")).notebook
    notes = intake.restore_metadata(nb, RELEASE)
    assert any("(points)" in n for n in notes) and any("(grade)" in n for n in notes)
    assert [nbgrader_meta(c) for c in nb.cells] == [nbgrader_meta(c) for c in RELEASE.cells]


def test_stripped_metadata_is_found_again_by_matching_cells(tmp_path):
    nb = intake.read(scenario(tmp_path, "stripped_metadata")).notebook
    assert not intake.grade_ids(nb)
    notes = intake.restore_metadata(nb, RELEASE)
    assert "stripped" in notes[0]
    assert [nbgrader_meta(c).get("grade_id") for c in nb.cells] == \
           [nbgrader_meta(c).get("grade_id") for c in RELEASE.cells]


def test_a_pasted_copy_of_a_test_is_graded_once(tmp_path):
    nb = intake.read(scenario(tmp_path, "duplicate_grade_ids")).notebook
    notes = intake.restore_metadata(nb, RELEASE)
    assert any("more than once" in n for n in notes)
    ids = [nbgrader_meta(c).get("grade_id") for c in nb.cells if nbgrader_meta(c)]
    assert ids.count("check_encode") == 1


def test_deleted_and_retyped_test_cells_are_noted(tmp_path):
    deleted = intake.restore_metadata(intake.read(scenario(tmp_path, "deleted_test_cell")).notebook, RELEASE)
    assert deleted == ["test cell 'check_run_one' was deleted; nbgrader adds it back"]
    retyped = intake.restore_metadata(intake.read(scenario(tmp_path, "changed_cell_type")).notebook, RELEASE)
    assert len([n for n in retyped if "from code to markdown" in n]) == len(corpus.TESTS)


def test_a_zip_gives_up_its_one_notebook_and_nothing_else(tmp_path):
    archive = tmp_path / "bob.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(f"../../outside/{corpus.CHAPTER}.ipynb", nbformat.writes(RELEASE))
        z.writestr("__MACOSX/._junk.ipynb", "junk")
    target = tmp_path / "unpacked"
    target.mkdir()
    out = intake.unpack_zip(archive, corpus.CHAPTER, target)
    assert out == target / f"{corpus.CHAPTER}.ipynb" and out.exists()
    assert not (tmp_path / "outside").exists(), "paths inside the archive are never followed"


def test_a_zip_without_a_notebook_or_no_zip_at_all_is_rejected(tmp_path):
    empty = tmp_path / "carol.zip"
    with zipfile.ZipFile(empty, "w") as z:
        z.writestr("notes.txt", "hi")
    with pytest.raises(intake.Rejected, match="holds no notebook"):
        intake.unpack_zip(empty, corpus.CHAPTER, tmp_path)
    fake = tmp_path / "dave.zip"
    fake.write_text("not a zip")
    with pytest.raises(intake.Rejected, match="not a readable zip"):
        intake.unpack_zip(fake, corpus.CHAPTER, tmp_path)


@pytest.mark.parametrize("member", ["work\\ch.ipynb", "C:\\Users\\ana\\Desktop\\ch.ipynb", "..\\..\\ch.ipynb",
                                    "../../ch.ipynb"])
def test_a_zip_made_with_backslashes_is_read_and_unpacked_inside_its_folder(tmp_path, member):
    """Windows tools may write folder separators as backslashes: they are read as separators,
    and no member name can put a file outside the folder it is unpacked in."""
    nb = (corpus.FOLDER / "answer_key.ipynb").read_text()
    archive = tmp_path / "ana.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(member.replace("ch.ipynb", f"{corpus.CHAPTER}.ipynb"), nb)
    target = tmp_path / "unpacked" / "deep"
    target.mkdir(parents=True)
    out = intake.unpack_zip(archive, corpus.CHAPTER, target)
    assert out == target / f"{corpus.CHAPTER}.ipynb" and out.read_text() == nb
    assert sorted(p.name for p in tmp_path.rglob("*.ipynb")) == [f"{corpus.CHAPTER}.ipynb"]


# --- names and JSON that nbgrader cannot handle safely ---

@pytest.mark.parametrize("name, words", [
    ("*", "as a pattern"), ("alice[1]", "as a pattern"), ("a?b", "as a pattern"),
    ("line\nbreak", "control character"), ("tab\there", "control character"),
    (".alice", "hidden file"), ("..", "path separator"), ("a/b", "path separator"), ("a\\b", "path separator"),
    ("", "empty"), ("x" * 101, "over the limit"), ("two  spaces", "cannot carry safely"), (" leading", "cannot carry safely"),
    ("trailing ", "cannot carry safely"), ("quote'd", "cannot carry safely"), ("<b>bold", "cannot carry safely"),
])
def test_unusable_student_ids_are_refused_with_a_safe_rename(name, words):
    message = intake.refuse_student_id(name, f"inbox/{name}.ipynb")
    assert words in message and "rename it to" in message and "no other student is affected" in message
    suggestion = message.split("rename it to ")[1].split(" and grade again")[0].strip("'\"")
    assert intake.student_id_problem(suggestion) is None, suggestion


@pytest.mark.parametrize("name", ["alice", "student042", "a.b@uni.edu", "oneil", "josé", "李雷", "x-1_2+3",
                                  "José Ñúñez", "two words", "李雷 王", "Мария Иванова"])
def test_ordinary_student_ids_are_accepted(name):
    assert intake.student_id_problem(name) is None


@pytest.mark.parametrize("value", ["4", None, 4.0, True, 99, [4]])
def test_an_nbformat_field_of_the_wrong_type_is_a_rejection(tmp_path, value):
    path = tmp_path / "x.ipynb"
    nb = json.loads((corpus.FOLDER / "answer_key.ipynb").read_text())
    nb["nbformat"] = value
    path.write_text(json.dumps(nb))
    with pytest.raises(intake.Rejected, match="'nbformat' field is"):
        intake.read(path)


def test_deeply_nested_json_is_a_rejection(tmp_path):
    path = tmp_path / "x.ipynb"
    path.write_text('{"nbformat": 4, "cells": ' + "[" * 100000 + "]" * 100000 + "}")
    with pytest.raises(intake.Rejected, match="nested thousands of levels deep"):
        intake.read(path)


@pytest.mark.parametrize("broken", ["a string", None, {"grade_id": 7}, {"grade_id": "check_encode", "points": "5"},
                                    {"grade_id": "check_encode", "grade": "yes"}])
def test_nbgrader_metadata_of_the_wrong_type_is_removed_then_restored(tmp_path, broken):
    nb = json.loads((corpus.FOLDER / "answer_key.ipynb").read_text())
    target = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "check_encode")
    target["metadata"]["nbgrader"] = broken
    path = tmp_path / "x.ipynb"
    path.write_text(json.dumps(nb))
    read = intake.read(path)
    assert any("nbgrader metadata was not valid" in note for note in read.notes)
    intake.restore_metadata(read.notebook, RELEASE)
    ids = [nbgrader_meta(c).get("grade_id") for c in read.notebook.cells]
    assert ids.count("check_encode") <= 1


def test_a_grade_id_from_another_chapter_runs_as_an_ordinary_cell(tmp_path):
    nb = nbformat.read(corpus.FOLDER / "answer_key.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("print('pasted')", metadata={"nbgrader": {
        "grade": True, "grade_id": "check_zero_state", "locked": True, "points": 1, "schema_version": 3, "solution": False}}))
    notes = intake.restore_metadata(nb, RELEASE)
    assert any("'check_zero_state' is not a cell of this assignment" in n for n in notes)
    assert "nbgrader" not in nb.cells[-1].metadata
