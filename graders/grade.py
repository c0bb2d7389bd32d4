"""Grade one submission: intake, the checks in a pytest session, then the reports."""

import contextlib
import io
import json
import logging
import os
import platform
import shutil
import subprocess
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from .intake import file_hashes, load_submission
from .options import Options, start_worker
from .public import absent_checks, handout, public_rubric, version
from .public import notes as public_notes
from .report import GradeReport, build_checks, gradescope_results, load_rubric, render_html
from .sandbox import isolation_name

log = logging.getLogger("tapegrade")

CHECKS = Path(__file__).resolve().parent / "checks"


class SessionPlugin:
    """Hands the grading session to the checks (see checks/conftest.py)."""

    def __init__(self, session):
        self.session = session

    def pytest_configure(self, config):
        from .session import SESSION_KEY

        config.stash[SESSION_KEY] = self.session


ROOT = Path(__file__).resolve().parent.parent


def _grader_commit() -> str:
    try:
        done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                              capture_output=True, text=True, timeout=10)
        commit = done.stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "graders", "fixtures",
                                "reference"], cwd=ROOT, capture_output=True, text=True,
                               timeout=10).stdout.strip()
        return (commit + (" (with uncommitted changes)" if dirty else "")) or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _fingerprint(session) -> dict:
    import torch

    fixtures = {}
    for folder in session.options.fixtures:
        fixtures.update({f"{Path(folder).name}/{name}": digest
                         for name, digest in file_hashes(Path(folder)).items()
                         if name.endswith(".json")})
    return {
        "grader commit": version() or _grader_commit(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "device": session.options.device,
        "dtype": session.options.dtype,
        "isolation": isolation_name(session.worker.sandbox if session.worker else False),
        "files": session.submission.hashes,
        "fixtures": fixtures,
    }


def run_checks(session, report_file: Path) -> dict:
    """Run the stage's checks in pytest; return pytest-json-report's report."""
    import pytest

    # The student's tests are judged where the stage's rubric weighs them, never in the
    # students' handout, which has no check_tests.py (graders/public.py).
    judged = any(check["id"] == "tests-wheat"
                 for check in load_rubric(session.options.stage)["check"])
    tests = [str(CHECKS / "check_tests.py")] \
        if judged and "tests-wheat" not in absent_checks() else []
    arguments = [str(CHECKS / f"check_{session.options.stage}.py"), *tests, "-c",
                 str(CHECKS / "pytest.ini"), "--rootdir", str(CHECKS), "-p", "no:cacheprovider",
                 "-qq", "--no-header", "--assert=plain", "--json-report",
                 f"--json-report-file={report_file}", "--json-report-omit", "log", "streams"]
    console = io.StringIO()
    with contextlib.redirect_stdout(console):
        code = pytest.main(arguments, plugins=[SessionPlugin(session)])
    log.debug("%s", console.getvalue())
    raw = json.loads(report_file.read_text(encoding="utf-8")) if report_file.exists() else {}
    broken = [c.get("longrepr", "") for c in raw.get("collectors", [])
              if c.get("outcome") == "failed"]
    if not raw or broken or not raw.get("tests"):
        detail = broken[0].splitlines()[-1] if broken else f"pytest exit code {code}"
        raise RuntimeError(f"the checks could not be collected ({detail}); this is a fault of "
                           f"the grader, not of the submission")
    return raw


def _notes(session) -> list[str]:
    notes = list(session.submission.notes)
    for module, error in session.loaded.get("errors", {}).items():
        notes.append(f"importing {module} failed: {error}")
    if session.failures:
        notes.append(f"The submission's code {session.failures[0]}"
                     + (f" (and failed {len(session.failures) - 1} more times)"
                        if len(session.failures) > 1 else "") + ".")
    if session.autograd_used:
        notes.append("The submission turned torch.autograd on; the lab forbids autograd, and "
                     "values that carried an autograd graph were not accepted.")
    if session.worker is not None and not session.worker.sandbox:
        notes.append("Grading ran without bubblewrap: the isolation was weaker (a separate, "
                     "limited process only).")
    return notes + public_notes(session.options.stage)


def grade(path: Path, options: Options, out: Path, config: Path | None = None) -> GradeReport:
    """Grade the submission at ``path`` and write report.json, results.json, report.html."""
    started = time.monotonic()
    submission = load_submission(path, config)
    worker = start_worker(submission, options)
    from .session import GradingSession  # imports torch while the worker imports its own

    session = GradingSession(submission, options, worker)
    rubric = public_rubric(load_rubric(options.stage))
    work = Path(tempfile.mkdtemp(prefix="tapegrade-report-"))
    try:
        raw = run_checks(session, work / "report.json")
        checks = build_checks(raw.get("tests", []), rubric)
        judged = any(check["id"] == "tests-wheat" for check in rubric["check"])
        test_grading = asdict(session.test_grading()) if judged and handout() is None else {}
        session.stop()  # no request comes after this: what the worker printed is complete
        report = GradeReport(
            submission=submission.name, stage=options.stage, title=rubric["title"],
            score=round(sum(c.points for c in checks), 6),
            max_score=float(sum(c.max_points for c in checks)),
            execution_time=time.monotonic() - started, checks=checks, notes=_notes(session),
            mapping=session.mapping, printed=session.printed(),
            own_tests=session.own_tests_result,
            test_grading=test_grading,
            fingerprint=_fingerprint(session))
    finally:
        session.close()
        submission.cleanup()

    (work / "results.json").write_text(json.dumps(gradescope_results(report), indent=1),
                                       encoding="utf-8")
    (work / "grade.json").write_text(json.dumps(asdict(report), indent=1), encoding="utf-8")
    (work / "report.html").write_text(render_html(report), encoding="utf-8")
    publish(work, Path(out))
    return report


def publish(work: Path, out: Path) -> None:
    """Replace ``out`` with the finished folder ``work`` in one rename, as far as possible."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staged = out.parent / f".{out.name}.new"
    shutil.rmtree(staged, ignore_errors=True)
    shutil.move(str(work), staged)
    if out.exists():
        retired = out.parent / f".{out.name}.old"
        shutil.rmtree(retired, ignore_errors=True)
        os.replace(out, retired)
        os.replace(staged, out)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.replace(staged, out)
