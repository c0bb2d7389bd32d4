"""Unit tests for the Regularization layer: s = lambda * ||W||^2, a scalar.

Run ``python test_regularization.py`` in the folder that holds layers.py. ||W||^2 is the sum
of the squares of all of W's entries; the factor is lambda itself (not lambda / 2), so
dJ/dW = dJ/ds * 2 * lambda * W. The value does not depend on the batch: W has no samples.
"""

import unittest

import numpy as np
import torch

from layers import Input, Regularization

# float32 holds every number below exactly; the tolerance only absorbs rounding in your code.
RTOL = 1e-6
ATOL = 1e-6

LAMBDA = 0.25
# A (2, 3) weight matrix, as in a Linear layer with 3 inputs and 2 outputs, and a column.
W_MATRIX = [[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]]
W_COLUMN = [[-2.0], [1.5], [4.0]]


class TestRegularization(unittest.TestCase):
    def build(self, W_value):
        """W (trainable) and s = Regularization(W, LAMBDA)."""
        self.W = Input(tuple(torch.tensor(W_value).shape), train=True)
        self.W.set(torch.tensor(W_value))
        self.s = Regularization(self.W, LAMBDA)
        self.layers = [self.W, self.s]

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

    def test_forward_matrix(self):
        self.build(W_MATRIX)
        self.run_forward()

        # ||W||^2 = 1 + 4 + 0.25 + 0 + 9 + 1 = 15.25; s = 0.25 * 15.25 = 3.8125.
        # (lambda / 2 would give 1.90625; a sum of the entries instead of their squares, 0.375.)
        self.assertEqual(tuple(self.s.output.shape), ())
        np.testing.assert_allclose(self.s.output.numpy(), 3.8125, rtol=RTOL, atol=ATOL)

    def test_forward_column(self):
        self.build(W_COLUMN)
        self.run_forward()

        # ||W||^2 = 4 + 2.25 + 16 = 22.25; s = 0.25 * 22.25 = 5.5625.
        self.assertEqual(tuple(self.s.output.shape), ())
        np.testing.assert_allclose(self.s.output.numpy(), 5.5625, rtol=RTOL, atol=ATOL)

    def test_backward_matrix(self):
        self.build(W_MATRIX)
        self.run_forward()

        # Seed dJ/ds = 3. dJ/dW = 3 * 2 * 0.25 * W = 1.5 W:
        #   1.5 * [[1, -2, 0.5], [0, 3, -1]] = [[1.5, -3, 0.75], [0, 4.5, -1.5]]
        self.run_backward(torch.tensor(3.0))

        np.testing.assert_allclose(
            self.W.grad.numpy(), [[1.5, -3.0, 0.75], [0.0, 4.5, -1.5]], rtol=RTOL, atol=ATOL
        )

    def test_backward_column(self):
        self.build(W_COLUMN)
        self.run_forward()

        # Seed dJ/ds = 1: dJ/dW = 2 * 0.25 * W = 0.5 W = (-1, 0.75, 2).
        self.run_backward(torch.tensor(1.0))

        np.testing.assert_allclose(
            self.W.grad.numpy(), [[-1.0], [0.75], [2.0]], rtol=RTOL, atol=ATOL
        )

    def test_backward_adds_to_the_grad_W_already_has(self):
        self.build(W_COLUMN)
        self.run_forward()

        # A Linear layer that reads W has already sent (1, 1, 1); Regularization adds
        # 0.5 W = (-1, 0.75, 2): (0, 1.75, 3).
        for layer in self.layers:
            layer.clear_grad()
        self.W.accumulate_grad(torch.ones(3, 1))
        self.s.accumulate_grad(torch.tensor(1.0))
        for layer in reversed(self.layers):
            layer.backward()

        np.testing.assert_allclose(
            self.W.grad.numpy(), [[0.0], [1.75], [3.0]], rtol=RTOL, atol=ATOL
        )

    def test_step(self):
        self.build(W_MATRIX)
        self.run_forward()
        self.run_backward(torch.tensor(3.0))

        for layer in self.layers:
            layer.step(0.5)

        # W - 0.5 * 1.5 W = 0.25 W: the step shrinks every weight towards 0.
        #   0.25 * [[1, -2, 0.5], [0, 3, -1]] = [[0.25, -0.5, 0.125], [0, 0.75, -0.25]]
        np.testing.assert_allclose(
            self.W.output.numpy(), [[0.25, -0.5, 0.125], [0.0, 0.75, -0.25]], rtol=RTOL, atol=ATOL
        )


if __name__ == "__main__":
    unittest.main()
