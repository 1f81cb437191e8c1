"""Everything one notebook's kernel owns, made before it starts and gone when it ends: a
bubblewrap sandbox, control groups with the notebook's limits, a folder, and the kernel the
server forks into them (``NotebookBox``)."""
import os
import shutil
from pathlib import Path

from . import proc, protocol, sandbox
from .server import KernelFailed


class NotebookBox:
    """Everything one notebook owns: its sandbox, its control groups, its kernel; gone on exit."""

    def __init__(self, slot, serial, wall_limit, memory_limit, workdir=None):
        self.slot, self.serial, self.workdir = slot, serial, workdir
        self.wall_limit, self.memory_limit = wall_limit, memory_limit
        self.holder = self.group = None
        self.kernel = None
        self.start_log = ""

    def __enter__(self):
        slot = self.slot
        try:
            if slot.groups is not None:
                name = f"shapeschool-{os.getpid()}-{id(slot):x}-{self.serial}"
                self.group = slot.groups.create(name, memory=self.memory_limit, pids=slot.pids_limit,
                                                cpus=max(1, slot.threads))
            if slot.sandboxed:
                self.holder = sandbox.Holder(tmp_size=self.memory_limit, workdir=self.workdir, gpu=slot.server.gpu)
                self.folder, self.seen_from_here = "/tmp", Path(self.holder.root()) / "tmp"
            else:
                self.folder = self.seen_from_here = slot.scratch / f"run{self.serial}"
                self.folder.mkdir()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def start_kernel(self):
        from jupyter_client.connect import write_connection_file

        slot = self.slot
        here, info = write_connection_file(str(slot.scratch / f"kernel-{self.serial}.json"), transport="ipc",
                                           ip=str(self.seen_from_here / "k"))
        self.connection_file = here
        info = dict(info, ip=str(Path(self.folder) / "k"))
        info["key"] = info["key"].decode() if isinstance(info["key"], bytes) else info["key"]
        env = dict(slot.server.kernel_env, NBGRADER_EXECUTION=os.environ.get("NBGRADER_EXECUTION", "autograde"))
        confined = dict(sandbox=self.holder.pid, uid=self.holder.uid, gid=self.holder.gid,
                        nested_users=os.geteuid() != 0) if self.holder else {}
        request = protocol.start_request(
            folder=str(self.folder), cwd=str(self.workdir or self.folder), connection=info, env=env,
            calls_socket=protocol.CALLS_SOCKET,
            groups=self.group.procs_files() if self.group else [],
            limits={"cpu": int(self.wall_limit * slot.threads) + 10, "fsize": self.memory_limit, "nofile": 1024},
            **confined)
        reply = slot.server.request(request)
        if "pid" not in reply:
            raise KernelFailed(f"the kernel did not start: {reply.get('error')}")
        self.kernel = reply["pid"]
        return self.kernel

    # -- what the notebook owns ---------------------------------------------------------
    def members(self):
        """Every process the notebook's code may have started, the kernel included."""
        if self.group is not None:
            return self.group.processes()
        if self.holder is not None:
            namespace = proc.pid_namespace(self.holder.pid)
            return [p for p in proc.pids() if proc.pid_namespace(p) == namespace and p != self.holder.pid]
        return [p for p in proc.pids() if proc.session(p) == self.kernel]

    def memory(self):
        if self.group is not None:
            return self.group.memory()
        return sum(proc.rss(p) for p in self.members())

    def peak_memory(self, sampled):
        return max(sampled, self.group.peak_memory()) if self.group is not None else sampled

    def out_of_memory(self):
        return self.group is not None and self.group.oom_killed() > 0

    def kernel_alive(self, kernel):
        return proc.state(kernel) not in ("", "Z", "X")

    def kill(self):
        """Kill everything the notebook started: the sandbox whole, or the kernel's session."""
        if self.holder is not None:
            self.holder.kill()
        proc.kill(self.members() + ([self.kernel] if self.kernel else []))

    def __exit__(self, *exc):
        self.kill()
        if self.group is not None:
            self.group.remove()
        if not self.slot.sandboxed:
            shutil.rmtree(self.folder, ignore_errors=True)
        if getattr(self, "connection_file", None):
            Path(self.connection_file).unlink(missing_ok=True)
