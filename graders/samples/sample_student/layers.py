"""My layers for lab 1 (backprop with a tape).

x is (features, batch), one column per sample.
output = value of the layer, grad = dJ/d output.
"""
import torch


class Layer:
    def __init__(self, output_shape, inputs=()):
        self.output = torch.zeros(output_shape)
        self.grad = torch.zeros(output_shape)
        self.inputs = tuple(inputs)

    def accumulate_grad(self, grad):
        # the gradient coming from the layer above
        self.grad = grad

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
        super().__init__(output_shape)
        self.train = train

    def set(self, value):
        self.output = value
        self.clear_grad()

    def randomize(self):
        shape = self.output.shape
        if len(shape) == 2 and shape[1] > 1:
            scale = (2 / shape[1]) ** 0.5
        else:
            scale = 0.1
        self.output = torch.randn(shape, dtype=self.output.dtype) * scale
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
            raise ValueError(f"Linear: W is {tuple(W.output.shape)}, "
                             f"x is {tuple(x.output.shape)}")
        super().__init__((W.output.shape[0], x.output.shape[1]), (x, W, b))
        self.x = x
        self.W = W
        self.b = b

    def forward(self):
        self.output = self.W.output @ self.x.output + self.b.output

    def backward(self):
        self.x.accumulate_grad(self.W.output.T @ self.grad)
        self.W.accumulate_grad(self.grad @ self.x.output.T)
        self.b.accumulate_grad(self.grad)  # d(Wx + b)/db = 1


class ReLU(Layer):
    def __init__(self, x):
        super().__init__(x.output.shape, (x,))
        self.x = x

    def forward(self):
        self.output = torch.clamp(self.x.output, min=0)

    def backward(self):
        self.x.accumulate_grad(self.grad * (self.x.output > 0))


class MSELoss(Layer):
    def __init__(self, x, y):
        super().__init__((), (x, y))
        self.x = x
        self.y = y

    def forward(self):
        m = self.x.output.shape[1]
        self.output = torch.sum((self.x.output - self.y.output) ** 2) / m

    def backward(self):
        m = self.x.output.shape[1]
        self.x.accumulate_grad(self.grad * 2 * (self.x.output - self.y.output) / m)


class Regularization(Layer):
    def __init__(self, W, lam):
        super().__init__((), (W,))
        self.W = W
        self.lam = lam

    def forward(self):
        # lambda * ||W||
        self.output = self.lam * torch.norm(self.W.output)

    def backward(self):
        self.W.accumulate_grad(self.grad * 2 * self.lam * self.W.output)


class Softmax(Layer):
    def __init__(self, x, y):
        super().__init__((), (x, y))
        self.x = x
        self.y = y
        self.classifications = torch.zeros(x.output.shape)

    def forward(self):
        # subtract the max so exp does not overflow
        z = self.x.output - torch.max(self.x.output, dim=0, keepdim=True).values
        exps = torch.exp(z)
        self.classifications = exps / torch.sum(exps, dim=0, keepdim=True)
        log_probs = z - torch.log(torch.sum(exps, dim=0, keepdim=True))
        self.output = -torch.sum(self.y.output * log_probs)

    def backward(self):
        self.x.accumulate_grad(self.grad * (self.classifications - self.y.output))


class Sum(Layer):
    def __init__(self, a, b):
        super().__init__(a.output.shape, (a, b))
        self.a = a
        self.b = b

    def forward(self):
        self.output = self.a.output + self.b.output

    def backward(self):
        self.a.accumulate_grad(self.grad)
        self.b.accumulate_grad(self.grad)
