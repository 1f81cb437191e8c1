"""What is running on this machine, read from /proc, for tests that check nothing outlives a run."""
import os


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
