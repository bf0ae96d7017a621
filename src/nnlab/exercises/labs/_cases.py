"""Random inputs shared by the labs' hidden cases."""

from __future__ import annotations

import numpy as np


def probabilities(rng: np.random.Generator, k: int, zeros: bool = False) -> np.ndarray:
    """A random distribution over ``k`` outcomes (with ``zeros``: some outcomes get 0)."""
    p = rng.random(k) + 0.05
    if zeros and k > 1:
        p[rng.random(k) < 0.3] = 0.0
        if not p.any():
            p[rng.integers(k)] = 1.0
    return p / p.sum()


def distinct_values(rng: np.random.Generator, k: int) -> np.ndarray:
    """``k`` distinct real values, sorted."""
    return np.sort(rng.choice(np.arange(-20, 21), size=k, replace=False) * rng.uniform(0.5, 2))


def joint_table(rng: np.random.Generator, rows: int, cols: int) -> np.ndarray:
    """A random joint distribution p(x, y) of shape (rows, cols), every entry > 0."""
    table = rng.random((rows, cols)) + 0.05
    return table / table.sum()


def design(rng: np.random.Generator, n: int, m: int) -> np.ndarray:
    """A random design matrix (n, m) whose first column is ones (the bias)."""
    X = rng.normal(size=(n, m))
    X[:, 0] = 1.0
    return X
