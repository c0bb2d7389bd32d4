"""Unit tests for the MSELoss layer: L = (1/m) * sum of (x - y)**2, a scalar.

Run ``python test_mse_loss.py`` in the folder that holds layers.py. The squared error of a
sample is summed over its features and averaged over the m samples of the batch. x has three
features, so averaging over all entries (dividing by 3m) or over nothing gives other numbers.
"""

import unittest

import numpy as np
import torch

from layers import Input, MSELoss

# float32 holds every number below exactly; the tolerance only absorbs rounding in your code.
RTOL = 1e-6
ATOL = 1e-6

# Predictions x and targets y, three features; x - y is written next to them.
X_BATCH_1 = [[2.0], [-1.0], [0.5]]
Y_BATCH_1 = [[1.0], [1.0], [0.5]]                 # x - y = (1, -2, 0)
X_BATCH_2 = [[2.0, 0.0], [-1.0, 3.0], [0.5, 1.0]]
Y_BATCH_2 = [[1.0, 1.0], [1.0, 1.0], [0.5, -1.0]]  # x - y = [[1, -1], [-2, 2], [0, 2]]


class TestMSELoss(unittest.TestCase):
    def build(self, x_value, y_value):
        """x (the prediction, trainable here), y (the target, not trainable), L = MSELoss."""
        shape = tuple(torch.tensor(x_value).shape)
        self.x = Input(shape, train=True)
        self.x.set(torch.tensor(x_value))
        self.y = Input(shape, train=False)
        self.y.set(torch.tensor(y_value))
        self.L = MSELoss(self.x, self.y)
        self.layers = [self.x, self.y, self.L]

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

    def test_forward_batch_1(self):
        self.build(X_BATCH_1, Y_BATCH_1)
        self.run_forward()

        # x - y = (1, -2, 0); squares summed over the features: 1 + 4 + 0 = 5; m = 1.
        # (The mean over the three entries would be 5/3.)
        self.assertEqual(tuple(self.L.output.shape), ())
        np.testing.assert_allclose(self.L.output.numpy(), 5.0, rtol=RTOL, atol=ATOL)

    def test_forward_batch_2(self):
        self.build(X_BATCH_2, Y_BATCH_2)
        self.run_forward()

        # Sample 1: x - y = (1, -2, 0),  1 + 4 + 0 = 5.
        # Sample 2: x - y = (-1, 2, 2),  1 + 4 + 4 = 9.
        # Averaged over the batch: (5 + 9) / 2 = 7.
        # (Summed over the batch: 14; averaged over all six entries: 14/6.)
        self.assertEqual(tuple(self.L.output.shape), ())
        np.testing.assert_allclose(self.L.output.numpy(), 7.0, rtol=RTOL, atol=ATOL)

    def test_backward_batch_1(self):
        self.build(X_BATCH_1, Y_BATCH_1)
        self.run_forward()

        # Seed dJ/dL = 3. dL/dx = 2 (x - y) / m, so dJ/dx = 3 * 2 * (1, -2, 0) / 1 = (6, -12, 0).
        self.run_backward(torch.tensor(3.0))

        np.testing.assert_allclose(
            self.x.grad.numpy(), [[6.0], [-12.0], [0.0]], rtol=RTOL, atol=ATOL
        )
        # The target y gets no gradient.
        np.testing.assert_allclose(self.y.grad.numpy(), np.zeros((3, 1)), rtol=RTOL, atol=ATOL)

    def test_backward_batch_2(self):
        self.build(X_BATCH_2, Y_BATCH_2)
        self.run_forward()

        # Seed dJ/dL = 0.25. dJ/dx = 0.25 * 2 (x - y) / 2 = 0.25 (x - y):
        #   0.25 * [[1, -1], [-2, 2], [0, 2]] = [[0.25, -0.25], [-0.5, 0.5], [0, 0.5]]
        self.run_backward(torch.tensor(0.25))

        np.testing.assert_allclose(
            self.x.grad.numpy(), [[0.25, -0.25], [-0.5, 0.5], [0.0, 0.5]], rtol=RTOL, atol=ATOL
        )
        np.testing.assert_allclose(self.y.grad.numpy(), np.zeros((3, 2)), rtol=RTOL, atol=ATOL)

    def test_step(self):
        self.build(X_BATCH_2, Y_BATCH_2)
        self.run_forward()
        self.run_backward(torch.tensor(0.25))

        for layer in self.layers:
            layer.step(2.0)

        # The trainable x moves towards y: x - 2 * 0.25 (x - y) = x - 0.5 (x - y):
        #   [[2 - 0.5, 0 + 0.5], [-1 + 1, 3 - 1], [0.5 - 0, 1 - 1]]
        #   = [[1.5, 0.5], [0, 2], [0.5, 0]]
        np.testing.assert_allclose(
            self.x.output.numpy(), [[1.5, 0.5], [0.0, 2.0], [0.5, 0.0]], rtol=RTOL, atol=ATOL
        )
        # The target is not trainable and keeps its value.
        np.testing.assert_allclose(self.y.output.numpy(), Y_BATCH_2, rtol=RTOL, atol=ATOL)


if __name__ == "__main__":
    unittest.main()
