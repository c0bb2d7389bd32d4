"""A graded submission as typed records, built from pytest-json-report's report.json.

results.json (Gradescope's format) and report.html are both rendered from these records.
"""

import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

RUBRICS = Path(__file__).resolve().parent / "rubrics"


@dataclass
class CaseResult:
    """One case of a check: one pytest test of the checks."""

    case: str
    """What was tried, e.g. a fixture case's name."""
    passed: bool
    points: float
    """Points earned: the case's share of its check, or 0."""
    max_points: float
    message: str = ""
    """Why it failed, in one or two sentences; empty when it passed."""
    derivation: str = ""
    """How the expected values follow (fixture cases), shown next to the numbers."""
    comparisons: list[dict] = field(default_factory=list)
    """Each value compared: label, expected, got, max_abs_diff, where, rtol, atol, message."""
    hidden: bool = False
    """A hidden case: its values are not shown to the student."""


@dataclass
class CheckResult:
    """One entry of the rubric and the cases it was scored on."""

    id: str
    title: str
    points: float
    max_points: float
    cases: list[CaseResult] = field(default_factory=list)


@dataclass
class GradeReport:
    """Everything known about one graded submission."""

    submission: str
    stage: str
    title: str
    score: float
    max_score: float
    execution_time: float
    checks: list[CheckResult]
    notes: list[str] = field(default_factory=list)
    """What intake and the worker noticed, one plain sentence each."""
    mapping: dict = field(default_factory=dict)
    """How the lab's API was mapped onto the student's classes."""
    printed: str = ""
    """The end of what the student's code printed."""
    own_tests: dict = field(default_factory=dict)
    """The student's own tests run on their own code: tests and output."""
    test_grading: dict = field(default_factory=dict)
    """The student's tests on the wheat, the chaffs and mutants (testjudge.TestGrading)."""
    fingerprint: dict = field(default_factory=dict)
    """Submission file hashes, grader commit, fixture hashes, versions, device, isolation."""


def load_rubric(stage: str) -> dict:
    return tomllib.loads((RUBRICS / f"{stage}.toml").read_text(encoding="utf-8"))


def _message(test: dict, metadata: dict) -> str:
    if metadata.get("error"):
        return metadata["error"]
    failed = [f"{c['label']}: {c['message']}" for c in metadata.get("comparisons", [])
              if not c["passed"]]
    if failed:
        return "; ".join(failed)
    # A check that stopped before recording its verdict: keep the last line of pytest's text.
    crash = (test.get("call") or test.get("setup") or {}).get("crash") or {}
    return crash.get("message", "the check could not run").splitlines()[-1][:500]


def build_checks(tests: list[dict], rubric: dict) -> list[CheckResult]:
    """Score pytest-json-report's tests against the rubric; each case shares its check's points."""
    by_check: dict[str, list[dict]] = {}
    for test in tests:
        check = test.get("metadata", {}).get("check")
        by_check.setdefault(check, []).append(test)
    checks = []
    for entry in rubric["check"]:
        cases = by_check.get(entry["id"], [])
        share = entry["points"] / len(cases) if cases else 0.0
        result = CheckResult(entry["id"], entry["title"], 0.0, float(entry["points"]))
        for test in cases:
            metadata = test.get("metadata", {})
            passed = test["outcome"] == "passed"
            name = metadata.get("case") or test["nodeid"].split("[", 1)[-1].rstrip("]")
            result.cases.append(CaseResult(
                case=name, passed=passed, points=share if passed else 0.0, max_points=share,
                message="" if passed else _message(test, metadata),
                derivation=metadata.get("derivation", ""),
                comparisons=metadata.get("comparisons", []),
                hidden=name.startswith("hidden/")))
        result.points = sum(c.points for c in result.cases)
        checks.append(result)
    return checks


def gradescope_results(report: GradeReport) -> dict:
    """Gradescope's results.json: one test per rubric check, failures explained in its output."""
    tests = []
    for check in report.checks:
        lines = []
        for case in check.cases:
            mark = "passed" if case.passed else "FAILED"
            lines.append(f"{mark}  {case.case}" + (f": {case.message}" if case.message else ""))
        tests.append({
            "name": check.title,
            "score": round(check.points, 4),
            "max_score": check.max_points,
            "status": "passed" if check.points >= check.max_points else "failed",
            "output": "\n".join(lines) or "no case ran",
            "visibility": "visible",
        })
    summary = f"{report.stage} stage: {report.score:g} / {report.max_score:g}"
    if report.notes:
        summary += "\n" + "\n".join(f"- {note}" for note in report.notes)
    return {"score": round(report.score, 4), "max_score": report.max_score,
            "execution_time": round(report.execution_time, 2), "output": summary,
            "stdout_visibility": "hidden", "tests": tests}


def render_html(report: GradeReport) -> str:
    environment = Environment(loader=PackageLoader("graders", "templates"),
                              autoescape=select_autoescape(["html", "j2"]),
                              trim_blocks=True, lstrip_blocks=True)
    template = environment.get_template("report.html.j2")
    return template.render(report=report, data=asdict(report))
