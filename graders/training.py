"""The training stage, scoring side: the experiment the worker runs, and the verdicts on it.

The data are the handwritten digits that scikit-learn bundles (1797 images of 8 x 8 pixels,
values 0..16, from the UCI "Optical Recognition of Handwritten Digits" set), shipped here in
``data/digits.json.gz`` so that grading needs neither scikit-learn nor a download
(``write_digits`` rebuilds the file from scikit-learn; a test checks that they agree).

The experiment is seeded and described in ``rubrics/training.toml``: a fixed training and
held-out subset, initial weights and the columns of every batch. The worker gets the held-out
samples without their labels; the labels stay here, where the accuracy is computed.
"""

import gzip
import json
import math
import statistics
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import torch

from .compare import compare, decode
from .report import load_rubric
from .session import CaseVerdict

DIGITS = Path(__file__).resolve().parent / "data" / "digits.json.gz"
CLASSES = 10
PARAMETERS = ("W1", "b1", "W2", "b2")


@dataclass(frozen=True)
class Experiment:
    """What the worker trains, as written in the rubric's [experiment] table."""

    hidden: int
    batch_size: int
    steps: int
    step_size: float
    lam: float
    train_samples: int
    test_samples: int
    seed: int
    budget_s: float
    """Wall-clock seconds of training after which the worker stops early."""


@dataclass(frozen=True)
class Limits:
    """What passes, as written in the rubric's [limits] table."""

    loss_window: int
    """Steps averaged at the start and at the end of training."""
    loss_ratio: float
    """The end's mean loss may be at most this fraction of the start's."""
    accuracy: float
    """Fraction of held-out digits to classify correctly."""
    step_ms: float
    """Median CPU milliseconds of one training step (forward, backward, step)."""
    memory_mib: float
    """Peak memory of training, above what was in use before it."""


def settings() -> tuple[Experiment, Limits]:
    """The experiment and limits of rubrics/training.toml; ValueError naming what is wrong."""
    rubric = load_rubric("training")
    found = []
    for table, kind in (("experiment", Experiment), ("limits", Limits)):
        given, wanted = rubric.get(table, {}), set(kind.__dataclass_fields__)
        if set(given) != wanted:
            raise ValueError(
                f"graders/rubrics/training.toml: [{table}] has {sorted(given)}; it needs "
                f"exactly {sorted(wanted)}")
        found.append(kind(**given))
    return found[0], found[1]


def write_digits(path: Path = DIGITS) -> None:
    """Write scikit-learn's digits as the compact JSON file the grader reads."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    payload = {
        "source": "scikit-learn load_digits(): UCI Optical Recognition of Handwritten Digits, "
                  "8 x 8 images with values 0..16",
        "images": digits.data.astype(int).tolist(),
        "labels": digits.target.astype(int).tolist(),
    }
    text = json.dumps(payload, separators=(",", ":")).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(text, mtime=0))


@cache
def load_digits() -> tuple[list[list[int]], list[int]]:
    """(images, labels) of the shipped digits: 1797 rows of 64 pixel values, and the labels."""
    payload = json.loads(gzip.decompress(DIGITS.read_bytes()))
    return payload["images"], payload["labels"]


@dataclass(frozen=True)
class Plan:
    """The request for the worker and what stays here to judge its answer."""

    request: dict
    test_labels: tuple[int, ...]


@cache
def plan(experiment: Experiment) -> Plan:
    """Subsets, initial weights and batches, all drawn from ``experiment.seed``."""
    images, labels = load_digits()
    generator = torch.Generator().manual_seed(experiment.seed)
    order = torch.randperm(len(labels), generator=generator).tolist()
    train = order[:experiment.train_samples]
    test = order[experiment.train_samples:experiment.train_samples + experiment.test_samples]

    def columns(samples):
        """Samples as columns, pixels scaled to [0, 1]: (64, m) as nested lists."""
        return [[images[i][p] / 16.0 for i in samples] for p in range(len(images[0]))]

    features, hidden = len(images[0]), experiment.hidden
    weights = {
        "W1": torch.randn(hidden, features, generator=generator) * math.sqrt(2 / features),
        "b1": torch.randn(hidden, 1, generator=generator) * 0.1,
        "W2": torch.randn(CLASSES, hidden, generator=generator) * math.sqrt(2 / hidden),
        "b2": torch.randn(CLASSES, 1, generator=generator) * 0.1,
    }
    batches = []
    while len(batches) < experiment.steps:
        shuffled = torch.randperm(len(train), generator=generator)
        whole = len(train) // experiment.batch_size
        batches += shuffled[:whole * experiment.batch_size] \
            .reshape(whole, experiment.batch_size).tolist()
    request = {
        "x_train": columns(train), "labels_train": [labels[i] for i in train],
        "x_test": columns(test), "classes": CLASSES,
        "weights": {name: value.tolist() for name, value in weights.items()},
        "batches": batches[:experiment.steps], "step_size": experiment.step_size,
        "lam": experiment.lam, "budget_s": experiment.budget_s,
    }
    return Plan(request, tuple(labels[i] for i in test))


# Verdicts: each takes the worker's result and returns (verdict, account), the account being
# the measurement in one sentence, recorded with the case whether it passed or not.

Judged = tuple[CaseVerdict, str]


def stopped_by(result: dict, phases: tuple[str, ...] = ("build", "training", "evaluation")
               ) -> str:
    """What the submission raised in one of ``phases``, as one sentence; else empty."""
    error = result.get("error")
    if not error or error["phase"] not in phases:
        return ""
    return f"{error['type']} during {error['phase']}{error['where']}: {error['message']}"


def failed(reason: str) -> Judged:
    return CaseVerdict(False, error=reason), ""


def judge_loss(result: dict, limits: Limits) -> Judged:
    """J must stay finite and its mean over the last steps fall below a fraction of the first's."""
    if reason := stopped_by(result, ("build", "training")):
        return failed(reason)
    losses, window = result["losses"], limits.loss_window
    if len(losses) < 2 * window:
        return failed(f"only {len(losses)} steps ran; {2 * window} are needed to compare the "
                      f"start of training with its end")
    bad = next((i for i, value in enumerate(losses) if not math.isfinite(value)), None)
    if bad is not None:
        return failed(f"J became {losses[bad]} at step {bad + 1}: training diverged (check "
                      f"the sign of step and the grads)")

    start, end = statistics.fmean(losses[:window]), statistics.fmean(losses[-window:])
    ratio = end / start if start > 0 else math.inf
    account = (f"mean J of steps 1-{window}: {start:.4g}; of steps "
               f"{len(losses) - window + 1}-{len(losses)}: {end:.4g}; ratio {ratio:.3g}, at "
               f"most {limits.loss_ratio:g} needed")
    if ratio <= limits.loss_ratio:
        return CaseVerdict(True), account
    hint = " (J rose: does step move against the grad?)" if end > start else ""
    return CaseVerdict(False, error=account + hint), account


def judge_accuracy(result: dict, test_labels: tuple[int, ...], limits: Limits) -> Judged:
    """The trained network must classify enough held-out digits right."""
    predictions = result.get("predictions")
    if predictions is None:
        return failed(stopped_by(result) or "no predictions came back")
    if len(predictions) != len(test_labels):
        return failed(f"{len(predictions)} predictions came back for {len(test_labels)} "
                      f"held-out digits")

    right = sum(p == t for p, t in zip(predictions, test_labels))
    accuracy = right / len(test_labels)
    account = (f"{right} of {len(test_labels)} held-out digits right ({accuracy:.1%}) after "
               f"{len(result['losses'])} steps; at least {limits.accuracy:.0%} needed")
    passed = accuracy >= limits.accuracy
    return CaseVerdict(passed, error="" if passed else account), account


STEP_CASES = ("data Inputs keep their values in step", "trainable Inputs move in step")


def judge_step(result: dict) -> dict[str, Judged]:
    """The first step: Inputs made with train=False keep their values, the others move."""
    first = result.get("first_step")
    if first is None:
        reason = stopped_by(result) or "the first step did not run"
        return {case: failed(reason) for case in STEP_CASES}

    kept = CaseVerdict(True)
    moved, still = [], []
    for name, trainable in first["trainable"].items():
        before, after = first["before"][name], first["after"][name]
        if trainable:
            same = before["shape"] == after["shape"] and before["data"] == after["data"]
            (still if same else moved).append(name)
        else:
            comparison = compare(decode(before).tolist(), after, rtol=0.0, atol=0.0)
            if not comparison.passed:
                comparison.message = f"{name} is not trainable but step changed it: " \
                    + comparison.message
            kept.comparisons.append((f"{name} after step", comparison))
    kept.passed = all(c.passed for _, c in kept.comparisons)
    frozen = ", ".join(label.split()[0] for label, _ in kept.comparisons)
    moving = CaseVerdict(not still, error="" if not still else
                         f"{', '.join(still)} (train=True) kept their values in step although "
                         f"their grads are not zero")
    return {
        STEP_CASES[0]: (kept, f"{frozen} (train=False) compared before and after the first "
                              f"step"),
        STEP_CASES[1]: (moving, f"moved in the first step: {', '.join(moved) or 'none'}"),
    }


def judge_time(result: dict, limits: Limits) -> Judged:
    """The median CPU time of a step must stay under the limit, and training must finish."""
    if reason := stopped_by(result, ("build", "training")):
        return failed("not measured: " + reason)
    steps = result["step_cpu_s"]
    if not steps:
        return failed("not measured: no step ran")

    median_ms = 1000 * statistics.median(steps)
    account = (f"median {median_ms:.3g} ms of CPU time per step over {len(steps)} steps "
               f"({result['train_wall_s']:.2f} s of wall time in all); at most "
               f"{limits.step_ms:g} ms allowed")
    if result["stopped"]:
        return CaseVerdict(False, error=f"{result['stopped']}; {account}"), account
    passed = median_ms <= limits.step_ms
    return CaseVerdict(passed, error="" if passed else account), account


def judge_memory(result: dict, limits: Limits) -> Judged:
    """The peak memory of training must stay under the limit."""
    if reason := stopped_by(result, ("build", "training")):
        return failed("not measured: " + reason)
    memory = result.get("memory")
    if memory is None:
        return failed("not measured: training did not finish")

    account = (f"peak {memory['peak_mib']:.1f} MiB above the memory in use before training "
               f"({memory['kind']}); at most {limits.memory_mib:g} MiB allowed")
    passed = memory["peak_mib"] <= limits.memory_mib
    return CaseVerdict(passed, error="" if passed else account), account
