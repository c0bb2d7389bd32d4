# Parameters before data in every constructor: Linear(W, b, x), MSELoss(target, prediction),
# Regularization(lamb, W). Values live in .outputs, gradients in .grads.
import torch


class Node:
    def __init__(self, shape, parents=()):
        self.outputs = torch.zeros(shape)
        self.grads = torch.zeros(shape)
        self.parents = parents

    def accumulate_grads(self, g):
        if g.shape != self.grads.shape:
            raise ValueError(f"grad of shape {tuple(g.shape)} for an output of shape "
                             f"{tuple(self.grads.shape)}")
        self.grads = self.grads.to(g) + g

    def clear_grads(self):
        self.grads = torch.zeros_like(self.outputs)

    def forward(self):
        pass

    def backward(self):
        pass

    def step(self, step_size):
        pass


class Input(Node):
    def __init__(self, shape, trainable=False):
        super().__init__(shape)
        self.trainable = trainable

    def set(self, value):
        if tuple(value.shape) != tuple(self.outputs.shape):
            raise ValueError(f"Input.set: shape {tuple(value.shape)}, expected "
                             f"{tuple(self.outputs.shape)}")
        self.outputs = value.clone()
        self.clear_grads()

    def randomize(self):
        self.outputs = torch.randn(self.outputs.shape) * 0.1
        self.clear_grads()

    def step(self, step_size):
        if self.trainable:
            self.outputs = self.outputs - step_size * self.grads


class Linear(Node):
    def __init__(self, W, b, x):
        super().__init__((W.outputs.shape[0], x.outputs.shape[1]), (W, b, x))
        self.W, self.b, self.x = W, b, x

    def forward(self):
        self.outputs = self.W.outputs @ self.x.outputs + self.b.outputs

    def backward(self):
        self.W.accumulate_grads(self.grads @ self.x.outputs.T)
        self.b.accumulate_grads(self.grads.sum(dim=1, keepdim=True))
        self.x.accumulate_grads(self.W.outputs.T @ self.grads)


class ReLU(Node):
    def __init__(self, x):
        super().__init__(x.outputs.shape, (x,))
        self.x = x

    def forward(self):
        self.outputs = torch.clamp(self.x.outputs, min=0.0)

    def backward(self):
        self.x.accumulate_grads(self.grads * (self.x.outputs > 0))


class MSELoss(Node):
    def __init__(self, target, prediction):
        super().__init__((), (target, prediction))
        self.target, self.prediction = target, prediction

    def forward(self):
        error = self.prediction.outputs - self.target.outputs
        self.outputs = (error ** 2).sum() / error.shape[1]

    def backward(self):
        error = self.prediction.outputs - self.target.outputs
        self.prediction.accumulate_grads(self.grads * 2 * error / error.shape[1])


class Regularization(Node):
    def __init__(self, lamb, W):
        super().__init__((), (W,))
        self.lamb, self.W = lamb, W

    def forward(self):
        self.outputs = self.lamb * (self.W.outputs ** 2).sum()

    def backward(self):
        self.W.accumulate_grads(self.grads * 2 * self.lamb * self.W.outputs)


class Softmax(Node):
    def __init__(self, x, y):
        super().__init__((), (x, y))
        self.x, self.y = x, y
        self.classifications = torch.zeros(x.outputs.shape)

    def forward(self):
        log_p = torch.log_softmax(self.x.outputs, dim=0)
        self.classifications = torch.exp(log_p)
        self.outputs = -(self.y.outputs * log_p).sum() / log_p.shape[1]

    def backward(self):
        m = self.x.outputs.shape[1]
        self.x.accumulate_grads(self.grads * (self.classifications - self.y.outputs) / m)


class Sum(Node):
    def __init__(self, a, b):
        super().__init__(a.outputs.shape, (a, b))
        self.a, self.b = a, b

    def forward(self):
        self.outputs = self.a.outputs + self.b.outputs

    def backward(self):
        self.a.accumulate_grads(self.grads)
        self.b.accumulate_grads(self.grads)
