"""A notebook's limits, enforced from outside its sandbox: wall time, memory and processes
(``Watchdog``), and the output its kernels may send (``OutputBudget``, and a socket option that
drops any one message past it)."""
import threading
import time

PIDS_LIMIT = 256             # processes and threads in one notebook's control group
OUTPUT_LIMIT = 32 << 20      # bytes of output one notebook may send (and the largest one message)


def capped_context(output_limit):
    """A zmq context whose sockets drop any one message larger than ``output_limit`` bytes, so
    no single print or display can fill the grading process."""
    import zmq
    import zmq.asyncio

    context = zmq.asyncio.Context()
    context.setsockopt(zmq.MAXMSGSIZE, int(output_limit))
    return context


class OutputBudget:
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
