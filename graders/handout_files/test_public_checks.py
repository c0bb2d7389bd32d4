"""The public checks as tests: one per case of the report (conftest.py runs the grader)."""

import pytest


def test_the_grader_completed(grading):
    if grading["code"] != 0:
        pytest.fail(f"the grader could not grade {grading['folder']}: "
                    f"{grading['log'].strip()}", pytrace=False)


def test_case(case):
    if not case.passed:
        pytest.fail(f"{case.title}: {case.message}", pytrace=False)
