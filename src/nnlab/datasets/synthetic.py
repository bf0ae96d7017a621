"""The course's synthetic data sets, drawn from a seeded NumPy generator.

- :func:`linear`: ``y = k x + b + eps``, ``x ~ U(low, high)``, ``eps ~ N(0, noise_std^2)``.
- :func:`two_blobs`: the course's Keras logistic-regression example, two unit-variance Gaussian
  clouds around (-1, -1) (label 0) and (1, 1) (label 1).
- :func:`polynomial`: ``t = f(x) + eps`` with ``f(x) = x^3 - 4x^2 + 3x - 2``, for the
  under-/overfitting example of polynomial regression.

Every function takes ``seed``: an int (reproducible), a ``np.random.Generator`` (used as is, so
several draws can share one stream) or ``None`` (fresh entropy). Arrays are float32 unless a
``dtype`` is given.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import DTypeLike

__all__ = ["POLYNOMIAL_COEFFICIENTS", "as_rng", "cubic", "linear", "polynomial", "two_blobs"]

Seed = int | np.random.Generator | None

#: Coefficients of f(x) = x^3 - 4x^2 + 3x - 2, lowest power first (w_0, w_1, w_2, w_3).
POLYNOMIAL_COEFFICIENTS: tuple[float, ...] = (-2.0, 3.0, -4.0, 1.0)


def as_rng(seed: Seed) -> np.random.Generator:
    """A ``np.random.Generator`` from an int seed, a generator (returned as is) or ``None``."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool)):
        return np.random.default_rng(seed)
    raise TypeError(f"seed must be an int, a numpy Generator or None, got {type(seed).__name__}")


def _check_n(name: str, n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{name}: n must be a positive int, got {n!r}")


def _check_scale(name: str, param: str, value: float) -> None:
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name}: {param} must be a finite number >= 0, got {value!r}")


def linear(
    n: int = 1000,
    k: float = 2.0,
    b: float = 1.0,
    noise_std: float = 2.0,
    low: float = 1.0,
    high: float = 10.0,
    seed: Seed = None,
    dtype: DTypeLike = np.float32,
) -> tuple[np.ndarray, np.ndarray]:
    """Points on the line ``y = k x + b`` plus Gaussian noise (the course's first regression).

    ``x ~ U(low, high)``, ``y = k x + b + eps`` with ``eps ~ N(0, noise_std^2)``. The defaults are
    the course's TensorFlow code: 1000 points, k = 2, b = 1, x in [1, 10],
    ``np.random.normal(0, 2)`` -- a standard deviation of 2 (the slide's "2 - variance" is the
    standard deviation, NumPy's ``scale``).

    Returns:
        ``(x, y)``, both of shape (n, 1).
    """
    _check_n("linear", n)
    _check_scale("linear", "noise_std", noise_std)
    if not low < high:
        raise ValueError(f"linear: need low < high, got low={low}, high={high}")
    rng = as_rng(seed)
    x = rng.uniform(low, high, size=(n, 1))
    y = k * x + b + rng.normal(0.0, noise_std, size=(n, 1))
    return x.astype(dtype), y.astype(dtype)


def two_blobs(
    n: int = 1000,
    p0: Sequence[float] = (-1.0, -1.0),
    p1: Sequence[float] = (1.0, 1.0),
    seed: Seed = None,
    shuffle: bool = False,
    dtype: DTypeLike = np.float32,
) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian blobs, as the course's ``sample_data(n, p0, p1)``.

    ``n`` points ``N(p0, I)`` labelled 0, then ``n`` points ``N(p1, I)`` labelled 1 (unit variance
    per coordinate). With the default centres the best possible classifier is the line
    ``x1 + x2 = 0`` and its accuracy (the Bayes rate) is ``Phi(sqrt 2) ~ 0.921``.

    Args:
        n: points per class (2n in all).
        shuffle: mix the classes (the course keeps zeros first, then ones).

    Returns:
        ``(x, labels)`` of shapes (2n, 2) and (2n, 1); labels are 0.0 / 1.0.
    """
    _check_n("two_blobs", n)
    c0, c1 = np.asarray(p0, dtype=np.float64), np.asarray(p1, dtype=np.float64)
    if c0.shape != (2,) or c1.shape != (2,):
        raise ValueError(f"two_blobs: p0 and p1 must be 2-D points, got {c0.shape} and {c1.shape}")
    rng = as_rng(seed)
    x = np.vstack([rng.normal(size=(n, 2)) + c0, rng.normal(size=(n, 2)) + c1])
    labels = np.vstack([np.zeros((n, 1)), np.ones((n, 1))])
    if shuffle:
        order = rng.permutation(2 * n)
        x, labels = x[order], labels[order]
    return x.astype(dtype), labels.astype(dtype)


def cubic(x: np.ndarray) -> np.ndarray:
    """``f(x) = x^3 - 4x^2 + 3x - 2``, elementwise (the course's polynomial-regression target)."""
    x = np.asarray(x)
    return np.polynomial.polynomial.polyval(x, POLYNOMIAL_COEFFICIENTS)


def polynomial(
    n: int = 20,
    noise_std: float = 0.2,
    low: float = 0.0,
    high: float = 1.0,
    seed: Seed = None,
    dtype: DTypeLike = np.float32,
) -> tuple[np.ndarray, np.ndarray]:
    """Noisy samples of ``f(x) = x^3 - 4x^2 + 3x - 2``.

    ``x ~ U(low, high)`` (sorted, so the points plot as a curve), ``t = f(x) + eps`` with
    ``eps ~ N(0, noise_std^2)``. Few points and a high polynomial degree overfit: the course fits
    degrees 0, 1, 2, 3, 8 and 9.

    Returns:
        ``(x, t)``, both of shape (n, 1).
    """
    _check_n("polynomial", n)
    _check_scale("polynomial", "noise_std", noise_std)
    if not low < high:
        raise ValueError(f"polynomial: need low < high, got low={low}, high={high}")
    rng = as_rng(seed)
    x = np.sort(rng.uniform(low, high, size=n)).reshape(n, 1)
    t = cubic(x) + rng.normal(0.0, noise_std, size=(n, 1))
    return x.astype(dtype), t.astype(dtype)
