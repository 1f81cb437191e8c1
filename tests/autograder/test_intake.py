"""Reading submissions: each problem a clear rejection or a repair with a note, never a crash."""
import json
import zipfile

import nbformat
import pytest

import corpus
from autograder import intake
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


def test_the_digest_changes_when_any_file_does(tmp_path):
    a = tmp_path / "a.ipynb"
    a.write_text("1")
    first = intake.digest([a])
    a.write_text("2")
    assert intake.digest([a]) != first
