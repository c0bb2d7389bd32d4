"""Layers for lab 1.

Every layer keeps the layers it reads in self.inputs (in the order they were
given) and reads their .output in forward.
"""
import math

import torch


class Layer:
    def __init__(self, shape, inputs=()):
        self.inputs = tuple(inputs)
        self.output = torch.zeros(shape)
        self.grad = torch.zeros(shape)

    def accumulate_grad(self, g):
        assert_same(g.shape, self.grad.shape, "grad")
        if self.grad.dtype != g.dtype or self.grad.device != g.device:
            self.grad = self.grad.to(g.device, g.dtype)
        self.grad = self.grad + g

    def clear_grad(self):
        self.grad = torch.zeros_like(self.output)

    def forward(self):
        raise NotImplementedError

    def backward(self):
        raise NotImplementedError

    def step(self, step_size):
        return None


def assert_same(s1, s2, what):
    if tuple(s1) != tuple(s2):
        raise ValueError(f"{what}: shapes {tuple(s1)} and {tuple(s2)} differ")


class Input(Layer):
    def __init__(self, shape, train=False):
        super().__init__(shape)
        self.train = train

    def set(self, value):
        assert_same(value.shape, self.output.shape, "Input.set")
        self.output = value.detach().clone()
        self.clear_grad()

    def randomize(self):
        o = self.output
        k = math.sqrt(2 / o.shape[1]) if o.dim() == 2 and o.shape[1] > 1 else 0.1
        self.output = k * torch.randn(o.shape, dtype=o.dtype, device=o.device)
        self.clear_grad()

    def forward(self):
        pass

    def backward(self):
        pass

    def step(self, step_size):
        if self.train:
            self.output = self.output - step_size * self.grad


class Linear(Layer):
    # a = x (in, m), c = W (out, in), d = b (out, 1)
    def __init__(self, a, c, d):
        if a.output.shape[0] != c.output.shape[1]:
            raise ValueError(f"Linear: W is {tuple(c.output.shape)}, x is {tuple(a.output.shape)}")
        assert_same(d.output.shape, (c.output.shape[0], 1), "Linear bias")
        super().__init__((c.output.shape[0], a.output.shape[1]), [a, c, d])

    def forward(self):
        a, c, d = self.inputs
        self.output = c.output @ a.output + d.output

    def backward(self):
        a, c, d = self.inputs
        a.accumulate_grad(c.output.t() @ self.grad)
        c.accumulate_grad(self.grad @ a.output.t())
        d.accumulate_grad(torch.sum(self.grad, 1, keepdim=True))


class ReLU(Layer):
    def __init__(self, a):
        super().__init__(a.output.shape, [a])

    def forward(self):
        self.output = self.inputs[0].output.clamp(min=0)

    def backward(self):
        a = self.inputs[0]
        a.accumulate_grad(torch.where(a.output > 0, self.grad, torch.zeros_like(self.grad)))


class MSELoss(Layer):
    # a = prediction, c = target
    def __init__(self, a, c):
        assert_same(a.output.shape, c.output.shape, "MSELoss")
        super().__init__((), [a, c])

    def forward(self):
        a, c = self.inputs
        self.output = ((a.output - c.output) ** 2).sum() / a.output.shape[1]

    def backward(self):
        a, c = self.inputs
        a.accumulate_grad(self.grad * 2 * (a.output - c.output) / a.output.shape[1])


class Regularization(Layer):
    def __init__(self, a, c):
        super().__init__((), [a])
        self.c = c

    def forward(self):
        self.output = self.c * (self.inputs[0].output ** 2).sum()

    def backward(self):
        W = self.inputs[0]
        W.accumulate_grad(2 * self.c * self.grad * W.output)


class Softmax(Layer):
    # a = scores, c = one-hot labels
    def __init__(self, a, c):
        assert_same(a.output.shape, c.output.shape, "Softmax")
        super().__init__((), [a, c])
        self.classifications = torch.zeros(a.output.shape)

    def forward(self):
        a, c = self.inputs
        z = a.output - a.output.max(0, keepdim=True)[0]
        logp = z - z.exp().sum(0, keepdim=True).log()
        self.classifications = logp.exp()
        self.output = -(c.output * logp).sum() / z.shape[1]

    def backward(self):
        a, c = self.inputs
        a.accumulate_grad(self.grad * (self.classifications - c.output) / a.output.shape[1])


class Sum(Layer):
    def __init__(self, a, b):
        assert_same(a.output.shape, b.output.shape, "Sum")
        super().__init__(a.output.shape, [a, b])

    def forward(self):
        self.output = self.inputs[0].output + self.inputs[1].output

    def backward(self):
        for inp in self.inputs:
            inp.accumulate_grad(self.grad)
