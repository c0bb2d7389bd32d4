import unittest

import torch

from layers import Input, Sum


class SumLayerTests(unittest.TestCase):
	def test_scalars(self):
		a = Input(())
		a.set(torch.tensor(2.0))
		b = Input(())
		b.set(torch.tensor(-0.5))
		s = Sum(a, b)
		s.forward()
		self.assertAlmostEqual(s.output.item(), 1.5)

	def test_grad_goes_to_both(self):
		a = Input((2, 1), train=True)
		a.set(torch.tensor([[1.0], [2.0]]))
		b = Input((2, 1), train=True)
		b.set(torch.tensor([[3.0], [4.0]]))
		s = Sum(a, b)
		s.forward()
		for l in (a, b, s):
			l.clear_grad()
		s.accumulate_grad(torch.tensor([[5.0], [6.0]]))
		s.backward()
		self.assertTrue(torch.equal(a.grad, torch.tensor([[5.0], [6.0]])))
		self.assertTrue(torch.equal(b.grad, torch.tensor([[5.0], [6.0]])))


if __name__ == "__main__":
	unittest.main()
