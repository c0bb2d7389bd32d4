"""Checks of the student's own tests, at either stage: the verdicts of graders/testjudge.py.

Every case is one of the student's tests (on the correct library), one chaff, one mutant of
their code, or one part of the library a test should reach.
"""

import pytest

from graders.session import SESSION_KEY, CaseVerdict
from helpers import conclude


def _parameters(grading) -> dict:
    """The cases of each check; None stands for "nothing to judge", a failed case."""
    comparable = [t for t in grading.tests if t.wheat in ("passed", "failed")
                  and not t.handed_out]
    scored = [m for m in grading.mutants if m.scored]
    return {
        "own_test": (comparable or [None], lambda t: t.name if t else "no test"),
        "chaff": (grading.chaffs, lambda c: c.label),
        "mutant": (scored or [None], lambda m: f"{m.where}: {m.change}" if m else "none"),
        "covered": (grading.coverage, lambda c: c.item),
    }


def pytest_generate_tests(metafunc):
    wanted = [name for name in ("own_test", "chaff", "mutant", "covered")
              if name in metafunc.fixturenames]
    if not wanted:
        return
    grading = metafunc.config.stash[SESSION_KEY].test_grading()
    for name in wanted:
        values, label = _parameters(grading)[name]
        metafunc.parametrize(name, values, ids=[label(v) for v in values])


def _nothing_ran(grading) -> str:
    return grading.message or "no test of yours ran"


@pytest.mark.check("tests-wheat")
def check_test_passes_on_the_wheat(grading, record, own_test):
    if own_test is None:
        judged = grading.test_grading()
        if not judged.ran:
            reason = _nothing_ran(judged)
        elif all(t.handed_out for t in judged.tests):
            reason = "no test of your own: the handed-out tests earn nothing"
        else:
            reason = "none of your tests could run on a correct library (see Your tests)"
        verdict = CaseVerdict(False, error=reason)
        conclude(record, verdict, case="your tests on a correct library")
        return
    verdict = CaseVerdict(own_test.wheat == "passed", error="" if own_test.wheat == "passed"
                          else f"a wrong test: it fails on a correct library ({own_test.message})")
    conclude(record, verdict, case=own_test.name)


@pytest.mark.check("tests-chaffs")
def check_chaff_is_caught(grading, record, chaff):
    if chaff.status == "caught":
        verdict = CaseVerdict(True)
    else:
        wrong = f"this wrong library ({chaff.misconception.rstrip('.')})" \
            if chaff.misconception else f"this wrong {chaff.layer}"
        verdict = CaseVerdict(False, error=f"{chaff.status}: no test of your own that passes on "
                                           f"a correct library fails on {wrong}")
    conclude(record, verdict, case=f"{chaff.label} ({chaff.layer})")


@pytest.mark.check("tests-mutants")
def check_mutant_is_killed(grading, record, mutant):
    if mutant is None:
        judged = grading.test_grading()
        reason = "no change of your layer methods could be tested" if judged.ran \
            else _nothing_ran(judged)
        conclude(record, CaseVerdict(False, error=reason), case="mutants of your code")
        return
    error = ""
    if mutant.status == "survived":
        error = "survived: every test of yours still passes with this change"
        if mutant.differs_on:
            error += f", although it changes the results of {', '.join(mutant.differs_on)}"
    verdict = CaseVerdict(mutant.status in ("killed", "timed out"), error=error)
    conclude(record, verdict, case=f"{mutant.where}: {mutant.change}")


@pytest.mark.check("tests-coverage")
def check_part_is_covered(grading, record, covered):
    if covered.covered:
        verdict = CaseVerdict(True)
    elif covered.item.startswith("Network"):
        verdict = CaseVerdict(False, error=(
            "no test of yours that passes on a correct library and catches a chaff runs a "
            "whole Network with a ReLU between two Linear layers of at least 2 units each"))
    else:
        verdict = CaseVerdict(False, error=f"no test of yours that passes on a correct library "
                                           f"calls {covered.item}")
    conclude(record, verdict, case=covered.item)
