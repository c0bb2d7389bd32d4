# Lab 1 - layers
# written in VS Code on Windows, tab indentation
import torch


class Layer:
	def __init__(self, output_shape, inputs=()):
		self.output = torch.zeros(output_shape)
		self.grad = torch.zeros(output_shape)
		self.inputs = tuple(inputs)

	def accumulate_grad(self, grad):
		if grad.shape != self.grad.shape:
			raise ValueError("accumulate_grad: grad " + str(tuple(grad.shape))
				+ " does not match output " + str(tuple(self.grad.shape)))
		self.grad = self.grad.to(grad.device, grad.dtype) + grad

	def clear_grad(self):
		self.grad = torch.zeros_like(self.output)

	def forward(self):
		raise NotImplementedError()

	def backward(self):
		raise NotImplementedError()

	def step(self, step_size):
		pass


class Input(Layer):
	def __init__(self, output_shape, train=False):
		super().__init__(output_shape)
		self.train = train

	def set(self, value):
		if value.shape != self.output.shape:
			raise ValueError("Input.set: value " + str(tuple(value.shape))
				+ " but Input " + str(tuple(self.output.shape)))
		self.output = value.clone()
		self.clear_grad()

	def randomize(self):
		s = self.output.shape
		if len(s) == 2 and s[1] > 1:
			std = (2.0 / s[1]) ** 0.5
		else:
			std = 0.1
		self.output = std * torch.randn(s, dtype=self.output.dtype, device=self.output.device)
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
		out_n, in_n = W.output.shape
		if x.output.shape[0] != in_n:
			raise ValueError("Linear: W " + str(tuple(W.output.shape))
				+ " x " + str(tuple(x.output.shape)))
		if b.output.shape != (out_n, 1):
			raise ValueError("Linear: b " + str(tuple(b.output.shape))
				+ " should be (" + str(out_n) + ", 1)")
		super().__init__((out_n, x.output.shape[1]), (x, W, b))
		self.x = x
		self.W = W
		self.b = b

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
		self.x.accumulate_grad(self.grad * (self.x.output > 0).float().to(self.grad.dtype))


class MSELoss(Layer):
	def __init__(self, x, y):
		if x.output.shape != y.output.shape:
			raise ValueError("MSELoss: x " + str(tuple(x.output.shape))
				+ " y " + str(tuple(y.output.shape)))
		super().__init__((), (x, y))
		self.x = x
		self.y = y

	def forward(self):
		m = self.x.output.shape[1]
		self.output = ((self.x.output - self.y.output) ** 2).sum() / m

	def backward(self):
		m = self.x.output.shape[1]
		self.x.accumulate_grad(self.grad * 2 * (self.x.output - self.y.output) / m)


class Regularization(Layer):
	def __init__(self, W, lam):
		super().__init__((), (W,))
		self.W = W
		self.lam = lam

	def forward(self):
		self.output = self.lam * (self.W.output ** 2).sum()

	def backward(self):
		self.W.accumulate_grad(self.grad * 2 * self.lam * self.W.output)


class Softmax(Layer):
	def __init__(self, x, y):
		if x.output.shape != y.output.shape:
			raise ValueError("Softmax: x " + str(tuple(x.output.shape))
				+ " y " + str(tuple(y.output.shape)))
		super().__init__((), (x, y))
		self.x = x
		self.y = y
		self.classifications = torch.zeros(x.output.shape)

	def forward(self):
		a = self.x.output - self.x.output.max(dim=0, keepdim=True).values
		logp = a - torch.logsumexp(a, dim=0, keepdim=True)
		self.classifications = torch.exp(logp)
		self.output = -(self.y.output * logp).sum() / a.shape[1]

	def backward(self):
		m = self.x.output.shape[1]
		self.x.accumulate_grad(self.grad * (self.classifications - self.y.output) / m)


class Sum(Layer):
	def __init__(self, a, b):
		if a.output.shape != b.output.shape:
			raise ValueError("Sum: a " + str(tuple(a.output.shape))
				+ " b " + str(tuple(b.output.shape)))
		super().__init__(a.output.shape, (a, b))
		self.a = a
		self.b = b

	def forward(self):
		self.output = self.a.output + self.b.output

	def backward(self):
		self.a.accumulate_grad(self.grad)
		self.b.accumulate_grad(self.grad)
