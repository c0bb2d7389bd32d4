import math

import torch

from layers import Input, Softmax


def test_equal_scores():
    # all scores equal -> every class gets 1/3, loss = -log(1/3) = log(3)
    x = Input((3, 1))
    x.set(torch.zeros(3, 1))
    y = Input((3, 1))
    y.set(torch.tensor([[0.0], [1.0], [0.0]]))
    sm = Softmax(x, y)
    sm.forward()
    assert torch.allclose(sm.probs, torch.full((3, 1), 1 / 3))
    assert abs(sm.outputs.item() - math.log(3)) < 1e-6


def test_gradient_is_p_minus_y():
    x = Input((3, 1), train=True)
    x.set(torch.zeros(3, 1))
    y = Input((3, 1))
    y.set(torch.tensor([[0.0], [1.0], [0.0]]))
    sm = Softmax(x, y)
    sm.forward()
    for layer in (x, y, sm):
        layer.clear_grads()
    sm.accumulate_grads(torch.tensor(1.0))
    sm.backward()
    assert torch.allclose(x.grads, torch.tensor([[1 / 3], [-2 / 3], [1 / 3]]))
