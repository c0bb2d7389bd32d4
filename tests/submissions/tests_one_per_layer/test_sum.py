import torch

from layers import Input, Sum


def test_forward():
    a = Input((1, 2))
    a.set(torch.tensor([[1.0, -2.0]]))
    b = Input((1, 2))
    b.set(torch.tensor([[0.5, 4.0]]))
    s = Sum(a, b)
    s.forward()
    assert torch.equal(s.output, torch.tensor([[1.5, 2.0]]))
