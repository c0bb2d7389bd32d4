import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graders.fixtures import load_cases  # noqa: E402
from graders.worker.api import Library  # noqa: E402
from reference import layers, network  # noqa: E402

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
