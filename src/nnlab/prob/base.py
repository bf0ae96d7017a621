"""The common interface of nnlab's random variables."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray


class RandomVariable(ABC):
    """A random variable X: its distribution function, moments, entropy and a sampler.

    ``mean()`` is E[X], ``var()`` is Var(X) = E[(X - E[X])^2] (in squared units of X) and ``std()``
    is sqrt(Var(X)) (in the units of X). ``expectation(f)`` is E[f(X)] for a vectorized function f.
    ``entropy()`` is in nats. Elementwise functions of x follow ``scipy.stats``: NaN gives NaN.
    """

    @abstractmethod
    def cdf(self, x: ArrayLike) -> NDArray[np.float64]:
        """F(x) = P(X <= x), elementwise over ``x``."""

    @abstractmethod
    def sample(self, n: int, rng: np.random.Generator | int | None = None) -> NDArray:
        """``n`` independent draws of X, shape (n,)."""

    @abstractmethod
    def expectation(self, f: Callable[[NDArray], ArrayLike]) -> float:
        """E[f(X)]; ``f`` maps an array of values of X to an array of the same shape."""

    @abstractmethod
    def entropy(self) -> float:
        """H(X) in nats: -sum p log p (discrete), or -integral p log p (differential)."""

    def mean(self) -> float:
        """E[X]."""
        return self.expectation(lambda x: x)

    def var(self) -> float:
        """Var(X) = E[(X - E[X])^2]."""
        mu = self.mean()
        return self.expectation(lambda x: (x - mu) ** 2)

    def std(self) -> float:
        """Standard deviation sqrt(Var(X))."""
        return math.sqrt(self.var())


def keep_nan(x: NDArray, values: ArrayLike) -> NDArray[np.float64]:
    """``values`` with NaN wherever ``x`` is NaN (for a numeric ``x``): NaN in, NaN out."""
    values = np.asarray(values, dtype=np.float64)
    if x.dtype.kind not in "fc":
        return values
    return np.where(np.isnan(x), np.nan, values)


def check_sample_size(n: int) -> int:
    """``n`` as an int if it is a non-negative integer, else ``ValueError``."""
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
        raise ValueError(f"sample size n must be a non-negative integer, got {n!r}")
    return int(n)
