"""The worker's request loop: one JSON request per line in, one JSON answer per line out.

The answers travel on a private copy of the original stdout; the student's code sees a
stdout that goes to stderr, so nothing it prints can pass for an answer. Torch (and numpy,
which students' tests use) are imported before the submission's folder joins sys.path, so a
file of the submission named torch.py or numpy.py cannot stand in for them.
"""

import importlib
import json
import os
import sys


def _answer_channel():
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return channel


def main():
    owner = os.getpid()
    channel = _answer_channel()
    import torch

    try:
        import numpy  # noqa: F401  (imported first so a submission's numpy.py cannot shadow it)
    except ImportError:
        pass
    torch.set_grad_enabled(False)

    from . import cases, owntests, probes

    originals = owntests.snapshot()
    from .api import Library

    library = None
    for line in sys.stdin:
        if os.getpid() != owner:
            os._exit(0)
        request = json.loads(line)
        op = request.get("op")
        answer = {"op": op}
        try:
            if op == "load":
                library, answer["load"] = _load(request, Library)
            elif op == "run_case":
                answer["result"] = cases.run_case(
                    _fresh(library, Library), request["case"],
                    dtype=getattr(torch, request.get("dtype", "float32")),
                    device=_device(request.get("device", "cpu"), torch))
            elif op == "probe":
                answer["result"] = probes.run_probe(_fresh(library, Library), request["name"],
                                                    _device(request.get("device", "cpu"), torch))
            elif op == "run_tests":
                answer["result"] = owntests.run(request["files"], request.get("timeout", 60),
                                                originals)
            elif op == "grade_tests":
                from .testpasses import grade_tests

                answer["result"] = grade_tests(_fresh(library, Library), request)
            elif op == "train":
                from .training import run_training

                answer["result"] = run_training(
                    _fresh(library, Library), request["experiment"],
                    dtype=getattr(torch, request.get("dtype", "float32")),
                    device=_device(request.get("device", "cpu"), torch))
            elif op == "quit":
                break
            else:
                answer["error"] = f"unknown op {op!r}"
        except Exception as error:
            answer["error"] = f"{type(error).__name__}: {error}"[:2000]
        if os.getpid() != owner:
            # A process the student's code forked has come back into this loop: it must not
            # read requests or answer them.
            os._exit(0)
        answer["autograd"] = torch.is_grad_enabled()
        torch.set_grad_enabled(False)
        if library is not None:
            answer["mapping"] = library.mapping
        channel.write(json.dumps(answer) + "\n")
        channel.flush()


def _device(name, torch):
    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return name


def _fresh(library, Library):
    """A Library over the same modules but with no values cached from earlier checks."""
    if library is None:
        raise RuntimeError("the submission is not loaded")
    fresh = Library(library.modules, library.overrides)
    fresh.mapping = library.mapping
    return fresh


def _load(request, Library):
    """Import the submission's modules from the working folder; report what was found."""
    sys.path.insert(0, os.getcwd())
    modules, errors = [], {}
    for name in request["modules"]:
        try:
            modules.append(importlib.import_module(name))
        except BaseException as error:  # SystemExit at import time included
            errors[name] = f"{type(error).__name__}: {error}"[:2000]
    library = Library(modules, request.get("overrides"))
    classes = sorted(name for module in modules for name, value in vars(module).items()
                     if isinstance(value, type) and value.__module__ == module.__name__)
    return library, {"modules": [m.__name__ for m in modules], "errors": errors,
                     "classes": classes}
