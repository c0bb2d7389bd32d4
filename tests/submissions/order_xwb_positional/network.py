import torch


class Network:
    """Keeps the layers in the order they were added (the tape)."""

    def __init__(self):
        self.layers = []
        self.input = None
        self.output = None

    def _has(self, layer):
        return any(layer is other for other in self.layers)

    def add(self, layer):
        for i in layer.inputs:
            if not self._has(i):
                raise ValueError(f"{type(layer).__name__}: one of its inputs is not added yet")
        if not self._has(layer):
            self.layers.append(layer)

    def set_input(self, layer):
        self.add(layer)
        self.input = layer

    def set_output(self, layer):
        if not self._has(layer):
            raise ValueError("set_output: add the layer first")
        self.output = layer

    def forward(self, x=None):
        if x is not None:
            self.input.set(x)
        for layer in self.layers:
            layer.forward()
        return self.output.output

    def backward(self):
        for layer in self.layers:
            layer.clear_grad()
        self.output.accumulate_grad(torch.ones_like(self.output.output))
        for layer in reversed(self.layers):
            layer.backward()

    def step(self, step_size):
        for layer in self.layers:
            layer.step(step_size)
