"""Does every prediction in the course ask before it tells? Each chapter's answer key runs in one
kernel; at each prediction cell the learner's answer is tried wrong, left out, and right, and the
reveal cell after it must say "Not quite", keep the answer back, and say "Right"."""
import ast

import nbformat
import pytest
from nbclient import NotebookClient

from shapeschool_nbgrader import cheatsheet, markers
from conftest import REPO
from notebooks import is_prediction, load, nbgrader_meta, prediction_cells


def answer_of(cell):
    """(name, value) of a prediction cell's answer: ``predict_x = (1, 2, 4)``."""
    statement = ast.parse(markers.answer_source(cell.source)).body[0]
    return statement.targets[0].id, ast.literal_eval(statement.value)


def wrong(value):
    """A plausible wrong prediction of the same kind."""
    swaps = {"raises": "runs", "runs": "raises", "myth": "fact", "fact": "myth"}
    if isinstance(value, str):
        return swaps[value]
    if isinstance(value, tuple):
        return value[:-1] if len(value) > 1 else value + (1,)
    return value + 1


def test_every_prediction_is_answered_by_the_code_cell_under_it(chapter):
    cells = load("course", chapter).cells
    for i, cell in enumerate(cells):
        if is_prediction(cell):
            name, _ = answer_of(cell)
            reveal = next(c for c in cells[i + 1:] if c.cell_type == "code")
            assert name in reveal.source and nbgrader_meta(reveal).get("locked"), \
                f"{chapter}: {name} must be revealed by the locked cell right after it"
            assert cells[i - 1].cell_type == "markdown" and "🔮" in cells[i - 1].source, \
                f"{chapter}: the question for {name} goes in the markdown just above it, marked 🔮"


# Sections that teach nothing new: they explore, sum up, or set the closing challenge.
NOT_TAUGHT = ("explore", "what to remember", "challenge")


def test_every_section_that_teaches_asks_for_a_prediction(chapter):
    sections, heading = {}, None
    for cell in load("course", chapter).cells:
        heading = cheatsheet._heading(cell, 2) or heading     # the sections the cheat sheet links to
        if heading:
            sections[heading] = sections.get(heading, 0) + is_prediction(cell)
    taught = {h: n for h, n in sections.items() if not any(word in h.lower() for word in NOT_TAUGHT)}
    assert taught and not [h for h, n in taught.items() if not n], \
        f"{chapter}: sections without a prediction: {[h for h, n in taught.items() if not n]}"


def test_a_value_prediction_is_not_written_where_the_learner_reads_the_question(chapter):
    student = load("exercises", chapter).cells
    for i, cell in enumerate(student):
        if is_prediction(cell):
            source_cell = next(c for c in prediction_cells(load("course", chapter))
                               if nbgrader_meta(c)["grade_id"] == nbgrader_meta(cell)["grade_id"])
            name, value = answer_of(source_cell)
            if isinstance(value, str):
                continue             # the choices ("raises" or "runs") are named in the question
            said = "".join(str(value).split())
            r = next(j for j in range(i + 1, len(student)) if student[j].cell_type == "code")
            reveal, after = student[r], student[r + 1:r + 2]
            # the text under the reveal names numbers of its own: only a shape or a longer value counts there
            for seen in (student[i - 1], cell, reveal, *(after if len(said) > 2 else [])):
                assert said not in "".join(seen.source.split()), f"{chapter}: the answer to {name} shows in {seen.source!r}"


# What the text under a reveal must not say of a "raises or runs" or "myth or fact" question: the
# learner reads on past the reveal cell before running it, so the outcome is the reveal's to say
# (its `why`, printed after a prediction), not the lesson text's.
OUTCOME_WORDS = r"\b(run|runs|ran|raise|raises|raised|succeeded|not an error|without a complaint|myth|fact|it gives)\b"


def test_the_text_under_a_reveal_does_not_say_the_outcome(chapter):
    import re

    cells = load("exercises", chapter).cells
    answers = {nbgrader_meta(c)["grade_id"]: answer_of(c)[1] for c in prediction_cells(load("course", chapter))}
    for i, cell in enumerate(cells):
        if not is_prediction(cell) or answers[nbgrader_meta(cell)["grade_id"]] not in ("raises", "runs", "myth", "fact"):
            continue
        r = next(j for j in range(i + 1, len(cells)) if cells[j].cell_type == "code")
        after = cells[r + 1] if r + 1 < len(cells) else None
        if after is None or after.cell_type != "markdown" or after.source.lstrip().startswith("#"):
            continue            # the next exercise or section starts: it is about something else
        first = re.split(r"(?<=[.:!?])\s", after.source.strip().replace("*", ""), maxsplit=1)[0]
        said = re.search(OUTCOME_WORDS, first, re.I)
        assert not said, (f"{chapter}: the text under the reveal of {nbgrader_meta(cell)['grade_id']} says "
                          f"{said.group(0)!r} before the learner has run it: {first!r}")


@pytest.mark.slow
def test_each_reveal_says_right_wrong_or_predict_first(chapter):
    source = load("course", chapter)
    assert prediction_cells(source), f"{chapter} asks for no prediction"
    nb = nbformat.v4.new_notebook(metadata=source.metadata)
    client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(REPO / "solutions")}})

    def run(code):
        cell = nbformat.v4.new_code_cell(code)
        nb.cells.append(cell)
        client.execute_cell(cell, len(nb.cells) - 1)
        errors = [f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error"]
        return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream"), errors

    tried = []
    with client.setup_kernel():
        cells = [c for c in source.cells if c.cell_type == "code"]
        for i, cell in enumerate(cells):
            if is_prediction(cell):
                name, value = answer_of(cell)
                reveal = markers.answer_source(cells[i + 1].source)
                for given, expect in ((wrong(value), "Not quite"), (..., "Predict first"), (value, "Right")):
                    run(f"{name} = {given!r}")
                    said, errors = run(reveal)
                    first = said.splitlines()[0] if said else ""
                    assert expect in first and not errors, f"{chapter}/{name} = {given!r}: {said or errors}"
                    if given is ...:
                        assert "Why:" not in said, f"{chapter}/{name}: the reveal explained before a prediction"
                        if not isinstance(value, str):   # a word answer is named among the choices
                            assert "".join(str(value).split()) not in "".join(said.split()), \
                                f"{chapter}/{name}: the answer shows before a prediction: {said}"
                tried.append(name)
            elif not (i and is_prediction(cells[i - 1])):
                _, errors = run(markers.answer_source(cell.source, keep_hidden_tests=True))
                assert not errors, f"{chapter}: the answer key failed at {nbgrader_meta(cell).get('grade_id')}: {errors}"
    assert tried
