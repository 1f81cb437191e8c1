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
