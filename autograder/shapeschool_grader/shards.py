"""``--shard K/N``: this process's share of a class split between N grader processes.

Students are dealt to shards by a hash of their id, so every process, on any machine and
whatever order it lists submitted/ in, agrees on who grades whom without talking to the
others, and all of one student's submissions go to the same shard. ``--shard N`` (no K) takes K
from ``JOB_COMPLETION_INDEX``, which Kubernetes sets in each pod of an Indexed Job.
"""
import hashlib
import os
from dataclasses import dataclass

INDEX_VARIABLE = "JOB_COMPLETION_INDEX"


@dataclass(frozen=True)
class Shard:
    index: int = 0
    count: int = 1

    def owns(self, student):
        if self.count == 1:
            return True
        digest = hashlib.sha256(student.encode("utf-8", "surrogatepass")).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.index

    def __str__(self):
        return f"{self.index}/{self.count}"


def parse(text, environ=os.environ):
    """``"K/N"`` (K counted from 0) or ``"N"`` (K from JOB_COMPLETION_INDEX) -> Shard."""
    text = (text or "").strip()
    if not text:
        return Shard()
    k, slash, n = text.rpartition("/")
    if not slash:
        k = environ.get(INDEX_VARIABLE)
        if k is None:
            raise SystemExit(f"--shard {text} takes this process's index from {INDEX_VARIABLE}, which is not set "
                             f"(Kubernetes sets it in an Indexed Job): pass --shard K/{text}, K from 0 to {text}-1")
        where = f"{INDEX_VARIABLE}={k}"
    else:
        where = f"--shard {text}"
    try:
        index, count = int(k), int(n)
    except ValueError:
        raise SystemExit(f"{where}: a shard is K/N, two whole numbers, K from 0 to N-1 (say --shard 0/4)") from None
    if count < 1 or not 0 <= index < count:
        raise SystemExit(f"{where}: K must be from 0 to N-1 and N at least 1 (got K={index}, N={count})")
    return Shard(index, count)
