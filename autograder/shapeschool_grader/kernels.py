"""Kernels forked from a warm parent: every notebook in a process and a sandbox of its own,
without paying for a fresh interpreter and ``import torch`` each time.

A ``KernelSlot`` runs one notebook at a time. For each it makes a ``box.NotebookBox`` (a fresh
bubblewrap sandbox and control groups with the notebook's limits) and has the warm, trusted
server (``server.KernelServer``, which no student code ever runs in) fork a kernel into it.
When the course decides its checks outside the student's kernel, a second box holds a trusted
check kernel; the two are introduced (``meeting``) and the notebook runs across them
(``execution``): the student's cells in the student's kernel, the checks in the check kernel,
which reaches the student's names through ``calls``. Afterwards every sandbox is killed whole:
nothing the notebook started, wrote or holds survives it, and nothing it did can reach the
server or the next notebook. The watchdog and output budget (``limits``) stop it from outside.

    with KernelSlot(sandboxed=True) as slot:
        outcome = slot.run(notebook, Execute(), resources, wall_limit=300, memory_limit=2 << 30,
                           split=split.plan(notebook, release))

The names below are this package's public ones for kernels; each lives in its own module.
"""
import contextlib
import time

from . import cgroups, execution, preload, protocol
from .box import NotebookBox
from .execution import STOPPED, Outcome
from .limits import OUTPUT_LIMIT, PIDS_LIMIT
from .meeting import Meeting
from .server import KernelFailed, KernelServer
from .split import NONE, Split

__all__ = ["KernelSlot", "KernelServer", "KernelFailed", "Outcome", "Split", "STOPPED", "OUTPUT_LIMIT",
           "PIDS_LIMIT"]


def _host_limits_warning(groups):
    """What is not enforced on this machine, or None."""
    if groups is not None and groups.cpu_limited:
        return None
    if groups is not None:
        return ("WARNING: notebooks' CPU is not limited (" + cgroups.why_not_cpu() + "): a notebook that "
                "keeps many threads busy slows the notebooks graded beside it.")
    return ("WARNING: no usable control groups (" + cgroups.why_not() + "): a notebook's memory is "
            "measured by its processes' resident memory only, so files in its /tmp and /dev/shm "
            "(each capped at the memory limit) and memfd files are not counted, and its process "
            "count is checked by polling, which a fast fork bomb can outrun.")


class KernelSlot:
    """Runs one notebook at a time in kernels forked by a warm server: its own, or ``server``,
    shared with other slots (the pool's), which the slot then neither starts nor stops."""

    def __init__(self, sandboxed=True, preload=preload.KERNEL, threads=1, env=None, pids_limit=PIDS_LIMIT,
                 output_limit=OUTPUT_LIMIT, groups="find", traceback_sources=None, server=None, colours=True,
                 gpu=False):
        self._owns_server = server is None
        self.server = server or KernelServer(sandboxed, preload, threads, env, traceback_sources, colours, gpu)
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
    def run(self, nb, executor, resources=None, wall_limit=300.0, memory_limit=2 << 30, split=NONE,
            checker=None, folder=None):
        """Run ``nb`` in a fresh kernel in a sandbox of its own, driven by ``executor`` (nbgrader's
        ``Execute``). When ``split`` gives some cells to a trusted check kernel, that kernel runs
        them in a second sandbox, driven by ``checker`` (another executor, configured alike when
        not given), reaching the student's names through ``calls``; with the default split every
        cell runs in the student's kernel, as plain nbgrader runs it. Either way the notebook
        takes one path (``execution.execute``). ``folder`` is where plain nbgrader would run it
        (the autograded submission's): each kernel runs in a writable folder of that name holding
        its files, read-only.

        Returns an Outcome. If the notebook was stopped (wall time, memory, processes, output,
        the kernel died), every code cell that did not finish gets an error output saying so,
        so that no test cell it never ran can count as passed.
        """
        serial = self.server.next_serial()
        apart = bool(split.checks or split.lessons)
        began = time.monotonic()
        with contextlib.ExitStack() as owned:
            box = owned.enter_context(NotebookBox(self, serial, wall_limit, memory_limit, folder))
            checks = None
            if apart:
                checker = checker if checker is not None else _alike(executor)
                checks = owned.enter_context(NotebookBox(self, f"{serial}c", wall_limit, memory_limit, folder))
                meeting = Meeting(box.seen_from_here / protocol.CALLS_SOCKET,
                                  checks.seen_from_here / protocol.CALLS_SOCKET)
                owned.callback(meeting.close)
            box.start_kernel()
            if apart:
                checks.start_kernel()
                meeting.start()
            setup = time.monotonic() - began   # sandboxes, control groups and forked kernels, until they run
            outcome = execution.execute(box, checks, nb, executor, checker, split, resources or {})
            outcome.costs["setup"] = round(setup, 3)
            return outcome


def _alike(executor):
    """Another executor of ``executor``'s class with its configured settings (timeouts and all)."""
    settings = {name: getattr(executor, name) for name in executor.trait_names(config=True)}
    return type(executor)(config=executor.config, **settings)
