import torch


class Network:
    # layers are kept in the order they are added = the order they are computed

    def __init__(self):
        self.layers = []
        self.input = None
        self.output = None

    def add(self, layer):
        for i in layer.inputs:
            if not any(i is l for l in self.layers):
                raise ValueError("Network.add: add the inputs of this layer first")
        if not any(layer is l for l in self.layers):
            self.layers.append(layer)

    def set_input(self, layer):
        self.add(layer)
        self.input = layer

    def set_output(self, layer):
        if not any(layer is l for l in self.layers):
            raise ValueError("Network.set_output: layer not in the network")
        self.output = layer

    def forward(self, x):
        # x is the batch, (features, batch_size)
        self.input.set(x)
        for l in self.layers:
            l.forward()
        return self.output.output

    def backward(self):
        for l in self.layers:
            l.clear_grad()
        self.output.accumulate_grad(torch.ones_like(self.output.output))
        for l in reversed(self.layers):
            l.backward()

    def step(self, step_size):
        for l in self.layers:
            l.step(step_size)
