"""The error index is made from what the chapters demonstrate and what the doctor said about each
demonstration; what it says without the doctor is kept short and honest."""
import json

import pytest

from shapeschool_nbgrader.cheatsheet import chapter_facts
from shapeschool_site import error_index


def _demonstrated(repo):
    return {(kind, contains) for path in sorted((repo / "course").glob("ch*.ipynb"))
            for kind, contains, _ in chapter_facts(path)[1]}


def test_what_the_index_says_without_the_doctor_is_still_demonstrated(repo):
    shown = {contains for _, contains in _demonstrated(repo)}
    stale = sorted(set(error_index.WITHOUT_THE_DOCTOR) - shown)
    assert not stale, f"no chapter demonstrates {stale} any more: remove them from WITHOUT_THE_DOCTOR"
    families = {family for family, _ in error_index.GROUPS}
    for contains, (family, cause, fix, why) in error_index.WITHOUT_THE_DOCTOR.items():
        assert family in families and cause and fix and why, contains


def test_every_silent_bug_says_what_a_learner_notices(repo):
    bugs = error_index.silent_bugs(repo)
    assert len(bugs) >= 12
    for bug in bugs:
        assert len(bug.symptom) > 30 and bug.section and bug.page.startswith("exercises/")


def test_a_silent_bug_without_a_symptom_stops_the_build(repo, tmp_path):
    (tmp_path / "course").mkdir()
    text = (repo / "course" / "ch01_embeddings_to_lstm.ipynb").read_text()
    (tmp_path / "course" / "ch01_embeddings_to_lstm.ipynb").write_text(text.replace('"symptom":', '"said":'))
    with pytest.raises(error_index.Incomplete, match="ch01_embeddings_to_lstm/run_seq_first"):
        error_index.silent_bugs(tmp_path)


def _log(folder, chapter, entries):
    folder.mkdir(exist_ok=True)
    (folder / f"{chapter}.jsonl").write_text("".join(json.dumps(e) + "\n" for e in entries))


def test_a_demonstration_the_doctor_cannot_explain_stops_the_build(repo, tmp_path):
    (tmp_path / "course").mkdir()
    name = "ch01_embeddings_to_lstm"
    (tmp_path / "course" / f"{name}.ipynb").write_text((repo / "course" / f"{name}.ipynb").read_text())
    kind, contains, _ = chapter_facts(tmp_path / "course" / f"{name}.ipynb")[1][0]
    _log(tmp_path / "logs", name, [{"type": kind, "contains": contains, "message": contains, "diagnosis": None}])
    with pytest.raises(error_index.Incomplete, match=f"{name}: {kind} .*the doctor has no diagnosis"):
        error_index.entries(tmp_path, tmp_path / "logs")


def test_the_doctors_diagnosis_is_what_the_index_says(repo, tmp_path):
    (tmp_path / "course").mkdir()
    name = "ch01_embeddings_to_lstm"
    (tmp_path / "course" / f"{name}.ipynb").write_text((repo / "course" / f"{name}.ipynb").read_text())
    facts = chapter_facts(tmp_path / "course" / f"{name}.ipynb")[1]
    said = {"cause_id": "x", "cause": "the cause, with sizes", "fix": "the fix", "lesson": "ids", "certain": True,
            "rule": "embedding.some_rule"}
    _log(tmp_path / "logs", name, [{"type": k, "contains": c, "message": f"{c} (5)", "diagnosis": said} for k, c, _ in facts])
    found = error_index.entries(tmp_path, tmp_path / "logs")
    assert [e.contains for e in found] == list(dict.fromkeys(c for _, c, _ in facts))
    assert {(e.cause, e.fix, e.family) for e in found} == {("the cause, with sizes", "the fix", "embedding")}
    page = error_index.render(found, [])
    assert "the cause, with sizes" in page and "the fix" in page and "## Embeddings and vocabularies" in page


def test_a_new_rule_family_needs_its_heading():
    entry = error_index.Entry("RuntimeError", "boom", "boom", "c", "f", "quantum", "Chapter 1 · X", "1. Y",
                              "exercises/ch01.ipynb")
    with pytest.raises(error_index.Incomplete, match="quantum"):
        error_index.render([entry], [])


@pytest.mark.parametrize("heading, id_", [
    ("1. Words become ids", "words-become-ids"),
    ("3. The LSTM's `input_size`", "the-lstm-s-input-size"),
    ("4. Padding a batch, and packing it so the LSTM skips the padding",
     "padding-a-batch-and-packing-it-so-the-lstm-skips-the-padding"),
    ("3. `padding_idx`: a row that stays zero and never learns", "padding-idx-a-row-that-stays-zero-and-never-learns")])
def test_a_sections_anchor_is_the_id_the_site_gives_its_title(heading, id_):
    # the ids the built chapter pages carry; test_site checks every link of the index reaches one
    assert error_index.anchor(heading) == id_


def test_messages_with_backticks_or_markup_are_shown_as_written():
    assert error_index._code("`lengths` array") == "`` `lengths` array ``"
    assert error_index._code("hidden[0] size") == "`hidden[0] size`"
