"""Which grader process is grading which student, when several grade one course at once.

A process claims a student before grading any of their submissions and lets go when it has
journalled them; a process that finds a student claimed leaves them to the one holding the
claim. A claim ends with the process however it ends (SIGKILL included), so a crashed grader
never leaves a student claimed:

- with a PostgreSQL gradebook, a claim is a session advisory lock in that database, which every
  grader process reaches from any machine (``DatabaseClaims``);
- otherwise it is an exclusive ``flock`` on ``.shapeschool/claims/STUDENT.lock`` in the course
  directory (``Claims``).
"""
import fcntl
import hashlib
import os
from pathlib import Path


def for_course(course):
    """The claims the graders of ``course`` share."""
    if course.db_url.startswith("postgresql"):
        return DatabaseClaims(course.db_url, course.course_id)
    return Claims(course.state)


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


class DatabaseClaims:
    """Claims as PostgreSQL session advisory locks, held on one connection of this process's own."""

    def __init__(self, db_url, course_id):
        import sqlalchemy
        from sqlalchemy.pool import NullPool

        self._engine = sqlalchemy.create_engine(db_url, poolclass=NullPool)
        self._connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        self._text, self._course, self._held = sqlalchemy.text, course_id, set()

    def _key(self, student):
        digest = hashlib.sha256(f"shapeschool-grade:{self._course}:{student}".encode("utf-8", "surrogatepass"))
        return int.from_bytes(digest.digest()[:8], "big", signed=True)

    def claim(self, student):
        if student in self._held:
            return True
        got = self._connection.execute(self._text("SELECT pg_try_advisory_lock(:key)"),
                                       {"key": self._key(student)}).scalar()
        if got:
            self._held.add(student)
        return bool(got)

    def release(self, student):
        if student in self._held:
            self._held.discard(student)
            self._connection.execute(self._text("SELECT pg_advisory_unlock(:key)"), {"key": self._key(student)})

    def release_all(self):
        self._held.clear()
        self._connection.close()   # ends the session, and with it every lock it held
        self._engine.dispose()
