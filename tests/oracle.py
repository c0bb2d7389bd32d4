"""An independent answer key: each fixture case recomputed with torch.autograd.

The lab forbids autograd to students and to the reference; the tests use it here, and only
here, to check that every expected value in the fixtures (and every reference result) is
right.
"""

import torch


def _forward(kind, x, params):
    """One layer's value from its inputs, written with autograd-tracked torch operations."""
    if kind == "Linear":
        return x["W"] @ x["x"] + x["b"]
    if kind == "ReLU":
        return torch.relu(x["x"])
    if kind == "MSELoss":
        return ((x["x"] - x["y"].detach()) ** 2).sum() / x["x"].shape[1]
    if kind == "Regularization":
        return params["lambda"] * (x["W"] ** 2).sum()
    if kind == "Softmax":
        log_p = torch.log_softmax(x["x"], dim=0)
        return -(x["y"].detach() * log_p).sum() / x["x"].shape[1]
    if kind == "Sum":
        return x["a"] + x["b"]
    raise ValueError(f"unknown layer type {kind}")


def evaluate(spec, dtype=torch.float64):
    """Outputs, classifications, grads and after-step values of a case, by autograd."""
    values, classifications = {}, {}
    for layer in spec["layers"]:
        name = layer["name"]
        if layer["type"] == "Input":
            values[name] = torch.tensor(layer["value"], dtype=dtype, requires_grad=True)
        else:
            inputs = {role: values[source] for role, source in layer["inputs"].items()}
            values[name] = _forward(layer["type"], inputs, layer.get("params", {}))
            if layer["type"] == "Softmax":
                classifications[name] = torch.softmax(inputs["x"], dim=0).detach()
        values[name].retain_grad()

    result = {"outputs": {n: v.detach() for n, v in values.items()},
              "classifications": classifications}
    if spec["stage"] != "backward":
        return result

    if spec.get("network"):
        objective = values[spec["network"]["output"]].sum()
    else:
        objective = sum((values[s["layer"]] * torch.tensor(s["grad"], dtype=dtype)).sum()
                        for s in spec["seed"])
    objective.backward()
    grads = {}
    for name, value in values.items():
        grads[name] = value.grad if value.grad is not None else torch.zeros_like(value)
    result["grads"] = {n: g.detach() for n, g in grads.items()}

    after = {}
    for layer in spec["layers"]:
        if layer["type"] == "Input":
            value = values[layer["name"]].detach()
            if layer["train"]:
                value = value - spec["step_size"] * grads[layer["name"]]
            after[layer["name"]] = value
    result["after_step"] = after
    return result
