"""How the grader maps the lab's layers onto a student's own classes and names."""

import types

import pytest
import torch

from graders.worker.api import Library, MappingError


def module(source: str, name: str = "layers") -> types.ModuleType:
    """A module made from ``source``, as if the student had written it in ``name``.py."""
    made = types.ModuleType(name)
    exec(compile("import torch\n" + source, f"{name}.py", "exec"), made.__dict__)
    return made


STUDENT = module('''
class Input:
    def __init__(self, shape, trainable=False):
        self.outputs = torch.zeros(shape)
        self.trainable = trainable
    def set(self, value):
        self.outputs = value.clone()

class Linear:
    def __init__(self, weights, bias, inputs):
        self.weights, self.bias, self.inputs = weights, bias, inputs
    def forward(self):
        self.outputs = self.weights.outputs @ self.inputs.outputs + self.bias.outputs

class MSE:
    def __init__(self, target, prediction):
        self.target, self.prediction = target, prediction

class Regularisation:
    def __init__(self, w, reg_const):
        self.w, self.reg_const = w, reg_const

class Sum:
    def __init__(self, first, second):
        self.first, self.second = first, second

class Softmax:
    def __init__(self, a, c):
        self.a, self.c = a, c
''')


def test_parameters_are_matched_by_name_whatever_their_order():
    library = Library([STUDENT])
    assert library.constructor_roles("Linear") == {"W": "weights", "b": "bias", "x": "inputs"}
    assert library.constructor_roles("MSELoss") == {"x": "prediction", "y": "target"}
    assert library.constructor_roles("Regularization") == {"W": "w", "lambda": "reg_const"}
    assert library.constructor_roles("Input") == {"shape": "shape", "train": "trainable"}


def test_unknown_names_fall_back_to_the_templates_order():
    library = Library([STUDENT])
    assert library.constructor_roles("Softmax") == {"x": "a", "y": "c"}
    assert library.constructor_roles("Sum") == {"a": "first", "b": "second"}


def test_class_name_variants_are_found_and_recorded():
    library = Library([STUDENT])
    assert library.find_class("MSELoss").__name__ == "MSE"
    assert library.find_class("Regularization").__name__ == "Regularisation"
    assert library.mapping["classes"] == {"MSELoss": "MSE", "Regularization": "Regularisation"}


def test_a_linear_built_with_wbx_order_computes_w_x_plus_b():
    library = Library([STUDENT])
    x = library.make_input((2, 1), False)
    W = library.make_input((1, 2), True)
    b = library.make_input((1, 1), True)
    for layer, value in ((x, [[1.0], [2.0]]), (W, [[3.0, 4.0]]), (b, [[0.5]])):
        library.set_value(layer, torch.tensor(value))
    out = library.make_layer("Linear", {"x": x, "W": W, "b": b}, {})
    library.forward(out)
    assert library.output(out).tolist() == [[11.5]]
    assert library.mapping["attributes"]["output"] == "outputs"


def test_grading_toml_overrides_win():
    overrides = {"classes": {"Softmax": "Softmax"}, "params": {"Softmax": {"x": "c", "y": "a"}}}
    library = Library([STUDENT], overrides)
    assert library.constructor_roles("Softmax") == {"x": "c", "y": "a"}


def test_a_missing_class_names_what_was_found_and_the_fix():
    with pytest.raises(MappingError, match=r"no class for ReLU .*classes found: Input, Linear, "
                                           r"MSE, .*map it in grading.toml under \[classes\]"):
        Library([STUDENT]).find_class("ReLU")


def test_a_missing_method_names_the_aliases_tried():
    library = Library([STUDENT])
    x = library.make_input((2, 1), False)
    with pytest.raises(MappingError, match=r"Input has no method randomize\(\) \(looked for "
                                           r"randomize, randomise"):
        library.randomize(x)


def test_forward_with_an_input_argument_gets_the_input_value():
    student = module('''
class Input:
    def __init__(self, output_shape, train=False):
        self.output = torch.zeros(output_shape)
    def set(self, value):
        self.output = value

class ReLU:
    def __init__(self, x):
        self.x = x
    def forward(self, x):
        return torch.clamp(x, min=0)
''')
    library = Library([student])
    x = library.make_input((2, 1), False)
    library.set_value(x, torch.tensor([[-1.0], [2.0]]))
    relu = library.make_layer("ReLU", {"x": x}, {})
    library.forward(relu, [x])
    assert library.output(relu).tolist() == [[0.0], [2.0]]


def test_set_grad_helper_stands_in_for_accumulate_grad():
    student = module('''
class Input:
    def __init__(self, shape, train=False):
        self.output = torch.zeros(shape)
        self.grad = torch.zeros(shape)
    def set_grad(self, grad):
        self.grad = grad
''')
    library = Library([student])
    x = library.make_input((1, 2), False)
    library.accumulate_grad(x, torch.tensor([[1.0, 2.0]]))
    library.accumulate_grad(x, torch.tensor([[1.0, 2.0]]))
    assert library.grad(x).tolist() == [[2.0, 4.0]]
