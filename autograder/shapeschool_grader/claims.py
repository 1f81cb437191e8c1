"""Which grader process is grading which student, when several grade one course at once.

A process claims a student before grading any of their submissions and lets go when it has
journalled them. A claim is an exclusive ``flock`` on ``.shapeschool/claims/STUDENT.lock`` in
the course directory, which the kernel drops when the process ends however it ends (SIGKILL
included), so a crashed grader never leaves a student claimed. A process that finds a student
claimed leaves them to the one holding the claim.
"""
import fcntl
import os
from pathlib import Path


class Claims:
    def __init__(self, state):
        self.folder = Path(state) / "claims"
        self._held = {}

    def claim(self, student):
        """True if this process now holds ``student``; False if another process does."""
        if student in self._held:
            return True
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.folder / f"{student}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._held[student] = fd
        return True

    def release(self, student):
        fd = self._held.pop(student, None)
        if fd is not None:
            os.close(fd)   # closing the only descriptor drops the lock

    def release_all(self):
        for student in list(self._held):
            self.release(student)
