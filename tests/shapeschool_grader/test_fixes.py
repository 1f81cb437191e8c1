"""Do the checks tell a learner the truth? Every catalogued wrong fix (tests/fixes/) must fail the
hidden tests and at least 90% of them the visible check alone; every other correct fix must pass
both. Then the same fixes, handed in as submissions, through the class grader."""
import pytest

import fixes
from shapeschool_grader import benchmark
from conftest import CHAPTERS
from fixes import trial
from notebooks import fixme_cells, load, nbgrader_meta

VISIBLE_CATCH_RATE = 0.90


def test_every_fixme_cell_has_three_wrong_fixes_and_two_alternatives(chapter):
    catalogue = fixes.catalogue(chapter)
    cells = {nbgrader_meta(c)["grade_id"]: c for c in fixme_cells(load("course", chapter))}
    assert set(catalogue) == set(cells), f"{chapter}: catalogue and fix-me cells differ"
    for gid, tried in catalogue.items():
        assert sum(not f.right for f in tried) >= 3, f"{chapter}/{gid}: fewer than three wrong fixes"
        assert sum(f.right for f in tried) >= 2, f"{chapter}/{gid}: fewer than two alternative fixes"
        for fix in tried:
            compile(fixes.fixed_source(cells[gid].source, fix), f"{gid}: {fix.why}", "exec")


@pytest.fixture(scope="session")
def outcomes():
    """Every fix of every chapter, tried in a learner's kernel (about 90 s)."""
    return [o for chapter in CHAPTERS for o in trial.run_chapter(chapter)]


@pytest.mark.slow
def test_every_wrong_fix_fails_the_hidden_tests(outcomes):
    passed = [o.line() for o in outcomes if not o.fix.right and not o.full_error]
    assert not passed, "wrong fixes that pass the hidden tests:\n" + "\n".join(passed)


@pytest.mark.slow
def test_the_visible_checks_alone_catch_at_least_90_percent_of_wrong_fixes(outcomes):
    wrong = [o for o in outcomes if not o.fix.right]
    caught = [o for o in wrong if o.visible_error]
    hidden = [o for o in wrong if o.full_error]
    right = [o for o in outcomes if o.fix.right]
    accepted = [o for o in right if not (o.visible_error or o.full_error)]
    fixes.SUMMARY.append(
        f"fix catalogue, in a learner's kernel: the visible checks caught {len(caught)} of {len(wrong)} wrong fixes "
        f"({100 * len(caught) / len(wrong):.0f}%), the hidden tests {len(hidden)} of {len(wrong)} "
        f"({100 * len(hidden) / len(wrong):.0f}%); {len(accepted)} of {len(right)} alternative fixes passed both")
    missed = "\n".join(o.line() for o in wrong if not o.visible_error)
    assert len(caught) >= VISIBLE_CATCH_RATE * len(wrong), f"the visible checks let through:\n{missed}"


@pytest.mark.slow
def test_every_alternative_fix_runs_and_passes_both(outcomes):
    failed = [o.line() + (f" (its cell raised {o.fix_cell_error})" if o.fix_cell_error else "")
              for o in outcomes if o.fix.right and (o.visible_error or o.full_error or o.fix_cell_error)]
    assert not failed, "correct fixes that the checks reject:\n" + "\n".join(failed)


@pytest.mark.slow
def test_each_fix_handed_in_scores_as_it_should_through_the_class_grader(fix_class):
    """Wrong fixes one submission each: each must lose its own check's point. Alternative fixes
    several to a submission, one per fix-me cell: every point must be earned, so each alternative
    is handed in and must pass beside the others (a third of the notebooks to run, not one per
    alternative). Each chapter's answer key earns every point too."""
    assert fix_class.run.returncode == 0, fix_class.run.stdout[-3000:] + fix_class.run.stderr[-3000:]
    scores = benchmark.cell_scores(fix_class.course)
    wrong_total = wrong_caught = alternatives = 0
    problems = []
    for (chapter, student), handed in fix_class.handed.items():
        mine = {cell: scores[(chapter, student, chapter, cell)] for cell in handed.graded}
        if not handed.wrong:
            alternatives += len(handed.tried)
            if any(score != 1 for score in mine.values()):
                problems.append(f"{student} ({'; '.join(f.why for f in handed.tried) or 'answer key'}) lost points: {mine}")
            continue
        wrong_total += 1
        wrong_caught += mine[handed.check] == 0
        if mine[handed.check] != 0:
            problems.append(f"{student} ({handed.tried[0].why}) scored on {handed.check}")
    fixes.SUMMARY.append(f"fix catalogue, through shapeschool-grade: {wrong_caught} of {wrong_total} wrong fixes "
                         f"lost their check's point ({100 * wrong_caught / wrong_total:.0f}%); "
                         f"{alternatives} alternative fixes handed in, several to a notebook")
    assert alternatives == sum(f.right for c in CHAPTERS for tried in fixes.catalogue(c).values() for f in tried)
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_the_catalogue_goes_on_in_a_fresh_kernel_after_a_fix_that_breaks_cuda(monkeypatch):
    """On a GPU a wrong fix that indexes past the end is a device-side assert, after which CUDA
    fails in that kernel. Here the CPU's IndexError stands for it: the kernel must be restarted
    and the chapter replayed, so that the fixes after it, and the answer key, run as before."""
    restarted = []

    def breaks(error):
        if "IndexError" in error:
            restarted.append(error)
            return True
        return False

    monkeypatch.setattr(trial, "cuda_broken", breaks)
    outcomes = trial.run_chapter("ch04_unknown_words_and_padding")   # fails if the answer key then fails
    assert restarted, "no fix of ch04 raised an IndexError: pick a chapter where one does"
    assert all(o.full_error for o in outcomes if not o.fix.right)
    assert not [o.line() for o in outcomes if o.fix.right and (o.visible_error or o.full_error or o.fix_cell_error)]
