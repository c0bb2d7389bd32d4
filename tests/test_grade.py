"""Grading whole submissions end to end, as `nox -s grade -- PATH` does."""

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from support import ROOT
from graders.intake import file_hashes

SUBMISSIONS = sorted(p for p in (ROOT / "tests" / "submissions").iterdir()
                     if (p / "EXPECTED.toml").exists())
SAMPLE = ROOT / "graders" / "samples" / "sample_student"


def grade(path: Path, out: Path, *options: str) -> dict:
    """Run the grader's command line; return its results.json, with the report beside it."""
    done = subprocess.run([sys.executable, "-m", "graders", str(path), "--out", str(out),
                           "--device", "cpu", *options], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads((out / "results.json").read_text())


def failures(results: dict) -> str:
    return "\n".join(t["output"] for t in results["tests"] if t["score"] < t["max_score"])


@pytest.mark.parametrize("stage", ["forward", "backward"])
def test_reference_gets_full_marks(tmp_path, stage):
    results = grade(ROOT / "reference", tmp_path, "--stage", stage)
    assert results["score"] == results["max_score"] == 50, failures(results)


def test_template_gets_zero_and_says_what_is_not_implemented(tmp_path):
    results = grade(ROOT / "student_template", tmp_path)
    assert results["score"] == 0
    fixture_check = next(t for t in results["tests"] if "worked examples" in t["name"])
    assert "NotImplementedError" in fixture_check["output"]
    html = (tmp_path / "report.html").read_text()
    assert "Traceback" not in html and "0 / 50" in html


@pytest.mark.parametrize("path", SUBMISSIONS + [SAMPLE], ids=lambda p: p.name)
@pytest.mark.parametrize("stage", ["forward", "backward"])
def test_sample_submission_is_graded_as_expected(tmp_path, path, stage):
    expected = tomllib.loads((path / "EXPECTED.toml").read_text())
    before = file_hashes(path)
    results = grade(path, tmp_path, "--stage", stage)
    low, high = expected[f"{stage}_min"], expected[f"{stage}_max"]
    assert low <= results["score"] <= high, \
        f"{expected['description']}: {results['score']} not in [{low}, {high}]\n" + \
        failures(results)
    assert file_hashes(path) == before


def test_grading_twice_gives_the_same_results(tmp_path):
    first = grade(SAMPLE, tmp_path / "first")
    second = grade(SAMPLE, tmp_path / "second")
    for results in (first, second):
        results.pop("execution_time")
    assert first == second


def test_report_shows_the_numbers_of_a_failed_check(tmp_path):
    grade(SAMPLE, tmp_path)
    html = (tmp_path / "report.html").read_text()
    assert "Largest |difference|" in html and "How the expected values follow" in html
    grade_record = json.loads((tmp_path / "grade.json").read_text())
    assert grade_record["fingerprint"]["files"] and grade_record["mapping"]["classes"]


def test_a_missing_path_is_a_harness_error_with_a_message(tmp_path):
    done = subprocess.run([sys.executable, "-m", "graders", str(tmp_path / "missing")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "no such file or folder" in done.stderr


def test_private_fixture_cases_are_graded_too(tmp_path):
    private = tmp_path / "private"
    private.mkdir()
    case = json.loads((ROOT / "fixtures" / "relu.json").read_text())["cases"][0]
    case["name"] = "private/relu-again"
    (private / "relu.json").write_text(json.dumps({"layer": "ReLU", "cases": [case]}))
    grade(ROOT / "reference", tmp_path / "out", "--fixtures", str(private))
    report = json.loads((tmp_path / "out" / "grade.json").read_text())
    names = [c["case"] for check in report["checks"] for c in check["cases"]]
    assert "private/relu-again" in names


def test_private_cases_may_not_reuse_a_public_name(tmp_path):
    (tmp_path / "relu.json").write_text((ROOT / "fixtures" / "relu.json").read_text())
    done = subprocess.run([sys.executable, "-m", "graders", "reference", "--fixtures",
                           str(tmp_path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2 and "give private cases their own names" in done.stderr
