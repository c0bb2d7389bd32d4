import math
import unittest

import torch

from layers import Input, Softmax


class TestSoftmax(unittest.TestCase):
    def test_one_sample(self):
        x = Input((2, 1))
        x.set(torch.tensor([[0.0], [0.0]]))
        y = Input((2, 1))
        y.set(torch.tensor([[1.0], [0.0]]))
        s = Softmax(x, y)
        s.forward()
        # both classes get 1/2, loss = -log(1/2)
        self.assertAlmostEqual(s.output.item(), math.log(2), places=5)

    def test_two_samples(self):
        # the same sample twice: the loss of the batch is the average, so still log(2)
        x = Input((2, 2))
        x.set(torch.zeros(2, 2))
        y = Input((2, 2))
        y.set(torch.tensor([[1.0, 1.0], [0.0, 0.0]]))
        s = Softmax(x, y)
        s.forward()
        self.assertAlmostEqual(s.output.item(), math.log(2), places=5)


if __name__ == "__main__":
    unittest.main()
