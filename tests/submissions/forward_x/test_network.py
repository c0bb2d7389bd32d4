import torch

from layers import Input, Linear, MSELoss
from network import Network


def build():
    x = Input((2, 1))
    W = Input((1, 2), train=True)
    W.set(torch.tensor([[1.0, -1.0]]))
    b = Input((1, 1), train=True)
    b.set(torch.tensor([[0.5]]))
    y = Input((1, 1))
    y.set(torch.tensor([[2.0]]))
    z = Linear(x, W, b)
    L = MSELoss(z, y)
    net = Network()
    net.set_input(x)
    for layer in (W, b, y, z, L):
        net.add(layer)
    net.set_output(L)
    return net, W, b


def test_forward():
    net, W, b = build()
    # z = 3 - 1 + 0.5 = 2.5, L = (2.5 - 2)^2 = 0.25
    assert abs(net.forward(torch.tensor([[3.0], [1.0]])).item() - 0.25) < 1e-6


def test_backward_and_step():
    net, W, b = build()
    net.forward(torch.tensor([[3.0], [1.0]]))
    net.backward()
    # dL/dz = 2 * 0.5 = 1, dW = 1 * x.T, db = 1
    assert torch.allclose(W.grad, torch.tensor([[3.0, 1.0]]))
    assert torch.allclose(b.grad, torch.tensor([[1.0]]))
    net.step(0.1)
    assert torch.allclose(W.output, torch.tensor([[0.7, -1.1]]))
