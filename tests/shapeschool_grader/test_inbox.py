"""``--inbox`` only adds: what ``nbgrader collect`` put in submitted/ is never replaced or deleted."""
import zipfile

import nbformat

import tiny
from shapeschool_grader import inbox


def _notebook(course, answer):
    nb = nbformat.read(course.root / "release" / tiny.ASSIGNMENT / f"{tiny.ASSIGNMENT}.ipynb", as_version=4)
    nb.cells[0].source = answer
    return nbformat.writes(nb)


def _import(course, folder):
    return inbox.import_folder(course, tiny.ASSIGNMENT, folder, [tiny.ASSIGNMENT])


def _submitted(course, student):
    return (course.root / "submitted" / student / tiny.ASSIGNMENT / f"{tiny.ASSIGNMENT}.ipynb").read_text()


def test_files_are_added_once_and_the_inbox_is_only_read(tiny_course, tmp_path):
    box = tmp_path / "inbox"
    box.mkdir()
    (box / "alice.ipynb").write_text(_notebook(tiny_course, "x = 42"))
    with zipfile.ZipFile(box / "bob.zip", "w") as z:
        z.writestr(f"work/{tiny.ASSIGNMENT}.ipynb", _notebook(tiny_course, "x = 1"))
    (box / "notes.txt").write_text("not a submission")
    before = {p.name: p.read_bytes() for p in box.iterdir()}
    done = _import(tiny_course, box)
    assert (done.added, done.unchanged, done.kept, done.refused) == (["alice", "bob"], [], [], [])
    assert "x = 1" in _submitted(tiny_course, "bob")
    again = _import(tiny_course, box)
    assert (again.added, again.unchanged) == ([], ["alice", "bob"])
    assert {p.name: p.read_bytes() for p in box.iterdir()} == before


def test_a_collected_submission_is_kept_and_the_inbox_file_is_not_imported(tiny_course, tmp_path):
    tiny.submit(tiny_course, "alice", "x = 42  # collected")
    box = tmp_path / "inbox"
    box.mkdir()
    (box / "alice.ipynb").write_text(_notebook(tiny_course, "x = 7  # from the LMS"))
    done = _import(tiny_course, box)
    assert done.added == [] and [s for s, _ in done.kept] == ["alice"]
    assert "did not put there" in done.kept[0][1] and "move that folder aside" in done.kept[0][1]
    assert "collected" in _submitted(tiny_course, "alice")


def test_a_newer_inbox_file_replaces_its_own_earlier_import_which_is_kept_aside(tiny_course, tmp_path):
    box = tmp_path / "inbox"
    box.mkdir()
    (box / "alice.ipynb").write_text(_notebook(tiny_course, "x = 1  # first try"))
    _import(tiny_course, box)
    (box / "alice.ipynb").write_text(_notebook(tiny_course, "x = 42  # resubmitted"))
    done = _import(tiny_course, box)
    assert done.added == ["alice"]
    assert "resubmitted" in _submitted(tiny_course, "alice")
    kept = list((tiny_course.state / "replaced" / tiny.ASSIGNMENT / "alice").glob(f"*/{tiny.ASSIGNMENT}/*.ipynb"))
    assert len(kept) == 1 and "first try" in kept[0].read_text()


def test_an_earlier_import_edited_since_is_not_replaced(tiny_course, tmp_path):
    box = tmp_path / "inbox"
    box.mkdir()
    (box / "alice.ipynb").write_text(_notebook(tiny_course, "x = 1"))
    _import(tiny_course, box)
    path = tiny_course.root / "submitted" / "alice" / tiny.ASSIGNMENT / f"{tiny.ASSIGNMENT}.ipynb"
    path.write_text(_notebook(tiny_course, "x = 42  # fixed by hand"))
    (box / "alice.ipynb").write_text(_notebook(tiny_course, "x = 2"))
    done = _import(tiny_course, box)
    assert [s for s, _ in done.kept] == ["alice"] and "fixed by hand" in path.read_text()


def test_an_unusable_name_is_refused_and_nothing_is_written(tiny_course, tmp_path):
    box = tmp_path / "inbox"
    box.mkdir()
    (box / "*.ipynb").write_text(_notebook(tiny_course, "x = 42"))
    done = _import(tiny_course, box)
    assert [s for s, _ in done.refused] == ["*"] and "cannot be a student id" in done.refused[0][1]
    assert not (tiny_course.root / "submitted").exists()


def test_names_with_spaces_and_any_script_are_imported_and_one_student_is_one_id(tiny_course, tmp_path):
    """An LMS download names files after students: "José Ñúñez.ipynb". macOS writes the é as two
    characters (e and an accent); the id is written one way (NFC) whichever way the file came."""
    box = tmp_path / "inbox"
    box.mkdir()
    (box / "José Ñúñez.ipynb").write_text(_notebook(tiny_course, "x = 42"))
    (box / "Jose\u0301 Two.ipynb").write_text(_notebook(tiny_course, "x = 1"))
    (box / "李雷 王.zip").write_bytes(b"")
    with zipfile.ZipFile(box / "李雷 王.zip", "w") as z:
        z.writestr(f"Desktop\\{tiny.ASSIGNMENT}.ipynb", _notebook(tiny_course, "x = 42"))
    done = _import(tiny_course, box)
    assert sorted(done.added) == sorted(["José Ñúñez", "José Two", "李雷 王"]) and done.refused == []
    assert done.renamed == [("Jose\u0301 Two.ipynb", "José Two")]
    assert "x = 42" in _submitted(tiny_course, "李雷 王")
