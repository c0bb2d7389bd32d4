"""Gradescope: the autograder zip, and run_autograder on a folder laid out as Gradescope's."""

import json
import os
import shutil
import stat
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from classgen import REFERENCE
from graders.gradescope import build_bundle, main, submission_folder
from support import ROOT


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """The autograder zip of the backward stage, with one private fixture folder."""
    folder = tmp_path_factory.mktemp("bundle")
    private = folder / "private"
    private.mkdir()
    cases = json.loads((ROOT / "fixtures" / "relu.json").read_text())["cases"]
    case = next(case for case in cases if case["stage"] == "backward")
    case["name"] = "private/relu-again"
    (private / "relu.json").write_text(json.dumps({"layer": "ReLU", "cases": [case]}))
    return build_bundle(folder / "autograder.zip", "backward", [private], timeout=20,
                        hide_chaffs=True)


def unpack_as_gradescope(bundle: Path, root: Path) -> Path:
    """Lay ``root`` out as Gradescope does: source/ from the zip, run_autograder beside it."""
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
        for info in archive.infolist():  # extractall drops the file modes
            os.chmod(root / "source" / info.filename, (info.external_attr >> 16) & 0o777)
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    (root / "results").mkdir()
    return root


def test_the_bundle_has_gradescopes_scripts_at_its_top_and_the_grader_beside(bundle):
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
        modes = {i.filename: i.external_attr >> 16 for i in archive.infolist()}
        settings = tomllib.loads(archive.read("autograder.toml").decode())
    for script in ("setup.sh", "run_autograder"):
        assert script in names and modes[script] & stat.S_IXUSR
    assert {"graders/grade.py", "graders/worker/main.py", "fixtures/relu.json",
            "reference/layers.py", "student_template/test_sum.py", "pyproject.toml"} <= names
    assert not any("__pycache__" in name or name.startswith("tests/") for name in names)
    assert settings["stage"] == "backward"
    assert settings["fixtures"] == ["private-fixtures/1-private"]
    assert settings["hide_chaffs"] is True
    assert "private-fixtures/1-private/relu.json" in names


def test_the_scripts_are_valid_shell():
    for script in ("setup.sh", "run_autograder"):
        done = subprocess.run(["bash", "-n", str(ROOT / "graders" / "autograder" / script)],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


def test_run_autograder_grades_the_submission_into_results_json(bundle, tmp_path):
    root = unpack_as_gradescope(bundle, tmp_path / "autograder")
    for path in REFERENCE.glob("*.py"):
        shutil.copy(path, root / "submission" / path.name)
    environment = dict(os.environ, TAPEGRADE_AUTOGRADER_ROOT=str(root),
                       TAPEGRADE_PYTHON=sys.executable)
    done = subprocess.run([str(root / "run_autograder")], env=environment, cwd=tmp_path,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr

    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == results["max_score"] == 50
    assert results["output"].startswith("backward stage")
    assert all(t["score"] == t["max_score"] for t in results["tests"])
    assert "private/relu-again" in "\n".join(t["output"] for t in results["tests"])
    assert sorted(p.name for p in (root / "results").iterdir()) == ["results.json"]


def test_run_without_a_submission_folder_says_what_it_expects(tmp_path, caplog):
    assert main(["run", "--root", str(tmp_path)]) == 2
    assert "has no submission folder" in caplog.text


def test_a_zip_uploaded_to_gradescope_is_graded_from_its_contents(tmp_path):
    submission = tmp_path / "submission"
    submission.mkdir()
    with zipfile.ZipFile(submission / "lab.zip", "w") as upload:
        upload.writestr("lab/layers.py", "x = 1\n")
        upload.writestr("../outside.py", "y = 2\n")
    folder = submission_folder(submission, tmp_path / "work")
    assert (folder / "lab" / "layers.py").read_text() == "x = 1\n"
    assert not (tmp_path / "work" / "unpacked" / "outside.py").exists()
    (submission / "network.py").write_text("")
    assert submission_folder(submission, tmp_path / "work") == submission
