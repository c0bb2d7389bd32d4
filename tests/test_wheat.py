"""The stand-ins that present a library under a student's API (graders/worker/wheat.py)."""

import importlib.util
import sys
import textwrap

import pytest
import torch

from support import ROOT
from graders.chaffs import reference_sources
from graders.worker import wheat
from graders.worker.api import Library

# A student's design: parameters first, values in .outputs, grads in .grads, the weight kept
# under its own name, forward(x) taking the input's value.
STUDENT = '''
import torch


class Node:
    def __init__(self, shape):
        self.outputs = torch.zeros(shape)
        self.grads = torch.zeros(shape)

    def accumulate_grads(self, g):
        self.grads = self.grads + g

    def clear_grads(self):
        self.grads = torch.zeros_like(self.outputs)


class Input(Node):
    def __init__(self, shape, trainable=False):
        super().__init__(shape)
        self.trainable = trainable

    def set(self, value):
        self.outputs = value.clone()


class Linear(Node):
    def __init__(self, weights, bias, inputs, name="linear"):
        super().__init__((weights.outputs.shape[0], inputs.outputs.shape[1]))
        self.weights, self.bias, self.inp = weights, bias, inputs
        self.name = name

    def forward(self):
        self.outputs = self.weights.outputs @ self.inp.outputs + self.bias.outputs


class ReLU(Node):
    def __init__(self, inputs):
        super().__init__(inputs.outputs.shape)
        self.inp = inputs

    def forward(self, x):
        self.mask = x > 0
        self.outputs = x * self.mask
        return self.outputs


class Network:
    def __init__(self):
        self.layers = []

    def add_layer(self, layer):
        self.layers.append(layer)
'''


@pytest.fixture(scope="module")
def presented(tmp_path_factory):
    """The reference, presented under STUDENT's API (module ``student_wbx``)."""
    folder = tmp_path_factory.mktemp("student")
    (folder / "student_wbx.py").write_text(textwrap.dedent(STUDENT))
    spec = importlib.util.spec_from_file_location("student_wbx", folder / "student_wbx.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sources = {name.removesuffix(".py"): text for name, text in reference_sources().items()}
    wheat.ACTIVE.use(wheat.build_library(sources))
    found = wheat.present(Library([module]), ["student_wbx"])
    yield found["modules"]["student_wbx"], module
    wheat.ACTIVE.use({})


def make(stand_ins, shape, value, trainable=False):
    layer = stand_ins.Input(shape, trainable)
    layer.set(torch.tensor(value))
    return layer


W = [[1.0, 0.0, 2.0], [-1.0, 1.0, 0.0]]
B = [[0.5], [-1.0]]
X = [[1.0, 2.0], [3.0, 4.0], [-1.0, 0.0]]


def test_stand_ins_keep_the_students_names_and_signatures(presented):
    stand_ins, student = presented
    assert stand_ins.Linear.__name__ == "Linear" and stand_ins.Linear.__module__ == "student_wbx"
    assert isinstance(make(stand_ins, (1, 1), [[1.0]]), stand_ins.Node)
    with pytest.raises(TypeError, match=r"Linear\(weights, bias, inputs, name='linear'\)"):
        stand_ins.Linear(1, 2, 3, 4, 5)


def test_the_students_parameter_order_reaches_the_library_by_role(presented):
    stand_ins, _ = presented
    W_, b, x = make(stand_ins, (2, 3), W), make(stand_ins, (2, 1), B), make(stand_ins, (3, 2), X)
    linear = stand_ins.Linear(W_, b, x)
    linear.forward()

    expected = torch.tensor(W) @ torch.tensor(X) + torch.tensor(B)
    assert torch.equal(linear.outputs, expected)
    assert type(linear._impl).__module__ == "tapegrade_library_layers"
    # Keyword arguments in the student's names work too.
    again = stand_ins.Linear(inputs=x, bias=b, weights=W_)
    again.forward()
    assert torch.equal(again.outputs, expected)


def test_the_students_attribute_and_method_names_are_translated(presented):
    stand_ins, _ = presented
    x = make(stand_ins, (2, 1), [[1.0], [2.0]])
    x.clear_grads()
    x.accumulate_grads(torch.tensor([[1.0], [1.0]]))
    x.accumulate_grads(torch.tensor([[0.5], [0.5]]))
    assert torch.equal(x.grads, torch.tensor([[1.5], [1.5]]))
    assert torch.equal(x.grads, x._impl.grad)


def test_names_the_students_init_keeps_give_back_what_was_passed(presented):
    stand_ins, _ = presented
    W_, b, x = make(stand_ins, (2, 3), W), make(stand_ins, (2, 1), B), make(stand_ins, (3, 2), X)
    linear = stand_ins.Linear(W_, b, x, name="first")
    assert linear.weights is W_ and linear.inp is x and linear.bias is b
    assert linear.name == "first"


def test_forward_with_a_value_computes_from_that_value(presented):
    stand_ins, _ = presented
    x = make(stand_ins, (1, 3), [[0.0, 0.0, 0.0]])
    relu = stand_ins.ReLU(x)
    out = relu.forward(torch.tensor([[-1.0, 2.0, 0.5]]))
    assert torch.equal(out, torch.tensor([[0.0, 2.0, 0.5]]))
    assert torch.equal(relu.outputs, out)


def test_a_name_of_the_students_own_design_is_beyond_the_lab(presented):
    stand_ins, _ = presented
    relu = stand_ins.ReLU(make(stand_ins, (1, 2), [[1.0, -1.0]]))
    relu.forward()
    with pytest.raises(wheat.BeyondTheLab, match="ReLU has no 'mask' in the lab's API"):
        relu.mask
    assert issubclass(wheat.BeyondTheLab, AttributeError)


def test_a_network_built_through_stand_ins_runs_the_library(presented):
    stand_ins, _ = presented
    x = make(stand_ins, (3, 2), X)
    W_, b = make(stand_ins, (2, 3), W, True), make(stand_ins, (2, 1), B, True)
    linear = stand_ins.Linear(W_, b, x)
    net = stand_ins.Network()
    for layer in (x, W_, b, linear):
        net.add_layer(layer)
    net.set_input(x)
    net.set_output(linear)

    out = net.forward(torch.tensor(X) * 2)
    assert torch.equal(out, torch.tensor(W) @ (torch.tensor(X) * 2) + torch.tensor(B))
    assert net.layers[-1] is linear


def test_rebind_points_a_notebooks_names_at_the_stand_ins(presented, tmp_path):
    stand_ins, student = presented
    notebook = type(sys)("nb_lab")
    notebook.Linear, notebook.helper = student.Linear, len
    wheat.rebind(notebook, {"classes": {id(student.Linear): stand_ins.Linear}, "bases": {},
                            "modules": {}})
    assert notebook.Linear is stand_ins.Linear and notebook.helper is len


def test_build_library_finds_every_kind_of_the_reference():
    sources = {name.removesuffix(".py"): text for name, text in reference_sources().items()}
    classes = wheat.build_library(sources)
    assert set(classes) == set(wheat.KINDS)
    assert "tapegrade_library_layers" not in sys.modules
    assert (ROOT / "reference" / "layers.py").exists()
