"""The students' handout: what it holds, what it must not hold, and its checks run unpacked."""

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

from graders import handout as builder
from graders.handout import HandoutError, build_handout, reference_leaks
from graders import public
from graders.public import INSTRUCTOR_ONLY
from support import ROOT, reference_library

LAB = "test-lab"
INSTRUCTOR_CHECKS = {check for extra in INSTRUCTOR_ONLY for check in extra.checks}


@pytest.fixture(scope="module")
def handout(tmp_path_factory) -> Path:
    return build_handout(tmp_path_factory.mktemp("dist") / f"{LAB}-handout.zip", LAB)


@pytest.fixture(scope="module")
def contents(handout) -> dict[str, bytes]:
    """The handout's files by path inside its top folder."""
    with zipfile.ZipFile(handout) as archive:
        names = archive.namelist()
        assert all(name.startswith(f"{LAB}/") for name in names)
        return {name.removeprefix(f"{LAB}/"): archive.read(name) for name in names}


def texts(contents: dict[str, bytes]) -> dict[str, str]:
    return {name: data.decode("utf-8") for name, data in contents.items()
            if not name.endswith(".gz")}


# What it holds


def test_the_handout_holds_the_template_the_fixtures_the_grader_and_the_students_files(
        contents):
    for folder in ("lab", "student_template"):
        for name in ("layers.py", "network.py", "test_sum.py", "client.py"):
            assert contents[f"{folder}/{name}"] == (ROOT / "student_template" / name).read_bytes()
    for name in ("README.md", "noxfile.py", "requirements.txt", "conftest.py",
                 "test_public_checks.py", "graders/handout.toml", "graders/grade.py",
                 "graders/checks/check_forward.py", "graders/worker/main.py",
                 "fixtures/README.md"):
        assert name in contents
    readme = contents["README.md"].decode()
    assert "nox -s check" in readme and "python -m pytest" in readme and "$" not in readme
    assert "WSL 2" in readme and "chaffs" in readme and "Hidden random cases" in readme
    assert "torch==2.13.0" in contents["requirements.txt"].decode()
    marker = tomllib.loads(contents["graders/handout.toml"].decode())
    assert marker["lab"] == LAB and marker["commit"]
    assert not any(name.startswith(("reference/", "tests/")) or "__pycache__" in name
                   for name in contents)


def test_the_fixtures_are_exactly_the_public_ones(contents):
    public = {f"fixtures/{path.name}": path.read_bytes()
              for path in (ROOT / "fixtures").glob("*") if path.is_file()}
    shipped = {name: data for name, data in contents.items() if name.endswith(".json")}
    assert shipped == {name: data for name, data in public.items() if name.endswith(".json")}
    assert contents["fixtures/README.md"] == public["fixtures/README.md"]


def test_every_file_of_the_grader_is_shipped_or_withheld():
    unclassified = [path for path in builder.grader_files() if builder.classify(path) is None]
    assert not unclassified, (f"graders/handout.py names {unclassified} in neither SHIPPED nor "
                              f"WITHHELD: decide whether students may get them")


def test_the_instructors_grader_is_not_the_handout():
    assert public.handout() is None and public.absent_checks() == set()
    assert public.notes("forward") == [] and public.version() is None
    rubric = {"check": [{"id": "hidden-forward", "points": 8}]}
    assert public.public_rubric(rubric) == rubric


@pytest.mark.parametrize("platform, advice", [("win32", "WSL 2"),
                                              ("darwin", "Linux virtual machine")])
def test_the_handout_says_where_the_checks_run_instead(monkeypatch, platform, advice):
    monkeypatch.setattr(sys, "platform", platform)
    problem = public.platform_problem()
    assert "run on Linux only" in problem and advice in problem and platform in problem
    monkeypatch.setattr(sys, "platform", "linux")
    assert public.platform_problem() == ""


# What it must not hold


def test_no_function_body_of_the_reference_is_in_the_handout(contents):
    sources = {name: text for name, text in texts(contents).items() if name.endswith(".py")}
    assert len(sources) > 20
    assert reference_leaks(sources) == []


def test_the_leak_scan_finds_a_reference_method_renamed_and_reworded():
    copied = '''
def helper(first, second):
    """Nothing to see here."""
    print("setting up")
    second.a.accumulate_grad(second.grad)
    second.b.accumulate_grad(second.grad)
    return first
'''
    other = '''
def helper(first, second):
    second.a.accumulate_grad(second.grad * 2)
    return first
'''
    assert reference_leaks({"copied.py": copied}) == \
        ["copied.py, line 5: the body of reference/layers.py: Sum.backward"]
    assert reference_leaks({"other.py": other}) == []
    template = {name: (ROOT / "student_template" / name).read_text()
                for name in ("layers.py", "network.py", "test_sum.py", "client.py")}
    assert reference_leaks(template) == []


def test_a_handout_with_a_grader_file_that_holds_reference_code_is_refused(tmp_path,
                                                                              monkeypatch):
    # The sample submission holds methods written exactly as the reference's.
    monkeypatch.setattr(builder, "SHIPPED", builder.SHIPPED + ("samples/*",))
    with pytest.raises(HandoutError, match=r"samples/sample_student/layers.py, line \d+: the "
                                           r"body of reference/layers.py"):
        build_handout(tmp_path / "leaky.zip", LAB)
    assert not (tmp_path / "leaky.zip").exists()


def hidden_expected_values() -> list[float]:
    """Every expected number of the hidden cases, computed here with the reference."""
    from graders.hidden import hidden_specs, with_expected
    from graders.session import HIDDEN_SEED

    library, numbers = reference_library(), []

    def collect(value):
        if isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)
        elif isinstance(value, float):
            numbers.append(value)

    for stage in ("forward", "backward"):
        for spec in hidden_specs(HIDDEN_SEED, stage):
            done = with_expected(spec, library)
            for key in ("expected", "expected_grads", "expected_after_step"):
                collect(done.get(key, {}))
    return numbers


def test_no_hidden_case_its_generator_or_its_expected_values_are_in_the_handout(contents):
    assert "graders/hidden.py" not in contents
    everything = "\n".join(texts(contents).values())
    assert "hidden/" not in "".join(texts(contents)[name] for name in contents
                                    if name.endswith(".json"))
    telling = [value for value in hidden_expected_values() if len(repr(abs(value))) >= 8]
    assert len(telling) > 100
    assert [value for value in telling if repr(value) in everything] == []


def test_no_chaff_is_in_the_handout(contents, tmp_path):
    from graders.chaffs import load_chaffs, reference_sources

    assert not any("chaff" in name for name in contents)
    everything = texts(contents)
    sources = {name: text for name, text in everything.items() if name.endswith(".py")}
    reference = reference_sources()
    chaffs = load_chaffs("forward") + load_chaffs("backward")
    assert chaffs
    for chaff in chaffs:
        assert chaff.misconception not in "\n".join(everything.values())
        # Every function body of the wrong library, the changed one included.
        wrong = tmp_path / chaff.id
        wrong.mkdir()
        for module, text in chaff.sources(reference).items():
            (wrong / f"{module}.py").write_text(text)
        assert reference_leaks(sources, reference=wrong) == [], chaff.id


# Unpacked, in a fresh virtual environment


@pytest.fixture(scope="module")
def environment(tmp_path_factory) -> dict[str, str]:
    """A fresh virtual environment, as a student makes one, and the variables to run in it.

    To spare downloading torch again, it sees the packages of the Python running these tests
    (``--system-site-packages`` and a .pth file naming this environment's site-packages). It
    gets nox from pip, as a student does, unless it already sees one.
    """
    folder = tmp_path_factory.mktemp("venv") / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=True).create(folder)
    python = folder / "bin" / "python"
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path("
                              "'purelib'))"], capture_output=True, text=True,
                             check=True).stdout.strip()
    outer = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (Path(purelib) / "outer-environment.pth").write_text("\n".join(sorted(outer)) + "\n")
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env.update(PATH=f"{folder / 'bin'}{os.pathsep}{env.get('PATH', '')}",
               VIRTUAL_ENV=str(folder))
    has_nox = subprocess.run([python, "-c", "import nox"], capture_output=True, env=env)
    if has_nox.returncode != 0:
        subprocess.run([python, "-m", "pip", "install", "-q", "nox"], check=True, env=env,
                       timeout=600)
    return env


def unpack(handout: Path, target: Path) -> Path:
    """The handout unpacked into the empty folder ``target``; its top folder."""
    target.mkdir(parents=True, exist_ok=True)
    assert not any(target.iterdir())
    with zipfile.ZipFile(handout) as archive:
        archive.extractall(target)
    return target / LAB


def run(env: dict, folder: Path, *command: str) -> subprocess.CompletedProcess:
    return subprocess.run(["python", *command], cwd=folder, env=env, capture_output=True,
                          text=True, timeout=900)


def nox_check(env: dict, folder: Path, *arguments: str) -> subprocess.CompletedProcess:
    """`nox -s check`; --no-venv --no-install so that nox's own environment needs no torch."""
    return run(env, folder, "-m", "nox", "-s", "check", "--no-venv", "--no-install", "--",
               *arguments)


def grade_record(folder: Path, name: str = "lab") -> dict:
    return json.loads((folder / "grading-reports" / name / "grade.json").read_text())


def put_in_lab(folder: Path, files: list[Path]) -> None:
    """Replace the code and tests of lab/ by ``files``."""
    for path in (folder / "lab").glob("*.py"):
        if path.name != "client.py":
            path.unlink()
    for path in files:
        shutil.copy(path, folder / "lab" / path.name)


def test_nox_check_on_the_template_finds_nothing_implemented(handout, environment, tmp_path):
    folder = unpack(handout, tmp_path / "empty")
    done = nox_check(environment, folder)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "lab: 0 / " in done.stdout and "grading-reports/lab/report.html" in done.stdout

    record = grade_record(folder)
    cases = [case for check in record["checks"] for case in check["cases"]]
    assert record["score"] == 0 and not any(case["passed"] for case in cases)
    worked = next(c for c in record["checks"] if c["id"] == "fixture-forward")
    assert all("NotImplementedError" in case["message"] for case in worked["cases"])
    assert not {check["id"] for check in record["checks"]} & INSTRUCTOR_CHECKS
    assert record["test_grading"] == {}
    rubric = tomllib.loads((ROOT / "graders" / "rubrics" / "forward.toml").read_text())
    public = sum(c["points"] for c in rubric["check"] if c["id"] not in INSTRUCTOR_CHECKS)
    assert record["max_score"] == public < 50
    notes = " ".join(record["notes"])
    assert f"worth {public:g} of the 50 points" in notes
    assert "hidden random cases" in notes and "chaffs" in notes and "mutation" in notes
    assert record["fingerprint"]["grader commit"].startswith(f"handout {LAB} of ")


def reference_files() -> list[Path]:
    return sorted((ROOT / "reference").glob("*.py"))


def test_with_the_reference_copied_in_nox_check_passes_every_public_check(handout,
                                                                         environment,
                                                                         tmp_path):
    folder = unpack(handout, tmp_path / "empty")
    put_in_lab(folder, reference_files())
    done = nox_check(environment, folder, "--stage", "forward")
    assert done.returncode == 0, done.stdout + done.stderr
    record = grade_record(folder)
    failed = [case["case"] for check in record["checks"] for case in check["cases"]
              if not case["passed"]]
    assert failed == [] and record["score"] == record["max_score"] > 0


def test_with_the_reference_copied_in_python_m_pytest_passes_every_public_check(
        handout, environment, tmp_path):
    folder = unpack(handout, tmp_path / "empty")
    put_in_lab(folder, reference_files())
    done = run(environment, folder, "-m", "pytest", "-p", "no:cacheprovider", "--stage",
               "backward")
    assert done.returncode == 0, done.stdout + done.stderr
    record = grade_record(folder)
    cases = sum(len(check["cases"]) for check in record["checks"])
    assert f"{cases + 1} passed" in done.stdout
    assert f"lab: {record['max_score']:g} / {record['max_score']:g} (backward stage)" \
        in done.stdout


def test_python_m_pytest_fails_each_case_the_report_fails(handout, environment, tmp_path):
    folder = unpack(handout, tmp_path / "empty")
    done = run(environment, folder, "-m", "pytest", "-p", "no:cacheprovider",
               "-k", "fixture-forward")
    assert done.returncode == 1
    assert re.search(r"test_case\[fixture-forward: linear/batch-1-forward\] _+\n"
                     r"Layer forward on the worked examples: NotImplementedError", done.stdout)
    worked = next(c for c in grade_record(folder)["checks"] if c["id"] == "fixture-forward")
    assert f"{len(worked['cases'])} failed" in done.stdout
    assert "Only in the instructor's grading" in done.stdout


def test_the_training_stage_runs_in_the_handout_and_says_when_the_sandbox_was_not_used(
        handout, environment, tmp_path):
    folder = unpack(handout, tmp_path / "empty")
    put_in_lab(folder, reference_files())
    # A student's machine without bubblewrap: nothing on PATH but the environment's Python.
    bare = dict(environment, PATH=str(Path(environment["VIRTUAL_ENV"]) / "bin"))
    done = run(bare, folder, "-m", "graders", "--stage", "training")
    assert done.returncode == 0, done.stderr
    record = grade_record(folder)
    assert record["score"] == record["max_score"] == 50
    assert record["notes"] == [
        "Grading ran without bubblewrap: the isolation was weaker (a separate, limited process "
        "only).",
        "Every check of the training stage is public: the instructor's grading runs the same "
        "ones."]
    assert record["fingerprint"]["isolation"].startswith("weaker")


def verdicts(record: dict) -> dict[tuple[str, str], tuple[bool, str]]:
    return {(check["id"], case["case"]): (case["passed"], case["message"])
            for check in record["checks"] for case in check["cases"]}


@pytest.mark.parametrize("stage", ["forward", "backward"])
def test_public_verdicts_equal_the_instructors_on_the_same_code(handout, environment,
                                                                tmp_path, stage):
    buggy = ROOT / "tests" / "submissions" / "buggy_forward"
    folder = unpack(handout, tmp_path / "empty")
    put_in_lab(folder, sorted(buggy.glob("*.py")))
    done = nox_check(environment, folder, "--stage", stage)
    assert done.returncode == 0, done.stdout + done.stderr
    public = grade_record(folder)

    out = tmp_path / "instructor"
    done = subprocess.run([sys.executable, "-m", "graders", str(buggy), "--stage", stage,
                           "--out", str(out)], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    instructor = json.loads((out / "grade.json").read_text())

    instructors_checks = {check["id"] for check in instructor["checks"]}
    assert {check["id"] for check in public["checks"]} == instructors_checks - INSTRUCTOR_CHECKS
    theirs = {key: value for key, value in verdicts(instructor).items()
              if key[0] not in INSTRUCTOR_CHECKS}
    assert verdicts(public) == theirs
    assert 0 < public["score"] < public["max_score"]
