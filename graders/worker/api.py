"""Map the lab's layers onto one submission's own classes, whatever their argument order.

Students choose their own constructor parameters and attribute names. ``Library`` finds each
class by name, infers the role of every constructor parameter from its name (falling back to
the template's order), and records every choice it made so the report can show it. A
``grading.toml`` mapping, passed in as ``overrides``, wins over inference.
"""

import inspect

# The roles of each layer's constructor, in the template's order.
ROLES = {
    "Input": ("shape", "train"),
    "Linear": ("x", "W", "b"),
    "ReLU": ("x",),
    "MSELoss": ("x", "y"),
    "Regularization": ("W", "lambda"),
    "Softmax": ("x", "y"),
    "Sum": ("a", "b"),
}

# Parameter names (lower case, underscores removed) that reveal a role.
ROLE_NAMES = {
    "x": {"x", "input", "inputs", "inp", "inputlayer", "xlayer", "u", "prev", "previous",
          "layer", "z", "h", "pred", "prediction", "predictions", "predicted", "yhat",
          "ypred", "output", "outputs", "o", "estimate", "scores", "logits"},
    "W": {"w", "weight", "weights", "weightlayer", "wlayer", "weightslayer", "matrix"},
    "b": {"b", "bias", "biases", "biaslayer", "blayer"},
    "y": {"y", "target", "targets", "true", "actual", "ytrue", "yactual", "label", "labels",
          "t", "expected", "truth", "groundtruth", "desired", "onehot", "ylayer", "targetlayer"},
    "lambda": {"lambda", "lamb", "lam", "lmbda", "lmda", "lambd", "coef", "coeff",
               "coefficient", "decay", "weightdecay", "reg", "regconst", "regconstant",
               "regularization", "beta", "strength", "penalty", "l2", "c"},
    "shape": {"shape", "outputshape", "outshape", "size", "dims", "dim", "dimensions",
              "outputsize"},
    "train": {"train", "totrain", "trainable", "istrainable", "learn", "learnable",
              "update", "requiresupdate", "isparameter", "param", "parameter"},
}

# Other names a class may go by (lower case, underscores removed).
CLASS_NAMES = {
    "Input": {"input", "inputlayer", "variable", "parameter"},
    "Linear": {"linear", "linearlayer", "dense", "fullyconnected", "affine"},
    "ReLU": {"relu", "relulayer"},
    "MSELoss": {"mseloss", "mse", "l2loss", "mselayer", "squaredloss", "meansquarederror"},
    "Regularization": {"regularization", "regularisation", "l2regularization",
                       "regularizationlayer", "regularizer", "regulariser", "l2reg"},
    "Softmax": {"softmax", "softmaxlayer", "softmaxcrossentropy", "softmaxloss",
                "crossentropy", "softmaxce", "crossentropyloss"},
    "Sum": {"sum", "sumlayer", "add", "addition", "plus"},
    "Network": {"network", "net", "tape", "model"},
}

# Method and attribute names, most common first.
ALIASES = {
    "output": ("output", "outputs", "out", "value", "val"),
    "grad": ("grad", "grads", "gradient", "gradients"),
    "classifications": ("classifications", "classification", "probabilities", "probs",
                        "predictions", "yhat", "y_hat", "softmax", "p"),
    "set": ("set", "set_value", "set_output", "set_data", "set_values", "assign"),
    "randomize": ("randomize", "randomise", "random", "random_init", "init_random",
                  "initialize", "initialise", "init_weights"),
    "accumulate_grad": ("accumulate_grad", "accumulate_grads", "accumulate_gradient",
                        "add_grad", "acc_grad", "accumulate"),
    "set_grad": ("set_grad", "set_grads", "set_gradient"),
    "clear_grad": ("clear_grad", "clear_grads", "zero_grad", "zero_grads", "reset_grad",
                   "clear_gradient", "clear"),
    "forward": ("forward", "fwd"),
    "backward": ("backward", "backprop", "bwd"),
    "step": ("step", "update", "sgd_step"),
    "add": ("add", "add_layer", "append", "push"),
    "set_input": ("set_input", "set_inputs", "add_input"),
    "set_output": ("set_output", "set_outputs", "add_output"),
}


def normalize(name):
    return name.lower().replace("_", "")


class MappingError(Exception):
    """The submission's API could not be matched to the lab's; the message says what is missing."""


class Library:
    """The lab's operations, carried out through one submission's own classes."""

    def __init__(self, modules, overrides=None):
        overrides = overrides or {}
        self.modules = modules
        self.overrides = overrides
        self.class_overrides = overrides.get("classes", {})
        self.param_overrides = overrides.get("params", {})
        self.attr_overrides = overrides.get("attributes", {})
        self.mapping = {"classes": {}, "params": {}, "attributes": {}}
        self._classes = {}
        self._outputs = {}

    # Classes and constructors

    def find_class(self, kind):
        """The submission's class for ``kind`` (e.g. "Linear"), or MappingError."""
        if kind in self._classes:
            return self._classes[kind]
        wanted = self.class_overrides.get(kind)
        candidates = {}
        for module in self.modules:
            for name, value in vars(module).items():
                if inspect.isclass(value) and getattr(value, "__module__", None) == module.__name__:
                    candidates.setdefault(name, value)
        if wanted is not None:
            found = candidates.get(wanted)
        else:
            found = candidates.get(kind)
            if found is None:
                names = CLASS_NAMES.get(kind, {normalize(kind)})
                found = next((c for n, c in candidates.items() if normalize(n) in names), None)
        if found is None:
            known = ", ".join(sorted(candidates)) or "none"
            tried = wanted or " or ".join(sorted(CLASS_NAMES.get(kind, {kind})))
            raise MappingError(
                f"no class for {kind} (looked for {tried}, in any case); classes found: "
                f"{known}. Name it {kind}, or map it in grading.toml under [classes]"
            )
        self._classes[kind] = found
        self.mapping["classes"][kind] = found.__name__
        return found

    def constructor_roles(self, kind):
        """Map each role of ``kind`` to a parameter of the student's constructor.

        Returns (parameter name or position, role) pairs in call order, positional first.
        """
        cls = self.find_class(kind)
        roles = ROLES[kind]
        try:
            params = list(inspect.signature(cls.__init__).parameters.values())[1:]
        except (TypeError, ValueError):
            params = []
        named = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD,
                                                  p.KEYWORD_ONLY)]
        override = self.param_overrides.get(kind, {})
        assigned = {}
        if override:
            assigned = {role: override[role] for role in roles if role in override}
        elif kind != "Sum":
            for role in roles:
                matches = [p.name for p in named if normalize(p.name) in ROLE_NAMES[role]
                           and p.name not in assigned.values()]
                if len(matches) == 1:
                    assigned[role] = matches[0]
        # Roles no name revealed take the remaining parameters in the template's order.
        free = [p.name for p in named if p.name not in assigned.values()
                and p.kind != p.KEYWORD_ONLY and p.default is p.empty]
        free += [p.name for p in named if p.name not in assigned.values()
                 and p.name not in free]
        for role in roles:
            if role not in assigned and free:
                assigned[role] = free.pop(0)
        self.mapping["params"][kind] = {
            "signature": f"{cls.__name__}{_signature_text(cls)}",
            "roles": dict(assigned),
        }
        return assigned

    def construct(self, kind, values):
        """Call the student's constructor of ``kind`` with ``values`` given by role."""
        cls = self.find_class(kind)
        assigned = self.constructor_roles(kind)
        missing = [role for role in ROLES[kind] if role not in assigned and role in values
                   and not (role == "train" and not values[role])]
        if missing:
            raise MappingError(
                f"{cls.__name__}{_signature_text(cls)} has no parameter for {', '.join(missing)}; "
                f"add it, or map it in grading.toml under [params.{kind}]"
            )
        kwargs = {assigned[role]: value for role, value in values.items() if role in assigned}
        return cls(**kwargs)

    def make_input(self, shape, train):
        return self.construct("Input", {"shape": tuple(shape), "train": bool(train)})

    def make_layer(self, kind, inputs, params):
        values = dict(inputs)
        values.update(params)
        return self.construct(kind, values)

    # Attributes and methods

    def _method(self, obj, what, required=True):
        names = (self.attr_overrides[what],) if what in self.attr_overrides else ALIASES[what]
        for name in names:
            method = getattr(type(obj), name, None)
            if callable(method):
                self.mapping["attributes"].setdefault(what, name)
                return getattr(obj, name)
        if required:
            raise MappingError(
                f"{type(obj).__name__} has no method {what}() (looked for {', '.join(names)}); "
                f"add it, or map it in grading.toml under [attributes]"
            )
        return None

    def _attribute(self, obj, what):
        names = (self.attr_overrides[what],) if what in self.attr_overrides else ALIASES[what]
        for name in names:
            if name in vars(obj) or isinstance(getattr(type(obj), name, None), property):
                self.mapping["attributes"].setdefault(what, name)
                return getattr(obj, name)
        raise MappingError(
            f"{type(obj).__name__} has no attribute {what} (looked for {', '.join(names)}); "
            f"name it {what}, or map it in grading.toml under [attributes]"
        )

    def output(self, layer):
        try:
            return self._attribute(layer, "output")
        except MappingError:
            if id(layer) in self._outputs:
                return self._outputs[id(layer)]
            raise

    def grad(self, layer):
        return self._attribute(layer, "grad")

    def classifications(self, layer):
        return self._attribute(layer, "classifications")

    def set_value(self, layer, value):
        self._method(layer, "set")(value)

    def randomize(self, layer):
        self._method(layer, "randomize")()

    def forward(self, layer, inputs=()):
        method = self._method(layer, "forward")
        args = [self.output(i) for i in inputs][:_required_positional(method)]
        result = method(*args)
        if result is not None:
            self._outputs[id(layer)] = result

    def backward(self, layer):
        self._method(layer, "backward")()

    def clear_grad(self, layer):
        self._method(layer, "clear_grad")()

    def step(self, layer, step_size):
        self._method(layer, "step")(step_size)

    def accumulate_grad(self, layer, grad):
        """Add ``grad`` to the layer's grad, through accumulate_grad or a set_grad helper."""
        method = self._method(layer, "accumulate_grad", required=False)
        if method is not None:
            method(grad)
            return
        setter = self._method(layer, "set_grad", required=False)
        if setter is not None:
            setter(self.grad(layer) + grad)
            return
        raise MappingError(
            f"{type(layer).__name__} has no accumulate_grad(grad) nor set_grad(grad); add "
            f"accumulate_grad, which adds grad to self.grad"
        )

    # The Network

    def make_network(self, layers, input_layer, output_layer):
        """Build the student's Network over ``layers`` (in order) with this input and output."""
        net = self.find_class("Network")()
        set_input = self._method(net, "set_input", required=False)
        if set_input is not None:
            set_input(input_layer)
        else:
            net.input = input_layer
        taped = _tape_of(net)
        add = self._method(net, "add")
        for layer in layers:
            if taped is not None and any(layer is known for known in taped):
                continue
            add(layer)
        set_output = self._method(net, "set_output", required=False)
        if set_output is not None:
            set_output(output_layer)
        else:
            net.output = output_layer
        return net

    def network_forward(self, net, input_layer):
        method = self._method(net, "forward")
        if _required_positional(method):
            method(self.output(input_layer))
        else:
            method()

    def network_backward(self, net):
        self._method(net, "backward")()

    def network_step(self, net, step_size):
        self._method(net, "step")(step_size)


def _signature_text(cls):
    try:
        params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    except (TypeError, ValueError):
        return "(...)"
    return "(" + ", ".join(str(p) for p in params) + ")"


def _required_positional(method):
    try:
        params = inspect.signature(method).parameters.values()
    except (TypeError, ValueError):
        return 0
    return sum(1 for p in params if p.default is p.empty
               and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))


def _tape_of(net):
    """The list the Network keeps its layers in, when one can be found."""
    for value in vars(net).values():
        if isinstance(value, list):
            return value
    return None
