import torch


class Network:
    def __init__(self):
        self.layers = []
        self.input = None
        self.output = None

    def add(self, layer):
        self.layers.append(layer)

    def set_input(self, layer):
        self.add(layer)
        self.input = layer

    def set_output(self, layer):
        self.output = layer

    def forward(self, x=None):
        if x is not None:
            self.input.set(x)
        for layer in self.layers:
            layer.forward()
        return self.output.outputs

    def backward(self):
        for layer in self.layers:
            layer.clear_grads()
        self.output.accumulate_grads(torch.ones_like(self.output.outputs))
        for layer in reversed(self.layers):
            layer.backward()

    def step(self, step_size):
        for layer in self.layers:
            layer.step(step_size)
