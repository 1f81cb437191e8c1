"""Is a hint earned? The first failed try says what is wrong, in words before the numbers; the
second adds where to look; the third the fix; ss.hint() gives the next step on demand and nothing
before a try. Graded runs and hidden tests say what and where and count no tries. A failed check's
traceback shows the learner's frames, not the course's."""
import os
import re

import pytest
import torch

import shapeschool as ss
from shapeschool import hints
from shapeschool.exercise import Exercise

PACKAGE = os.path.dirname(ss.__file__)
SHAPE = ss.Hint(what="the output lost its batch axis.", where="look at the unsqueeze.", fix="use unsqueeze(0).")
RAISED = ss.Hint(what="it raised.", where="read the error's last line.", fix="make it not raise.")


def check_add_batch(case, add_batch):
    x = torch.randn(case.T, case.E, device=case.device)                 # (T, E)
    ss.expect_close(add_batch(x), x.unsqueeze(0), name="add_batch(x)", hint=SHAPE)


def right(x):
    return x[None]


def wrong(x):
    return x.unsqueeze(1)       # (T, 1, E): the right shape only when T == 1


def raises(x):
    raise RuntimeError("first line of the error\nsecond line")


@pytest.fixture
def add_batch():
    hints.forget()
    yield Exercise("add_batch", "add_batch(x)", check_add_batch, ss.Sizes(T=(2, 6), E=(1, 5)),
                   example=dict(T=3, E=4), edges=["T=E"], raised=RAISED, solution="solutions/chXX.ipynb")
    hints.forget()


def failure(exercise, answer, **kwargs):
    with pytest.raises(ss.ShapeSchoolError) as raised:
        exercise(answer, **kwargs)
    return str(raised.value)


def test_a_right_answer_passes_and_says_what_was_tried(add_batch, capsys):
    add_batch(right)
    assert capsys.readouterr().out == "add_batch: all checks passed (the example, 1 edge case and 2 random sizes)\n"
    add_batch(right, seed=3)
    assert capsys.readouterr().out == "add_batch: hidden tests passed (1 edge case and 5 random sizes)\n"


def test_the_first_failure_says_what_is_wrong_in_words_before_the_numbers(add_batch):
    said = failure(add_batch, wrong)
    assert said.startswith("add_batch(x) is not right yet, with T=3, E=4 (the example above).\n"
                           "What is wrong: the output lost its batch axis.\n  add_batch(x)\n"
                           "    expected: (1, 3, 4)\n    got:      (3, 1, 4)\n")
    assert "look at the unsqueeze" not in said and "unsqueeze(0)" not in said
    assert said.endswith('Stuck? ss.hint("add_batch") says where to look.')


def test_each_failed_try_adds_the_next_step_and_the_last_points_to_the_solution(add_batch):
    first, second, third, fourth = (failure(add_batch, wrong) for _ in range(4))
    assert "Where to look" not in first
    assert "Where to look: look at the unsqueeze." in second and "The fix" not in second
    assert "The fix: use unsqueeze(0)." in third and third.endswith("The worked solution is solutions/chXX.ipynb.")
    assert fourth == third


def test_hint_on_demand_comes_only_after_a_try_and_then_escalates(add_batch, capsys):
    ss.hint("add_batch")
    assert "try it first" in capsys.readouterr().out
    ss.hint()
    assert "No check has failed yet" in capsys.readouterr().out
    failure(add_batch, wrong)
    ss.hint()                                   # the exercise that failed last
    shown = capsys.readouterr().out
    assert "Where to look: look at the unsqueeze." in shown and "The fix" not in shown
    ss.hint("add_batch")
    assert "The fix: use unsqueeze(0)." in capsys.readouterr().out
    assert "The fix: use unsqueeze(0)." in failure(add_batch, wrong)   # the next try keeps what was asked for


def test_an_unknown_name_lists_the_exercises():
    with pytest.raises(ss.ShapeSchoolError, match=r"no exercise of that name; the exercises loaded are .*encode"):
        import shapeschool.chapters.ch01  # noqa: F401 - registers chapter 1's exercises
        ss.hint("encoder")


def test_grading_and_hidden_tests_say_what_and_where_never_the_fix_and_count_no_tries(add_batch, monkeypatch):
    hidden = failure(add_batch, wrong, seed=5)
    assert "(hidden tests)" in hidden and "Where to look" in hidden and "The fix" not in hidden
    assert hidden.endswith('In the notebook, ss.hint("add_batch") gives the fix after a failed check.')
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    for _ in range(3):
        graded = failure(add_batch, wrong)
        assert "Where to look" in graded and "The fix" not in graded
        assert graded.endswith('In the notebook, ss.hint("add_batch") gives the fix after a failed check.')
    assert hints.progress("add_batch").tries == 0


def test_an_error_from_the_learners_code_is_kept_beneath_the_hint(add_batch):
    with pytest.raises(ss.ShapeSchoolError) as raised:
        add_batch(raises)
    said = str(raised.value)
    assert "What happened: your code raised RuntimeError: first line of the error\nWhat is wrong: it raised." in said
    assert isinstance(raised.value.__cause__, RuntimeError)
    files = []
    tb = raised.value.__cause__.__traceback__
    while tb:
        files.append((tb.tb_frame.f_code.co_filename, tb.tb_frame.f_code.co_name))
        tb = tb.tb_next
    assert files[-1] == (__file__, "raises")
    assert not [f for f in files if f[0].startswith(PACKAGE)], "the learner's frames only, not the course's"


def test_ipython_shows_the_cell_and_the_learners_code_not_the_course(add_batch):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shown = []
    shell._showtraceback = lambda etype, evalue, stb: shown.append("\n".join(stb))
    shell.user_ns.update(add_batch=add_batch, torch=torch)
    shell.run_cell("def mine(x):\n    return x.view(-1, 2, 3, 4)\n\nadd_batch(mine)")
    text = re.sub(r"\x1b\[[0-9;]*m", "", shown[-1])
    assert "mine" in text and "add_batch(mine)" in text and "What is wrong: it raised." in text
    assert PACKAGE not in text, "the course's own frames are hidden"


def test_a_plain_fail_or_a_one_line_hint_is_said_as_what_is_wrong():
    def check(case, answer):
        if case.B == 1:
            ss.fail("the first word's scores", "to change when the second word changes", "the same scores")
        ss.expect_equal(answer(case.B), case.B, name="answer(B)", hint="count the batch")

    hints.forget()
    ex = Exercise("plain", "answer(B)", check, ss.Sizes(B=(1, 3)), edges=["B=1"], raised=RAISED, solution="s")
    said = failure(ex, lambda b: b)
    assert "  the first word's scores\n    expected: to change when the second word changes\n    got:      the same scores" in said
    ex = Exercise("plain", "answer(B)", check, ss.Sizes(B=(2, 3)), example=dict(B=2), raised=RAISED, solution="s")
    assert "What is wrong: count the batch\n" in failure(ex, lambda b: b + 1)
    hints.forget()


def test_a_challenge_gives_no_hint_until_asked(capsys):
    hints.forget()
    challenge = Exercise("challenge", "add_batch(x)", check_add_batch, ss.Sizes(T=(2, 6), E=(1, 5)),
                         example=dict(T=3, E=4), raised=RAISED, solution="s", on_demand=True)
    for _ in range(3):                                         # trying again does not earn a hint
        said = failure(challenge, wrong)
        assert "expected: (1, 3, 4)" in said and "What is wrong" not in said and "Where to look" not in said
        assert said.endswith('No hints until you ask: ss.hint("challenge") gives the first.')
    ss.hint("challenge")
    assert "What is wrong: the output lost its batch axis." in capsys.readouterr().out
    ss.hint("challenge")
    assert "Where to look: look at the unsqueeze." in capsys.readouterr().out
    assert "Where to look" in failure(challenge, wrong) and "The fix" not in failure(challenge, wrong)
    hints.forget()


def test_a_pass_shows_the_answer_keys_fix_and_other_right_answers_with_why(capsys):
    from shapeschool.chapters import ch01

    hints.forget()
    ch01.run_one(lambda lstm, sentence: lstm(sentence[None])[0])
    said = capsys.readouterr().out
    assert said.startswith("run_one: all checks passed")
    assert "The answer key's fix:\n    batch = sentence.unsqueeze(0)" in said
    assert "Other right answers:\n  • batch = sentence[None]\n    (indexing with None" in said


def test_every_exercise_of_a_moved_chapter_offers_two_or_three_other_right_answers():
    import importlib
    import pkgutil

    import shapeschool.chapters
    from shapeschool.chapters.answers import ANSWERS

    for module in pkgutil.iter_modules(shapeschool.chapters.__path__):
        if not module.name.startswith("ch"):
            continue
        chapter = importlib.import_module(f"shapeschool.chapters.{module.name}")
        for name, exercise in vars(chapter).items():
            if isinstance(exercise, Exercise):
                others = ANSWERS.get(module.name, {}).get(exercise.name, {}).get("others", [])
                assert 2 <= len(others) <= 3, f"{module.name}/{exercise.name}: give two or three right fixes " \
                                              f"a `because` in tests/fixes/"
