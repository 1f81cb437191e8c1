"""Does the doctor name the right module and cause for every mistake in the catalogue
(tests/doctor_cases), and stay quiet on correct models?

The hit rate (the share of cases where it names the right module and the right cause) must be at
least 90%, and no wrong cause may be stated as certain. ``make test`` prints the rate at the end."""
import warnings

import pytest
import torch

import doctor_cases
import shapeschool as ss
from doctor_cases import correct, errors, silent

HIT_RATE = 0.90


def named(exc):
    """(path, diagnosis) the doctor gives for ``exc``."""
    report = ss.doctor.explain(exc)
    if report is None:
        return None, None
    return report.path, report.diagnosis


def run_raising(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with ss.doctor():
                case.run()
        except Exception as exc:           # the case's own error, explained
            return named(exc)
    raise AssertionError(f"catalogue case {case.name} ({case.source}) raised nothing: it is not a mistake that raises")


def run_silent(case):
    torch.manual_seed(0)                   # the cases' weights and example batches
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ss.doctor.check(**case.setup(), warn=False)


@pytest.fixture(scope="module")
def results():
    out = {"raising": [], "silent": []}
    for case in errors.CASES:
        path, diagnosis = run_raising(case)
        right = diagnosis is not None and diagnosis.cause_id in case.causes and path == case.path
        out["raising"].append((case, path, diagnosis, right))
    for case in silent.CASES:
        findings = run_silent(case)
        right = any(f.kind in case.kinds and f.path == case.path for f in findings)
        out["silent"].append((case, findings, right))
    hits = sum(r[-1] for r in out["raising"]) + sum(r[-1] for r in out["silent"])
    total = len(out["raising"]) + len(out["silent"])
    missed = [c.name for c, *_, right in out["raising"] + out["silent"] if not right]
    doctor_cases.SUMMARY["catalogue"] = (
        f"shape doctor catalogue: {hits} of {total} named right ({hits / total:.0%}): "
        f"{sum(r[-1] for r in out['raising'])}/{len(out['raising'])} errors, "
        f"{sum(r[-1] for r in out['silent'])}/{len(out['silent'])} silent bugs"
        + (f"; missed: {', '.join(missed)}" if missed else ""))
    out["rate"] = hits / total
    return out


def test_the_catalogue_is_large_and_covers_every_fix_me(repo):
    import re

    import nbformat
    sources = {c.source for c in errors.CASES + silent.CASES}
    assert len(errors.CASES) + len(silent.CASES) >= 40
    for path in sorted((repo / "course").glob("ch0*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.metadata.get("nbgrader", {}).get("solution") and not cell.metadata.get("shapeschool", {}).get("prediction"):
                name = re.search(r"^(?:def|class) (\w+)", cell.source, re.M).group(1)
                assert f"{path.stem[:4]} {name}" in sources, f"{path.name}: the fix-me {name} has no case in tests/doctor_cases"


def test_hit_rate_is_at_least_ninety_percent(results):
    assert results["rate"] >= HIT_RATE, doctor_cases.SUMMARY


def test_no_wrong_cause_is_stated_as_certain(results):
    wrong = [(c.name, d.cause_id) for c, path, d, right in results["raising"]
             if d is not None and d.certain and d.cause_id not in c.causes]
    wrong += [(c.name, f.kind) for c, findings, right in results["silent"]
              for f in findings if f.certain and f.kind not in c.kinds and not right]
    assert not wrong


def test_every_raising_case_names_both_sizes_where_it_has_them(results):
    for case, path, diagnosis, right in results["raising"]:
        if case.sizes is not None and right:
            assert tuple(diagnosis.sizes) == tuple(case.sizes), case.name


@pytest.mark.parametrize("case", correct.CASES, ids=lambda c: c.name)
def test_correct_models_raise_no_warning(case):
    findings = run_silent(case)
    assert not findings, str(findings)


def test_check_warns_each_finding():
    case = next(c for c in silent.CASES if c.name == "final_state_of_one_direction")
    with pytest.warns(ss.doctor.ShapeWarning, match=r"model\.head: its input is h_n\[-1\]"):
        ss.doctor.check(**case.setup())
