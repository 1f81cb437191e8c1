"""The marker convention that turns one source cell into a student cell and an answer cell.

A fix-me cell in course/ holds the right code between nbgrader's solution markers, followed
at once by the broken code, commented out, between BROKEN markers::

    ### BEGIN SOLUTION
    lstm = nn.LSTM(input_size=emb_dim, hidden_size=hidden)
    ### END SOLUTION
    ### BEGIN BROKEN
    # lstm = nn.LSTM(input_size=hidden, hidden_size=hidden)
    ### END BROKEN

The source runs as the answer key (the broken block is only comments). The student version
replaces each solution region by its broken block, uncommented, so learners run real broken
code instead of a `raise NotImplementedError()` stub.
"""
import re

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_BROKEN = "### BEGIN BROKEN"
END_BROKEN = "### END BROKEN"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"

_COMMENTED = re.compile(r"^(?P<indent>\s*)#(?: (?P<code>.*))?$")


class MarkerError(ValueError):
    """A cell's markers do not follow the convention; the message says where and how to fix."""


def _find(lines, marker, start):
    for i in range(start, len(lines)):
        if lines[i].strip() == marker:
            return i
    return -1


def _regions(lines, begin, end):
    """(begin_index, end_index) pairs for every region; unbalanced markers are errors."""
    regions, i = [], 0
    while True:
        b = _find(lines, begin, i)
        stray_end = _find(lines, end, i)
        if b < 0:
            if stray_end >= 0:
                raise MarkerError(f"line {stray_end + 1}: {end!r} without a {begin!r} before it")
            return regions
        if 0 <= stray_end < b:
            raise MarkerError(f"line {stray_end + 1}: {end!r} without a {begin!r} before it")
        e = _find(lines, end, b + 1)
        nested = _find(lines, begin, b + 1)
        if e < 0:
            raise MarkerError(f"line {b + 1}: {begin!r} is never closed: add {end!r}")
        if 0 <= nested < e:
            raise MarkerError(f"line {nested + 1}: {begin!r} inside another; regions cannot nest")
        regions.append((b, e))
        i = e + 1


def uncomment(line, lineno=None):
    """``    # code`` -> ``    code``; a line that is not a comment is an error."""
    if not line.strip():
        return ""
    match = _COMMENTED.match(line)
    if not match:
        where = f"line {lineno}: " if lineno else ""
        raise MarkerError(
            f"{where}every line of a BROKEN block must be commented out with '# ' so the source "
            f"runs as the answer key; got {line!r}"
        )
    return match.group("indent") + (match.group("code") or "")


def has_solution(source):
    return any(line.strip() == BEGIN_SOLUTION for line in source.split("\n"))


def student_source(source):
    """The source with each solution region replaced by its broken code, uncommented."""
    lines = source.split("\n")
    solutions = _regions(lines, BEGIN_SOLUTION, END_SOLUTION)
    brokens = _regions(lines, BEGIN_BROKEN, END_BROKEN)
    by_start = {b: e for b, e in brokens}
    out, i = [], 0
    for s_begin, s_end in solutions:
        b_begin = s_end + 1
        if b_begin not in by_start:
            raise MarkerError(
                f"line {s_begin + 1}: the solution region ending on line {s_end + 1} must be "
                f"followed at once by a {BEGIN_BROKEN!r} block holding the code learners fix"
            )
        b_end = by_start.pop(b_begin)
        broken = [uncomment(lines[k], k + 1) for k in range(b_begin + 1, b_end)]
        right = [line.rstrip() for line in lines[s_begin + 1:s_end]]
        if [line.rstrip() for line in broken] == right:
            raise MarkerError(
                f"line {b_begin + 1}: the BROKEN block is the same as the solution; "
                "a fix-me cell needs code that is actually broken"
            )
        out.extend(lines[i:s_begin])
        out.extend(broken)
        i = b_end + 1
    if by_start:
        orphan = min(by_start) + 1
        raise MarkerError(f"line {orphan}: a BROKEN block must come right after a solution region")
    out.extend(lines[i:])
    return "\n".join(out)


def answer_source(source, keep_hidden_tests=False):
    """The source with the markers and broken blocks removed: what the answer key shows."""
    if not keep_hidden_tests:
        source = without_hidden_tests(source)
    lines = source.split("\n")
    drop = set()
    for b, e in _regions(lines, BEGIN_BROKEN, END_BROKEN):
        drop.update(range(b, e + 1))
    for b, e in _regions(lines, BEGIN_SOLUTION, END_SOLUTION):
        drop.update((b, e))
    for b, e in _regions(lines, BEGIN_HIDDEN, END_HIDDEN):
        drop.update((b, e))                      # kept tests lose only their markers
    kept = [line for k, line in enumerate(lines) if k not in drop]
    while kept and not kept[-1].strip():
        kept.pop()
    return "\n".join(kept)


def without_hidden_tests(source):
    """The source with every hidden-test region (markers included) removed, nothing else touched."""
    lines = source.split("\n")
    drop = set()
    for b, e in _regions(lines, BEGIN_HIDDEN, END_HIDDEN):
        drop.update(range(b, e + 1))
    return "\n".join(line for k, line in enumerate(lines) if k not in drop)
