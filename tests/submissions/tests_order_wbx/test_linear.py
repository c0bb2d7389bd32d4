"""Linear(W, b, x): my parameter order, weights first."""

import unittest

import torch

from layers import Input, Linear


class LinearTests(unittest.TestCase):
    def setUp(self):
        self.W = Input((2, 3), trainable=True)
        self.W.set(torch.tensor([[1.0, 0.0, 2.0], [-1.0, 1.0, 0.0]]))
        self.b = Input((2, 1), trainable=True)
        self.b.set(torch.tensor([[0.5], [-1.0]]))
        self.x = Input((3, 2))
        self.x.set(torch.tensor([[1.0, 2.0], [3.0, 4.0], [-1.0, 0.0]]))
        self.lin = Linear(self.W, self.b, self.x)

    def test_forward(self):
        self.lin.forward()
        # column 1: (1 + 0 - 2 + 0.5, -1 + 3 + 0 - 1) = (-0.5, 1)
        # column 2: (2 + 0 + 0 + 0.5, -2 + 4 + 0 - 1) = (2.5, 1)
        self.assertTrue(torch.allclose(self.lin.outputs,
                                       torch.tensor([[-0.5, 2.5], [1.0, 1.0]])))

    def test_backward(self):
        self.lin.forward()
        for layer in (self.W, self.b, self.x, self.lin):
            layer.clear_grads()
        self.lin.accumulate_grads(torch.tensor([[1.0, 0.0], [0.0, 1.0]]))
        self.lin.backward()
        # dW = g @ x.T, db = g summed over the samples, dx = W.T @ g
        self.assertTrue(torch.allclose(self.W.grads,
                                       torch.tensor([[1.0, 3.0, -1.0], [2.0, 4.0, 0.0]])))
        self.assertTrue(torch.allclose(self.b.grads, torch.tensor([[1.0], [1.0]])))
        self.assertTrue(torch.allclose(self.x.grads,
                                       torch.tensor([[1.0, -1.0], [0.0, 1.0], [2.0, 0.0]])))

    def test_step_moves_the_weights(self):
        self.lin.forward()
        for layer in (self.W, self.b, self.x, self.lin):
            layer.clear_grads()
        self.lin.accumulate_grads(torch.tensor([[1.0, 0.0], [0.0, 1.0]]))
        self.lin.backward()
        for layer in (self.W, self.b, self.x):
            layer.step(0.5)
        self.assertTrue(torch.allclose(self.b.outputs, torch.tensor([[0.0], [-1.5]])))
        # x is data: it does not move
        self.assertTrue(torch.allclose(self.x.outputs,
                                       torch.tensor([[1.0, 2.0], [3.0, 4.0], [-1.0, 0.0]])))
