"""How a notebook's two kernels meet (``protocol.py`` describes it): the grader listens in
each kernel's folder and, once per cell, hands the check kernel the student's connection."""
import os
import selectors
import socket
import threading

from . import protocol
from .server import KernelFailed

END_TIMEOUT = 30.0         # seconds the student's kernel may take to stop serving after a check


class Meeting(threading.Thread):
    """Introduces a notebook's two kernels, once per cell: listens in each one's folder (made
    before either kernel starts, so no student code can have put anything there), and hands each
    connection from the check kernel the next one from the student's kernel. The grader is not in
    the path of their calls."""

    def __init__(self, student_path, checks_path):
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
                            socket.send_fds(ours, [protocol.HANDOVER], [theirs.fileno()])
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
