"""Small experiments on the Input and Layer contracts, reported as raw observations.

The worker only observes (values read back, whether a call raised); the scoring process
decides what passes.
"""

import torch

from .api import ROLES
from .cases import describe_error, encode

PROBE_KINDS = ("Input", "Linear", "ReLU", "MSELoss", "Regularization", "Softmax", "Sum",
               "Network")


def _attempt(observations, key, action):
    """Run ``action``; store its encoded result, or the error it raised, under ``key``."""
    try:
        value = action()
        observations[key] = encode(value) if value is not None else True
    except BaseException as error:  # sys.exit() in student code too
        if isinstance(error, KeyboardInterrupt):
            raise
        observations[key] = {"error": describe_error(key, error)}


def _input(library, shape, value=None, train=False):
    layer = library.make_input(shape, train)
    if value is not None:
        library.set_value(layer, value)
    return layer


def probe_construct(library, device):
    """Build one object of every class, with small inputs of consistent shapes."""
    found = {}

    def build(kind):
        if kind == "Input":
            return library.make_input((2, 3), False) and None
        if kind == "Network":
            return library.find_class("Network")() and None
        x = _input(library, (2, 3), torch.ones(2, 3, device=device))
        other = _input(library, (2, 3), torch.ones(2, 3, device=device))
        W = _input(library, (4, 2), torch.ones(4, 2, device=device), True)
        b = _input(library, (4, 1), torch.ones(4, 1, device=device), True)
        inputs = {"Linear": {"x": x, "W": W, "b": b}, "ReLU": {"x": x},
                  "MSELoss": {"x": x, "y": other}, "Softmax": {"x": x, "y": other},
                  "Regularization": {"W": W}, "Sum": {"a": x, "b": other}}[kind]
        params = {"lambda": 0.5} if "lambda" in ROLES[kind] else {}
        library.make_layer(kind, inputs, params)
        return None

    for kind in PROBE_KINDS:
        _attempt(found, kind, lambda: build(kind))
    return found


def probe_input(library, device):
    """Input.set, its shape check and copy, randomize, accumulate_grad, clear_grad, step."""
    seen = {}
    value = torch.arange(6.0, device=device).reshape(2, 3)
    x = {}

    def make():
        x["layer"] = _input(library, (2, 3), value)
        return library.output(x["layer"])

    _attempt(seen, "set", make)
    if "layer" not in x:
        return seen
    layer = x["layer"]

    def after_caller_changes():
        value.add_(100.0)
        return library.output(layer)

    _attempt(seen, "after_caller_changes", after_caller_changes)
    _attempt(seen, "set_wrong_shape", lambda: library.set_value(layer, torch.ones(3, 2)))

    def randomized():
        W = library.make_input((4, 5), True)
        library.randomize(W)
        return library.output(W)

    _attempt(seen, "randomize", randomized)

    first = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], device=device)
    second = torch.tensor([[0.5, 0.5, 0.5], [-1.0, -1.0, -1.0]], device=device)

    def accumulated():
        layer2 = _input(library, (2, 3), torch.zeros(2, 3, device=device))
        library.clear_grad(layer2)
        library.accumulate_grad(layer2, first)
        library.accumulate_grad(layer2, second)
        x["accumulated"] = layer2
        return library.grad(layer2)

    _attempt(seen, "accumulate_twice", accumulated)

    def cleared():
        layer2 = x.get("accumulated") or _input(library, (2, 3), torch.zeros(2, 3))
        library.clear_grad(layer2)
        return library.grad(layer2)

    _attempt(seen, "clear_grad", cleared)

    def stepped(train):
        start = torch.tensor([[1.0, 2.0], [3.0, 4.0]], device=device)
        layer2 = _input(library, (2, 2), start, train)
        library.clear_grad(layer2)
        library.accumulate_grad(layer2, torch.tensor([[1.0, -2.0], [0.5, 4.0]], device=device))
        library.step(layer2, 0.5)
        return library.output(layer2)

    _attempt(seen, "step_trainable", lambda: stepped(True))
    _attempt(seen, "step_fixed", lambda: stepped(False))
    return seen


PROBES = {"construct": probe_construct, "input": probe_input}


def run_probe(library, name, device):
    return PROBES[name](library, device)
