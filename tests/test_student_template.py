"""The starter handed to students: in sync with the reference, and its example test honest."""

import importlib.util
import inspect
import shutil
import subprocess
import sys

import pytest

from support import ROOT

TEMPLATE, REFERENCE = ROOT / "student_template", ROOT / "reference"


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def public_api(module):
    """{class name: {member name: function}} of the classes a module defines."""
    api = {}
    for name, cls in vars(module).items():
        if inspect.isclass(cls) and cls.__module__ == module.__name__:
            api[name] = {m: f for m, f in vars(cls).items()
                         if callable(f) and (not m.startswith("_") or m == "__init__")}
    return api


@pytest.mark.parametrize("module", ["layers", "network"])
def test_stubs_have_the_references_classes_signatures_and_docstrings(module):
    reference = public_api(load(REFERENCE / f"{module}.py", f"reference_{module}"))
    template = public_api(load(TEMPLATE / f"{module}.py", f"template_{module}"))
    assert set(template) == set(reference)
    for cls, members in reference.items():
        assert set(template[cls]) == set(members), cls
        for name, function in members.items():
            stub = template[cls][name]
            where = f"{cls}.{name}"
            assert inspect.signature(stub) == inspect.signature(function), where
            assert stub.__doc__, f"{where} has no docstring in the template"
            if function.__doc__:
                assert stub.__doc__ == function.__doc__, where


def test_stubs_say_what_to_implement():
    layers = load(TEMPLATE / "layers.py", "template_layers_msg")
    with pytest.raises(NotImplementedError, match=r"^Input.__init__: \w+"):
        layers.Input((2, 1))


def run_test_sum(folder):
    return subprocess.run([sys.executable, "test_sum.py"], cwd=folder, capture_output=True,
                          text=True, timeout=120)


def test_template_test_sum_passes_beside_the_reference(tmp_path):
    for path in REFERENCE.glob("*.py"):
        shutil.copy(path, tmp_path)
    shutil.copy(TEMPLATE / "test_sum.py", tmp_path)
    run = run_test_sum(tmp_path)
    assert run.returncode == 0, run.stderr
    assert "OK" in run.stderr


def test_template_test_sum_fails_with_not_implemented_on_the_stubs(tmp_path):
    for path in TEMPLATE.glob("*.py"):
        shutil.copy(path, tmp_path)
    run = run_test_sum(tmp_path)
    assert run.returncode != 0
    assert "NotImplementedError" in run.stderr
    assert "ImportError" not in run.stderr and "ModuleNotFoundError" not in run.stderr
