import torch

from layers import Input, MSELoss


def setup():
    x = Input((2, 2), train=True)
    x.set(torch.tensor([[1.0, 2.0], [0.0, -1.0]]))
    y = Input((2, 2))
    y.set(torch.tensor([[0.0, 2.0], [1.0, 1.0]]))
    return x, y, MSELoss(x, y)


def test_mse_forward():
    x, y, loss = setup()
    loss.forward()
    # errors 1, 0, -1, -2 -> squares 1 + 0 + 1 + 4 = 6, over 2 samples = 3
    assert torch.isclose(loss.output, torch.tensor(3.0))


def test_mse_backward():
    x, y, loss = setup()
    loss.forward()
    for l in (x, y, loss):
        l.clear_grad()
    loss.accumulate_grad(torch.tensor(1.0))
    loss.backward()
    # 2 * (x - y) / 2 = x - y
    assert torch.allclose(x.grad, torch.tensor([[1.0, 0.0], [-1.0, -2.0]]))
    assert torch.all(y.grad == 0)
