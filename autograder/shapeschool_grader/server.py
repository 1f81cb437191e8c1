"""The warm, trusted kernel server (``zygote.py``) that grading kernels are forked from, and
its client. The requests and replies are ``protocol.py``'s.

A server imports what the course's kernels would import (``preload``) once; then forking a
kernel from it takes milliseconds where a fresh interpreter and ``import torch`` take seconds.
Several slots may share one server; it answers one request at a time.
"""
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from . import limits, preload as preloading, protocol, sandbox

ZYGOTE = Path(__file__).resolve().parent / "zygote.py"
CALLS = ZYGOTE.parent / "calls.py"
KERNEL_ARGUMENTS = ("--HistoryManager.enabled=False",)
# IPython colours a traceback by lexing each frame's source with a lexer class it builds afresh
# for every frame: about a tenth of a second for a traceback through torch, where an uncoloured
# one takes a thousandth, and a notebook of this course holds four or five. Plain nbgrader's
# tracebacks are coloured, so grading kernels colour theirs unless the course says otherwise
# (``c.ShapeSchoolGrader.traceback_colours = False``); the text is the same either way.
NO_COLOUR = "--InteractiveShell.colors=nocolor"


class KernelFailed(RuntimeError):
    """The fork server could not be started or stopped answering."""


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



class KernelServer:
    """The warm, trusted fork server (``zygote.py``) that kernels are forked from; several slots
    may share one. It answers one request at a time, and a restart keeps its scratch folder,
    where slots sharing it keep their kernels' connection files."""

    def __init__(self, sandboxed=True, preload=preloading.KERNEL, threads=1, env=None, traceback_sources=None,
                 colours=True, gpu=False):
        self.sandboxed, self.colours, self.gpu = sandboxed, colours, gpu
        self.preload = tuple(preload)
        # by default, a server that preloads nothing (a light one, for tests) reads no sources either
        if traceback_sources is None:
            traceback_sources = preloading.TRACEBACK_SOURCES if self.preload else ()
        self.traceback_sources = tuple(traceback_sources)
        self.threads = threads
        self.extra_env = dict(env or {})
        self.reply_timeout = 60.0    # seconds the server may take to set up one kernel
        self.scratch = None
        self._process = None
        self._lock = threading.Lock()           # one request at a time
        self._restarting = threading.Lock()     # one restart at a time
        self._serials = itertools.count(1)
        self.preloaded, self.skipped = [], {}    # what the server imported, and what it could not, and why

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
        # Without ``gpu`` the sandbox shows no GPU device files, so sandboxed kernels grade on the
        # CPU whatever SHAPESCHOOL_DEVICE says here; the checks compare values with tolerances.
        passed = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") + (
            ("SHAPESCHOOL_DEVICE", "CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES") if self.gpu or not self.sandboxed else ())
        for key in passed:
            if key in os.environ:
                env.setdefault(key, os.environ[key])
        self.kernel_env = {k: v for k, v in env.items() if k not in ("HOME", "MPLCONFIGDIR")}
        if self.sandboxed:
            self.kernel_env["MPLCONFIGDIR"] = "/tmp/matplotlib"
        else:
            self.kernel_env.pop("MPLBACKEND")  # as a fresh kernel would see it
        settings = {"preload": list(self.preload), "companions": preloading.COMPANIONS if self.preload else {},
                    "sources": list(self.traceback_sources),
                    "kernel_arguments": list(KERNEL_ARGUMENTS) + ([] if self.colours else [NO_COLOUR]),
                    "output": {"limit": limits.MESSAGE_LIMIT, "types": list(limits.OUTPUT_TYPES),
                               "truncated": limits.TRUNCATED},
                    "calls": {"module": protocol.CALLS_MODULE, "path": str(CALLS)}}
        command = [sys.executable, str(ZYGOTE), json.dumps(settings)]
        self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd="/",
                                         start_new_session=True)
        return self

    def wait_ready(self, timeout=300.0):
        """Wait for the server's imports. A module that started a thread as it was imported is
        left out and the server started again without it (forking a threaded process can copy a
        lock some thread holds); ``preloaded`` and ``skipped`` then say what the server holds."""
        reply = self.request(protocol.READY, timeout)   # answered once the imports are done
        while reply.get("threads"):
            self.stop()
            self.skipped[reply["threads"]] = "it starts a thread as it is imported"
            self.preload = tuple(name for name in self.preload if name != reply["threads"])
            reply = self.start().request(protocol.READY, timeout)
        self.preloaded = reply.get("preloaded", [])
        self.skipped.update(reply.get("skipped", {}))
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

