"""When the place grades are written to fails under a run: a gradebook that cannot be written,
a disk that is full, a gradebook that disappears while the class is graded.

None of these is one submission's fault, and each would fail every submission after it, so the
run checks the gradebook before it grades anything (``check_writable``), and stops at the first
such failure (``problem``) with one message naming what to do. What was graded before it is in
the gradebook and journalled; nothing after it was half-written (the journal and every file the
grader writes are replaced atomically), and running the same command again grades the rest.
"""
import errno
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

FULL = (errno.ENOSPC, errno.EDQUOT)
READ_ONLY = (errno.EROFS, errno.EACCES, errno.EPERM)
# What SQLite and PostgreSQL say, through SQLAlchemy or in nbgrader's log, for the same troubles
SAID = {
    "attempt to write a readonly database": "read-only",
    "read-only file system": "read-only",
    "readonly database": "read-only",
    "cannot execute update in a read-only transaction": "read-only",
    "permission denied": "read-only",
    "database or disk is full": "full",
    "no space left on device": "full",
    "disk quota exceeded": "full",
    "unable to open database file": "gone",
    "no such table": "gone",
    "disk i/o error": "full",
}


class Stopped(RuntimeError):
    """The run cannot go on: the message says why and what to do."""


def sqlite_file(db_url):
    """The gradebook's file for a SQLite URL, else None."""
    url = make_url(db_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database.split("?")[0].removeprefix("file:"))


def message(kind, course, detail=""):
    where = sqlite_file(course.db_url) or course.db_url
    said = f" ({detail})" if detail else ""
    return {
        "read-only": f"the gradebook {where} cannot be written{said}. Nothing more was graded. Make it writable "
                     "(its folder too: SQLite writes a journal beside it), or point c.CourseDirectory.db_url at a "
                     "gradebook you can write, and run the same command again: what was graded is kept.",
        "full": f"the disk the course or its gradebook is on is full{said}. Nothing more was graded and nothing "
                "was left half-written. Free some space (autograded/ and feedback/ hold the largest files) and "
                "run the same command again: what was graded is kept, the rest is graded then.",
        "gone": f"the gradebook {where} is gone{said}: it was moved or deleted while the class was graded. "
                "Nothing more was graded. Put it back (or restore it from a backup) and run the same command "
                "again: every submission missing from it is graded again.",
    }[kind]


def problem(exc, course):
    """The message for a failure of where grades are written to, or None for any other failure."""
    if isinstance(exc, Stopped):
        return str(exc)
    gradebook = sqlite_file(course.db_url)
    if gradebook is not None and not gradebook.exists():   # whatever SQLite said of it then
        return message("gone", course)
    if isinstance(exc, OSError) and exc.errno in FULL:
        return message("full", course, exc.strerror)
    if isinstance(exc, OSError) and exc.errno in READ_ONLY:
        return message("read-only", course, f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror)
    words = str(exc).lower()
    for said, kind in SAID.items():
        if said in words:
            return message(kind, course, said)
    return None


def check_gone(course):
    """Raise Stopped if the course's SQLite gradebook file is no longer there."""
    path = sqlite_file(course.db_url)
    if path is not None and not path.exists():
        raise Stopped(message("gone", course))


def check_writable(course):
    """Raise Stopped unless the gradebook takes a write (one that changes nothing, rolled back)."""
    check_gone(course)
    from sqlalchemy import create_engine

    engine = create_engine(course.db_url)
    try:
        with engine.connect() as connection:
            transaction = connection.begin()
            try:
                connection.execute(text("UPDATE alembic_version SET version_num = version_num"))
            finally:
                transaction.rollback()
    except Exception as exc:
        found = problem(exc, course)
        raise Stopped(found or f"the gradebook {course.db_url} cannot be used: {exc}") from None
    finally:
        engine.dispose()
