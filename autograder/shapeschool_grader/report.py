"""What the instructor reads: a line per submission as it is scored, a summary, a CSV."""
import csv
import io
import sys
import time
from dataclasses import dataclass, field

@dataclass
class Result:
    assignment: str
    student: str
    status: str = "graded"          # graded | rejected | error
    score: float = 0.0
    max_score: float = 0.0
    notes: list = field(default_factory=list)
    problem: str = ""               # why it was rejected, or what went wrong
    seconds: float = 0.0
    fingerprint: dict = field(default_factory=dict)
    unfinished: dict = field(default_factory=dict)   # {notebook: why it did not run to its end}
    costs: dict = field(default_factory=dict)        # {notebook: {"student": core-s, "checks": core-s, "setup": s}}


REASONS = {"new": "new", "error": "that failed last time", "submission": "changed by the student",
            "assignment": "whose assignment (tests or release) changed", "grading": "graded under other settings",
            "gradebook": "missing from the gradebook", "--regrade": "to grade again (--regrade)"}


def clock(seconds):
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


class Reporter:
    def __init__(self, out=None):
        self.out = out
        self.results = []
        self.total = self.done = self.failed = 0
        self.started = time.monotonic()

    def say(self, line):
        print(line, file=self.out or sys.stdout, flush=True)

    def plan(self, plan, shard):
        """What this run found: warnings, refusals, other shards' share, what is skipped and why the rest is graded."""
        for line in plan.warnings:
            self.say(line)
        for result in plan.refused:
            self.add(result, progress=False)
        if plan.other_shards:
            self.say(f"shard {shard}: {plan.other_shards} submissions belong to other shards")
        if plan.current:
            self.say(f"{plan.current} submissions already graded and unchanged: skipped (--regrade to grade them again)")
        reasons = {}
        for submission in plan.todo:
            for why in submission.why:
                reasons[why] = reasons.get(why, 0) + 1
        if reasons:
            self.say("to grade: " + ", ".join(f"{n} {REASONS.get(w, w)}" for w, n in sorted(reasons.items())))

    def start(self, total):
        self.total, self.started = total, time.monotonic()

    def add(self, result, progress=True):
        """Record ``result``; with ``progress``, it is one of this run's and gets its line."""
        self.results.append(result)
        if progress:
            self.done += 1
            self.failed += result.status != "graded"
            self._progress(result)

    def _progress(self, result):
        done, failed = self.done, self.failed
        elapsed = time.monotonic() - self.started
        left = elapsed / max(done, 1) * max(self.total - done, 0)
        what = {"graded": f"{result.score:g}/{result.max_score:g}",
                "rejected": "REJECTED", "error": "ERROR"}[result.status]
        extra = f"  ({len(result.notes)} notes)" if result.notes else ""
        width = len(str(self.total))
        self.say(f"[{done:>{width}}/{self.total}] {result.assignment} {result.student}: {what}{extra}"
                 f"   | {failed} not graded | {clock(elapsed)} elapsed, ~{clock(left)} left")

    def summary(self):
        by = {}
        for r in self.results:
            by.setdefault(r.status, []).append(r)
        self.say(f"\nDone in {clock(time.monotonic() - self.started)}: {len(by.get('graded', []))} graded, "
                 f"{len(by.get('rejected', []))} rejected, {len(by.get('error', []))} errors.")
        for r in self.results:
            if r.status != "graded" or r.notes:
                self.say(f"  {r.assignment} {r.student} [{r.status}]" + (f": {r.problem}" if r.problem else ""))
                for note in r.notes:
                    self.say(f"      - {note}")


def write_csv(course, journal, path, assignments, refused=()):
    """One row per submission in the gradebook: scores from it, status and notes from the
    journal; then one row per file refused for its name (never in the gradebook). The whole file
    is written at once: a full disk leaves the old file, never half of one."""
    from . import exports

    rows = [["assignment", "student", "score", "max_score", "status", "notes"]]
    rows += [[r.assignment, r.student, "0", "", "rejected", r.problem] for r in refused]
    with course.gradebook() as gb:
        for assignment in assignments:
            for submission in sorted(gb.assignment_submissions(assignment), key=lambda s: s.student.id):
                record = journal.read(assignment, submission.student.id) or {}
                notes = ([record["problem"]] if record.get("problem") else []) + record.get("notes", [])
                rows.append([assignment, submission.student.id, f"{submission.score:g}", f"{submission.max_score:g}",
                             record.get("status", "not graded here"), " | ".join(notes)])
    text = io.StringIO(newline="")
    csv.writer(text).writerows(rows)
    exports.write_text(path, text.getvalue())
