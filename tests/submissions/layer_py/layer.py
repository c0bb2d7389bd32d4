# layer.py -- all the layers of the tape
# (x has shape features x batch, one column per sample)

import torch


class Layer:
    """Base layer. output = value, grad = dJ/d(output), inputs = layers it reads."""

    def __init__(self, output_shape, inputs=()):
        self.output = torch.zeros(output_shape)
        self.grad = torch.zeros(output_shape)
        self.inputs = tuple(inputs)

    def accumulate_grad(self, grad):
        if grad.shape != self.grad.shape:
            raise ValueError("%s.accumulate_grad: grad %s, output %s" % (
                type(self).__name__, tuple(grad.shape), tuple(self.grad.shape)))
        self.grad = self.grad.type_as(grad) + grad

    def clear_grad(self):
        self.grad = torch.zeros_like(self.output)

    def forward(self):
        raise NotImplementedError("forward")

    def backward(self):
        raise NotImplementedError("backward")

    def step(self, step_size):
        pass


class Input(Layer):
    """Data or parameters. Only moves in step() if train is True."""

    def __init__(self, output_shape, train=False):
        super().__init__(output_shape)
        self.train = train

    def set(self, value):
        if value.shape != self.output.shape:
            raise ValueError("Input.set: shape %s does not match %s" % (
                tuple(value.shape), tuple(self.output.shape)))
        self.output = torch.clone(value)
        self.clear_grad()

    def randomize(self):
        sh = tuple(self.output.shape)
        if len(sh) == 2 and sh[1] > 1:
            factor = (2.0 / sh[1]) ** 0.5
        else:
            factor = 0.1
        self.output = factor * torch.randn(sh, dtype=self.output.dtype, device=self.output.device)
        self.clear_grad()

    def forward(self):
        pass

    def backward(self):
        pass

    def step(self, step_size):
        if self.train:
            self.output = self.output - step_size * self.grad


class Linear(Layer):
    """W @ x + b"""

    def __init__(self, x, W, b):
        rows, cols = W.output.shape
        if x.output.shape[0] != cols:
            raise ValueError("Linear: x has %d rows, W has %d columns" % (x.output.shape[0], cols))
        if tuple(b.output.shape) != (rows, 1):
            raise ValueError("Linear: b is %s, should be (%d, 1)" % (tuple(b.output.shape), rows))
        super().__init__((rows, x.output.shape[1]), (x, W, b))
        self.x = x
        self.W = W
        self.b = b

    def forward(self):
        self.output = self.W.output @ self.x.output + self.b.output

    def backward(self):
        self.x.accumulate_grad(self.W.output.T @ self.grad)
        self.W.accumulate_grad(self.grad @ self.x.output.T)
        self.b.accumulate_grad(self.grad.sum(1).reshape(-1, 1))


class ReLU(Layer):
    def __init__(self, x):
        super().__init__(x.output.shape, (x,))
        self.x = x

    def forward(self):
        self.output = torch.relu(self.x.output)

    def backward(self):
        positive = self.x.output > 0
        self.x.accumulate_grad(torch.where(positive, self.grad, 0.0 * self.grad))


class MSELoss(Layer):
    def __init__(self, x, y):
        if x.output.shape != y.output.shape:
            raise ValueError("MSELoss: %s vs %s" % (tuple(x.output.shape), tuple(y.output.shape)))
        super().__init__((), (x, y))
        self.x = x
        self.y = y

    def forward(self):
        m = self.x.output.shape[1]
        self.output = torch.sum((self.x.output - self.y.output) ** 2) / m

    def backward(self):
        m = self.x.output.shape[1]
        self.x.accumulate_grad(2 * self.grad * (self.x.output - self.y.output) / m)


class Regularization(Layer):
    def __init__(self, W, lam):
        super().__init__((), (W,))
        self.W = W
        self.lam = lam

    def forward(self):
        self.output = self.lam * torch.sum(self.W.output ** 2)

    def backward(self):
        self.W.accumulate_grad(2 * self.lam * self.grad * self.W.output)


class Softmax(Layer):
    def __init__(self, x, y):
        if x.output.shape != y.output.shape:
            raise ValueError("Softmax: %s vs %s" % (tuple(x.output.shape), tuple(y.output.shape)))
        super().__init__((), (x, y))
        self.x = x
        self.y = y
        self.classifications = torch.zeros(x.output.shape)

    def forward(self):
        shifted = self.x.output - torch.max(self.x.output, dim=0, keepdim=True)[0]
        log_soft = torch.log_softmax(shifted, dim=0)
        self.classifications = torch.exp(log_soft)
        self.output = -torch.sum(self.y.output * log_soft) / shifted.shape[1]

    def backward(self):
        m = self.x.output.shape[1]
        self.x.accumulate_grad(self.grad * (self.classifications - self.y.output) / m)


class Sum(Layer):
    def __init__(self, a, b):
        if a.output.shape != b.output.shape:
            raise ValueError("Sum: %s vs %s" % (tuple(a.output.shape), tuple(b.output.shape)))
        super().__init__(a.output.shape, (a, b))
        self.a = a
        self.b = b

    def forward(self):
        self.output = self.a.output + self.b.output

    def backward(self):
        self.a.accumulate_grad(self.grad)
        self.b.accumulate_grad(self.grad)
