"""The grader's two internal protocols, written once: what the grading process asks its kernel
server (``zygote.py``) and what the server answers; and how a notebook's two kernels meet.

**The kernel server.** One JSON object per line on the server's stdin, one JSON reply per line
on its stdout, one request at a time (``server.KernelServer.request``).

``{"op": "ready"}`` is answered once the server's imports are done:
``{"ready": true, "preloaded": [...], "skipped": {module: why}}``.

``{"op": "start", ...}`` forks one kernel; the fields are ``START_FIELDS`` below, and the reply
is ``{"pid": PID}`` (the kernel's pid as the grader sees it) or ``{"error": "why"}``.
``start_request`` is the only place a start request is made, and it refuses a field not
documented here; ``tests/shapeschool_grader/test_protocol.py`` checks that every field the
server reads is documented too.

**The meeting.** A notebook whose checks are decided outside the student's kernel runs in two
kernels (``meeting.Meeting``). Before either starts, the grader listens on a Unix socket named
``CALLS_SOCKET`` in each kernel's folder. For every cell the check kernel runs, each kernel
connects to the socket in its own folder (by its full path, which the server gave it); the grader passes the student's connection to the
check kernel as a file descriptor (``SCM_RIGHTS``, with the one byte ``HANDOVER``) and closes
its copies, so it is never in the path of their calls. What then crosses between the kernels is
``calls.py``'s: each message an 8-byte big-endian length, then the payload.

The call channel is ``calls.py``, which the server loads under the module name ``CALLS_MODULE``
before it forks, so every kernel has it; ``SERVE`` and ``install`` are the two lines the grader
runs in the kernels to use it.
"""

CALLS_MODULE = "shapeschool_calls"      # the name calls.py has inside every grading kernel
CALLS_SOCKET = ".shapeschool-calls"     # the meeting socket, in each kernel's folder
HANDOVER = b"s"                         # the byte sent with the student's connection

# Every field of a start request: what it is, and whether every request carries it.
START_FIELDS = {
    "op": ("always 'start'", True),
    "folder": ("the kernel's folder, as the kernel will see it: its working directory and home, where its "
               "connection file, its stderr log and the meeting socket live", True),
    "cwd": ("the folder the notebook runs in, where plain nbgrader would run it (the autograded "
            "submission's, its files beside it: ``sandbox.working_folder``), or ``folder``", True),
    "connection": ("the kernel's connection info (jupyter_client's, with ``key`` as text and ``ip`` the "
                   "IPC socket's path prefix as the kernel sees it)", True),
    "env": ("the kernel's whole environment; HOME is set to ``folder``", True),
    "calls_socket": ("the meeting socket's name in ``folder`` (``CALLS_SOCKET``); the kernel gets its full "
                     "path, so a notebook that changes its working folder still meets its checks", True),
    "groups": ("``cgroup.procs`` files the kernel joins before anything else, one per control group "
               "controller; empty where there are no usable control groups", True),
    "limits": ("rlimits: ``cpu`` seconds, ``fsize`` bytes, ``nofile`` descriptors", True),
    "sandbox": ("the host pid of a process in the notebook's bubblewrap sandbox, whose namespaces the "
                "kernel enters; absent when grading unsandboxed", False),
    "uid": ("the unprivileged user the kernel becomes in the sandbox (with ``sandbox``)", False),
    "gid": ("its group (with ``sandbox``)", False),
    "nested_users": ("whether the sandbox may make user namespaces of its own (true only when the grader "
                     "is not root, where bwrap itself forbids them)", False),
}
REQUIRED = frozenset(name for name, (_, required) in START_FIELDS.items() if required)

READY = {"op": "ready"}
SERVE = f"__import__({CALLS_MODULE!r}).serve(globals())"


def install(names):
    """The line the check kernel runs once: bind ``names`` from the student's kernel before each cell."""
    return f"__import__({CALLS_MODULE!r}).install(get_ipython(), {list(names)!r})"


class UndocumentedField(ValueError):
    """A request field ``START_FIELDS`` does not describe: document it there before sending it."""


def start_request(**fields):
    """A start request for the kernel server, checked against ``START_FIELDS``."""
    request = {"op": "start", **fields}
    unknown = sorted(set(request) - set(START_FIELDS))
    if unknown:
        raise UndocumentedField(f"start request fields {unknown} are not in protocol.START_FIELDS: describe "
                                "them there (and read them in zygote.py) before sending them")
    missing = sorted(REQUIRED - set(request))
    if missing:
        raise UndocumentedField(f"start request lacks {missing}, which every request carries")
    return request
