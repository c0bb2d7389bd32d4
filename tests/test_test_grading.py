"""Judging the student's own tests: the rules (graders/testjudge.py) and the sample submissions."""

import textwrap
import time
from dataclasses import asdict
from types import SimpleNamespace

import nbformat
import pytest

from support import ROOT
from graders.cli import parse
from graders.intake import load_submission
from graders.options import Options, start_worker
from graders.report import GradeReport, load_rubric, render_html
from graders.session import GradingSession
from graders.sandbox import WorkerError
from graders.testjudge import grade_tests, hide_chaffs, judge
from graders.worker import variants

SUBMISSIONS = ROOT / "tests" / "submissions"
GOOD, WRONG, INTERNAL = "test_a.py::test_good", "test_a.py::test_wrong", "test_a.py::test_mask"
HANDED_OUT = "test_sum.py::TestSum::test_forward"


def passed():
    return {"outcome": "passed", "type": "", "message": ""}


def failed(kind="AssertionError", message="assert 2.0 == 4.0", outcome="failed"):
    return {"outcome": outcome, "type": kind, "message": message}


def mutant(not_passed, status="finished", probe=None):
    return {"where": "Linear.forward, line 3", "operator": "arithmetic",
            "change": "`a + b` -> `a - b`", "file": "layers.py", "status": status,
            "seconds": 0.1, "not_passed": not_passed, "probe": probe or {}}


# What the worker answers for four tests: a good one, a wrong one (fails on the wheat), one
# that reads an internal name, and the handed-out test_sum.py.
ANSWER = {
    "own": {"status": "finished", "seconds": 0.2, "tests": {
        GOOD: passed(), WRONG: passed(), INTERNAL: passed(), HANDED_OUT: passed()}},
    "wheat": {"status": "finished", "seconds": 0.2, "tests": {
        GOOD: passed(), WRONG: failed(), HANDED_OUT: passed(),
        INTERNAL: failed("BeyondTheLab", "ReLU has no 'mask' in the lab's API")},
        "probe": {"calls": {
            GOOD: ["Linear.forward", "Network.forward", "Network.forward with a hidden ReLU"],
            INTERNAL: ["ReLU.forward"], HANDED_OUT: ["Sum.forward"]}}},
    "wheat_errors": {},
    "chaffs": {
        "linear-no-bias": {"status": "finished", "not_passed": {GOOD: failed(),
                                                               WRONG: failed()}},
        "sum-ignores-second-input": {"status": "finished",
                                     "not_passed": {HANDED_OUT: failed()}},
        "relu-leaky": {"status": "timed out", "not_passed": {INTERNAL: failed(
            outcome="timed out")}},
        "softmax-over-rows": {"status": "finished", "not_passed": {WRONG: failed()}},
    },
    "mutants": [
        mutant({GOOD: failed("RuntimeError", "shape mismatch", "error")}),
        mutant({WRONG: failed(), HANDED_OUT: failed()},
               probe={"differs": True, "differs_on": ["linear/batch-2-forward"]}),
        mutant({}, probe={"differs": False, "differs_on": []}),
        mutant({GOOD: failed(outcome="timed out")}, status="timed out"),
        mutant({}, status="not run"),
    ],
    "output": "", "seconds": 1.5,
}


@pytest.fixture
def judged():
    return judge(ANSWER, "forward", handed_out=["test_sum.py"])


def test_a_test_failing_on_the_wheat_is_wrong_and_an_internal_one_is_not_compared(judged):
    outcomes = {t.name: (t.wheat, t.message) for t in judged.tests}
    assert outcomes[GOOD] == ("passed", "")
    assert outcomes[WRONG] == ("failed", "assert 2.0 == 4.0")
    assert outcomes[INTERNAL] == ("not comparable", "ReLU has no 'mask' in the lab's API")
    assert [t.handed_out for t in judged.tests] == [False, False, False, True]


def test_a_chaff_is_caught_only_by_tests_that_pass_on_the_wheat(judged):
    chaffs = {c.label: c for c in judged.chaffs}
    assert (chaffs["linear-no-bias"].status, chaffs["linear-no-bias"].caught_by) == \
        ("caught", [GOOD])
    assert chaffs["softmax-over-rows"].status == "escaped"  # only the wrong test failed
    assert chaffs["sum-ignores-second-input"].status == "caught by handed-out tests only"
    assert chaffs["relu-leaky"].status == "timed out"
    assert chaffs["input-set-aliases"].status == "escaped"
    assert {t.name: t.catches for t in judged.tests}[GOOD] == ["linear-no-bias"]


def test_mutants_are_killed_by_usable_tests_and_equivalent_ones_are_not_scored(judged):
    statuses = [(m.status, m.killed_by, m.scored) for m in judged.mutants]
    assert statuses == [("killed", GOOD, True), ("survived", "", True),
                        ("equivalent", "", False), ("timed out", "", True),
                        ("not run", "", False)]
    assert judged.mutants[1].differs_on == ["linear/batch-2-forward"]


def test_coverage_counts_tests_that_pass_on_the_wheat_and_are_the_students_own(judged):
    covered = {c.item: c.by for c in judged.coverage}
    assert covered["Linear.forward"] == [GOOD]
    assert covered["ReLU.forward"] == []  # only the not-comparable test reached it
    assert covered["Sum.forward"] == []  # only the handed-out test reached it
    assert covered["Network.forward with a hidden ReLU"] == [GOOD]


def test_a_network_test_that_catches_no_chaff_does_not_cover_the_network():
    answer = dict(ANSWER, chaffs={})
    covered = {c.item: c.covered for c in judge(answer, "forward").coverage}
    assert covered["Linear.forward"] and not covered["Network.forward with a hidden ReLU"]


def test_hidden_chaffs_are_numbered_and_their_misconceptions_kept_out_of_the_report():
    hidden = judge(ANSWER, "forward", hide=True)
    assert [c.label for c in hidden.chaffs[:2]] == ["chaff 1", "chaff 2"]
    assert all(c.misconception == "" for c in hidden.chaffs)
    assert {t.name: t.catches for t in hidden.tests}[GOOD] == ["chaff 3"]

    def html(grading):
        return render_html(GradeReport(submission="s", stage="forward", title="t", score=0,
                                       max_score=50, execution_time=1, checks=[],
                                       test_grading=asdict(grading),
                                       fingerprint={"files": {}, "fixtures": {}}))

    shown = html(judge(ANSWER, "forward"))
    assert "Linear forgets the bias" in shown and "linear-no-bias" in shown
    secret = html(hidden)
    assert "Linear forgets the bias" not in secret and "linear-no-bias" not in secret
    assert "misconceptions behind the chaffs are not shown" in secret


def test_no_answer_means_nothing_caught_and_says_why():
    nothing = judge(None, "backward", error="The submission's code timed out after 70 s.")
    assert not nothing.ran and nothing.message.startswith("The submission's code timed out")
    assert all(c.status == "escaped" for c in nothing.chaffs)
    assert not any(c.covered for c in nothing.coverage)


def test_a_pass_stopped_at_its_time_limit_keeps_the_tests_before_it(tmp_path, monkeypatch):
    (tmp_path / "test_slow.py").write_text(textwrap.dedent("""
        def test_quick():
            assert True


        def test_hangs():
            while True:
                pass


        def test_after():
            assert True
    """))
    monkeypatch.chdir(tmp_path)
    passes = [variants.Pass("first", timeout=3.0),
              variants.Pass("second", select=lambda context: {
                  name for name in context["first"]["tests"] if "hangs" not in name})]
    child, results = variants.start_collection(["test_slow.py"], lambda: None, passes, 30,
                                               "test_*.py", str(tmp_path / "log.txt"))
    done = variants.finish_collection(child, results, time.monotonic() + 60)
    first = done["passes"]["first"]
    assert first["status"] == "timed out" and first["seconds"] < 10
    assert {name.split("::")[1]: test["outcome"] for name, test in first["tests"].items()} == \
        {"test_quick": "passed", "test_hangs": "timed out", "test_after": "not run"}
    second = done["passes"]["second"]
    assert second["status"] == "finished"
    assert {name.split("::")[1]: test["outcome"] for name, test in second["tests"].items()} == \
        {"test_quick": "passed", "test_hangs": "not run", "test_after": "passed"}


class FakeSession:
    """Just what grade_tests reads of a GradingSession; ``ask`` answers ``reply``."""

    def __init__(self, reply):
        self.options = Options()
        self.submission = SimpleNamespace(test_files=["test_a.py"], handed_out=[])
        self.cases = []
        self.reply = reply

    def ask(self, request, timeout):
        assert request["op"] == "grade_tests" and "expected" not in str(request["cases"])
        if isinstance(self.reply, Exception):
            raise self.reply
        return {"result": self.reply}


def test_a_worker_that_fails_or_answers_nonsense_is_reported_not_raised():
    timed_out = grade_tests(FakeSession(WorkerError("timed out after 70 s")))
    assert not timed_out.ran and timed_out.message == "The submission's code timed out after 70 s."
    garbled = grade_tests(FakeSession({"own": {"status": "finished", "tests": {GOOD: 5}}}))
    assert not garbled.ran
    assert garbled.message.startswith("the worker's account of your tests could not be read")


@pytest.mark.parametrize("stage", ["forward", "backward"])
def test_each_rubric_totals_50_and_weighs_the_tests_lightly(stage):
    rubric = load_rubric(stage)
    points = {check["id"]: check["points"] for check in rubric["check"]}
    assert sum(points.values()) == 50
    tests = {key: value for key, value in points.items() if key.startswith("tests-")}
    assert set(tests) == {"tests-wheat", "tests-chaffs", "tests-coverage", "tests-mutants"}
    assert tests["tests-mutants"] == min(points.values())
    assert rubric["tests"]["hide_chaff_descriptions"] is False


def test_hide_chaffs_comes_from_the_command_line_or_the_rubric(monkeypatch):
    assert parse(["folder", "--hide-chaffs"]).hide_chaffs and not parse(["folder"]).hide_chaffs
    assert hide_chaffs(Options(hide_chaffs=True)) and not hide_chaffs(Options())
    secret = dict(load_rubric("forward"), tests={"hide_chaff_descriptions": True})
    monkeypatch.setattr("graders.report.load_rubric", lambda stage: secret)
    assert hide_chaffs(Options())


# The sample submissions, judged in the worker (once per submission and stage).

JUDGED = {}


def judge_submission(path, stage="forward"):
    key = (str(path), stage)
    if key not in JUDGED:
        submission = load_submission(path)
        options = Options(stage=stage)
        session = GradingSession(submission, options, start_worker(submission, options))
        try:
            JUDGED[key] = session.test_grading()
        finally:
            session.close()
            submission.cleanup()
    return JUDGED[key]


def test_the_templates_test_sum_passes_on_the_wheat_and_catches_the_sum_chaff():
    judged = judge_submission(ROOT / "student_template")
    assert judged.tests and all(t.wheat == "passed" and t.handed_out for t in judged.tests)
    assert all(t.own == "failed" for t in judged.tests)  # the template's stubs
    chaff = next(c for c in judged.chaffs if c.label == "sum-ignores-second-input")
    assert chaff.caught_by == ["test_sum.py::TestSum::test_forward"]


def test_tests_that_only_assert_true_catch_no_chaff_and_kill_no_mutant():
    judged = judge_submission(SUBMISSIONS / "tests_assert_true")
    assert len(judged.tests) == 8 and all(t.wheat == "passed" for t in judged.tests)
    assert [c.label for c in judged.chaffs if c.status == "caught"] == []
    scored = [m for m in judged.mutants if m.scored]
    assert scored and not [m for m in scored if m.status in ("killed", "timed out")]
    assert not any(c.covered for c in judged.coverage)


def test_one_honest_test_per_layer_catches_at_least_8_forward_chaffs():
    judged = judge_submission(SUBMISSIONS / "tests_one_per_layer")
    caught = [c.label for c in judged.chaffs if c.status == "caught"]
    assert len(caught) >= 8, caught
    assert all(c.covered for c in judged.coverage)
    assert any(m.status == "killed" for m in judged.mutants)


def test_tests_written_for_linear_w_b_x_run_against_the_wheat():
    judged = judge_submission(SUBMISSIONS / "tests_order_wbx")
    assert len(judged.tests) == 6
    assert [t.name for t in judged.tests if t.wheat != "passed"] == []
    caught = {c.label for c in judged.chaffs if c.status == "caught"}
    assert {"linear-transposed-weights", "linear-no-bias", "mse-mean-over-entries",
            "regularization-half-lambda"} <= caught


def test_backward_chaffs_need_backward_tests():
    forward_only = judge_submission(SUBMISSIONS / "tests_one_per_layer", "backward")
    assert [c.label for c in forward_only.chaffs if c.status == "caught"] == []
    with_backward = judge_submission(SUBMISSIONS / "tests_order_wbx", "backward")
    caught = {c.label for c in with_backward.chaffs if c.status == "caught"}
    assert {"linear-bias-grad-averaged", "regularization-grad-without-two", "step-plus",
            "step-moves-fixed-inputs"} <= caught


def test_a_wrong_expected_value_is_reported_with_its_assertion_message():
    judged = judge_submission(SUBMISSIONS / "buggy_forward")
    wrong = {t.name: t for t in judged.tests if t.wheat == "failed"}
    assert set(wrong) == {"test_losses.py::test_mse", "test_losses.py::test_regularization"}
    assert "assert" in wrong["test_losses.py::test_mse"].message
    assert all(t.own == "passed" for t in wrong.values())


def student_folder(tmp_path, tests: str, notebook: bool = False):
    """A correct library (the tests_assert_true sample's) with ``tests``."""
    library = (SUBMISSIONS / "tests_assert_true" / "layers.py").read_text()
    library = library.replace(
        "        self.output = self.x.output * (self.x.output > 0)\n",
        "        self.mask = self.x.output > 0\n        self.output = self.x.output * self.mask\n")
    network = (SUBMISSIONS / "tests_assert_true" / "network.py").read_text()
    tests = textwrap.dedent(tests)
    if notebook:
        cells = [nbformat.v4.new_code_cell(text) for text in
                 (library, network.replace("import torch\n", ""), tests)]
        nbformat.write(nbformat.v4.new_notebook(cells=cells), tmp_path / "lab.ipynb")
    else:
        (tmp_path / "layers.py").write_text(library)
        (tmp_path / "network.py").write_text(network)
        (tmp_path / "test_relu.py").write_text("from layers import Input, ReLU, Sum\n" + tests)
    return tmp_path


RELU_TESTS = """
import torch


def relu_of(values):
    x = Input((1, 2))
    x.set(torch.tensor([values]))
    r = ReLU(x)
    r.forward()
    return r


def test_output():
    assert relu_of([-1.0, 2.0]).output.tolist() == [[0.0, 2.0]]


def test_mask():
    assert relu_of([-1.0, 2.0]).mask.tolist() == [[False, True]]


def test_sum():
    a, b = Input((1, 1)), Input((1, 1))
    a.set(torch.tensor([[1.0]]))
    b.set(torch.tensor([[2.0]]))
    s = Sum(a, b)
    s.forward()
    assert s.output.item() == 3.0
"""


def test_a_test_reading_an_internal_name_is_not_compared_nor_held_against(tmp_path):
    judged = judge_submission(student_folder(tmp_path, RELU_TESTS))
    outcomes = {t.name.split("::")[-1]: (t.own, t.wheat) for t in judged.tests}
    assert outcomes == {"test_output": ("passed", "passed"),
                        "test_mask": ("passed", "not comparable"),
                        "test_sum": ("passed", "passed")}
    mask = next(t for t in judged.tests if t.name.endswith("test_mask"))
    assert "'mask'" in mask.message
    caught = {c.label for c in judged.chaffs if c.status == "caught"}
    assert caught == {"relu-leaky", "sum-ignores-second-input"}


def test_tests_in_a_notebook_cell_run_against_the_wheat(tmp_path):
    judged = judge_submission(student_folder(tmp_path, RELU_TESTS, notebook=True))
    assert {t.name for t in judged.tests} == {f"nb_lab.py::{name}" for name in
                                               ("test_output", "test_mask", "test_sum")}
    caught = {c.label for c in judged.chaffs if c.status == "caught"}
    assert caught == {"relu-leaky", "sum-ignores-second-input"}
