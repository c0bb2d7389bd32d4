"""Layers of the gradient-tape library: you implement them.

Samples are columns: an input x has shape (features, batch). Every layer keeps

- ``output``: its value after ``forward()``;
- ``grad``: dJ/d output, the derivative of the final objective J with respect to ``output``,
  always of the same shape as ``output``.

``backward()`` reads ``self.grad`` and sends dJ/d input to each input layer through that
layer's ``accumulate_grad``. Gradients add up, because one layer may feed several others.

Batch convention, used by every loss here: a loss is summed over the rows (features or
classes) of one sample and averaged over the batch, so the loss of a batch of m samples is
(1/m) * (sum of the per-sample losses). Regularization does not depend on the batch.

Values follow the dtype and device of the tensors given to ``Input.set``. Do not use
torch.autograd (no ``requires_grad``, no ``.backward()`` on tensors): write every derivative
out by hand.

Every method that still raises ``NotImplementedError`` is yours to write; its message says
what it must do, and the class docstring states the contract the graders check.
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
        raise NotImplementedError(
            "Layer.__init__: set self.output and self.grad to zeros of output_shape and "
            "self.inputs to tuple(inputs)"
        )

    def accumulate_grad(self, grad):
        """Add ``grad`` (a part of dJ/d output) to ``self.grad``; the shapes must be equal."""
        raise NotImplementedError(
            "Layer.accumulate_grad: add grad to self.grad, raising ValueError (with both "
            "shapes in the message) when grad's shape differs from self.grad's"
        )

    def clear_grad(self):
        """Set ``grad`` to zeros of the output's shape, dtype and device."""
        raise NotImplementedError(
            "Layer.clear_grad: set self.grad to zeros with the shape, dtype and device of "
            "self.output"
        )

    def forward(self):
        """Compute ``self.output`` from the outputs of the input layers."""
        raise NotImplementedError(
            f"{type(self).__name__}.forward: override forward in this layer to compute "
            f"self.output from the outputs of its input layers"
        )

    def backward(self):
        """Send dJ/d input to every input layer, using ``self.grad``."""
        raise NotImplementedError(
            f"{type(self).__name__}.backward: override backward in this layer to send dJ/d "
            f"input to each input layer through its accumulate_grad"
        )

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
        """Start as a layer of ``output_shape`` with no inputs; keep ``train`` in ``self.train``.

        ``train`` says whether ``step`` may change the value.
        """
        raise NotImplementedError(
            "Input.__init__: call Layer.__init__ with output_shape and no inputs, then store "
            "train in self.train"
        )

    def set(self, value):
        """Store a copy of ``value``, which must have the shape given to the constructor.

        The copy keeps ``value``'s dtype and device, and later steps never change the
        caller's tensor.
        """
        raise NotImplementedError(
            "Input.set: raise ValueError when value's shape differs from self.output's, "
            "otherwise store a copy of value in self.output and clear the grad"
        )

    def randomize(self):
        """Fill the output with normal random values, keeping its shape, dtype and device.

        A matrix of shape (out, in) with in > 1 is scaled by sqrt(2 / in) (He
        initialisation, suited to ReLU layers); any other shape is scaled by 0.1.
        """
        raise NotImplementedError(
            "Input.randomize: replace self.output with normal random values of the same "
            "shape, dtype and device, scaled as the docstring says, then clear the grad"
        )

    def forward(self):
        """Nothing to compute: the value comes from ``set`` or ``randomize``."""

    def backward(self):
        """Nothing to send: an Input has no inputs."""

    def step(self, step_size):
        """output <- output - step_size * grad, only when ``train`` is true."""
        raise NotImplementedError(
            "Input.step: when self.train is true, set self.output to "
            "self.output - step_size * self.grad; otherwise leave it unchanged"
        )


class Linear(Layer):
    """Linear(x, W, b): output = W @ x + b.

    Shapes: x (in, m), W (out, in), b (out, 1); output (out, m), b added to every column.
    backward sends grad to each input:
      x: W.T @ grad          (in, m)
      W: grad @ x.T          (out, in)
      b: grad summed over the batch (the columns), keeping shape (out, 1)
    """

    def __init__(self, x, W, b):
        """Check the shapes, then read x, W and b; the output has shape (out, m).

        Raise ValueError, naming the shapes, when x does not have ``in`` rows or b is not
        (out, 1). Keep the inputs as ``self.x``, ``self.W`` and ``self.b``.
        """
        raise NotImplementedError(
            "Linear.__init__: check the shapes (ValueError on a mismatch), call "
            "Layer.__init__ with shape (out, m) and inputs (x, W, b), and keep self.x, "
            "self.W, self.b"
        )

    def forward(self):
        """Set ``self.output`` to W @ x + b, from the outputs of the x, W and b layers."""
        raise NotImplementedError(
            "Linear.forward: set self.output = W @ x + b, using the outputs of the x, W and b "
            "layers"
        )

    def backward(self):
        """Send W.T @ grad to x, grad @ x.T to W, and grad summed over the columns to b."""
        raise NotImplementedError(
            "Linear.backward: accumulate W.T @ self.grad into x, self.grad @ x.T into W, and "
            "self.grad summed over the columns (shape (out, 1)) into b"
        )


class ReLU(Layer):
    """ReLU(x): output = max(x, 0), element by element, same shape as x.

    backward sends grad where x > 0 and zero elsewhere (at x == 0 the derivative is taken
    as 0).
    """

    def __init__(self, x):
        """Read x; the output has x's shape. Keep the input as ``self.x``."""
        raise NotImplementedError(
            "ReLU.__init__: call Layer.__init__ with x's output shape and inputs (x,), and "
            "keep self.x"
        )

    def forward(self):
        """Set ``self.output`` to max(x, 0), element by element."""
        raise NotImplementedError(
            "ReLU.forward: set self.output to x's output with every negative entry replaced "
            "by 0"
        )

    def backward(self):
        """Send grad to x where x > 0 and zero where x <= 0."""
        raise NotImplementedError(
            "ReLU.backward: accumulate into x self.grad where x's output is > 0 and 0 "
            "everywhere else"
        )


class MSELoss(Layer):
    """MSELoss(x, y): squared error between a prediction x and a target y.

    x and y have shape (features, m); the output is a scalar (shape ()):
      L = (1/m) * sum over all entries of (x - y)**2
    i.e. the squared error of each sample, summed over its features, averaged over the batch.
    backward sends grad * 2 (x - y) / m to x. The target y gets no gradient.
    """

    def __init__(self, x, y):
        """Check that x and y have the same shape, then read them; the output has shape ().

        Raise ValueError, naming both shapes, when they differ. Keep the inputs as
        ``self.x`` and ``self.y``.
        """
        raise NotImplementedError(
            "MSELoss.__init__: check that x and y have the same shape (ValueError if not), "
            "call Layer.__init__ with shape () and inputs (x, y), and keep self.x, self.y"
        )

    def forward(self):
        """Set ``self.output`` to (1/m) * sum of (x - y)**2, a scalar of shape ()."""
        raise NotImplementedError(
            "MSELoss.forward: set self.output to the sum of (x - y)**2 over all entries, "
            "divided by the batch size m"
        )

    def backward(self):
        """Send grad * 2 (x - y) / m to x; y gets nothing."""
        raise NotImplementedError(
            "MSELoss.backward: accumulate self.grad * 2 * (x - y) / m into x, and nothing "
            "into y"
        )


class Regularization(Layer):
    """Regularization(W, lam): output = lam * ||W||^2, the sum of the squares of W's entries.

    The output is a scalar (shape ()); it does not depend on the batch.
    backward sends grad * 2 * lam * W to W.
    """

    def __init__(self, W, lam):
        """Read W; the output has shape (). Keep W as ``self.W`` and lam as ``self.lam``."""
        raise NotImplementedError(
            "Regularization.__init__: call Layer.__init__ with shape () and inputs (W,), and "
            "keep self.W and self.lam"
        )

    def forward(self):
        """Set ``self.output`` to lam * (sum of the squares of W's entries), shape ()."""
        raise NotImplementedError(
            "Regularization.forward: set self.output to lam times the sum of the squares of "
            "the entries of W's output"
        )

    def backward(self):
        """Send grad * 2 * lam * W to W."""
        raise NotImplementedError(
            "Regularization.backward: accumulate self.grad * 2 * lam * W into W"
        )


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
        """Check that x and y have the same shape, then read them; the output has shape ().

        Raise ValueError, naming both shapes, when they differ. Keep the inputs as
        ``self.x`` and ``self.y``, and start ``self.classifications`` as zeros of x's shape.
        """
        raise NotImplementedError(
            "Softmax.__init__: check that x and y have the same shape (ValueError if not), "
            "call Layer.__init__ with shape () and inputs (x, y), keep self.x, self.y, and "
            "set self.classifications to zeros of x's shape"
        )

    def forward(self):
        """Set ``self.classifications`` and ``self.output`` as above, computed stably."""
        raise NotImplementedError(
            "Softmax.forward: set self.classifications to the softmax of each column of x and "
            "self.output to the cross-entropy against y, with the max-shift of the docstring"
        )

    def backward(self):
        """Send grad * (classifications - y) / m to x; y gets nothing.

        Uses the classifications of the last ``forward``.
        """
        raise NotImplementedError(
            "Softmax.backward: accumulate self.grad * (self.classifications - y) / m into x, "
            "and nothing into y"
        )


class Sum(Layer):
    """Sum(a, b): output = a + b, for two inputs of the same shape (often scalars: J = L + s).

    backward sends grad unchanged to both a and b.
    """

    def __init__(self, a, b):
        """Check that a and b have the same shape, then read them; the output has that shape.

        Raise ValueError, naming both shapes, when they differ. Keep the inputs as
        ``self.a`` and ``self.b``.
        """
        raise NotImplementedError(
            "Sum.__init__: check that a and b have the same shape (ValueError if not), call "
            "Layer.__init__ with that shape and inputs (a, b), and keep self.a, self.b"
        )

    def forward(self):
        """Set ``self.output`` to a + b."""
        raise NotImplementedError(
            "Sum.forward: set self.output to the sum of the outputs of a and b"
        )

    def backward(self):
        """Send grad unchanged to both a and b."""
        raise NotImplementedError(
            "Sum.backward: accumulate self.grad, unchanged, into both a and b"
        )
