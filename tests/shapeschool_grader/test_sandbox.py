"""A sandbox holder ends whole when killed, and never holds the grader's output open."""
import os
import shutil

import pytest

from shapeschool_grader import sandbox

pytestmark = pytest.mark.skipif(not shutil.which("bwrap"), reason="bubblewrap is not installed")


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except OSError:
        return False


def test_kill_ends_the_sandboxs_init_itself_not_only_through_bwrap(monkeypatch):
    """The init runs in a session of its own: killing bwrap's process group alone does not reach
    it. With that group kill taken away, kill() must still end the init, its command, and bwrap."""
    holder = sandbox.Holder(1 << 20)
    pids = {"bwrap": holder.process.pid, "init": holder.init, "sleep": holder.pid}
    assert all(_alive(pid) for pid in pids.values()), pids
    monkeypatch.setattr(sandbox.os, "killpg", lambda pid, sig: None)
    holder.kill()
    assert not any(_alive(pid) for pid in pids.values()), {k: _alive(p) for k, p in pids.items()}


def test_a_sandbox_never_holds_the_graders_stdout(tmp_path):
    holder = sandbox.Holder(1 << 20)
    try:
        for pid in (holder.process.pid, holder.init, holder.pid):
            assert os.readlink(f"/proc/{pid}/fd/1") == "/dev/null"
    finally:
        holder.kill()
