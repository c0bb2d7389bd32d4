import torch

from layers import Input, Regularization


def test_forward():
    W = Input((2, 2), train=True)
    W.set(torch.tensor([[1.0, -2.0], [3.0, 0.0]]))
    s = Regularization(W, 0.5)
    s.forward()
    # 0.5 * (1 + 4 + 9 + 0) = 7
    assert abs(s.output.item() - 7.0) < 1e-6
