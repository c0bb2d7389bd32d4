import torch

from layers import Input


def test_set_keeps_a_copy():
    value = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    x = Input((2, 2))
    x.set(value)
    # Changing my tensor afterwards must not change the Input.
    value[0, 0] = 100.0
    assert torch.equal(x.output, torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
