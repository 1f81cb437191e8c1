"""Can a learner read an exercise's fix on screen before trying it? Everything a student version
shows from its top down to an exercise's check cell (lesson text, demonstrations, earlier
exercises, the check cell itself; not the fix-me cell's own broken code) must hold none of that
exercise's fix: no line of the solution, no keyword argument it adds, no call it adds.
"""
import ast
import re
import textwrap


from shapeschool_nbgrader import markers
from notebooks import fixme_cells, is_challenge, load, nbgrader_meta

# Chapters whose checks still sit in their notebooks with their hints in plain source (issue 26
# moves them out of sight one chapter at a time, as chapter 1's were). strict: once a chapter is
# moved, its xfail fails until it leaves this list.
SHORTEST_CALL = 12     # shorter calls (len(vocab), x.float()) are everyday code, not a giveaway


def _squeeze(text):
    """Spaces out and one kind of quote, so that spelling does not hide a match."""
    return re.sub(r"\s+", "", text).replace('"', "'")


def _blocks(source, begin, end, broken=False):
    lines = source.split("\n")
    texts = []
    for b, e in markers._regions(lines, begin, end):
        body = [markers.uncomment(line) if broken else line for line in lines[b + 1:e]]
        texts.append("\n".join(body))
    return texts


def _code_lines(text):
    return [line.split("  #")[0].strip() for line in text.split("\n") if line.strip() and not line.strip().startswith("#")]


def fingerprints(source, challenge=False):
    """What would give a fix-me cell's answer away: each solution line, keyword argument and call
    (of at least SHORTEST_CALL characters) that the broken code does not already have. A
    challenge puts the whole chapter together, so the keywords and calls it needs are the ones
    the chapter teaches: only its solution's lines count."""
    solution = "\n".join(_blocks(source, markers.BEGIN_SOLUTION, markers.END_SOLUTION))
    broken = "\n".join(_blocks(source, markers.BEGIN_BROKEN, markers.END_BROKEN, broken=True))
    had = _squeeze(broken)
    found = {_squeeze(line) for line in _code_lines(solution)}
    if challenge:
        return sorted(f for f in found if f and f not in had)
    tree = ast.parse(textwrap.dedent(solution))
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg:
            found.add(_squeeze(f"{node.arg}={ast.unparse(node.value)}"))
        elif isinstance(node, ast.Call):
            text = _squeeze(ast.unparse(node))
            if len(text) >= SHORTEST_CALL:
                found.add(text)
    return sorted(f for f in found if f and f not in had)


def giveaways(nb_student, nb_source):
    """{grade_id: [(fingerprint, where it shows)]} for every exercise of a chapter."""
    cells = nb_student.cells
    shown = {}
    for fixme in fixme_cells(nb_source):
        gid = nbgrader_meta(fixme)["grade_id"]
        at = next(i for i, c in enumerate(cells) if nbgrader_meta(c).get("grade_id") == gid)
        screen = [(i, c) for i, c in enumerate(cells[:at + 2]) if i != at]     # down to its check cell
        found = []
        for fingerprint in fingerprints(fixme.source, is_challenge(fixme)):
            for i, cell in screen:
                if fingerprint in _squeeze(cell.source):
                    found.append((fingerprint, f"cell {i} ({nbgrader_meta(cell).get('grade_id') or cell.cell_type})"))
        if found:
            shown[gid] = found
    return shown


def test_no_fix_is_on_screen_before_the_learner_tries_it(chapter):
    shown = giveaways(load("exercises", chapter), load("course", chapter))
    assert not shown, "\n".join(f"{gid}: {fp!r} in {where}" for gid, found in shown.items() for fp, where in found)


def test_the_check_finds_a_fix_written_into_a_check_cell():
    """It can fail: chapter 1 with one exercise's fix pasted into the prose above it, and with an
    old-style hint in its check cell."""
    student, source = load("exercises", "ch01_embeddings_to_lstm"), load("course", "ch01_embeddings_to_lstm")
    cells = {nbgrader_meta(c).get("grade_id"): c for c in student.cells}
    cells["check_run_one"].source += '\n# hint="use batch = sentence.unsqueeze(0)"'
    cells["check_token_encoder"].source += '\n# hint: nn.LSTM(input_size=emb_dim, ...)'
    student.cells[0].source += "\nTo fix encode, make the ids with `dtype=torch.long`."
    shown = giveaways(student, source)
    assert [fp for fp, _ in shown["run_one"]] == ["batch=sentence.unsqueeze(0)", "sentence.unsqueeze(0)"]
    assert ("input_size=emb_dim", "cell 20 (check_token_encoder)") in shown["token_encoder"] or \
        any(fp == "input_size=emb_dim" for fp, _ in shown["token_encoder"])
    assert any(fp == "dtype=torch.long" and "cell 0" in where for fp, where in shown["encode"])


def test_fingerprints_are_what_the_solution_adds():
    cell = ("def run_one(lstm, sentence):\n    ### BEGIN SOLUTION\n    batch = sentence.unsqueeze(0)      # (1, T, E)\n"
            "    ### END SOLUTION\n    ### BEGIN BROKEN\n    # batch = sentence.unsqueeze(1)\n    ### END BROKEN\n"
            "    out, _ = lstm(batch)\n    return out")
    assert fingerprints(cell) == ["batch=sentence.unsqueeze(0)", "sentence.unsqueeze(0)"]
