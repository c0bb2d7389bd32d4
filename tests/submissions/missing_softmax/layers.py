import torch


class Layer:
    def __init__(self, output_shape, inputs=()):
        self.output = torch.zeros(output_shape)
        self.grad = torch.zeros(output_shape)
        self.inputs = tuple(inputs)

    def accumulate_grad(self, grad):
        if grad.shape != self.grad.shape:
            raise ValueError(f"accumulate_grad: {tuple(grad.shape)} into {tuple(self.grad.shape)}")
        self.grad = self.grad.to(grad) + grad

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
        if value.shape != self.output.shape:
            raise ValueError(f"Input.set: {tuple(value.shape)} != {tuple(self.output.shape)}")
        self.output = value.clone()
        self.clear_grad()

    def randomize(self):
        n = self.output.shape
        scale = (2 / n[1]) ** 0.5 if len(n) == 2 and n[1] > 1 else 0.1
        self.output = torch.randn(n, dtype=self.output.dtype, device=self.output.device) * scale
        self.clear_grad()

    def forward(self):
        pass

    def backward(self):
        pass

    def step(self, step_size):
        if self.train:
            self.output -= step_size * self.grad


class Linear(Layer):
    def __init__(self, x, W, b):
        n_out, n_in = W.output.shape
        if x.output.shape[0] != n_in or b.output.shape != (n_out, 1):
            raise ValueError(f"Linear: x {tuple(x.output.shape)}, W {tuple(W.output.shape)}, "
                             f"b {tuple(b.output.shape)} do not fit")
        super().__init__((n_out, x.output.shape[1]), (x, W, b))
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
        self.output = torch.relu(self.x.output)

    def backward(self):
        self.x.accumulate_grad(self.grad * (self.x.output > 0))


class MSELoss(Layer):
    def __init__(self, x, y):
        if x.output.shape != y.output.shape:
            raise ValueError(f"MSELoss: {tuple(x.output.shape)} vs {tuple(y.output.shape)}")
        super().__init__((), (x, y))
        self.x, self.y = x, y

    def forward(self):
        e = self.x.output - self.y.output
        self.output = (e ** 2).sum() / e.shape[1]

    def backward(self):
        e = self.x.output - self.y.output
        self.x.accumulate_grad(self.grad * 2 * e / e.shape[1])


class Regularization(Layer):
    def __init__(self, W, lam):
        super().__init__((), (W,))
        self.W, self.lam = W, lam

    def forward(self):
        self.output = self.lam * (self.W.output ** 2).sum()

    def backward(self):
        self.W.accumulate_grad(self.grad * 2 * self.lam * self.W.output)


# TODO Softmax -- did not get to it before the deadline


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
