"""Input checks shared by ``nnlab.prob`` and ``nnlab.info`` (clear ``ValueError`` messages)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

PROB_TOL = 1e-9


def as_probabilities(probs: ArrayLike, name: str = "probs", axis: int = -1) -> NDArray[np.float64]:
    """Return ``probs`` as float64 after checking it is a distribution along ``axis``.

    Every entry must be finite and non-negative and the entries must sum to 1 within 1e-9.
    """
    p = np.asarray(probs, dtype=np.float64)
    if p.ndim == 0:
        raise ValueError(f"{name} must be an array of probabilities, got the scalar {p.item()!r}")
    if p.shape[axis] == 0:
        raise ValueError(f"{name} is empty")
    if not np.all(np.isfinite(p)):
        raise ValueError(f"{name} contains NaN or infinite values")
    if np.any(p < 0):
        raise ValueError(
            f"{name} has negative entries (min {p.min():g}); probabilities must be >= 0"
        )
    total = p.sum(axis=axis)
    if np.any(np.abs(total - 1.0) > PROB_TOL):
        worst = total.flat[np.argmax(np.abs(total - 1.0))]
        raise ValueError(f"{name} must sum to 1 (within {PROB_TOL:g}), but sums to {worst!r}")
    return p


def check_positive(value: float, name: str) -> float:
    """Return ``value`` as float if it is finite and > 0, else raise ``ValueError``."""
    v = float(value)
    if not np.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return v


def check_probability(value: float, name: str = "p") -> float:
    """Return ``value`` as float if it lies in [0, 1], else raise ``ValueError``."""
    v = float(value)
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"{name} must be a probability in [0, 1], got {value!r}")
    return v


def make_rng(rng: np.random.Generator | int | None) -> np.random.Generator:
    """A NumPy ``Generator`` from a generator, a seed, or ``None`` (fresh entropy)."""
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
