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


def _fake_dev(tmp_path, names):
    dev = tmp_path / "dev"
    (dev / "nvidia-caps").mkdir(parents=True)
    for name in names:
        (dev / name).write_text("")
    return dev


def test_gpu_paths_are_the_nvidia_device_nodes_and_nothing_else(tmp_path):
    dev = _fake_dev(tmp_path, ["nvidia0", "nvidia1", "nvidiactl", "nvidia-uvm", "nvidia-caps/nvidia-cap1", "sda",
                               "kvm", "fuse", "nvme0n1"])
    devices, folders = sandbox.gpu_paths(dev, folders=["/sys", str(tmp_path / "absent")])
    assert [os.path.relpath(d, dev) for d in devices] == ["nvidia-caps/nvidia-cap1", "nvidia-uvm", "nvidia0", "nvidia1",
                                                          "nvidiactl"]
    assert folders == ["/sys"]


def test_a_machine_without_gpus_exposes_nothing_with_the_flag(tmp_path):
    assert sandbox.gpu_paths(_fake_dev(tmp_path, ["sda", "null"])) == ([], [])
    assert sandbox.gpu_arguments(_fake_dev(tmp_path / "b", [])) == []


def _seen(holder, *paths):
    """Which of ``paths`` exist inside the sandbox of ``holder``."""
    return [p for p in paths if os.path.lexists(holder.root() + p)]


def test_with_gpu_the_sandbox_shows_the_devices_and_sys_and_without_it_neither(tmp_path, monkeypatch):
    dev = _fake_dev(tmp_path, ["nvidia0", "nvidiactl", "nvidia-uvm"])
    fake = [str(dev / "nvidia0"), str(dev / "nvidiactl"), str(dev / "nvidia-uvm")]
    real_arguments = sandbox.gpu_arguments
    monkeypatch.setattr(sandbox, "gpu_arguments", lambda: real_arguments(dev, folders=("/sys",)))
    plain = sandbox.Holder(1 << 20)
    try:
        assert _seen(plain, *fake, "/sys/devices") == [], "no GPU and no /sys without the flag"
    finally:
        plain.kill()
    with_gpu = sandbox.Holder(1 << 20, gpu=True)
    try:
        assert _seen(with_gpu, *fake, "/sys/devices") == [*fake, "/sys/devices"]
        with open(f"/proc/{with_gpu.pid}/mounts") as f:
            sys_mount = [line for line in f.read().splitlines() if line.split()[1] == "/sys"]
        assert sys_mount and " ro," in f" {sys_mount[0].split()[3]},", sys_mount
    finally:
        with_gpu.kill()
