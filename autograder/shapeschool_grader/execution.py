"""Running one notebook across its two kernels, each forked into a ``box.NotebookBox``: the
student's, driven by nbgrader's ``Execute`` (an nbclient ``NotebookClient``), and the check
kernel, driven by another, that runs the test cells and the lesson cells they need while the
student's kernel answers its calls. jupyter_client is given each forked kernel through a
provisioner, so outputs, errors and timeouts are recorded exactly as plain ``nbgrader
autograde`` records them.
"""
import asyncio
import contextlib
import copy
import os
import signal
import time
from dataclasses import dataclass, field

from nbformat import NotebookNode

from . import limits, meeting, proc, protocol
from .server import KernelFailed

STOPPED = "GradingStopped"   # the ename of the error put in every cell a stopped notebook never ran


@dataclass
class Outcome:
    notebook: NotebookNode
    problem: str = None          # why the notebook did not run to its end, for the instructor
    seconds: float = 0.0
    peak_memory: int = 0         # bytes: the control group's peak, or the watchdog's samples
    completed: set = field(default_factory=set)
    notes: list = field(default_factory=list)   # what the instructor should know of a notebook graded to its end
    costs: dict = field(default_factory=dict)   # core-s each kernel's control group used ("student", "checks")



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


def _kernel_manager(box):
    """A jupyter_client kernel manager for the kernel the slot's server forked into ``box``."""
    from jupyter_client import AsyncKernelManager

    km = AsyncKernelManager(connection_file=box.connection_file, kernel_name="python3")
    km.load_connection_file()
    km.context = limits.capped_context()
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
    costs = {who: b.group.cpu_seconds() for who, b in zip(("student", "checks"), boxes) if b.group is not None}
    if problem and not started and not watchdog.reason:
        raise KernelFailed(f"the kernel did not start: {problem}{box.start_log}")
    if problem:
        _mark_not_run(nb, completed, problem)
    return Outcome(nb, problem, time.monotonic() - start, box.peak_memory(watchdog.peak), completed,
                   costs={who: round(seconds, 3) for who, seconds in costs.items() if seconds is not None})


def _shut(boxes, clients, kms, watchdog, started):
    """Stop the watchdog, the clients and every sandbox of a notebook, and close its sockets."""
    watchdog.stop()
    for client in clients:
        if client.kc is not None:
            client.kc.stop_channels()
    if not started:
        boxes[0].start_log = proc.tail(boxes[0].seen_from_here / "kernel-stderr.log")
    for b in boxes:
        b.kill()
    for km in kms:
        km.context.destroy(linger=0)



def execute(box, checks, nb, executor, checker, split, resources):
    """Run ``nb`` across the student's kernel (in ``box``) and the check kernel (in ``checks``);
    with ``checks`` None (a split that gives the check kernel nothing), in the student's alone,
    as plain nbgrader runs it."""
    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell

    started, completed = set(), set()
    boxes = [box] + ([checks] if checks is not None else [])
    watchdog = limits.Watchdog(boxes, box.wall_limit, box.memory_limit)
    budget = limits.OutputBudget(box.slot.output_limit)
    # nbclient puts each cell it ran back into its notebook's list at the cell's index: the
    # student's client gets its own list, whose last place takes the served cell.
    student_nb = NotebookNode(nb)
    student_nb["cells"] = list(nb.cells) + ([new_code_cell(protocol.SERVE)] if checks is not None else [])
    serve_index = len(nb.cells)
    clients = [executor] + ([checker] if checks is not None else [])
    for b, client, its_nb in zip(boxes, clients, (student_nb, nb)):
        NotebookClient.__init__(client, its_nb, _kernel_manager(b))   # as nbconvert's preprocess does
        client.reset_execution_trackers()
        client._check_assign_resources(resources)
        _track(client, started, completed, budget)

    async def served(cell, index):
        """Run ``cell`` in the check kernel while the student's kernel answers its calls."""
        serving = asyncio.ensure_future(executor.async_execute_cell(new_code_cell(protocol.SERVE), serve_index,
                                                                    store_history=False))
        try:
            await checker.async_execute_cell(cell, index, store_history=True)
        finally:
            done, _ = await asyncio.wait([serving], timeout=meeting.END_TIMEOUT)
            if not done:   # a student's function still running after its check gave up: interrupt it
                await executor.km.interrupt_kernel()
                done, _ = await asyncio.wait([serving], timeout=meeting.END_TIMEOUT)
            if not done:
                serving.cancel()
                watchdog.reason = watchdog.reason or (
                    f"its kernel did not stop answering the checks within {meeting.END_TIMEOUT:g} s and was stopped")
                watchdog.kill()
                raise RuntimeError(watchdog.reason)
            serving.result()

    async def set_up_checks():
        reply = await checker.async_wait_for_reply(checker.kc.execute(protocol.install(split.names), silent=True,
                                                                      store_history=False))
        if reply["content"]["status"] != "ok":
            raise KernelFailed(f"the check kernel could not be set up: {reply['content'].get('evalue')}")

    async def run():
        async with contextlib.AsyncExitStack() as kernels:
            for client in clients:
                await kernels.enter_async_context(client.async_setup_kernel())
            info = await executor.async_wait_for_reply(executor.kc.kernel_info())
            nb.metadata["language_info"] = info["content"]["language_info"]
            if checks is not None:
                await set_up_checks()
            timeout = executor.timeout
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                if index in split.checks:
                    executor.timeout = None   # the served cell lasts as long as the check; the check has its timeout
                    await served(cell, index)
                    continue
                executor.timeout = timeout
                await executor.async_execute_cell(cell, index, store_history=True)
                if index in split.lessons:
                    executor.timeout = None
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
        _shut(boxes, clients, [c.km for c in clients], watchdog, started - {serve_index})
    started.discard(serve_index)
    completed.discard(serve_index)
    outcome = _conclude(nb, boxes, watchdog, started, completed, problem, start)
    outcome.notes += budget.notes
    return outcome


def _wake_often(km, every=0.5):
    """Make the clients of ``km`` look for a message at least every ``every`` seconds.

    With several notebooks driven from threads of one busy process, a reply can sit unnoticed
    in its socket until the whole wait runs out (seen here: a cell's reply found only when its
    60 s timeout ended). A long wait made of short ones finds it within ``every`` seconds and
    still times out when the original wait would have.

    Why it stays: the stall came from the several event loops of one process (one per notebook
    thread) waiting on zmq sockets, which is how the grader still drives its kernels, and its cost
    is one wake-up per half second of waiting. It can go once a class run without it shows no cell
    waiting out its whole timeout (issue 30 asks for that measurement; not yet made).
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
