"""Compare a value a submission produced with the expected one, and explain the difference."""

from dataclasses import dataclass

import torch

RTOL = 1e-4
ATOL = 1e-5


@dataclass
class Comparison:
    """The verdict on one value, with the numbers a student needs to find the mistake."""

    passed: bool
    """True when every entry is within tolerance and the shapes agree."""
    expected: list | float | None
    """The expected value, as nested lists (or a number for a scalar)."""
    got: list | float | None
    """What the submission produced, rebuilt as plain numbers; None when nothing came back."""
    max_abs_diff: float | None = None
    """The largest absolute difference, when the shapes agree."""
    where: list[int] | None = None
    """The index of that largest difference."""
    rtol: float = RTOL
    atol: float = ATOL
    message: str = ""
    """One sentence saying what is wrong; empty when it passed."""


def decode(encoded: dict) -> torch.Tensor:
    """Rebuild a worker's {"shape", "data"} as a plain float64 tensor on the CPU."""
    shape = [int(n) for n in encoded["shape"]]
    data = [float(x) for x in encoded["data"]]
    return torch.tensor(data, dtype=torch.float64).reshape(shape)


def _plain(tensor: torch.Tensor):
    return tensor.tolist() if tensor.dim() else tensor.item()


def _is_scalar_like(tensor: torch.Tensor) -> bool:
    return tensor.numel() == 1


def convention_hint(expected: torch.Tensor, got: torch.Tensor,
                    conventions: dict[float, str]) -> str:
    """Name the known convention whose factor explains the whole difference, or ''."""
    if expected.shape != got.shape or not torch.isfinite(got).all():
        return ""
    mask = expected.abs() > 1e-12
    if not mask.any() or not torch.allclose(got[~mask], torch.zeros_like(got[~mask])):
        return ""
    ratios = got[mask] / expected[mask]
    ratio = ratios.mean().item()
    if not torch.allclose(ratios, torch.full_like(ratios, ratio), rtol=1e-4, atol=1e-9):
        return ""
    for factor, text in conventions.items():
        if abs(ratio - factor) <= 1e-4 * abs(factor):
            return f"The difference is a factor {factor:g}: {text}."
    return ""


def compare(expected_value, got_encoded: dict | None, rtol: float = RTOL, atol: float = ATOL,
            conventions: dict[float, str] | None = None) -> Comparison:
    """Compare an expected VALUE with what the worker returned for it."""
    expected = torch.tensor(expected_value, dtype=torch.float64)
    if got_encoded is None:
        return Comparison(False, _plain(expected), None, rtol=rtol, atol=atol,
                          message="no value came back")
    got = decode(got_encoded)
    if got.shape != expected.shape:
        if _is_scalar_like(got) and _is_scalar_like(expected):
            got = got.reshape(expected.shape)
        else:
            return Comparison(False, _plain(expected), _plain(got), rtol=rtol, atol=atol,
                              message=f"shape {tuple(got.shape)}, expected "
                                      f"{tuple(expected.shape)}")
    difference = (got - expected).abs()
    difference = torch.where(torch.isnan(difference), torch.full_like(difference, float("inf")),
                             difference)
    within = difference <= atol + rtol * expected.abs()
    worst = int(difference.reshape(-1).argmax()) if difference.numel() else 0
    where = list(torch.unravel_index(torch.tensor(worst), difference.shape)) \
        if difference.dim() else []
    result = Comparison(bool(within.all()), _plain(expected), _plain(got),
                        max_abs_diff=float(difference.max()) if difference.numel() else 0.0,
                        where=[int(i) for i in where], rtol=rtol, atol=atol)
    if got_encoded.get("autograd"):
        result.passed = False
        result.message = "the value carries a torch.autograd graph; the lab forbids autograd"
    elif not result.passed:
        result.message = (f"largest difference {result.max_abs_diff:.6g} at index "
                          f"{result.where}, tolerance {atol:g} + {rtol:g}·|expected|")
        hint = convention_hint(expected, got, conventions or {})
        if hint:
            result.message += ". " + hint
    return result
