"""``shapeschool_grader.calls``: what crosses from a student's kernel to the check kernel, and how.

Both sides run here, the student's in a thread, joined by a socket pair as the grader joins
them; the wrong answers a check kernel must refuse are sent by hand."""
import io
import os
import pickle
import socket
import struct
import threading

import pytest
import torch
from torch import nn

from shapeschool_grader import calls
from shapeschool_grader.meeting import Meeting

STUDENT = '''
import torch
from torch import nn

def run_seq_first(lstm, x):
    lstm.batch_first = True            # a side effect the check must see
    return lstm(x)[0]

class Encoder(nn.Module):
    def __init__(self, vocab, dim):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
    def forward(self, ids):
        return self.embed(ids)

def make_padded(vocab, dim, pad):
    return nn.Embedding(vocab, dim, padding_idx=pad)

def hooked(vocab, dim):
    table = nn.Embedding(vocab, dim)
    table.register_forward_hook(lambda *args: None)
    return table

def lookup(vocab, word):
    return vocab[word]

class OwnError(Exception):
    pass

def own_error():
    raise OwnError("mine")

def add_word(vocab):
    vocab["new"] = len(vocab)

def transpose_in_place(x):
    x.transpose_(0, 1)

def grad_mode():
    return torch.is_grad_enabled()

data = torch.arange(6).view(2, 3)
'''


@pytest.fixture
def student(tmp_path, monkeypatch):
    """The student's namespace served in a thread, the check kernel's side here, introduced by
    the grader's own meeting, as in one cell of a grading run."""
    meeting = Meeting(tmp_path / "student.sock", tmp_path / "checks.sock")
    meeting.start()
    real_connect = calls._connect

    def connect(timeout=calls.CONNECT_TIMEOUT):   # each side dials its own folder's socket
        mine = "student.sock" if threading.current_thread() is server else "checks.sock"
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(str(tmp_path / mine))
        return sock

    monkeypatch.setattr(calls, "_connect", connect)
    namespace = {}
    exec(STUDENT, namespace)
    calls._LINK, calls._UNREACHABLE, calls._SERIAL, calls._SERVED = None, None, 0, None
    server = threading.Thread(target=calls.serve, args=(namespace,), daemon=True)
    server.start()
    names = {}
    calls.refresh(names, ["run_seq_first", "Encoder", "make_padded", "hooked", "lookup", "own_error",
                          "add_word", "transpose_in_place", "grad_mode", "data", "not_defined"])
    yield names
    calls.end()
    server.join(5)
    meeting.close()
    assert not server.is_alive(), "serve must return when the check kernel ends the cell"
    assert calls._LINK is None, "each cell's link is dropped at its end"
    calls._SERVED = None
    assert real_connect is not connect


def test_data_comes_by_value_and_code_stays_in_the_students_kernel(student):
    assert torch.equal(student["data"], torch.arange(6).view(2, 3))
    assert isinstance(student["run_seq_first"], calls.Remote)
    assert isinstance(student["Encoder"], calls.Remote)
    assert "not_defined" not in student, "a name the student did not define stays undefined"


def test_torch_nn_modules_come_by_value_so_the_check_runs_them_itself(student):
    table = student["make_padded"](5, 2, 3)
    assert type(table) is nn.Embedding and table.padding_idx == 3
    (table(torch.tensor([3, 1])) * torch.randn(2, 2)).sum().backward()
    assert table.weight.grad[3].abs().sum() == 0 and table.weight.grad[1].abs().sum() > 0


def test_a_students_own_class_or_a_hooked_module_is_a_remote(student):
    model = student["Encoder"](7, 3).to(torch.device("cpu"))
    assert isinstance(model, calls.Remote)
    assert model(torch.tensor([[1, 2]])).shape == (1, 2, 3)
    assert type(model.embed) is nn.Embedding and model.embed.weight.shape == (7, 3)
    assert isinstance(student["hooked"](4, 2), calls.Remote), "its hook cannot cross, so the module stays there"


def test_arguments_are_copied_back_after_the_call(student):
    lstm = nn.LSTM(3, 4)
    assert student["run_seq_first"](lstm, torch.randn(2, 5, 3)).shape == (2, 5, 4)
    assert lstm.batch_first is True
    vocab = {"a": 0}
    student["add_word"](vocab)
    assert vocab == {"a": 0, "new": 1}
    x = torch.arange(6.0).view(2, 3)
    student["transpose_in_place"](x)
    assert x.shape == (3, 2)


def test_grad_mode_travels_with_the_call(student):
    assert student["grad_mode"]() is True
    with torch.no_grad():
        assert student["grad_mode"]() is False


def test_the_students_exceptions_keep_their_type_and_only_the_students_frames(student):
    with pytest.raises(KeyError) as raised:
        student["lookup"]({"a": 1}, "b")
    notes = "\n".join(getattr(raised.value, "__notes__", []))
    assert "in lookup" in notes and "calls.py" not in notes
    with pytest.raises(calls.StudentCodeError, match="OwnError: mine"):
        student["own_error"]()


class _Run:
    def __reduce__(self):
        return (os.system, ("touch /tmp/shapeschool-calls-test-ran-this",))


@pytest.mark.parametrize("forged", [pickle.dumps(_Run()), b"not a pickle at all"])
def test_an_answer_that_is_not_plain_data_is_refused_and_runs_nothing(forged):
    with pytest.raises(calls.CallFailed, match="not plain data"):
        calls.load_answer(forged)
    assert not os.path.exists("/tmp/shapeschool-calls-test-ran-this")


def test_a_forged_student_kernel_cannot_run_code_in_the_check_kernel():
    mine, theirs = socket.socketpair()
    calls._LINK, calls._UNREACHABLE, calls._SERIAL = mine, None, 0

    def forge():
        size = struct.unpack("!Q", theirs.recv(8, socket.MSG_WAITALL))[0]
        theirs.recv(size, socket.MSG_WAITALL)
        reply = pickle.dumps((1, "ok", _Run(), None))
        theirs.sendall(struct.pack("!Q", len(reply)) + reply)

    threading.Thread(target=forge, daemon=True).start()
    try:
        with pytest.raises(calls.CallFailed):
            calls.Remote(0, "function")(1)
    finally:
        mine.close()
        theirs.close()
        calls._LINK = None
    assert not os.path.exists("/tmp/shapeschool-calls-test-ran-this")


def test_an_answer_to_an_earlier_request_is_passed_over():
    mine, theirs = socket.socketpair()
    calls._LINK, calls._UNREACHABLE, calls._SERIAL = mine, None, 0

    def answer_late():
        theirs.recv(8, socket.MSG_WAITALL)
        for serial, value in ((0, "stale"), (1, "fresh")):
            buffer = io.BytesIO()
            torch.save((serial, "ok", value, None), buffer)
            calls.send(theirs, buffer.getvalue())

    threading.Thread(target=answer_late, daemon=True).start()
    try:
        assert calls.Remote(0, "function")() == "fresh"
    finally:
        mine.close()
        theirs.close()
        calls._LINK = None


def test_an_oversized_answer_is_refused_before_it_is_read():
    mine, theirs = socket.socketpair()
    try:
        theirs.sendall(struct.pack("!Q", calls.REPLY_LIMIT + 1))
        with pytest.raises(calls.CallFailed, match="more than the limit"):
            calls.recv(mine, calls.REPLY_LIMIT)
    finally:
        mine.close()
        theirs.close()


def test_an_unreachable_student_kernel_fails_each_name_clearly_and_at_once(tmp_path, monkeypatch):
    monkeypatch.setattr(calls, "SOCKET", str(tmp_path / "no-socket-here"))
    calls._LINK, calls._UNREACHABLE = None, None
    names = {}
    calls.refresh(names, ["encode"])
    with pytest.raises(calls.CallFailed, match="could not be reached"):
        names["encode"]("a sentence")
    calls._UNREACHABLE = None
