"""Kernels forked from a warm parent: every notebook in a process and a sandbox of its own,
without paying for a fresh interpreter and ``import torch`` each time.

A ``KernelSlot`` owns one warm, trusted server (``autograder/shapeschool_grader/zygote.py``) that no student code
ever runs in. For each notebook the slot makes a fresh bubblewrap sandbox (``sandbox.Holder``)
and control groups (``cgroups``) with their own limits; the server forks a kernel into them, and
the notebook is run by nbgrader's own ``Execute`` preprocessor, given the kernel through a
jupyter_client provisioner, so outputs, errors and timeouts are recorded exactly as plain
``nbgrader autograde`` records them. Afterwards the sandbox is killed whole: nothing the notebook
started, wrote or holds survives it, and nothing it did can reach the server or the next notebook.

Given a ``Split``, a notebook runs in two such kernels: the student's, and a trusted check kernel
in a sandbox of its own that runs the lesson and test cells, reaching the student's names
through ``shapeschool_grader.calls`` while the student's kernel serves them.

    with KernelSlot(sandboxed=True) as slot:
        outcome = slot.run(notebook, Execute(), resources, wall_limit=300, memory_limit=2 << 30)
"""
import asyncio
import copy
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from nbformat import NotebookNode

from . import calls, cgroups, sandbox

ZYGOTE = Path(__file__).resolve().parent / "zygote.py"
PIDS_LIMIT = 256             # processes and threads in one notebook's control group
OUTPUT_LIMIT = 32 << 20      # bytes of output one notebook may send (and the largest one message)
# What every grading kernel would otherwise import for itself: the course's libraries, and what
# ipykernel loads as it starts (its debugger alone is a quarter of a kernel's start-up).
# torch.distributed.tensor (and sympy under it) is what torch.testing.assert_close imports on its
# first call: a second of every kernel's time when each imported it for itself.
# torch._dynamo (three hundred modules) is what the first torch.optim optimizer imports as it is
# built: two thirds of a second of every Chapter 6 kernel, whose training cell builds one.
PRELOAD = ("torch", "torch.testing", "torch.distributed.tensor", "torch._dynamo", "numpy", "matplotlib", "matplotlib.pyplot",
           "matplotlib_inline.backend_inline",
           "ipywidgets", "einops", "shapeschool", "shapeschool.checks", "shapeschool.diagrams",
           "shapeschool.widgets", "shapeschool.layouts", "shapeschool.conv", "shapeschool.flows",
           "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.debugger", "IPython.core.debugger",
           "IPython.core.completerlib", "IPython.core.oinspect", "IPython.extensions.storemagic",
           "ipykernel.kernelapp", "psutil", "sqlite3", "pdb", "pydoc", "faulthandler", "tornado.platform.asyncio",
           # what IPython's first traceback imports: most of the course's exercises end in one
           "stack_data", "pygments.lexers.python", "pygments.formatters.terminal256", "pygments.formatters.html",
           "pygments.styles", "PIL.PngImagePlugin", "PIL.JpegImagePlugin", "PIL.GifImagePlugin", "PIL.BmpImagePlugin",
           "PIL.PpmImagePlugin")
# Modules whose source files students' errors most often pass through: the server reads them
# as IPython's tracebacks do, once, so that no kernel parses them for its first traceback.
TRACEBACK_SOURCES = ("torch.nn.modules.module", "torch.nn.modules.rnn", "torch.nn.modules.linear",
                     "torch.nn.modules.conv", "torch.nn.modules.sparse", "torch.nn.modules.container",
                     "torch.nn.modules.flatten", "torch.nn.functional", "torch.nn.utils.rnn", "torch._tensor",
                     "torch.functional", "einops.einops", "shapeschool.checks", "shapeschool.cases",
                     "shapeschool_calls")
STOPPED = "GradingStopped"   # the ename of the error put in every cell a stopped notebook never ran


class KernelFailed(RuntimeError):
    """The fork server could not be started or stopped answering."""


@dataclass
class Outcome:
    notebook: NotebookNode
    problem: str = None          # why the notebook did not run to its end, for the instructor
    seconds: float = 0.0
    peak_memory: int = 0         # bytes: the control group's peak, or the watchdog's samples
    completed: set = field(default_factory=set)


def _pids():
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def _pid_namespace(pid):
    try:
        return os.readlink(f"/proc/{pid}/ns/pid")
    except OSError:
        return None


def _session(pid):
    stat = _read(f"/proc/{pid}/stat")
    return int(stat.rsplit(")", 1)[1].split()[3]) if stat else None


def _rss(pid):
    statm = _read(f"/proc/{pid}/statm").split()
    return int(statm[1]) * os.sysconf("SC_PAGE_SIZE") if len(statm) > 1 else 0


def _kill(pids):
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _matplotlib_cache():
    """A read-only copy of matplotlib's font list, so a sandboxed server need not rebuild it (seconds)."""
    folder = Path(tempfile.gettempdir()) / f"shapeschool-matplotlib-{os.getuid()}"
    if not folder.exists():
        import matplotlib
        from matplotlib import font_manager  # noqa: F401 - builds the font list if there is none

        building = Path(tempfile.mkdtemp(prefix="shapeschool-matplotlib-"))
        for found in Path(matplotlib.get_cachedir()).glob("fontlist-*.json"):
            shutil.copy(found, building)
        try:
            os.rename(building, folder)
        except OSError:  # another slot got there first
            shutil.rmtree(building, ignore_errors=True)
    return folder


def _provisioner_class():
    from jupyter_client.provisioning import KernelProvisionerBase

    class ForkedProvisioner(KernelProvisionerBase):
        """Lets jupyter_client treat a kernel forked by the slot's server as its own."""

        box = None
        pid = 0   # the kernel's pid as this process sees it

        @property
        def has_process(self):
            return self.pid > 0 and self.box.kernel_alive(self.pid)

        async def poll(self):
            return None if self.box.kernel_alive(self.pid) else -signal.SIGKILL

        async def wait(self):
            while self.box.kernel_alive(self.pid):
                await asyncio.sleep(0.05)
            return -signal.SIGKILL

        async def send_signal(self, signum):
            try:
                os.killpg(self.pid, signum)
            except OSError:
                pass

        async def kill(self, restart=False):
            self.box.kill()

        async def terminate(self, restart=False):
            self.box.kill()

        async def launch_kernel(self, cmd, **kwargs):
            raise KernelFailed("kernels for grading are forked by the slot's server, not launched")

        async def cleanup(self, restart=False):
            pass

    return ForkedProvisioner


def _host_limits_warning(groups):
    """What is not enforced on this machine, or None."""
    if groups is not None:
        return None
    return ("WARNING: no usable control groups (" + cgroups.why_not() + "): a notebook's memory is "
            "measured by its processes' resident memory only, so files in its /tmp and /dev/shm "
            "(each capped at the memory limit) and memfd files are not counted, and its process "
            "count is checked by polling, which a fast fork bomb can outrun.")


class KernelServer:
    """The warm, trusted fork server (``zygote.py``) that kernels are forked from; several slots
    may share one. It answers one request at a time, and a restart keeps its scratch folder,
    where slots sharing it keep their kernels' connection files."""

    def __init__(self, sandboxed=True, preload=PRELOAD, threads=1, env=None, traceback_sources=None):
        self.sandboxed = sandboxed
        self.preload = tuple(preload)
        # by default, a server that preloads nothing (a light one, for tests) reads no sources either
        if traceback_sources is None:
            traceback_sources = TRACEBACK_SOURCES if self.preload else ()
        self.traceback_sources = tuple(traceback_sources)
        self.threads = threads
        self.extra_env = dict(env or {})
        self.reply_timeout = 60.0    # seconds the server may take to set up one kernel
        self.scratch = None
        self._process = None
        self._lock = threading.Lock()           # one request at a time
        self._restarting = threading.Lock()     # one restart at a time
        self._serials = itertools.count(1)

    def next_serial(self):
        """A number no other notebook of this server's has had (it names their files and groups)."""
        return next(self._serials)   # one step of a C iterator: atomic under the GIL

    @property
    def pid(self):
        return self._process.pid if self._process else None

    def start(self):
        """Start the server (from the thread that will outlive it: Linux ties the server's life
        to the thread that started it). ``wait_ready`` returns once its imports are done."""
        if self.scratch is None:
            self.scratch = Path(tempfile.mkdtemp(prefix="shapeschool-slot-"))
        mpl = self.scratch / "matplotlib"
        if not mpl.exists():
            shutil.copytree(_matplotlib_cache(), mpl)
        # The server's whole environment: the grader's own (tokens, passwords) must not reach a
        # kernel, whose /proc/self/environ shows what its parent was started with.
        env = {"PATH": os.path.dirname(sys.executable) + ":/usr/bin:/bin", "HOME": str(self.scratch),
               "LANG": "C.UTF-8", "MPLBACKEND": "agg", "MPLCONFIGDIR": str(mpl), "PYTHONDONTWRITEBYTECODE": "1",
               "PYDEVD_DISABLE_FILE_VALIDATION": "1",
               "OMP_NUM_THREADS": str(self.threads), "MKL_NUM_THREADS": str(self.threads), **self.extra_env}
        # The sandbox shows no GPU device files, so sandboxed kernels grade on the CPU whatever
        # SHAPESCHOOL_DEVICE says here; the checks compare values with tolerances either way.
        passed = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") + (
            () if self.sandboxed else ("SHAPESCHOOL_DEVICE", "CUDA_VISIBLE_DEVICES"))
        for key in passed:
            if key in os.environ:
                env.setdefault(key, os.environ[key])
        self.kernel_env = {k: v for k, v in env.items() if k not in ("HOME", "MPLCONFIGDIR")}
        if self.sandboxed:
            self.kernel_env["MPLCONFIGDIR"] = "/tmp/matplotlib"
        else:
            self.kernel_env.pop("MPLBACKEND")  # as a fresh kernel would see it
        command = [sys.executable, str(ZYGOTE), *self.preload, "--", *self.traceback_sources]
        self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd="/",
                                         start_new_session=True)
        return self

    def wait_ready(self, timeout=300.0):
        self.request({"op": "ready"}, timeout)   # answered once the imports are done
        return self

    def __enter__(self):
        return self.start().wait_ready()

    def __exit__(self, *exc):
        self.close()

    def stop(self):
        """Kill the server process (kernels it forked live on in their own sandboxes)."""
        if self._process and self._process.poll() is None:
            try:
                os.killpg(self._process.pid, signal.SIGKILL)
            except OSError:
                pass
            self._process.wait()

    def close(self):
        self.stop()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None

    def alive(self):
        return self._process is not None and self._process.poll() is None

    def restart(self):
        """A new server in place of one that died or stopped answering; a no-op when another
        slot sharing it has already restarted it."""
        with self._restarting:
            if not self.alive():
                self.stop()
                self.start().wait_ready()
        return self

    def request(self, message, timeout=None):
        """Send one request and read its one-line reply, or raise KernelFailed (killing the server)."""
        timeout = timeout or self.reply_timeout
        with self._lock:
            try:
                self._process.stdin.write((json.dumps(message) + "\n").encode())
                self._process.stdin.flush()
                reply = sandbox.read_pipe(self._process.stdout.fileno(), timeout, line=True)
            except TimeoutError:   # before OSError, of which it is one
                self.stop()
                raise KernelFailed(f"the kernel server did not answer in {timeout:g} s and was stopped") from None
            except OSError:   # a broken pipe: the server is gone
                reply = b""
        if not reply:
            raise KernelFailed(f"the kernel server exited with code {self._process.wait()}; its stderr above says why")
        return json.loads(reply)


class KernelSlot:
    """Runs one notebook at a time in kernels forked by a warm server: its own, or ``server``,
    shared with other slots (the pool's), which the slot then neither starts nor stops."""

    def __init__(self, sandboxed=True, preload=PRELOAD, threads=1, env=None, pids_limit=PIDS_LIMIT,
                 output_limit=OUTPUT_LIMIT, groups="find", traceback_sources=None, server=None):
        self._owns_server = server is None
        self.server = server or KernelServer(sandboxed, preload, threads, env, traceback_sources)
        self.sandboxed = self.server.sandboxed
        self.threads = self.server.threads
        self.pids_limit, self.output_limit = pids_limit, output_limit
        self.groups = cgroups.find() if groups == "find" else groups
        self.limits_warning = _host_limits_warning(self.groups)

    # -- the server -------------------------------------------------------------------
    def __enter__(self):
        return self.start().wait_ready()

    def start(self):
        if self._owns_server:
            self.server.start()
        return self

    def wait_ready(self, timeout=300.0):
        if self._owns_server:
            self.server.wait_ready(timeout)
        return self

    def __exit__(self, *exc):
        if self._owns_server:
            self.server.close()

    @property
    def scratch(self):
        return self.server.scratch

    @property
    def reply_timeout(self):
        return self.server.reply_timeout

    @reply_timeout.setter
    def reply_timeout(self, seconds):
        self.server.reply_timeout = seconds

    def alive(self):
        return self.server.alive()

    def restart(self):
        """A new server in place of one that died or stopped answering."""
        self.server.restart()
        return self

    def _request(self, message, timeout=None):
        return self.server.request(message, timeout)

    # -- one notebook -----------------------------------------------------------------
    def run(self, nb, executor, resources=None, wall_limit=300.0, memory_limit=2 << 30, split=None,
            checker=None):
        """Run ``nb`` with ``executor`` (an nbconvert ExecutePreprocessor) in a fresh kernel and sandbox.

        With ``split`` (a ``Split``), the notebook runs in two kernels, each in a sandbox of its
        own: the student's (driven by ``executor``) and a trusted check kernel (driven by
        ``checker``, another ExecutePreprocessor) that runs the lesson cells and the test cells
        and reaches the student's names through ``shapeschool_grader.calls``.

        Returns an Outcome. If the notebook was stopped (wall time, memory, processes, output,
        the kernel died), every code cell that did not finish gets an error output saying so,
        so that no test cell it never ran can count as passed.
        """
        serial = self.server.next_serial()
        if split is not None:
            return self._run_split(serial, nb, executor, checker, split, resources or {}, wall_limit, memory_limit)
        with _Notebook(self, serial, wall_limit, memory_limit) as box:
            kernel = box.start_kernel()
            return _execute(box, kernel, nb, executor, resources or {})

    def _run_split(self, serial, nb, executor, checker, split, resources, wall_limit, memory_limit):
        with _Notebook(self, serial, wall_limit, memory_limit) as box, \
                _Notebook(self, f"{serial}c", wall_limit, memory_limit) as checks:
            meeting = _Meeting(box.seen_from_here / calls.SOCKET, checks.seen_from_here / calls.SOCKET)
            try:
                box.start_kernel()
                checks.start_kernel()
                meeting.start()
                return _execute_split(box, checks, nb, executor, checker, split, resources)
            finally:
                meeting.close()


class _Notebook:
    """Everything one notebook owns: its sandbox, its control groups, its kernel; gone on exit."""

    def __init__(self, slot, serial, wall_limit, memory_limit):
        self.slot, self.serial = slot, serial
        self.wall_limit, self.memory_limit = wall_limit, memory_limit
        self.holder = self.group = None
        self.kernel = None
        self.start_log = ""

    def __enter__(self):
        slot = self.slot
        try:
            if slot.groups is not None:
                name = f"shapeschool-{os.getpid()}-{id(slot):x}-{self.serial}"
                self.group = slot.groups.create(name, memory=self.memory_limit, pids=slot.pids_limit)
            if slot.sandboxed:
                self.holder = sandbox.Holder(tmp_size=self.memory_limit)
                self.folder, self.seen_from_here = "/tmp", Path(self.holder.root()) / "tmp"
            else:
                self.folder = self.seen_from_here = slot.scratch / f"run{self.serial}"
                self.folder.mkdir()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def start_kernel(self):
        from jupyter_client.connect import write_connection_file

        slot = self.slot
        here, info = write_connection_file(str(slot.scratch / f"kernel-{self.serial}.json"), transport="ipc",
                                           ip=str(self.seen_from_here / "k"))
        self.connection_file = here
        info = dict(info, ip=str(Path(self.folder) / "k"))
        info["key"] = info["key"].decode() if isinstance(info["key"], bytes) else info["key"]
        env = dict(slot.server.kernel_env, NBGRADER_EXECUTION=os.environ.get("NBGRADER_EXECUTION", "autograde"))
        request = {"op": "start", "folder": str(self.folder), "connection": info, "env": env,
                   "groups": self.group.procs_files() if self.group else [],
                   "limits": {"cpu": int(self.wall_limit * slot.threads) + 10, "fsize": self.memory_limit,
                              "nofile": 1024}}
        if self.holder:
            request.update(sandbox=self.holder.pid, uid=self.holder.uid, gid=self.holder.gid,
                           nested_users=os.geteuid() != 0)
        reply = slot._request(request)
        if "pid" not in reply:
            raise KernelFailed(f"the kernel did not start: {reply.get('error')}")
        self.kernel = reply["pid"]
        return self.kernel

    # -- what the notebook owns ---------------------------------------------------------
    def members(self):
        """Every process the notebook's code may have started, the kernel included."""
        if self.group is not None:
            return self.group.processes()
        if self.holder is not None:
            namespace = _pid_namespace(self.holder.pid)
            return [p for p in _pids() if _pid_namespace(p) == namespace and p != self.holder.pid]
        return [p for p in _pids() if _session(p) == self.kernel]

    def memory(self):
        if self.group is not None:
            return self.group.memory()
        return sum(_rss(p) for p in self.members())

    def peak_memory(self, sampled):
        return max(sampled, self.group.peak_memory()) if self.group is not None else sampled

    def out_of_memory(self):
        return self.group is not None and self.group.oom_killed() > 0

    def kernel_alive(self, kernel):
        stat = _read(f"/proc/{kernel}/stat")
        return bool(stat) and stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")

    def kill(self):
        """Kill everything the notebook started: the sandbox whole, or the kernel's session."""
        if self.holder is not None:
            self.holder.kill()
        _kill(self.members() + ([self.kernel] if self.kernel else []))

    def __exit__(self, *exc):
        self.kill()
        if self.group is not None:
            self.group.remove()
        if not self.slot.sandboxed:
            shutil.rmtree(self.folder, ignore_errors=True)
        if getattr(self, "connection_file", None):
            Path(self.connection_file).unlink(missing_ok=True)


def _tail(path, limit=3000):
    """The end of a kernel's start-up log, as a suffix for an error message, or ""."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - limit))
            text = f.read(limit).decode(errors="replace").strip()
    except OSError:
        return ""
    return f"; the kernel's last words:\n{text}" if text else ""


def _kernel_manager(box):
    """A jupyter_client kernel manager for the kernel the slot's server forked into ``box``."""
    from jupyter_client import AsyncKernelManager

    km = AsyncKernelManager(connection_file=box.connection_file, kernel_name="python3")
    km.load_connection_file()
    km.context = _capped_context(box.slot.output_limit)
    _wake_often(km)
    km.provisioner = _provisioner_class()(kernel_id=f"slot-run{box.serial}", kernel_spec=None, parent=km)
    km.provisioner.box, km.provisioner.pid = box, box.kernel
    return km


def _track(client, started, completed, budget):
    """Record which cells ``client`` starts and finishes, and count its output against ``budget``."""
    original_hook = client.on_cell_executed

    def record(**kwargs):
        completed.add(kwargs["cell_index"])
        return original_hook(**kwargs) if callable(original_hook) else None

    client.on_cell_execute = lambda **kwargs: started.add(kwargs["cell_index"])
    client.on_cell_executed = record
    client.process_message = budget.wrap(client.process_message)


def _conclude(nb, boxes, watchdog, started, completed, problem, start):
    """The Outcome of a notebook whose sandboxes (``boxes``, the student's first) are gone, or
    KernelFailed when no cell ever started: then the trouble is ours, not the notebook's."""
    box = boxes[0]
    for who, b in zip(("it", "its check kernel"), boxes):
        if b.out_of_memory() and not watchdog.reason:
            watchdog.reason = (f"{who} used more than the memory limit of {box.memory_limit / 2**20:.0f} MiB "
                               "(files in /tmp and /dev/shm count) and was stopped")
    problem = watchdog.reason or problem
    if problem and not started and not watchdog.reason:
        raise KernelFailed(f"the kernel did not start: {problem}{box.start_log}")
    if problem:
        _mark_not_run(nb, completed, problem)
    return Outcome(nb, problem, time.monotonic() - start, box.peak_memory(watchdog.peak), completed)


def _shut(boxes, clients, kms, watchdog, started):
    """Stop the watchdog, the clients and every sandbox of a notebook, and close its sockets."""
    watchdog.stop()
    for client in clients:
        if client.kc is not None:
            client.kc.stop_channels()
    if not started:
        boxes[0].start_log = _tail(boxes[0].seen_from_here / "kernel-stderr.log")
    for b in boxes:
        b.kill()
    for km in kms:
        km.context.destroy(linger=0)


def _execute(box, kernel, nb, executor, resources):
    km = _kernel_manager(box)
    started, completed = set(), set()
    original = executor.on_cell_execute, executor.on_cell_executed, executor.process_message
    watchdog = _Watchdog([box], box.wall_limit, box.memory_limit)
    _track(executor, started, completed, _OutputBudget(box.slot.output_limit, watchdog))
    start = time.monotonic()
    problem = None
    try:
        watchdog.start()
        executor.preprocess(nb, resources, km=km)
    except Exception as exc:  # the notebook's trouble, never the batch's
        problem = watchdog.reason or _describe(exc)
    finally:
        _shut([box], [executor], [km], watchdog, started)
        executor.on_cell_execute, executor.on_cell_executed, executor.process_message = original
    return _conclude(nb, [box], watchdog, started, completed, problem, start)


@dataclass(frozen=True)
class Split:
    """How a notebook's cells divide when its checks are decided outside the student's kernel.

    ``checks``: indices of the test cells, run only in the check kernel. ``lessons``: indices of
    the instructor's own (locked) cells, run in the student's kernel and again in the check
    kernel. Every other cell is the student's and runs only in the student's kernel. ``names``:
    what the student's cells define, bound in the check kernel before each of its cells.
    """
    checks: frozenset
    lessons: frozenset
    names: tuple


SERVE = "__import__('shapeschool_calls').serve(globals())"
END_TIMEOUT = 30.0         # seconds the student's kernel may take to stop serving after a check


class _Meeting(threading.Thread):
    """Introduces a notebook's two kernels, once per cell: listens in each one's folder (made
    before either kernel starts, so no student code can have put anything there), and hands each
    connection from the check kernel the next one from the student's kernel. The grader is not in
    the path of their calls."""

    def __init__(self, student_path, checks_path):
        import socket

        super().__init__(daemon=True)
        self.listeners = []
        try:
            for path in (student_path, checks_path):
                listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.listeners.append(listener)
                listener.bind(str(path))
                os.chmod(path, 0o666)   # the kernel runs as the sandbox's own user
                listener.listen(8)
        except OSError as exc:
            self.close()
            raise KernelFailed(f"the channel between the student's kernel and its checks could not be "
                               f"opened at {path}: {exc}") from None

    def run(self):
        import selectors
        import socket

        waiting = {listener: [] for listener in self.listeners}
        student, checks = self.listeners
        try:
            with selectors.DefaultSelector() as selector:
                for listener in self.listeners:
                    selector.register(listener, selectors.EVENT_READ)
                while True:
                    for key, _ in selector.select(timeout=1.0):
                        waiting[key.fileobj].append(key.fileobj.accept()[0])
                    while waiting[student] and waiting[checks]:
                        theirs, ours = waiting[student].pop(0), waiting[checks].pop(0)
                        try:
                            socket.send_fds(ours, [b"s"], [theirs.fileno()])
                        except OSError:
                            pass
                        theirs.close()
                        ours.close()
        except (OSError, ValueError):   # closed under us: the notebook is over
            pass
        finally:
            for connection in waiting[student] + waiting[checks]:
                connection.close()

    def close(self):
        for listener in self.listeners:
            listener.close()


def _execute_split(box, checks, nb, executor, checker, split, resources):
    """Run ``nb`` across the student's kernel (in ``box``) and the check kernel (in ``checks``)."""
    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell

    started, completed = set(), set()
    watchdog = _Watchdog([box, checks], box.wall_limit, box.memory_limit)
    budget = _OutputBudget(box.slot.output_limit, watchdog)
    # nbclient puts each cell it ran back into its notebook's list at the cell's index: the
    # student's client gets its own list, whose last place takes the served cell.
    student_nb = NotebookNode(nb)
    student_nb["cells"] = list(nb.cells) + [new_code_cell(SERVE)]
    serve_index = len(nb.cells)
    for b, client, its_nb in ((box, executor, student_nb), (checks, checker, nb)):
        NotebookClient.__init__(client, its_nb, _kernel_manager(b))   # as nbconvert's preprocess does
        client.reset_execution_trackers()
        client._check_assign_resources(resources)
        _track(client, started, completed, budget)

    async def served(cell, index):
        """Run ``cell`` in the check kernel while the student's kernel answers its calls."""
        serving = asyncio.ensure_future(executor.async_execute_cell(new_code_cell(SERVE), serve_index,
                                                                    store_history=False))
        try:
            await checker.async_execute_cell(cell, index, store_history=True)
        finally:
            done, _ = await asyncio.wait([serving], timeout=END_TIMEOUT)
            if not done:   # a student's function still running after its check gave up: interrupt it
                await executor.km.interrupt_kernel()
                done, _ = await asyncio.wait([serving], timeout=END_TIMEOUT)
            if not done:
                serving.cancel()
                watchdog.reason = watchdog.reason or (
                    f"its kernel did not stop answering the checks within {END_TIMEOUT:g} s and was stopped")
                watchdog.kill()
                raise RuntimeError(watchdog.reason)
            serving.result()

    async def run():
        async with executor.async_setup_kernel(), checker.async_setup_kernel():
            info = await executor.async_wait_for_reply(executor.kc.kernel_info())
            nb.metadata["language_info"] = info["content"]["language_info"]
            install = f"__import__('shapeschool_calls').install(get_ipython(), {list(split.names)!r})"
            reply = await checker.async_wait_for_reply(checker.kc.execute(install, silent=True,
                                                                          store_history=False))
            if reply["content"]["status"] != "ok":
                raise KernelFailed(f"the check kernel could not be set up: {reply['content'].get('evalue')}")
            executor.timeout = None   # the served cell lasts as long as the check; each check has its timeout
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                if index in split.checks:
                    await served(cell, index)
                    continue
                executor.timeout = checker.timeout
                await executor.async_execute_cell(cell, index, store_history=True)
                executor.timeout = None
                if index in split.lessons:
                    await served(copy.deepcopy(cell), index)   # its outputs are the student kernel's

    start = time.monotonic()
    problem = None
    try:
        watchdog.start()
        asyncio.run(run())
    except KernelFailed:
        raise
    except Exception as exc:  # the notebook's trouble, never the batch's
        problem = watchdog.reason or _describe(exc)
    finally:
        _shut([box, checks], [executor, checker], [executor.km, checker.km], watchdog, started - {serve_index})
    started.discard(serve_index)
    completed.discard(serve_index)
    return _conclude(nb, [box, checks], watchdog, started, completed, problem, start)


def _capped_context(output_limit):
    """A zmq context whose sockets drop any one message larger than ``output_limit`` bytes, so
    no single print or display can fill the grading process."""
    import zmq
    import zmq.asyncio

    context = zmq.asyncio.Context()
    context.setsockopt(zmq.MAXMSGSIZE, int(output_limit))
    return context


class _OutputBudget:
    """Counts the bytes a notebook's kernel sends as output; past the budget, the notebook stops."""

    def __init__(self, limit, watchdog):
        self.limit, self.watchdog, self.used = limit, watchdog, 0

    def wrap(self, process_message):
        def counted(msg, cell, cell_index):
            self.used += _size(msg.get("content"))
            if self.used > self.limit:
                if not self.watchdog.reason:
                    self.watchdog.reason = (f"its output passed the limit of {self.limit / 2**20:.0f} MiB "
                                            "and it was stopped")
                    self.watchdog.kill()
                return None
            return process_message(msg, cell, cell_index)
        return counted


def _size(value, depth=0):
    """Roughly how many bytes a message's content holds (strings and bytes, however nested)."""
    if isinstance(value, (str, bytes)):
        return len(value)
    if depth > 20:
        return 0
    if isinstance(value, dict):
        return sum(len(str(k)) + _size(v, depth + 1) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return sum(_size(v, depth + 1) for v in value)
    return 8


def _wake_often(km, every=0.5):
    """Make the clients of ``km`` look for a message at least every ``every`` seconds.

    With several notebooks driven from threads of one busy process, a reply can sit unnoticed
    in its socket until the whole wait runs out (seen here: a cell's reply found only when its
    60 s timeout ended). A long wait made of short ones finds it within ``every`` seconds and
    still times out when the original wait would have.
    """
    from queue import Empty

    make_client = km.client

    def sliced(get_msg):
        async def get_msg_sliced(timeout=None):
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                left = every if deadline is None else max(0.0, min(every, deadline - time.monotonic()))
                try:
                    return await get_msg(timeout=left)
                except Empty:
                    if deadline is not None and time.monotonic() >= deadline:
                        raise
        return get_msg_sliced

    def client(**kwargs):
        kc = make_client(**kwargs)
        for channel in (kc.shell_channel, kc.iopub_channel):
            channel.get_msg = sliced(channel.get_msg)
        # No heartbeat: the provisioner knows whether the kernel lives, and a kernel that writes
        # garbage into its own sockets could leave the heartbeat's thread unable to stop.
        start_channels = kc.start_channels
        kc.start_channels = lambda *args, **kw: start_channels(*args, **dict(kw, hb=False))
        return kc

    km.client = client


def _describe(exc):
    from nbclient.exceptions import DeadKernelError

    if isinstance(exc, DeadKernelError):
        return "the kernel died (the notebook called os._exit, crashed the interpreter, or was killed)"
    return f"{type(exc).__name__}: {exc}"


def _mark_not_run(nb, completed, problem):
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and index not in completed:
            cell.setdefault("outputs", []).append(NotebookNode(
                output_type="error", ename=STOPPED, evalue=f"this cell did not finish: {problem}",
                traceback=[f"{STOPPED}: this cell did not finish: {problem}"]))


class _Watchdog(threading.Thread):
    """Stops the notebook, from outside, once it passes its wall time, its memory or its process
    count (the last two are enforced by control groups where there are some). ``boxes`` are the
    notebook's sandboxes: the student's, and its check kernel's when the checks run apart."""

    def __init__(self, boxes, wall_limit, memory_limit, every=0.25):
        super().__init__(daemon=True)
        self.boxes = list(boxes)
        self.box = self.boxes[0]
        self.wall_limit, self.memory_limit, self.every = wall_limit, memory_limit, every
        self.reason = None
        self.peak = 0
        self._done = threading.Event()

    def run(self):
        start = time.monotonic()
        while not self._done.wait(self.every) and not self.reason:
            for box in self.boxes:
                used = box.memory()
                who = "it" if box is self.box else "its check kernel"
                if box is self.box:
                    self.peak = max(self.peak, used)
                if used > self.memory_limit:
                    self.reason = (f"{who} used {used / 2**20:.0f} MiB, past the memory limit of "
                                   f"{self.memory_limit / 2**20:.0f} MiB, and was stopped")
                elif box.group is None and len(box.members()) > box.slot.pids_limit:
                    self.reason = f"{who} started more than {box.slot.pids_limit} processes and was stopped"
                if self.reason:
                    break
            if not self.reason and time.monotonic() - start > self.wall_limit:
                self.reason = f"it ran past the wall-time limit of {self.wall_limit:g} s and was stopped"
        if self.reason:
            self.kill()

    def kill(self):
        for box in self.boxes:
            box.kill()

    def stop(self):
        self._done.set()
        self.join()
