"""Grade the student's own tests: run them on their code, its mutants, the wheat and the chaffs.

Two collections run side by side, each in its own forked child of the worker:

- the student's own modules: one pass on their code as it is, then one pass per mutant of
  their layer methods (``mutation``);
- stand-ins named like the student's modules (``wheat.present``): one pass on the wheat
  (the correct library, sent in the request as source text), then one pass per chaff.

Everything returned is plain data: test names, outcomes, exception type names, messages.
Whether a chaff was caught or a mutant killed is decided by the scoring process.
"""

import ast
import functools
import inspect
import os
import shutil
import sys
import tempfile
import time

import torch

from . import mutation, variants, wheat
from .cases import run_case
from .owntests import tail

LAYER_KINDS = ("Linear", "ReLU", "MSELoss", "Regularization", "Softmax", "Sum")
MUTATED = {"forward": ("forward",), "backward": ("forward", "backward")}


def grade_tests(library, request) -> dict:
    """Run the passes the request asks for; see the module's docstring."""
    started = time.monotonic()
    budget = float(request.get("timeout", 60))
    stage = request.get("stage", "forward")
    module_names = [m.__name__ for m in library.modules]
    notebook_tests = [name for name in module_names if name.startswith("nb_")
                      and _defines_tests(f"{name}.py")]
    files = list(request["files"]) + [f"{name}.py" for name in notebook_tests]
    if not files:
        return {"collected": [], "errors": {}, "own": None, "wheat": None, "chaffs": {},
                "mutants": [], "output": "", "seconds": 0.0}
    python_files = " ".join(["test_*.py", "*_test.py"] + [f"{n}.py" for n in notebook_tests])
    folder = tempfile.mkdtemp()
    logs = {name: os.path.join(folder, f"{name}.txt") for name in ("own", "wheat")}
    first_limit = budget / 2

    mutants = mutation.mutants_of(library, LAYER_KINDS + ("Network",), MUTATED[stage],
                                  request.get("max_mutants", mutation.MAX_MUTANTS))
    cases = request.get("cases", [])
    own_passes = [variants.Pass("own", lambda context: Baseline(library, cases, mutants),
                                first_limit)]
    own_passes += [variants.Pass(f"mutant-{number}", _mutant_setup(library, cases, mutant),
                                 enough=_noticed, select=_mutant_tests(mutant))
                   for number, mutant in enumerate(mutants)]

    sources = request["wheat"]
    presented = {}

    def install():
        wheat.ACTIVE.use(wheat.build_library(sources))
        presented.update(wheat.present(library, module_names, library.overrides))
        for name, module in presented["modules"].items():
            if name not in notebook_tests:
                sys.modules[name] = module
        for name in notebook_tests:
            wheat.rebind(sys.modules[name], presented)

    wheat_passes = [variants.Pass("wheat", lambda context: _use(sources, Coverage), first_limit)]
    wheat_passes += [variants.Pass(f"chaff:{chaff['id']}", _chaff_setup(sources, chaff),
                                   select=_chaff_tests(chaff))
                     for chaff in request.get("chaffs", [])]

    own = variants.start_collection(files, lambda: None, own_passes, budget - 1,
                                    python_files, logs["own"])
    other = variants.start_collection(files, install, wheat_passes, budget - 1,
                                      python_files, logs["wheat"])
    deadline = started + budget
    own_done = variants.finish_collection(*own, deadline)
    wheat_done = variants.finish_collection(*other, deadline)

    passes = own_done["passes"]
    answered = []
    for number, mutant in enumerate(mutants):
        result = passes.get(f"mutant-{number}")
        answered.append(dict(mutant.describe(), **_brief(result)))
    chaffs = {chaff["id"]: _brief(wheat_done["passes"].get(f"chaff:{chaff['id']}"))
              for chaff in request.get("chaffs", [])}
    own_pass = passes.get("own")
    if own_pass is not None:
        own_pass.pop("probe", None)
    answer = {
        "collected": own_done["collected"], "errors": own_done["errors"],
        "wheat_collected": wheat_done["collected"], "wheat_errors": wheat_done["errors"],
        "own": own_pass, "wheat": wheat_done["passes"].get("wheat"),
        "chaffs": chaffs, "mutants": answered,
        "output": tail(logs["own"]), "seconds": round(time.monotonic() - started, 3),
    }
    shutil.rmtree(folder, ignore_errors=True)
    return answer


def _defines_tests(path) -> bool:
    """Whether a notebook's module holds test functions or unittest classes of its own."""
    try:
        with open(path, encoding="utf-8") as stream:
            tree = ast.parse(stream.read())
    except (OSError, SyntaxError, ValueError):
        return False
    return any(isinstance(node, (ast.FunctionDef, ast.ClassDef))
               and node.name.lower().startswith("test") for node in tree.body)


def _brief(result) -> dict:
    """A pass's result with only the tests that ran and did not pass."""
    if result is None:
        return {"status": "not run", "seconds": 0.0, "not_passed": {}, "probe": {}}
    not_passed = {name: {k: v for k, v in test.items() if k != "test"}
                  for name, test in result["tests"].items()
                  if test["outcome"] not in ("passed", "not run")}
    return {"status": result["status"], "seconds": result["seconds"],
            "not_passed": not_passed, "probe": result.get("probe", {})}


# The wheat and the chaffs


def _use(sources, probe=None):
    classes = wheat.build_library(sources)
    wheat.ACTIVE.use(classes)
    return probe(classes) if probe else None


def _chaff_setup(sources, chaff):
    merged = dict(sources, **chaff["sources"])
    return lambda context: _use(merged)


class Reached:
    """Which methods each test reaches: every target method is wrapped to record its calls.

    ``targets`` are (class, method name, label) triples; ``restore()`` unwraps them.
    """

    def __init__(self, targets):
        self.current = None
        self.calls = {}
        self.originals = []
        for cls, name, label in targets:
            original = cls.__dict__[name]
            self.originals.append((cls, name, original))
            setattr(cls, name, self._recording(label, original))

    def _recording(self, label, original):
        reached = self

        @functools.wraps(original)
        def recorded(*args, **kwargs):
            found = reached.calls.setdefault(reached.current, set())
            found.add(label)
            reached.note(found, label, args)
            return original(*args, **kwargs)

        return recorded

    def note(self, found, label, args):
        """What else to record about a call; nothing here."""

    def start(self, test):
        self.current = test

    def restore(self):
        for cls, name, original in self.originals:
            setattr(cls, name, original)

    def reached(self) -> dict:
        return {test: sorted(found) for test, found in self.calls.items()}


def _methods(classes):
    """(class, name, "Class.name") for every plain function the classes define themselves."""
    return [(cls, name, f"{cls.__name__}.{name}") for cls in classes
            for name, value in vars(cls).items() if inspect.isfunction(value)]


class Coverage(Reached):
    """On the wheat: every method each test reaches, and which networks it runs."""

    def __init__(self, classes):
        self.classes = classes
        everything = {id(b): b for cls in classes.values() for b in cls.__mro__[:-1]}
        super().__init__(_methods(everything.values()))

    def note(self, found, label, args):
        if label in ("Network.forward", "Network.backward") and self.hidden_relu(args[0]):
            found.add(f"{label} with a hidden ReLU")

    def hidden_relu(self, net) -> bool:
        """A ReLU between two Linear layers on the tape, every Linear at least 2 x 2."""
        linear, relu = self.classes.get("Linear"), self.classes.get("ReLU")
        tape = list(getattr(net, "layers", []))
        if linear is None or relu is None:
            return False

        def wide(layer):
            return isinstance(layer, linear) and all(n >= 2 for n in layer.W.output.shape)

        return any(isinstance(r, relu) and wide(r.x) and any(wide(o) and o.x is r for o in tape)
                   for r in tape)

    def finish(self, outcomes):
        return {"calls": self.reached()}


def _chaff_tests(chaff):
    """The tests that pass on the wheat and reach a method of the class the chaff changes."""
    def select(context):
        wheat = context.get("wheat", {})
        calls = wheat.get("probe", {}).get("calls", {})
        prefix = f"{chaff.get('layer', '')}."
        if not any(c.startswith(prefix) for found in calls.values() for c in found):
            return None
        return {name for name, test in wheat.get("tests", {}).items()
                if test["outcome"] == "passed"
                and any(c.startswith(prefix) for c in calls.get(name, []))}
    return select


# The student's own code and its mutants


def _case_results(library, cases) -> dict:
    """The student's results on the cases (inputs only), to tell equivalent mutants apart."""
    results = {}
    for case in cases:
        fresh = type(library)(library.modules, library.overrides)
        results[case["name"]] = run_case(fresh, case, dtype=torch.float64)
    return results


class Baseline(Reached):
    """The pass on the student's code as it is: which mutated methods each test reaches, and
    the code's results on the cases."""

    def __init__(self, library, cases, mutants):
        self.library = library
        self.cases = cases
        targets = {(m.owner, m.method) for m in mutants}
        super().__init__([(owner, method, f"{owner.__name__}.{method}")
                          for owner, method in sorted(targets, key=str)])

    def finish(self, outcomes):
        self.restore()
        return {"cases": _case_results(self.library, self.cases), "reached": self.reached()}


class MutantCheck:
    """After a mutant's pass: when no test noticed it, does it compute anything differently?"""

    def __init__(self, library, cases, baseline, own):
        self.library = library
        self.cases = cases
        self.baseline = baseline
        self.own = own

    def start(self, test):
        pass

    def finish(self, outcomes):
        noticed = [name for name, test in outcomes.items() if test["outcome"] != "passed"
                   and self.own.get(name, {}).get("outcome") == "passed"]
        if noticed:
            return {}
        mutated = _case_results(self.library, self.cases)
        differs = [name for name in self.cases_names() if not _same(self.baseline.get(name),
                                                                   mutated.get(name))]
        return {"differs_on": differs[:3], "differs": bool(differs)}

    def cases_names(self):
        return [case["name"] for case in self.cases]


def _mutant_tests(mutant):
    """The tests that pass on the student's code and reach the mutated method."""
    key = f"{mutant.owner.__name__}.{mutant.method}"

    def select(context):
        own = context.get("own", {})
        reached = own.get("probe", {}).get("reached", {})
        return {name for name, test in own.get("tests", {}).items()
                if test["outcome"] == "passed" and key in reached.get(name, [])}
    return select


def _noticed(context, line) -> bool:
    """A test that passed on the student's code fails on the mutant: it is killed."""
    own = context.get("own", {}).get("tests", {})
    return line["outcome"] in ("failed", "error") \
        and own.get(line["test"], {}).get("outcome") == "passed"


def _mutant_setup(library, cases, mutant):
    def setup(context):
        own = context.get("own", {})
        mutant.apply()
        return MutantCheck(library, cases, own.get("probe", {}).get("cases", {}),
                           own.get("tests", {}))
    return setup


def _same(first, second, rtol=1e-5, atol=1e-7) -> bool:
    """Two case results agree: the same values (within rounding), the same phase of error."""
    if first is None or second is None:
        return first is second
    if bool(first.get("error")) != bool(second.get("error")):
        return False
    if first.get("error") and first["error"]["phase"] != second["error"]["phase"]:
        return False
    for section in ("outputs", "classifications", "grads", "after_step"):
        one, other = first.get(section, {}), second.get(section, {})
        if set(one) != set(other):
            return False
        for name in one:
            if one[name]["shape"] != other[name]["shape"]:
                return False
            a, b = torch.tensor(one[name]["data"]), torch.tensor(other[name]["data"])
            if not torch.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True):
                return False
    return True

