"""Benchmarks, run by `nox -s bench`: medians over repeated runs, never pass/fail.

This machine is shared and noisy, so each number is a median of several runs, shown with the
fastest and slowest run and as a ratio to a baseline measured the same way.
"""

import argparse
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nox -s bench --")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (default 5)")
    args = parser.parse_args(argv)
    print("Cold grading of one submission (goal: about 4 s on 2 cores)")
    for row in cold_grading(args.runs):
        print("  " + row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
