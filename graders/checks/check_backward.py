"""Checks of the backward stage: gradients, accumulate_grad and step."""

import pytest

from helpers import conclude, observed, value_verdict


@pytest.mark.check("accumulate-grad")
def check_accumulate_grad(grading, record):
    value, failure = observed(grading, "input", "accumulate_twice")
    verdict = failure or value_verdict(
        "grad after two accumulate_grad calls", [[1.5, 2.5, 3.5], [3.0, 4.0, 5.0]], value)
    conclude(record, verdict, case="accumulate_grad twice",
             derivation="From a zero grad, accumulate_grad(g1) then accumulate_grad(g2) with "
                        "g1 = [[1, 2, 3], [4, 5, 6]] and g2 = [[0.5, 0.5, 0.5], [-1, -1, -1]] "
                        "leaves g1 + g2 = [[1.5, 2.5, 3.5], [3, 4, 5]].")


STEP_CASES = {
    "step_trainable": ([[0.5, 3.0], [2.75, 2.0]],
                       "A trainable Input [[1, 2], [3, 4]] with grad [[1, -2], [0.5, 4]] and "
                       "step size 0.5 becomes [[1 - 0.5, 2 + 1], [3 - 0.25, 4 - 2]] = "
                       "[[0.5, 3], [2.75, 2]]."),
    "step_fixed": ([[1.0, 2.0], [3.0, 4.0]],
                   "An Input made with train=False keeps [[1, 2], [3, 4]] whatever its grad."),
}


@pytest.mark.parametrize("which", sorted(STEP_CASES))
@pytest.mark.check("step")
def check_step(grading, record, which):
    expected, derivation = STEP_CASES[which]
    value, failure = observed(grading, "input", which)
    verdict = failure or value_verdict("value after step(0.5)", expected, value)
    conclude(record, verdict, case=which.replace("_", " "), derivation=derivation)


@pytest.mark.check("fixture-backward")
def check_layer_backward(grading, record, layer_backward_case):
    case = layer_backward_case
    verdict = grading.check_case(case.spec, ("grads", "after_step"))
    conclude(record, verdict, case=case.name, derivation=case.derivation)


@pytest.mark.check("hidden-backward")
def check_hidden_backward(grading, record, hidden_case):
    verdict = grading.check_case(hidden_case, ("grads", "after_step"))
    conclude(record, verdict, case=hidden_case["name"])


@pytest.mark.check("network-backward")
def check_network_backward(grading, record, network_backward_case):
    case = network_backward_case
    verdict = grading.check_case(case.spec, ("grads", "after_step"))
    conclude(record, verdict, case=case.name, derivation=case.derivation)


@pytest.mark.check("hidden-network")
def check_hidden_network(grading, record, hidden_network_case):
    verdict = grading.check_case(hidden_network_case, ("grads", "after_step"))
    conclude(record, verdict, case=hidden_network_case["name"])
