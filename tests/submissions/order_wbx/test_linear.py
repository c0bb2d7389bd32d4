import torch

from layers import Input, Linear


def make():
    W = Input((2, 3), trainable=True)
    W.set(torch.tensor([[1., 0., 2.], [-1., 1., 0.]]))
    b = Input((2, 1), trainable=True)
    b.set(torch.tensor([[0.5], [-1.]]))
    x = Input((3, 2))
    x.set(torch.tensor([[1., 2.], [3., 4.], [-1., 0.]]))
    return W, b, x, Linear(W, b, x)


def test_forward():
    W, b, x, lin = make()
    lin.forward()
    # column 1: [1 + 0 - 2 + 0.5, -1 + 3 + 0 - 1] = [-0.5, 1]
    # column 2: [2 + 0 + 0 + 0.5, -2 + 4 + 0 - 1] = [2.5, 1]
    assert torch.allclose(lin.output, torch.tensor([[-0.5, 2.5], [1., 1.]]))


def test_backward():
    W, b, x, lin = make()
    lin.forward()
    for l in (W, b, x, lin):
        l.clear_grad()
    lin.accumulate_grad(torch.tensor([[1., 0.], [0., 1.]]))
    lin.backward()
    # dW = g @ x.T, db = row sums of g, dx = W.T @ g
    assert torch.allclose(W.grad, torch.tensor([[1., 3., -1.], [2., 4., 0.]]))
    assert torch.allclose(b.grad, torch.tensor([[1.], [1.]]))
    assert torch.allclose(x.grad, torch.tensor([[1., -1.], [0., 1.], [2., 0.]]))
