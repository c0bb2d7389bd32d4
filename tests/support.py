"""What the test modules share: the repository root, the fixture cases, the reference."""

from pathlib import Path

import pytest
import torch

from graders.fixtures import load_cases
from graders.worker.api import Library
from reference import layers, network

ROOT = Path(__file__).resolve().parent.parent

CASES = load_cases()

DEVICES = [
    "cpu",
    pytest.param("cuda", marks=pytest.mark.skipif(
        not torch.cuda.is_available(), reason="CUDA variant: no GPU on this machine")),
]


def reference_library() -> Library:
    """The reference solution behind the same adapter that drives students' code."""
    return Library([layers, network])


def case_ids(cases):
    return [case.name for case in cases]
