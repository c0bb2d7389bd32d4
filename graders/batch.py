"""Grade a whole class: each student through the single-submission grader, several at a time.

Grading runs in a pool of grading processes. Each imports torch, pytest and the grader once
and then grades one student after another; every student still gets a worker (and sandbox) of
their own, started and ended by ``grade.grade`` as for a single submission. Whatever happens
while one student is graded (an exception, a grading process that dies, a grading that runs
past the batch's limit) becomes that student's report, and the batch goes on.
"""

import logging
import os
import shutil
import signal
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing import get_context
from multiprocessing.connection import wait
from pathlib import Path

from .canvas import ClassInput, Student, ZipLimits, describe, read_class
from .classreport import failed_report, write_class_outputs, write_reports
from .options import Options

log = logging.getLogger("tapegrade")

STOP_GRACE_S = 15.0
"""How long a grading process has to write its report after being told to stop."""
START_LIMIT_S = 300.0
"""How long a grading process may take to import torch, pytest and the grader."""
READY = "ready"
"""What a grading process sends once it has imported what it needs."""


def default_jobs() -> int:
    """One grading process per core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


@dataclass
class BatchOptions:
    """How to grade a class, beside the options of grading each submission."""

    jobs: int = field(default_factory=default_jobs)
    """Grading processes run at once."""
    assignment: str = ""
    """The gradebook's assignment column; empty: "Gradient tape lab (<stage>)"."""
    student_limit_s: float = 1800.0
    """Wall-clock seconds for grading one student, all checks together. The worker's limit
    per request catches code that hangs long before this; this one catches the grader."""
    zip_limits: ZipLimits = field(default_factory=ZipLimits)


@dataclass
class Outcome:
    """How grading one student went; the report itself is in the student's folder."""

    key: str
    status: str
    """"graded", or "failed" when no honest grade could be given (the notes say why)."""
    seconds: float
    error: str = ""


class BatchError(Exception):
    """The class could not be graded at all; the message says why."""


# Grading one student (in a grading process)


def grade_student(student: Student, options: Options, out: Path, config: Path | None = None,
                  limit_s: float | None = None) -> Outcome:
    """Grade ``student`` into ``out`` (published at once); any failure becomes the report."""
    from .grade import grade, publish

    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="tapegrade-student-"))
    folder = work / student.key
    reason = ""
    _STOP.clear()
    try:
        report = grade(student.path, options, folder, config)
    except GradingStopped:
        pass
    except Exception as failure:  # any fault of the grader: the batch goes on
        reason = (f"the grader failed on this submission ({type(failure).__name__}: "
                  f"{failure}); this is a fault of the grader, not a grade: grade it again "
                  f"or by hand")
        log.exception("grading %s failed", student.key)
    if _STOP.is_set():
        # pytest ends its session on the interrupt and returns: what it scored is partial.
        reason = f"grading did not finish within the batch's limit of {limit_s:g} s"
    if reason:
        report = failed_report(student, options.stage, reason, time.monotonic() - started)
    if student.notes or reason:
        report.notes[:0] = student.notes
        write_reports(report, folder)
    publish(folder, out)
    _remove(work)
    return Outcome(student.key, "failed" if reason else "graded", time.monotonic() - started,
                   reason)


class GradingStopped(KeyboardInterrupt):
    """The batch told this grading process to stop: the student's time was up.

    A KeyboardInterrupt, so that pytest ends its session instead of scoring it as a failure.
    """


_STOP = threading.Event()


def _stop(signum, frame):
    _STOP.set()
    raise GradingStopped()


def _serve(connection, options: Options, config: Path | None, limit_s: float) -> None:
    """A grading process: import the heavy modules once, then grade the students it is sent."""
    import gc

    import torch  # noqa: F401  (once per grading process, not once per student)

    from . import grade, session  # noqa: F401

    logging.getLogger("tapegrade").setLevel(logging.WARNING)
    signal.signal(signal.SIGTERM, _stop)
    # What was imported is never garbage: later collections (pytest runs several for each
    # student) then skip it, which saves about a second per student.
    gc.collect()
    gc.freeze()
    connection.send(READY)
    while True:
        try:
            task = connection.recv()
            if task is None:
                return
            student, out = task
            connection.send(grade_student(student, options, out, config, limit_s))
        except (EOFError, OSError, GradingStopped):
            return


def _remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


# The pool


class _Slot:
    """One grading process and the student it is grading."""

    def __init__(self, context, options: Options, config: Path | None, limit_s: float):
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, options, config, limit_s),
                                       daemon=True)
        self.process.start()
        child.close()
        self.student: Student | None = None
        self.out: Path | None = None
        self.started = 0.0
        self.stopping = 0.0
        self.ready = False

    def give(self, student: Student, out: Path) -> bool:
        """Send ``student`` to the process; False when it is gone."""
        try:
            self.connection.send((student, out))
        except (OSError, ValueError):
            return False
        self.student, self.out, self.started, self.stopping = student, out, time.monotonic(), 0
        return True

    def collect(self, ready: list) -> Outcome | str | None:
        """The finished student's Outcome, a sentence when the process is gone, else None."""
        if self.connection in ready:
            try:
                message = self.connection.recv()
                if message == READY:
                    # The student's time starts once the process has imported torch.
                    self.ready, self.started = True, time.monotonic()
                    return None
                self.student = None
                return message
            except (EOFError, OSError):
                pass
        elif self.process.sentinel not in ready and self.process.is_alive():
            return None
        self.process.join(timeout=5)
        return f"the grading process ended unexpectedly (exit code {self.process.exitcode})"

    def close(self) -> None:
        try:
            self.connection.send(None)
        except (OSError, ValueError):
            pass
        self.process.join(timeout=5)
        self.kill()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=10)
        self.connection.close()


def grade_students(students: list[Student], options: Options, out: Path, batch: BatchOptions,
                   config: Path | None = None,
                   on_done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Grade each student into ``out/<key>``, ``batch.jobs`` at a time; one Outcome each."""
    context = get_context("spawn")
    jobs = max(1, min(batch.jobs, len(students)))
    pending = deque(students)
    outcomes: dict[str, Outcome] = {}
    slots: list[_Slot] = []
    lost_at_start = 0

    def finish(outcome: Outcome) -> None:
        outcomes[outcome.key] = outcome
        if on_done is not None:
            on_done(outcome)

    def retire(slot: _Slot, reason: str | None = None) -> None:
        nonlocal lost_at_start
        if reason and slot.student is not None:
            finish(_lost(slot, options, reason))
            lost_at_start += not any(o.status == "graded" for o in outcomes.values())
        slots.remove(slot)
        slot.kill()

    try:
        while pending or any(s.student for s in slots):
            if lost_at_start >= 3:
                raise BatchError(f"the grading processes ended {lost_at_start} times before "
                                 f"grading anyone; run `nox -s grade -- one_submission/` to "
                                 f"see why the grader cannot run here")
            while len(slots) < jobs and pending:
                slots.append(_Slot(context, options, config, batch.student_limit_s))
            for slot in [s for s in slots if s.student is None and pending]:
                student = pending.popleft()
                if not slot.give(student, out / student.key):
                    pending.appendleft(student)
                    retire(slot)
            busy = [s for s in slots if s.student is not None]
            ready = wait([s.connection for s in busy] + [s.process.sentinel for s in busy],
                         timeout=1.0)
            for slot in busy:
                result = slot.collect(ready)
                if isinstance(result, Outcome):
                    finish(result)
                    if slot.stopping:
                        retire(slot)  # it was told to stop: start afresh
                elif isinstance(result, str):
                    retire(slot, result)
                else:
                    _enforce_limit(slot, batch, retire)
    finally:
        for slot in slots:
            slot.close()
    return [outcomes[s.key] for s in students if s.key in outcomes]


def _enforce_limit(slot: _Slot, batch: BatchOptions, retire: Callable) -> None:
    """Ask a grading process past the student's limit to stop; kill it if it does not."""
    now = time.monotonic()
    if not slot.ready:
        if now - slot.started > START_LIMIT_S:
            retire(slot, f"the grading process did not start within {START_LIMIT_S:g} s")
        return
    if not slot.stopping and now - slot.started > batch.student_limit_s:
        slot.stopping = now
        os.kill(slot.process.pid, signal.SIGTERM)
    elif slot.stopping and now - slot.stopping > STOP_GRACE_S:
        retire(slot, f"grading did not finish within the batch's limit of "
                     f"{batch.student_limit_s:g} s")


def _lost(slot: _Slot, options: Options, reason: str) -> Outcome:
    """The outcome, and the report, of a student whose grading process is gone."""
    from .grade import publish

    student = slot.student
    seconds = time.monotonic() - slot.started
    report = failed_report(student, options.stage, reason, seconds)
    report.notes[:0] = student.notes
    work = Path(tempfile.mkdtemp(prefix="tapegrade-student-"))
    write_reports(report, work / student.key)
    publish(work / student.key, slot.out)
    _remove(work)
    slot.student = None
    return Outcome(student.key, "failed", seconds, reason)


# A whole class


@dataclass
class ClassRun:
    """A graded class: what was read, how each student's grading went, where it went."""

    found: ClassInput
    outcomes: list[Outcome]
    out: Path
    seconds: float


def grade_class(path: Path, options: Options, out: Path, batch: BatchOptions | None = None,
                config: Path | None = None,
                on_start: Callable[[ClassInput], None] | None = None,
                on_done: Callable[[Outcome], None] | None = None) -> ClassRun:
    """Grade every student of the class at ``path``; write the class outputs into ``out``.

    ``on_start`` is called with what was found before grading starts, ``on_done`` after each
    student. Raises ClassInputError when ``path`` cannot be read as a class.
    """
    batch = batch or BatchOptions()
    started = time.monotonic()
    staging = Path(tempfile.mkdtemp(prefix="tapegrade-class-"))
    try:
        found = read_class(path, staging, batch.zip_limits)
        log.info("%s", describe(found))
        if on_start is not None:
            on_start(found)
        students_out = Path(out) / "students"
        outcomes = grade_students(found.students, options, students_out, batch, config,
                                  on_done)
        run = ClassRun(found, outcomes, Path(out), time.monotonic() - started)
        write_class_outputs(run, options, batch)
    finally:
        _remove(staging)
    return run


# The command line's side


def run_command(path: Path, options: Options, out: Path | None, batch: BatchOptions,
                config: Path | None = None) -> int:
    """Grade the class at ``path`` with a progress bar on stderr; the exit code of the CLI."""
    from rich.console import Console
    from rich.logging import RichHandler
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)

    from .canvas import ClassInputError

    path = Path(path)
    out = out or Path("grading-reports") / (path.stem if path.is_file() else path.resolve().name)
    console = Console(stderr=True)
    progress = Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(),
                        console=console, transient=True)
    task = progress.add_task("grading", total=None)
    handler = RichHandler(console=console, show_time=False, show_path=False)
    log.addHandler(handler)
    log.propagate = False

    def started(found: ClassInput) -> None:
        progress.update(task, total=len(found.students))
        progress.start()

    def done(outcome: Outcome) -> None:
        progress.advance(task)
        if outcome.status != "graded":
            log.warning("%s: not graded: %s", outcome.key, outcome.error)

    try:
        run = grade_class(path, options, out, batch, config, started, done)
    except (ClassInputError, BatchError) as error:
        log.error("Cannot grade the class: %s", error)
        return 2
    finally:
        progress.stop()
        log.removeHandler(handler)
        log.propagate = True
    failed = sum(o.status != "graded" for o in run.outcomes)
    log.info("%d students graded in %.0f s%s -> %s", len(run.outcomes) - failed, run.seconds,
             f", {failed} could not be graded" if failed else "", out / "class.html")
    return 0
