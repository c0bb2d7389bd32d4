"""Gradescope: grade as its autograder, and build the autograder zip it takes.

Gradescope unpacks the zip into /autograder/source and runs setup.sh there once, when it
builds the autograder's image. For each submission it puts the student's files into
/autograder/submission, runs /autograder/run_autograder and reads
/autograder/results/results.json, which the grader writes in Gradescope's format.

    python -m graders.gradescope run [--root DIR]           # what run_autograder does
    python -m graders.gradescope bundle [--stage S] [--out FILE] [--fixtures DIR]
"""

import argparse
import json
import logging
import os
import shutil
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path

from .canvas import ZipLimits, extract_zip
from .fixtures import FIXTURES_DIR, FixtureError, load_all
from .options import Options
from .public import sandbox_usable
from .sandbox import Limits

log = logging.getLogger("tapegrade")

ROOT = Path(__file__).resolve().parent.parent
"""The project's root; in the bundle, /autograder/source."""
SCRIPTS = Path(__file__).resolve().parent / "autograder"
ROOT_VARIABLE = "TAPEGRADE_AUTOGRADER_ROOT"
SETTINGS = "autograder.toml"
"""The bundle's settings: stage, private fixture folders, time limit of one check, and
whether chaffs are named in the results."""
BUNDLED = ("graders", "fixtures", "reference", "student_template", "pyproject.toml",
           "README.md")
LEFT_OUT = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")


# Grading as Gradescope's autograder


def settings(source: Path = ROOT) -> dict:
    """The bundle's settings, or the defaults when there is no settings file."""
    path = source / SETTINGS
    found = tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return {"stage": found.get("stage", "forward"),
            "fixtures": [source / folder for folder in found.get("fixtures", [])],
            "timeout": float(found.get("timeout", Limits.call_s)),
            "hide_chaffs": bool(found.get("hide_chaffs", False))}


def autograde(root: Path, stage: str | None = None) -> dict:
    """Grade ``root``/submission; write and return ``root``/results/results.json."""
    from .grade import grade

    chosen = settings()
    options = Options(stage=stage or chosen["stage"], device="cpu",
                      fixtures=[FIXTURES_DIR, *chosen["fixtures"]],
                      limits=Limits(call_s=chosen["timeout"]), sandbox=sandbox_usable(),
                      hide_chaffs=chosen["hide_chaffs"])
    results_dir = root / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="tapegrade-gradescope-"))
    try:
        load_all(options.fixtures)
        grade(submission_folder(root / "submission", work), options, work / "report")
        results = json.loads((work / "report" / "results.json").read_text(encoding="utf-8"))
    except Exception as error:  # whatever it was, Gradescope must get a results.json
        log.error("The autograder could not grade %s: %s", root / "submission", error)
        results = {"score": 0.0, "tests": [], "stdout_visibility": "hidden",
                   "output": f"The autograder could not grade this submission ({error}). "
                             f"This is a fault of the autograder, not a grade: tell your "
                             f"instructor, who can run it again."}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    staged = results_dir / ".results.json.new"
    staged.write_text(json.dumps(results, indent=1), encoding="utf-8")
    os.replace(staged, results_dir / "results.json")
    return results


def submission_folder(submission: Path, work: Path) -> Path:
    """The folder to grade: the upload, or the zip it holds unpacked into ``work``."""
    uploaded = [p for p in submission.iterdir() if not p.name.startswith(".")]
    zips = [p for p in uploaded if p.suffix.lower() == ".zip" and zipfile.is_zipfile(p)]
    if len(zips) != 1 or any(p.suffix in (".py", ".ipynb") for p in uploaded):
        return submission
    unpacked = work / "unpacked" / "submission"
    for note in extract_zip(zips[0], unpacked, ZipLimits()):
        log.warning("%s", note)
    return unpacked


# The autograder zip


def build_bundle(out: Path, stage: str, fixtures: list[Path], timeout: float,
                 hide_chaffs: bool = False) -> Path:
    """Write the autograder zip: setup.sh and run_autograder at its top, the grader beside."""
    load_all([FIXTURES_DIR, *fixtures])  # refuse a bundle whose fixtures cannot be read
    out.parent.mkdir(parents=True, exist_ok=True)
    names = [f"private-fixtures/{index}-{Path(folder).name}"
             for index, folder in enumerate(fixtures, 1)]
    lines = ["# Written by `nox -s gradescope_bundle`: how run_autograder grades.",
             f"stage = {json.dumps(stage)}",
             f"fixtures = {json.dumps(names)}",
             f"timeout = {timeout:g}",
             f"hide_chaffs = {json.dumps(hide_chaffs)}"]
    with tempfile.TemporaryDirectory() as folder:
        staged = Path(folder)
        for name in BUNDLED:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, staged / name, ignore=LEFT_OUT)
            else:
                shutil.copy2(source, staged / name)
        shutil.rmtree(staged / "graders" / "autograder")
        for name, source in zip(names, fixtures):
            shutil.copytree(source, staged / name, ignore=LEFT_OUT)
        (staged / SETTINGS).write_text("\n".join(lines) + "\n", encoding="utf-8")
        for script in ("setup.sh", "run_autograder"):
            shutil.copy2(SCRIPTS / script, staged / script)
        partial = out.with_name(f".{out.name}.new")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as bundle:
            for path in sorted(staged.rglob("*")):
                if path.is_file():
                    _add(bundle, path, path.relative_to(staged).as_posix())
        os.replace(partial, out)
    return out


def _add(bundle: zipfile.ZipFile, path: Path, name: str) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    executable = name in ("setup.sh", "run_autograder")
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    bundle.writestr(info, path.read_bytes())


# Command line


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    parser = argparse.ArgumentParser(prog="python -m graders.gradescope",
                                     description="Gradescope's autograder for the lab.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="grade ROOT/submission into ROOT/results")
    run.add_argument("--root", type=Path,
                     default=Path(os.environ.get(ROOT_VARIABLE, "/autograder")),
                     help=f"Gradescope's folder (default: ${ROOT_VARIABLE} or /autograder)")
    run.add_argument("--stage", choices=("forward", "backward"),
                     help="default: the bundle's autograder.toml, else forward")
    bundle = commands.add_parser("bundle", help="write the autograder zip for Gradescope")
    bundle.add_argument("--stage", choices=("forward", "backward"), default="forward")
    bundle.add_argument("--fixtures", type=Path, action="append", default=[],
                        help="a folder of private fixture cases to include (may be repeated)")
    bundle.add_argument("--timeout", type=float, default=Limits.call_s, metavar="SECONDS",
                        help=f"time limit of one check (default {Limits.call_s:g} s)")
    bundle.add_argument("--hide-chaffs", action="store_true",
                        help="name no chaff and show no misconception in the results")
    bundle.add_argument("--out", type=Path,
                        help="the zip (default: dist/tapegrade-gradescope-<stage>.zip)")
    args = parser.parse_args(argv)

    if args.command == "run":
        if not (args.root / "submission").is_dir():
            log.error("%s has no submission folder: run_autograder expects Gradescope's "
                      "layout (set %s to grade another folder)", args.root, ROOT_VARIABLE)
            return 2
        results = autograde(args.root, args.stage)
        log.info("%g / %g -> %s", results["score"], results.get("max_score", 0),
                 args.root / "results" / "results.json")
        return 0
    out = args.out or ROOT / "dist" / f"tapegrade-gradescope-{args.stage}.zip"
    try:
        build_bundle(out, args.stage, args.fixtures, args.timeout, args.hide_chaffs)
    except FixtureError as error:
        log.error("Cannot build the bundle: %s", error)
        return 2
    log.info("Gradescope autograder (%s stage) -> %s", args.stage, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
