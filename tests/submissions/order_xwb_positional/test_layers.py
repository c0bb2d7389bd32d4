import unittest

import torch

from layers import Input, MSELoss, ReLU


class TestReLU(unittest.TestCase):
    def test_forward_backward(self):
        x = Input((2, 2), train=True)
        x.set(torch.tensor([[-1.0, 2.0], [0.0, 3.0]]))
        r = ReLU(x)
        r.forward()
        self.assertTrue(torch.equal(r.output, torch.tensor([[0.0, 2.0], [0.0, 3.0]])))
        x.clear_grad()
        r.clear_grad()
        r.accumulate_grad(torch.ones(2, 2))
        r.backward()
        # only where x > 0
        self.assertTrue(torch.equal(x.grad, torch.tensor([[0.0, 1.0], [0.0, 1.0]])))


class TestMSE(unittest.TestCase):
    def test_forward(self):
        p = Input((1, 2))
        p.set(torch.tensor([[1.0, 3.0]]))
        t = Input((1, 2))
        t.set(torch.tensor([[0.0, 1.0]]))
        loss = MSELoss(p, t)
        loss.forward()
        # (1 + 4) / 2
        self.assertAlmostEqual(loss.output.item(), 2.5)


if __name__ == "__main__":
    unittest.main()
