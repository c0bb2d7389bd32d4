import torch


class Network:
    def __init__(self):
        self.layers = []
        self.input_layer = None
        self.output_layer = None

    def add(self, layer):
        # the tape only works if the inputs of a layer are computed before it
        for inp in layer.inputs:
            if all(inp is not l for l in self.layers):
                raise ValueError(f"Network.add: an input of {type(layer).__name__} "
                                 f"was not added before it")
        if all(layer is not l for l in self.layers):
            self.layers.append(layer)

    def set_input(self, layer):
        self.add(layer)
        self.input_layer = layer

    def set_output(self, layer):
        if all(layer is not l for l in self.layers):
            raise ValueError("Network.set_output: add the layer to the network first")
        self.output_layer = layer

    def forward(self, x=None):
        if x is not None:
            self.input_layer.set(x)
        for layer in self.layers:
            layer.forward()
        return self.output_layer.outputs

    def backward(self):
        for layer in self.layers:
            layer.clear_grads()
        self.output_layer.accumulate_grads(torch.ones_like(self.output_layer.outputs))
        for layer in reversed(self.layers):
            layer.backward()

    def step(self, step_size):
        for layer in self.layers:
            layer.step(step_size)
