import torch

from layers import Input, ReLU


def test_forward_cuts_negatives():
    x = Input((2, 2))
    x.set(torch.tensor([[-1.0, 2.0], [0.5, -3.0]]))
    r = ReLU(x)
    r.forward()
    assert torch.equal(r.output, torch.tensor([[0.0, 2.0], [0.5, 0.0]]))
