"""Control groups for one notebook: found where the machine lets the grader write them, limits
that hold, and nothing left behind; and a plain reason where there are none."""
import os
import subprocess
import sys
import time

import pytest

from shapeschool_grader import cgroups


@pytest.fixture(scope="module")
def groups():
    found = cgroups.find()
    if found is None:
        pytest.skip("no writable control groups on this machine: " + cgroups.why_not())
    return found


def test_a_process_in_a_group_is_held_to_its_memory_limit(groups):
    group = groups.create(f"shapeschool-test-{os.getpid()}-memory", memory=200 * 2**20, pids=64)
    try:
        hog = subprocess.Popen([sys.executable, "-c", "import sys, time\nsys.stdin.readline()\n"
                                "hoard = bytearray(400 * 2**20)\nprint('survived')"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        group.join(hog.pid)
        out, _ = hog.communicate("go\n", timeout=60)
        assert "survived" not in out and hog.returncode == -9
        assert group.oom_killed() >= 1
        assert group.peak_memory() >= 150 * 2**20
    finally:
        group.remove()
    assert not group.memory_folder.exists()


def test_a_group_caps_its_processes(groups):
    group = groups.create(f"shapeschool-test-{os.getpid()}-pids", memory=500 * 2**20, pids=20)
    try:
        forker = subprocess.Popen([sys.executable, "-c",
                                   "import os, sys, time\nsys.stdin.readline()\nmade = 0\n"
                                   "try:\n    for _ in range(100):\n"
                                   "        if os.fork() == 0:\n            time.sleep(60)\n            os._exit(0)\n"
                                   "        made += 1\nexcept OSError:\n    pass\nprint(made, flush=True)\ntime.sleep(60)"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        group.join(forker.pid)
        forker.stdin.write("go\n")
        forker.stdin.flush()
        made = int(forker.stdout.readline())
        assert made < 20
        assert len(group.processes()) <= 20
    finally:
        group.remove()   # kills the sleepers too
    forker.wait(timeout=10)
    assert not any(p.exists() for p in group.folders)


SPIN = ("import os, sys, time\nsys.stdin.readline()\nstart = time.monotonic()\nforked = 0\n"
        "for _ in range(3):\n    if os.fork() == 0:\n        forked = None\n        break\n    forked += 1\n"
        "while time.monotonic() < start + 1.5:\n    pass\n"
        "if forked is None:\n    os._exit(0)\nfor _ in range(forked):\n    os.wait()\n"
        "print(time.monotonic() - start)")


def test_a_group_gets_at_most_its_cores_however_many_processes_it_runs(groups):
    """Four processes busy for 1.5 s in a group of one core use about 1.5 core-seconds between
    them (unlimited, they would use every core the machine has): a notebook that keeps many
    threads busy slows itself, not the notebooks beside it."""
    if not groups.cpu_limited:
        pytest.skip("no cpu controller here: " + cgroups.why_not_cpu())
    group = groups.create(f"shapeschool-test-{os.getpid()}-cpu", memory=500 * 2**20, pids=20, cpus=1)
    try:
        spin = subprocess.Popen([sys.executable, "-c", SPIN], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        group.join(spin.pid)
        out, _ = spin.communicate("go\n", timeout=60)
        elapsed, used, throttled = float(out), group.cpu_seconds(), group.throttled()
    finally:
        group.remove()
    assert throttled > 0, "the group was never held at its ceiling"
    if used is not None:   # counted where the machine has cpu accounting
        assert used / elapsed < 1.3, f"{used:.2f} core-s in {elapsed:.2f} s with a one-core ceiling"


def test_remove_kills_what_is_left_and_deletes_the_group(groups):
    group = groups.create(f"shapeschool-test-{os.getpid()}-remove", memory=500 * 2**20, pids=20)
    sleeper = subprocess.Popen(["sleep", "60"])
    group.join(sleeper.pid)
    start = time.monotonic()
    group.remove()
    assert sleeper.wait(timeout=10) == -9 and time.monotonic() - start < 10
    assert not any(p.exists() for p in group.folders)


def test_no_cgroup_file_system_gives_a_reason(tmp_path):
    proc = tmp_path / "proc"
    (proc / "self").mkdir(parents=True)
    (proc / "self" / "mounts").write_text("proc /proc proc rw 0 0\n")
    (proc / "self" / "cgroup").write_text("0::/\n")
    assert cgroups.find(proc=proc) is None
    assert "no cgroup file system is mounted" in cgroups.why_not()


def test_cgroup_v2_without_the_controllers_gives_a_reason(tmp_path):
    """A v2 tree whose root offers no memory or pids controller to the grader's group."""
    proc, mount = tmp_path / "proc", tmp_path / "cgroup"
    (proc / "self").mkdir(parents=True)
    mount.mkdir()
    (mount / "cgroup.controllers").write_text("cpu io\n")
    (proc / "self" / "mounts").write_text(f"cgroup2 {mount} cgroup2 rw 0 0\n")
    (proc / "self" / "cgroup").write_text("0::/user.slice\n")
    assert cgroups.find(proc=proc) is None
    assert "offers no memory and pids controllers" in cgroups.why_not()
