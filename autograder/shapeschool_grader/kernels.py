"""Kernels forked from a warm parent: every notebook in a process and a sandbox of its own,
without paying for a fresh interpreter and ``import torch`` each time.

A ``KernelSlot`` runs one notebook at a time. For each it makes two ``box.NotebookBox``es (a
fresh bubblewrap sandbox and control groups with the notebook's limits), has the warm, trusted
server (``server.KernelServer``, which no student code ever runs in) fork a kernel into each,
introduces the two (``meeting``), and runs the notebook across them (``execution``): the
student's cells in the student's kernel, the checks in a trusted check kernel that reaches the
student's names through ``calls``. Afterwards both sandboxes are killed whole: nothing the
notebook started, wrote or holds survives it, and nothing it did can reach the server or the
next notebook. The watchdog and output budget (``limits``) stop it from outside.

    with KernelSlot(sandboxed=True) as slot:
        outcome = slot.run(notebook, Execute(), resources, wall_limit=300, memory_limit=2 << 30,
                           split=split.plan(notebook, release))

The names below are this package's public ones for kernels; each lives in its own module.
"""
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
    if groups is not None:
        return None
    return ("WARNING: no usable control groups (" + cgroups.why_not() + "): a notebook's memory is "
            "measured by its processes' resident memory only, so files in its /tmp and /dev/shm "
            "(each capped at the memory limit) and memfd files are not counted, and its process "
            "count is checked by polling, which a fast fork bomb can outrun.")


class KernelSlot:
    """Runs one notebook at a time in kernels forked by a warm server: its own, or ``server``,
    shared with other slots (the pool's), which the slot then neither starts nor stops."""

    def __init__(self, sandboxed=True, preload=preload.KERNEL, threads=1, env=None, pids_limit=PIDS_LIMIT,
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
    def run(self, nb, executor, resources=None, wall_limit=300.0, memory_limit=2 << 30, split=NONE,
            checker=None):
        """Run ``nb`` in two fresh kernels, each in a sandbox of its own: the student's, driven by
        ``executor`` (nbgrader's ``Execute``), and a trusted check kernel, driven by ``checker``
        (another, configured alike when not given), that runs the cells ``split`` gives it and
        reaches the student's names through ``calls``. Every notebook takes this one path; with
        the default split every cell is the student's and the check kernel runs none.

        Returns an Outcome. If the notebook was stopped (wall time, memory, processes, output,
        the kernel died), every code cell that did not finish gets an error output saying so,
        so that no test cell it never ran can count as passed.
        """
        serial = self.server.next_serial()
        checker = checker if checker is not None else _alike(executor)
        with NotebookBox(self, serial, wall_limit, memory_limit) as box, \
                NotebookBox(self, f"{serial}c", wall_limit, memory_limit) as checks:
            meeting = Meeting(box.seen_from_here / protocol.CALLS_SOCKET, checks.seen_from_here / protocol.CALLS_SOCKET)
            try:
                box.start_kernel()
                checks.start_kernel()
                meeting.start()
                return execution.execute(box, checks, nb, executor, checker, split, resources or {})
            finally:
                meeting.close()


def _alike(executor):
    """Another executor of ``executor``'s class with its configured settings (timeouts and all)."""
    settings = {name: getattr(executor, name) for name in executor.trait_names(config=True)}
    return type(executor)(config=executor.config, **settings)
