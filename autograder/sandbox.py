"""Where student code runs: bubblewrap (Debian's ``bubblewrap``), or nowhere safer, said loudly.

Inside the sandbox a kernel sees the interpreter, its installed packages and the ``shapeschool``
helper package, all read-only; a private /tmp that vanishes with the sandbox; and one folder the
grader shares for the kernel's sockets. It does not see the course's sources (hidden tests,
answer keys), any submission, the gradebook or the network, and holds no capabilities.
"""
import os
import shutil
import subprocess
import sys
import sysconfig
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


def readable_paths():
    """What a kernel must be able to read: the interpreter, its packages, the helper package."""
    import shapeschool

    paths = {sys.prefix, sys.base_prefix, sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"],
             str(Path(shapeschool.__file__).resolve().parent), str(Path(__file__).resolve().parent)}
    paths.update(p for p in sys.path if p and os.path.isdir(p) and "site-packages" in p)
    return sorted(paths)


def system_paths():
    """Read-only system folders the interpreter and its shared libraries come from."""
    return [p for p in ("/usr", "/bin", "/lib", "/lib64", "/lib32", "/sbin", "/etc/alternatives",
                        "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
                        "/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/fonts")
            if os.path.lexists(p)]


def command(argv, shared, env, readonly=()):
    """The bwrap command line that runs ``argv`` with ``shared`` (a folder) writable at its own path
    and each folder in ``readonly`` readable at its own path."""
    bwrap = bwrap_path()
    if not bwrap:
        raise SandboxUnavailable("bwrap is not installed")
    args = [bwrap, "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev", "--tmpfs", "/dev/shm",
            "--tmpfs", "/tmp"]
    for path in system_paths():
        if os.path.islink(path):  # /bin -> usr/bin on merged-/usr systems
            args += ["--symlink", os.readlink(path), path]
        else:
            args += ["--ro-bind", path, path]
    for path in [*readable_paths(), *map(str, readonly)]:
        if not any(path == s or path.startswith(s + "/") for s in system_paths()):
            args += ["--ro-bind", path, path]
    # writable: the private /tmp and /dev/shm (both emptied between notebooks) and the shared folder
    args += ["--bind", str(shared), str(shared), "--remount-ro", "/", "--chdir", "/tmp", "--clearenv"]
    for key, value in env.items():
        args += ["--setenv", key, value]
    return args + ["--", *argv]


def check():
    """Raise SandboxUnavailable unless bwrap can start a sandbox here (namespaces may be off)."""
    bwrap = bwrap_path()
    if not bwrap:
        raise SandboxUnavailable("bwrap is not installed")
    probe = subprocess.run([bwrap, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "true"],
                           capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        raise SandboxUnavailable(f"bwrap cannot create a sandbox here: {probe.stderr.strip()}")
