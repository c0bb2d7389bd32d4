import torch

from layers import Input, Linear, MSELoss, ReLU
from network import Network


def test_forward_one_sample():
    x = Input((2, 1))
    W1 = Input((2, 2), train=True)
    W1.set(torch.tensor([[1.0, -1.0], [2.0, 1.0]]))
    b1 = Input((2, 1), train=True)
    b1.set(torch.tensor([[0.0], [-3.0]]))
    W2 = Input((2, 2), train=True)
    W2.set(torch.tensor([[1.0, 2.0], [-1.0, 3.0]]))
    b2 = Input((2, 1), train=True)
    b2.set(torch.tensor([[0.5], [0.0]]))
    y = Input((2, 1))
    y.set(torch.tensor([[1.0], [1.0]]))
    h = Linear(x, W1, b1)
    r = ReLU(h)
    o = Linear(r, W2, b2)
    L = MSELoss(o, y)
    net = Network()
    net.set_input(x)
    for layer in (W1, b1, h, r, W2, b2, o, y, L):
        net.add(layer)
    net.set_output(L)

    J = net.forward(torch.tensor([[1.0], [2.0]]))

    # h = (1 - 2 + 0, 2 + 2 - 3) = (-1, 1); the ReLU cuts the first unit: r = (0, 1)
    # o = (0 + 2 + 0.5, 0 + 3 + 0) = (2.5, 3); L = 1.5^2 + 2^2 = 6.25
    assert torch.allclose(h.output, torch.tensor([[-1.0], [1.0]]))
    assert torch.allclose(o.output, torch.tensor([[2.5], [3.0]]))
    assert abs(J.item() - 6.25) < 1e-6
