"""The reference solution against every fixture case, and every case against autograd."""

import pytest
import torch

from support import CASES, DEVICES, case_ids, reference_library
from graders.compare import compare
from graders.fixtures import strip_expected
from graders.worker.cases import encode, run_case
from oracle import evaluate


def expected_values(spec):
    """(section, layer name, expected VALUE) for every value a case states."""
    for name, values in spec["expected"].items():
        for key, value in values.items():
            yield ("outputs" if key == "output" else "classifications"), name, value
    for name, value in spec.get("expected_grads", {}).items():
        yield "grads", name, value
    for name, value in spec.get("expected_after_step", {}).items():
        yield "after_step", name, value


def assert_agrees(spec, result, rtol, atol):
    assert result["error"] is None, result["error"]
    assert not result["read_errors"], result["read_errors"]
    for section, name, value in expected_values(spec):
        verdict = compare(value, result[section].get(name), rtol=rtol, atol=atol)
        assert verdict.passed, f"{spec['name']}: {section}[{name}]: {verdict.message}; " \
                               f"expected {verdict.expected}, got {verdict.got}"


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_reference_passes_fixture(case, dtype, device):
    result = run_case(reference_library(), strip_expected(case.spec), dtype=dtype,
                      device=device)
    tight = dtype == torch.float64
    assert_agrees(case.spec, result, rtol=1e-10 if tight else 1e-5,
                  atol=1e-12 if tight else 1e-6)


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_fixture_agrees_with_autograd(case):
    oracle = evaluate(case.spec)
    answer = {section: {name: encode(value) for name, value in values.items()}
              for section, values in oracle.items()}
    answer.update(error=None, read_errors={})
    assert_agrees(case.spec, answer, rtol=1e-12, atol=1e-12)


def test_every_layer_has_forward_and_backward_cases():
    kinds = {(case.layer, case.stage) for case in CASES}
    for layer in ("Input", "Linear", "ReLU", "MSELoss", "Regularization", "Softmax", "Sum",
                  "Network"):
        assert (layer, "forward") in kinds, f"no forward case for {layer}"
        assert (layer, "backward") in kinds, f"no backward case for {layer}"


def test_at_least_nine_fixture_files():
    assert len({case.file for case in CASES}) >= 9
