import torch

# NOTE to self: every layer stores its value in self.outputs and dJ/d(outputs) in self.grads.
# Shapes: data is (features, batch) so each column is one sample.


class Layer:
    def __init__(self, shape, inputs=()):
        self.inputs = list(inputs)
        self.outputs = torch.zeros(shape)
        self.grads = torch.zeros(shape)

    def accumulate_grads(self, grads):
        # several layers can read this one, so we add up instead of overwriting
        if grads.shape != self.grads.shape:
            raise ValueError(f"{self.__class__.__name__}: cannot add grads of shape "
                             f"{tuple(grads.shape)} to grads of shape {tuple(self.grads.shape)}")
        self.grads = self.grads.to(dtype=grads.dtype, device=grads.device) + grads

    def clear_grads(self):
        self.grads = torch.zeros_like(self.outputs)

    def forward(self):
        raise NotImplementedError()

    def backward(self):
        raise NotImplementedError()

    def step(self, step_size):
        # only Input layers that are trainable do something here
        pass


class Input(Layer):
    def __init__(self, shape, train=False):
        super().__init__(shape)
        self.train = train

    def set(self, value):
        if value.shape != self.outputs.shape:
            raise ValueError(f"Input.set: expected shape {tuple(self.outputs.shape)}, "
                             f"got {tuple(value.shape)}")
        self.outputs = value.clone()   # copy so that steps don't change the caller's tensor
        self.clear_grads()

    def randomize(self):
        shape = self.outputs.shape
        if len(shape) == 2 and shape[1] > 1:
            scale = (2 / shape[1]) ** 0.5
        else:
            scale = 0.1
        self.outputs = scale * torch.randn(*shape, dtype=self.outputs.dtype,
                                           device=self.outputs.device)
        self.clear_grads()

    def forward(self):
        pass

    def backward(self):
        pass

    def step(self, step_size):
        if self.train:
            self.outputs = self.outputs - step_size * self.grads


class Linear(Layer):
    def __init__(self, x, W, b):
        out_dim, in_dim = W.outputs.shape
        if x.outputs.shape[0] != in_dim or b.outputs.shape != (out_dim, 1):
            raise ValueError(f"Linear: shapes do not fit: x {tuple(x.outputs.shape)}, "
                             f"W {tuple(W.outputs.shape)}, b {tuple(b.outputs.shape)}")
        super().__init__((out_dim, x.outputs.shape[1]), [x, W, b])
        self.x = x
        self.W = W
        self.b = b

    def forward(self):
        self.outputs = self.W.outputs @ self.x.outputs + self.b.outputs

    def backward(self):
        self.x.accumulate_grads(self.W.outputs.T @ self.grads)
        self.W.accumulate_grads(self.grads @ self.x.outputs.T)
        # b was broadcast over the columns -> sum its gradient over the columns
        self.b.accumulate_grads(self.grads.sum(axis=1, keepdims=True))


class ReLU(Layer):
    def __init__(self, x):
        super().__init__(x.outputs.shape, [x])
        self.x = x

    def forward(self):
        self.outputs = torch.maximum(self.x.outputs, torch.zeros_like(self.x.outputs))

    def backward(self):
        self.x.accumulate_grads(self.grads * (self.x.outputs > 0))


class MSELoss(Layer):
    def __init__(self, x, y):
        if x.outputs.shape != y.outputs.shape:
            raise ValueError(f"MSELoss: x is {tuple(x.outputs.shape)} "
                             f"but y is {tuple(y.outputs.shape)}")
        super().__init__((), [x, y])
        self.x = x
        self.y = y

    def forward(self):
        batch_size = self.x.outputs.shape[1]
        self.outputs = ((self.x.outputs - self.y.outputs) ** 2).sum() / batch_size

    def backward(self):
        batch_size = self.x.outputs.shape[1]
        self.x.accumulate_grads(self.grads * 2 * (self.x.outputs - self.y.outputs) / batch_size)


class Regularization(Layer):
    def __init__(self, W, lam):
        super().__init__((), [W])
        self.W = W
        self.lam = lam

    def forward(self):
        self.outputs = self.lam * (self.W.outputs ** 2).sum()

    def backward(self):
        self.W.accumulate_grads(self.grads * 2 * self.lam * self.W.outputs)


class Softmax(Layer):
    def __init__(self, x, y):
        if x.outputs.shape != y.outputs.shape:
            raise ValueError(f"Softmax: x is {tuple(x.outputs.shape)} "
                             f"but y is {tuple(y.outputs.shape)}")
        super().__init__((), [x, y])
        self.x = x
        self.y = y
        self.probs = torch.zeros(x.outputs.shape)

    def forward(self):
        scores = self.x.outputs
        # subtract the max of every column so exp never overflows
        shifted = scores - scores.max(dim=0, keepdim=True).values
        log_probs = shifted - torch.logsumexp(shifted, dim=0, keepdim=True)
        self.probs = log_probs.exp()
        batch_size = scores.shape[1]
        self.outputs = -(self.y.outputs * log_probs).sum() / batch_size

    def backward(self):
        batch_size = self.x.outputs.shape[1]
        self.x.accumulate_grads(self.grads * (self.probs - self.y.outputs) / batch_size)


class Sum(Layer):
    def __init__(self, a, b):
        if a.outputs.shape != b.outputs.shape:
            raise ValueError(f"Sum: a is {tuple(a.outputs.shape)} "
                             f"but b is {tuple(b.outputs.shape)}")
        super().__init__(a.outputs.shape, [a, b])
        self.a = a
        self.b = b

    def forward(self):
        self.outputs = self.a.outputs + self.b.outputs

    def backward(self):
        self.a.accumulate_grads(self.grads)
        self.b.accumulate_grads(self.grads)
