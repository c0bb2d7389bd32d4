"""The class's outputs beside the students' reports: summary, gradebook, class page, changes.

Everything here is built from the students' grade.json files, written by the grader, and
rendered from the records below. A re-run keeps the previous summary as
summary.previous.json and says in changes.json (and on the class page) which scores moved.
"""

import csv
import io
import json
import logging
import os
import platform
import re
import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment, PackageLoader, select_autoescape

from .canvas import Student
from .intake import file_hashes
from .options import Options
from .report import (CheckResult, GradeReport, gradescope_results, load_rubric,
                     render_html)

if TYPE_CHECKING:
    from .batch import BatchOptions, ClassRun

log = logging.getLogger("tapegrade")

GRADEBOOK_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
HISTOGRAM_BINS = 10
TOP_FAILURES = 15
MISCONCEPTION = re.compile(r"The difference is a factor [^:]+: (?P<text>.+?)\.?$")
NUMBER = re.compile(r"-?\d+(\.\d+)?(e-?\d+)?")


@dataclass
class StudentRow:
    """One student's line of the class summary."""

    key: str
    name: str
    user_id: str
    status: str
    """"graded" or "failed" (no honest grade: the report's notes say why)."""
    score: float
    max_score: float
    late: bool
    report: str
    """The student's report.html, relative to the class page."""
    checks: dict[str, float] = field(default_factory=dict)
    """Points of each rubric check, by check id."""
    failed_cases: list[dict] = field(default_factory=list)
    """Each failed case: check, case, message."""
    notes: list[str] = field(default_factory=list)
    files: list[dict] = field(default_factory=list)
    """Canvas downloads: which upload of each file was graded."""
    seconds: float = 0.0


@dataclass
class CheckStat:
    """How the class did on one rubric check."""

    id: str
    title: str
    max_points: float
    full_marks: int
    """Students with every point of this check."""
    pass_rate: float
    """full_marks over the students graded, 0 to 1."""
    mean_points: float


@dataclass
class FailureStat:
    """A failure several students share: a named misconception, or one check's message."""

    name: str
    """The misconception the comparison named (e.g. "λ/2 · ‖W‖² where the contract says
    λ · ‖W‖²"), or else the message with its numbers replaced by #."""
    misconception: bool
    """Whether ``name`` is a misconception named by the comparison."""
    example: str
    """One full message of this failure."""
    count: int
    """Students with this failure."""
    checks: list[str] = field(default_factory=list)
    """Titles of the checks where it failed."""
    cases: list[str] = field(default_factory=list)
    students: list[str] = field(default_factory=list)


@dataclass
class ClassSummary:
    """The whole class after one run; summary.json is this record."""

    assignment: str
    stage: str
    title: str
    source: str
    kind: str
    graded_at: str
    seconds: float
    max_score: float
    students: list[StudentRow]
    checks: list[CheckStat]
    failures: list[FailureStat]
    histogram: list[dict]
    """Score bins: low, high, count."""
    mean: float
    median: float
    notes: list[str] = field(default_factory=list)
    """What the batch skipped or refused in the input, one sentence each."""


def assignment_name(stage: str, given: str = "") -> str:
    return given or f"Gradient tape lab ({stage})"


# The students' reports


def failed_report(student: Student, stage: str, reason: str, seconds: float) -> GradeReport:
    """A report of 0 points that says why the submission could not be graded."""
    rubric = load_rubric(stage)
    checks = [CheckResult(c["id"], c["title"], 0.0, float(c["points"])) for c in rubric["check"]]
    files = file_hashes(student.path) if student.path.is_dir() else {}
    return GradeReport(submission=student.key, stage=stage, title=rubric["title"], score=0.0,
                       max_score=float(sum(c.max_points for c in checks)),
                       execution_time=seconds, checks=checks,
                       notes=[f"Not graded: {reason}."],
                       fingerprint={"python": platform.python_version(), "files": files,
                                    "fixtures": {}})


def write_reports(report: GradeReport, folder: Path) -> None:
    """(Re)write the records of ``report`` in ``folder``: results.json, grade.json, HTML."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "results.json").write_text(json.dumps(gradescope_results(report), indent=1),
                                         encoding="utf-8")
    (folder / "grade.json").write_text(json.dumps(asdict(report), indent=1), encoding="utf-8")
    (folder / "report.html").write_text(render_html(report), encoding="utf-8")


# The class


def student_row(student: Student, folder: Path, status: str, seconds: float) -> StudentRow:
    """A student's summary line, read from the grade.json in ``folder``."""
    record = json.loads((folder / "grade.json").read_text(encoding="utf-8"))
    failed = [{"check": check["id"], "case": case["case"], "message": case["message"]}
              for check in record["checks"] for case in check["cases"] if not case["passed"]]
    return StudentRow(
        key=student.key, name=student.name, user_id=student.user_id, status=status,
        score=record["score"], max_score=record["max_score"], late=student.late,
        report=f"students/{student.key}/report.html",
        checks={check["id"]: check["points"] for check in record["checks"]},
        failed_cases=failed, notes=record.get("notes", []), files=student.files,
        seconds=round(seconds, 2))


def summarize(rows: list[StudentRow], options: Options, assignment: str, source: str,
              kind: str, seconds: float, notes: list[str]) -> ClassSummary:
    """The class statistics of ``rows``."""
    rubric = load_rubric(options.stage)
    max_score = float(sum(c["points"] for c in rubric["check"]))
    graded = [r for r in rows if r.status == "graded"]
    checks = []
    for entry in rubric["check"]:
        points = [r.checks.get(entry["id"], 0.0) for r in graded]
        full = sum(p >= entry["points"] - 1e-9 for p in points)
        checks.append(CheckStat(entry["id"], entry["title"], float(entry["points"]), full,
                                full / len(graded) if graded else 0.0,
                                statistics.fmean(points) if points else 0.0))
    scores = [r.score for r in graded]
    return ClassSummary(
        assignment=assignment, stage=options.stage, title=rubric["title"], source=source,
        kind=kind, graded_at=time.strftime("%Y-%m-%d %H:%M:%S %z"), seconds=round(seconds, 1),
        max_score=max_score, students=rows, checks=checks,
        failures=frequent_failures(graded, {c["id"]: c["title"] for c in rubric["check"]}),
        histogram=histogram(scores, max_score),
        mean=round(statistics.fmean(scores), 3) if scores else 0.0,
        median=round(statistics.median(scores), 3) if scores else 0.0, notes=notes)


def histogram(scores: list[float], max_score: float, bins: int = HISTOGRAM_BINS) -> list[dict]:
    """Counts of ``scores`` in equal bins from 0 to ``max_score``; the last bin holds the top."""
    width = max_score / bins
    counts = [0] * bins
    for score in scores:
        counts[min(bins - 1, max(0, int(score / width + 1e-9)))] += 1
    return [{"low": round(i * width, 3), "high": round((i + 1) * width, 3), "count": count}
            for i, count in enumerate(counts)]


def failure_name(message: str) -> tuple[str, bool]:
    """What a failure is: the misconception its message names, or the message in general."""
    for part in message.split("; "):
        named = MISCONCEPTION.search(part)
        if named:
            return named["text"].strip(), True
    return NUMBER.sub("#", message)[:300], False


def frequent_failures(rows: list[StudentRow], titles: dict[str, str],
                      top: int = TOP_FAILURES) -> list[FailureStat]:
    """The failures shared by the most students, most frequent first."""
    groups: dict[tuple, FailureStat] = {}
    for row in rows:
        for failed in row.failed_cases:
            name, named = failure_name(failed["message"])
            # The same misconception with other sizes ("over the 3 features") is one failure.
            key = (NUMBER.sub("#", name),) if named else (failed["check"], name)
            stat = groups.setdefault(key, FailureStat(name, named, failed["message"], 0))
            title = titles.get(failed["check"], failed["check"])
            if title not in stat.checks:
                stat.checks.append(title)
            if failed["case"] not in stat.cases:
                stat.cases.append(failed["case"])
            if row.key not in stat.students:
                stat.students.append(row.key)
                stat.count += 1
    ordered = sorted(groups.values(), key=lambda s: (-s.count, not s.misconception,
                                                     -len(s.cases), s.name))
    return ordered[:top]


def changes(previous: dict, summary: ClassSummary) -> dict:
    """What moved since the previous summary: per student, the score and each check."""
    before = {s["key"]: s for s in previous.get("students", [])}
    moved = []
    for row in summary.students:
        old = before.get(row.key)
        if old is None:
            continue
        checks = [{"check": check, "before": _rounded(old.get("checks", {}).get(check)),
                   "after": _rounded(points)}
                  for check, points in row.checks.items()
                  if abs((old.get("checks", {}).get(check) or 0.0) - points) > 1e-6
                  or check not in old.get("checks", {})]
        if checks or abs(old["score"] - row.score) > 1e-6 or old["status"] != row.status:
            moved.append({"key": row.key, "name": row.name, "before": _rounded(old["score"]),
                          "after": _rounded(row.score), "status_before": old["status"],
                          "status_after": row.status, "checks": checks})
    current = {row.key for row in summary.students}
    return {
        "previous_graded_at": previous.get("graded_at"),
        "graded_at": summary.graded_at,
        "changed": moved,
        "added": sorted(current - set(before)),
        "removed": sorted(set(before) - current),
        "unchanged": sum(1 for key in current & set(before)) - len(moved),
    }


def _rounded(points: float | None) -> float | None:
    return None if points is None else round(points, 4)


def gradebook_csv(summary: ClassSummary) -> str:
    """The gradebook in the form Canvas imports: one row per student, points in one column.

    The second row gives the assignment's points, as in Canvas's own export. Canvas matches
    rows by ID (its user id) when present; columns the input does not give are left empty,
    and so is the score of a student who could not be graded (Canvas then keeps what it has).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*GRADEBOOK_COLUMNS, summary.assignment])
    writer.writerow(["    Points Possible", "", "", "", "", f"{summary.max_score:g}"])
    for row in summary.students:
        score = f"{round(row.score, 2):g}" if row.status == "graded" else ""
        writer.writerow([row.name, row.user_id, "", "", "", score])
    return buffer.getvalue()


def render_class_html(summary: ClassSummary, change: dict | None) -> str:
    environment = Environment(loader=PackageLoader("graders", "templates"),
                              autoescape=select_autoescape(["html", "j2"]),
                              trim_blocks=True, lstrip_blocks=True)
    template = environment.get_template("class.html.j2")
    return template.render(summary=summary, changes=change)


def _write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` in one rename, so a reader never sees half a file."""
    staged = path.with_name(f".{path.name}.new")
    staged.write_text(text, encoding="utf-8")
    os.replace(staged, path)


def write_class_outputs(run: "ClassRun", options: Options, batch: "BatchOptions") -> ClassSummary:
    """Write summary.json, gradebook.csv, class.html and changes.json into ``run.out``."""
    by_key = {o.key: o for o in run.outcomes}
    rows = [student_row(s, run.out / "students" / s.key, by_key[s.key].status,
                        by_key[s.key].seconds)
            for s in run.found.students if s.key in by_key]
    summary = summarize(rows, options, assignment_name(options.stage, batch.assignment),
                        str(run.found.source), run.found.kind, run.seconds, run.found.notes)

    run.out.mkdir(parents=True, exist_ok=True)
    previous_file = run.out / "summary.json"
    change = None
    if previous_file.exists():
        try:
            previous = json.loads(previous_file.read_text(encoding="utf-8"))
            _write(run.out / "summary.previous.json", json.dumps(previous, indent=1))
            if previous.get("stage") == summary.stage:
                change = changes(previous, summary)
                _write(run.out / "changes.json", json.dumps(change, indent=1))
            else:
                log.warning("The previous run in %s graded the %s stage, this one the %s "
                            "stage: no changes are shown", run.out, previous.get("stage"),
                            summary.stage)
        except (ValueError, KeyError, TypeError) as error:
            log.warning("%s could not be read (%s); no changes are shown", previous_file, error)
    _write(run.out / "summary.json", json.dumps(asdict(summary), indent=1))
    _write(run.out / "gradebook.csv", gradebook_csv(summary))
    _write(run.out / "class.html", render_class_html(summary, change))
    return summary
