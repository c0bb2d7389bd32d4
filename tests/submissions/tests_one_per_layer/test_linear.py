import torch

from layers import Input, Linear


def test_forward_two_samples():
    W = Input((2, 3), train=True)
    W.set(torch.tensor([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0]]))
    b = Input((2, 1), train=True)
    b.set(torch.tensor([[1.0], [-1.0]]))
    x = Input((3, 2))
    x.set(torch.tensor([[1.0, 0.0], [2.0, 1.0], [-1.0, 2.0]]))
    t = Linear(x, W, b)
    t.forward()
    # W @ x: row 1 = (1 + 4 + 0, 0 + 2 + 0) = (5, 2); row 2 = (0 - 2 - 3, 0 - 1 + 6) = (-5, 5)
    # plus b on every column: (6, 3) and (-6, 4)
    assert torch.allclose(t.output, torch.tensor([[6.0, 3.0], [-6.0, 4.0]]))
