"""Mutants of a student's layer methods (graders/worker/mutation.py)."""

import importlib.util
import textwrap

import pytest
import torch

from graders.worker import mutation

SOURCE = '''
import torch


class Base:
    def helper(self):
        return 1


class Scale(Base):
    """y = 2x + 1, and its grad."""

    def __init__(self, x, factor=3):
        self.x = x

    def forward(self, unused=0):
        """A docstring with 1 and True in it."""
        self.output = self.x * 2 + 1
        return self.output.sum(dim=0, keepdim=True)

    def backward(self):
        self.x_grad += self.grad * 2
        self.x.record(-self.grad)
        return self.grad > 0

    def step(self, step_size):
        self.x = self.x.T


class Decorated(Base):
    @staticmethod
    def forward():
        return 1 + 1

    def backward(self):
        return super().helper() + 1
'''


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    path = tmp_path_factory.mktemp("mutants") / "student_mutants.py"
    path.write_text(textwrap.dedent(SOURCE))
    spec = importlib.util.spec_from_file_location("student_mutants", path)
    found = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(found)
    return found


def changes(mutants):
    return [(m.operator, m.change) for m in mutants]


def test_forward_mutants_change_the_body_only(module):
    found = changes(mutation.method_mutants(module.Scale, "forward"))
    assert found == [
        ("arithmetic", "`self.x * 2 + 1` -> `self.x * 2 - 1`"),
        ("arithmetic", "`self.x * 2` -> `self.x / 2`"),
        ("number", "`self.x * 2 + 1` -> `self.x * 2 + 0`"),
        ("number", "`self.x * 2` -> `self.x * 3`"),
        ("reduction", "`self.output.sum(dim=0, keepdim=True)` -> "
                      "`self.output.mean(dim=0, keepdim=True)`"),
        ("number", "`self.output.sum(dim=0, keepdim=True)` -> "
                   "`self.output.sum(dim=1, keepdim=True)`"),
        ("flag", "`self.output.sum(dim=0, keepdim=True)` -> "
                 "`self.output.sum(dim=0, keepdim=False)`"),
    ]


def test_backward_mutants_cover_augmented_assignments_calls_and_comparisons(module):
    found = changes(mutation.method_mutants(module.Scale, "backward"))
    assert ("augmented", "`self.x_grad += self.grad * 2` -> `self.x_grad -= self.grad * 2`") \
        in found
    assert ("augmented", "`self.x_grad += self.grad * 2` -> `self.x_grad = self.grad * 2`") \
        in found
    assert ("call removed", "`self.x.record(-self.grad)` -> `pass`") in found
    assert ("negation", "`-self.grad` -> `self.grad`") in found
    assert ("comparison", "`self.grad > 0` -> `self.grad >= 0`") in found
    assert changes(mutation.method_mutants(module.Scale, "step")) == [
        ("transpose", "`self.x.T` -> `self.x`")]


def test_a_mutant_replaces_the_method_and_keeps_the_file_line(module):
    first = mutation.method_mutants(module.Scale, "forward")[0]
    original = module.Scale.__dict__["forward"]
    layer = module.Scale(torch.tensor([1.0, 2.0]))
    try:
        first.apply()
        layer.forward()
        assert torch.equal(layer.output, torch.tensor([1.0, 3.0]))
        assert first.where == "Scale.forward, line 18"
        assert first.describe()["file"] == "student_mutants.py"
    finally:
        module.Scale.forward = original
    layer.forward()
    assert torch.equal(layer.output, torch.tensor([3.0, 5.0]))


def test_methods_that_cannot_be_recompiled_alone_are_left_alone(module):
    assert mutation.method_mutants(module.Decorated, "forward") == []  # a decorator
    assert mutation.method_mutants(module.Decorated, "backward") == []  # super() needs a cell
    assert mutation.method_mutants(module.Scale, "helper") == []  # inherited, not its own
    assert mutation.method_mutants(module.Scale, "missing") == []


class Classes:
    """A stand-in for api.Library: find_class by kind."""

    def __init__(self, **classes):
        self.classes = classes

    def find_class(self, kind):
        if kind not in self.classes:
            raise LookupError(kind)
        return self.classes[kind]


def test_mutants_of_keeps_every_kth_when_there_are_too_many(module):
    library = Classes(Linear=module.Scale)
    every = mutation.mutants_of(library, ["Linear", "ReLU"], ["forward", "backward"])
    assert len(every) == 7 + 8
    kept = mutation.mutants_of(library, ["Linear"], ["forward", "backward"], limit=5)
    assert [m.change for m in kept] == [every[i].change for i in (0, 3, 6, 9, 12)]
