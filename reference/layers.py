"""Layers of the gradient-tape library (reference solution).

Samples are columns: an input x has shape (features, batch). Every layer keeps

- ``output``: its value after ``forward()``;
- ``grad``: dJ/d output, the derivative of the final objective J with respect to ``output``,
  always of the same shape as ``output``.

``backward()`` reads ``self.grad`` and sends dJ/d input to each input layer through that
layer's ``accumulate_grad``. Gradients add up, because one layer may feed several others.

Batch convention, used by every loss here: a loss is summed over the rows (features or
classes) of one sample and averaged over the batch, so the loss of a batch of m samples is
(1/m) * (sum of the per-sample losses). Regularization does not depend on the batch.

Values follow the dtype and device of the tensors given to ``Input.set``. Nothing here uses
automatic differentiation: every derivative is written out by hand.
"""

import math

import torch


class Layer:
    """Base class: a value on the tape, its gradient, and the layers it is computed from."""

    def __init__(self, output_shape, inputs=()):
        """Start with zero output and zero grad of ``output_shape``.

        ``inputs`` are the layers this one reads; a Network only accepts a layer after
        all of its inputs.
        """
        self.output = torch.zeros(output_shape)
        self.grad = torch.zeros(output_shape)
        self.inputs = tuple(inputs)

    def accumulate_grad(self, grad):
        """Add ``grad`` (a part of dJ/d output) to ``self.grad``; the shapes must be equal."""
        if grad.shape != self.grad.shape:
            raise ValueError(
                f"{type(self).__name__}.accumulate_grad: grad has shape {tuple(grad.shape)} but "
                f"output has shape {tuple(self.grad.shape)}; send one value per output entry"
            )
        if self.grad.dtype != grad.dtype or self.grad.device != grad.device:
            self.grad = self.grad.to(dtype=grad.dtype, device=grad.device)
        self.grad += grad

    def clear_grad(self):
        """Set ``grad`` to zeros of the output's shape, dtype and device."""
        self.grad = torch.zeros_like(self.output)

    def forward(self):
        """Compute ``self.output`` from the outputs of the input layers."""
        raise NotImplementedError(f"{type(self).__name__} has no forward")

    def backward(self):
        """Send dJ/d input to every input layer, using ``self.grad``."""
        raise NotImplementedError(f"{type(self).__name__} has no backward")

    def step(self, step_size):
        """Take one gradient-descent step; layers without trainable values do nothing."""


class Input(Layer):
    """A value given from outside: data, a target, or a trainable parameter.

    Input(output_shape, train=False). ``set(value)`` stores a copy of ``value``;
    ``randomize()`` fills it with random values for training. ``forward`` and ``backward``
    do nothing. ``step(step_size)`` changes the value only when ``train`` is true:
    output <- output - step_size * grad.
    """

    def __init__(self, output_shape, train=False):
        super().__init__(output_shape)
        self.train = train

    def set(self, value):
        """Store a copy of ``value``, which must have the shape given to the constructor.

        The copy keeps ``value``'s dtype and device, and later steps never change the
        caller's tensor.
        """
        if tuple(value.shape) != tuple(self.output.shape):
            raise ValueError(
                f"Input.set: value has shape {tuple(value.shape)} but this Input has shape "
                f"{tuple(self.output.shape)}; create the Input with the shape of its values"
            )
        self.output = value.detach().clone()
        self.clear_grad()

    def randomize(self):
        """Fill the output with normal random values, keeping its shape, dtype and device.

        A matrix of shape (out, in) with in > 1 is scaled by sqrt(2 / in) (He
        initialisation, suited to ReLU layers); any other shape is scaled by 0.1.
        """
        shape = self.output.shape
        scale = math.sqrt(2 / shape[1]) if len(shape) == 2 and shape[1] > 1 else 0.1
        like = self.output
        self.output = torch.randn(shape, dtype=like.dtype, device=like.device) * scale
        self.clear_grad()

    def forward(self):
        """Nothing to compute: the value comes from ``set`` or ``randomize``."""

    def backward(self):
        """Nothing to send: an Input has no inputs."""

    def step(self, step_size):
        """output <- output - step_size * grad, only when ``train`` is true."""
        if self.train:
            self.output.sub_(self.grad, alpha=step_size)


class Linear(Layer):
    """Linear(x, W, b): output = W @ x + b.

    Shapes: x (in, m), W (out, in), b (out, 1); output (out, m), b added to every column.
    backward sends grad to each input:
      x: W.T @ grad          (in, m)
      W: grad @ x.T          (out, in)
      b: grad summed over the batch (the columns), keeping shape (out, 1)
    """

    def __init__(self, x, W, b):
        out_features, in_features = W.output.shape
        if x.output.shape[0] != in_features:
            raise ValueError(
                f"Linear: W has shape {tuple(W.output.shape)} but x has {x.output.shape[0]} "
                f"rows; W must be (out, in) with in == x rows"
            )
        if tuple(b.output.shape) != (out_features, 1):
            raise ValueError(
                f"Linear: b has shape {tuple(b.output.shape)}; it must be ({out_features}, 1), "
                f"one row per row of W"
            )
        super().__init__((out_features, x.output.shape[1]), (x, W, b))
        self.x, self.W, self.b = x, W, b

    def forward(self):
        self.output = torch.addmm(self.b.output, self.W.output, self.x.output)

    def backward(self):
        self.x.accumulate_grad(self.W.output.T @ self.grad)
        self.W.accumulate_grad(self.grad @ self.x.output.T)
        self.b.accumulate_grad(self.grad.sum(dim=1, keepdim=True))


class ReLU(Layer):
    """ReLU(x): output = max(x, 0), element by element, same shape as x.

    backward sends grad where x > 0 and zero elsewhere (at x == 0 the derivative is taken
    as 0).
    """

    def __init__(self, x):
        super().__init__(x.output.shape, (x,))
        self.x = x

    def forward(self):
        self.output = torch.relu(self.x.output)

    def backward(self):
        self.x.accumulate_grad(self.grad * (self.x.output > 0))


class MSELoss(Layer):
    """MSELoss(x, y): squared error between a prediction x and a target y.

    x and y have shape (features, m); the output is a scalar (shape ()):
      L = (1/m) * sum over all entries of (x - y)**2
    i.e. the squared error of each sample, summed over its features, averaged over the batch.
    backward sends grad * 2 (x - y) / m to x. The target y gets no gradient.
    """

    def __init__(self, x, y):
        if x.output.shape != y.output.shape:
            raise ValueError(
                f"MSELoss: x has shape {tuple(x.output.shape)} but y has shape "
                f"{tuple(y.output.shape)}; prediction and target must have the same shape"
            )
        super().__init__((), (x, y))
        self.x, self.y = x, y

    def forward(self):
        diff = self.x.output - self.y.output
        self.output = (diff * diff).sum() / diff.shape[1]

    def backward(self):
        diff = self.x.output - self.y.output
        self.x.accumulate_grad(self.grad * (2 / diff.shape[1]) * diff)


class Regularization(Layer):
    """Regularization(W, lam): output = lam * ||W||^2, the sum of the squares of W's entries.

    The output is a scalar (shape ()); it does not depend on the batch.
    backward sends grad * 2 * lam * W to W.
    """

    def __init__(self, W, lam):
        super().__init__((), (W,))
        self.W, self.lam = W, lam

    def forward(self):
        W = self.W.output
        self.output = self.lam * (W * W).sum()

    def backward(self):
        self.W.accumulate_grad(self.grad * (2 * self.lam) * self.W.output)


class Softmax(Layer):
    """Softmax(x, y): softmax of the scores x, then cross-entropy against the one-hot target y.

    x and y have shape (classes, m); every column of y is one-hot.
      classifications = exp(x) / (sum of exp(x) over each column)     shape (classes, m)
      output = -(1/m) * sum of y * log(classifications)               a scalar, shape ()
    Computed stably: the column maximum is subtracted before exp, and log(classifications)
    is taken as x - max - log(sum exp(x - max)), never as the log of a rounded probability.
    backward sends grad * (classifications - y) / m to x. The target y gets no gradient.
    """

    def __init__(self, x, y):
        if x.output.shape != y.output.shape:
            raise ValueError(
                f"Softmax: x has shape {tuple(x.output.shape)} but y has shape "
                f"{tuple(y.output.shape)}; scores and one-hot target must have the same shape"
            )
        super().__init__((), (x, y))
        self.x, self.y = x, y
        self.classifications = torch.zeros(x.output.shape)

    def forward(self):
        shifted = self.x.output - self.x.output.amax(dim=0, keepdim=True)
        log_total = torch.logsumexp(shifted, dim=0, keepdim=True)
        log_probabilities = shifted - log_total
        self.classifications = torch.exp(log_probabilities)
        batch = shifted.shape[1]
        self.output = -(self.y.output * log_probabilities).sum() / batch

    def backward(self):
        batch = self.x.output.shape[1]
        difference = self.classifications - self.y.output
        self.x.accumulate_grad(self.grad * difference / batch)


class Sum(Layer):
    """Sum(a, b): output = a + b, for two inputs of the same shape (often scalars: J = L + s).

    backward sends grad unchanged to both a and b.
    """

    def __init__(self, a, b):
        if a.output.shape != b.output.shape:
            raise ValueError(
                f"Sum: a has shape {tuple(a.output.shape)} but b has shape "
                f"{tuple(b.output.shape)}; both inputs must have the same shape"
            )
        super().__init__(a.output.shape, (a, b))
        self.a, self.b = a, b

    def forward(self):
        self.output = self.a.output + self.b.output

    def backward(self):
        self.a.accumulate_grad(self.grad)
        self.b.accumulate_grad(self.grad)
