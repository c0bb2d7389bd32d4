"""Comparing a submission's values with the expected ones, and explaining differences."""

import pytest

from graders.compare import compare


def encoded(value, shape, autograd=False):
    return {"shape": list(shape), "data": value, "autograd": autograd}


def test_equal_values_pass():
    verdict = compare([[1.0, 2.0]], encoded([1.0, 2.0], (1, 2)))
    assert verdict.passed and verdict.max_abs_diff == 0.0


def test_a_difference_names_its_size_place_and_tolerance():
    verdict = compare([[1.0, 2.0], [3.0, 4.0]], encoded([1.0, 2.0, 3.0, 4.5], (2, 2)))
    assert not verdict.passed
    assert verdict.where == [1, 1] and verdict.max_abs_diff == pytest.approx(0.5)
    assert "largest difference 0.5 at index [1, 1], tolerance 1e-05 + 0.0001" in verdict.message


def test_a_wrong_shape_fails_with_both_shapes():
    verdict = compare([[1.0, 2.0]], encoded([1.0, 2.0], (2, 1)))
    assert not verdict.passed and verdict.message == "shape (2, 1), expected (1, 2)"


def test_scalars_of_any_shape_compare_as_scalars():
    assert compare(2.5, encoded([2.5], (1, 1))).passed


def test_nan_never_passes():
    assert not compare([1.0], encoded([float("nan")], (1,))).passed


def test_a_value_with_an_autograd_graph_is_refused():
    verdict = compare([1.0], encoded([1.0], (1,), autograd=True))
    assert not verdict.passed and "autograd" in verdict.message


CONVENTIONS = {0.5: "λ/2 · ‖W‖²", 3.0: "summed over the batch"}


@pytest.mark.parametrize("factor, hint", [(0.5, "λ/2"), (3.0, "summed over the batch")])
def test_known_conventions_are_named(factor, hint):
    verdict = compare([2.0, 4.0], encoded([2.0 * factor, 4.0 * factor], (2,)),
                      conventions=CONVENTIONS)
    assert not verdict.passed and hint in verdict.message


def test_no_convention_is_claimed_for_an_unrelated_difference():
    verdict = compare([2.0, 4.0], encoded([1.0, 3.0], (2,)), conventions=CONVENTIONS)
    assert "factor" not in verdict.message


def test_conventions_depend_on_the_layers_of_the_case():
    from graders.session import conventions_of
    from support import CASES

    by_name = {case.name: case.spec for case in CASES}
    regularization = conventions_of(by_name["regularization/forward"])
    assert "λ/2" in regularization[0.5] and 2.0 not in regularization
    mse = conventions_of(by_name["mse_loss/batch-2-forward"])
    assert "summed over the batch" in mse[2.0]
    assert any("averaged over the" in text for text in mse.values())
