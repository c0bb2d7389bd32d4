"""Load fixture files and check them against the format of fixtures/README.md."""

import json
from dataclasses import dataclass
from pathlib import Path

FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures"

LAYER_INPUTS = {
    "Linear": {"x", "W", "b"},
    "ReLU": {"x"},
    "MSELoss": {"x", "y"},
    "Regularization": {"W"},
    "Softmax": {"x", "y"},
    "Sum": {"a", "b"},
}
STAGES = ("forward", "backward")


class FixtureError(ValueError):
    """A fixture file that does not follow fixtures/README.md."""


@dataclass(frozen=True)
class Case:
    """One worked example, as read from a fixture file."""

    name: str
    """Unique over all files, e.g. ``linear/batch-2``."""
    layer: str
    """The class the file is about (``Network`` for whole networks)."""
    file: str
    """The fixture file it came from."""
    spec: dict
    """The case as written in the file."""

    @property
    def stage(self) -> str:
        return self.spec["stage"]

    @property
    def derivation(self) -> str:
        return self.spec["derivation"]


def shape_of(value):
    """The shape of a VALUE (a number or nested lists), or None when it is ragged."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return ()
    if not isinstance(value, list) or not value:
        return None
    shapes = {shape_of(item) for item in value}
    if len(shapes) != 1 or None in shapes:
        return None
    return (len(value),) + shapes.pop()


def problems_of(spec) -> list[str]:
    """Everything in one case that breaks the format; an empty list when it is well formed."""
    found = []
    for key in ("name", "stage", "derivation", "layers", "expected"):
        if key not in spec:
            found.append(f"missing key {key!r}")
    if found:
        return found
    if spec["stage"] not in STAGES:
        found.append(f"stage is {spec['stage']!r}; use one of {', '.join(STAGES)}")
    if not str(spec["derivation"]).strip():
        found.append("derivation is empty; explain how the numbers follow")

    names = set()
    for layer in spec["layers"]:
        name, kind = layer.get("name"), layer.get("type")
        if name in names:
            found.append(f"layer name {name!r} is used twice")
        if kind == "Input":
            if shape_of(layer.get("value")) is None:
                found.append(f"Input {name!r} has no value, or a ragged one")
            if not isinstance(layer.get("train"), bool):
                found.append(f"Input {name!r} needs train: true or false")
        elif kind in LAYER_INPUTS:
            given = set(layer.get("inputs", {}))
            if given != LAYER_INPUTS[kind]:
                found.append(f"{kind} {name!r} has inputs {sorted(given)}; "
                             f"it needs {sorted(LAYER_INPUTS[kind])}")
            for source in layer.get("inputs", {}).values():
                if source not in names:
                    found.append(f"{kind} {name!r} reads {source!r}, not defined before it")
            if kind == "Regularization" and "lambda" not in layer.get("params", {}):
                found.append(f"Regularization {name!r} needs params.lambda")
        else:
            found.append(f"layer {name!r} has unknown type {kind!r}")
        names.add(name)

    network = spec.get("network")
    if network is not None:
        for end in ("input", "output"):
            if network.get(end) not in names:
                found.append(f"network.{end} is {network.get(end)!r}, not a layer of the case")
    for name, expected in spec["expected"].items():
        if name not in names:
            found.append(f"expected names {name!r}, not a layer of the case")
        for key, value in expected.items():
            if key not in ("output", "classifications") or shape_of(value) is None:
                found.append(f"expected[{name!r}][{key!r}] is not an output VALUE")

    if spec["stage"] == "backward":
        for key in ("expected_grads", "step_size", "expected_after_step"):
            if key not in spec:
                found.append(f"backward case without {key!r}")
        if network is None and not spec.get("seed"):
            found.append("backward case needs 'seed' (or 'network')")
        for seed in spec.get("seed", []):
            if seed.get("layer") not in names or shape_of(seed.get("grad")) is None:
                found.append(f"seed {seed!r} needs a known layer and a grad VALUE")
        for key in ("expected_grads", "expected_after_step"):
            for name, value in spec.get(key, {}).items():
                if name not in names or shape_of(value) is None:
                    found.append(f"{key}[{name!r}] needs a known layer and a VALUE")
    return found


def load_cases(directory: Path = FIXTURES_DIR) -> list[Case]:
    """Every case of every ``*.json`` file in ``directory``; FixtureError on any problem."""
    directory = Path(directory)
    files = sorted(directory.glob("*.json"))
    if not files:
        raise FixtureError(f"{directory}: no fixture files (*.json); see fixtures/README.md")
    cases, seen = [], {}
    for path in files:
        try:
            content = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise FixtureError(f"{path}: cannot read it as JSON ({error})") from error
        if not isinstance(content, dict) or not isinstance(content.get("cases"), list):
            raise FixtureError(f"{path}: expected an object with a 'cases' list")
        for spec in content["cases"]:
            name = spec.get("name", "?") if isinstance(spec, dict) else "?"
            problems = problems_of(spec) if isinstance(spec, dict) else ["not an object"]
            if name in seen:
                problems.append(f"name already used in {seen[name]}")
            if problems:
                raise FixtureError(f"{path}: case {name!r}: " + "; ".join(problems)
                                   + " (format: fixtures/README.md)")
            seen[name] = path.name
            cases.append(Case(name, content.get("layer", "?"), path.name, spec))
    return cases


def load_all(folders: list[Path]) -> list[Case]:
    """The cases of several fixture folders; FixtureError when two share a name."""
    cases, seen = [], {}
    for folder in folders:
        for case in load_cases(folder):
            if case.name in seen:
                raise FixtureError(f"{folder}/{case.file}: case {case.name!r} is also in "
                                   f"{seen[case.name]}; give private cases their own names")
            seen[case.name] = f"{folder}/{case.file}"
            cases.append(case)
    return cases


def strip_expected(spec: dict) -> dict:
    """The instructions the worker may see: the case without any expected value."""
    keep = ("name", "stage", "layers", "network", "seed", "step_size")
    return {key: spec[key] for key in keep if key in spec}
