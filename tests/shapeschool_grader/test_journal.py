"""The journal: what a rerun may skip, and what makes it grade a submission again."""
import json

import pytest
from traitlets.config import Config

import tiny
from shapeschool_grader import journal, shards, work

OPTIONS = {"wall_limit": 300.0, "memory_limit": 2 << 30, "sandboxed": True}


def _config(**sections):
    c = Config()
    c.CourseDirectory.root = "/srv/course"
    c.Execute.timeout = 60
    for section, values in sections.items():
        for key, value in values.items():
            setattr(getattr(c, section), key, value)
    return c


def test_the_files_digest_follows_paths_and_bytes(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.ipynb").write_text("one")
    first = journal.files_digest([tmp_path / "a" / "x.ipynb"], tmp_path)
    (tmp_path / "a" / "x.ipynb").write_text("two")
    assert journal.files_digest([tmp_path / "a" / "x.ipynb"], tmp_path) != first
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x.ipynb").write_text("two")
    assert journal.files_digest([tmp_path / "b" / "x.ipynb"], tmp_path) != \
        journal.files_digest([tmp_path / "a" / "x.ipynb"], tmp_path), "the same name in another folder is another file"


def test_the_grading_digest_follows_what_can_change_a_score_and_nothing_else():
    base = journal.grading_digest(_config(), OPTIONS)
    assert journal.grading_digest(_config(), OPTIONS) == base
    same = [_config(CourseDirectory={"root": "/elsewhere", "db_url": "sqlite:////x.db"}),
            _config(Exchange={"root": "/srv/exchange"}), _config(ShapeSchoolGrader={"jobs": 9, "csv": "g.csv"}),
            _config(Application={"log_level": "DEBUG"}), _config(GenerateFeedback={"force": True})]
    for config in same:
        assert journal.grading_digest(config, OPTIONS) == base, config
    changed = [_config(Execute={"timeout": 30}), _config(OverwriteCells={"add_missing_cells": False}),
               _config(IgnorePattern={"pattern": "x"}), _config(Autograde={"autograde_preprocessors": [Config]})]
    for config in changed:
        assert journal.grading_digest(config, OPTIONS) != base, config
    assert journal.grading_digest(_config(), {**OPTIONS, "wall_limit": 10.0}) != base
    assert journal.grading_digest(_config(), {**OPTIONS, "sandboxed": False}) != base
    assert journal.grading_digest(_config(), {**OPTIONS, "pictures": True}) != base   # the graded notebook differs


@pytest.mark.parametrize("entry, expected", [
    (None, ["new"]),
    ({"status": "error", "fingerprint": {}}, ["error"]),
    ({"status": "graded", "fingerprint": {"submission": "s", "assignment": "a", "grading": "g"}}, []),
    ({"status": "rejected", "fingerprint": {"submission": "s", "assignment": "a", "grading": "g"}}, []),
    ({"status": "graded", "fingerprint": {"submission": "S", "assignment": "a", "grading": "G"}},
     ["submission", "grading"]),
])
def test_changed_names_what_changed(entry, expected):
    assert journal.changed(entry, {"submission": "s", "assignment": "a", "grading": "g"}) == expected


def test_an_entry_is_whole_or_absent(tmp_path):
    book = journal.Journal(tmp_path)
    book.write({"assignment": "a1", "student": "alice", "status": "graded"})
    assert book.read("a1", "alice")["status"] == "graded"
    assert [p.name for p in (tmp_path / "graded" / "a1").iterdir()] == ["alice.json"], "no partial file is left"
    book.path("a1", "bob").write_text('{"assignment": "a1", "stud')   # torn by something else
    assert book.read("a1", "bob") is None


def _select(course, regrade=False, grading="g"):
    return work.select(course, journal.Journal(course.state), [], shards.Shard(), grading, regrade=regrade)


def _graded(course, plan):
    """Journal each planned submission as graded, and put it in the gradebook, as a run would."""
    book = journal.Journal(course.state)
    with course.gradebook() as gb:
        for s in plan.todo:
            gb.update_or_create_student(s.student)
            gb.update_or_create_submission(s.assignment, s.student)
    for s in plan.todo:
        book.write({"assignment": s.assignment, "student": s.student, "status": "graded",
                    "fingerprint": s.fingerprint, "by": "test"})


def test_a_rerun_skips_only_what_is_unchanged_and_still_in_the_gradebook(tiny_course):
    for student in ("alice", "bob", "carol"):
        tiny.submit(tiny_course, student)
    plan = _select(tiny_course)
    assert [(s.student, s.why) for s in plan.todo] == [("alice", ["new"]), ("bob", ["new"]), ("carol", ["new"])]
    _graded(tiny_course, plan)
    plan = _select(tiny_course)
    assert not plan.todo and plan.current == 3

    tiny.submit(tiny_course, "alice", "x = 41")                          # the student resubmits
    with tiny_course.gradebook() as gb:                                  # the instructor removes bob's grades
        gb.remove_submission(tiny.ASSIGNMENT, "bob")
    plan = _select(tiny_course)
    assert [(s.student, s.why) for s in plan.todo] == [("alice", ["submission"]), ("bob", ["gradebook"])]

    assert [s.why for s in _select(tiny_course, grading="other").todo] == [["submission", "grading"], ["grading"],
                                                                          ["grading"]]
    assert [s.why for s in _select(tiny_course, regrade=True).todo] == [["--regrade"]] * 3


def test_a_changed_test_or_release_regrades_every_submission_of_that_assignment(tiny_course):
    tiny.submit(tiny_course, "alice")
    _graded(tiny_course, _select(tiny_course))
    source = tiny_course.root / "source" / tiny.ASSIGNMENT / f"{tiny.ASSIGNMENT}.ipynb"
    nb = json.loads(source.read_text())
    nb["cells"][1]["source"] = "assert x == 42\nassert isinstance(x, int)"
    source.write_text(json.dumps(nb))
    assert [s.why for s in _select(tiny_course).todo] == [["assignment"]]


def test_the_gradebook_deleted_regrades_everything(tiny_course):
    tiny.submit(tiny_course, "alice")
    _graded(tiny_course, _select(tiny_course))
    (tiny_course.root / "gradebook.db").unlink()
    tiny.make_gradebook_again(tiny_course)
    assert [s.why for s in _select(tiny_course).todo] == [["gradebook"]]
