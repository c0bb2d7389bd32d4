"""`python -m pytest` in this folder runs the public checks on lab/, as `nox -s check` does.

The grader runs once, in a process of its own (`python -m graders`), and writes the same report;
every case of the report then becomes one test of test_public_checks.py. Your own tests run
with `python -m pytest` inside lab/, where this file is not read.
"""

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from graders.public import platform_problem

HERE = Path(__file__).resolve().parent
STAGES = sorted(path.stem for path in (HERE / "graders" / "rubrics").glob("*.toml"))
GRADED = pytest.StashKey[dict]()


@dataclass(frozen=True)
class Case:
    """One case of the report."""

    check: str
    title: str
    name: str
    passed: bool
    message: str

    def __repr__(self) -> str:
        return f"<{self.check}: {self.name}>"


collect_ignore = ["lab", "student_template", "graders", "fixtures", "grading-reports"]


def pytest_addoption(parser):
    group = parser.getgroup("the lab's public checks")
    group.addoption("--stage", choices=STAGES, default="forward",
                    help="the lab stage to check (default: forward)")
    group.addoption("--folder", default="lab",
                    help="the folder to grade (default: lab)")


def pytest_configure(config):
    problem = platform_problem()
    if problem:
        pytest.exit(problem, returncode=2)


def graded(config) -> dict:
    """The grader's run: its command, exit code, log, report folder and grade.json."""
    if GRADED not in config.stash:
        folder = (config.invocation_params.dir / config.getoption("folder")).resolve()
        out = HERE / "grading-reports" / folder.name
        command = [sys.executable, "-m", "graders", str(folder), "--stage",
                   config.getoption("stage"), "--out", str(out)]
        done = subprocess.run(command, cwd=HERE, capture_output=True, text=True)
        run = {"folder": folder, "out": out, "code": done.returncode, "log": done.stderr}
        if done.returncode == 0:
            run["report"] = json.loads((out / "grade.json").read_text(encoding="utf-8"))
        config.stash[GRADED] = run
    return config.stash[GRADED]


def pytest_generate_tests(metafunc):
    if "case" not in metafunc.fixturenames:
        return
    report = graded(metafunc.config).get("report", {})
    cases = [Case(check["id"], check["title"], case["case"], case["passed"], case["message"])
             for check in report.get("checks", []) for case in check["cases"]]
    metafunc.parametrize("case", cases, ids=[f"{c.check}: {c.name}" for c in cases])


@pytest.fixture
def grading(request) -> dict:
    return graded(request.config)


def pytest_terminal_summary(terminalreporter, config):
    run = config.stash.get(GRADED, None)
    if run is None:
        return
    terminalreporter.write_sep("-", "the lab's public checks")
    report = run.get("report")
    if report is None:
        terminalreporter.write_line(f"The grader could not grade {run['folder']}:")
        terminalreporter.write_line(run["log"].strip())
        return
    terminalreporter.write_line(f"{report['submission']}: {round(report['score'], 2):g} / "
                                f"{report['max_score']:g} ({report['stage']} stage), "
                                f"report: {run['out'] / 'report.html'}")
    for note in report["notes"]:
        terminalreporter.write_line(f"- {note}")
