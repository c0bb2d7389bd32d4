"""Run one case (the fixture format without its expected values) through a Library.

The result holds plain numbers only: every value read from the submission is copied into a
nested list, so nothing the student's objects do can change how it compares later.
"""

import traceback

import torch

from .api import MappingError

PHASES = ("build", "forward", "backward", "step")


def to_tensor(value, dtype, device):
    return torch.tensor(value, dtype=dtype, device=device)


def encode(value):
    """A plain, JSON-ready copy of a tensor-like value: {"shape": [...], "data": [...]}.

    Tensor subclasses are stripped to plain tensors before reading, so no overridden method
    of theirs runs; the ``autograd`` flag records a value that carries a graph.
    """
    if isinstance(value, torch.Tensor):
        # No __torch_function__ of a subclass may run while the value is read.
        with torch._C.DisableTorchFunction():
            tensor = torch.Tensor.as_subclass(value, torch.Tensor)
            autograd = bool(tensor.requires_grad or tensor.grad_fn is not None)
            plain = tensor.detach().to(device="cpu", dtype=torch.float64).clone()
            return {"shape": list(plain.shape), "data": plain.reshape(-1).tolist(),
                    "autograd": autograd}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"shape": [], "data": [float(value)], "autograd": False}
    raise TypeError(f"expected a torch tensor, got {type(value).__name__}")


def describe_error(phase, error):
    """A short, traceback-free account of what the student's code raised."""
    frames = traceback.extract_tb(error.__traceback__)
    where = next((f for f in reversed(frames) if "/tapegrade_worker/" not in f.filename), None)
    place = f" ({where.filename.rsplit('/', 1)[-1]}, line {where.lineno}, in {where.name})" \
        if where else ""
    kind = "mapping" if isinstance(error, MappingError) else type(error).__name__
    message = f"{error}"[:2000]
    if isinstance(error, MemoryError) or "can't allocate memory" in message:
        message = "tried to use more memory than the grader allows: " + message[:300]
    return {"phase": phase, "type": kind, "message": message, "where": place}


def _read(result, section, name, getter, layer):
    try:
        result[section][name] = encode(getter(layer))
    except Exception as error:
        result["read_errors"][f"{section}.{name}"] = describe_error("read", error)["message"]


def run_case(library, case, dtype=torch.float64, device="cpu"):
    """Build, forward, backward and step one case; report what each phase produced."""
    result = {"outputs": {}, "classifications": {}, "grads": {}, "after_step": {},
              "error": None, "read_errors": {}}
    layers, order = {}, []
    phase = "build"
    try:
        for spec in case["layers"]:
            if spec["type"] == "Input":
                value = to_tensor(spec["value"], dtype, device)
                layer = library.make_input(value.shape, spec.get("train", False))
                library.set_value(layer, value)
            else:
                inputs = {role: layers[name] for role, name in spec["inputs"].items()}
                layer = library.make_layer(spec["type"], inputs, spec.get("params", {}))
            layers[spec["name"]] = layer
            order.append((spec, layer))
        network = case.get("network")
        net = None
        if network:
            net = library.make_network([layer for _, layer in order],
                                       layers[network["input"]], layers[network["output"]])

        phase = "forward"
        if net is not None:
            library.network_forward(net, layers[network["input"]])
        else:
            for spec, layer in order:
                inputs = [layers[n] for n in spec.get("inputs", {}).values()]
                library.forward(layer, inputs)
        for spec, layer in order:
            _read(result, "outputs", spec["name"], library.output, layer)
            if spec["type"] == "Softmax":
                _read(result, "classifications", spec["name"], library.classifications, layer)
        if case.get("stage") != "backward":
            return result

        phase = "backward"
        if net is not None:
            library.network_backward(net)
        else:
            for _, layer in order:
                library.clear_grad(layer)
            for seed in case["seed"]:
                grad = to_tensor(seed["grad"], dtype, device)
                library.accumulate_grad(layers[seed["layer"]], grad)
            for _, layer in reversed(order):
                library.backward(layer)
        for spec, layer in order:
            _read(result, "grads", spec["name"], library.grad, layer)

        phase = "step"
        if net is not None:
            library.network_step(net, case["step_size"])
        else:
            for _, layer in order:
                library.step(layer, case["step_size"])
        for spec, layer in order:
            if spec["type"] == "Input":
                _read(result, "after_step", spec["name"], library.output, layer)
    except BaseException as error:  # sys.exit() in student code too
        if isinstance(error, KeyboardInterrupt):
            raise
        result["error"] = describe_error(phase, error)
    return result
