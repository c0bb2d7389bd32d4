"""Benchmarks, run by `nox -s bench`: medians over repeated runs, never pass/fail.

This machine is shared and noisy, so each number is a median of several runs, shown with the
fastest and slowest run and as a ratio to a baseline measured the same way.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(command: list[str], runs: int) -> list[float]:
    """Wall-clock seconds of ``command``, run ``runs`` times one after another."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return times


def line(name: str, times: list[float], baseline: float | None = None) -> str:
    median = statistics.median(times)
    text = (f"{name:<44} median {median:6.2f} s   (min {min(times):.2f}, max {max(times):.2f},"
            f" n={len(times)})")
    if baseline:
        text += f"   {median / baseline:.2f}x import torch"
    return text


def cold_grading(runs: int) -> list[str]:
    """One submission graded from a cold start, forward stage, next to `import torch` alone."""
    torch_alone = timed([sys.executable, "-c", "import torch"], runs)
    rows = [line("python -c 'import torch'", torch_alone)]
    with tempfile.TemporaryDirectory() as out:
        for name in ("reference", "student_template"):
            times = timed([sys.executable, "-m", "graders", name, "--out", f"{out}/{name}",
                           "--device", "cpu"], runs)
            rows.append(line(f"grade {name}/ (forward, cold)", times,
                             statistics.median(torch_alone)))
    return rows


CLASS_KINDS = {
    # kind: how its folder is made from ROOT, and what is changed
    "reference": ("reference", None),
    "template": ("student_template", None),
    "buggy": ("tests/submissions/buggy_forward", None),
    "syntax_error": ("reference", ("layers.py", "class Linear(:\n")),
    "import_error": ("reference", ("network.py", "import not_installed_anywhere\n")),
    "no_code": (None, ("README.txt", "I could not finish the lab.\n")),
}


def make_class(folder: Path, size: int) -> dict[str, str]:
    """A class of ``size`` student folders, the kinds of CLASS_KINDS in turn; key -> kind."""
    kinds = {}
    for index in range(size):
        kind = list(CLASS_KINDS)[index % len(CLASS_KINDS)]
        source, change = CLASS_KINDS[kind]
        student = folder / f"s{index:03d}_{kind}"
        student.mkdir(parents=True)
        for path in sorted((ROOT / source).glob("*.py")) if source else []:
            (student / path.name).write_bytes(path.read_bytes())
        if change:
            name, text = change
            with open(student / name, "a", encoding="utf-8") as changed:
                changed.write(text)
        kinds[student.name] = kind
    return kinds


def class_grading(size: int, jobs: int | None) -> list[str]:
    """A generated class graded in one `nox -s grade -- class/`: total and per submission."""
    with tempfile.TemporaryDirectory() as folder:
        kinds = make_class(Path(folder) / "class", size)
        command = [sys.executable, "-m", "graders", f"{folder}/class", "--out", f"{folder}/out",
                   "--device", "cpu"] + (["--jobs", str(jobs)] if jobs else [])
        total = timed(command, 1)[0]
        summary = json.loads((Path(folder) / "out" / "summary.json").read_text("utf-8"))
    seconds = {s["key"]: s["seconds"] for s in summary["students"]}
    from .batch import default_jobs

    title = f"grade a class of {size}, {jobs or default_jobs()} jobs"
    rows = [f"{title:<44} total  {total:6.1f} s   ({total / size:.2f} s per submission)",
            line("one submission, in its grading process", list(seconds.values()))]
    for kind in CLASS_KINDS:
        times = [s for key, s in seconds.items() if kinds.get(key) == kind]
        rows.append(line(f"  of which {kind}", times))
    failed = [s["key"] for s in summary["students"] if s["status"] != "graded"]
    if failed:
        rows.append(f"not graded: {', '.join(failed)}")
    return rows


OWN_TEST_FILES = ("test_linear.py", "test_relu.py", "test_mse_loss.py", "test_sum.py")
"""Four of the reference's test files: 21 tests, the size of a diligent student's suite."""


def test_grading(runs: int) -> list[str]:
    """Judging the tests of a submission with ~20 tests: wheat, chaffs, mutants (forward).

    Each run starts a worker, waits until the submission is loaded (as the checks before it
    would), then times ``GradingSession.test_grading`` alone.
    """
    import shutil

    from .intake import load_submission
    from .options import Options, start_worker
    from .session import GradingSession

    times, judged = [], None
    with tempfile.TemporaryDirectory() as folder:
        for name in ("layers.py", "network.py") + OWN_TEST_FILES:
            shutil.copyfile(ROOT / "reference" / name, Path(folder) / name)
        for _ in range(runs):
            submission = load_submission(Path(folder))
            options = Options(stage="forward")
            session = GradingSession(submission, options, start_worker(submission, options))
            try:
                session.probe("construct")
                started = time.perf_counter()
                judged = session.test_grading()
                times.append(time.perf_counter() - started)
            finally:
                session.close()
                submission.cleanup()
    counted = [m for m in judged.mutants if m.status != "not run"]
    return [line(f"judge {len(judged.tests)} tests: 1 + {len(counted)} mutant passes, "
                 f"1 + {len(judged.chaffs)} chaff passes", times),
            f"caught {sum(c.status == 'caught' for c in judged.chaffs)} of "
            f"{len(judged.chaffs)} chaffs; {judged.message or 'every pass finished'}"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nox -s bench --")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (default 5)")
    parser.add_argument("--class-size", type=int, default=100,
                        help="submissions in the generated class (default 100; 0 skips it)")
    parser.add_argument("--jobs", type=int, help="grading processes for the class (default: "
                                                 "one per core)")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                        help="where the training benchmark runs (default cpu)")
    args = parser.parse_args(argv)
    print("Cold grading of one submission (goal: about 4 s on 2 cores)")
    for row in cold_grading(args.runs):
        print("  " + row)
    print("Judging a submission's own tests, ~20 of them (goal: <= 10 s on 2 cores)")
    for row in test_grading(args.runs):
        print("  " + row)
    if args.class_size:
        print(f"A class of {args.class_size} generated submissions (goal: 100 in <= 60 s on 2 "
              f"cores)")
        for row in class_grading(args.class_size, args.jobs):
            print("  " + row)
    from .bench_training import HEADING, training_rows

    print(HEADING.format(device=args.device))
    for row in training_rows(args.runs, args.device):
        print("  " + row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
