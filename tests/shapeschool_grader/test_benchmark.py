"""The benchmark's clock: wall time, and the CPU time the machine spent and had taken from it."""
import time

from shapeschool_grader import benchmark


def test_timer_reports_wall_busy_and_stolen_time():
    with benchmark.Timer() as timer:
        end = time.monotonic() + 0.3
        while time.monotonic() < end:   # busy for 0.3 s on one core
            pass
    assert 0.3 <= timer.wall < 5
    assert timer.busy >= 0.1 and timer.stolen >= 0   # /proc/stat counts in ticks of 1/100 s
    assert "core-s" in str(timer) and "stolen by the host" in str(timer)


def test_timer_without_proc_stat_reports_wall_time_only(monkeypatch):
    monkeypatch.setattr(benchmark, "_cpu_times", lambda: {"busy": None, "stolen": None})
    with benchmark.Timer() as timer:
        time.sleep(0.05)
    assert timer.busy is None and str(timer).endswith(" s") and "core-s" not in str(timer)


def test_the_breakdown_averages_each_notebooks_costs_from_the_journal(tmp_path):
    import json

    graded = tmp_path / ".shapeschool" / "graded" / "ch01"
    graded.mkdir(parents=True)
    (graded / "ana.json").write_text(json.dumps({"costs": {"ch01": {"student": 0.5, "checks": 0.3, "setup": 0.02}}}))
    (graded / "ben.json").write_text(json.dumps({"costs": {"ch01": {"student": 0.7, "checks": 0.1, "setup": 0.04}}}))
    (graded / "cy.json").write_text(json.dumps({"status": "rejected"}))   # nothing ran: no costs
    parts = benchmark.breakdown(tmp_path)
    assert parts["notebooks"] == 2
    assert abs(parts["student"] - 0.6) < 1e-9 and abs(parts["checks"] - 0.2) < 1e-9 and abs(parts["setup"] - 0.03) < 1e-9
    said = benchmark.describe(parts, busy_per_notebook=1.1)
    assert "student's kernel 0.60" in said and "check kernel 0.20" in said and "everything else 0.30" in said
    assert "not counted" in benchmark.describe({"notebooks": 0}, 1.0)
