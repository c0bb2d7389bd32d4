"""The training benchmark compares like with like: the tape and torch.nn do the same steps."""

import re

import pytest

from graders import bench_training
from graders.bench_training import IMPLEMENTATIONS, Size

TINY = Size(features=6, hidden=5, classes=3, batch=4, batches=3, epochs=2)


def trained(implementation: str) -> list[float]:
    """The mean J of every epoch of one implementation at the tiny size."""
    if implementation == "reference":
        batches, epoch = bench_training.reference_trainer(TINY, "cpu")
    else:
        batches, epoch = bench_training.torch_trainer(TINY, "cpu", implementation == "torch+dx")
    orders = bench_training.problem(TINY, "cpu")[3]
    return [epoch(batches(order)) for order in orders]


def test_every_implementation_follows_the_same_losses():
    losses = {implementation: trained(implementation) for implementation in IMPLEMENTATIONS}
    for implementation in IMPLEMENTATIONS[1:]:
        assert losses[implementation] == pytest.approx(losses["reference"], rel=1e-5)
    assert losses["reference"][-1] < losses["reference"][0]


def test_a_run_reports_time_memory_and_loss():
    run = bench_training.measure("reference", TINY, "cpu")
    assert run.epoch_s > 0 and run.epoch_cpu_s > 0 and run.peak_mib >= 0
    assert run.final_loss == pytest.approx(trained("reference")[-1], rel=1e-6)


def test_the_report_flags_runs_that_did_not_compute_the_same():
    runs = {"reference": [bench_training.Run(0.01, 0.01, 1.0, 0.5)],
            "torch": [bench_training.Run(0.02, 0.02, 2.0, 0.7)],
            "torch+dx": [bench_training.Run(0.03, 0.03, 2.0, 0.5)]}
    rows = bench_training.report({"small": runs})
    assert any(re.search(r"reference / torch +time 0.50x \(CPU 0.50x\), peak memory 0.50x",
                         row) for row in rows)
    assert "DIFFERENT" in rows[-1]
