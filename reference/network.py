"""The Network: a gradient tape (reference solution).

A tape is the list of layers in the order they are computed. Every layer is added after the
layers it reads, so walking the list front to back computes every output (forward), and
walking it back to front visits a layer only after every layer that reads it has sent its
gradient, so each layer's grad is complete when its own backward runs (backward).
"""

import torch


class Network:
    """The tape: layers in execution order, one Input that takes data and one output layer.

    Typical use::

        net = Network()
        net.set_input(x)                  # x = Input((features, batch))
        for layer in (W, b, t, z, loss):  # each after the layers it reads
            net.add(layer)
        net.set_output(loss)
        net.forward(batch_of_x)
        net.backward()
        net.step(0.01)
    """

    def __init__(self):
        self.layers = []
        self.input = None
        self.output = None
        self._added = set()

    def add(self, layer):
        """Append ``layer`` to the tape; every layer it reads must have been added already."""
        missing = [
            type(known).__name__ for known in getattr(layer, "inputs", ())
            if id(known) not in self._added
        ]
        if missing:
            raise ValueError(
                f"Network.add: {type(layer).__name__} reads {', '.join(missing)} which is not "
                f"on the tape yet; add the layers in the order they are computed"
            )
        if id(layer) not in self._added:
            self.layers.append(layer)
            self._added.add(id(layer))

    def set_input(self, layer):
        """Make ``layer`` (an Input) the one ``forward(x)`` sets; adds it if needed."""
        self.add(layer)
        self.input = layer

    def set_output(self, layer):
        """Make ``layer`` the output J; it must already be on the tape."""
        if id(layer) not in self._added:
            raise ValueError(
                f"Network.set_output: {type(layer).__name__} is not on the tape; "
                f"add it before making it the output"
            )
        self.output = layer

    def forward(self, x=None):
        """Compute every layer front to back and return the output layer's value.

        When ``x`` is given it is first stored in the input layer with ``set``.
        """
        if x is not None:
            self.input.set(x)
        for layer in self.layers:
            layer.forward()
        return self.output.output

    def backward(self):
        """Clear every grad, seed dJ/dJ = 1 at the output, then walk the tape back to front."""
        for layer in self.layers:
            layer.clear_grad()
        self.output.accumulate_grad(torch.ones_like(self.output.output))
        for layer in reversed(self.layers):
            layer.backward()

    def step(self, step_size):
        """Ask every layer to take one gradient-descent step (only trainable Inputs move)."""
        for layer in self.layers:
            layer.step(step_size)
