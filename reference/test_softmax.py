"""Unit tests for the Softmax layer: softmax of the scores, then cross-entropy, a scalar.

Run ``python test_softmax.py`` in the folder that holds layers.py. For scores x and a one-hot
target y (classes, m):
    p = exp(x) / (sum of exp(x) over each column)      (the classifications)
    output = -(1/m) * sum of y * log(p)                averaged over the batch
and backward sends dJ/d output * (p - y) / m to x. The scores are logarithms of small whole
numbers, so p comes out as simple fractions: exp(ln 2) = 2, exp(0) = 1, exp(ln 5) = 5.
"""

import math
import unittest

import numpy as np
import torch

from layers import Input, Softmax

# ln 2, ln 3 and ln 5 are rounded to float32 before exp; the results are then right to about
# 1e-7, well inside this tolerance.
RTOL = 1e-6
ATOL = 1e-6

LN2, LN3, LN4, LN5 = math.log(2.0), math.log(3.0), math.log(4.0), math.log(5.0)
# Sample 1: exp(x) = (2, 1, 5), sum 8, p = (0.25, 0.125, 0.625); its target is class 1.
# Sample 2: exp(x) = (1, 3, 1), sum 5, p = (0.2, 0.6, 0.2); its target is class 3.
X_BATCH_1 = [[LN2], [0.0], [LN5]]
Y_BATCH_1 = [[1.0], [0.0], [0.0]]
X_BATCH_2 = [[LN2, 0.0], [0.0, LN3], [LN5, 0.0]]
Y_BATCH_2 = [[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]]


class TestSoftmax(unittest.TestCase):
    def build(self, x_value, y_value):
        """x (the scores), y (the one-hot target, not trainable), p = Softmax(x, y)."""
        shape = tuple(torch.tensor(x_value).shape)
        self.x = Input(shape, train=True)
        self.x.set(torch.tensor(x_value))
        self.y = Input(shape, train=False)
        self.y.set(torch.tensor(y_value))
        self.p = Softmax(self.x, self.y)
        self.layers = [self.x, self.y, self.p]

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

        # p = (2, 1, 5) / 8; the output is the cross-entropy -log p[class 1] = -log(1/4) = ln 4,
        # a scalar, not the probabilities themselves.
        np.testing.assert_allclose(
            self.p.classifications.numpy(), [[0.25], [0.125], [0.625]], rtol=RTOL, atol=ATOL
        )
        self.assertEqual(tuple(self.p.output.shape), ())
        np.testing.assert_allclose(self.p.output.numpy(), LN4, rtol=RTOL, atol=ATOL)

    def test_forward_batch_2(self):
        self.build(X_BATCH_2, Y_BATCH_2)
        self.run_forward()

        # Each column is normalised on its own: sample 2 has p = (1, 3, 1) / 5.
        np.testing.assert_allclose(
            self.p.classifications.numpy(),
            [[0.25, 0.2], [0.125, 0.6], [0.625, 0.2]],
            rtol=RTOL, atol=ATOL,
        )
        # Sample 1: -log(1/4) = ln 4; sample 2: -log p[class 3] = -log(1/5) = ln 5.
        # Averaged over the batch: (ln 4 + ln 5) / 2 = ln(20) / 2 = 1.49787
        # (summed it would be ln 20 = 2.99573).
        self.assertEqual(tuple(self.p.output.shape), ())
        np.testing.assert_allclose(self.p.output.numpy(), (LN4 + LN5) / 2, rtol=RTOL, atol=ATOL)

    def test_forward_large_scores(self):
        # exp(150) overflows float32 (its largest value is about exp(88.7)); subtracting the
        # column maximum first gives exp(0), exp(0), exp(-200):
        #   p = (0.5, 0.5, about 1e-87, which is 0 in float32), -log p[class 2] = ln 2.
        self.build([[150.0], [150.0], [-50.0]], [[0.0], [1.0], [0.0]])
        self.run_forward()

        np.testing.assert_allclose(
            self.p.classifications.numpy(), [[0.5], [0.5], [0.0]], rtol=RTOL, atol=ATOL
        )
        np.testing.assert_allclose(self.p.output.numpy(), LN2, rtol=RTOL, atol=ATOL)

    def test_backward_batch_1(self):
        self.build(X_BATCH_1, Y_BATCH_1)
        self.run_forward()

        # Seed dJ/d output = 4. dJ/dx = 4 * (p - y) / 1:
        #   p - y = (0.25 - 1, 0.125, 0.625) = (-0.75, 0.125, 0.625)
        #   times 4: (-3, 0.5, 2.5)
        self.run_backward(torch.tensor(4.0))

        np.testing.assert_allclose(
            self.x.grad.numpy(), [[-3.0], [0.5], [2.5]], rtol=RTOL, atol=ATOL
        )
        # The target y gets no gradient.
        np.testing.assert_allclose(self.y.grad.numpy(), np.zeros((3, 1)), rtol=RTOL, atol=ATOL)

    def test_backward_batch_2(self):
        self.build(X_BATCH_2, Y_BATCH_2)
        self.run_forward()

        # Seed dJ/d output = 1. dJ/dx = (p - y) / 2, column by column:
        #   sample 1: (-0.75, 0.125, 0.625) / 2 = (-0.375, 0.0625, 0.3125)
        #   sample 2: (0.2, 0.6, 0.2 - 1) / 2   = (0.1, 0.3, -0.4)
        self.run_backward(torch.tensor(1.0))

        np.testing.assert_allclose(
            self.x.grad.numpy(),
            [[-0.375, 0.1], [0.0625, 0.3], [0.3125, -0.4]],
            rtol=RTOL, atol=ATOL,
        )
        np.testing.assert_allclose(self.y.grad.numpy(), np.zeros((3, 2)), rtol=RTOL, atol=ATOL)

    def test_step(self):
        self.build(X_BATCH_1, Y_BATCH_1)
        self.run_forward()
        self.run_backward(torch.tensor(4.0))

        for layer in self.layers:
            layer.step(0.5)

        # The trainable scores move by -0.5 * (-3, 0.5, 2.5): the target class gains 1.5,
        #   x = (ln 2 + 1.5, -0.25, ln 5 - 1.25).
        np.testing.assert_allclose(
            self.x.output.numpy(), [[LN2 + 1.5], [-0.25], [LN5 - 1.25]], rtol=RTOL, atol=ATOL
        )
        # The target is not trainable and keeps its value.
        np.testing.assert_allclose(self.y.output.numpy(), Y_BATCH_1, rtol=RTOL, atol=ATOL)


if __name__ == "__main__":
    unittest.main()
