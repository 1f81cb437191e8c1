"""The warm parent of every grading kernel. Trusted: no student code ever runs in this process.

``server.KernelServer`` starts it outside any sandbox, with a minimal environment and one
argument, a JSON object: ``{"preload": [modules], "companions": {package: [modules]},
"sources": [modules], "calls": {"module": name, "path": file}, "kernel_arguments": [...],
"output": {"limit": bytes, "types": [message types], "truncated": note}}``. It imports the ``preload``
modules once, and each package's ``companions`` once that package is imported (no torch operation runs here,
so no thread pool exists to break across ``fork``; a module that starts a thread as it is
imported is named in the ready reply, and the server starts again without it), reads the
sources that tracebacks pass through, loads the call channel, and then answers the requests
``protocol.py`` describes, one JSON object per line on stdin.

``start`` forks a child that joins the notebook's control groups, then (with ``sandbox``, the
pid of a process in a fresh bubblewrap sandbox made for this one notebook) enters that
sandbox's user, mount, PID, network, IPC, UTS and cgroup namespaces, and forks the kernel
there. The kernel gives up every capability and privilege, takes the sandbox's unprivileged
user, closes every file this server holds, and starts. It cannot see or reach this server, or
anything but its own sandbox: killing the sandbox kills it and everything it started.

This file imports nothing from the course's repository: what it preloads and where the call
channel lives arrive on its command line.
"""
import ctypes
import json
import os
import resource
import select
import signal
import sys

NAMESPACES = ("user", "mnt", "pid", "net", "ipc", "uts", "cgroup")   # the user namespace first
_libc = ctypes.CDLL(None, use_errno=True)
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 24, 38
SETUP_TIMEOUT = 30.0
_CALLS = None   # the call channel's module name, once loaded
_SETTINGS = {}   # the server's settings (its one argument), kept for the kernels it forks


def _cap_messages(session, output):
    """Make the kernel cut any one output message down to ``output["limit"]`` bytes before
    sending it (a 100 MB print becomes its first 8 MB and ``output["truncated"]``), so that an
    honest notebook's flood reaches the grader, which keeps what its budget allows and grades
    on. A student who undoes this only loses their own output: the grader's sockets drop a
    message far past the limit. ``output`` is ``limits``'s, given in the server's settings."""
    send = session.send
    limit, kinds, truncated = output["limit"], tuple(output["types"]), output["truncated"]

    def cut(text, limit):
        return text if len(text) <= limit else f"{text[:limit]}\n{truncated}\n"

    def cut_down(content):
        content = dict(content)
        if isinstance(content.get("text"), str):
            content["text"] = cut(content["text"], limit)
        data = content.get("data")
        size = sum(len(str(v)) for v in data.values()) if isinstance(data, dict) else 0
        if size > limit:
            content["data"] = {"text/plain": f"{truncated} (a display of {size / 2**20:.0f} MB)"}
        if isinstance(content.get("evalue"), str):
            content["evalue"] = cut(content["evalue"], limit // 4)
        if isinstance(content.get("traceback"), list):
            content["traceback"] = [cut(str(line), limit // 4) for line in content["traceback"][:1000]]
        return content

    def capped(stream, msg_or_type, content=None, *args, **kwargs):
        if isinstance(msg_or_type, dict):   # a message built already (displays, results)
            if msg_or_type.get("msg_type") in kinds and isinstance(msg_or_type.get("content"), dict):
                msg_or_type = dict(msg_or_type, content=cut_down(msg_or_type["content"]))
        elif msg_or_type in kinds and isinstance(content, dict):
            content = cut_down(content)
        return send(stream, msg_or_type, content, *args, **kwargs)

    session.send = capped


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _check(result, what):
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _die_with_parent():
    """Ask Linux to SIGKILL this process when its parent ends, so nothing outlives a grader."""
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _enter(sandbox, nested_users):
    """Join every namespace of the process ``sandbox`` (its user namespace first: it grants the rest)."""
    # Every name is read before the first step in: the sandbox's /proc is another one.
    shared = {ns for ns in NAMESPACES if os.readlink(f"/proc/{sandbox}/ns/{ns}") == os.readlink(f"/proc/self/ns/{ns}")}
    handles = {ns: os.open(f"/proc/{sandbox}/ns/{ns}", os.O_RDONLY) for ns in NAMESPACES if ns not in shared}
    try:
        for ns in handles:   # in NAMESPACES' order
            _check(_libc.setns(handles[ns], 0), f"entering the sandbox's {ns} namespace")
            if ns == "user" and not nested_users:
                # No user namespaces inside this one (bwrap's --disable-userns, for a namespace
                # made by the grader): set while this host's /proc/sys is still in view.
                with open("/proc/sys/user/max_user_namespaces", "w") as f:
                    f.write("0")
    finally:
        for handle in handles.values():
            os.close(handle)


def _drop_privileges(uid, gid):
    """No capabilities now or ever again, no setuid gains, and the sandbox's unprivileged user."""
    for cap in range(64):
        _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)   # fails past the last capability: harmless
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "setting no_new_privs")
    try:
        os.setgroups([])
    except OSError:   # refused in a user namespace that denies setgroups: there are none to drop
        pass
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    header, data = _CapHeader(0x20080522, 0), (_CapData * 2)()   # _LINUX_CAPABILITY_VERSION_3: all zero
    _check(_libc.capset(ctypes.byref(header), data), "dropping capabilities")


def _limit(limits):
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if limits.get("cpu"):
        seconds = int(limits["cpu"])
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))
    if limits.get("fsize"):
        resource.setrlimit(resource.RLIMIT_FSIZE, (int(limits["fsize"]),) * 2)
    if limits.get("nofile"):
        resource.setrlimit(resource.RLIMIT_NOFILE, (int(limits["nofile"]),) * 2)


def _become_kernel(request, report):
    """In the kernel's own process: lock it down, then run ipykernel until it is killed."""
    os.setsid()
    if request.get("sandbox"):
        _drop_privileges(request["uid"], request["gid"])
    _limit(request.get("limits", {}))
    folder = request["folder"]
    os.makedirs(folder, exist_ok=True)
    connection = os.path.join(folder, "kernel.json")
    with open(connection, "w") as f:
        json.dump(request["connection"], f)
    os.environ.clear()
    os.environ.update(request.get("env", {}), HOME=folder)
    if _CALLS in sys.modules:   # the meeting socket by its full path: a notebook may change folder
        sys.modules[_CALLS].SOCKET = os.path.join(folder, request["calls_socket"])
    devnull = os.open(os.devnull, os.O_RDWR)
    log = os.open(os.path.join(folder, "kernel-stderr.log"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    for fd, target in ((0, devnull), (1, devnull), (2, log)):   # the log says why a kernel did not start
        os.dup2(target, fd)
    os.chdir(request["cwd"])
    os.close(report)   # end of set-up: the server reads end-of-file
    os.closerange(3, resource.getrlimit(resource.RLIMIT_NOFILE)[0])   # nothing of the server's stays open
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    from ipykernel.kernelapp import IPKernelApp
    app = IPKernelApp.instance()
    app.initialize(["-f", connection, *_SETTINGS.get("kernel_arguments", ())])
    if _SETTINGS.get("output"):
        _cap_messages(app.session, _SETTINGS["output"])
    app.start()


def _child(request, report):
    """The forked child: join the groups and the sandbox, then fork the kernel inside it."""
    _die_with_parent()
    for procs in request.get("groups", []):
        with open(procs, "w") as f:
            f.write(str(os.getpid()))
    if request.get("sandbox"):
        _enter(request["sandbox"], request.get("nested_users", False))
        kernel = os.fork()   # only a child of this one is born into the sandbox's PID namespace
        if kernel:
            os.write(report, f"pid {kernel}\n".encode())
            return
    else:
        os.write(report, f"pid {os.getpid()}\n".encode())
    try:
        _become_kernel(request, report)
    except BaseException as exc:
        import traceback
        traceback.print_exc()   # to the kernel's log, once it has one
        os.write(report, f"error {type(exc).__name__}: {exc}\n".encode())
        raise


def _start(request):
    readable, report = os.pipe()
    child = os.fork()
    if child == 0:
        code = 0
        try:
            os.close(readable)
            _child(request, report)
        except BaseException as exc:
            code = 1
            try:
                os.write(report, f"error {type(exc).__name__}: {exc}\n".encode())
            except OSError:
                pass
        finally:
            os._exit(code)
    os.close(report)
    lines, received = [], b""
    try:
        while True:   # until every copy of the pipe's end is closed: the kernel is set up, or failed
            ready, _, _ = select.select([readable], [], [], SETUP_TIMEOUT)
            if not ready:
                return {"error": f"the kernel's set-up did not finish in {SETUP_TIMEOUT:g} s"}
            chunk = os.read(readable, 4096)
            if not chunk:
                break
            received += chunk
        lines = received.decode(errors="replace").splitlines()
    finally:
        os.close(readable)
        if request.get("sandbox"):
            try:
                os.waitpid(child, 0)
            except ChildProcessError:
                pass
    errors = [line[6:] for line in lines if line.startswith("error ")]
    pids = [int(line[4:]) for line in lines if line.startswith("pid ")]
    if errors or not pids:
        return {"error": errors[0] if errors else "the kernel's set-up ended without a word"}
    return {"pid": pids[0]}


def _warm_up_matplotlib():
    """Draw one small figure with text, so fonts are loaded once here rather than in every kernel."""
    if "matplotlib" not in sys.modules:
        return
    import io
    from matplotlib.figure import Figure

    figure = Figure(figsize=(1, 1))
    figure.add_subplot().set_title("warm-up")
    figure.savefig(io.BytesIO(), format="png")


def _warm_up_tracebacks(sources):
    """Format one traceback as a kernel does, and read the source files named in ``sources``
    (module names) as IPython's tracebacks read them, so that every kernel's first error costs
    what its second does. A kernel's first traceback through torch's modules otherwise spends
    half a second parsing their source, and most of the exercises a class hands in end in several."""
    if not sources:
        return
    import importlib
    import inspect

    import stack_data
    from IPython.core import ultratb

    for name in sources:
        try:
            path = getattr(importlib.import_module(name), "__file__", None)
        except ImportError:   # not installed here: its tracebacks cost what they always did
            continue
        if path and path.endswith(".py"):
            source = stack_data.Source.for_filename(path)
            source.pieces, source.tokens_by_lineno   # noqa: B018 - computed once, kept by the class
    try:
        raise RuntimeError("warm-up")
    except RuntimeError:
        theme = "nocolor" if any(a.endswith("colors=nocolor") for a in _SETTINGS.get("kernel_arguments", ())) else "linux"
        ultratb.AutoFormattedTB(mode="Context", theme_name=theme).structured_traceback(*sys.exc_info())
    # IPython asks ``inspect.getmodule`` for every frame of a traceback. The first call for a file
    # that belongs to no module indexes every module imported so far (a real path for each), and
    # the index only grows; an import that ran an earlier traceback left it short of what was
    # imported after. Indexed here, after every import, no kernel indexes these modules again.
    inspect.getmodule(compile("", "<shapeschool warm-up>", "exec"))


def _load_calls(calls):
    """The call channel between a student's kernel and its check kernel (``calls.py``), loaded
    under the module name the grader gives, so that every kernel has it."""
    global _CALLS
    if not calls:
        return
    import importlib.util

    spec = importlib.util.spec_from_file_location(calls["module"], calls["path"])
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    _CALLS = spec.name


def _threads():
    return len(os.listdir("/proc/self/task"))


def _is_module(name):
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None
    except Exception:   # a parent that is no package, or will not import
        return False


def _preload(names):
    """Import ``names`` (``?name``: only if it is a module): (imported, {name: why not}), and the
    first module that started a thread, if one did."""
    imported, skipped = [], {}
    for name in names:
        if name.startswith("?"):
            name = name[1:]
            if name in sys.modules or not _is_module(name):
                continue
        before = _threads()
        try:
            __import__(name)
        except Exception as exc:   # not installed, or broken here: its kernels import it themselves
            skipped[name] = f"{type(exc).__name__}: {exc}"[:300]
            continue
        if _threads() > before:
            return imported, skipped, name
        imported.append(name)
    return imported, skipped, None


def serve(settings):
    _die_with_parent()
    _SETTINGS.update(settings)
    replies = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # whatever an import prints must not land in the replies
    imported, skipped, threaded = _preload(settings.get("preload", ()))
    for package, companions in settings.get("companions", {}).items():
        if package in sys.modules and not threaded:   # imported by the course, or by its helpers
            more, skipped_too, threaded = _preload(companions)
            imported += more
            skipped.update(skipped_too)
    if threaded:   # forking now could copy a lock another thread holds: start again without it
        replies.write(json.dumps({"error": f"importing {threaded} started a thread", "threads": threaded}) + "\n")
        replies.flush()
        return
    _load_calls(settings.get("calls"))
    import ipykernel.kernelapp  # noqa: F401 - imported once, before any fork
    _warm_up_matplotlib()
    _warm_up_tracebacks([name for name in settings.get("sources", ()) if name in sys.modules])
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] == "start":
            reply = _start(request)
        elif request["op"] == "ready":
            reply = {"ready": True, "preloaded": imported, "skipped": skipped}
        else:
            reply = {"error": f"unknown request {request['op']!r}"}
        replies.write(json.dumps(reply) + "\n")
        replies.flush()
        _reap()


def _reap():
    """Collect unsandboxed kernels that have ended (sandboxed ones belong to their sandbox's init)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


if __name__ == "__main__":
    serve(json.loads(sys.argv[1]))
