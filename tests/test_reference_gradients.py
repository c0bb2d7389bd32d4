"""The reference's hand-written gradients against finite differences and autograd."""

import copy
import random

import pytest
import torch

from support import reference_library
from graders.compare import decode
from graders.hidden import LAYER_TYPES, layer_case, network_case
from graders.worker.cases import run_case
from oracle import evaluate

STEP = 1e-6


def objective(spec):
    """J of a case: the network's output, or the seeds' weighted sum of seeded outputs."""
    forward = dict(spec, stage="forward")
    outputs = run_case(reference_library(), forward)["outputs"]
    if spec.get("network"):
        return decode(outputs[spec["network"]["output"]]).sum().item()
    return sum((decode(outputs[s["layer"]]) * torch.tensor(s["grad"], dtype=torch.float64))
               .sum().item() for s in spec["seed"])


def finite_difference_grads(spec):
    """dJ/d value of every trainable Input by central differences."""
    grads = {}
    for index, layer in enumerate(spec["layers"]):
        if layer["type"] != "Input" or not layer["train"]:
            continue
        value = torch.tensor(layer["value"], dtype=torch.float64)
        grad = torch.zeros_like(value)
        for position in range(value.numel()):
            shifted = []
            for sign in (1, -1):
                moved = copy.deepcopy(spec)
                flat = value.clone().reshape(-1)
                flat[position] += sign * STEP
                moved["layers"][index]["value"] = flat.reshape(value.shape).tolist()
                shifted.append(objective(moved))
            grad.reshape(-1)[position] = (shifted[0] - shifted[1]) / (2 * STEP)
        grads[layer["name"]] = grad
    return grads


def random_specs():
    rng = random.Random(1234)
    specs = [layer_case(kind, rng, batch) for kind in LAYER_TYPES for batch in (1, 4)]
    specs += [network_case(rng, batch) for batch in (1, 5)]
    # Keep ReLU inputs away from the kink, where a finite difference is meaningless.
    for spec in specs:
        for layer in spec["layers"]:
            if layer["type"] == "Input" and spec["name"].startswith("hidden/relu"):
                layer["value"] = [[v if abs(v) > 0.01 else 0.5 for v in row]
                                  for row in layer["value"]]
    return specs


SPECS = random_specs()


@pytest.mark.parametrize("spec", SPECS, ids=[s["name"] for s in SPECS])
def test_gradients_match_finite_differences(spec):
    result = run_case(reference_library(), spec)
    assert result["error"] is None, result["error"]
    for name, expected in finite_difference_grads(spec).items():
        got = decode(result["grads"][name])
        assert torch.allclose(got, expected, rtol=1e-5, atol=1e-6), \
            f"{spec['name']}: grad of {name}: reference {got.tolist()}, " \
            f"finite differences {expected.tolist()}"


@pytest.mark.parametrize("spec", SPECS, ids=[s["name"] for s in SPECS])
def test_reference_matches_autograd_on_random_cases(spec):
    result = run_case(reference_library(), spec)
    oracle = evaluate(spec)
    for section in ("outputs", "grads", "after_step"):
        for name, expected in oracle[section].items():
            got = decode(result[section][name])
            assert torch.allclose(got, expected.reshape(got.shape), rtol=1e-10, atol=1e-12), \
                f"{spec['name']}: {section}[{name}]: reference {got.tolist()}, " \
                f"autograd {expected.tolist()}"
