import math

import torch

from layers import Input, Softmax


def test_forward_two_samples():
    x = Input((3, 2))
    x.set(torch.tensor([[0.0, math.log(2.0)], [0.0, 0.0], [0.0, 0.0]]))
    y = Input((3, 2))
    y.set(torch.tensor([[0.0, 1.0], [0.0, 0.0], [1.0, 0.0]]))
    s = Softmax(x, y)
    s.forward()
    # column 1: every class 1/3, target class 3: -log(1/3) = log 3
    # column 2: (2, 1, 1) / 4, target class 1: -log(1/2) = log 2
    # mean over the 2 samples: (log 3 + log 2) / 2
    assert abs(s.output.item() - math.log(6.0) / 2) < 1e-6
