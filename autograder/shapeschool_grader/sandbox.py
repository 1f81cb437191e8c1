"""Where student code runs: a fresh bubblewrap sandbox (Debian's ``bubblewrap``) for every
notebook, or nowhere safer, said loudly.

Inside its sandbox a kernel sees the interpreter, its installed packages and the ``shapeschool``
helper package, all read-only, and a private /tmp and /dev/shm that vanish with the sandbox (its
sockets live in /tmp; the grader reaches them through /proc/PID/root). It does not see the
course's sources (hidden tests, answer keys), any submission, the gradebook, the network, the
grader's processes or any other notebook's, and it runs as an unprivileged user with no
capabilities. Killing the sandbox's first process kills everything the notebook started.
"""
import functools
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

UNSANDBOXED_WARNING = (
    "WARNING: student code is running UNSANDBOXED: it can read the course's hidden tests and "
    "answer keys and other students' submissions, write to the gradebook, and reach the network. "
    "Install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap) to grade in a sandbox.")


# The whole environment bwrap itself starts with. It is pid 1 inside the sandbox, and a student
# can read /proc/1/environ there: the grader's own variables (tokens, passwords) must not be in it.
BWRAP_ENVIRONMENT = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing, or cannot create namespaces on this machine."""


def bwrap_path():
    return shutil.which("bwrap")


@functools.lru_cache(maxsize=None)
def readable_paths():
    """What a kernel must be able to read: the interpreter, its packages, the helper package.
    Worked out once per process (``sysconfig`` is slow to ask, and every notebook asks)."""
    import importlib.util

    helpers = importlib.util.find_spec("shapeschool").origin   # found, not imported: that would import torch
    paths = {sys.prefix, sys.base_prefix, sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"],
             str(Path(helpers).resolve().parent)}
    paths.update(p for p in sys.path if p and os.path.isdir(p) and "site-packages" in p)
    return tuple(sorted(paths))


def system_paths():
    """Read-only system folders the interpreter and its shared libraries come from."""
    return [p for p in ("/usr", "/bin", "/lib", "/lib64", "/lib32", "/sbin", "/etc/alternatives",
                        "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
                        "/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/fonts")
            if os.path.lexists(p)]


SANDBOX_USER = 65534   # "nobody": the user a root grader's sandboxes run as


class Holder:
    """One notebook's sandbox, held open by ``sleep`` until ``kill``.

    ``pid`` is the host pid of the sandbox's first process: the kernel enters its namespaces
    (``shapeschool_grader.zygote``) and the grader reaches its files through /proc/PID/root. ``uid`` and
    ``gid`` are the unprivileged user the kernel must take in it. The sandbox gives the
    interpreter, its packages, the helper package and each folder in ``readonly``, read-only; a
    private /tmp and /dev/shm, each a memory file system of at most ``tmp_size`` bytes; no
    network, no other process, no capability.

    A root grader makes the sandbox's user namespace itself, mapping root (for bwrap's set-up,
    which must read an interpreter that may live under /root) and nobody (for the kernel): root
    in a sandbox would still own every root-owned file it can see. Any other grader's sandbox
    maps only its own user, which the kernel keeps, with no capabilities.
    """

    def __init__(self, tmp_size, readonly=(), workdir=None, gpu=False):
        bwrap = bwrap_path()
        if not bwrap:
            raise SandboxUnavailable("bwrap is not installed")
        self._userns = None
        self.process = self.init = None
        passed = []
        try:
            if os.geteuid() == 0:
                self.uid = self.gid = SANDBOX_USER
                passed.append(self._make_user_namespace())
                args = [bwrap, "--userns", str(passed[-1]), "--unshare-pid", "--unshare-net", "--unshare-ipc",
                        "--unshare-uts", "--unshare-cgroup-try"]
            else:
                self.uid, self.gid = os.getuid(), os.getgid()
                args = [bwrap, "--unshare-all", "--unshare-user", "--disable-userns"]
            args += ["--die-with-parent", "--new-session", "--cap-drop", "ALL", "--proc", "/proc", "--dev", "/dev"]
            for folder in ("/dev/shm", "/tmp"):
                args += ["--perms", "1777", "--size", str(int(tmp_size)), "--tmpfs", folder]
            bound = [p for p in system_paths() if not os.path.islink(p)] + [
                p for p in [*readable_paths(), *map(str, readonly)]
                if not any(p == s or p.startswith(s + "/") for s in system_paths())]
            made = [*bound, str(workdir)] if workdir else bound
            for folder in sorted({str(parent) for p in made for parent in Path(p).parents} - {"/"}):
                args += ["--perms", "0755", "--dir", folder]   # bwrap would make them 0700: unreadable
            for path in system_paths():
                if os.path.islink(path):  # /bin -> usr/bin on merged-/usr systems
                    args += ["--symlink", os.readlink(path), path]
            for path in bound:
                args += ["--ro-bind", path, path]
            if workdir:
                args += working_folder(workdir, tmp_size)
            if gpu:
                args += gpu_arguments()
            info, info_write = os.pipe()
            passed.append(info_write)
            args += ["--remount-ro", "/", "--chdir", "/tmp", "--clearenv", "--info-fd", str(info_write),
                     "--", "sleep", "infinity"]
            # stdout to /dev/null: a sandbox must never hold the grader's own output open
            self.process = subprocess.Popen(args, env=BWRAP_ENVIRONMENT, cwd="/", pass_fds=passed,
                                            start_new_session=True, stdin=subprocess.DEVNULL,
                                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        except BaseException:
            self.kill()
            raise
        finally:
            for fd in passed:
                os.close(fd)
            self._end_user_namespace_holder()
        try:
            text = read_pipe(info, timeout=30.0).decode(errors="replace")   # closed once the namespaces exist
        except TimeoutError:
            text = ""
        finally:
            os.close(info)
        try:
            self.init = json.loads(text)["child-pid"]
            self.pid = self._command_pid(self.init)
        except (ValueError, KeyError, OSError):
            self.kill()
            raise SandboxUnavailable("bwrap did not start a sandbox: " + self.process.stderr.read().decode().strip())

    def _command_pid(self, init, timeout=10.0):
        """The pid of ``sleep``, once bwrap has started it: the sandbox is then wholly set up."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            with open(f"/proc/{init}/task/{init}/children") as f:
                children = f.read().split()
            if children:
                return int(children[0])
            time.sleep(0.001)
        raise OSError("bwrap ended or stalled before the sandbox was ready")

    def _make_user_namespace(self):
        """A user namespace mapping root and nobody to themselves, held by util-linux's unshare
        running ``cat``, which ends when this process's end of its input closes (if the grader
        is killed before bwrap has taken the namespace over, nothing is left behind)."""
        self._userns = subprocess.Popen(["unshare", "--user", "cat"], env=BWRAP_ENVIRONMENT, cwd="/",
                                        start_new_session=True, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
        own = os.readlink("/proc/self/ns/user")
        deadline = time.monotonic() + 10
        while True:
            try:
                if os.readlink(f"/proc/{self._userns.pid}/ns/user") != own:
                    break
            except OSError:
                pass
            if self._userns.poll() is not None or time.monotonic() > deadline:
                raise SandboxUnavailable("unshare --user could not make a user namespace")
            time.sleep(0.001)
        mapping = f"0 0 1\n{SANDBOX_USER} {SANDBOX_USER} 1\n"
        for name, text in (("uid_map", mapping), ("setgroups", "deny"), ("gid_map", mapping)):
            with open(f"/proc/{self._userns.pid}/{name}", "w") as f:
                f.write(text)
        return os.open(f"/proc/{self._userns.pid}/ns/user", os.O_RDONLY)

    def _end_user_namespace_holder(self):
        if self._userns is not None:   # bwrap holds the namespace now
            self._userns.kill()
            self._userns.wait()
            self._userns.stdin.close()
            self._userns = None

    def root(self):
        """The sandbox's / as the grader sees it."""
        return f"/proc/{self.pid}/root"

    def kill(self):
        """Kill the sandbox and, with its first process, everything in its PID namespace.

        The sandbox's init (bwrap's child, pid 1 inside) is killed first and by pid: it runs in
        a session of its own, so the group kill below does not reach it, and the parent-death
        signal bwrap gives it (``--die-with-parent``) once failed to end it in this project's
        test runs, leaving ``sleep infinity`` behind. Until bwrap reaps it, its pid cannot be
        reused, so the kill cannot reach another process."""
        self._end_user_namespace_holder()
        if self.process is None:
            return
        for kill, pid in ((os.kill, self.init), (os.killpg, self.process.pid)):
            if pid is not None and self.process.poll() is None:
                try:
                    kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:   # stuck in the kernel: it dies when that returns
            pass
        if self.process.stderr:
            self.process.stderr.close()


WORKDIR_ENTRIES = 500   # files and folders bound one by one into a working folder; past this, its folders whole


def working_folder(workdir, tmp_size):
    """bwrap arguments for the notebook's working folder at ``workdir``'s own path, as plain
    nbgrader runs a notebook in it: writable (a memory file system of at most ``tmp_size``
    bytes, gone with the sandbox), holding the course's and the student's files beside the
    notebook, each bound read-only, none copied. The notebooks themselves are left out: nbgrader
    has put every test cell back into them, hidden tests and all."""
    workdir = Path(workdir)
    args = ["--perms", "1777", "--size", str(int(tmp_size)), "--tmpfs", str(workdir)]
    entries = sorted(p for p in workdir.rglob("*") if not (p.parent == workdir and p.suffix == ".ipynb"))
    if len(entries) > WORKDIR_ENTRIES:   # bind the top level: its folders read-only whole
        entries = sorted(p for p in workdir.iterdir() if p.suffix != ".ipynb")
        return args + [a for p in entries for a in ("--ro-bind", str(p), str(p))]
    for path in entries:
        if path.is_symlink():
            continue   # a link could point anywhere on the grader's machine
        if path.is_dir():
            args += ["--perms", "1777", "--dir", str(path)]
        elif path.is_file():
            args += ["--ro-bind", str(path), str(path)]
    return args


# What a CUDA program needs of the machine, as NVIDIA's container toolkit gives a container: the
# GPUs' device nodes (and their capability nodes), read-only views of the driver's files that live
# outside /usr (which every sandbox sees already), and of /sys, where the driver and CUDA read the
# devices' PCI and NUMA layout. Nothing else: no other device, and nothing writable.
GPU_DEVICES = ("nvidia[0-9]*", "nvidiactl", "nvidia-uvm", "nvidia-uvm-tools", "nvidia-modeset", "nvidia-caps/*", "dxg")
GPU_FOLDERS = ("/usr/local/nvidia", "/usr/lib/wsl", "/run/nvidia-persistenced", "/sys")


def gpu_paths(dev="/dev", folders=GPU_FOLDERS):
    """The device nodes and folders ``gpu_arguments`` exposes on this machine (none without a GPU)."""
    dev = Path(dev)
    devices = sorted({str(p) for pattern in GPU_DEVICES for p in dev.glob(pattern) if not p.is_dir()})
    present = [f for f in folders if os.path.isdir(f)] if devices else []
    return devices, present


def gpu_arguments(dev="/dev", folders=GPU_FOLDERS):
    """bwrap arguments exposing the machine's GPUs to a sandbox (``--gpu``)."""
    devices, present = gpu_paths(dev, folders)
    args = []
    parents = {str(parent) for path in devices for parent in Path(path).parents} - {"/", "/dev"}
    for folder in sorted(parents):   # readable on the way down (bwrap makes new folders 0700)
        args += ["--perms", "0755", "--dir", folder]
    for path in devices:
        args += ["--dev-bind", path, path]
    for folder in present:
        args += ["--ro-bind", folder, folder]
    return args


def read_pipe(fd, timeout, line=False):
    """What the pipe ``fd`` gives until its writers close it (or, with ``line``, until the first
    newline), waiting at most ``timeout`` seconds in all. Raises TimeoutError when time runs out."""
    deadline = time.monotonic() + timeout
    received = b""
    while not (line and received.endswith(b"\n")):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise TimeoutError
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        received += chunk
    return received


def check():
    """Raise SandboxUnavailable unless bwrap can start a sandbox here (namespaces may be off)."""
    bwrap = bwrap_path()
    if not bwrap:
        raise SandboxUnavailable("bwrap is not installed")
    try:
        Holder(1 << 20).kill()
    except (OSError, subprocess.SubprocessError) as exc:
        raise SandboxUnavailable(f"bwrap cannot create a sandbox here: {exc}") from None
