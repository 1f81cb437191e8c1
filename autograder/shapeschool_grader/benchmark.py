"""Grade one synthetic class twice, with plain sequential ``nbgrader autograde`` and with
``shapeschool-grade``, check that every graded cell got the same score, and print both times.

    python -m shapeschool_grader.benchmark --students 40             # every chapter: the benchmark in docs/instructors.md
    python -m shapeschool_grader.benchmark --students 2 --chapters ch01_embeddings_to_lstm

The class is made from the course itself: student i hands in, by i mod 3, the answer key, the
untouched student version, or a half-done version (the first half of the fix-me cells fixed).
Each is the released notebook with answer cells filled in, as a student would save it.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from shapeschool_nbgrader import build, markers, nbgrader_cli

KINDS = ("answer-key", "untouched", "half-done")


def answered(release, answers):
    """A copy of the ``release`` notebook with the answer cells named in ``answers``
    ({grade_id: source}) filled in, as a student would save it."""
    nb = nbformat.from_dict(json.loads(json.dumps(release)))
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return nb


def _answered(release, source, how_many):
    """``release`` with its first ``how_many`` answer cells holding the answer from ``source``."""
    answers = [(c.metadata["nbgrader"]["grade_id"], markers.answer_source(c.source))
               for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")]
    return answered(release, dict(answers[:how_many]))


def submissions(release_path, source_path):
    """The three kinds of submission for one chapter, as notebooks."""
    release = nbformat.read(release_path, as_version=4)
    source = nbformat.read(source_path, as_version=4)
    total = sum(1 for c in release.cells if c.metadata.get("nbgrader", {}).get("solution"))
    return {"answer-key": _answered(release, source, total), "untouched": _answered(release, source, 0),
            "half-done": _answered(release, source, total // 2)}


def make_course(root, chapters, db_url=None):
    """An nbgrader course with ``chapters`` released; returns {assignment: release path}."""
    course = nbgrader_cli.make_course(root, db_url)
    releases = {}
    for path in chapters:
        name = nbgrader_cli.add_source(course, path)
        releases[name] = nbgrader_cli.generate_assignment(course, name)
    return course, releases


def make_class(course, releases, students):
    """Fill submitted/ with ``students`` students for every released assignment; return who got what."""
    roster = {}
    for name, release in releases.items():
        kinds = submissions(release, course / "source" / name / f"{name}.ipynb")
        for i in range(students):
            student = f"student{i:03d}"
            kind = KINDS[i % len(KINDS)]
            folder = course / "submitted" / student / name
            folder.mkdir(parents=True, exist_ok=True)
            nbformat.write(kinds[kind], folder / f"{name}.ipynb")
            (folder / "timestamp.txt").write_text("2026-11-01 12:00:00.000000 UTC\n")
            roster[(student, name)] = kind
    return roster


def cell_scores(course):
    """{(assignment, student, grade cell): score} for every grade in the gradebook."""
    scores = {}
    with Gradebook(f"sqlite:///{Path(course) / 'gradebook.db'}") as gb:
        for assignment in gb.assignments:
            for submission in gb.assignment_submissions(assignment.name):
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        scores[(assignment.name, submission.student.id, notebook.name, grade.name)] = grade.score
    return scores


def command():
    """The installed ``shapeschool-grade``, beside this interpreter."""
    path = Path(sys.executable).parent / "shapeschool-grade"
    if not path.exists():
        raise SystemExit(f"{path} is missing: install the grader (pip install -e \".[grader]\", or make setup)")
    return str(path)


def grade(course, *args, timeout=3600, cwd=None):
    """Run ``shapeschool-grade --course-dir COURSE ARGS`` (in ``cwd``, default the course) and
    return the finished process."""
    return subprocess.run([command(), "--course-dir", str(course), *args], cwd=cwd or course,
                          capture_output=True, text=True, timeout=timeout)


class Timer:
    """Wall time, and the machine's CPU time as /proc/stat counts it, over a ``with`` block.

    ``stolen`` is time the hypervisor gave this virtual machine's CPUs to others: where it is
    large, a wall-clock ratio says as much about the host's other guests as about the graders."""

    def __enter__(self):
        self._wall, self._cpu = time.monotonic(), _cpu_times()
        return self

    def __exit__(self, *exc):
        self.wall = time.monotonic() - self._wall
        after = _cpu_times()
        self.busy, self.stolen = (None if after[k] is None or self._cpu[k] is None else after[k] - self._cpu[k]
                                  for k in ("busy", "stolen"))

    def __str__(self):
        if self.busy is None:
            return f"{self.wall:.1f} s"
        return f"{self.wall:.1f} s (CPU {self.busy:.0f} core-s, stolen by the host {self.stolen:.0f} core-s)"


def _cpu_times():
    """{"busy", "stolen"}: seconds of all CPUs since boot (None where /proc/stat is not there)."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
    except OSError:
        return {"busy": None, "stolen": None}
    tick = os.sysconf("SC_CLK_TCK")
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return {"busy": (user + nice + system + irq + softirq) / tick, "stolen": steal / tick}


def breakdown(course):
    """Where a graded notebook's time went, on average, from the journal of ``course``:
    {"notebooks": n, "student": core-s, "checks": core-s, "setup": s}, the kernels' CPU as their
    control groups counted it (None where the machine does not count it)."""
    costs = []
    for entry in sorted((Path(course) / ".shapeschool" / "graded").glob("*/*.json")):
        costs += json.loads(entry.read_text()).get("costs", {}).values()
    if not costs:
        return {"notebooks": 0}
    found = {"notebooks": len(costs)}
    for key in ("student", "checks", "setup"):
        values = [c[key] for c in costs if c.get(key) is not None]
        found[key] = sum(values) / len(costs) if values else None
    return found


def describe(parts, busy_per_notebook):
    """The breakdown in words: the kernels' CPU, set-up, and the rest of the machine's CPU."""
    if not parts.get("notebooks") or parts.get("student") is None:
        return "per notebook: the kernels' CPU is not counted on this machine (no cpu accounting groups)"
    kernels = parts["student"] + (parts.get("checks") or 0)
    line = (f"per notebook ({parts['notebooks']}): the student's kernel {parts['student']:.2f} core-s (start-up, the "
            f"student's and lesson cells), the check kernel {parts.get('checks') or 0:.2f} core-s (start-up, the "
            f"checks and the lessons they need, the calls to the student's kernel); set-up {parts['setup']:.3f} s "
            "(sandboxes, control groups, forks)")
    if busy_per_notebook is not None:
        line += (f"; everything else {max(0.0, busy_per_notebook - kernels):.2f} core-s (the grading process: "
                 "nbgrader's sanitizing and scoring, driving the kernels; the kernel server; bubblewrap)")
    return line


def differences(a, b):
    keys = sorted(set(a) | set(b))
    return [(k, a.get(k), b.get(k)) for k in keys if a.get(k) != b.get(k)]


def run(students, chapters, jobs, workdir, out=sys.stdout):
    def say(line):
        print(line, file=out, flush=True)

    paths = build.chapters(build.repository(), chapters)
    say(f"building a class of {students} students x {len(paths)} chapters = {students * len(paths)} notebooks")
    course, releases = make_course(Path(workdir) / "sequential", paths)
    roster = make_class(course, releases, students)
    parallel = Path(workdir) / "parallel"
    shutil.copytree(course, parallel)
    (parallel / "nbgrader_config.py").write_text(
        (course / "nbgrader_config.py").read_text().replace(str(course), str(parallel)))

    with Timer() as plain:
        for name in releases:
            nbgrader_cli.run(course, "autograde", name, "--create")
    sequential = plain.wall
    say(f"plain nbgrader autograde, one notebook at a time: {plain}")

    with Timer() as timed:
        done = grade(parallel, "--jobs", str(jobs))
    ours = timed.wall
    say(f"shapeschool-grade --jobs {jobs}:                           {timed}")
    if done.returncode != 0:
        say(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit("shapeschool-grade failed")

    a, b = cell_scores(course), cell_scores(parallel)
    diff = differences(a, b)
    for key, x, y in diff[:20]:
        say(f"  DIFFERENT {key}: nbgrader {x}, shapeschool-grade {y}")
    kinds = {k: sum(1 for v in roster.values() if v == k) for k in KINDS}
    say(f"graded cells compared: {len(a)} ({', '.join(f'{n} {k}' for k, n in kinds.items())} submissions); "
        f"{'all the same' if not diff else f'{len(diff)} DIFFERENT'}")
    say(f"speed-up: {sequential / ours:.1f}x")
    if plain.busy is not None:
        n = len(roster)
        say(f"CPU per notebook: nbgrader {plain.busy / n:.2f} core-s, shapeschool-grade {timed.busy / n:.2f} core-s; "
            f"wall per notebook: {plain.wall / n:.2f} s and {timed.wall / n:.2f} s")
    say(describe(breakdown(parallel), timed.busy / len(roster) if timed.busy is not None else None))
    return sequential, ours, diff


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m shapeschool_grader.benchmark", description=__doc__.split("\n\n")[0])
    p.add_argument("--students", type=int, default=40)
    p.add_argument("--chapters", nargs="*", help="chapter names (default: all)")
    p.add_argument("--jobs", type=int, default=None, help="kernels at once for shapeschool-grade (default: cores + 1)")
    p.add_argument("--min-ratio", type=float, default=0, help="exit 1 if the speed-up is below this")
    p.add_argument("--keep", help="build the class in this folder and keep it (default: a temporary one)")
    args = p.parse_args(argv)
    jobs = args.jobs or (os.cpu_count() or 1) + 1
    if args.keep:
        Path(args.keep).mkdir(parents=True, exist_ok=True)
        sequential, ours, diff = run(args.students, args.chapters, jobs, args.keep)
    else:
        with tempfile.TemporaryDirectory(prefix="shapeschool-benchmark-") as workdir:
            sequential, ours, diff = run(args.students, args.chapters, jobs, workdir)
    return 1 if diff or sequential / ours < args.min_ratio else 0


if __name__ == "__main__":
    sys.exit(main())
