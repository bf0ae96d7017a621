"""Discrete random variables: a finite support with a probability mass function.

pmf  p(x) = P(X = x),            cdf  F(x) = sum_{t <= x} p(t),
E[f(X)] = sum_x f(x) p(x)        (an exact, finite sum),
H(X) = -sum_x p(x) ln p(x)       (nats, 0 ln 0 = 0).

As in ``scipy.stats``, a NaN argument gives a NaN pmf and cdf.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from nnlab.prob._validation import as_probabilities, check_probability, make_rng
from nnlab.prob.base import RandomVariable, check_sample_size, keep_nan
from nnlab.prob.special import log_beta


class Discrete(RandomVariable):
    """X takes ``values[i]`` with probability ``probs[i]``.

    ``values``: 1-D array of distinct values (numbers, or labels such as strings: then only ``pmf``,
    ``sample`` and ``expectation`` of functions accepting them make sense). ``probs``: same length,
    non-negative, summing to 1 (within 1e-9). The support is stored sorted.
    """

    def __init__(self, values: ArrayLike, probs: ArrayLike) -> None:
        v = np.asarray(values)
        p = as_probabilities(probs, "probs")
        if v.ndim != 1 or p.ndim != 1:
            raise ValueError(f"values and probs must be 1-D, got shapes {v.shape} and {p.shape}")
        if v.shape != p.shape:
            raise ValueError(
                f"values and probs must have the same length, got {v.size} and {p.size}"
            )
        order = np.argsort(v, kind="stable")
        v, p = v[order], p[order]
        if np.any(v[1:] == v[:-1]):
            raise ValueError(f"values must be distinct, got duplicates in {values!r}")
        self.values: NDArray = v
        self.probs: NDArray[np.float64] = p

    def __repr__(self) -> str:
        return f"{type(self).__name__}(values={self.values.tolist()}, probs={self.probs.tolist()})"

    def _index(self, x: ArrayLike) -> tuple[NDArray[np.intp], NDArray[np.bool_]]:
        """Position of each x in the sorted support and whether x is in the support."""
        x = np.asarray(x)
        idx = np.clip(np.searchsorted(self.values, x), 0, self.values.size - 1)
        return idx, self.values[idx] == x

    def pmf(self, x: ArrayLike) -> NDArray[np.float64]:
        """p(x) = P(X = x), elementwise; 0 outside the support."""
        x = np.asarray(x)
        idx, found = self._index(x)
        return keep_nan(x, np.where(found, self.probs[idx], 0.0))

    def cdf(self, x: ArrayLike) -> NDArray[np.float64]:
        """F(x) = P(X <= x) = sum of p(t) over support points t <= x, elementwise."""
        x = np.asarray(x)
        cumulative = np.concatenate([[0.0], np.cumsum(self.probs)])
        below = np.minimum(cumulative[np.searchsorted(self.values, x, side="right")], 1.0)
        return keep_nan(x, below)

    def expectation(self, f: Callable[[NDArray], ArrayLike]) -> float:
        """E[f(X)] = sum_x f(x) p(x), exactly."""
        fx = np.asarray(f(self.values), dtype=np.float64)
        return float(np.sum(fx * self.probs))

    def entropy(self) -> float:
        """H(X) = -sum_x p(x) ln p(x) in nats (``scipy.special.entr``: 0 ln 0 = 0)."""
        return float(np.sum(special.entr(self.probs)))

    def sample(self, n: int, rng: np.random.Generator | int | None = None) -> NDArray:
        """``n`` draws from the support with probabilities ``probs``, shape (n,)."""
        return make_rng(rng).choice(self.values, size=check_sample_size(n), p=self.probs)


class Bernoulli(Discrete):
    """X in {0, 1} with P(X = 1) = p: mean p, variance p (1 - p)."""

    def __init__(self, p: float) -> None:
        self.p = check_probability(p, "p")
        super().__init__([0, 1], [1.0 - self.p, self.p])

    def __repr__(self) -> str:
        return f"Bernoulli(p={self.p})"

    def mean(self) -> float:
        """E[X] = p."""
        return self.p

    def var(self) -> float:
        """Var(X) = p (1 - p)."""
        return self.p * (1.0 - self.p)


class Binomial(Discrete):
    """Number of successes in ``n`` independent Bernoulli(p) trials.

    p(k) = C(n, k) p^k (1 - p)^(n - k), k = 0..n;  mean n p, variance n p (1 - p).
    The pmf is evaluated in log space, ln C(n, k) = -ln(n + 1) - ln B(n - k + 1, k + 1) (no
    overflow), and F(k) = sum_{j <= k} p(j) is the regularized incomplete beta function.
    """

    def __init__(self, n: int, p: float) -> None:
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
            raise ValueError(f"n must be a non-negative integer number of trials, got {n!r}")
        self.n = int(n)
        self.p = check_probability(p, "p")
        k = np.arange(self.n + 1)
        ends = (k == 0) | (k == self.n)  # C(n, 0) = C(n, n) = 1, exactly (p(k) ~ 1 lives there)
        log_comb = np.where(ends, 0.0, -np.log1p(self.n) - log_beta(self.n - k + 1, k + 1))
        with np.errstate(divide="ignore"):  # ln 0 = -inf when p is 0 or 1 (xlogy: 0 ln 0 = 0)
            log_pmf = log_comb + special.xlogy(k, self.p) + special.xlog1py(self.n - k, -self.p)
        self._log_pmf: NDArray[np.float64] = log_pmf
        super().__init__(k, np.exp(log_pmf))

    def __repr__(self) -> str:
        return f"Binomial(n={self.n}, p={self.p})"

    def cdf(self, x: ArrayLike) -> NDArray[np.float64]:
        """F(x) = P(X <= k), k = floor(x): 0 below 0, 1 from n on, and in between the upper
        regularized incomplete beta function 1 - I_p(k + 1, n - k) (``betaincc``, accurate to
        the last digits in both tails)."""
        x = np.asarray(x, dtype=np.float64)
        k = np.clip(np.floor(x), 0.0, max(self.n - 1, 0))
        inner = special.betaincc(k + 1.0, self.n - k, self.p)
        return keep_nan(x, np.where(x < 0, 0.0, np.where(x >= self.n, 1.0, inner)))

    def mean(self) -> float:
        """E[X] = n p."""
        return self.n * self.p

    def var(self) -> float:
        """Var(X) = n p (1 - p)."""
        return self.n * self.p * (1.0 - self.p)

    def entropy(self) -> float:
        """H = -sum_k p(k) ln p(k), with ln p(k) from log space: a p(k) within 1e-16 of 1 would
        leave ln p(k) ~ 1 - p(k) with no correct digit."""
        positive = self.probs > 0  # 0 ln 0 = 0
        return float(-np.sum(self.probs[positive] * self._log_pmf[positive]))
