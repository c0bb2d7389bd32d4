"""MSELoss(target, prediction) and Regularization(lamb, W): my parameter orders."""

import torch

from layers import Input, MSELoss, Regularization


def test_mse_two_samples():
    y = Input((2, 2))
    y.set(torch.tensor([[0.0, 2.0], [1.0, 1.0]]))
    x = Input((2, 2))
    x.set(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
    loss = MSELoss(y, x)
    loss.forward()
    # (1 + 0 + 4 + 9) / 2 samples = 7
    assert abs(loss.outputs.item() - 7.0) < 1e-6


def test_regularization_lambda_first():
    W = Input((1, 2), trainable=True)
    W.set(torch.tensor([[1.0, 2.0]]))
    s = Regularization(0.25, W)
    s.forward()
    # 0.25 * (1 + 4)
    assert abs(s.outputs.item() - 1.25) < 1e-6


def test_regularization_backward():
    W = Input((1, 2), trainable=True)
    W.set(torch.tensor([[1.0, 2.0]]))
    s = Regularization(0.25, W)
    s.forward()
    W.clear_grads()
    s.clear_grads()
    s.accumulate_grads(torch.tensor(1.0))
    s.backward()
    # d/dW of lamb * ||W||^2 = 2 * lamb * W
    assert torch.allclose(W.grads, torch.tensor([[0.5, 1.0]]))
