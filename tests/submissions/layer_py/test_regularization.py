import unittest

import torch

from layer import Input, Regularization


class RegularizationTest(unittest.TestCase):
    def setUp(self):
        self.W = Input((2, 2), train=True)
        self.W.set(torch.tensor([[1.0, -2.0], [0.0, 3.0]]))
        self.reg = Regularization(self.W, 0.5)

    def test_forward(self):
        self.reg.forward()
        # 0.5 * (1 + 4 + 0 + 9) = 7
        self.assertAlmostEqual(self.reg.output.item(), 7.0, places=6)

    def test_backward(self):
        self.reg.forward()
        self.W.clear_grad()
        self.reg.clear_grad()
        self.reg.accumulate_grad(torch.tensor(2.0))
        self.reg.backward()
        # 2 * 2 * 0.5 * W = 2W
        self.assertTrue(torch.allclose(self.W.grad, 2 * self.W.output))


if __name__ == "__main__":
    unittest.main()
