"""What Linux's /proc says about processes, read without raising: the grader asks it which
processes a notebook started, how much memory they hold, and whether a kernel still lives."""
import os
import signal


def pids():
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def read(path):
    """A /proc file's text, or "" when the process is gone."""
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def pid_namespace(pid):
    try:
        return os.readlink(f"/proc/{pid}/ns/pid")
    except OSError:
        return None


def session(pid):
    stat = read(f"/proc/{pid}/stat")
    return int(stat.rsplit(")", 1)[1].split()[3]) if stat else None


def state(pid):
    """The one-letter state of ``pid`` (R, S, Z, ...), or "" when there is no such process."""
    stat = read(f"/proc/{pid}/stat")
    return stat.rsplit(")", 1)[1].split()[0] if stat else ""


def rss(pid):
    statm = read(f"/proc/{pid}/statm").split()
    return int(statm[1]) * os.sysconf("SC_PAGE_SIZE") if len(statm) > 1 else 0


def kill(pids):
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def tail(path, limit=3000):
    """The end of a kernel's start-up log, as a suffix for an error message, or ""."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - limit))
            text = f.read(limit).decode(errors="replace").strip()
    except OSError:
        return ""
    return f"; the kernel's last words:\n{text}" if text else ""
