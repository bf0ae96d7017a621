"""Continuous random variables: a probability density function p(x).

    P(a < X <= b) = integral_a^b p(x) dx,   F(x) = integral_{-inf}^x p(t) dt,
    E[f(X)] = integral f(x) p(x) dx,        H(X) = -integral p(x) ln p(x) dx   (nats).

Densities, distribution functions, moments and entropies are closed forms evaluated with
``scipy.special``; only ``expectation(f)`` of a general f is a numerical integral (adaptive
QUADPACK, see ``nnlab.prob.quadrature``). Edge conventions are those of ``scipy.stats``: NaN in,
NaN out; outside the support the density is 0 (log-density -inf) and F is 0 or 1; F(-inf) = 0 and
F(inf) = 1. Closed forms are computed in floating point without Python's ``OverflowError``: a
moment too large for a double is ``inf``.
"""

from __future__ import annotations

import math
from abc import abstractmethod
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from nnlab.prob._validation import check_positive, make_rng
from nnlab.prob.base import RandomVariable, check_sample_size, keep_nan
from nnlab.prob.quadrature import piecewise_integral

# expectation() cuts the support at mean + k std for these k (where they fall inside it)
CUTS = np.array([-8.0, -4.0, -2.0, -1.0, 0.0, 1.0, 2.0, 4.0, 8.0])
_SQRT_2PI = math.sqrt(2.0 * math.pi)


def as_points(x: ArrayLike) -> NDArray[np.float64]:
    """The points x at which a density or distribution function is evaluated, as float64."""
    return np.asarray(x, dtype=np.float64)


def call_scalar(f: Callable[[NDArray], ArrayLike], x: float) -> float:
    """f(x) for one point x (given to ``f`` as a NumPy float), as a Python float."""
    return float(np.asarray(f(np.float64(x)), dtype=np.float64))


class Continuous(RandomVariable):
    """A random variable with a density; subclasses give ``pdf``, ``logpdf``, ``cdf``, the
    moments, ``entropy``, ``support`` and ``sample``."""

    @abstractmethod
    def pdf(self, x: ArrayLike) -> NDArray[np.float64]:
        """Density p(x), elementwise; 0 outside the support."""

    @abstractmethod
    def logpdf(self, x: ArrayLike) -> NDArray[np.float64]:
        """ln p(x), elementwise; -inf outside the support."""

    @abstractmethod
    def support(self) -> tuple[float, float]:
        """The interval (lo, hi) outside which the density is 0 (ends may be infinite)."""

    def expectation(self, f: Callable[[NDArray], ArrayLike]) -> float:
        """E[f(X)] = integral f(x) p(x) dx by adaptive quadrature (relative tolerance 1e-12).

        Integrated in the standardized variable u = (x - mean) / std, whose density is
        q(u) = std p(mean + std u): E[f(X)] = integral f(mean + std u) q(u) du, cut at
        u = 0, +-1, +-2, +-4, +-8 inside the support, so that the integrator sees where the mass
        lies whatever the scale. ``f`` is called on one NumPy float at a time.
        """
        m, s = self.mean(), self.std()
        lo, hi = ((end - m) / s for end in self.support())
        cuts = CUTS[np.greater(CUTS, lo) & np.less(CUTS, hi)]
        edges = [lo, *cuts.tolist(), hi]
        return piecewise_integral(
            lambda u: call_scalar(f, m + s * u) * self._standardized_pdf(u), edges
        )

    def _standardized_pdf(self, u: float) -> float:
        """q(u) = std p(mean + std u), the density of U = (X - mean) / std."""
        return self.std() * float(self.pdf(self.mean() + self.std() * u))


class Normal(Continuous):
    """Gaussian N(mu, sigma^2): ``mu`` is the mean and ``sigma`` the standard deviation (not the
    variance).  With z = (x - mu) / sigma:

        p(x) = exp(-z^2 / 2) / (sigma sqrt(2 pi)),   F(x) = Phi(z) = erfc(-z / sqrt 2) / 2,
        H = ln(sigma sqrt(2 pi e)) = (1 + ln 2 pi) / 2 + ln sigma.
    """

    def __init__(self, mu: float = 0.0, sigma: float = 1.0) -> None:
        self.mu = float(mu)
        if not np.isfinite(self.mu):
            raise ValueError(f"mu must be finite, got {mu!r}")
        self.sigma = check_positive(sigma, "sigma (the standard deviation)")

    def __repr__(self) -> str:
        return f"Normal(mu={self.mu}, sigma={self.sigma})"

    def _standardize(self, x: ArrayLike) -> NDArray[np.float64]:
        with np.errstate(over="ignore"):
            return (as_points(x) - self.mu) / self.sigma

    def pdf(self, x: ArrayLike) -> NDArray[np.float64]:
        z = self._standardize(x)
        with np.errstate(over="ignore"):
            return np.exp(-0.5 * z * z) / _SQRT_2PI / self.sigma

    def logpdf(self, x: ArrayLike) -> NDArray[np.float64]:
        """ln p(x) = -z^2 / 2 - ln sqrt(2 pi) - ln sigma."""
        z = self._standardize(x)
        with np.errstate(over="ignore"):
            return -0.5 * z * z - math.log(_SQRT_2PI) - math.log(self.sigma)

    def _standardized_pdf(self, u: float) -> float:
        """phi(u) = exp(-u^2 / 2) / sqrt(2 pi), exact whatever the ratio mu / sigma."""
        return math.exp(-0.5 * u * u) / _SQRT_2PI

    def cdf(self, x: ArrayLike) -> NDArray[np.float64]:
        """F(x) = Phi((x - mu) / sigma), accurate in both tails (``scipy.special.ndtr``)."""
        return np.asarray(special.ndtr(self._standardize(x)), dtype=np.float64)

    def mean(self) -> float:
        return self.mu

    def var(self) -> float:
        """sigma^2 (inf when it overflows)."""
        return self.sigma * self.sigma

    def std(self) -> float:
        """sigma."""
        return self.sigma

    def entropy(self) -> float:
        """H = (1 + ln 2 pi) / 2 + ln sigma."""
        return 0.5 * (1.0 + math.log(2.0 * math.pi)) + math.log(self.sigma)

    def support(self) -> tuple[float, float]:
        return -math.inf, math.inf

    def sample(self, n: int, rng: np.random.Generator | int | None = None) -> NDArray[np.float64]:
        return make_rng(rng).normal(self.mu, self.sigma, size=check_sample_size(n))


class Uniform(Continuous):
    """Uniform on [a, b] (a < b): p(x) = 1 / (b - a) on [a, b]; F(x) = (x - a) / (b - a) clipped
    to [0, 1]; mean (a + b) / 2, variance (b - a)^2 / 12, entropy ln(b - a)."""

    def __init__(self, a: float = 0.0, b: float = 1.0) -> None:
        self.a, self.b = float(a), float(b)
        if not (np.isfinite(self.a) and np.isfinite(self.b) and self.a < self.b):
            raise ValueError(f"Uniform needs finite bounds with a < b, got a={a!r}, b={b!r}")
        self.width = self.b - self.a
        if not math.isfinite(self.width):
            raise ValueError(f"Uniform needs a finite width b - a, got a={a!r}, b={b!r}")

    def __repr__(self) -> str:
        return f"Uniform(a={self.a}, b={self.b})"

    def _inside(self, x: NDArray[np.float64]) -> NDArray[np.bool_]:
        return (x >= self.a) & (x <= self.b)

    def pdf(self, x: ArrayLike) -> NDArray[np.float64]:
        x = as_points(x)
        return keep_nan(x, np.where(self._inside(x), 1.0 / self.width, 0.0))

    def logpdf(self, x: ArrayLike) -> NDArray[np.float64]:
        x = as_points(x)
        return keep_nan(x, np.where(self._inside(x), -math.log(self.width), -np.inf))

    def cdf(self, x: ArrayLike) -> NDArray[np.float64]:
        """F(x) = (x - a) / (b - a) clipped to [0, 1]."""
        return np.clip((as_points(x) - self.a) / self.width, 0.0, 1.0)

    def mean(self) -> float:
        """(a + b) / 2, summed as a/2 + b/2 (no overflow)."""
        return 0.5 * self.a + 0.5 * self.b

    def var(self) -> float:
        """(b - a)^2 / 12."""
        return self.width * self.width / 12.0

    def std(self) -> float:
        """(b - a) / sqrt 12."""
        return self.width / math.sqrt(12.0)

    def entropy(self) -> float:
        """H = ln(b - a)."""
        return math.log(self.width)

    def support(self) -> tuple[float, float]:
        return self.a, self.b

    def sample(self, n: int, rng: np.random.Generator | int | None = None) -> NDArray[np.float64]:
        return make_rng(rng).uniform(self.a, self.b, size=check_sample_size(n))


class Exponential(Continuous):
    """Exponential with ``rate`` lambda > 0 (not the scale 1/lambda), for x >= 0:

    p(x) = lambda exp(-lambda x),   F(x) = 1 - exp(-lambda x),
    mean 1/lambda, variance 1/lambda^2, entropy 1 - ln lambda.
    """

    def __init__(self, rate: float = 1.0) -> None:
        self.rate = check_positive(rate, "rate")
        if not math.isfinite(1.0 / self.rate):
            raise ValueError(f"rate is too small: its scale 1/rate overflows, got {rate!r}")

    def __repr__(self) -> str:
        return f"Exponential(rate={self.rate})"

    def _rate_times(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """lambda x for x >= 0 (0 elsewhere, where it is not used)."""
        with np.errstate(over="ignore"):
            return self.rate * np.maximum(x, 0.0)

    def pdf(self, x: ArrayLike) -> NDArray[np.float64]:
        x = as_points(x)
        return keep_nan(x, np.where(x >= 0, self.rate * np.exp(-self._rate_times(x)), 0.0))

    def logpdf(self, x: ArrayLike) -> NDArray[np.float64]:
        """ln p(x) = ln lambda - lambda x for x >= 0."""
        x = as_points(x)
        return keep_nan(x, np.where(x >= 0, math.log(self.rate) - self._rate_times(x), -np.inf))

    def cdf(self, x: ArrayLike) -> NDArray[np.float64]:
        """F(x) = 1 - exp(-lambda x) for x >= 0, else 0."""
        x = as_points(x)
        return keep_nan(x, np.where(x >= 0, -np.expm1(-self._rate_times(x)), 0.0))

    def mean(self) -> float:
        return 1.0 / self.rate

    def var(self) -> float:
        """1/lambda^2, as (1/lambda)^2 (inf when it overflows)."""
        return self.mean() * self.mean()

    def std(self) -> float:
        """1/lambda."""
        return self.mean()

    def entropy(self) -> float:
        """H = 1 - ln lambda."""
        return 1.0 - math.log(self.rate)

    def support(self) -> tuple[float, float]:
        return 0.0, math.inf

    def sample(self, n: int, rng: np.random.Generator | int | None = None) -> NDArray[np.float64]:
        return make_rng(rng).exponential(1.0 / self.rate, size=check_sample_size(n))
