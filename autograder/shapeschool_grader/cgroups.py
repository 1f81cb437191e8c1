"""Per-notebook limits from Linux control groups: memory (tmpfs, shared memory and memfd
included, since their pages are charged to the group that touched them) and a process count.

Both cgroup versions are used where they can be written: v2 (one tree, most current
distributions) and v1 (a tree per controller, these CI machines). Where neither can be, the
grader says so loudly and falls back to what it can do without them (``shapeschool_grader.kernels``).

    groups = cgroups.find()                    # None, with cgroups.why_not() saying why
    group = groups.create("run-7", memory=2 << 30, pids=256)
    group.join(pid)                            # before the process starts student code
    group.peak_memory(), group.oom_killed(), group.processes()
    group.remove()                             # kills what is left, then deletes the group
"""
import os
import signal
import time
from pathlib import Path

PROC = Path("/proc")
_why_not = []


def why_not():
    """Why ``find`` found nothing usable, in words for the instructor."""
    return "; ".join(_why_not) or "not looked for yet"


def _mounts(proc=PROC):
    """(mount point, filesystem type, options) for every cgroup file system mounted here."""
    found = []
    for line in (proc / "self" / "mounts").read_text().splitlines():
        parts = line.split()
        if len(parts) > 3 and parts[2] in ("cgroup", "cgroup2"):
            found.append((Path(parts[1]), parts[2], set(parts[3].split(","))))
    return found


def _own_groups(proc=PROC):
    """{controller or "": path of this process's group}, from /proc/self/cgroup."""
    own = {}
    for line in (proc / "self" / "cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in (controllers.split(",") if controllers else [""]):
            own[controller] = path.lstrip("/")
    return own


def _write(path, value):
    with open(path, "w") as f:
        f.write(str(value))


def _read(path, default=""):
    try:
        return Path(path).read_text()
    except OSError:
        return default


def _remove(folders, timeout=10.0):
    """Kill every process in the groups, wait for them to go, and delete the folders."""
    deadline = time.monotonic() + timeout
    for folder in folders:
        while folder.exists():
            pids = [int(p) for p in _read(folder / "cgroup.procs").split()]
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            try:
                folder.rmdir()
            except OSError:   # busy until the killed processes are gone
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.01)


class Group:
    """One notebook's groups: a folder in each hierarchy that holds its limits."""

    def __init__(self, memory_folder, pids_folder, version):
        self.memory_folder, self.pids_folder, self.version = memory_folder, pids_folder, version

    @property
    def folders(self):
        return list(dict.fromkeys([self.memory_folder, self.pids_folder]))

    def procs_files(self):
        """The files a process writes its own pid to, to join every group."""
        return [str(folder / "cgroup.procs") for folder in self.folders]

    def join(self, pid):
        for path in self.procs_files():
            _write(path, pid)

    def processes(self):
        return sorted({int(p) for folder in self.folders for p in _read(folder / "cgroup.procs").split()})

    def memory(self):
        name = "memory.current" if self.version == 2 else "memory.usage_in_bytes"
        return int(_read(self.memory_folder / name, "0") or 0)

    def peak_memory(self):
        name = "memory.peak" if self.version == 2 else "memory.max_usage_in_bytes"
        return int(_read(self.memory_folder / name, "0") or 0) or self.memory()

    def oom_killed(self):
        """How many processes the kernel killed for passing the memory limit."""
        text = _read(self.memory_folder / ("memory.events" if self.version == 2 else "memory.oom_control"))
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
        if self.version == 1:   # kernels before 4.13 do not count kills: any failed charge will do
            return int(_read(self.memory_folder / "memory.failcnt", "0") or 0)
        return 0

    def remove(self):
        _remove(self.folders)


class _V1:
    version = 1

    def __init__(self, memory_parent, pids_parent):
        self.memory_parent, self.pids_parent = memory_parent, pids_parent

    def create(self, name, memory, pids):
        memory_folder, pids_folder = self.memory_parent / name, self.pids_parent / name
        memory_folder.mkdir()
        pids_folder.mkdir()
        group = Group(memory_folder, pids_folder, 1)
        try:
            _write(memory_folder / "memory.limit_in_bytes", memory)
            if (memory_folder / "memory.memsw.limit_in_bytes").exists():   # no escape into swap
                _write(memory_folder / "memory.memsw.limit_in_bytes", memory)
            _write(pids_folder / "pids.max", pids)
        except OSError:
            group.remove()
            raise
        return group


class _V2:
    version = 2

    def __init__(self, parent):
        self.parent = parent

    def create(self, name, memory, pids):
        folder = self.parent / name
        folder.mkdir()
        group = Group(folder, folder, 2)
        try:
            _write(folder / "memory.max", memory)
            if (folder / "memory.swap.max").exists():
                _write(folder / "memory.swap.max", 0)
            _write(folder / "pids.max", pids)
        except OSError:
            group.remove()
            raise
        return group


def _usable(parent, needs):
    """True when a group can be made under ``parent`` and has the files ``needs`` names."""
    probe = parent / f"shapeschool-probe-{os.getpid()}"
    try:
        probe.mkdir()
    except OSError as exc:
        _why_not.append(f"cannot create a group in {parent}: {exc.strerror}")
        return False
    try:
        missing = [name for name in needs if not (probe / name).exists()]
        if missing:
            _why_not.append(f"{parent} has no {', '.join(missing)}")
        return not missing
    finally:
        probe.rmdir()


def _find_v2(mount, own):
    parent = mount / own.get("", "")
    controllers = set(_read(parent / "cgroup.subtree_control").split())
    if not {"memory", "pids"} <= controllers:
        try:   # allowed when this group holds no processes of its own (a delegated subtree)
            _write(parent / "cgroup.subtree_control", "+memory +pids")
        except OSError as exc:
            _why_not.append(f"cgroup v2 at {parent} does not give its children the memory and pids "
                            f"controllers ({exc.strerror}); run the grader in a delegated group, for "
                            "example with systemd-run --user --scope -p Delegate=yes")
            return None
    return _V2(parent) if _usable(parent, ["memory.max", "pids.max"]) else None


def find(proc=PROC):
    """Where this process can make limited groups for its notebooks, or None (see ``why_not``)."""
    _why_not.clear()
    mounts = _mounts(proc)
    own = _own_groups(proc)
    v1 = {c: m for m, kind, options in mounts if kind == "cgroup" for c in ("memory", "pids") if c in options}
    if {"memory", "pids"} <= v1.keys():
        memory_parent = v1["memory"] / own.get("memory", "")
        pids_parent = v1["pids"] / own.get("pids", "")
        if _usable(memory_parent, ["memory.limit_in_bytes"]) and _usable(pids_parent, ["pids.max"]):
            return _V1(memory_parent, pids_parent)
    for mount, kind, _ in mounts:
        if kind != "cgroup2":
            continue
        if {"memory", "pids"} <= set(_read(mount / "cgroup.controllers").split()):
            found = _find_v2(mount, own)
            if found:
                return found
        else:
            _why_not.append(f"the cgroup v2 tree at {mount} offers no memory and pids controllers "
                            "(they are bound to cgroup v1, or disabled)")
    if not mounts:
        _why_not.append("no cgroup file system is mounted")
    elif not v1 and not any(kind == "cgroup2" for _, kind, _ in mounts):
        _why_not.append("neither cgroup v1 memory and pids nor cgroup v2 is mounted")
    return None
