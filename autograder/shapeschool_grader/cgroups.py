"""Per-notebook limits from Linux control groups: memory (tmpfs, shared memory and memfd
included, since their pages are charged to the group that touched them), a process count, and
CPU: each notebook's group has the same weight as every other's and at most ``cpus`` cores, so
a notebook that starts a hundred busy threads slows itself, not the notebooks beside it (where
the cpu controller is missing, ``cpu_limited`` is False and ``why_not_cpu`` says why).

Both cgroup versions are used where they can be written: v2 (one tree, most current
distributions) and v1 (a tree per controller, these CI machines). Where neither can be, the
grader says so loudly and falls back to what it can do without them (``shapeschool_grader.kernels``).

    groups = cgroups.find()                    # None, with cgroups.why_not() saying why
    group = groups.create("run-7", memory=2 << 30, pids=256, cpus=1)
    group.join(pid)                            # before the process starts student code
    group.peak_memory(), group.oom_killed(), group.processes()
    group.remove()                             # kills what is left, then deletes the group
"""
import os
import signal
import time
from pathlib import Path

PROC = Path("/proc")
PERIOD = 100_000    # microseconds: the window a CPU quota is counted over
_why_not = []
_why_not_cpu = []


def why_not_cpu():
    """Why notebooks' CPU is not limited here, or ""."""
    return "; ".join(_why_not_cpu)


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

    def __init__(self, memory_folder, pids_folder, version, cpu_folder=None, accounting_folder=None):
        self.memory_folder, self.pids_folder, self.version = memory_folder, pids_folder, version
        self.cpu_folder, self.accounting_folder = cpu_folder, accounting_folder

    @property
    def folders(self):
        return list(dict.fromkeys([f for f in (self.memory_folder, self.pids_folder, self.cpu_folder,
                                               self.accounting_folder) if f]))

    def cpu_seconds(self):
        """CPU time the group's processes used, in seconds; None where it is not counted."""
        if self.version == 2 and self.cpu_folder is not None:
            for line in _read(self.cpu_folder / "cpu.stat").splitlines():
                key, _, value = line.partition(" ")
                if key == "usage_usec":
                    return int(value) / 1e6
        for folder in (self.accounting_folder, self.cpu_folder):   # cpuacct apart, or mounted with cpu
            used = _read(folder / "cpuacct.usage").strip() if folder is not None else ""
            if used:
                return int(used) / 1e9
        return None

    def throttled(self):
        """How many times the group's processes were held back at its CPU ceiling (0 without one)."""
        if self.cpu_folder is None:
            return 0
        for line in _read(self.cpu_folder / "cpu.stat").splitlines():
            key, _, value = line.partition(" ")
            if key == "nr_throttled":
                return int(value)
        return 0

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

    def __init__(self, memory_parent, pids_parent, cpu_parent=None, accounting_parent=None):
        self.memory_parent, self.pids_parent, self.cpu_parent = memory_parent, pids_parent, cpu_parent
        self.accounting_parent = accounting_parent   # cpuacct, where it is a hierarchy of its own

    @property
    def cpu_limited(self):
        return self.cpu_parent is not None

    def create(self, name, memory, pids, cpus=None):
        memory_folder, pids_folder = self.memory_parent / name, self.pids_parent / name
        cpu_folder = self.cpu_parent / name if self.cpu_parent is not None and cpus else None
        accounting = self.accounting_parent / name if self.accounting_parent is not None else None
        group = Group(memory_folder, pids_folder, 1, cpu_folder, accounting)
        try:
            for folder in group.folders:
                folder.mkdir()
            _write(memory_folder / "memory.limit_in_bytes", memory)
            if (memory_folder / "memory.memsw.limit_in_bytes").exists():   # no escape into swap
                _write(memory_folder / "memory.memsw.limit_in_bytes", memory)
            _write(pids_folder / "pids.max", pids)
            if cpu_folder is not None:   # the same share as every other notebook, and a ceiling
                _write(cpu_folder / "cpu.shares", 1024)
                _write(cpu_folder / "cpu.cfs_period_us", PERIOD)
                _write(cpu_folder / "cpu.cfs_quota_us", int(cpus * PERIOD))
        except OSError:
            group.remove()
            raise
        return group


class _V2:
    version = 2

    def __init__(self, parent, cpu=False):
        self.parent, self.cpu_limited = parent, cpu

    def create(self, name, memory, pids, cpus=None):
        folder = self.parent / name
        folder.mkdir()
        limit_cpu = self.cpu_limited and cpus
        group = Group(folder, folder, 2, folder if limit_cpu else None)
        try:
            _write(folder / "memory.max", memory)
            if (folder / "memory.swap.max").exists():
                _write(folder / "memory.swap.max", 0)
            _write(folder / "pids.max", pids)
            if limit_cpu:   # the same weight as every other notebook, and a ceiling
                _write(folder / "cpu.weight", 100)
                _write(folder / "cpu.max", f"{int(cpus * PERIOD)} {PERIOD}")
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
    cpu = "cpu" in set(_read(parent / "cgroup.subtree_control").split())
    if not cpu and "cpu" in set(_read(parent / "cgroup.controllers").split()):
        try:
            _write(parent / "cgroup.subtree_control", "+cpu")
            cpu = True
        except OSError as exc:
            _why_not_cpu.append(f"cgroup v2 at {parent} does not give its children the cpu controller ({exc.strerror})")
    elif not cpu:
        _why_not_cpu.append(f"cgroup v2 at {parent} offers no cpu controller")
    if not _usable(parent, ["memory.max", "pids.max"]):
        return None
    if cpu and not _usable(parent, ["cpu.max", "cpu.weight"]):
        _why_not_cpu.append(f"groups under {parent} have no cpu.max")
        cpu = False
    return _V2(parent, cpu)


def find(proc=PROC):
    """Where this process can make limited groups for its notebooks, or None (see ``why_not``)."""
    _why_not.clear()
    _why_not_cpu.clear()
    mounts = _mounts(proc)
    own = _own_groups(proc)
    v1 = {c: m for m, kind, options in mounts if kind == "cgroup" for c in ("memory", "pids", "cpu", "cpuacct")
          if c in options}
    if {"memory", "pids"} <= v1.keys():
        memory_parent = v1["memory"] / own.get("memory", "")
        pids_parent = v1["pids"] / own.get("pids", "")
        if _usable(memory_parent, ["memory.limit_in_bytes"]) and _usable(pids_parent, ["pids.max"]):
            cpu_parent = v1["cpu"] / own.get("cpu", "") if "cpu" in v1 else None
            if cpu_parent is None:
                _why_not_cpu.append("no cgroup v1 cpu controller is mounted")
            elif not _usable(cpu_parent, ["cpu.cfs_quota_us", "cpu.shares"]):
                _why_not_cpu.append(f"cannot limit CPU in {cpu_parent}")
                cpu_parent = None
            accounting = v1["cpuacct"] / own.get("cpuacct", "") if "cpuacct" in v1 else None
            if accounting is not None and (accounting == cpu_parent or not _usable(accounting, ["cpuacct.usage"])):
                accounting = None   # mounted with cpu (cpu,cpuacct): the cpu group counts already
            return _V1(memory_parent, pids_parent, cpu_parent, accounting)
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
