"""A notebook's limits, enforced from outside its sandbox: wall time, memory and processes
(``Watchdog``), and the output kept from its kernels (``OutputBudget``, and a socket option that
drops any one message far past what a kernel sends)."""
import threading
import time

from nbformat import NotebookNode

PIDS_LIMIT = 256             # processes and threads in one notebook's control group
OUTPUT_LIMIT = 32 << 20      # bytes of output kept from one notebook; past it, output is dropped
MESSAGE_LIMIT = 8 << 20      # bytes of one output message: a grading kernel cuts its own down to this
SOCKET_LIMIT = 2 * MESSAGE_LIMIT   # a message past this never reaches the grader (only a kernel its student altered sends one)
OUTPUT_TYPES = ("stream", "display_data", "execute_result", "update_display_data", "error")
TRUNCATED = "... Output truncated by shapeschool-grade ..."   # in the words of nbgrader's LimitOutput


def capped_context(limit=SOCKET_LIMIT):
    """A zmq context whose sockets drop any one message larger than ``limit`` bytes, so no
    single print or display can fill the grading process."""
    import zmq
    import zmq.asyncio

    context = zmq.asyncio.Context()
    context.setsockopt(zmq.MAXMSGSIZE, int(limit))
    return context


class OutputBudget:
    """Keeps the first ``limit`` bytes of a notebook's output, as nbgrader's ``LimitOutput``
    keeps the first lines of a cell's: past it, a cell's output is dropped and the notebook runs
    on to its end, graded like any other; the cell says what was dropped, and so does ``notes``.
    Messages that are not output (a cell's status, its reply) always pass."""

    def __init__(self, limit):
        self.limit, self.used, self.dropped = limit, 0, 0
        self.cut_in_kernel = 0   # messages the kernel cut down to MESSAGE_LIMIT before sending
        self._cut = set()        # cells that already say their output was cut

    @property
    def notes(self):
        notes = []
        if self.cut_in_kernel:
            notes.append(f"{self.cut_in_kernel} of its outputs were each over {MESSAGE_LIMIT / 2**20:.0f} MiB and "
                         "were cut down (the notebook ran on and was graded)")
        if self.dropped:
            notes.append(f"its output passed {self.limit / 2**20:.0f} MiB: {self.dropped / 2**20:.1f} MiB more was not "
                         "kept (the notebook ran on and was graded)")
        return notes

    def wrap(self, process_message):
        def counted(msg, cell, cell_index):
            if msg.get("msg_type") not in OUTPUT_TYPES:
                return process_message(msg, cell, cell_index)
            content = msg.get("content") or {}
            shown = content.get("text") or (content.get("data") or {}).get("text/plain") or ""
            if isinstance(shown, str) and TRUNCATED in shown[:200] + shown[-200:]:
                self.cut_in_kernel += 1
            size = _size(content)
            if self.used + size <= self.limit or msg["msg_type"] == "error" and size < MESSAGE_LIMIT:
                self.used += size   # an error always: nbgrader scores a test cell by it
                return process_message(msg, cell, cell_index)
            self.dropped += size
            if cell_index not in self._cut:
                self._cut.add(cell_index)
                cell.setdefault("outputs", []).append(NotebookNode(output_type="stream", name="stdout", text=TRUNCATED + "\n"))
            return None
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


class Watchdog(threading.Thread):
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
