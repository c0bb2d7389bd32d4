# Lab 1 - layers for the backprop tape
# I put the parameters first in every constructor because that is how I think
# about it on paper: y = f(params; data). So Linear is Linear(weights, bias, inputs).
import torch


class Layer:
    def __init__(self, shape, parents=()):
        self.output = torch.zeros(shape)
        self.grad = torch.zeros(shape)
        self.inputs = tuple(parents)

    def accumulate_grad(self, g):
        if g.shape != self.grad.shape:
            raise ValueError("accumulate_grad: got shape %s, expected %s"
                             % (tuple(g.shape), tuple(self.grad.shape)))
        # move to the dtype/device of whatever comes in (cuda, float64 ...)
        self.grad = self.grad.to(g) + g

    def clear_grad(self):
        self.grad = torch.zeros_like(self.output)

    def forward(self):
        raise NotImplementedError

    def backward(self):
        raise NotImplementedError

    def step(self, step_size):
        pass


class Input(Layer):
    def __init__(self, shape, trainable=False):
        Layer.__init__(self, shape)
        self.trainable = trainable

    def set(self, value):
        if tuple(value.shape) != tuple(self.output.shape):
            raise ValueError("Input.set: value is %s but the input was made with shape %s"
                             % (tuple(value.shape), tuple(self.output.shape)))
        self.output = value.clone()
        self.clear_grad()

    def randomize(self):
        shp = self.output.shape
        if len(shp) == 2 and shp[1] > 1:
            std = (2.0 / shp[1]) ** 0.5   # He init
        else:
            std = 0.1
        self.output = torch.randn(shp, dtype=self.output.dtype,
                                  device=self.output.device) * std
        self.clear_grad()

    def forward(self):
        pass

    def backward(self):
        pass

    def step(self, step_size):
        if self.trainable:
            self.output = self.output - step_size * self.grad


class Linear(Layer):
    def __init__(self, weights, bias, inputs):
        n_out, n_in = weights.output.shape
        if inputs.output.shape[0] != n_in:
            raise ValueError("Linear: weights are %s but inputs have %d rows"
                             % (tuple(weights.output.shape), inputs.output.shape[0]))
        if tuple(bias.output.shape) != (n_out, 1):
            raise ValueError("Linear: bias must be (%d, 1), got %s"
                             % (n_out, tuple(bias.output.shape)))
        Layer.__init__(self, (n_out, inputs.output.shape[1]), (weights, bias, inputs))
        self.weights = weights
        self.bias = bias
        self.inp = inputs

    def forward(self):
        self.output = self.weights.output @ self.inp.output + self.bias.output

    def backward(self):
        self.weights.accumulate_grad(self.grad @ self.inp.output.T)
        self.bias.accumulate_grad(self.grad.sum(dim=1, keepdim=True))
        self.inp.accumulate_grad(self.weights.output.T @ self.grad)


class ReLU(Layer):
    def __init__(self, inputs):
        Layer.__init__(self, inputs.output.shape, (inputs,))
        self.inp = inputs

    def forward(self):
        self.output = torch.clamp(self.inp.output, min=0)

    def backward(self):
        mask = (self.inp.output > 0).to(self.grad.dtype)
        self.inp.accumulate_grad(self.grad * mask)


class MSELoss(Layer):
    def __init__(self, pred, target):
        if pred.output.shape != target.output.shape:
            raise ValueError("MSELoss: pred %s vs target %s"
                             % (tuple(pred.output.shape), tuple(target.output.shape)))
        Layer.__init__(self, (), (pred, target))
        self.pred = pred
        self.target = target

    def forward(self):
        m = self.pred.output.shape[1]
        err = self.pred.output - self.target.output
        self.output = torch.sum(err ** 2) / m

    def backward(self):
        m = self.pred.output.shape[1]
        err = self.pred.output - self.target.output
        self.pred.accumulate_grad(self.grad * 2 * err / m)
        # target is data, no gradient


class Regularization(Layer):
    def __init__(self, weights, lamb):
        Layer.__init__(self, (), (weights,))
        self.weights = weights
        self.lamb = lamb

    def forward(self):
        self.output = self.lamb * torch.sum(self.weights.output ** 2)

    def backward(self):
        self.weights.accumulate_grad(self.grad * 2 * self.lamb * self.weights.output)


class Softmax(Layer):
    def __init__(self, scores, labels):
        if scores.output.shape != labels.output.shape:
            raise ValueError("Softmax: scores %s vs labels %s"
                             % (tuple(scores.output.shape), tuple(labels.output.shape)))
        Layer.__init__(self, (), (scores, labels))
        self.scores = scores
        self.labels = labels
        self.classifications = torch.zeros(scores.output.shape)

    def forward(self):
        s = self.scores.output
        s = s - s.max(dim=0, keepdim=True).values     # for stability
        log_p = s - torch.log(torch.exp(s).sum(dim=0, keepdim=True))
        self.classifications = torch.exp(log_p)
        m = s.shape[1]
        self.output = -torch.sum(self.labels.output * log_p) / m

    def backward(self):
        m = self.scores.output.shape[1]
        self.scores.accumulate_grad(self.grad * (self.classifications - self.labels.output) / m)


class Sum(Layer):
    def __init__(self, first, second):
        if first.output.shape != second.output.shape:
            raise ValueError("Sum: %s + %s" % (tuple(first.output.shape),
                                               tuple(second.output.shape)))
        Layer.__init__(self, first.output.shape, (first, second))
        self.first = first
        self.second = second

    def forward(self):
        self.output = self.first.output + self.second.output

    def backward(self):
        self.first.accumulate_grad(self.grad)
        self.second.accumulate_grad(self.grad)
