import torch

from layers import Input, Linear, MSELoss, Regularization


def test_mse():
    x = Input((2, 1))
    x.set(torch.tensor([[3.0], [1.0]]))
    y = Input((2, 1))
    y.set(torch.tensor([[1.0], [1.0]]))
    loss = MSELoss(x, y)
    loss.forward()
    # mean of [4, 0] = 2
    assert loss.output.item() == 2.0


def test_regularization():
    W = Input((1, 2), train=True)
    W.set(torch.tensor([[1.0, 2.0]]))
    reg = Regularization(W, 0.5)
    reg.forward()
    # 0.5 / 2 * (1 + 4)
    assert abs(reg.output.item() - 1.25) < 1e-6


def test_linear_one_output():
    x = Input((2, 3))
    x.set(torch.ones(2, 3))
    W = Input((1, 2))
    W.set(torch.tensor([[1.0, 2.0]]))
    b = Input((1, 1))
    b.set(torch.tensor([[0.5]]))
    lin = Linear(x, W, b)
    lin.forward()
    assert torch.allclose(lin.output, torch.full((1, 3), 3.5))
