"""The bad-submission corpus: chapter 1 as students really hand it in, and worse.

Each scenario is a file in tests/fixtures/bad_submissions/, made from the committed release
(exercises/) and the answers in course/ by the function of the same name below. The files are
committed so the corpus can be read and reused; tests/shapeschool_grader/test_corpus.py fails when they
drift from what these functions make. Regenerate after changing chapter 1:

    .venv/bin/python tests/corpus.py

``OUTCOMES`` is what ``shapeschool-grade`` must do with each, out of chapter 1's 6 points: the
status, the score, and words the instructor's message must contain.
"""
import json
from pathlib import Path

import nbformat

from shapeschool_grader import benchmark

REPO = Path(__file__).resolve().parent.parent

CHAPTER = "ch01_embeddings_to_lstm"
FOLDER = REPO / "tests" / "fixtures" / "bad_submissions"
TESTS = ("check_encode", "check_make_embedding", "check_token_encoder", "check_run_seq_first", "check_run_one",
         "check_reader")
POINTS = len(TESTS)              # one point a check
THIRD_ANSWER = "token_encoder"   # the cell a runaway is put in: the two checks before it still pass

# scenario: (status, score, words in the message), with chapter 1 worth 6 points
OUTCOMES = {
    "answer_key": ("graded", 6, None),
    "untouched": ("graded", 0, None),
    "invalid_json": ("rejected", 0, "not valid JSON"),
    "empty_file": ("rejected", 0, "is empty"),
    "nbformat3": ("graded", 6, "nbformat 3"),
    "renamed": ("graded", 6, "as ch01_embeddings_to_lstm.ipynb"),
    "other_chapter": ("rejected", 0, "no chapter in this course"),
    "deleted_test_cell": ("graded", 6, "was deleted"),
    "deleted_failing_tests": ("graded", 0, "was deleted"),
    "edited_test_cell": ("graded", 0, "was edited"),
    "emptied_test_cell": ("graded", 0, "was edited"),
    "changed_cell_type": ("graded", 0, "changed from code to markdown"),
    "edited_metadata": ("graded", 0, "metadata was edited"),
    "duplicate_grade_ids": ("graded", 6, "more than once"),
    "stripped_metadata": ("graded", 6, "stripped"),
    "infinite_loop": ("graded", 2, "wall-time limit"),
    "swallowed_interrupt": ("graded", 2, "wall-time limit"),
    "sys_exit": ("graded", 5, None),      # SystemExit is an error in its cell; the kernel lives on
    "os_exit": ("graded", 2, "kernel died"),
    "memory_exhaustion": ("graded", 2, "memory limit"),
    "huge_output": ("graded", 6, None),
    "chatty_answer_key": ("graded", 6, "cut down"),   # 400 MB printed: cut down, graded on, as LimitOutput would
    "pytorch_warnings": ("graded", 6, None),
}


def _base(kind):
    kinds = benchmark.submissions(REPO / "exercises" / f"{CHAPTER}.ipynb", REPO / "course" / f"{CHAPTER}.ipynb")
    return kinds[kind]


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _text(nb):
    return nbformat.writes(nb) + "\n"


def _with_runaway(code):
    nb = _base("answer-key")
    _cell(nb, THIRD_ANSWER).source = code + "\n" + _cell(nb, THIRD_ANSWER).source
    return _text(nb)


def answer_key():
    return _text(_base("answer-key"))


def untouched():
    return _text(_base("untouched"))


def invalid_json():
    return answer_key()[:5000]   # cut off mid-file, as an interrupted upload is


def empty_file():
    return ""


def nbformat3():
    return nbformat.writes(nbformat.convert(_base("answer-key"), 3), version=3) + "\n"


def renamed():
    return answer_key()          # graded from a file named "ch01_embeddings_to_lstm-Copy1.ipynb"


def other_chapter():
    name = "ch02_batch_first_and_transposes"
    return (REPO / "exercises" / f"{name}.ipynb").read_text()


def deleted_test_cell():
    nb = _base("answer-key")
    nb.cells.remove(_cell(nb, "check_run_one"))
    return _text(nb)


def deleted_failing_tests():
    nb = _base("untouched")
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") not in TESTS]
    return _text(nb)


def edited_test_cell():
    nb = _base("untouched")
    for grade_id in TESTS:
        _cell(nb, grade_id).source = "print('all good')"
    return _text(nb)


def emptied_test_cell():
    nb = _base("untouched")
    for grade_id in TESTS:
        _cell(nb, grade_id).source = ""
    return _text(nb)


def changed_cell_type():
    nb = _base("untouched")
    for grade_id in TESTS:
        cell = _cell(nb, grade_id)
        nb.cells[nb.cells.index(cell)] = nbformat.v4.new_markdown_cell(cell.source, metadata=cell.metadata, id=cell.id)
    return _text(nb)


def edited_metadata():
    nb = _base("untouched")
    _cell(nb, "check_encode").metadata["nbgrader"]["points"] = 100
    for grade_id in TESTS[1:]:
        _cell(nb, grade_id).metadata["nbgrader"]["grade"] = False
    return _text(nb)


def duplicate_grade_ids():
    nb = _base("answer-key")
    test = _cell(nb, "check_encode")
    copy = nbformat.from_dict(json.loads(json.dumps(test)))
    copy.id = test.id + "-copy"    # a copy-pasted cell: same grade id, new cell id
    nb.cells.insert(nb.cells.index(test), copy)
    return _text(nb)


def stripped_metadata():
    nb = _base("answer-key")
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
        cell.metadata.pop("deletable", None)
        cell.metadata.pop("editable", None)
    return _text(nb)


def infinite_loop():
    return _with_runaway("while True:\n    pass")


def swallowed_interrupt():
    return _with_runaway("while True:\n    try:\n        pass\n    except KeyboardInterrupt:\n        pass")


def sys_exit():
    return _with_runaway("import sys\nsys.exit()")


def os_exit():
    return _with_runaway("import os\nos._exit(1)")


def memory_exhaustion():
    return _with_runaway("hoard = []\nwhile True:\n    hoard.append(bytearray(50 * 2**20))")


def huge_output():
    nb = _base("answer-key")
    _cell(nb, "encode").source += "\nfor _ in range(100_000):\n    print('x' * 60)"   # about 6 MB
    return _text(nb)


def chatty_answer_key():
    nb = _base("answer-key")
    _cell(nb, "encode").source += "\nfor _ in range(4):\n    print('x' * (100 * 2**20))"   # 4 x 100 MB
    return _text(nb)


def pytorch_warnings():
    nb = _base("answer-key")
    # the checks call encode(); every call makes PyTorch warn on stderr, in the test cell too
    _cell(nb, "encode").source += (
        "\n_encode = encode\n\ndef encode(*args, **kwargs):\n"
        "    import warnings\n    warnings.simplefilter('always')\n"
        "    torch.tensor(torch.zeros(1))   # PyTorch: UserWarning, use clone().detach()\n"
        "    return _encode(*args, **kwargs)")
    return _text(nb)


def file_name(scenario):
    return f"{scenario}.ipynb"


def make_all():
    return {scenario: globals()[scenario]() for scenario in OUTCOMES}


if __name__ == "__main__":
    FOLDER.mkdir(parents=True, exist_ok=True)
    for scenario, text in make_all().items():
        (FOLDER / file_name(scenario)).write_text(text)
    print(f"wrote {len(OUTCOMES)} scenarios to {FOLDER.relative_to(REPO)}")
