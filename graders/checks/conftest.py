"""Hooks of the checks: the grading session comes from the plugin the grader registers."""

import pytest

from graders.public import absent_checks
from graders.session import SESSION_KEY

PARAMETERS = {
    # fixture name: (which cases, how to call them)
    "layer_case": lambda s: s.fixture_cases(layers=True),
    "layer_backward_case": lambda s: s.fixture_cases(layers=True, stage="backward"),
    "network_case": lambda s: s.fixture_cases(layers=False),
    "network_backward_case": lambda s: s.fixture_cases(layers=False, stage="backward"),
    "hidden_case": lambda s: [c for c in s.hidden_cases() if "network" not in c],
    "hidden_network_case": lambda s: [c for c in s.hidden_cases() if "network" in c],
}


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector, name, obj):
    """The students' handout leaves out the checks it cannot run (see graders/public.py)."""
    marks = [mark for mark in getattr(obj, "pytestmark", []) if mark.name == "check"]
    if marks and marks[0].args[0] in absent_checks():
        return []
    return None


def _session(config):
    return config.stash[SESSION_KEY]


def pytest_generate_tests(metafunc):
    session = _session(metafunc.config)
    for name, select in PARAMETERS.items():
        if name in metafunc.fixturenames:
            cases = select(session)
            ids = [getattr(c, "name", None) or c["name"] for c in cases]
            metafunc.parametrize(name, cases, ids=ids)


@pytest.fixture
def grading(request):
    return _session(request.config)


@pytest.fixture(autouse=True)
def _check_id(request, json_metadata):
    """Every check names its rubric entry, so that even a crashed check is scored there."""
    json_metadata["check"] = request.node.get_closest_marker("check").args[0]


@pytest.fixture
def record(json_metadata):
    """Store a check's details in the JSON report; returns a function to call."""
    def store(**details):
        json_metadata.update(details)
    return store
