"""Unit tests for the Linear layer: output = W @ x + b, samples as columns.

Run ``python test_linear.py`` in the folder that holds layers.py. W is (2, 3), not square,
so W.T @ x cannot pass for W @ x; every test with two samples has a bias, so a bias added to
one column only, or a bias grad taken from one column only, shows up.
"""

import unittest

import numpy as np
import torch

from layers import Input, Linear

# float32 holds every number below exactly; the tolerance only absorbs rounding in your code.
RTOL = 1e-6
ATOL = 1e-6

# W: 2 outputs, 3 inputs. b: one entry per output.
W_VALUE = [[2.0, -1.0, 0.0], [1.0, 3.0, -1.0]]
B_VALUE = [[1.0], [-2.0]]
# One sample (3, 1), and two samples (3, 2) whose first column is that same sample.
X_BATCH_1 = [[1.0], [2.0], [-1.0]]
X_BATCH_2 = [[1.0, 0.0], [2.0, 1.0], [-1.0, 4.0]]


class TestLinear(unittest.TestCase):
    def build(self, x_value):
        """x (not trainable), W and b (trainable) and t = Linear(x, W, b)."""
        self.x = Input((3, len(x_value[0])), train=False)
        self.x.set(torch.tensor(x_value))
        self.W = Input((2, 3), train=True)
        self.W.set(torch.tensor(W_VALUE))
        self.b = Input((2, 1), train=True)
        self.b.set(torch.tensor(B_VALUE))
        self.t = Linear(self.x, self.W, self.b)
        self.layers = [self.x, self.W, self.b, self.t]

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

        # W @ x, row by row, with x = (1, 2, -1):
        #   row 1: 2 * 1 + (-1) * 2 + 0 * (-1)  = 0
        #   row 2: 1 * 1 +   3  * 2 + (-1) * (-1) = 8
        # plus b = (1, -2): (1, 6).
        np.testing.assert_allclose(self.t.output.numpy(), [[1.0], [6.0]], rtol=RTOL, atol=ATOL)

    def test_forward_batch_2(self):
        self.build(X_BATCH_2)
        self.run_forward()

        # Column 1 is the sample above: (1, 6).
        # Column 2, x = (0, 1, 4):
        #   row 1: 2 * 0 + (-1) * 1 + 0 * 4    = -1, plus b1 =  1 ->  0
        #   row 2: 1 * 0 +   3  * 1 + (-1) * 4 = -1, plus b2 = -2 -> -3
        # b is added to every column.
        np.testing.assert_allclose(
            self.t.output.numpy(), [[1.0, 0.0], [6.0, -3.0]], rtol=RTOL, atol=ATOL
        )

    def test_backward_batch_1(self):
        self.build(X_BATCH_1)
        self.run_forward()

        # Seed dJ/dt = g = (2, -1).
        self.run_backward(torch.tensor([[2.0], [-1.0]]))

        # dJ/dx = W.T @ g: column j of W times g.
        #   x1: 2 * 2    + 1    * (-1) =  3
        #   x2: (-1) * 2 + 3    * (-1) = -5
        #   x3: 0 * 2    + (-1) * (-1) =  1
        np.testing.assert_allclose(
            self.x.grad.numpy(), [[3.0], [-5.0], [1.0]], rtol=RTOL, atol=ATOL
        )
        # dJ/dW = g @ x.T: entry (i, j) = g_i * x_j.
        #   row 1:  2 * (1, 2, -1) = ( 2,  4, -2)
        #   row 2: -1 * (1, 2, -1) = (-1, -2,  1)
        np.testing.assert_allclose(
            self.W.grad.numpy(), [[2.0, 4.0, -2.0], [-1.0, -2.0, 1.0]], rtol=RTOL, atol=ATOL
        )
        # dJ/db = g: one sample, nothing to sum.
        np.testing.assert_allclose(self.b.grad.numpy(), [[2.0], [-1.0]], rtol=RTOL, atol=ATOL)

    def test_backward_batch_2(self):
        self.build(X_BATCH_2)
        self.run_forward()

        # Seed g with columns g1 = (1, 0.5) and g2 = (-3, 2).
        self.run_backward(torch.tensor([[1.0, -3.0], [0.5, 2.0]]))

        # dJ/dx = W.T @ g, column by column; W.T has rows (2, 1), (-1, 3), (0, -1).
        #   column 1, g1 = (1, 0.5):  (2 + 0.5, -1 + 1.5, 0 - 0.5) = (2.5, 0.5, -0.5)
        #   column 2, g2 = (-3, 2):   (-6 + 2,   3 + 6,   0 - 2)   = (-4,  9,   -2)
        np.testing.assert_allclose(
            self.x.grad.numpy(), [[2.5, -4.0], [0.5, 9.0], [-0.5, -2.0]], rtol=RTOL, atol=ATOL
        )
        # dJ/dW = g @ x.T = g1 x1.T + g2 x2.T, one outer product per sample, summed:
        #   row 1:   1 * (1, 2, -1) + (-3) * (0, 1, 4) = (1, -1, -13)
        #   row 2: 0.5 * (1, 2, -1) +   2  * (0, 1, 4) = (0.5, 3, 7.5)
        np.testing.assert_allclose(
            self.W.grad.numpy(), [[1.0, -1.0, -13.0], [0.5, 3.0, 7.5]], rtol=RTOL, atol=ATOL
        )
        # dJ/db = g1 + g2, the grad summed over the batch (b is added to every column):
        #   (1 - 3, 0.5 + 2) = (-2, 2.5), still of shape (2, 1).
        np.testing.assert_allclose(self.b.grad.numpy(), [[-2.0], [2.5]], rtol=RTOL, atol=ATOL)

    def test_backward_adds_to_the_grad_x_already_has(self):
        self.build(X_BATCH_1)
        self.run_forward()

        # Another layer that reads x has already sent (1, 1, 1) to x. Linear must add its own
        # part W.T @ g = (3, -5, 1) (see test_backward_batch_1) to it: (4, -4, 2).
        for layer in self.layers:
            layer.clear_grad()
        self.x.accumulate_grad(torch.tensor([[1.0], [1.0], [1.0]]))
        self.t.accumulate_grad(torch.tensor([[2.0], [-1.0]]))
        for layer in reversed(self.layers):
            layer.backward()

        np.testing.assert_allclose(
            self.x.grad.numpy(), [[4.0], [-4.0], [2.0]], rtol=RTOL, atol=ATOL
        )

    def test_step(self):
        self.build(X_BATCH_2)
        self.run_forward()
        self.run_backward(torch.tensor([[1.0, -3.0], [0.5, 2.0]]))

        for layer in self.layers:
            layer.step(0.5)

        # W - 0.5 * dJ/dW, with dJ/dW = [[1, -1, -13], [0.5, 3, 7.5]] (test_backward_batch_2):
        #   [[2 - 0.5, -1 + 0.5,  0 + 6.5 ],    [[1.5,  -0.5,  6.5 ],
        #    [1 - 0.25, 3 - 1.5, -1 - 3.75]]  =  [0.75,  1.5, -4.75]]
        np.testing.assert_allclose(
            self.W.output.numpy(), [[1.5, -0.5, 6.5], [0.75, 1.5, -4.75]], rtol=RTOL, atol=ATOL
        )
        # b - 0.5 * dJ/db = (1 + 1, -2 - 1.25) = (2, -3.25)
        np.testing.assert_allclose(self.b.output.numpy(), [[2.0], [-3.25]], rtol=RTOL, atol=ATOL)
        # x is data, not trainable: it keeps its value although its grad is not zero.
        np.testing.assert_allclose(self.x.output.numpy(), X_BATCH_2, rtol=RTOL, atol=ATOL)


if __name__ == "__main__":
    unittest.main()
