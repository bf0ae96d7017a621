"""Comparison with scipy.stats, the oracle of nnlab.prob: rtol 1e-10, NaN and inf exactly."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

RTOL = 1e-10
# below the smallest normal double a value has fewer than 53 significant bits: compared absolutely
TINY = float(np.finfo(np.float64).tiny)


def assert_same(
    actual: ArrayLike, expected: ArrayLike, rtol: float = RTOL, atol: float = TINY
) -> None:
    """``actual`` equals ``expected`` to ``rtol``; NaN where it has NaN; +-inf exactly where it has
    +-inf (so an infinite density at an edge, or F(inf) = 1, are compared exactly)."""
    actual_arr = np.asarray(actual, dtype=np.float64)
    expected_arr = np.asarray(expected, dtype=np.float64)
    assert actual_arr.shape == expected_arr.shape
    np.testing.assert_array_equal(np.isnan(actual_arr), np.isnan(expected_arr))
    infinite = np.isinf(expected_arr)
    np.testing.assert_array_equal(actual_arr[infinite], expected_arr[infinite])
    np.testing.assert_allclose(actual_arr, expected_arr, rtol=rtol, atol=atol, equal_nan=True)


def edge_points(lo: float, hi: float, inside: ArrayLike) -> np.ndarray:
    """NaN, +-inf, each finite end of the support [lo, hi] and a point beyond it, and ``inside``."""
    points = [np.nan, -np.inf, np.inf]
    for end, away in ((lo, -1.0), (hi, 1.0)):
        if np.isfinite(end):
            beyond = end + away * (1.0 + abs(end))
            points += [end, beyond]
    return np.concatenate([points, np.asarray(inside, dtype=np.float64)])
