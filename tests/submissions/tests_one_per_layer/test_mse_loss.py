import torch

from layers import Input, MSELoss


def test_forward_two_samples():
    x = Input((2, 2))
    x.set(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
    y = Input((2, 2))
    y.set(torch.tensor([[0.0, 2.0], [1.0, 1.0]]))
    loss = MSELoss(x, y)
    loss.forward()
    # squared errors 1, 0, 4, 9: summed 14, averaged over the 2 samples: 7
    assert abs(loss.output.item() - 7.0) < 1e-6
