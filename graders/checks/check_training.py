"""Checks of the training stage: the submission's network trained on the bundled digits.

The worker trains once (GradingSession.training); every check judges a part of its answer
with the limits of rubrics/training.toml (graders/training.py holds the verdicts).
"""

import pytest

from graders.sandbox import WorkerError
from graders.session import CaseVerdict, sentence
from graders.training import (STEP_CASES, judge_accuracy, judge_loss, judge_memory,
                              judge_step, judge_time, plan, settings)
from helpers import conclude

EXPERIMENT, LIMITS = settings()
SETUP = (f"64 pixels -> {EXPERIMENT.hidden} ReLU -> 10, J = Softmax + Regularization(W1, "
         f"{EXPERIMENT.lam:g}), {EXPERIMENT.steps} steps of size {EXPERIMENT.step_size:g} on "
         f"batches of {EXPERIMENT.batch_size} of {EXPERIMENT.train_samples} digits")


def trained(grading):
    """The worker's result, or a failed verdict saying why there is none."""
    try:
        return grading.training(), None
    except WorkerError as error:
        return None, CaseVerdict(False, error=sentence(error))


def judged(grading, judge, *args):
    result, failure = trained(grading)
    if failure is not None:
        return failure, ""
    return judge(result, *args)


@pytest.mark.check("loss-decreases")
def check_loss_decreases(grading, record):
    verdict, account = judged(grading, judge_loss, LIMITS)
    conclude(record, verdict, case="J falls from the first steps to the last",
             derivation=f"{SETUP}. {account}")


@pytest.mark.check("accuracy")
def check_accuracy(grading, record):
    verdict, account = judged(grading, judge_accuracy, plan(EXPERIMENT).test_labels, LIMITS)
    conclude(record, verdict, case=f"accuracy on {EXPERIMENT.test_samples} held-out digits",
             derivation=f"{SETUP}. {account}")


@pytest.mark.parametrize("case", STEP_CASES)
@pytest.mark.check("step-trainable-only")
def check_step_moves_only_trainable_inputs(grading, record, case):
    result, failure = trained(grading)
    verdict, account = (failure, "") if failure else judge_step(result)[case]
    conclude(record, verdict, case=case,
             derivation=f"Network.step({EXPERIMENT.step_size:g}) after the first backward. "
                        f"{account}")


@pytest.mark.check("time")
def check_time(grading, record):
    verdict, account = judged(grading, judge_time, LIMITS)
    conclude(record, verdict, case="CPU time of one training step", derivation=account)


@pytest.mark.check("memory")
def check_memory(grading, record):
    verdict, account = judged(grading, judge_memory, LIMITS)
    conclude(record, verdict, case="peak memory of training", derivation=account)
