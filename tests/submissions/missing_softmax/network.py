import torch


class Network:
    def __init__(self):
        self.layers = []
        self.input = None
        self.output = None

    def add(self, layer):
        known = [id(l) for l in self.layers]
        for i in layer.inputs:
            if id(i) not in known:
                raise ValueError(f"Network.add: {type(i).__name__} (an input of "
                                 f"{type(layer).__name__}) is not in the network yet")
        if id(layer) not in known:
            self.layers.append(layer)

    def set_input(self, layer):
        self.add(layer)
        self.input = layer

    def set_output(self, layer):
        if id(layer) not in [id(l) for l in self.layers]:
            raise ValueError("Network.set_output: layer is not in the network")
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
