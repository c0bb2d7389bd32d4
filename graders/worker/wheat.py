"""Present a library (the reference, or a chaff) to the student's tests under the student's API.

The student's tests say ``from layers import Linear`` and call ``Linear(weights, bias, inputs)``
with their own parameter order, read ``.outputs``, call ``accumulate_grads``. To run those
tests against another library, ``present`` builds stand-in modules named like the student's
(``layers``, ``network``, a notebook's module) holding classes named like the student's, with
the student's constructor signatures. Each stand-in object delegates to an object of the
library that is active (``ACTIVE``), translating the student's names:

- constructor arguments are bound to the student's signature, then passed by role (x, W, b,
  ...) as found by ``api.Library``;
- method and attribute names go through the aliases of ``api.ALIASES`` (``outputs`` ->
  ``output``, ``accumulate_grads`` -> ``accumulate_grad``, ...);
- names the student's ``__init__`` assigns from a parameter (``self.weights = weights``) give
  back what was passed for that parameter.

A name none of these explain raises ``BeyondTheLab``: the test reaches into something of the
student's own design, which no other library can be expected to have.
"""

import ast
import inspect
import textwrap
import types

import torch

from .api import ALIASES, ROLES, MappingError

KINDS = tuple(ROLES) + ("Network",)
NETWORK_WHATS = ("add", "set_input", "set_output", "forward", "backward", "step")
LAYER_WHATS = tuple(what for what in ALIASES if what not in ("add", "set_input", "set_output"))
LIBRARY_FILES = {"layers": tuple(ROLES), "network": ("Network",)}


class BeyondTheLab(AttributeError):
    """A test used a name that the lab's API does not define for this class."""


class Active:
    """The library the stand-in classes delegate to: its classes by kind."""

    def __init__(self):
        self.classes = {}

    def use(self, classes: dict) -> None:
        self.classes = dict(classes)


ACTIVE = Active()


def build_library(sources: dict) -> dict:
    """Run a library's source files (``{"layers": text, "network": text}``) as new modules.

    Returns its classes by kind; the modules never enter ``sys.modules``.
    """
    classes = {}
    for name, text in sources.items():
        module = types.ModuleType(f"tapegrade_library_{name}")
        module.__file__ = f"<library {name}.py>"
        exec(compile(text, f"<library {name}.py>", "exec"), module.__dict__)
        for kind in LIBRARY_FILES.get(name, ()):
            if isinstance(getattr(module, kind, None), type):
                classes[kind] = getattr(module, kind)
    return classes


# What one student class looks like


class Shape:
    """One of the student's classes: its name, constructor and the names it keeps inputs in."""

    def __init__(self, kind, student_class, roles):
        self.kind = kind
        self.name = student_class.__name__
        self.module = student_class.__module__
        self.roles = dict(roles)
        """role -> the student's parameter name (or position) for it."""
        try:
            self.signature = inspect.signature(student_class.__init__)
        except (TypeError, ValueError):
            self.signature = None
        self.kept = _kept_parameters(student_class)
        """attribute name -> parameter name, from ``self.a = param`` in the student's __init__."""


def _kept_parameters(student_class) -> dict:
    init = student_class.__dict__.get("__init__")
    if not inspect.isfunction(init):
        return {}
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(init)))
    except (OSError, TypeError, SyntaxError):
        return {}
    params = {a.arg for a in ast.walk(tree.body[0].args) if isinstance(a, ast.arg)}
    kept = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assign):
            continue
        pairs = []
        for target in node.targets:
            if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                pairs += zip(target.elts, node.value.elts)
            else:
                pairs.append((target, node.value))
        for target, value in pairs:
            if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
                    and target.value.id == "self" and isinstance(value, ast.Name) \
                    and value.id in params:
                kept[target.attr] = value.id
    return kept


def student_shapes(library) -> dict:
    """The student's class for every kind the mapping finds, as ``Shape`` records by kind."""
    shapes = {}
    for kind in KINDS:
        try:
            found = library.find_class(kind)
            roles = library.constructor_roles(kind) if kind in ROLES else {}
        except MappingError:
            continue
        shapes[kind] = Shape(kind, found, roles)
    return shapes


# The stand-in objects


def _translations(overrides: dict, whats) -> dict:
    names = {}
    for what in whats:
        for alias in ALIASES[what]:
            names.setdefault(alias, what)
    for what, name in overrides.items():
        if what in whats:
            names[name] = what
    return names


class StandIn:
    """Base of the stand-in classes: an object of the active library, seen the student's way."""

    _shape = None
    _names = {}

    def __init__(self, *args, **kwargs):
        shape = type(self)._shape
        values = _bind(shape, args, kwargs)
        object.__setattr__(self, "_given", values["given"])
        implementation = ACTIVE.classes.get(shape.kind)
        if implementation is None:
            raise BeyondTheLab(f"the library has no {shape.kind}")
        if shape.kind == "Network":
            impl = implementation()
        else:
            arguments = [unwrap(values["roles"][role]) for role in ROLES[shape.kind]
                         if role in values["roles"]]
            impl = implementation(*arguments)
        object.__setattr__(self, "_impl", impl)
        REGISTRY[id(impl)] = self

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        impl = object.__getattribute__(self, "_impl")
        shape = type(self)._shape
        given = object.__getattribute__(self, "_given")
        if name in shape.kept and shape.kept[name] in given:
            return given[shape.kept[name]]
        what = type(self)._names.get(name)
        if hasattr(impl, name) and (what is None or what == name):
            return _deliver(self, name, getattr(impl, name))
        if what is not None:
            return _deliver(self, what, _lab_member(impl, what))
        if name in given:
            return given[name]
        raise BeyondTheLab(
            f"{shape.name} has no {name!r} in the lab's API, so the correct library cannot "
            f"answer it (the test reads an internal name of your own design)")

    def __setattr__(self, name, value):
        impl = object.__getattribute__(self, "_impl")
        what = type(self)._names.get(name)
        target = name if hasattr(impl, name) or what is None else what
        setattr(impl, target, unwrap(value))

    def __repr__(self):
        return f"<{type(self).__name__} presented over {type(self._impl).__module__}>"


REGISTRY = {}
"""id(library object) -> its stand-in, to hand back stand-ins where the library returns its own."""


def _bind(shape, args, kwargs) -> dict:
    """The student's arguments bound to their signature; by parameter name and by role."""
    given = {}
    if shape.signature is not None:
        try:
            bound = shape.signature.bind(None, *args, **kwargs)
        except TypeError as error:
            raise TypeError(f"{shape.name}{_text(shape.signature)}: {error}") from None
        bound.apply_defaults()
        given = dict(list(bound.arguments.items())[1:])
        for name, param in shape.signature.parameters.items():
            if param.kind == param.VAR_KEYWORD and name in given:
                given.update(given.pop(name))
    roles = {role: given[param] for role, param in shape.roles.items() if param in given}
    if "shape" in roles:
        value = roles["shape"]
        roles["shape"] = tuple(value) if isinstance(value, (list, tuple, torch.Size)) \
            else (value,)
    if "train" in roles:
        roles["train"] = bool(roles["train"])
    return {"given": given, "roles": roles}


def _text(signature) -> str:
    params = list(signature.parameters.values())[1:]
    return "(" + ", ".join(str(p) for p in params) + ")"


def _lab_member(impl, what):
    """The library's member for a lab name; ``set_grad`` becomes a plain assignment."""
    if what == "set_grad":
        def set_grad(grad):
            impl.grad = unwrap(grad).clone()
        return set_grad
    return getattr(impl, what)


def _deliver(stand_in, what, value):
    """A library value as the test should see it: methods wrapped, layers as stand-ins."""
    if not callable(value) or isinstance(value, torch.Tensor) or isinstance(value, type):
        return wrap(value)
    impl = object.__getattribute__(stand_in, "_impl")
    network = type(stand_in)._shape.kind == "Network"

    def method(*args, **kwargs):
        if what == "forward" and not network:
            # forward(x) in the student's design: the values given stand for the inputs'.
            for source, given in zip(getattr(impl, "inputs", ()), args):
                if isinstance(given, torch.Tensor):
                    source.output = given
            value()
            return impl.output
        return wrap(value(*[unwrap(a) for a in args],
                          **{k: unwrap(v) for k, v in kwargs.items()}))

    method.__name__ = what
    return method


def unwrap(value):
    if isinstance(value, StandIn):
        return object.__getattribute__(value, "_impl")
    if isinstance(value, (list, tuple)):
        return type(value)(unwrap(v) for v in value)
    return value


def wrap(value):
    if isinstance(value, (list, tuple)):
        return type(value)(wrap(v) for v in value)
    if id(value) in REGISTRY and object.__getattribute__(REGISTRY[id(value)], "_impl") is value:
        return REGISTRY[id(value)]
    return value


# The stand-in modules


def present(library, module_names, overrides=None) -> dict:
    """Stand-in modules for the student's library modules, by module name.

    ``library`` is the ``api.Library`` over the student's own modules: it says which class is
    which and the role of every constructor parameter. Notebook modules are not replaced
    (their tests live in them): ``rebind`` changes their classes in place instead.
    """
    overrides = (overrides or {}).get("attributes", {})
    shapes = student_shapes(library)
    by_class = {}
    home = library.modules[0].__name__ if library.modules else "layers"
    base = type("Layer", (StandIn,), {"__module__": home, "__doc__": "A layer, presented"})
    for kind, shape in shapes.items():
        whats = NETWORK_WHATS + ("output",) if kind == "Network" else LAYER_WHATS
        parent = StandIn if kind == "Network" else base
        cls = type(shape.name, (parent,), {"_shape": shape, "_names": _translations(
            overrides, whats), "__module__": shape.module, "__doc__": f"{kind}, presented"})
        by_class[id(library.find_class(kind))] = cls
    originals = {m.__name__: m for m in library.modules}
    bases = {id(b): b for kind in shapes for b in library.find_class(kind).__mro__[1:-1]}
    modules = {}
    for name in module_names:
        if name in originals:
            modules[name] = types.ModuleType(name)
    for name, stand_in in modules.items():
        for attribute, value in vars(originals[name]).items():
            if id(value) in by_class:
                setattr(stand_in, attribute, by_class[id(value)])
            elif id(value) in bases:
                setattr(stand_in, attribute, base)
            elif isinstance(value, types.ModuleType):
                setattr(stand_in, attribute, modules.get(value.__name__, value))
            elif isinstance(value, (int, float, str, bool)) and not attribute.startswith("__"):
                setattr(stand_in, attribute, value)
        stand_in.__file__ = getattr(originals[name], "__file__", None)
    return {"modules": modules, "classes": by_class, "base": base, "bases": bases}


def rebind(module, presented) -> None:
    """Point a module's names for the student's classes at the stand-ins (notebook tests)."""
    for attribute, value in list(vars(module).items()):
        if id(value) in presented["classes"]:
            setattr(module, attribute, presented["classes"][id(value)])
        elif id(value) in presented["bases"]:
            setattr(module, attribute, presented["base"])
        elif isinstance(value, types.ModuleType) and value.__name__ in presented["modules"]:
            setattr(module, attribute, presented["modules"][value.__name__])
