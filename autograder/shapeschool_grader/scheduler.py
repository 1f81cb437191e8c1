"""One grading run: submissions in, scores in the gradebook and the journal out.

Everything nbgrader does (sanitizing, scoring, the gradebook) happens on the calling thread;
only ``execute`` (a sanitized notebook in, the executed notebook out) runs on worker threads,
one per kernel slot. The loop keeps every slot busy by sanitizing just ahead of the runs, and
scores each submission as soon as its notebooks have run, in whatever order they finish, so a
slow notebook holds back nothing but itself.

A submission is journalled only after its scores are committed, and its student is claimed
(``claims``) while it is graded, so several grader processes can share a course, and a run
killed at any point is finished by running it again.
"""
import os
import queue
import shutil
import socket
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict

import nbformat

from . import intake, nbgrader_steps, storage
from .course import STAGED
from .report import Result


class _Pending:
    """A sanitized submission whose notebooks are running."""

    def __init__(self, submission, result, started):
        self.submission, self.result, self.started = submission, result, started
        self.waiting = set(submission.notebooks)
        self.inputs = {}     # notebook name -> (sanitized notebook, its release, the folder it runs in, its source)
        self.executed = {}
        self.failure = None


class Run:
    def __init__(self, course, book, execute, reporter, claims, size):
        self.course, self.book, self.execute = course, book, execute
        self.reporter, self.claims, self.size = reporter, claims, size
        self.me = f"{socket.gethostname()}:{os.getpid()}"
        self.stopped = None   # why the run stopped early (``storage``): the gradebook or the disk failed
        self.run = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())   # which run journalled an entry

    # -- the loop ----------------------------------------------------------------------------
    def grade(self, todo):
        self.reporter.start(len(todo))
        self._waiting, self._running = waiting, running = deque(todo), {}
        finished = queue.Queue()
        with ThreadPoolExecutor(self.size, thread_name_prefix="notebook") as threads:
            while (waiting and not self.stopped) or running:
                while waiting and not self.stopped and sum(len(p.waiting) for p in running.values()) <= self.size:
                    pending = self._begin(waiting.popleft())
                    if pending is None:
                        continue
                    if not pending.waiting:   # an assignment without notebooks: nothing to run
                        self._score(pending)
                        self._done(pending)
                        continue
                    key = (pending.submission.assignment, pending.submission.student)
                    running[key] = pending
                    for notebook, (nb, release, folder, source) in pending.inputs.items():
                        future = threads.submit(self.execute, nb, release, folder, source)
                        future.add_done_callback(lambda f, key=key, name=notebook: finished.put((key, name, f)))
                if not running:
                    continue
                key, notebook, future = finished.get()
                pending = running[key]
                pending.waiting.discard(notebook)
                try:
                    outcome = future.result()
                    if outcome.problem:
                        pending.result.notes.append(f"{notebook}: {outcome.problem}")
                        pending.result.unfinished[notebook] = outcome.problem
                    pending.result.notes += [f"{notebook}: {note}" for note in outcome.notes]
                    if outcome.costs:
                        pending.result.costs[notebook] = outcome.costs
                    pending.executed[notebook] = outcome.notebook
                except Exception as exc:
                    pending.failure = pending.failure or f"{type(exc).__name__}: {exc}"
                if not pending.waiting:
                    del running[key]
                    self._score(pending)
                    self._done(pending)
        if self.stopped:   # the claims are let go by the caller, as after any run
            raise storage.Stopped(self.stopped)
        return self.reporter.results

    def _stop_if_storage(self, exc):
        """Stop the run when ``exc`` is the gradebook's or the disk's failure; True if it was."""
        found = storage.problem(exc, self.course)
        if found and not self.stopped:
            self.stopped = found
        return bool(found)

    # -- one submission ---------------------------------------------------------------------
    def _begin(self, submission):
        """Claim, stage and sanitize ``submission``; None if it needs no running (another process
        has it, or it was rejected or failed, which is then recorded)."""
        if not self.claims.claim(submission.student):
            self.reporter.total -= 1
            self.reporter.say(f"{submission.assignment} {submission.student}: another grader process has this "
                              "student; left to it")
            return None
        by = self._graded_meanwhile(submission)
        if by:
            self.reporter.total -= 1
            self.reporter.say(f"{submission.assignment} {submission.student}: graded meanwhile by {by}; skipped")
            self._release_if_done(submission.student)
            return None
        started = time.monotonic()
        result = Result(submission.assignment, submission.student, fingerprint=submission.fingerprint)
        pending = _Pending(submission, result, started)
        try:
            storage.check_gone(self.course)   # before nbgrader opens it, which would make a new, empty one
            releases = {n: self.course.releases[f"{submission.assignment}/{n}"] for n in submission.notebooks}
            result.notes += intake.stage(
                self.course.submitted_folder(submission.assignment, submission.student),
                self._staged(submission), submission.notebooks, releases, self.course.releases)
            nbgrader_steps.sanitize(self.course, submission.assignment, submission.student)
            pending.inputs = {n: self._sanitized(submission, n) for n in submission.notebooks}
            return pending
        except intake.Rejected as exc:
            result.status, result.problem = "rejected", str(exc)
            try:
                nbgrader_steps.zero(self.course, submission.assignment, submission.student)
            except Exception as zero_failed:
                result.status, result.problem = "error", f"{type(zero_failed).__name__}: {zero_failed}"
        except Exception as exc:
            result.status, result.problem = "error", f"{type(exc).__name__}: {exc}"
            if self._stop_if_storage(exc):
                self._release_if_done(submission.student)
                return None   # not journalled: the next run grades it
        self._done(pending)
        return None

    def _graded_meanwhile(self, submission):
        """Which other process journalled this very submission since it was selected, if one did."""
        entry = self.book.read(submission.assignment, submission.student)
        if (entry is not None and entry.get("by") != self.me and entry != submission.seen
                and entry.get("fingerprint") == submission.fingerprint and entry.get("status") in ("graded", "rejected")):
            return entry.get("by") or "another process"
        return None

    def _staged(self, submission):
        return self.course.root / STAGED / submission.student / submission.assignment

    def _sanitized(self, submission, notebook):
        folder = self.course.autograded_folder(submission.assignment, submission.student)
        return (nbformat.read(folder / f"{notebook}.ipynb", as_version=4),
                self.course.releases[f"{submission.assignment}/{notebook}"], folder,
                self.course.sources[f"{submission.assignment}/{notebook}"])

    def _score(self, pending):
        result = pending.result
        if pending.failure:
            result.status, result.problem = "error", pending.failure
            return
        try:
            storage.check_gone(self.course)
            nbgrader_steps.score(self.course, result.assignment, result.student, pending.executed)
        except Exception as exc:
            result.status, result.problem = "error", f"{type(exc).__name__}: {exc}"
            self._stop_if_storage(exc)

    def _done(self, pending):
        """Read the committed score, journal the submission, tidy up, report."""
        result = pending.result
        result.seconds = time.monotonic() - pending.started
        if self.stopped and result.status == "error":   # not journalled: the next run grades it
            self._tidy(pending)
            return
        try:
            self._journal(result)
        except Exception as exc:
            if not self._stop_if_storage(exc):
                raise
        self.reporter.add(result)
        self._tidy(pending)

    def _journal(self, result):
        if result.status in ("graded", "rejected"):
            with self.course.gradebook() as gb:
                try:
                    submission = gb.find_submission(result.assignment, result.student)
                    result.score, result.max_score = submission.score, submission.max_score
                except Exception:   # MissingEntry: nothing was recorded for it
                    pass
            before = self.book.read(result.assignment, result.student) or {}
            previous = {k: before[k] for k in ("score", "max_score", "status", "run") if k in before}
            self.book.write({**asdict(result), "by": self.me, "run": self.run, "previous": previous or None,
                             "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})

    def _tidy(self, pending):
        staged = self._staged(pending.submission)
        shutil.rmtree(staged, ignore_errors=True)
        try:
            staged.parent.rmdir()   # the student's folder, once none of their submissions is staged
        except OSError:
            pass
        self._release_if_done(pending.result.student)

    def _release_if_done(self, student):
        """Let go of ``student`` once none of their submissions is waiting or running here."""
        if not any(s.student == student for s in self._waiting) and not any(k[1] == student for k in self._running):
            self.claims.release(student)
