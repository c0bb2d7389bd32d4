"""Seeded random cases in the fixture format, with expected values from the reference.

Students see the fixtures; these cases they never see. They are built from a seed in the
scoring process, their expected values computed there by the reference solution, and only
their inputs (``strip_expected``) are ever sent to a worker.
"""

import random

import torch

from .worker.api import Library
from .worker.cases import run_case

LAYER_TYPES = ("Linear", "ReLU", "MSELoss", "Regularization", "Softmax", "Sum")


def _matrix(rng, rows, cols, low=-3.0, high=3.0):
    return [[round(rng.uniform(low, high), 3) for _ in range(cols)] for _ in range(rows)]


def _one_hot(rng, classes, batch):
    labels = [rng.randrange(classes) for _ in range(batch)]
    return [[1.0 if labels[j] == i else 0.0 for j in range(batch)] for i in range(classes)]


def _input(name, value, train):
    return {"name": name, "type": "Input", "value": value, "train": train}


def layer_case(kind, rng, batch, stage="backward"):
    """A random case of one layer of ``kind``, seeded with a random output grad."""
    features, out = rng.randint(2, 4), rng.randint(2, 4)
    if kind == "Linear":
        layers = [_input("x", _matrix(rng, features, batch), False),
                  _input("W", _matrix(rng, out, features), True),
                  _input("b", _matrix(rng, out, 1), True),
                  {"name": "out", "type": "Linear", "inputs": {"x": "x", "W": "W", "b": "b"}}]
        shape = (out, batch)
    elif kind == "ReLU":
        layers = [_input("x", _matrix(rng, features, batch), True),
                  {"name": "out", "type": "ReLU", "inputs": {"x": "x"}}]
        shape = (features, batch)
    elif kind in ("MSELoss", "Softmax"):
        target = _one_hot(rng, features, batch) if kind == "Softmax" \
            else _matrix(rng, features, batch)
        layers = [_input("x", _matrix(rng, features, batch), True),
                  _input("y", target, False),
                  {"name": "out", "type": kind, "inputs": {"x": "x", "y": "y"}}]
        shape = ()
    elif kind == "Regularization":
        layers = [_input("W", _matrix(rng, out, features), True),
                  {"name": "out", "type": "Regularization", "inputs": {"W": "W"},
                   "params": {"lambda": round(rng.uniform(0.05, 0.5), 2)}}]
        shape = ()
    elif kind == "Sum":
        layers = [_input("a", _matrix(rng, features, batch), True),
                  _input("b", _matrix(rng, features, batch), False),
                  {"name": "out", "type": "Sum", "inputs": {"a": "a", "b": "b"}}]
        shape = (features, batch)
    else:
        raise ValueError(f"no random case for {kind}")
    seed = round(rng.uniform(0.5, 2.0), 3) if shape == () else _matrix(rng, *shape)
    return {"name": f"hidden/{kind.lower()}-batch-{batch}", "stage": stage, "layers": layers,
            "seed": [{"layer": "out", "grad": seed}], "step_size": 0.1}


def network_case(rng, batch, hidden=3, stage="backward"):
    """A random two-layer network: Linear, ReLU, Linear, MSELoss + two Regularizations."""
    inputs, outputs = rng.randint(2, 4), rng.randint(2, 3)
    lam = round(rng.uniform(0.05, 0.3), 2)
    layers = [
        _input("x", _matrix(rng, inputs, batch), False),
        _input("W1", _matrix(rng, hidden, inputs, -1, 1), True),
        _input("b1", _matrix(rng, hidden, 1, -1, 1), True),
        _input("W2", _matrix(rng, outputs, hidden, -1, 1), True),
        _input("b2", _matrix(rng, outputs, 1, -1, 1), True),
        _input("y", _matrix(rng, outputs, batch), False),
        {"name": "h", "type": "Linear", "inputs": {"x": "x", "W": "W1", "b": "b1"}},
        {"name": "r", "type": "ReLU", "inputs": {"x": "h"}},
        {"name": "o", "type": "Linear", "inputs": {"x": "r", "W": "W2", "b": "b2"}},
        {"name": "L", "type": "MSELoss", "inputs": {"x": "o", "y": "y"}},
        {"name": "s1", "type": "Regularization", "inputs": {"W": "W1"},
         "params": {"lambda": lam}},
        {"name": "s2", "type": "Regularization", "inputs": {"W": "W2"},
         "params": {"lambda": lam}},
        {"name": "s", "type": "Sum", "inputs": {"a": "s1", "b": "s2"}},
        {"name": "J", "type": "Sum", "inputs": {"a": "L", "b": "s"}},
    ]
    return {"name": f"hidden/network-batch-{batch}", "stage": stage, "layers": layers,
            "network": {"input": "x", "output": "J"}, "step_size": 0.1}


def hidden_specs(seed: int, stage: str) -> list[dict]:
    """The hidden cases of a stage: every layer at batch 1 and 3, and a whole network."""
    rng = random.Random(seed)
    specs = [layer_case(kind, rng, batch, stage) for kind in LAYER_TYPES for batch in (1, 3)]
    specs.append(network_case(rng, batch=4, stage=stage))
    return specs


def with_expected(spec: dict, library: Library) -> dict:
    """The spec completed with the reference's values, in the fixture format."""
    result = run_case(library, spec)
    if result["error"] is not None:
        raise RuntimeError(f"reference failed on {spec['name']}: {result['error']}")
    plain = {section: {name: torch.tensor(v["data"], dtype=torch.float64)
                       .reshape(v["shape"]).tolist() for name, v in values.items()}
             for section, values in result.items() if isinstance(values, dict)
             and section != "read_errors"}
    done = dict(spec)
    done["derivation"] = "A hidden case: random values, expected values from the reference."
    done["expected"] = {name: {"output": value} for name, value in plain["outputs"].items()}
    for name, value in plain["classifications"].items():
        done["expected"][name]["classifications"] = value
    if spec["stage"] == "backward":
        done["expected_grads"] = plain["grads"]
        done["expected_after_step"] = plain["after_step"]
    return done
