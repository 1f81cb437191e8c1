"""Calls from trusted checks into a student's kernel: values cross, decisions stay on this side.

Under the class grader a notebook runs in two kernels, each in a sandbox of its own. The
student's kernel runs the student's cells and the lesson cells they build on. A trusted *check
kernel* runs the lesson cells again and the test cells, and there every name a fix-me cell
defines (``encode``, ``TokenEncoder``) is bound, before each cell, to what the student's kernel
holds under that name:

- **plain data comes over by value**: tensors (detached), numbers, strings, ``None``, torch
  sizes, dtypes and devices, and lists, tuples and dicts of them; and modules built only from
  ``torch.nn``'s own classes (an ``nn.Embedding`` with its ``padding_idx`` and weights). It is
  read with ``torch.load(weights_only=True)``, ``torch.nn``'s classes allowed and nothing else,
  so nothing a student sends can run code in the check kernel;
- **anything else stays in the student's kernel** (their functions and classes, a model of their
  own class) and is reached through a ``Remote``: calling it, reading an attribute or an item
  runs there, on arguments chosen here, and the answer comes back the same way.

Arguments are passed by copy-restore: after a call, what the student's code did to a tensor,
module, list or dict it was given is copied back into the caller's object, so a check still
sees ``run_seq_first`` switch the caller's LSTM to ``batch_first``. Grad mode travels with the
call; the student's random state is put back after each served cell.

So the student's kernel sees argument values only, never a check's code (hidden tests stay
private), and nothing it patches, traces or hooks decides whether a check passed: the test
cell runs in the check kernel, against references computed there.

The two kernels meet through the grader, once per cell, as ``protocol.py`` describes: each
connects to ``SOCKET``, a listening socket the grader made in its folder before it started,
and the grader hands the check kernel the student's end (``meeting.Meeting``). Each message is
an 8-byte length, then the payload: requests are pickles made by the check kernel, replies are
``torch.save`` files.

The kernel server (``zygote.py``) loads this module before it forks, under the name
``protocol.CALLS_MODULE``, so it imports nothing of the course's or the grader's; it sets
``SOCKET`` to the socket's full path in each kernel it starts.
"""
import builtins
import io
import pickle
import random
import socket
import struct
import traceback
import warnings

SOCKET = None                     # the meeting socket's full path, set in each kernel by the kernel server
REPLY_LIMIT = 64 << 20            # bytes: the largest answer the check kernel will read
CONNECT_TIMEOUT = 20.0            # seconds to meet the other kernel
CALL_TIMEOUT = 600.0              # seconds one call may take (the notebook's wall limit stops it sooner)
_HEADER = struct.Struct("!Q")
_REMOTE = "__shapeschool_remote__"
_MESSAGE_LIMIT = 4000             # characters of a student's error message or traceback kept


class StudentCodeError(Exception):
    """An exception of a kind the check kernel does not know, raised by the student's code."""


class CallFailed(RuntimeError):
    """The student's kernel did not answer: it stopped, hung, or sent something unreadable."""


# -- the wire ------------------------------------------------------------------------------
def send(sock, payload):
    sock.sendall(_HEADER.pack(len(payload)) + payload)


def _recv_exactly(sock, n):
    chunks, left = [], n
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            raise EOFError("the other kernel closed the connection")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def recv(sock, limit=None):
    (size,) = _HEADER.unpack(_recv_exactly(sock, _HEADER.size))
    if limit is not None and size > limit:
        raise CallFailed(f"the student's kernel sent {size} bytes, more than the limit of {limit}")
    return _recv_exactly(sock, size)


def _connect(timeout=CONNECT_TIMEOUT):
    if SOCKET is None:
        raise FileNotFoundError("no meeting socket: this kernel was not started by the grader's kernel server")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    sock.connect(SOCKET)
    return sock


# -- the student's side ----------------------------------------------------------------------
def _plain_data(value):
    import torch

    return value is None or type(value) in (bool, int, float, str, torch.Size, torch.dtype, torch.device)


def _plain_module(module):
    """A module made only of torch.nn's own classes, with no hooks and no lazy weights."""
    import torch

    for sub in module.modules():
        if not type(sub).__module__.startswith("torch.nn.modules."):
            return False
        if any(getattr(sub, hooks, None) for hooks in ("_forward_hooks", "_forward_pre_hooks",
                                                       "_backward_hooks", "_backward_pre_hooks")):
            return False
    return not any(torch.nn.parameter.is_lazy(p) or getattr(p, "_backward_hooks", None)
                   for p in module.parameters())


class _Served:
    """The student's objects the check kernel holds a Remote to, by number."""

    def __init__(self):
        self.objects, self.numbers = [], {}

    def number(self, value):
        key = id(value)
        if key not in self.numbers:
            self.numbers[key] = len(self.objects)
            self.objects.append(value)
        return self.numbers[key]

    def outgoing(self, value, depth=0, modules=True):
        """``value`` with everything that cannot cross by value replaced by a remote marker."""
        import torch

        if _plain_data(value):
            return value
        if isinstance(value, torch.Tensor):
            return torch.Tensor(value.detach()) if type(value) is not torch.Tensor else value.detach()
        if modules and isinstance(value, torch.nn.Module) and _plain_module(value):
            return value
        if depth < 32 and type(value) in (list, tuple):
            return type(value)(self.outgoing(v, depth + 1, modules) for v in value)
        if depth < 32 and type(value) is dict and all(type(k) in (str, int) for k in value):
            return {k: self.outgoing(v, depth + 1, modules) for k, v in value.items()}
        return {_REMOTE: self.number(value), "type": type(value).__name__}

    def answer(self, value):
        """A torch.save file of ``value``; modules that will not save cross as remotes instead."""
        import torch

        for modules in (True, False):
            buffer = io.BytesIO()
            try:
                torch.save(self.outgoing(value, modules=modules), buffer)
                return buffer.getvalue()
            except Exception:
                if not modules:
                    raise
        raise AssertionError("unreachable")


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, served):
        super().__init__(file)
        self.served = served

    def persistent_load(self, number):
        return self.served.objects[number]


def _restorable(value):
    import torch

    return isinstance(value, (torch.Tensor, torch.nn.Module)) or type(value) in (list, dict)


def _handle(request, served, namespace):
    import torch

    op, target, payload = request
    if op == "names":
        missing = object()
        found = {name: namespace.get(name, missing) for name in payload}
        return {name: served.outgoing(v) for name, v in found.items() if v is not missing}, None
    obj = served.objects[target]
    if op == "getattr":
        return served.outgoing(getattr(obj, payload)), None
    if op == "getitem":
        return served.outgoing(obj[payload]), None
    if op == "call":
        args, kwargs, grad = payload
        with torch.set_grad_enabled(grad):
            value = obj(*args, **kwargs)
        given = [served.outgoing(a) if _restorable(a) else None for a in args]
        given_kw = {k: served.outgoing(v) for k, v in kwargs.items() if _restorable(v)}
        return served.outgoing(value), (given, given_kw)
    raise ValueError(f"unknown request {op!r}")


def _described(exc):
    """(type name, message, traceback) of a student's exception, as plain, bounded strings."""
    try:
        message = str(exc)
        frames = traceback.extract_tb(exc.__traceback__)
        frames = [f for f in frames if f.filename != __file__]   # the student's frames only
        where = "".join(traceback.format_list(frames))
    except Exception:   # an exception whose own str() fails
        message, where = "(its message could not be read)", ""
    return type(exc).__name__[:100], message[:_MESSAGE_LIMIT], where[-_MESSAGE_LIMIT:]


def _random_state():
    import numpy
    import torch

    return random.getstate(), numpy.random.get_state(), torch.get_rng_state()


def _set_random_state(state):
    import numpy
    import torch

    random.setstate(state[0])
    numpy.random.set_state(state[1])
    torch.set_rng_state(state[2])


_SERVED = None   # the student's side: one set of remotes for the kernel's life
_LINK = None     # the check kernel's side: its connection to the student's kernel
_UNREACHABLE = None   # the check kernel's side: why the student's kernel could not be met
_SERIAL = 0      # the check kernel's side: the number of the last request


def serve(namespace):
    """Answer the check kernel's requests until it says the cell is done. Run by the grader in
    the student's kernel while the check kernel runs one cell; each served cell has a link of its
    own, so nothing left over from an interrupted cell reaches the next."""
    global _SERVED
    if _SERVED is None:
        _SERVED = _Served()
    state = _random_state()
    link = _connect()
    link.settimeout(None)
    try:
        while True:
            try:
                serial, request = _Unpickler(io.BytesIO(recv(link)), _SERVED).load()
            except EOFError:
                return
            if request[0] == "end":
                return
            try:
                value, given = _handle(request, _SERVED, namespace)
                reply = _SERVED.answer((serial, "ok", value, given))
            except Exception as exc:   # the student's code raised: the check kernel decides what it means
                reply = _SERVED.answer((serial, "error", *_described(exc)))
            send(link, reply)
    finally:
        link.close()
        _set_random_state(state)


# -- the check kernel's side -------------------------------------------------------------------
class Remote:
    """An object that lives in the student's kernel. Calls, attributes and items run there."""

    __slots__ = ("_number", "_type")

    def __init__(self, number, type_name):
        object.__setattr__(self, "_number", number)
        object.__setattr__(self, "_type", str(type_name)[:100])

    def __call__(self, *args, **kwargs):
        return _request("call", self._number, (args, kwargs), restore=(args, kwargs))

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return _request("getattr", self._number, name)

    def __getitem__(self, key):
        return _request("getitem", self._number, key)

    def __len__(self):
        return _request("getattr", self._number, "__len__")()

    def __iter__(self):
        return iter([self[i] for i in range(len(self))])

    def __repr__(self):
        return f"<{self._type} object in the student's kernel>"


class _Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        return obj._number if isinstance(obj, Remote) else None


def _nn_classes():
    import inspect

    import torch

    return [c for c in vars(torch.nn).values() if inspect.isclass(c) and issubclass(c, torch.nn.Module)]


def _incoming(value, depth=0):
    if type(value) is dict and set(value) == {_REMOTE, "type"} and type(value[_REMOTE]) is int:
        return Remote(value[_REMOTE], value["type"])
    if depth < 32 and type(value) in (list, tuple):
        return type(value)(_incoming(v, depth + 1) for v in value)
    if depth < 32 and type(value) is dict:
        return {k: _incoming(v, depth + 1) for k, v in value.items()}
    return value


def load_answer(data):
    """Read a reply with torch.load(weights_only=True): data and torch.nn modules only."""
    import torch

    try:
        with torch.serialization.safe_globals(_nn_classes()), warnings.catch_warnings():
            warnings.simplefilter("ignore")   # a test cell's stderr would cost it its point
            return _incoming(torch.load(io.BytesIO(data), weights_only=True))
    except Exception as exc:
        raise CallFailed(f"the student's kernel sent an answer that is not plain data "
                         f"({type(exc).__name__}: {str(exc)[:300]})") from None


def _exception(type_name, message, where):
    kind = getattr(builtins, str(type_name), None)
    if not (isinstance(kind, type) and issubclass(kind, Exception)):
        kind, message = StudentCodeError, f"{type_name}: {message}"
    error = kind(message)
    if where and hasattr(error, "add_note"):
        error.add_note(f"Raised in the student's code:\n{where.rstrip()}")
    return error


def _restore(mine, theirs):
    """Copy what the student's code did to an argument back into the caller's object."""
    import torch

    if theirs is None or isinstance(theirs, Remote):
        return
    try:
        if isinstance(mine, torch.Tensor) and isinstance(theirs, torch.Tensor):
            theirs = theirs.to(mine.device)
            with torch.no_grad():
                if mine.shape == theirs.shape and mine.dtype == theirs.dtype:
                    if not torch.equal(mine, theirs):
                        mine.copy_(theirs)
                else:
                    mine.data = theirs
        elif isinstance(mine, torch.nn.Module) and type(theirs) is type(mine):
            device = next(iter(mine.parameters()), torch.empty(0)).device
            mine.__dict__.update(theirs.to(device).__dict__)
        elif type(mine) is list and type(theirs) is list:
            mine[:] = theirs
        elif type(mine) is dict and type(theirs) is dict:
            mine.clear()
            mine.update(theirs)
    except Exception:   # an argument the student's code changed beyond recognition: keep ours
        pass


def _request(op, target, payload, restore=None):
    """Send one request; return the answer to it (an answer to an earlier one is passed over)."""
    global _SERIAL
    import torch

    link = connect()
    if op == "call":
        payload = (*payload, torch.is_grad_enabled())
    _SERIAL += 1
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump((_SERIAL, (op, target, payload)))
    try:
        send(link, buffer.getvalue())
        while True:
            answer = load_answer(recv(link, REPLY_LIMIT))
            if not (type(answer) is tuple and len(answer) >= 3 and answer[1] in ("ok", "error")):
                raise CallFailed("the student's kernel sent an answer of the wrong form")
            if answer[0] == _SERIAL:
                break
    except (OSError, EOFError) as exc:
        raise CallFailed(f"the student's kernel stopped answering ({type(exc).__name__}: {exc})") from None
    if answer[1] == "error":
        raise _exception(*answer[2:5])
    _, _, value, given = answer
    if restore is not None and type(given) is tuple and len(given) == 2:
        args, kwargs = restore
        for mine, theirs in zip(args, given[0] or ()):
            _restore(mine, theirs)
        for key, theirs in (given[1] or {}).items():
            if key in kwargs:
                _restore(kwargs[key], theirs)
    return value


def connect():
    """The check kernel's side: the link to the student's kernel for this cell, met through the
    grader. A failure to meet is remembered, so later cells fail at once instead of waiting."""
    global _LINK, _UNREACHABLE
    if _UNREACHABLE:
        raise CallFailed(_UNREACHABLE)
    if _LINK is None:
        try:
            meeting = _connect()
            try:
                _, fds, _, _ = socket.recv_fds(meeting, 1, 1)
            finally:
                meeting.close()
            if not fds:
                raise EOFError("the grader passed no connection")
        except (OSError, EOFError) as exc:
            _UNREACHABLE = f"the student's kernel could not be reached ({type(exc).__name__}: {exc})"
            raise CallFailed(_UNREACHABLE) from None
        _LINK = socket.socket(fileno=fds[0])
        _LINK.settimeout(CALL_TIMEOUT)
    return _LINK


def refresh(namespace, names):
    """Bind each of ``names`` in ``namespace`` to the student's kernel's value for it (or unbind it)."""
    try:
        found = _request("names", None, list(names))
    except CallFailed as exc:
        found, why = {}, str(exc)
        for name in names:
            namespace[name] = _Unreachable(name, why)
        return
    for name in names:
        if name in found:
            namespace[name] = found[name]
        else:
            namespace.pop(name, None)


def end():
    """Tell the student's kernel that this cell is done, so its ``serve`` returns, and drop the link."""
    global _LINK
    if _LINK is not None:
        try:
            send(_LINK, pickle.dumps((0, ("end", None, None))))
        except OSError:
            pass
        _LINK.close()
        _LINK = None


class _Unreachable:
    """Stands for a student's name when the student's kernel cannot be reached."""

    def __init__(self, name, why):
        self._name, self._why = name, why

    def _fail(self, *args, **kwargs):
        raise CallFailed(f"{self._name}: {self._why}")

    __call__ = _fail

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        self._fail()


def install(shell, names):
    """In the check kernel: before every cell, bind the student's names; after it, release the
    student's kernel."""
    names = list(names)
    shell.events.register("pre_run_cell", lambda *_: refresh(shell.user_ns, names))
    shell.events.register("post_run_cell", lambda *_: end())
