"""The Network: a gradient tape; you implement it.

A tape is the list of layers in the order they are computed. Every layer is added after the
layers it reads, so walking the list front to back computes every output (forward), and
walking it back to front visits a layer only after every layer that reads it has sent its
gradient, so each layer's grad is complete when its own backward runs (backward).

This file does not import layers.py: a Network only calls the layers' own methods
(``forward``, ``backward``, ``clear_grad``, ``accumulate_grad``, ``step``, and ``set`` on
the input layer) and reads their ``inputs`` and ``output``.
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
        """Start an empty tape: ``layers`` is [], ``input`` and ``output`` are None."""
        raise NotImplementedError(
            "Network.__init__: set self.layers to [] and self.input and self.output to None"
        )

    def add(self, layer):
        """Append ``layer`` to the tape; every layer it reads must have been added already."""
        raise NotImplementedError(
            "Network.add: raise ValueError when one of layer.inputs is not on the tape yet, "
            "otherwise append layer to self.layers unless it is already there"
        )

    def set_input(self, layer):
        """Make ``layer`` (an Input) the one ``forward(x)`` sets; adds it if needed."""
        raise NotImplementedError(
            "Network.set_input: add layer to the tape (if it is not there yet) and store it "
            "in self.input"
        )

    def set_output(self, layer):
        """Make ``layer`` the output J; it must already be on the tape."""
        raise NotImplementedError(
            "Network.set_output: raise ValueError when layer is not on the tape, otherwise "
            "store it in self.output"
        )

    def forward(self, x=None):
        """Compute every layer front to back and return the output layer's value.

        When ``x`` is given it is first stored in the input layer with ``set``.
        """
        raise NotImplementedError(
            "Network.forward: set the input layer to x when x is given, call forward() on "
            "every layer front to back, and return the output layer's output"
        )

    def backward(self):
        """Clear every grad, seed dJ/dJ = 1 at the output, then walk the tape back to front."""
        raise NotImplementedError(
            "Network.backward: clear every layer's grad, accumulate ones of the output's shape "
            "into the output layer, then call backward() on every layer back to front"
        )

    def step(self, step_size):
        """Ask every layer to take one gradient-descent step (only trainable Inputs move)."""
        raise NotImplementedError(
            "Network.step: call step(step_size) on every layer on the tape"
        )
