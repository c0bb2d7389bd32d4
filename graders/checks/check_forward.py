"""Checks of the forward stage. Expected values are written here or come from the session."""

import pytest

from graders.compare import decode
from graders.sandbox import WorkerError
from graders.session import CaseVerdict, sentence
from graders.worker.probes import PROBE_KINDS
from helpers import conclude, observed, value_verdict


@pytest.mark.parametrize("kind", PROBE_KINDS)
@pytest.mark.check("classes")
def check_class_constructs(grading, record, kind):
    value, failure = observed(grading, "construct", kind)
    verdict = failure or CaseVerdict(True)
    conclude(record, verdict, case=kind)


SET_VALUE = [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]


@pytest.mark.check("input-set")
def check_input_set_stores_the_value(grading, record):
    value, failure = observed(grading, "input", "set")
    verdict = failure or value_verdict("output after set", SET_VALUE, value)
    conclude(record, verdict, case="set stores the value",
             derivation="Input((2, 3)).set(v) with v = [[0, 1, 2], [3, 4, 5]]: output == v.")


@pytest.mark.check("input-set")
def check_input_set_copies(grading, record):
    value, failure = observed(grading, "input", "after_caller_changes")
    verdict = failure or value_verdict("output after the caller changed v", SET_VALUE, value)
    conclude(record, verdict, case="set copies the value",
             derivation="After set(v), the caller adds 100 to v in place. The Input keeps its "
                        "own copy, so its output is still [[0, 1, 2], [3, 4, 5]].")


@pytest.mark.check("input-set")
def check_input_set_refuses_a_wrong_shape(grading, record):
    _, verdict = observed(grading, "input", "set")
    if verdict is None:
        outcome = grading.probe("input").get("set_wrong_shape")
        refused = isinstance(outcome, dict) and "error" in outcome \
            and outcome["error"]["type"] != "mapping"
        verdict = CaseVerdict(refused, error="" if refused else
                              "set accepted a (3, 2) value for a (2, 3) Input; raise an error "
                              "naming both shapes")
    conclude(record, verdict, case="set refuses a value of another shape")


@pytest.mark.check("input-randomize")
def check_input_randomize(grading, record):
    value, failure = observed(grading, "input", "randomize")
    if failure is None:
        tensor = decode(value)
        problems = []
        if list(tensor.shape) != [4, 5]:
            problems.append(f"shape {tuple(tensor.shape)}, expected (4, 5)")
        elif not bool(tensor.isfinite().all()):
            problems.append("some values are not finite")
        elif float(tensor.std()) == 0.0:
            problems.append(f"every value is {float(tensor.reshape(-1)[0]):g}; "
                            f"random values must differ")
        failure = CaseVerdict(not problems, error="; ".join(problems))
    conclude(record, failure,
             case="randomize on Input((4, 5), train=True)")


@pytest.mark.check("clear-grad")
def check_clear_grad(grading, record):
    value, failure = observed(grading, "input", "clear_grad")
    verdict = failure or value_verdict("grad after clear_grad", [[0.0] * 3] * 2, value)
    conclude(record, verdict, case="clear_grad on a (2, 3) Input",
             derivation="After accumulate_grad twice, clear_grad leaves zeros of shape (2, 3).")


@pytest.mark.check("fixture-forward")
def check_layer_forward(grading, record, layer_case):
    verdict = grading.check_case(layer_case.spec, ("outputs",))
    conclude(record, verdict, case=layer_case.name,
             derivation=layer_case.derivation)


@pytest.mark.check("hidden-forward")
def check_hidden_forward(grading, record, hidden_case):
    verdict = grading.check_case(hidden_case, ("outputs",))
    conclude(record, verdict, case=hidden_case["name"])


@pytest.mark.check("network-forward")
def check_network_forward(grading, record, network_case):
    verdict = grading.check_case(network_case.spec, ("outputs",))
    conclude(record, verdict, case=network_case.name,
             derivation=network_case.derivation)


@pytest.mark.check("own-tests")
def check_own_tests_exist(grading, record):
    submission = grading.submission
    own = [name for name in submission.test_files if name not in submission.handed_out]
    verdict = CaseVerdict(bool(own), error="" if own else
                          "no test files of your own (the handed-out test_sum.py does not "
                          "count): write test_<layer>.py, one per layer")
    conclude(record, verdict, case="test files of your own exist",
             derivation="Found: " + (", ".join(own) or "none"))


@pytest.mark.check("own-tests")
def check_own_tests_pass(grading, record):
    if not grading.submission.test_files:
        verdict = CaseVerdict(False, error="no test files to run")
    else:
        try:
            outcome = grading.own_tests()
            tests = outcome["tests"]
            failed = [t for t in tests if t["outcome"] != "passed"]
            replaced = outcome.get("replaced", [])
            if replaced:
                error = ("your code replaced " + ", ".join(replaced) + ", which decide whether "
                         "a test passes; its test results cannot count")
            elif not tests:
                error = "no test ran: " + outcome.get("summary", "none was collected")
            elif failed:
                error = f"{len(failed)} of {len(tests)} failed: " + \
                    ", ".join(t["name"] for t in failed[:10])
            else:
                error = ""
            verdict = CaseVerdict(bool(tests) and not failed and not replaced, error=error)
        except WorkerError as error:
            verdict = CaseVerdict(False, error=sentence(error))
    conclude(record, verdict, case="own tests pass")

