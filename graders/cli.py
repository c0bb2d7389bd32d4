"""Command line: nox -s grade -- [PATH] [--stage S] [--device D] [--out DIR] [--fixtures DIR]."""

import argparse
import logging
import sys
from pathlib import Path

from .fixtures import FIXTURES_DIR, FixtureError, load_all
from .intake import IntakeError
from .options import Options
from .public import STUDENT_FOLDER, handout, sandbox_usable
from .sandbox import Limits

log = logging.getLogger("tapegrade")

SAMPLE = Path(__file__).resolve().parent / "samples" / "sample_student"


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="nox -s grade --", description="Grade a gradient-tape lab submission.")
    parser.add_argument("path", nargs="?", type=Path,
                        help="the submission's folder (default: a bundled sample submission)")
    parser.add_argument("--stage", choices=("forward", "backward", "training"),
                        default="forward")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                        help="where the student's code runs (auto: CUDA when available)")
    parser.add_argument("--out", type=Path,
                        help="report folder (default: grading-reports/<submission name>)")
    parser.add_argument("--fixtures", type=Path, action="append", default=[],
                        help="a folder of extra, private fixture cases (may be repeated)")
    parser.add_argument("--timeout", type=float, default=Limits.call_s, metavar="SECONDS",
                        help=f"time limit of one check (default {Limits.call_s:g} s)")
    parser.add_argument("--config", type=Path,
                        help="a grading.toml API mapping (default: the submission's own)")
    parser.add_argument("--hide-chaffs", action="store_true",
                        help="name no chaff and show no misconception in the reports")
    whole_class = parser.add_argument_group(
        "a whole class (PATH is a folder of student folders, or a Canvas submissions zip)")
    whole_class.add_argument("--jobs", type=int, default=None, metavar="N",
                             help="students graded at once (default: one per core)")
    whole_class.add_argument("--assignment", default="", metavar="NAME",
                             help="the gradebook's assignment column "
                                  "(default: 'Gradient tape lab (<stage>)')")
    whole_class.add_argument("--class", dest="whole_class", action="store_true",
                             help="grade PATH as a class even when it holds one submission")
    return parser.parse_args(argv)


def _device(choice: str) -> str:
    """The device to grade on; auto looks for an NVIDIA driver before paying for torch."""
    if choice != "auto":
        return choice
    if not Path("/dev/nvidiactl").exists():
        return "cpu"
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def _is_class(path: Path, asked: bool) -> bool:
    """Whether to grade ``path`` as a whole class (never in the students' handout)."""
    if handout() is not None:
        return False
    from .canvas import is_class

    return asked or is_class(path)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    args = parse(sys.argv[1:] if argv is None else argv)
    path = args.path or (SAMPLE if handout() is None else STUDENT_FOLDER)
    if args.path is None and handout() is None:
        log.info("No submission given: grading the bundled sample submission %s", SAMPLE)
    fixtures = [FIXTURES_DIR] + args.fixtures
    try:
        load_all(fixtures)
    except FixtureError as error:
        log.error("Cannot grade: %s", error)
        return 2
    device = _device(args.device)
    if device == "cuda":
        import torch

        if not torch.cuda.is_available():
            log.error("Cannot grade: --device cuda was asked for, but torch sees no CUDA GPU "
                      "here; use --device cpu or auto")
            return 2
    options = Options(stage=args.stage, device=device, fixtures=fixtures,
                      limits=Limits(call_s=args.timeout), hide_chaffs=args.hide_chaffs)
    if handout() is not None:
        options.sandbox = sandbox_usable()  # a student's Linux may forbid its namespaces
    if _is_class(path, args.whole_class):
        from .batch import BatchOptions, run_command

        batch = BatchOptions(assignment=args.assignment)
        if args.jobs:
            batch.jobs = max(1, args.jobs)
        return run_command(path, options, args.out, batch, args.config)
    out = args.out or Path("grading-reports") / path.resolve().name

    from .grade import grade

    try:
        report = grade(path, options, out, args.config)
    except IntakeError as error:
        log.error("Cannot grade: %s", error)
        return 2
    except (OSError, RuntimeError) as error:
        log.error("The grader could not finish %s: %s", path, error)
        return 1
    log.info("%s: %g / %g (%s stage) -> %s", report.submission, round(report.score, 2),
             report.max_score, report.stage, out / "report.html")
    if handout() is not None:
        log.info("Public checks only: the report's notes say what the instructor's grading "
                 "adds (see also README.md)")
    return 0
