"""Command line: nox -s grade -- [PATH] [--stage S] [--device D] [--out DIR] [--fixtures DIR]."""

import argparse
import logging
import sys
from pathlib import Path

from .fixtures import FIXTURES_DIR, FixtureError, load_all
from .intake import IntakeError
from .options import Options
from .sandbox import Limits

log = logging.getLogger("tapegrade")

SAMPLE = Path(__file__).resolve().parent / "samples" / "sample_student"


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="nox -s grade --", description="Grade a gradient-tape lab submission.")
    parser.add_argument("path", nargs="?", type=Path,
                        help="the submission's folder (default: a bundled sample submission)")
    parser.add_argument("--stage", choices=("forward", "backward"), default="forward")
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
    return parser.parse_args(argv)


def _device(choice: str) -> str:
    """The device to grade on; auto looks for an NVIDIA driver before paying for torch."""
    if choice != "auto":
        return choice
    if not Path("/dev/nvidiactl").exists():
        return "cpu"
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    args = parse(sys.argv[1:] if argv is None else argv)
    path = args.path or SAMPLE
    if args.path is None:
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
                      limits=Limits(call_s=args.timeout))
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
    return 0
