"""The shape doctor's benchmark (tests/doctor_cases/benchmark.py): it runs, its tables are the ones
the README shows, and on each catalogue the doctor hits at least 90% of the mistakes that raise,
with no false alarm on a correct model and no wrong cause stated as certain."""

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tables():
    pytest.importorskip("tsensor")
    from doctor_cases import benchmark
    out = {}
    for catalogue in ("questions", "course"):
        results = benchmark.run(["plain", "tensorsensor", "doctor"], catalogue)
        out[catalogue] = (results, benchmark.table(results))
    return out


def test_the_readme_shows_what_the_benchmark_prints(tables):
    from doctor_cases import benchmark
    found = benchmark.README_BLOCK.search((REPO / "README.md").read_text())
    assert found, "README.md lost its <!-- doctor-benchmark --> block"
    expected = benchmark.readme_block({c: tables[c][0] for c in benchmark.CATALOGUES})
    assert found.group(2).strip() == expected.strip(), (
        "README.md's benchmark tables differ from what the benchmark prints: run "
        "PYTHONPATH=tests .venv/bin/python -m doctor_cases.benchmark --readme README.md")


@pytest.mark.parametrize("catalogue", ["questions", "course"])
def test_the_doctor_hits_ninety_percent_without_false_alarms(tables, catalogue):
    doctor = tables[catalogue][0]["shape doctor"]
    hits = sum(r["hit"] for r in doctor["raising"])
    assert hits >= 0.9 * len(doctor["raising"])
    assert not any(r["wrong_certain"] for r in doctor["raising"] + doctor["silent"])
    assert not any(c["alarm"] for c in doctor["correct"])


def test_plain_pytorch_and_tensorsensor_are_really_run(tables):
    """The comparison is only fair if the other tools ran: TensorSensor names some operands."""
    results = tables["course"][0]
    assert sum(r["located"] for r in results["TensorSensor"]["raising"] if r["located"] is not None) > \
        sum(r["located"] for r in results["plain PyTorch"]["raising"] if r["located"] is not None)


def test_one_module_of_cases_is_scored_alone_listed_in_modules_or_not():
    """A new batch of questions is measured at first sight by module, before it joins MODULES."""
    from doctor_cases import asked_fifth, benchmark
    results = benchmark.run(["plain"], module="asked_fifth")["plain PyTorch"]
    assert [r["case"] for r in results["raising"]] == [c.name for c in asked_fifth.CASES]
    assert len(results["silent"]) == len(asked_fifth.SILENT) and len(results["correct"]) == len(asked_fifth.CORRECT)
