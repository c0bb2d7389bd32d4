"""Hostile and broken submissions: each must get the grade its honest part earns, never more.

Every folder of tests/hostile/ is one attack: EXPECTED.toml says what it is, which code it
starts from (a copy of the reference, of the template, or nothing), the score range it must
get and what its report must say. append_to_layers.py is added to the end of that copy's
layers.py; other files are added as they are; [make] builds what git cannot hold (links,
file names that are not UTF-8, a notebook with megabytes of output).
"""

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest

from graders.intake import file_hashes
from graders.sandbox import bubblewrap
from support import ROOT

HOSTILE = ROOT / "tests" / "hostile"
CASES = sorted(p for p in HOSTILE.iterdir() if (p / "EXPECTED.toml").exists())
TIMEOUT_S = 3
BASES = {"reference": ROOT / "reference", "template": ROOT / "student_template"}


def build(case: Path, expected: dict, target: Path) -> Path:
    """The submission of ``case``, assembled in ``target``."""
    target.mkdir(parents=True)
    base = BASES.get(expected["base"])
    if base is not None:
        for path in base.glob("*.py"):
            if path.name != "client.py":
                shutil.copy(path, target)
    for path in case.iterdir():
        if path.name == "append_to_layers.py":
            with open(target / "layers.py", "a") as layers:
                layers.write("\n\n" + path.read_text())
        elif path.name != "EXPECTED.toml":
            shutil.copy(path, target)
    make = expected.get("make", {})
    for name, destination in make.get("symlinks", {}).items():
        os.symlink(destination.replace("REFERENCE", str(ROOT / "reference")), target / name)
    if "odd_name" in make:
        (target / os.fsdecode(bytes.fromhex(make["odd_name"]))).write_text("x = 1\n")
    if "notebook_mb" in make:
        code = [(ROOT / "reference" / name).read_text() for name in ("layers.py", "network.py")]
        notebook = nbformat.v4.new_notebook()
        notebook.cells = [nbformat.v4.new_code_cell(text) for text in code]
        plot = nbformat.v4.new_code_cell("print('a long log')")
        plot.outputs = [nbformat.v4.new_output(
            "stream", name="stdout", text="y" * (make["notebook_mb"] * 1024 * 1024))]
        notebook.cells.append(plot)
        nbformat.write(notebook, target / "lab.ipynb")
    return target


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_submission(case, tmp_path):
    expected = tomllib.loads((case / "EXPECTED.toml").read_text())
    if expected.get("needs_sandbox") and bubblewrap() is None:
        pytest.skip("this attack is only contained by the sandbox, and bubblewrap is missing")
    submission = build(case, expected, tmp_path / "submission" / case.name)
    before = file_hashes(submission)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    out = tmp_path / "out"

    done = subprocess.run(
        [sys.executable, "-m", "graders", str(submission), "--out", str(out), "--device", "cpu",
         "--timeout", str(TIMEOUT_S)], cwd=ROOT, capture_output=True, text=True, timeout=900,
        env=dict(os.environ, TMPDIR=str(scratch)))

    assert done.returncode == 0, done.stderr
    results = json.loads((out / "results.json").read_text())
    record = (out / "grade.json").read_text()
    assert expected["forward_min"] <= results["score"] <= expected["forward_max"], \
        f"{expected['attack']}: scored {results['score']}\n" + \
        "\n".join(t["output"] for t in results["tests"])
    for text in expected.get("says", []):
        assert text in record, f"the report does not say {text!r}"
    for text in expected.get("says_not", []):
        assert text not in record, f"the report says {text!r}"
    assert file_hashes(submission) == before, "the submission's files changed"
    assert sorted(os.listdir(tmp_path)) == ["out", "scratch", "submission"]
    assert os.listdir(scratch) == [], "grading left files behind in its temporary folder"
    assert sorted(os.listdir(out)) == ["grade.json", "report.html", "report.json",
                                       "results.json"]


@pytest.mark.parametrize("name", ["fake_score_output", "always_equal_tensor", "missing_class"])
def test_grading_an_attack_twice_gives_the_same_result(name, tmp_path):
    case = HOSTILE / name
    expected = tomllib.loads((case / "EXPECTED.toml").read_text())
    submission = build(case, expected, tmp_path / "submission")
    outcomes = []
    for run in ("first", "second"):
        subprocess.run([sys.executable, "-m", "graders", str(submission), "--out",
                        str(tmp_path / run), "--device", "cpu", "--timeout", str(TIMEOUT_S)],
                       cwd=ROOT, capture_output=True, timeout=900, check=True)
        results = json.loads((tmp_path / run / "results.json").read_text())
        results.pop("execution_time")
        outcomes.append(results)
    assert outcomes[0] == outcomes[1]


def test_the_corpus_covers_at_least_25_attacks():
    assert len(CASES) >= 25


def test_a_batch_of_every_attack_and_the_reference_finishes(tmp_path):
    from graders.batch import BatchOptions, grade_class
    from graders.options import Options
    from graders.sandbox import Limits

    classroom = tmp_path / "class"
    for case in CASES:
        expected = tomllib.loads((case / "EXPECTED.toml").read_text())
        if expected.get("needs_sandbox") and bubblewrap() is None:
            continue
        build(case, expected, classroom / case.name)
    shutil.copytree(ROOT / "reference", classroom / "zz_reference",
                    ignore=shutil.ignore_patterns("__pycache__", "client.py"))

    run = grade_class(classroom, Options(limits=Limits(call_s=TIMEOUT_S)), tmp_path / "out",
                      BatchOptions(jobs=2))

    assert len(run.outcomes) == len(os.listdir(classroom))
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    scores = {row["key"]: row["score"] for row in summary["students"]}
    assert scores["zz_reference"] == 50
    for outcome in run.outcomes:
        assert (tmp_path / "out" / "students" / outcome.key / "report.html").exists()
