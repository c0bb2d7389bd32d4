"""The students' handout: which checks its copy of the grader runs, and what its reports say.

The handout (``nox -s handout``, graders/handout.py) carries no reference solution, no hidden
cases and no chaffs. Its copy of the grader knows it is one by a marker file the builder writes,
``graders/handout.toml``; the instructor's copy has none. In the handout, the checks of
``INSTRUCTOR_ONLY`` are absent (not collected, not in the rubric, not failed) and every report
says what the instructor's grading adds. A marker, rather than guessing from missing files,
keeps an instructor's copy that lost a file from quietly grading with fewer checks.

This module imports only the standard library: the handout's noxfile and launcher use it
before any dependency is installed.
"""

import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = ROOT / "graders" / "handout.toml"
RUBRICS = ROOT / "graders" / "rubrics"
STUDENT_FOLDER = ROOT / "lab"
"""The folder students work in, inside the handout: what its checks grade by default."""


@dataclass(frozen=True)
class InstructorOnly:
    """A kind of check that only the instructor's copy of the grader runs."""

    kind: str
    """What it is, as the report and the students' README say it."""
    checks: tuple[str, ...]
    """Its rubric ids."""
    needs: tuple[str, ...]
    """What it needs that the handout leaves out, relative to the project's root."""


INSTRUCTOR_ONLY = (
    InstructorOnly(
        "hidden random cases of every layer and of a whole network, whose expected values "
        "the reference solution computes",
        ("hidden-forward", "hidden-backward", "hidden-network"),
        ("reference", "graders/hidden.py")),
    InstructorOnly(
        "your tests graded: they must pass on a correct library, fail on wrong libraries "
        "with one misconception each (chaffs), reach every layer and a whole network, and "
        "notice small changes of your own code (mutation score)",
        ("tests-wheat", "tests-chaffs", "tests-coverage", "tests-mutants"),
        ("reference", "graders/testjudge.py", "graders/chaffs", "graders/checks/check_tests.py",
         "graders/worker/testpasses.py", "graders/worker/wheat.py",
         "graders/worker/mutation.py", "graders/worker/variants.py")),
)


def handout() -> dict | None:
    """The handout's marker (lab name, source commit, build date); None in the instructor's copy."""
    if not MARKER.is_file():
        return None
    return tomllib.loads(MARKER.read_text(encoding="utf-8"))


def absent_checks() -> set[str]:
    """Rubric ids of the checks this copy of the grader does not run."""
    if handout() is None:
        return set()
    return {check for extra in INSTRUCTOR_ONLY for check in extra.checks}


def public_rubric(rubric: dict) -> dict:
    """``rubric`` without the absent checks: their points are neither earned nor lost."""
    absent = absent_checks()
    return dict(rubric, check=[c for c in rubric["check"] if c["id"] not in absent])


def notes(stage: str) -> list[str]:
    """What a handout's report says about the instructor's grading; [] in the instructor's."""
    if handout() is None:
        return []
    rubric = tomllib.loads((RUBRICS / f"{stage}.toml").read_text(encoding="utf-8"))
    points = {check["id"]: check["points"] for check in rubric["check"]}
    public = sum(p for check, p in points.items() if check not in absent_checks())
    if public == sum(points.values()):
        return [f"Every check of the {stage} stage is public: the instructor's grading runs "
                f"the same ones."]
    found = [f"Public checks only: this report scores the checks worth {public:g} of the "
             f"{sum(points.values()):g} points of the {stage} stage. The instructor's grading "
             f"runs them too, on the same code, and more:"]
    for extra in INSTRUCTOR_ONLY:
        worth = sum(points.get(check, 0) for check in extra.checks)
        if worth:
            found.append(f"Only in the instructor's grading ({worth:g} points): {extra.kind}.")
    found.append("The instructor may also add private cases to the worked-example checks.")
    return found


def version() -> str | None:
    """The grader's version in a handout: the project's commit it was built from."""
    marker = handout()
    if marker is None:
        return None
    return f"handout {marker.get('lab', '?')} of {marker.get('commit', 'unknown')}, built " \
           f"{marker.get('built', '?')}"


def platform_problem() -> str:
    """Why the checks cannot run on this system, or "" when they can."""
    if sys.platform.startswith("linux"):
        return ""
    if sys.platform.startswith("win"):
        where = "On Windows, run them inside WSL 2 (Windows Subsystem for Linux)"
    else:
        where = "On macOS, run them in a Linux virtual machine or container"
    return (f"The checks run on Linux only: they limit the time, memory and processes of your "
            f"code with Linux's process limits, which {sys.platform} lacks. {where}; see "
            f"README.md, 'Where the checks run'.")


def sandbox_usable() -> bool:
    """Whether bubblewrap is installed and may make its namespaces on this machine.

    Some Linux systems forbid the unprivileged namespaces bubblewrap needs; the checks then
    run without it, with resource limits only, and the report says so.
    """
    from .sandbox import bubblewrap

    if bubblewrap() is None:
        return False
    try:
        done = subprocess.run(["bwrap", "--ro-bind", "/", "/", "--unshare-all",
                               "--die-with-parent", "true"], capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0
