# Lab 1: the layers of my gradient tape. Columns are samples.
import torch


class Layer:
    def __init__(self, shape, inputs=()):
        self.output = torch.zeros(shape)
        self.grad = torch.zeros(shape)
        self.inputs = inputs

    def accumulate_grad(self, grad):
        assert grad.shape == self.grad.shape, \
            f"grad {tuple(grad.shape)} vs output {tuple(self.grad.shape)}"
        self.grad = self.grad.to(grad) + grad

    def clear_grad(self):
        self.grad = torch.zeros_like(self.output)

    def forward(self):
        pass

    def backward(self):
        pass

    def step(self, step_size):
        pass


class Input(Layer):
    def __init__(self, shape, train=False):
        super().__init__(shape)
        self.train = train

    def set(self, value):
        if tuple(value.shape) != tuple(self.output.shape):
            raise ValueError(f"Input.set: got shape {tuple(value.shape)}, this Input has "
                             f"shape {tuple(self.output.shape)}")
        self.output = value.clone()
        self.clear_grad()

    def randomize(self):
        self.output = 0.1 * torch.randn(self.output.shape, dtype=self.output.dtype)
        self.clear_grad()

    def step(self, step_size):
        if self.train:
            self.output = self.output - step_size * self.grad


class Linear(Layer):
    def __init__(self, x, W, b):
        super().__init__((W.output.shape[0], x.output.shape[1]), (x, W, b))
        self.x, self.W, self.b = x, W, b

    def forward(self):
        self.output = self.W.output @ self.x.output + self.b.output

    def backward(self):
        self.x.accumulate_grad(self.W.output.T @ self.grad)
        self.W.accumulate_grad(self.grad @ self.x.output.T)
        self.b.accumulate_grad(self.grad.sum(dim=1, keepdim=True))


class ReLU(Layer):
    def __init__(self, x):
        super().__init__(x.output.shape, (x,))
        self.x = x

    def forward(self):
        self.output = self.x.output * (self.x.output > 0)

    def backward(self):
        self.x.accumulate_grad(self.grad * (self.x.output > 0))


class MSELoss(Layer):
    def __init__(self, x, y):
        super().__init__((), (x, y))
        self.x, self.y = x, y

    def forward(self):
        m = self.x.output.shape[1]
        self.output = ((self.x.output - self.y.output) ** 2).sum() / m

    def backward(self):
        m = self.x.output.shape[1]
        self.x.accumulate_grad(self.grad * 2 * (self.x.output - self.y.output) / m)


class Regularization(Layer):
    def __init__(self, W, lam):
        super().__init__((), (W,))
        self.W, self.lam = W, lam

    def forward(self):
        self.output = self.lam * (self.W.output ** 2).sum()

    def backward(self):
        self.W.accumulate_grad(self.grad * 2 * self.lam * self.W.output)


class Softmax(Layer):
    def __init__(self, x, y):
        super().__init__((), (x, y))
        self.x, self.y = x, y
        self.classifications = torch.zeros(x.output.shape)

    def forward(self):
        z = self.x.output - self.x.output.max(dim=0, keepdim=True).values
        log_p = z - torch.log(torch.exp(z).sum(dim=0, keepdim=True))
        self.classifications = torch.exp(log_p)
        self.output = -(self.y.output * log_p).sum() / z.shape[1]

    def backward(self):
        m = self.x.output.shape[1]
        self.x.accumulate_grad(self.grad * (self.classifications - self.y.output) / m)


class Sum(Layer):
    def __init__(self, a, b):
        super().__init__(a.output.shape, (a, b))
        self.a, self.b = a, b

    def forward(self):
        self.output = self.a.output + self.b.output

    def backward(self):
        self.a.accumulate_grad(self.grad)
        self.b.accumulate_grad(self.grad)
