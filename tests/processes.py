"""What is running on this machine, read from /proc, for tests that check nothing outlives a run."""
import os
from pathlib import Path


def command_lines():
    """{pid: command line as bytes, arguments separated by NUL} for every process still there."""
    found = {}
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    found[int(pid)] = f.read()
            except OSError:   # it ended while we looked
                pass
    return found


MARKS = (b"zygote.py", b"bwrap", b"ipykernel", b"sleep\x00600", b"sleep\x00infinity", b"unshare")


def grading_processes():
    """{pid: command line} of what a grader or a student's notebook could have left running:
    anything of the sandbox's user, or a command line of the grader's kind. (Other processes
    on the machine, a developer's shell for one, come and go and are none of the grader's.)"""
    from shapeschool_grader.sandbox import SANDBOX_USER

    found = {}
    for pid, line in command_lines().items():
        try:
            owner = os.stat(f"/proc/{pid}").st_uid
        except OSError:
            continue
        if line and (owner == SANDBOX_USER or any(mark in line for mark in MARKS)):
            found[pid] = line
    return found


def grading_groups():
    """Every control group a grader made for a notebook and has not removed (probes aside)."""
    return sorted(str(p) for p in Path("/sys/fs/cgroup").rglob("shapeschool-*") if "probe" not in p.name)
