import torch

# Layers for lab 1.
# x is (features, batch). W is (out, in). b is (out, 1).


class Layer:
    def __init__(self, output_shape, inputs=()):
        self.output = torch.zeros(output_shape)
        self.grad = torch.zeros(output_shape)
        self.inputs = tuple(inputs)

    def accumulate_grad(self, grad):
        if grad.shape != self.grad.shape:
            raise ValueError(f"{type(self).__name__}: grad of shape {tuple(grad.shape)} "
                             f"does not match {tuple(self.grad.shape)}")
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
            raise ValueError(f"Input.set: wrong shape {tuple(value.shape)}, "
                             f"this input is {tuple(self.output.shape)}")
        self.output = value.clone()
        self.clear_grad()

    def randomize(self):
        shape = self.output.shape
        scale = (2 / shape[1]) ** 0.5 if len(shape) == 2 and shape[1] > 1 else 0.1
        self.output = scale * torch.randn(shape, dtype=self.output.dtype,
                                          device=self.output.device)
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
            raise ValueError(f"Linear: W {tuple(W.output.shape)} x {tuple(x.output.shape)}")
        super().__init__((W.output.shape[0], x.output.shape[1]), (x, W, b))
        self.x = x
        self.W = W
        self.b = b

    def forward(self):
        # the bias is one number per output row; transpose it so it is a row vector and
        # gets broadcast (worked in my test with one output)
        self.output = self.W.output @ self.x.output + self.b.output.T

    def backward(self):
        self.x.accumulate_grad(self.W.output.T @ self.grad)
        self.W.accumulate_grad(self.grad @ self.x.output.T)
        # b was added as a row, so sum the rows and turn it back into a column
        self.b.accumulate_grad(self.grad.sum(dim=0, keepdim=True).T)


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
        super().__init__((), (x, y))
        self.x = x
        self.y = y

    def forward(self):
        # mean squared error = mean of the squared errors
        self.output = torch.mean((self.x.output - self.y.output) ** 2)

    def backward(self):
        n = self.x.output.numel()
        self.x.accumulate_grad(self.grad * 2 * (self.x.output - self.y.output) / n)


class Regularization(Layer):
    def __init__(self, W, lam):
        super().__init__((), (W,))
        self.W = W
        self.lam = lam

    def forward(self):
        # lambda/2 so the 2 cancels in the derivative (like in the book)
        self.output = self.lam / 2 * torch.sum(self.W.output ** 2)

    def backward(self):
        self.W.accumulate_grad(self.grad * self.lam * self.W.output)


class Softmax(Layer):
    def __init__(self, x, y):
        super().__init__((), (x, y))
        self.x = x
        self.y = y
        self.classifications = torch.zeros(x.output.shape)

    def forward(self):
        z = self.x.output - self.x.output.max(dim=0, keepdim=True).values
        e = torch.exp(z)
        self.classifications = e / e.sum(dim=0, keepdim=True)
        m = z.shape[1]
        log_p = z - torch.log(e.sum(dim=0, keepdim=True))
        self.output = -(self.y.output * log_p).sum() / m

    def backward(self):
        m = self.x.output.shape[1]
        self.x.accumulate_grad(self.grad * (self.classifications - self.y.output) / m)


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
