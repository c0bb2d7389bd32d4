"""Unit tests for a whole Network: 2 inputs, 3 hidden ReLU units, 2 outputs.

Run ``python test_network.py`` in the folder that holds layers.py and network.py. The tape is

    h = Linear(x, W1, b1)      (3, m)
    r = ReLU(h)
    o = Linear(r, W2, b2)      (2, m)
    L = MSELoss(o, y)
    s = Sum(Regularization(W1, 0.125), Regularization(W2, 0.125))
    J = Sum(L, s)

For the sample x = (2, 1) the third hidden unit is negative and cut by the ReLU, so its large
grad must not reach W1, b1 or x; only the regularization moves its weights.
"""

import unittest

import numpy as np
import torch

from layers import Input, Linear, MSELoss, Regularization, ReLU, Sum
from network import Network

# float32 holds every number below exactly; the tolerance only absorbs rounding in your code.
RTOL = 1e-6
ATOL = 1e-6

LAMBDA = 0.125
W1_VALUE = [[1.0, -1.0], [0.5, 1.0], [-1.0, 1.0]]
B1_VALUE = [[0.0], [-1.0], [0.5]]
W2_VALUE = [[2.0, -1.0, 3.0], [1.0, 0.5, -2.0]]
B2_VALUE = [[0.5], [-1.0]]
X_BATCH_1 = [[2.0], [1.0]]
Y_BATCH_1 = [[1.0], [2.0]]


class TestNetwork(unittest.TestCase):
    def build(self, batch):
        """All the layers of the tape above, for ``batch`` samples, added in order."""
        self.x = Input((2, batch), train=False)
        self.y = Input((2, batch), train=False)
        self.W1 = Input((3, 2), train=True)
        self.W1.set(torch.tensor(W1_VALUE))
        self.b1 = Input((3, 1), train=True)
        self.b1.set(torch.tensor(B1_VALUE))
        self.W2 = Input((2, 3), train=True)
        self.W2.set(torch.tensor(W2_VALUE))
        self.b2 = Input((2, 1), train=True)
        self.b2.set(torch.tensor(B2_VALUE))

        self.h = Linear(self.x, self.W1, self.b1)
        self.r = ReLU(self.h)
        self.o = Linear(self.r, self.W2, self.b2)
        self.L = MSELoss(self.o, self.y)
        self.s1 = Regularization(self.W1, LAMBDA)
        self.s2 = Regularization(self.W2, LAMBDA)
        self.s = Sum(self.s1, self.s2)
        self.J = Sum(self.L, self.s)

        self.net = Network()
        self.net.set_input(self.x)
        for layer in (self.y, self.W1, self.b1, self.W2, self.b2, self.h, self.r, self.o,
                      self.L, self.s1, self.s2, self.s, self.J):
            self.net.add(layer)
        self.net.set_output(self.J)

    def forward_batch_1(self):
        self.build(1)
        self.y.set(torch.tensor(Y_BATCH_1))
        return self.net.forward(torch.tensor(X_BATCH_1))

    def test_forward_batch_1(self):
        J = self.forward_batch_1()

        # h = W1 @ x + b1, x = (2, 1):
        #   unit 1:  1 * 2 + (-1) * 1 + 0   =  1
        #   unit 2: 0.5 * 2 +   1 * 1 - 1   =  1
        #   unit 3: -1 * 2 +    1 * 1 + 0.5 = -0.5  -> cut by the ReLU
        np.testing.assert_allclose(self.h.output.numpy(), [[1.0], [1.0], [-0.5]], rtol=RTOL,
                                   atol=ATOL)
        np.testing.assert_allclose(self.r.output.numpy(), [[1.0], [1.0], [0.0]], rtol=RTOL,
                                   atol=ATOL)
        # o = W2 @ r + b2, r = (1, 1, 0):
        #   output 1: 2 - 1 + 0 + 0.5   = 1.5
        #   output 2: 1 + 0.5 + 0 - 1   = 0.5
        np.testing.assert_allclose(self.o.output.numpy(), [[1.5], [0.5]], rtol=RTOL, atol=ATOL)
        # L: o - y = (0.5, -1.5), 0.25 + 2.25 = 2.5, m = 1.
        np.testing.assert_allclose(self.L.output.numpy(), 2.5, rtol=RTOL, atol=ATOL)
        # ||W1||^2 = 1 + 1 + 0.25 + 1 + 1 + 1 = 5.25,   s1 = 0.125 * 5.25  = 0.65625
        # ||W2||^2 = 4 + 1 + 9 + 1 + 0.25 + 4 = 19.25,  s2 = 0.125 * 19.25 = 2.40625
        # s = 3.0625, J = L + s = 2.5 + 3.0625 = 5.5625; forward returns J.
        np.testing.assert_allclose(self.s.output.numpy(), 3.0625, rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(self.J.output.numpy(), 5.5625, rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(J.numpy(), 5.5625, rtol=RTOL, atol=ATOL)

    def test_forward_batch_2(self):
        self.build(2)
        # Sample 1 as above, sample 2 x = (0, 3) with target (8, -6).
        self.y.set(torch.tensor([[1.0, 8.0], [2.0, -6.0]]))
        J = self.net.forward(torch.tensor([[2.0, 0.0], [1.0, 3.0]]))

        # Sample 2: h = (0 - 3 + 0, 0 + 3 - 1, 0 + 3 + 0.5) = (-3, 2, 3.5), r = (0, 2, 3.5);
        #   o = (0 - 2 + 10.5 + 0.5, 0 + 1 - 7 - 1) = (9, -7).
        np.testing.assert_allclose(
            self.o.output.numpy(), [[1.5, 9.0], [0.5, -7.0]], rtol=RTOL, atol=ATOL
        )
        # o - y: sample 1 (0.5, -1.5) -> 2.5, sample 2 (1, -1) -> 2; L = (2.5 + 2) / 2 = 2.25.
        # J = 2.25 + 3.0625 = 5.3125 (s does not depend on the batch).
        np.testing.assert_allclose(self.L.output.numpy(), 2.25, rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(J.numpy(), 5.3125, rtol=RTOL, atol=ATOL)

    def test_backward(self):
        self.forward_batch_1()
        self.net.backward()

        # dJ/dJ = 1 reaches L, s, s1 and s2 unchanged through the two Sums.
        # dJ/do = 2 (o - y) / 1 = (1, -3); dJ/db2 = (1, -3).
        np.testing.assert_allclose(self.b2.grad.numpy(), [[1.0], [-3.0]], rtol=RTOL, atol=ATOL)
        # dJ/dW2 = dJ/do @ r.T + 2 * 0.125 * W2:
        #   (1, -3) (1, 1, 0)    = [[1, 1, 0], [-3, -3, 0]]
        #   0.25 * W2            = [[0.5, -0.25, 0.75], [0.25, 0.125, -0.5]]
        #   sum                  = [[1.5, 0.75, 0.75], [-2.75, -2.875, -0.5]]
        np.testing.assert_allclose(
            self.W2.grad.numpy(), [[1.5, 0.75, 0.75], [-2.75, -2.875, -0.5]], rtol=RTOL,
            atol=ATOL,
        )
        # dJ/dr = W2.T @ dJ/do = (2 - 3, -1 - 1.5, 3 + 6) = (-1, -2.5, 9).
        np.testing.assert_allclose(self.r.grad.numpy(), [[-1.0], [-2.5], [9.0]], rtol=RTOL,
                                   atol=ATOL)
        # dJ/dh: unit 3 was cut (h3 = -0.5), so its 9 stops here: (-1, -2.5, 0) = dJ/db1.
        np.testing.assert_allclose(self.h.grad.numpy(), [[-1.0], [-2.5], [0.0]], rtol=RTOL,
                                   atol=ATOL)
        np.testing.assert_allclose(self.b1.grad.numpy(), [[-1.0], [-2.5], [0.0]], rtol=RTOL,
                                   atol=ATOL)
        # dJ/dW1 = dJ/dh @ x.T + 0.25 * W1:
        #   (-1, -2.5, 0) (2, 1) = [[-2, -1], [-5, -2.5], [0, 0]]
        #   0.25 * W1            = [[0.25, -0.25], [0.125, 0.25], [-0.25, 0.25]]
        #   sum                  = [[-1.75, -1.25], [-4.875, -2.25], [-0.25, 0.25]]
        np.testing.assert_allclose(
            self.W1.grad.numpy(), [[-1.75, -1.25], [-4.875, -2.25], [-0.25, 0.25]], rtol=RTOL,
            atol=ATOL,
        )
        # dJ/dx = W1.T @ dJ/dh = (1 * -1 + 0.5 * -2.5 + 0, -1 * -1 + 1 * -2.5 + 0)
        #       = (-2.25, -1.5)
        np.testing.assert_allclose(self.x.grad.numpy(), [[-2.25], [-1.5]], rtol=RTOL, atol=ATOL)
        # The target gets no gradient.
        np.testing.assert_allclose(self.y.grad.numpy(), [[0.0], [0.0]], rtol=RTOL, atol=ATOL)

    def test_backward_twice_gives_the_same_grads(self):
        # backward clears every grad first, so a second call does not add to the first.
        self.forward_batch_1()
        self.net.backward()
        self.net.backward()

        np.testing.assert_allclose(self.b2.grad.numpy(), [[1.0], [-3.0]], rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(
            self.W1.grad.numpy(), [[-1.75, -1.25], [-4.875, -2.25], [-0.25, 0.25]], rtol=RTOL,
            atol=ATOL,
        )

    def test_step(self):
        self.forward_batch_1()
        self.net.backward()
        self.net.step(0.0625)

        # Every parameter P becomes P - dJ/dP / 16 (grads from test_backward):
        #   W1: [[ 1   + 0.109375,  -1 + 0.078125],     [[ 1.109375,  -0.921875],
        #        [ 0.5 + 0.3046875,  1 + 0.140625],  =   [ 0.8046875,  1.140625],
        #        [-1   + 0.015625,   1 - 0.015625]]      [-0.984375,   0.984375]]
        # (the cut unit's weights move by the regularization alone).
        np.testing.assert_allclose(
            self.W1.output.numpy(),
            [[1.109375, -0.921875], [0.8046875, 1.140625], [-0.984375, 0.984375]],
            rtol=RTOL, atol=ATOL,
        )
        #   b1: (0 + 0.0625, -1 + 0.15625, 0.5 - 0) = (0.0625, -0.84375, 0.5)
        np.testing.assert_allclose(
            self.b1.output.numpy(), [[0.0625], [-0.84375], [0.5]], rtol=RTOL, atol=ATOL
        )
        #   W2: [[2 - 0.09375,  -1 - 0.046875,   3 - 0.046875],
        #        [1 + 0.171875, 0.5 + 0.1796875, -2 + 0.03125]]
        np.testing.assert_allclose(
            self.W2.output.numpy(),
            [[1.90625, -1.046875, 2.953125], [1.171875, 0.6796875, -1.96875]],
            rtol=RTOL, atol=ATOL,
        )
        #   b2: (0.5 - 0.0625, -1 + 0.1875) = (0.4375, -0.8125)
        np.testing.assert_allclose(self.b2.output.numpy(), [[0.4375], [-0.8125]], rtol=RTOL,
                                   atol=ATOL)
        # x and y are not trainable: they keep their values although x has a grad.
        np.testing.assert_allclose(self.x.output.numpy(), X_BATCH_1, rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(self.y.output.numpy(), Y_BATCH_1, rtol=RTOL, atol=ATOL)

        # A small step downhill lowers J below 5.5625 (to about 3.148). A step of 0.25 would
        # overshoot here: J would rise to about 65.
        self.assertLess(self.net.forward().item(), 5.5625)

    def test_add_refuses_a_layer_before_its_inputs(self):
        x = Input((2, 1))
        W = Input((3, 2), train=True)
        b = Input((3, 1), train=True)
        h = Linear(x, W, b)
        net = Network()
        net.set_input(x)
        net.add(W)

        # b is not on the tape yet, so h cannot be computed there: add must refuse it...
        with self.assertRaisesRegex(ValueError, "not on the tape"):
            net.add(h)
        # ...and accept it once b is added.
        net.add(b)
        net.add(h)
        self.assertIs(net.layers[-1], h)


if __name__ == "__main__":
    unittest.main()
