"""Unit tests for the Sum layer: the model to copy for your own per-layer tests.

Run ``python test_sum.py`` in the folder that holds your layers.py. Every test builds a few
layers by hand, runs them the way a Network would (forward front to back; backward: clear
every grad, seed dJ/d output, then backward back to front; step on every layer), and checks
numbers worked out on paper in the comments. Write one such file per layer (test_linear.py,
test_relu.py, ...) before you trust a whole network.
"""

import unittest

import numpy as np
import torch

from layers import Input, Sum

# float32 holds every number below exactly; the tolerance only absorbs rounding in your code.
RTOL = 1e-6
ATOL = 1e-6


class TestSum(unittest.TestCase):
    def setUp(self):
        # a and b have shape (2, 2): two features, two samples (the columns).
        # a is a trainable parameter, b is not.
        self.a = Input((2, 2), train=True)
        self.a.set(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
        self.b = Input((2, 2), train=False)
        self.b.set(torch.tensor([[10.0, 20.0], [30.0, 40.0]]))
        self.total = Sum(self.a, self.b)
        self.layers = [self.a, self.b, self.total]

    def run_forward(self):
        """Compute every layer front to back, as Network.forward does."""
        for layer in self.layers:
            layer.forward()

    def run_backward(self, seed):
        """Clear every grad, give ``seed`` to the last layer, then backward back to front."""
        for layer in self.layers:
            layer.clear_grad()
        self.layers[-1].accumulate_grad(seed)
        for layer in reversed(self.layers):
            layer.backward()

    def test_forward(self):
        self.run_forward()

        # a + b, entry by entry:
        #   [[1 + 10, 2 + 20],    [[11, 22],
        #    [3 + 30, 4 + 40]]  =  [33, 44]]
        np.testing.assert_allclose(
            self.total.output.numpy(), [[11.0, 22.0], [33.0, 44.0]], rtol=RTOL, atol=ATOL
        )

    def test_backward(self):
        self.run_forward()

        # Seed dJ/d output = g. d(a + b)/da = d(a + b)/db = 1, so both inputs receive g itself.
        g = torch.tensor([[1.0, -1.0], [0.5, 2.0]])
        self.run_backward(g)

        expected = [[1.0, -1.0], [0.5, 2.0]]
        np.testing.assert_allclose(self.a.grad.numpy(), expected, rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(self.b.grad.numpy(), expected, rtol=RTOL, atol=ATOL)

    def test_backward_same_input_twice(self):
        # Sum(a, a) = 2a: a is read twice, so it receives g twice and its grad is g + g = 2g.
        double = Sum(self.a, self.a)
        self.layers = [self.a, double]
        self.run_forward()
        self.run_backward(torch.tensor([[1.0, -1.0], [0.5, 2.0]]))

        np.testing.assert_allclose(
            self.a.grad.numpy(), [[2.0, -2.0], [1.0, 4.0]], rtol=RTOL, atol=ATOL
        )

    def test_step(self):
        self.run_forward()
        self.run_backward(torch.tensor([[1.0, -1.0], [0.5, 2.0]]))

        for layer in self.layers:
            layer.step(0.5)

        # a is trainable: a - 0.5 * g
        #   [[1 - 0.5 * 1,   2 - 0.5 * (-1)],    [[0.5,  2.5],
        #    [3 - 0.5 * 0.5, 4 - 0.5 * 2   ]]  =  [2.75, 3.0]]
        np.testing.assert_allclose(
            self.a.output.numpy(), [[0.5, 2.5], [2.75, 3.0]], rtol=RTOL, atol=ATOL
        )
        # b is not trainable: it keeps its value although its grad is g too.
        np.testing.assert_allclose(
            self.b.output.numpy(), [[10.0, 20.0], [30.0, 40.0]], rtol=RTOL, atol=ATOL
        )


if __name__ == "__main__":
    unittest.main()
