"""Does one source cell split correctly into the student's broken code and the answer key?"""
import pytest

from shapeschool_nbgrader.markers import MarkerError, answer_source, student_source, uncomment

CELL = """def f(x):
    ### BEGIN SOLUTION
    return x.transpose(0, 1)  # (T, B, E)
    ### END SOLUTION
    ### BEGIN BROKEN
    # return x  # (B, T, E)
    ### END BROKEN

print(f(y))"""

TEST_CELL = """assert f(1) == 1
### BEGIN HIDDEN TESTS
assert f(2) == 2
### END HIDDEN TESTS
print("ok")"""


def test_student_gets_the_broken_code_uncommented_at_its_indent():
    assert student_source(CELL) == "def f(x):\n    return x  # (B, T, E)\n\nprint(f(y))"


def test_answer_key_keeps_the_solution_without_markers():
    assert answer_source(CELL) == "def f(x):\n    return x.transpose(0, 1)  # (T, B, E)\n\nprint(f(y))"


def test_answer_key_drops_hidden_tests_unless_asked():
    assert answer_source(TEST_CELL) == 'assert f(1) == 1\nprint("ok")'
    assert answer_source(TEST_CELL, keep_hidden_tests=True) == 'assert f(1) == 1\nassert f(2) == 2\nprint("ok")'


def test_blank_lines_and_bare_hashes_survive_uncommenting():
    assert uncomment("    #") == "    "
    assert uncomment("") == ""
    assert uncomment("  # a = 1") == "  a = 1"


def test_several_regions_in_one_cell():
    src = "### BEGIN SOLUTION\na = 1\n### END SOLUTION\n### BEGIN BROKEN\n# a = 2\n### END BROKEN\n" \
          "b = a\n### BEGIN SOLUTION\nc = 3\n### END SOLUTION\n### BEGIN BROKEN\n# c = 4\n### END BROKEN"
    assert student_source(src) == "a = 2\nb = a\nc = 4"


@pytest.mark.parametrize("source, message", [
    ("### BEGIN SOLUTION\na = 1\n### END SOLUTION\nb = 2",
     r"line 1: the solution region ending on line 3 must be followed at once by a '### BEGIN BROKEN'"),
    ("### BEGIN SOLUTION\na = 1\n### END SOLUTION\n### BEGIN BROKEN\na = 2\n### END BROKEN",
     r"line 5: every line of a BROKEN block must be commented out"),
    ("### BEGIN SOLUTION\na = 1\n### END SOLUTION\n### BEGIN BROKEN\n# a = 1\n### END BROKEN",
     r"the BROKEN block is the same as the solution"),
    ("### BEGIN SOLUTION\na = 1\n", r"line 1: '### BEGIN SOLUTION' is never closed"),
    ("a = 1\n### END SOLUTION", r"line 2: '### END SOLUTION' without a '### BEGIN SOLUTION'"),
    ("### BEGIN BROKEN\n# a\n### END BROKEN", r"line 1: a BROKEN block must come right after a solution region"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", r"line 2: .* regions cannot nest"),
])
def test_bad_markers_say_where_and_what(source, message):
    with pytest.raises(MarkerError, match=message):
        student_source(source)


def test_without_hidden_tests_keeps_everything_else():
    from shapeschool_nbgrader.markers import without_hidden_tests
    assert without_hidden_tests(TEST_CELL) == 'assert f(1) == 1\nprint("ok")'
    assert without_hidden_tests(CELL) == CELL
