"""The training stage: the worker's experiment, the verdicts on it, and whole submissions."""

import json
import subprocess
import sys

import pytest

from support import ROOT, reference_library
from graders.training import (STEP_CASES, judge_accuracy, judge_loss, judge_memory, judge_step,
                              judge_time, load_digits, plan, settings)
from graders.worker.training import run_training

EXPERIMENT, LIMITS = settings()
PLAN = plan(EXPERIMENT)


@pytest.fixture(scope="module")
def reference_run() -> dict:
    """The reference library trained by the worker's code, here in the test process."""
    return run_training(reference_library(), PLAN.request)


def result_like(run: dict, **changes) -> dict:
    """A copy of a worker's result with some entries replaced."""
    copy = json.loads(json.dumps(run))
    copy.update(changes)
    return copy


# The experiment


def test_the_worker_gets_no_held_out_label():
    request = PLAN.request
    assert set(request) == {"x_train", "labels_train", "x_test", "classes", "weights",
                            "batches", "step_size", "lam", "budget_s"}
    assert len(request["x_test"][0]) == len(PLAN.test_labels) == EXPERIMENT.test_samples
    assert len(request["labels_train"]) == len(request["x_train"][0]) == \
        EXPERIMENT.train_samples


def test_the_experiment_is_the_same_every_time():
    assert plan.__wrapped__(EXPERIMENT) == PLAN
    assert len(PLAN.request["batches"]) == EXPERIMENT.steps
    assert {len(batch) for batch in PLAN.request["batches"]} == {EXPERIMENT.batch_size}


def test_the_shipped_digits_are_scikit_learns():
    datasets = pytest.importorskip("sklearn.datasets")
    digits = datasets.load_digits()
    images, labels = load_digits()
    assert images == digits.data.astype(int).tolist()
    assert labels == digits.target.astype(int).tolist()


# The verdicts on the reference, and on results that must fail


def test_the_reference_passes_every_verdict(reference_run):
    verdicts = [judge_loss(reference_run, LIMITS), judge_time(reference_run, LIMITS),
                judge_accuracy(reference_run, PLAN.test_labels, LIMITS),
                judge_memory(reference_run, LIMITS), *judge_step(reference_run).values()]
    for verdict, account in verdicts:
        assert verdict.passed, verdict.summary()
        assert account


def test_a_loss_that_becomes_nan_fails_with_its_step(reference_run):
    losses = reference_run["losses"][:]
    losses[41] = float("nan")
    verdict, _ = judge_loss(result_like(reference_run, losses=losses), LIMITS)
    assert not verdict.passed and "J became nan at step 42" in verdict.error


def test_a_rising_loss_hints_at_the_sign_of_step(reference_run):
    rising = list(reversed(reference_run["losses"]))
    verdict, _ = judge_loss(result_like(reference_run, losses=rising), LIMITS)
    assert not verdict.passed and "J rose: does step move against the grad?" in verdict.error


def test_a_flat_loss_fails_with_both_means(reference_run):
    flat = [2.3] * len(reference_run["losses"])
    verdict, _ = judge_loss(result_like(reference_run, losses=flat), LIMITS)
    assert not verdict.passed and "mean J of steps 1-20: 2.3" in verdict.error


def test_guessing_fails_the_accuracy(reference_run):
    guesses = [0] * len(PLAN.test_labels)
    verdict, _ = judge_accuracy(result_like(reference_run, predictions=guesses),
                                PLAN.test_labels, LIMITS)
    right = PLAN.test_labels.count(0)
    assert not verdict.passed and f"{right} of {len(PLAN.test_labels)} held-out" in verdict.error


def test_slow_steps_fail_the_time_limit(reference_run):
    slow = [LIMITS.step_ms * 2 / 1000] * len(reference_run["step_cpu_s"])
    verdict, _ = judge_time(result_like(reference_run, step_cpu_s=slow), LIMITS)
    assert not verdict.passed and f"median {LIMITS.step_ms * 2:g} ms" in verdict.error


def test_training_stopped_by_the_budget_fails_the_time_limit(reference_run):
    stopped = "stopped after 12 of 300 steps: the time budget of 60 s was spent"
    verdict, _ = judge_time(result_like(reference_run, stopped=stopped), LIMITS)
    assert not verdict.passed and verdict.error.startswith(stopped)


def test_too_much_memory_fails_the_memory_limit(reference_run):
    memory = {"peak_mib": LIMITS.memory_mib + 1, "kind": "resident memory"}
    verdict, _ = judge_memory(result_like(reference_run, memory=memory), LIMITS)
    assert not verdict.passed and f"{LIMITS.memory_mib + 1:.1f} MiB" in verdict.error


def test_a_data_input_changed_by_step_is_shown_with_its_numbers(reference_run):
    first = reference_run["first_step"]
    changed = json.loads(json.dumps(first["before"]["x"]))
    changed["data"][5] += 0.5
    after = dict(first["after"], x=changed)
    result = result_like(reference_run, first_step=dict(first, after=after))
    verdict, _ = judge_step(result)[STEP_CASES[0]]
    assert not verdict.passed
    assert "x is not trainable but step changed it" in verdict.summary()


def test_an_error_while_building_fails_every_check_with_its_message():
    error = {"phase": "build", "type": "NotImplementedError", "where": " (layers.py, line 9)",
             "message": "Input.__init__: call Layer.__init__"}
    result = {"losses": [], "first_step": None, "predictions": None, "step_cpu_s": [],
              "step_wall_s": [], "train_wall_s": None, "memory": None, "stopped": "",
              "error": error}
    verdicts = [judge_loss(result, LIMITS), judge_time(result, LIMITS),
                judge_accuracy(result, PLAN.test_labels, LIMITS),
                judge_memory(result, LIMITS), *judge_step(result).values()]
    for verdict, _ in verdicts:
        assert not verdict.passed
        assert "NotImplementedError during build (layers.py, line 9): Input.__init__" \
            in verdict.error


# Whole submissions, graded as `nox -s grade -- PATH --stage training` does


def grade(path, out) -> dict:
    done = subprocess.run([sys.executable, "-m", "graders", str(path), "--stage", "training",
                           "--out", str(out), "--device", "cpu"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads((out / "results.json").read_text())


def scores(results: dict) -> dict[str, float]:
    return {test["name"]: test["score"] for test in results["tests"]}


def changed_reference(folder, old: str, new: str):
    """The reference library with one piece of text replaced."""
    folder.mkdir()
    for name in ("layers.py", "network.py"):
        text = (ROOT / "reference" / name).read_text()
        if old in text:
            assert text.count(old) == 1
            text = text.replace(old, new)
        (folder / name).write_text(text)
    return folder


def test_the_reference_gets_full_marks(tmp_path):
    results = grade(ROOT / "reference", tmp_path)
    failed = "\n".join(t["output"] for t in results["tests"] if t["score"] < t["max_score"])
    assert results["score"] == results["max_score"] == 50, failed


def test_the_template_gets_zero_and_a_message_per_check(tmp_path):
    results = grade(ROOT / "student_template", tmp_path)
    assert results["score"] == 0 and len(results["tests"]) == 5
    for test in results["tests"]:
        assert "NotImplementedError during build" in test["output"], test["name"]
        assert "in __init__): Input.__init__: " in test["output"], test["name"]


def test_a_step_up_the_grad_loses_the_loss_and_accuracy_points(tmp_path):
    wrong = changed_reference(tmp_path / "step_plus", "self.output.sub_(self.grad",
                              "self.output.add_(self.grad")
    results = grade(wrong, tmp_path / "out")
    got = scores(results)
    assert results["score"] <= 20
    loss = next(t for t in results["tests"] if t["name"].startswith("The loss J"))
    assert loss["score"] == 0
    assert "J became" in loss["output"] or "J rose" in loss["output"]
    assert got["The trained network classifies held-out digits"] == 0


def test_a_step_that_moves_every_input_loses_the_step_points(tmp_path):
    wrong = changed_reference(
        tmp_path / "step_all", "        if self.train:\n            self.output.sub_(",
        "        if True:\n            self.output.sub_(")
    results = grade(wrong, tmp_path / "out")
    step = next(t for t in results["tests"] if t["name"].startswith("Network.step"))
    assert step["score"] == step["max_score"] / 2
    assert "x is not trainable but step changed it" in step["output"]
    assert results["score"] == 50 - step["max_score"] / 2
