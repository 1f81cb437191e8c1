"""The kernels a run executes notebooks in: a few slots, each running one notebook at a time
in sandboxed kernels forked by one warm kernel server that they share.

``KernelPool.execute`` is the grader's one execution step: a sanitized notebook in, the notebook
as its kernels ran it out (an ``kernels.Outcome``). Each run takes the next free slot; its
checks run in a check kernel of their own (``split``); if the server died it is restarted
and the notebook tried once more. The scheduler takes any callable of the same shape, which is
how the unit tests grade without torch or kernels.
"""
import copy
import os
import queue

from nbgrader.preprocessors import Execute

from . import kernels, split


class UnsupportedKernel(RuntimeError):
    """A notebook for a kernel the grader cannot fork."""


def slots_for(jobs, work):
    """How many kernel servers to start: no more than asked, nor than there are notebooks."""
    return max(1, min(jobs, work))


class KernelPool:
    def __init__(self, config, size, sandboxed=True, wall_limit=300.0, memory_limit=2 << 30, pictures=False,
                 preload=kernels.preload.KERNEL, checks_apart=False, colours=True, gpu=False):
        self.config, self.checks_apart, self.colours = config, checks_apart, colours
        self.preload = tuple(preload) + (kernels.preload.CALLS if checks_apart else ())
        self.gpu = gpu
        self.size, self.sandboxed = size, sandboxed
        # the lessons' pictures, drawn or one line each (shapeschool.diagrams reads this)
        self.kernel_env = {} if pictures else {"SHAPESCHOOL_PICTURES": "off"}
        self.wall_limit, self.memory_limit = wall_limit, memory_limit
        self._free = queue.Queue()
        self._slots = []
        self._server = None

    def __enter__(self):
        threads = max(1, (os.cpu_count() or 1) // self.size)   # torch threads per kernel: no oversubscription
        # One server for every slot: it only forks, in a few milliseconds a kernel, and each
        # server costs its import of torch (seconds of CPU) and its memory.
        self._server = kernels.KernelServer(sandboxed=self.sandboxed, preload=self.preload, threads=threads,
                                            env=self.kernel_env, colours=self.colours, gpu=self.gpu)
        try:
            self._server.start().wait_ready()
            self._slots = [kernels.KernelSlot(server=self._server) for _ in range(self.size)]
        except BaseException:
            self.__exit__(None, None, None)
            raise
        for slot in self._slots:
            self._free.put(slot)
        return self

    def __exit__(self, *exc):
        if self._server is not None:
            self._server.close()

    @property
    def skipped(self):
        """Modules the kernel server could not preload, and why."""
        return self._server.skipped if self._server else {}

    @property
    def limits_warning(self):
        return self._slots[0].limits_warning if self._slots else None

    def execute(self, nb, release, folder=None, source=None, tries=2):
        """Run one sanitized notebook in the next free slot; a kernel that fails to start is tried again."""
        kernelspec = nb.metadata.get("kernelspec", {})
        language = kernelspec.get("language") or nb.metadata.get("language_info", {}).get("name") or "python"
        if language.lower() != "python":   # the server forks IPython kernels only: never run R code in one
            raise UnsupportedKernel(
                f"this notebook's kernel is {kernelspec.get('display_name') or kernelspec.get('name')!r} "
                f"({language}); shapeschool-grade runs Python (IPython) kernels only. Grade this assignment "
                "with `nbgrader autograde`")
        plan = split.plan(nb, release, source) if self.checks_apart else split.NONE
        for attempt in range(tries):
            slot = self._free.get()
            try:
                return slot.run(copy.deepcopy(nb), Execute(config=self.config), {},
                                wall_limit=self.wall_limit, memory_limit=self.memory_limit,
                                split=plan, checker=Execute(config=self.config), folder=folder)
            except kernels.KernelFailed:
                if not slot.alive():
                    slot.restart()
                if attempt == tries - 1:
                    raise
            finally:
                self._free.put(slot)
