"""Unit tests for the Input layer: set, randomize, accumulate_grad, clear_grad and step.

Run ``python test_input.py`` in the folder that holds layers.py. Input is the only layer
that holds values given from outside (data, targets, parameters), so these tests pin what
every other test relies on: a stored copy of the right shape, grads that add up, and steps
that move trainable Inputs only.
"""

import unittest

import numpy as np
import torch

from layers import Input

# float32 holds every number below exactly; the tolerance only absorbs rounding in your code.
RTOL = 1e-6
ATOL = 1e-6


class TestInput(unittest.TestCase):
    def setUp(self):
        # A (2, 3) value: two features, three samples. Every entry differs, and there are
        # negative entries and a zero, so a transposed or clamped copy shows up.
        self.value = torch.tensor([[2.0, -1.5, 0.25], [4.0, 0.0, -3.0]])
        self.x = Input((2, 3))

    def test_new_input_is_zero(self):
        # Before set, output and grad are zeros of the shape given to the constructor.
        self.assertEqual(tuple(self.x.output.shape), (2, 3))
        np.testing.assert_allclose(self.x.output.numpy(), np.zeros((2, 3)), rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(self.x.grad.numpy(), np.zeros((2, 3)), rtol=RTOL, atol=ATOL)

    def test_set_stores_the_value(self):
        self.x.set(self.value)

        np.testing.assert_allclose(
            self.x.output.numpy(), [[2.0, -1.5, 0.25], [4.0, 0.0, -3.0]], rtol=RTOL, atol=ATOL
        )
        # set starts a fresh value, so its grad is zero and has the value's shape.
        np.testing.assert_allclose(self.x.grad.numpy(), np.zeros((2, 3)), rtol=RTOL, atol=ATOL)

    def test_set_refuses_another_shape(self):
        # The transpose (3, 2) holds the same number of entries: it must still be refused,
        # as must a flat vector of the six entries.
        with self.assertRaisesRegex(ValueError, "shape"):
            self.x.set(self.value.T)
        with self.assertRaisesRegex(ValueError, "shape"):
            self.x.set(self.value.reshape(6))

    def test_set_keeps_a_copy_not_the_callers_tensor(self):
        self.x.set(self.value)

        # Changing the caller's tensor afterwards must not change the Input...
        self.value[0, 0] = 100.0
        self.assertEqual(self.x.output[0, 0].item(), 2.0)

        # ...and a step on a trainable Input must not change the caller's tensor.
        w = Input((2, 3), train=True)
        start = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        w.set(start)
        w.accumulate_grad(torch.ones(2, 3))
        w.step(1.0)
        np.testing.assert_allclose(
            start.numpy(), [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], rtol=RTOL, atol=ATOL
        )
        np.testing.assert_allclose(
            w.output.numpy(), [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]], rtol=RTOL, atol=ATOL
        )

    def test_randomize_keeps_the_shape_and_is_not_constant(self):
        torch.manual_seed(0)
        W = Input((3, 4), train=True)
        b = Input((3, 1), train=True)
        W.randomize()
        b.randomize()

        self.assertEqual(tuple(W.output.shape), (3, 4))
        self.assertEqual(tuple(b.output.shape), (3, 1))
        # Random values: not all equal (a constant matrix, zeros included, would make every
        # hidden unit compute the same thing and keep doing so while training).
        self.assertGreater(len(set(W.output.flatten().tolist())), 1)
        self.assertGreater(len(set(b.output.flatten().tolist())), 1)
        # The grads belong to the new values: zero, of the same shapes.
        np.testing.assert_allclose(W.grad.numpy(), np.zeros((3, 4)), rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(b.grad.numpy(), np.zeros((3, 1)), rtol=RTOL, atol=ATOL)

    def test_accumulate_grad_adds(self):
        # Two layers read x and each sends its part of dJ/dx; x's grad is their sum:
        #   [[1, -2, 0.5], [0, 3, 1]] + [[0.5, 1, -0.5], [2, -1, 4]]
        #   = [[1.5, -1, 0], [2, 2, 5]]
        self.x.set(self.value)
        self.x.accumulate_grad(torch.tensor([[1.0, -2.0, 0.5], [0.0, 3.0, 1.0]]))
        self.x.accumulate_grad(torch.tensor([[0.5, 1.0, -0.5], [2.0, -1.0, 4.0]]))

        np.testing.assert_allclose(
            self.x.grad.numpy(), [[1.5, -1.0, 0.0], [2.0, 2.0, 5.0]], rtol=RTOL, atol=ATOL
        )

    def test_accumulate_grad_refuses_another_shape(self):
        with self.assertRaisesRegex(ValueError, "shape"):
            self.x.accumulate_grad(torch.ones(3, 2))

    def test_clear_grad_keeps_the_shape(self):
        self.x.set(self.value)
        self.x.accumulate_grad(torch.tensor([[1.0, -2.0, 0.5], [0.0, 3.0, 1.0]]))
        self.x.clear_grad()

        self.assertEqual(tuple(self.x.grad.shape), (2, 3))
        np.testing.assert_allclose(self.x.grad.numpy(), np.zeros((2, 3)), rtol=RTOL, atol=ATOL)

        # A scalar Input (shape ()) keeps a scalar grad.
        c = Input(())
        c.set(torch.tensor(1.5))
        c.accumulate_grad(torch.tensor(2.0))
        c.clear_grad()
        self.assertEqual(tuple(c.grad.shape), ())
        self.assertEqual(c.grad.item(), 0.0)

        # A cleared grad takes new parts as usual: 0 + g = g.
        self.x.accumulate_grad(torch.tensor([[0.5, 1.0, -0.5], [2.0, -1.0, 4.0]]))
        np.testing.assert_allclose(
            self.x.grad.numpy(), [[0.5, 1.0, -0.5], [2.0, -1.0, 4.0]], rtol=RTOL, atol=ATOL
        )

    def test_forward_and_backward_change_nothing(self):
        self.x.set(self.value)
        self.x.accumulate_grad(torch.tensor([[1.0, -2.0, 0.5], [0.0, 3.0, 1.0]]))
        layer = self.x
        layer.forward()
        layer.backward()

        np.testing.assert_allclose(
            self.x.output.numpy(), [[2.0, -1.5, 0.25], [4.0, 0.0, -3.0]], rtol=RTOL, atol=ATOL
        )
        np.testing.assert_allclose(
            self.x.grad.numpy(), [[1.0, -2.0, 0.5], [0.0, 3.0, 1.0]], rtol=RTOL, atol=ATOL
        )

    def test_step_moves_only_trainable_inputs(self):
        # w is trainable, c is not; both hold the same value and the same grad g.
        w = Input((2, 1), train=True)
        c = Input((2, 1), train=False)
        for layer in (w, c):
            layer.set(torch.tensor([[3.0], [-1.0]]))
            layer.accumulate_grad(torch.tensor([[2.0], [-4.0]]))
            layer.step(0.25)

        # w <- w - 0.25 * g = [[3 - 0.25 * 2], [-1 - 0.25 * (-4)]] = [[2.5], [0]]
        np.testing.assert_allclose(w.output.numpy(), [[2.5], [0.0]], rtol=RTOL, atol=ATOL)
        # c is not trainable: it keeps its value although its grad is g too.
        np.testing.assert_allclose(c.output.numpy(), [[3.0], [-1.0]], rtol=RTOL, atol=ATOL)


if __name__ == "__main__":
    unittest.main()
