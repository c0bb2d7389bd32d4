"""Rules of the lab that the reference itself must keep, and its error messages."""

import re
from pathlib import Path

import pytest
import torch

from support import ROOT
from graders.hidden import layer_case, network_case
from reference.layers import Input, Linear, MSELoss, Regularization, ReLU, Softmax, Sum
from reference.network import Network
import random


@pytest.mark.parametrize("forbidden", ["torch.autograd", "requires_grad", "torch.nn.functional",
                                       "grad_fn", ".backward("])
def test_reference_source_never_uses_autograd(forbidden):
    for path in (ROOT / "reference").glob("*.py"):
        text = path.read_text()
        # The tape itself calls its layers' backward(); no tensor's backward() is called.
        text = re.sub(r"\b(layer|net)\.backward\(\)", "", text)
        assert forbidden not in text, f"{path.name} mentions {forbidden}"


def build_network(batch=3, dtype=torch.float64, device="cpu"):
    """A two-layer network with MSE and regularization, set to seeded random values."""
    generator = torch.Generator().manual_seed(0)

    def value(*shape):
        return torch.randn(*shape, generator=generator, dtype=dtype).to(device)

    x, y = Input((4, batch)), Input((2, batch))
    W1, b1 = Input((3, 4), train=True), Input((3, 1), train=True)
    W2, b2 = Input((2, 3), train=True), Input((2, 1), train=True)
    for layer, shape in ((x, (4, batch)), (y, (2, batch)), (W1, (3, 4)), (b1, (3, 1)),
                         (W2, (2, 3)), (b2, (2, 1))):
        layer.set(value(*shape))
    h = Linear(x, W1, b1)
    r = ReLU(h)
    o = Linear(r, W2, b2)
    L = MSELoss(o, y)
    s = Sum(Regularization(W1, 0.1), Regularization(W2, 0.1))
    J = Sum(L, s)
    net = Network()
    net.set_input(x)
    for layer in (y, W1, b1, W2, b2, h, r, o, L, *s.inputs, s, J):
        net.add(layer)
    net.set_output(J)
    return net


def test_reference_never_builds_an_autograd_graph():
    with torch.enable_grad():
        net = build_network()
        net.forward()
        net.backward()
        net.step(0.1)
    for layer in net.layers:
        for tensor in (layer.output, layer.grad, getattr(layer, "classifications", None)):
            if tensor is not None:
                assert not tensor.requires_grad and tensor.grad_fn is None, type(layer).__name__


def test_reference_does_not_track_a_callers_graph():
    x = Input((2, 1))
    x.set(torch.ones(2, 1, requires_grad=True))
    assert not x.output.requires_grad


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_values_follow_the_dtype_of_the_inputs(dtype):
    net = build_network(dtype=dtype)
    net.forward()
    net.backward()
    assert all(layer.output.dtype == dtype and layer.grad.dtype == dtype
               for layer in net.layers)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="CUDA variant: no GPU on this machine")
def test_network_runs_on_cuda_like_on_cpu():
    on_cpu, on_gpu = build_network(), build_network(device="cuda")
    for net in (on_cpu, on_gpu):
        net.forward()
        net.backward()
        net.step(0.1)
    for a, b in zip(on_cpu.layers, on_gpu.layers):
        assert b.output.device.type == "cuda"
        assert torch.allclose(a.output, b.output.cpu())
        assert torch.allclose(a.grad, b.grad.cpu())


def test_accumulate_grad_adds():
    x = Input((2, 1))
    x.accumulate_grad(torch.tensor([[1.0], [2.0]]))
    x.accumulate_grad(torch.tensor([[10.0], [20.0]]))
    assert x.grad.tolist() == [[11.0], [22.0]]


def test_accumulate_grad_refuses_another_shape():
    x = Input((2, 1))
    with pytest.raises(ValueError, match=re.escape("grad has shape (1, 2) but output has shape "
                                                   "(2, 1)")):
        x.accumulate_grad(torch.ones(1, 2))


def test_clear_grad_keeps_the_shape():
    x = Input((3, 2))
    x.accumulate_grad(torch.ones(3, 2))
    x.clear_grad()
    assert x.grad.shape == (3, 2) and not x.grad.any()


def test_input_set_checks_the_shape():
    with pytest.raises(ValueError, match=r"value has shape \(2, 2\) but this Input has shape "
                                         r"\(2, 1\)"):
        Input((2, 1)).set(torch.ones(2, 2))


def test_input_set_copies_the_callers_tensor():
    value = torch.ones(2, 1)
    x = Input((2, 1), train=True)
    x.set(value)
    x.accumulate_grad(torch.ones(2, 1))
    x.step(0.5)
    assert value.tolist() == [[1.0], [1.0]] and x.output.tolist() == [[0.5], [0.5]]


def test_randomize_keeps_the_shape_and_is_not_constant():
    torch.manual_seed(0)
    W = Input((5, 4), train=True)
    W.randomize()
    assert W.output.shape == (5, 4) and W.output.std() > 0


def test_step_moves_only_trainable_inputs():
    frozen, trained = Input((1, 1)), Input((1, 1), train=True)
    for layer in (frozen, trained):
        layer.set(torch.ones(1, 1))
        layer.accumulate_grad(torch.ones(1, 1))
        layer.step(0.25)
    assert frozen.output.item() == 1.0 and trained.output.item() == 0.75


def test_linear_names_both_shapes_when_they_disagree():
    with pytest.raises(ValueError, match=r"W has shape \(3, 4\) but x has 5 rows"):
        Linear(Input((5, 1)), Input((3, 4)), Input((3, 1)))


def test_network_refuses_a_layer_before_its_inputs():
    x = Input((2, 1))
    net = Network()
    with pytest.raises(ValueError, match="ReLU reads Input which is not on the tape yet"):
        net.add(ReLU(x))


def test_network_forward_accepts_an_input_tensor():
    x, W, b = Input((2, 1)), Input((1, 2)), Input((1, 1))
    W.set(torch.tensor([[1.0, 2.0]]))
    net = Network()
    net.set_input(x)
    net.add(W)
    net.add(b)
    out = Linear(x, W, b)
    net.add(out)
    net.set_output(out)
    assert net.forward(torch.tensor([[3.0], [4.0]])).tolist() == [[11.0]]


def test_softmax_is_stable_for_large_scores():
    x, y = Input((2, 1)), Input((2, 1))
    x.set(torch.tensor([[1000.0], [0.0]]))
    y.set(torch.tensor([[0.0], [1.0]]))
    loss = Softmax(x, y)
    loss.forward()
    assert torch.isfinite(loss.output) and abs(loss.output.item() - 1000.0) < 1e-3
