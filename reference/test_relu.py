"""Unit tests for the ReLU layer: output = max(x, 0), entry by entry.

Run ``python test_relu.py`` in the folder that holds layers.py. Every x below has negative,
positive and zero entries; every seed is positive where x is cut and negative somewhere x
is kept. So a ReLU that clamps to another value, a backward masked by the grad's sign
instead of x's, or one that lets x == 0 through, gives different numbers.
"""

import unittest

import numpy as np
import torch

from layers import Input, ReLU

# float32 holds every number below exactly; the tolerance only absorbs rounding in your code.
RTOL = 1e-6
ATOL = 1e-6

# One sample with four features, and two features for three samples.
X_BATCH_1 = [[-3.0], [1.5], [0.0], [2.0]]
X_BATCH_3 = [[1.0, -0.5, 0.0], [-4.0, 2.5, -1.0]]


class TestReLU(unittest.TestCase):
    def build(self, x_value):
        """x (trainable, so that a step could move it) and r = ReLU(x)."""
        self.x = Input(tuple(torch.tensor(x_value).shape), train=True)
        self.x.set(torch.tensor(x_value))
        self.r = ReLU(self.x)
        self.layers = [self.x, self.r]

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
        self.build(X_BATCH_1)
        self.run_forward()

        # max(x, 0): (-3, 1.5, 0, 2) -> (0, 1.5, 0, 2). Negatives become exactly 0, not -3,
        # 3 or a small slope times -3; positives and zero are kept.
        np.testing.assert_allclose(
            self.r.output.numpy(), [[0.0], [1.5], [0.0], [2.0]], rtol=RTOL, atol=ATOL
        )

    def test_forward_batch_3(self):
        self.build(X_BATCH_3)
        self.run_forward()

        #   [[ 1, -0.5,  0],    [[1, 0,   0],
        #    [-4,  2.5, -1]] ->  [0, 2.5, 0]]
        np.testing.assert_allclose(
            self.r.output.numpy(), [[1.0, 0.0, 0.0], [0.0, 2.5, 0.0]], rtol=RTOL, atol=ATOL
        )
        # Same shape as x: one output per entry, per sample.
        self.assertEqual(tuple(self.r.output.shape), (2, 3))

    def test_backward_batch_1(self):
        self.build(X_BATCH_1)
        self.run_forward()

        # Seed g = (4, -1, 2, 3). dJ/dx = g where x > 0, and 0 elsewhere (x == 0 included):
        #   x = (-3, 1.5, 0, 2)  ->  (0, -1, 0, 3)
        # Masking by g > 0 would give (4, 0, 2, 3); letting x == 0 through, (0, -1, 2, 3).
        self.run_backward(torch.tensor([[4.0], [-1.0], [2.0], [3.0]]))

        np.testing.assert_allclose(
            self.x.grad.numpy(), [[0.0], [-1.0], [0.0], [3.0]], rtol=RTOL, atol=ATOL
        )

    def test_backward_batch_3(self):
        self.build(X_BATCH_3)
        self.run_forward()

        # Seed g = [[-2, 3, 1], [5, -1, 0.5]]; keep g where x > 0:
        #   x > 0:  [[yes, no, no], [no, yes, no]]
        #   dJ/dx = [[-2, 0, 0], [0, -1, 0]]
        self.run_backward(torch.tensor([[-2.0, 3.0, 1.0], [5.0, -1.0, 0.5]]))

        np.testing.assert_allclose(
            self.x.grad.numpy(), [[-2.0, 0.0, 0.0], [0.0, -1.0, 0.0]], rtol=RTOL, atol=ATOL
        )

    def test_backward_adds_to_the_grad_x_already_has(self):
        self.build(X_BATCH_1)
        self.run_forward()

        # Another layer that reads x has already sent (1, 1, 1, 1); ReLU adds (0, -1, 0, 3):
        #   (1, 0, 1, 4)
        for layer in self.layers:
            layer.clear_grad()
        self.x.accumulate_grad(torch.ones(4, 1))
        self.r.accumulate_grad(torch.tensor([[4.0], [-1.0], [2.0], [3.0]]))
        for layer in reversed(self.layers):
            layer.backward()

        np.testing.assert_allclose(
            self.x.grad.numpy(), [[1.0], [0.0], [1.0], [4.0]], rtol=RTOL, atol=ATOL
        )

    def test_step(self):
        self.build(X_BATCH_1)
        self.run_forward()
        self.run_backward(torch.tensor([[4.0], [-1.0], [2.0], [3.0]]))

        for layer in self.layers:
            layer.step(0.5)

        # ReLU has nothing to train; the trainable x moves by -0.5 * dJ/dx:
        #   (-3, 1.5, 0, 2) - 0.5 * (0, -1, 0, 3) = (-3, 2, 0, 0.5)
        np.testing.assert_allclose(
            self.x.output.numpy(), [[-3.0], [2.0], [0.0], [0.5]], rtol=RTOL, atol=ATOL
        )


if __name__ == "__main__":
    unittest.main()
