"""Every fixture file follows fixtures/README.md, and the checker catches what breaks it."""

import copy
import json

import pytest

from support import CASES
from graders.fixtures import FixtureError, load_cases, problems_of


def test_every_case_is_well_formed():
    for case in CASES:
        assert problems_of(case.spec) == [], case.name


def test_case_names_follow_their_file():
    for case in CASES:
        assert case.name.split("/")[0] == case.file.removesuffix(".json")


GOOD = next(case.spec for case in CASES if case.name.startswith("linear/")
            and case.stage == "backward")


@pytest.mark.parametrize("damage, complaint", [
    (lambda c: c.pop("derivation"), "missing key 'derivation'"),
    (lambda c: c.update(stage="training"), "stage is 'training'"),
    (lambda c: c["layers"][0].update(value=[[1.0], [2.0, 3.0]]), "ragged"),
    (lambda c: c["layers"][-1]["inputs"].pop("b"), "it needs ['W', 'b', 'x']"),
    (lambda c: c["layers"].reverse(), "not defined before it"),
    (lambda c: c.pop("step_size"), "backward case without 'step_size'"),
    (lambda c: c["expected_grads"].update(nowhere=[1.0]), "expected_grads['nowhere']"),
])
def test_problems_are_named(damage, complaint):
    case = copy.deepcopy(GOOD)
    damage(case)
    assert any(complaint in problem for problem in problems_of(case))


def test_a_broken_file_is_refused_with_its_name(tmp_path):
    (tmp_path / "bad.json").write_text(json.dumps({"layer": "Linear", "cases": [{"name": "x"}]}))
    with pytest.raises(FixtureError, match=r"bad\.json: case 'x': missing key 'stage'"):
        load_cases(tmp_path)


def test_an_empty_folder_is_refused(tmp_path):
    with pytest.raises(FixtureError, match="no fixture files"):
        load_cases(tmp_path)
