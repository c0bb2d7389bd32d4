"""Layers for the backprop lab (one sample = one column)."""

import torch


class Layer:
    def __init__(self, output_shape, inputs=()):
        self.output = torch.zeros(output_shape)
        self.grad = torch.zeros(output_shape)
        self.inputs = tuple(inputs)

    def accumulate_grad(self, grad):
        """grad += incoming, shapes must agree"""
        if tuple(grad.shape) != tuple(self.grad.shape):
            raise ValueError("accumulate_grad got %s for an output of shape %s"
                             % (tuple(grad.shape), tuple(self.grad.shape)))
        self.grad = torch.add(self.grad.to(grad.dtype).to(grad.device), grad)

    def clear_grad(self):
        self.grad = torch.zeros_like(self.output)

    def forward(self):
        raise NotImplementedError

    def backward(self):
        raise NotImplementedError

    def step(self, step_size):
        pass


class Input(Layer):
    def __init__(self, output_shape, train=False):
        Layer.__init__(self, output_shape)
        self.train = train

    def set(self, value):
        if tuple(value.shape) != tuple(self.output.shape):
            raise ValueError("Input.set: expected %s, got %s"
                             % (tuple(self.output.shape), tuple(value.shape)))
        self.output = value.clone().detach()
        self.clear_grad()

    def randomize(self):
        shape = self.output.shape
        if len(shape) == 2 and shape[1] > 1:
            scale = torch.sqrt(torch.tensor(2.0 / shape[1])).item()
        else:
            scale = 0.1
        self.output = torch.randn(shape, dtype=self.output.dtype, device=self.output.device)
        self.output = self.output * scale
        self.clear_grad()

    def forward(self):
        pass

    def backward(self):
        pass

    def step(self, step_size):
        if self.train:
            self.output = self.output - step_size * self.grad


class Linear(Layer):
    def __init__(self, x, W, b):
        if W.output.shape[1] != x.output.shape[0]:
            raise ValueError("Linear: W is %s but x is %s"
                             % (tuple(W.output.shape), tuple(x.output.shape)))
        if tuple(b.output.shape) != (W.output.shape[0], 1):
            raise ValueError("Linear: b is %s, expected (%d, 1)"
                             % (tuple(b.output.shape), W.output.shape[0]))
        Layer.__init__(self, (W.output.shape[0], x.output.shape[1]), (x, W, b))
        self.x = x
        self.W = W
        self.b = b

    def forward(self):
        self.output = torch.mm(self.W.output, self.x.output) + self.b.output

    def backward(self):
        self.x.accumulate_grad(torch.mm(self.W.output.t(), self.grad))
        self.W.accumulate_grad(torch.mm(self.grad, self.x.output.t()))
        self.b.accumulate_grad(torch.sum(self.grad, dim=1, keepdim=True))


class ReLU(Layer):
    def __init__(self, x):
        Layer.__init__(self, x.output.shape, (x,))
        self.x = x

    def forward(self):
        self.output = torch.where(self.x.output > 0, self.x.output,
                                  torch.zeros_like(self.x.output))

    def backward(self):
        self.x.accumulate_grad(torch.where(self.x.output > 0, self.grad,
                                           torch.zeros_like(self.grad)))


class MSELoss(Layer):
    def __init__(self, x, y):
        if x.output.shape != y.output.shape:
            raise ValueError("MSELoss: x %s, y %s"
                             % (tuple(x.output.shape), tuple(y.output.shape)))
        Layer.__init__(self, (), (x, y))
        self.x = x
        self.y = y

    def forward(self):
        batch = self.x.output.shape[1]
        self.output = torch.sum(torch.square(self.x.output - self.y.output)) / batch

    def backward(self):
        batch = self.x.output.shape[1]
        self.x.accumulate_grad(self.grad * 2.0 * (self.x.output - self.y.output) / batch)


class Regularization(Layer):
    def __init__(self, W, lam):
        Layer.__init__(self, (), (W,))
        self.W = W
        self.lam = lam

    def forward(self):
        self.output = self.lam * torch.sum(torch.square(self.W.output))

    def backward(self):
        self.W.accumulate_grad(self.grad * 2.0 * self.lam * self.W.output)


class Softmax(Layer):
    def __init__(self, x, y):
        if x.output.shape != y.output.shape:
            raise ValueError("Softmax: x %s, y %s"
                             % (tuple(x.output.shape), tuple(y.output.shape)))
        Layer.__init__(self, (), (x, y))
        self.x = x
        self.y = y
        self.classifications = torch.zeros(x.output.shape)

    def forward(self):
        largest, _ = torch.max(self.x.output, dim=0, keepdim=True)
        shifted = self.x.output - largest
        log_norm = torch.log(torch.sum(torch.exp(shifted), dim=0, keepdim=True))
        log_probs = shifted - log_norm
        self.classifications = torch.exp(log_probs)
        batch = self.x.output.shape[1]
        self.output = -torch.sum(self.y.output * log_probs) / batch

    def backward(self):
        batch = self.x.output.shape[1]
        self.x.accumulate_grad(self.grad * (self.classifications - self.y.output) / batch)


class Sum(Layer):
    def __init__(self, a, b):
        if a.output.shape != b.output.shape:
            raise ValueError("Sum: a %s, b %s" % (tuple(a.output.shape), tuple(b.output.shape)))
        Layer.__init__(self, a.output.shape, (a, b))
        self.a = a
        self.b = b

    def forward(self):
        self.output = self.a.output + self.b.output

    def backward(self):
        self.a.accumulate_grad(self.grad)
        self.b.accumulate_grad(self.grad)
