"""The warm parent of every grading kernel: run by ``autograder.kernels``, usually in a sandbox.

It imports the course's heavy modules once (no torch operation runs here, so no thread pool
exists to break across ``fork``), then answers one JSON request per line on stdin:

    {"op": "start", "connection_file": PATH, "env": {...}}  ->  {"pid": PID, "cwd": DIR}
    {"op": "sweep"}                                          ->  {"swept": N}

``start`` forks one ipykernel in a new session, working in a fresh scratch folder; ``sweep``
kills every process but this one and empties the scratch space, so nothing one notebook leaves
behind reaches the next. Replies go to the stdout the server was started with; anything an
imported module prints goes to stderr instead, so it cannot corrupt a reply.

This file must not import anything from the course's repository but ``shapeschool``: the
sandbox shows it only this file's folder and the helper package.
"""
import json
import os
import shutil
import signal
import sys

SCRATCH = f"/tmp/shapeschool-runs-{os.getpid()}"   # one per server: servers side by side never share


def _own_namespace():
    """True when this server is the only thing in its PID namespace besides the sandbox's init."""
    return os.getpid() <= 3 and os.environ.get("SHAPESCHOOL_SANDBOXED") == "1"


def _kill_everything_else():
    """In the sandbox's own PID namespace: SIGKILL every process but init and this server."""
    killed = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) not in (1, os.getpid()):
            try:
                os.kill(int(entry), signal.SIGKILL)
                killed += 1
            except OSError:
                pass
    return killed


def _empty(folder):
    for entry in os.listdir(folder) if os.path.isdir(folder) else ():
        path = os.path.join(folder, entry)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            try:
                os.unlink(path)
            except OSError:
                pass


def _sweep(keep):
    """Kill leftovers and empty every writable place a kernel could have used."""
    killed = _kill_everything_else() if _own_namespace() else 0
    if _own_namespace():
        for entry in os.listdir("/tmp"):
            path = os.path.join("/tmp", entry)
            if not keep.startswith(path):
                shutil.rmtree(path, ignore_errors=True) if os.path.isdir(path) else os.unlink(path)
        _empty("/dev/shm")
    else:
        shutil.rmtree(SCRATCH, ignore_errors=True)
    return killed


def _die_with_parent():
    """Ask Linux to SIGKILL this process when its parent ends, so no kernel outlives a grader."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _start_kernel(request, serial):
    """Fork one kernel; the parent returns its pid and working folder."""
    cwd = os.path.join(SCRATCH, str(serial))
    os.makedirs(cwd, exist_ok=True)
    pid = os.fork()
    if pid:
        return pid, cwd
    try:  # the child: a kernel, in a session of its own so the grader can kill it whole
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        _die_with_parent()
        os.setsid()
        os.chdir(cwd)
        os.environ.update(request.get("env", {}), HOME=cwd)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        from ipykernel.kernelapp import IPKernelApp
        app = IPKernelApp.instance()
        app.initialize(["-f", request["connection_file"], "--HistoryManager.enabled=False"])
        app.start()
    finally:
        os._exit(0)


def _warm_up_matplotlib():
    """Draw one small figure with text, so fonts are loaded once here rather than in every kernel."""
    if "matplotlib" not in sys.modules:
        return
    import io
    from matplotlib.figure import Figure

    figure = Figure(figsize=(1, 1))
    figure.add_subplot().set_title("warm-up")
    figure.savefig(io.BytesIO(), format="png")


def serve(preload):
    _die_with_parent()
    replies = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # whatever an import prints must not land in the replies
    if os.environ.get("SHAPESCHOOL_FONTS"):  # matplotlib's font list, built once outside the sandbox
        shutil.copytree(os.environ["SHAPESCHOOL_FONTS"], os.environ["MPLCONFIGDIR"], dirs_exist_ok=True)
    for name in preload:
        __import__(name)
    import ipykernel.kernelapp  # noqa: F401 - imported once, before any fork
    _warm_up_matplotlib()

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the system reaps finished kernels
    for serial, line in enumerate(sys.stdin):
        request = json.loads(line)
        if request["op"] == "start":
            pid, cwd = _start_kernel(request, serial)
            reply = {"pid": pid, "cwd": cwd}
        elif request["op"] == "sweep":
            reply = {"swept": _sweep(request.get("keep", ""))}
        else:
            reply = {"error": f"unknown request {request['op']!r}"}
        replies.write(json.dumps(reply) + "\n")
        replies.flush()


if __name__ == "__main__":
    serve(sys.argv[1:])
