"""Lab 1: layers. Column = sample. Each layer: output, grad, inputs."""
import torch


class Layer:
    def __init__(self, output_shape, inputs=()):
        self.output = torch.zeros(output_shape)
        self.grad = torch.zeros(output_shape)
        self.inputs = tuple(inputs)

    def accumulate_grad(self, grad):
        if tuple(grad.shape) != tuple(self.grad.shape):
            raise ValueError(f"grad shape {tuple(grad.shape)} != {tuple(self.grad.shape)}")
        self.grad = grad + self.grad.to(grad.device, grad.dtype)

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
        if tuple(value.shape) != tuple(self.output.shape):
            raise ValueError(f"Input.set: {tuple(value.shape)} given, "
                             f"{tuple(self.output.shape)} expected")
        self.output = value.detach().clone()
        self.clear_grad()

    def randomize(self):
        rows_cols = self.output.shape
        if len(rows_cols) == 2 and rows_cols[1] > 1:
            s = (2.0 / rows_cols[1]) ** 0.5
        else:
            s = 0.1
        self.output = torch.randn_like(self.output) * s
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
        if x.output.shape[0] != W.output.shape[1]:
            raise ValueError(f"Linear: W {tuple(W.output.shape)} does not fit x "
                             f"{tuple(x.output.shape)}")
        if tuple(b.output.shape) != (W.output.shape[0], 1):
            raise ValueError(f"Linear: b is {tuple(b.output.shape)}, "
                             f"need ({W.output.shape[0]}, 1)")
        super().__init__((W.output.shape[0], x.output.shape[1]), (x, W, b))
        self.x, self.W, self.b = x, W, b

    def forward(self):
        self.output = self.W.output.matmul(self.x.output) + self.b.output

    def backward(self):
        g = self.grad
        self.x.accumulate_grad(self.W.output.T.matmul(g))
        self.W.accumulate_grad(g.matmul(self.x.output.T))
        self.b.accumulate_grad(g.sum(1, keepdim=True))


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
        if x.output.shape != y.output.shape:
            raise ValueError(f"MSELoss: {tuple(x.output.shape)} vs {tuple(y.output.shape)}")
        super().__init__((), (x, y))
        self.x, self.y = x, y

    def forward(self):
        d = self.x.output - self.y.output
        self.output = (d * d).sum() / d.shape[1]

    def backward(self):
        d = self.x.output - self.y.output
        self.x.accumulate_grad(self.grad * 2.0 * d / d.shape[1])


class Regularization(Layer):
    def __init__(self, W, lam):
        super().__init__((), (W,))
        self.W, self.lam = W, lam

    def forward(self):
        self.output = self.lam * (self.W.output * self.W.output).sum()

    def backward(self):
        self.W.accumulate_grad(2.0 * self.lam * self.grad * self.W.output)


class Softmax(Layer):
    def __init__(self, x, y):
        if x.output.shape != y.output.shape:
            raise ValueError(f"Softmax: {tuple(x.output.shape)} vs {tuple(y.output.shape)}")
        super().__init__((), (x, y))
        self.x, self.y = x, y
        self.classifications = torch.zeros(x.output.shape)

    def forward(self):
        z = self.x.output
        z = z - z.max(0, keepdim=True).values
        lse = torch.logsumexp(z, 0, keepdim=True)
        self.classifications = torch.exp(z - lse)
        self.output = -(self.y.output * (z - lse)).sum() / z.shape[1]

    def backward(self):
        m = self.x.output.shape[1]
        self.x.accumulate_grad(self.grad * (self.classifications - self.y.output) / m)


class Sum(Layer):
    def __init__(self, a, b):
        if a.output.shape != b.output.shape:
            raise ValueError(f"Sum: {tuple(a.output.shape)} vs {tuple(b.output.shape)}")
        super().__init__(a.output.shape, (a, b))
        self.a, self.b = a, b

    def forward(self):
        self.output = self.a.output + self.b.output

    def backward(self):
        self.a.accumulate_grad(self.grad)
        self.b.accumulate_grad(self.grad)
