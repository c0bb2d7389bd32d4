import unittest

import torch

from layers import Input, Linear


class TestLinear(unittest.TestCase):
    def setUp(self):
        self.x = Input((2, 1))
        self.x.set(torch.tensor([[1.0], [2.0]]))
        self.W = Input((2, 2), train=True)
        self.W.set(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
        self.b = Input((2, 1), train=True)
        self.b.set(torch.tensor([[1.0], [-1.0]]))
        self.lin = Linear(self.x, self.W, self.b)

    def test_forward(self):
        self.lin.forward()
        # [1 + 4 + 1, 3 + 8 - 1] = [6, 10]
        self.assertTrue(torch.allclose(self.lin.output, torch.tensor([[6.0], [10.0]])))

    def test_backward(self):
        self.lin.forward()
        for layer in (self.x, self.W, self.b, self.lin):
            layer.clear_grad()
        self.lin.accumulate_grad(torch.tensor([[1.0], [1.0]]))
        self.lin.backward()
        # dW = g x^T, db = g, dx = W^T g
        self.assertTrue(torch.allclose(self.W.grad, torch.tensor([[1.0, 2.0], [1.0, 2.0]])))
        self.assertTrue(torch.allclose(self.b.grad, torch.tensor([[1.0], [1.0]])))
        self.assertTrue(torch.allclose(self.x.grad, torch.tensor([[4.0], [6.0]])))


if __name__ == "__main__":
    unittest.main()
