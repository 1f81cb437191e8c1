"""The shape doctor's benchmark (tests/doctor_cases/benchmark.py): it runs, its tables are the ones
the README shows, and on each catalogue the doctor hits at least 90% of the mistakes that raise,
with no false alarm on a correct model and no wrong cause stated as certain."""
import re

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


def readme_block(results, table, catalogue):
    first = next(iter(results.values()))
    return (f"The {catalogue} catalogue: {len(first['raising'])} mistakes that raise, {len(first['silent'])} "
            f"silent, {len(first['correct'])} correct models.\\n\\n{table}")


def test_the_readme_shows_what_the_benchmark_prints(tables):
    text = (REPO / "README.md").read_text()
    found = re.search(r"<!-- doctor-benchmark[^>]*-->\n(.*?)\n<!-- end doctor-benchmark -->", text, re.S)
    assert found, "README.md lost its <!-- doctor-benchmark --> block"
    expected = "\n\n".join(readme_block(*tables[c], c).replace("\\n", "\n") for c in ("questions", "course"))
    assert found.group(1).strip() == expected.strip(), (
        "README.md's benchmark tables differ from what make benchmark-doctor prints; paste:\n" + expected)


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
