import unittest

import torch

from layers import Input, Linear, ReLU


class LinearReLUTest(unittest.TestCase):
    def test_linear_then_relu(self):
        x = Input((2, 2))
        x.set(torch.tensor([[1.0, -1.0], [2.0, 0.0]]))
        W = Input((1, 2), train=True)
        W.set(torch.tensor([[1.0, 1.0]]))
        b = Input((1, 1), train=True)
        b.set(torch.tensor([[-1.0]]))
        z = Linear(x, W, b)
        r = ReLU(z)
        layers = [x, W, b, z, r]
        for l in layers:
            l.forward()
        # z = [1 + 2 - 1, -1 + 0 - 1] = [2, -2], relu -> [2, 0]
        self.assertTrue(torch.allclose(r.output, torch.tensor([[2.0, 0.0]])))

        for l in layers:
            l.clear_grad()
        r.accumulate_grad(torch.tensor([[1.0, 1.0]]))
        for l in reversed(layers):
            l.backward()
        # only the first column gets through the relu
        self.assertTrue(torch.allclose(W.grad, torch.tensor([[1.0, 2.0]])))
        self.assertTrue(torch.allclose(b.grad, torch.tensor([[1.0]])))


if __name__ == "__main__":
    unittest.main()
