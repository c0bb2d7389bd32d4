"""Build the students' handout: the template, the public fixtures and the public checks.

    python -m graders.handout [--lab NAME] [--out FILE]      # what `nox -s handout` runs

``dist/<lab>-handout.zip`` unpacks to one folder, ``<lab>/``:

==========================  =====================================================================
``README.md``               for students: running the checks, the report, the instructor's grading
``noxfile.py``              ``nox -s check``: grade ``lab/`` with the public checks
``conftest.py``,            ``python -m pytest``: the same, for students without nox
``test_public_checks.py``
``requirements.txt``        what the checks and the template's client need (from pyproject.toml)
``lab/``                    the student's working copy of the template
``student_template/``       the template untouched: the checks recognise the handed-out tests by it
``fixtures/``               the public worked examples and their format
``graders/``                the grader's files named in ``SHIPPED``, and the marker ``handout.toml``
==========================  =====================================================================

Every file of ``graders/`` is either shipped or withheld for a reason (``WITHHELD``); a file
named in neither is left out, with a warning. Before writing the zip, the builder refuses a
handout in which a function body of ``reference/`` appears (``reference_leaks``).
"""

import argparse
import ast
import copy
import datetime
import fnmatch
import functools
import logging
import os
import shutil
import string
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path

from . import public

log = logging.getLogger("tapegrade")

ROOT = Path(__file__).resolve().parent.parent
GRADERS = ROOT / "graders"
FILES = GRADERS / "handout_files"
REFERENCE = ROOT / "reference"
TEMPLATE = ROOT / "student_template"
TEMPLATE_FILES = ("layers.py", "network.py", "test_sum.py", "client.py")
STUDENT_FOLDER = public.STUDENT_FOLDER.name
"""The student's working folder in the handout, which its checks grade by default."""
DEFAULT_LAB = "gradient-tape-lab"

SHIPPED = (
    "__init__.py", "__main__.py", "cli.py", "compare.py", "fixtures.py", "grade.py",
    "intake.py", "options.py", "public.py", "report.py", "sandbox.py", "session.py",
    "training.py", "data/digits.json.gz",
    "checks/conftest.py", "checks/helpers.py", "checks/pytest.ini", "checks/check_forward.py",
    "checks/check_backward.py", "checks/check_training.py",
    "rubrics/*.toml", "templates/report.html.j2",
    "worker/__init__.py", "worker/main.py", "worker/api.py", "worker/cases.py",
    "worker/probes.py", "worker/owntests.py", "worker/training.py",
)
"""The grader's files in the handout (patterns relative to graders/)."""

WITHHELD = {
    "hidden.py": "makes the hidden cases, whose expected values need the reference",
    "testjudge.py": "grades the student's tests on the reference and the chaffs",
    "chaffs/*": "the chaffs: wrong variants of the reference",
    "checks/check_tests.py": "the checks of the student's tests (testjudge.py)",
    "worker/testpasses.py": "runs the student's tests on the reference, chaffs and mutants",
    "worker/wheat.py": "presents the reference and the chaffs to the student's tests",
    "worker/mutation.py": "the mutants of the student's code (test grading)",
    "worker/variants.py": "runs the test-grading passes",
    "samples/*": "an instructor's sample submission, with the grade it must get",
    "batch.py": "grading a whole class",
    "canvas.py": "reading a whole class from Canvas",
    "classreport.py": "the class report",
    "templates/class.html.j2": "the class report",
    "gradescope.py": "Gradescope's autograder",
    "autograder/*": "Gradescope's autograder",
    "bench.py": "the instructor's speed measurements",
    "bench_training.py": "the instructor's speed measurements",
    "handout.py": "builds the handout",
    "handout_files/*": "copied to the handout's top folder, not into graders/",
}
"""The grader's files kept out of the handout, and why."""

NOT_REQUIRED = {"rich": "the progress bar of class grading"}
"""Dependencies of pyproject.toml the handout does not need."""

MIN_BODY_NODES = 10
"""Bodies smaller than this (``pass``, ``return self.output``) are too common to count as leaks."""


class HandoutError(Exception):
    """The handout cannot be built; the message says why and what to change."""


# What goes in


def classify(path: str) -> str | None:
    """``"shipped"``, ``"withheld"`` or None for a path relative to graders/."""
    if any(fnmatch.fnmatch(path, pattern) for pattern in SHIPPED):
        return "shipped"
    if any(fnmatch.fnmatch(path, pattern) for pattern in WITHHELD):
        return "withheld"
    return None


def grader_files() -> list[str]:
    """Every file of graders/ (no caches), relative to it."""
    return sorted(path.relative_to(GRADERS).as_posix() for path in GRADERS.rglob("*")
                  if path.is_file() and path.suffix != ".pyc" and path.name != "handout.toml"
                  and not any(part == "__pycache__" or part.startswith(".")
                              for part in path.relative_to(GRADERS).parts))


def requirements() -> str:
    """requirements.txt: pyproject.toml's dependencies and training extra, minus NOT_REQUIRED."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = ["# What the checks need (from the project's pyproject.toml).",
             *[d for d in project["dependencies"] if _name(d) not in NOT_REQUIRED],
             "# What lab/client.py needs: the digits and the plot.",
             *project.get("optional-dependencies", {}).get("train", [])]
    return "\n".join(lines) + "\n"


def _name(requirement: str) -> str:
    for mark in "=<>![ ;":
        requirement = requirement.split(mark, 1)[0]
    return requirement.strip().lower()


def points_table() -> str:
    """The README's table: per stage, the public checks' points and the instructor-only ones."""
    rows = ["| stage | public checks (here) | only in the instructor's grading |",
            "|---|---|---|"]
    for rubric_file in sorted((GRADERS / "rubrics").glob("*.toml")):
        rubric = tomllib.loads(rubric_file.read_text(encoding="utf-8"))
        points = {check["id"]: check["points"] for check in rubric["check"]}
        only = {check: p for extra in public.INSTRUCTOR_ONLY for check in extra.checks
                if (p := points.get(check))}
        extra_text = ", ".join(f"{check} ({p:g})" for check, p in only.items()) or "none"
        shown = sum(points.values()) - sum(only.values())
        rows.append(f"| {rubric['stage']} | {shown:g} of {sum(points.values()):g} points | "
                    f"{extra_text} |")
    return "\n".join(rows)


def _commit() -> str:
    """The project's commit, marked when the files that go in have uncommitted changes."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "graders", "fixtures",
                                "student_template"], cwd=ROOT, capture_output=True, text=True,
                               timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (commit + (" (with uncommitted changes)" if dirty else "")) or "unknown"


def stage_handout(folder: Path, lab: str) -> None:
    """Lay the handout's files out in ``folder`` (its top folder, named ``lab``)."""
    missing = [pattern for pattern in SHIPPED
               if not any(fnmatch.fnmatch(p, pattern) for p in grader_files())]
    if missing:
        raise HandoutError(f"graders/handout.py: SHIPPED names {', '.join(missing)}, which "
                           f"graders/ does not hold; remove them from SHIPPED or restore them")
    unknown = [p for p in grader_files() if classify(p) is None]
    for path in unknown:
        log.warning("graders/%s is left out of the handout: graders/handout.py names it in "
                    "neither SHIPPED nor WITHHELD", path)

    for path in grader_files():
        if classify(path) == "shipped":
            target = folder / "graders" / path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(GRADERS / path, target)
    marker = ["# Written by `nox -s handout`: this grader is the students' handout, which "
              "runs the public checks only (graders/public.py).",
              f"lab = {_toml_string(lab)}",
              f"commit = {_toml_string(_commit())}",
              f"built = {_toml_string(datetime.date.today().isoformat())}"]
    (folder / "graders" / "handout.toml").write_text("\n".join(marker) + "\n", encoding="utf-8")

    (folder / "fixtures").mkdir()
    for source in sorted((ROOT / "fixtures").glob("*.json")) + [ROOT / "fixtures" / "README.md"]:
        shutil.copyfile(source, folder / "fixtures" / source.name)
    for target in (STUDENT_FOLDER, "student_template"):
        (folder / target).mkdir()
        for name in TEMPLATE_FILES:
            shutil.copyfile(TEMPLATE / name, folder / target / name)

    for name in ("noxfile.py", "conftest.py", "test_public_checks.py"):
        shutil.copyfile(FILES / name, folder / name)
    readme = string.Template((FILES / "README.md").read_text(encoding="utf-8"))
    (folder / "README.md").write_text(readme.substitute(lab=lab, points=points_table()),
                                      encoding="utf-8")
    (folder / "requirements.txt").write_text(requirements(), encoding="utf-8")


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# What must not go in


class _Names(ast.NodeTransformer):
    """Renames variables and arguments by order of appearance and blanks string constants."""

    def __init__(self):
        self.names: dict[str, str] = {}

    def _rename(self, name: str) -> str:
        return self.names.setdefault(name, f"v{len(self.names)}")

    def visit_Name(self, node):
        node.id = self._rename(node.id)
        return node

    def visit_arg(self, node):
        node.arg, node.annotation = self._rename(node.arg), None
        return node

    def visit_Constant(self, node):
        if isinstance(node.value, str):
            node.value = ""
        return node


def _without_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    first = body[0] if body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
            and isinstance(first.value.value, str):
        return body[1:]
    return body


def normalized(statements: list[ast.stmt]) -> tuple[str, int]:
    """A statement list as text that ignores names, strings and docstrings; and its size."""
    module = ast.Module(body=[copy.deepcopy(s) for s in statements], type_ignores=[])
    for node in ast.walk(module):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            node.body = _without_docstring(node.body) or [ast.Pass()]
    module = _Names().visit(module)
    return ast.dump(module), sum(1 for _ in ast.walk(module)) - 1


def function_bodies(source: str) -> list[tuple[str, list[ast.stmt]]]:
    """(qualified name, body without its docstring) of every function and method in ``source``."""
    found = []

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = prefix + child.name
                body = _without_docstring(child.body)
                if not isinstance(child, ast.ClassDef) and body:
                    found.append((name, body))
                visit(child, name + ".")
            else:
                visit(child, prefix)

    visit(ast.parse(source), "")
    return found


@functools.cache
def _statement_lists(source: str) -> tuple[tuple[tuple[int, ...], tuple[str, ...]], ...]:
    """Every list of statements in ``source`` (bodies of functions, loops, branches, the
    module), as the statements' line numbers and normalized texts."""
    found = []
    for node in ast.walk(ast.parse(source)):
        for field in ("body", "orelse", "finalbody"):
            statements = getattr(node, field, None)
            if isinstance(statements, list) and statements \
                    and isinstance(statements[0], ast.stmt):
                statements = _without_docstring(statements)
                found.append((tuple(s.lineno for s in statements),
                              tuple(normalized([s])[0] for s in statements)))
    return tuple(found)


def reference_leaks(sources: dict[str, str], reference: Path = REFERENCE,
                    template: Path = TEMPLATE) -> list[str]:
    """Where a function body of ``reference``/*.py appears in ``sources`` (name -> Python text).

    A body appears when its statements, compared by normalized AST (names, strings and
    docstrings ignored), occur one after the other in any statement list of a source. Bodies
    the template hands out itself, and bodies under MIN_BODY_NODES nodes, are allowed.
    """
    allowed = {normalized(body)[0] for path in sorted(template.glob("*.py"))
               for _, body in function_bodies(path.read_text(encoding="utf-8"))}
    wanted = []
    for path in sorted(reference.glob("*.py")):
        for name, body in function_bodies(path.read_text(encoding="utf-8")):
            text, size = normalized(body)
            if size >= MIN_BODY_NODES and text not in allowed:
                wanted.append((f"reference/{path.name}: {name}",
                               tuple(normalized([s])[0] for s in body)))
    found = []
    for where, source in sorted(sources.items()):
        for lines, keys in _statement_lists(source):
            for what, body in wanted:
                for start in range(len(keys) - len(body) + 1):
                    if keys[start:start + len(body)] == body:
                        found.append(f"{where}, line {lines[start]}: the body of {what}")
    return found


# The zip


def build_handout(out: Path, lab: str = DEFAULT_LAB) -> Path:
    """Write the handout zip to ``out``; HandoutError when it would leak the reference."""
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work) / lab
        folder.mkdir()
        stage_handout(folder, lab)
        sources = {path.relative_to(folder).as_posix(): path.read_text(encoding="utf-8")
                   for path in sorted(folder.rglob("*.py"))}
        leaks = reference_leaks(sources)
        if leaks:
            raise HandoutError("the handout would hold code of the reference solution: "
                               + "; ".join(leaks) + ". Withhold that file (WITHHELD in "
                               "graders/handout.py) or remove the copied code")
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(f".{out.name}.new")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    info = zipfile.ZipInfo(path.relative_to(folder.parent).as_posix(),
                                           date_time=(2020, 1, 1, 0, 0, 0))
                    info.external_attr = 0o100644 << 16
                    info.compress_type = zipfile.ZIP_DEFLATED
                    archive.writestr(info, path.read_bytes())
        os.replace(partial, out)
    return out


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    parser = argparse.ArgumentParser(
        prog="nox -s handout --",
        description="Write the students' handout zip: the template, the public fixtures and "
                    "the public checks, without the reference, hidden cases or chaffs.")
    parser.add_argument("--lab", default=DEFAULT_LAB,
                        help=f"the handout's folder name (default: {DEFAULT_LAB})")
    parser.add_argument("--out", type=Path,
                        help="the zip (default: dist/<lab>-handout.zip)")
    args = parser.parse_args(argv)
    if not args.lab or any(c in args.lab for c in '/\\:*?"<>|') or args.lab.startswith("."):
        log.error("Cannot build the handout: --lab %r is not a plain folder name; use letters, "
                  "digits, '-' and '_'", args.lab)
        return 2
    out = args.out or ROOT / "dist" / f"{args.lab}-handout.zip"
    try:
        build_handout(out, args.lab)
    except HandoutError as error:
        log.error("Cannot build the handout: %s", error)
        return 2
    log.info("Students' handout -> %s (unzip it, then `nox -s check` in %s/)", out, args.lab)
    return 0


if __name__ == "__main__":
    sys.exit(main())
