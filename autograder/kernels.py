"""Kernels forked from a warm parent: every notebook in a process of its own, without paying
for a fresh interpreter and ``import torch`` each time.

A ``KernelSlot`` owns one fork server (``autograder/forkserver.py``), sandboxed with bubblewrap
when it can be, and runs one notebook at a time in a kernel forked from it. The notebook is
run by nbgrader's own ``Execute`` preprocessor, given the forked kernel through a
jupyter_client provisioner, so outputs, errors and timeouts are recorded exactly as plain
``nbgrader autograde`` records them. The slot enforces a wall-time and a memory limit from
outside the kernel and, after each notebook, kills whatever the notebook started and empties
every place it could write.

    with KernelSlot(sandboxed=True) as slot:
        outcome = slot.run(notebook, Execute(), resources, wall_limit=300, memory_limit=2 << 30)
"""
import asyncio
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

from . import sandbox

FORKSERVER = Path(__file__).resolve().parent / "forkserver.py"
# What every grading kernel would otherwise import for itself: the course's libraries, and what
# ipykernel loads as it starts (its debugger alone is a quarter of a kernel's start-up).
PRELOAD = ("torch", "numpy", "matplotlib", "matplotlib.pyplot", "matplotlib_inline.backend_inline",
           "ipywidgets", "einops", "shapeschool", "shapeschool.checks", "shapeschool.diagrams",
           "shapeschool.widgets", "shapeschool.layouts", "shapeschool.conv", "shapeschool.flows",
           "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.debugger", "IPython.core.debugger",
           "IPython.core.completerlib", "IPython.core.oinspect", "IPython.extensions.storemagic",
           "pdb", "pydoc", "faulthandler", "tornado.platform.asyncio")
STOPPED = "GradingStopped"   # the ename of the error put in every cell a stopped notebook never ran


class KernelFailed(RuntimeError):
    """The fork server could not be started or stopped answering."""


@dataclass
class Outcome:
    notebook: NotebookNode
    problem: str = None          # why the notebook did not run to its end, for the instructor
    seconds: float = 0.0
    peak_memory: int = 0         # bytes, as sampled by the watchdog
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

        slot = None
        pid = 0   # the kernel's pid as this process sees it

        @property
        def has_process(self):
            return self.pid > 0 and self.slot.kernel_alive(self.pid)

        async def poll(self):
            return None if self.slot.kernel_alive(self.pid) else -signal.SIGKILL

        async def wait(self):
            while self.slot.kernel_alive(self.pid):
                await asyncio.sleep(0.05)
            return -signal.SIGKILL

        async def send_signal(self, signum):
            try:
                os.killpg(self.pid, signum)
            except OSError:
                pass

        async def kill(self, restart=False):
            self.slot.kill_kernel(self.pid)

        async def terminate(self, restart=False):
            self.slot.kill_kernel(self.pid)

        async def launch_kernel(self, cmd, **kwargs):
            raise KernelFailed("kernels for grading are forked by the slot's server, not launched")

        async def cleanup(self, restart=False):
            pass

    return ForkedProvisioner


class KernelSlot:
    """One warm fork server and the one notebook it is running."""

    def __init__(self, sandboxed=True, preload=PRELOAD, threads=1, env=None):
        self.sandboxed = sandboxed
        self.preload = tuple(preload)
        self.threads = threads
        self.extra_env = dict(env or {})
        self._server = None
        self._namespace = None
        self._lock = threading.Lock()
        self._serial = 0

    # -- the server -------------------------------------------------------------------
    def __enter__(self):
        return self.start().wait_ready()

    def start(self):
        """Start the server (from the thread that will outlive it: Linux ties the sandbox's life
        to the thread that started it). ``wait_ready`` returns once its imports are done."""
        self.shared = Path(tempfile.mkdtemp(prefix="shapeschool-slot-"))
        fonts = _matplotlib_cache()
        env = {"PATH": os.path.dirname(sys.executable) + ":/usr/bin:/bin", "HOME": "/tmp",
               "LANG": "C.UTF-8", "MPLBACKEND": "agg", "PYTHONDONTWRITEBYTECODE": "1",
               "PYDEVD_DISABLE_FILE_VALIDATION": "1",
               "OMP_NUM_THREADS": str(self.threads), "MKL_NUM_THREADS": str(self.threads), **self.extra_env}
        # The sandbox shows no GPU device files, so sandboxed kernels grade on the CPU whatever
        # SHAPESCHOOL_DEVICE says here; the checks compare values with tolerances either way.
        passed = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") + (
            () if self.sandboxed else ("SHAPESCHOOL_DEVICE", "CUDA_VISIBLE_DEVICES"))
        for key in passed:
            if key in os.environ:
                env.setdefault(key, os.environ[key])
        argv = [sys.executable, str(FORKSERVER), *self.preload]
        if self.sandboxed:
            env.update(SHAPESCHOOL_SANDBOXED="1", MPLCONFIGDIR="/tmp/matplotlib", SHAPESCHOOL_FONTS=str(fonts))
            argv = sandbox.command(argv, self.shared, env, readonly=[fonts])
            # bwrap's --clearenv cleans only its child's environment; bwrap itself is the
            # sandbox's pid 1, whose /proc/1/environ any student can read: start it with nothing.
            env = sandbox.BWRAP_ENVIRONMENT
        else:
            env = dict(os.environ, **env)
            env.pop("MPLBACKEND")  # as a fresh kernel would see it
        self._server = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
                                        text=True, start_new_session=True)
        return self

    def wait_ready(self):
        self._request({"op": "sweep", "keep": str(self.shared)})   # answered once the imports are done
        if self.sandboxed:
            self._namespace = self._sandbox_namespace()
        return self

    def __exit__(self, *exc):
        if self._server and self._server.poll() is None:
            try:
                os.killpg(self._server.pid, signal.SIGKILL)
            except OSError:
                pass
            self._server.wait()
        shutil.rmtree(self.shared, ignore_errors=True)

    def alive(self):
        return self._server is not None and self._server.poll() is None

    def restart(self):
        """A new server in place of one that died (student code can kill it: same sandbox)."""
        self.__exit__(None, None, None)
        return self.start().wait_ready()

    def _request(self, message):
        with self._lock:
            try:
                self._server.stdin.write(json.dumps(message) + "\n")
                self._server.stdin.flush()
                reply = self._server.stdout.readline()
            except OSError:   # a broken pipe: the server is gone
                reply = ""
        if not reply:
            how = "bubblewrap" if self.sandboxed else "python"
            raise KernelFailed(f"the kernel fork server ({how}) exited with code {self._server.wait()}; "
                               "its stderr above says why")
        return json.loads(reply)

    def _sandbox_namespace(self):
        """The PID namespace bwrap made, and the two processes in it that are not a notebook's."""
        for pid in _pids():
            if f"PPid:\t{self._server.pid}\n" in _read(f"/proc/{pid}/status"):  # the sandbox's init
                namespace = _pid_namespace(pid)
                self._not_kernels = {pid} | {p for p in _pids() if _pid_namespace(p) == namespace}
                return namespace
        raise KernelFailed("could not find the sandbox's processes")

    def _host_pid(self, inner):
        """The pid, as seen here, of the process that is ``inner`` inside the sandbox."""
        for pid in _pids():
            if _pid_namespace(pid) == self._namespace:
                nspid = [line for line in _read(f"/proc/{pid}/status").splitlines() if line.startswith("NSpid:")]
                if nspid and int(nspid[0].split()[-1]) == inner:
                    return pid
        raise KernelFailed(f"kernel {inner} vanished as it started")

    # -- what a notebook's kernel owns ------------------------------------------------
    def members(self, kernel):
        """Every process the notebook's code may have started, the kernel included."""
        if self.sandboxed:   # the whole sandbox but its init and the server, found when it was idle
            return [p for p in _pids() if p not in self._not_kernels and _pid_namespace(p) == self._namespace]
        return [p for p in _pids() if _session(p) == kernel]

    def kernel_alive(self, kernel):
        stat = _read(f"/proc/{kernel}/stat")
        return bool(stat) and stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")

    def kill_kernel(self, kernel):
        _kill(self.members(kernel) + [kernel])

    def memory(self, kernel):
        return sum(_rss(p) for p in self.members(kernel))

    # -- one notebook -----------------------------------------------------------------
    def run(self, nb, executor, resources=None, wall_limit=300.0, memory_limit=2 << 30):
        """Run ``nb`` with ``executor`` (an nbconvert ExecutePreprocessor) in a fresh forked kernel.

        Returns an Outcome. If the notebook was stopped (wall time, memory, the kernel died),
        every code cell that did not finish gets an error output saying so, so that no test
        cell it never ran can count as passed.
        """
        from jupyter_client import AsyncKernelManager
        from jupyter_client.connect import write_connection_file

        self._serial += 1
        folder = self.shared / f"run{self._serial}"
        folder.mkdir()
        connection_file = folder / "kernel.json"
        write_connection_file(str(connection_file), transport="ipc", ip=str(folder / "k"))
        env = {"NBGRADER_EXECUTION": os.environ.get("NBGRADER_EXECUTION", "autograde")}
        inner = self._request({"op": "start", "connection_file": str(connection_file), "env": env})["pid"]
        kernel = self._host_pid(inner) if self.sandboxed else inner

        km = AsyncKernelManager(connection_file=str(connection_file), kernel_name="python3")
        km.load_connection_file()
        _wake_often(km)
        km.provisioner = _provisioner_class()(kernel_id=f"slot-run{self._serial}", kernel_spec=None, parent=km)
        km.provisioner.slot, km.provisioner.pid = self, kernel

        started, completed = set(), set()
        original_hook = executor.on_cell_executed
        executor.on_cell_execute = lambda **kwargs: started.add(kwargs["cell_index"])

        def record(**kwargs):
            completed.add(kwargs["cell_index"])
            return original_hook(**kwargs) if callable(original_hook) else None

        executor.on_cell_executed = record
        watchdog = _Watchdog(self, kernel, wall_limit, memory_limit)
        start = time.monotonic()
        problem = None
        try:
            watchdog.start()
            executor.preprocess(nb, resources or {}, km=km)
        except Exception as exc:  # the notebook's trouble, never the batch's
            problem = watchdog.reason or _describe(exc)
        finally:
            watchdog.stop()
            if executor.kc is not None:
                executor.kc.stop_channels()
            executor.on_cell_executed = original_hook
            self.kill_kernel(kernel)
            self._request({"op": "sweep", "keep": str(self.shared)})
            shutil.rmtree(folder, ignore_errors=True)
        problem = problem or watchdog.reason
        if problem and not started and not watchdog.reason:
            raise KernelFailed(f"the kernel did not start: {problem}")   # no student code ran: ours
        if problem:
            _mark_not_run(nb, completed, problem)
        return Outcome(nb, problem, time.monotonic() - start, watchdog.peak, completed)


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
    """Kills the notebook's processes, from outside, once it passes its wall time or memory."""

    def __init__(self, slot, kernel, wall_limit, memory_limit, every=0.25):
        super().__init__(daemon=True)
        self.slot, self.kernel = slot, kernel
        self.wall_limit, self.memory_limit, self.every = wall_limit, memory_limit, every
        self.reason = None
        self.peak = 0
        self._done = threading.Event()

    def run(self):
        start = time.monotonic()
        while not self._done.wait(self.every):
            used = self.slot.memory(self.kernel)
            self.peak = max(self.peak, used)
            if used > self.memory_limit:
                self.reason = (f"it used {used / 2**20:.0f} MiB, past the memory limit of "
                               f"{self.memory_limit / 2**20:.0f} MiB, and was stopped")
            elif time.monotonic() - start > self.wall_limit:
                self.reason = f"it ran past the wall-time limit of {self.wall_limit:g} s and was stopped"
            if self.reason:
                self.slot.kill_kernel(self.kernel)
                return

    def stop(self):
        self._done.set()
        self.join()
