# Network = the tape
import torch


class Network:
	def __init__(self):
		self.layers = []
		self.input = None
		self.output = None

	def add(self, layer):
		for i in layer.inputs:
			if not any(i is l for l in self.layers):
				raise ValueError("Network.add: add the inputs first")
		if not any(layer is l for l in self.layers):
			self.layers.append(layer)

	def set_input(self, layer):
		self.add(layer)
		self.input = layer

	def set_output(self, layer):
		if not any(layer is l for l in self.layers):
			raise ValueError("Network.set_output: unknown layer")
		self.output = layer

	def forward(self, x=None):
		if x is not None:
			self.input.set(x)
		for layer in self.layers:
			layer.forward()
		return self.output.output

	def backward(self):
		for layer in self.layers:
			layer.clear_grad()
		self.output.accumulate_grad(torch.ones_like(self.output.output))
		for layer in reversed(self.layers):
			layer.backward()

	def step(self, step_size):
		for layer in self.layers:
			layer.step(step_size)
