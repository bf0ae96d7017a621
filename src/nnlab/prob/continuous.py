"""Continuous random variables: a probability density function p(x).

    P(a < X <= b) = integral_a^b p(x) dx,   F(x) = integral_{-inf}^x p(t) dt,
    E[f(X)] = integral f(x) p(x) dx   (computed numerically by ``expectation``).

The numerical integral is a composite Gauss-Legendre rule (64 panels x 16 nodes) over an interval
holding all but ~1e-17 of the probability; it is exact to rounding for smooth integrands.
"""

from __future__ import annotations

import math
from abc import abstractmethod
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nnlab.prob._validation import check_positive, make_rng
from nnlab.prob.base import RandomVariable, check_sample_size
from nnlab.prob.special import standard_normal_cdf

_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(16)


def integrate(
    g: Callable[[NDArray[np.float64]], ArrayLike], lo: ArrayLike, hi: ArrayLike, panels: int = 64
) -> NDArray[np.float64]:
    """integral_lo^hi g(x) dx by composite Gauss-Legendre; ``lo``, ``hi`` may be arrays (broadcast).

    ``g`` is called once, on an array of nodes of shape (*broadcast(lo, hi).shape, panels * 16).
    """
    lo_, hi_ = np.broadcast_arrays(
        np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64)
    )
    edges = lo_[..., None] + (hi_ - lo_)[..., None] * np.linspace(0.0, 1.0, panels + 1)
    half = 0.5 * np.diff(edges, axis=-1)[..., None]  # (..., panels, 1)
    mid = 0.5 * (edges[..., 1:] + edges[..., :-1])[..., None]
    x = (mid + half * _NODES).reshape(*lo_.shape, -1)
    gx = np.asarray(g(x), dtype=np.float64).reshape(*lo_.shape, panels, _NODES.size)
    return np.sum(gx * _WEIGHTS * half, axis=(-2, -1))


class Continuous(RandomVariable):
    """A random variable with a density; subclasses give ``pdf``, ``cdf``, ``sample`` and the
    interval ``integration_bounds()`` used for numerical expectations."""

    @abstractmethod
    def pdf(self, x: ArrayLike) -> NDArray[np.float64]:
        """Density p(x), elementwise; 0 outside the support."""

    @abstractmethod
    def integration_bounds(self) -> tuple[float, float]:
        """A finite interval [lo, hi] outside which the probability is negligible (< 1e-17)."""

    def expectation(self, f: Callable[[NDArray], ArrayLike]) -> float:
        """E[f(X)] = integral f(x) p(x) dx, integrated numerically over ``integration_bounds()``."""
        lo, hi = self.integration_bounds()
        return float(integrate(lambda x: np.asarray(f(x), dtype=np.float64) * self.pdf(x), lo, hi))


class Normal(Continuous):
    """Gaussian N(mu, sigma^2): ``mu`` is the mean and ``sigma`` the standard deviation (not the
    variance).  p(x) = exp(-(x - mu)^2 / (2 sigma^2)) / (sigma sqrt(2 pi))."""

    def __init__(self, mu: float = 0.0, sigma: float = 1.0) -> None:
        self.mu = float(mu)
        if not np.isfinite(self.mu):
            raise ValueError(f"mu must be finite, got {mu!r}")
        self.sigma = check_positive(sigma, "sigma (the standard deviation)")

    def __repr__(self) -> str:
        return f"Normal(mu={self.mu}, sigma={self.sigma})"

    def pdf(self, x: ArrayLike) -> NDArray[np.float64]:
        z = (np.asarray(x, dtype=np.float64) - self.mu) / self.sigma
        return np.exp(-0.5 * z * z) / (self.sigma * math.sqrt(2.0 * math.pi))

    def cdf(self, x: ArrayLike) -> NDArray[np.float64]:
        """F(x) = Phi((x - mu) / sigma) = erfc(-(x - mu) / (sigma sqrt 2)) / 2."""
        return standard_normal_cdf((np.asarray(x, dtype=np.float64) - self.mu) / self.sigma)

    def mean(self) -> float:
        return self.mu

    def var(self) -> float:
        """sigma^2."""
        return self.sigma**2

    def integration_bounds(self) -> tuple[float, float]:
        return self.mu - 10.0 * self.sigma, self.mu + 10.0 * self.sigma

    def sample(self, n: int, rng: np.random.Generator | int | None = None) -> NDArray[np.float64]:
        return make_rng(rng).normal(self.mu, self.sigma, size=check_sample_size(n))


class Uniform(Continuous):
    """Uniform on [a, b] (a < b): p(x) = 1 / (b - a); mean (a + b)/2, variance (b - a)^2 / 12."""

    def __init__(self, a: float = 0.0, b: float = 1.0) -> None:
        self.a, self.b = float(a), float(b)
        if not (np.isfinite(self.a) and np.isfinite(self.b) and self.a < self.b):
            raise ValueError(f"Uniform needs finite bounds with a < b, got a={a!r}, b={b!r}")

    def __repr__(self) -> str:
        return f"Uniform(a={self.a}, b={self.b})"

    def pdf(self, x: ArrayLike) -> NDArray[np.float64]:
        x = np.asarray(x, dtype=np.float64)
        return np.where((x >= self.a) & (x <= self.b), 1.0 / (self.b - self.a), 0.0)

    def cdf(self, x: ArrayLike) -> NDArray[np.float64]:
        """F(x) = (x - a) / (b - a) clipped to [0, 1]."""
        return np.clip((np.asarray(x, dtype=np.float64) - self.a) / (self.b - self.a), 0.0, 1.0)

    def mean(self) -> float:
        return 0.5 * (self.a + self.b)

    def var(self) -> float:
        return (self.b - self.a) ** 2 / 12.0

    def integration_bounds(self) -> tuple[float, float]:
        return self.a, self.b

    def sample(self, n: int, rng: np.random.Generator | int | None = None) -> NDArray[np.float64]:
        return make_rng(rng).uniform(self.a, self.b, size=check_sample_size(n))


class Exponential(Continuous):
    """Exponential with ``rate`` lambda > 0 (not the scale 1/lambda): p(x) = lambda exp(-lambda x)
    for x >= 0; mean 1/lambda, variance 1/lambda^2."""

    def __init__(self, rate: float = 1.0) -> None:
        self.rate = check_positive(rate, "rate")

    def __repr__(self) -> str:
        return f"Exponential(rate={self.rate})"

    def pdf(self, x: ArrayLike) -> NDArray[np.float64]:
        x = np.asarray(x, dtype=np.float64)
        return np.where(x >= 0, self.rate * np.exp(-self.rate * np.maximum(x, 0.0)), 0.0)

    def cdf(self, x: ArrayLike) -> NDArray[np.float64]:
        """F(x) = 1 - exp(-lambda x) for x >= 0, else 0."""
        x = np.asarray(x, dtype=np.float64)
        return np.where(x >= 0, -np.expm1(-self.rate * np.maximum(x, 0.0)), 0.0)

    def mean(self) -> float:
        return 1.0 / self.rate

    def var(self) -> float:
        return 1.0 / self.rate**2

    def integration_bounds(self) -> tuple[float, float]:
        return 0.0, 40.0 / self.rate

    def sample(self, n: int, rng: np.random.Generator | int | None = None) -> NDArray[np.float64]:
        return make_rng(rng).exponential(1.0 / self.rate, size=check_sample_size(n))


class Beta(Continuous):
    """Beta(a, b) on [0, 1], the conjugate prior of a Bernoulli probability.

    p(x) = x^(a-1) (1 - x)^(b-1) / B(a, b);  mean a / (a + b);
    variance a b / ((a + b)^2 (a + b + 1));  mode (a - 1) / (a + b - 2) for a, b > 1.
    ``cdf`` and ``expectation`` integrate numerically after substituting x = sin^2(t/2), which
    makes the integrand smooth for integer and half-integer a, b (accurate to ~1e-12 for
    a, b >= 1/2; less accurate when a or b < 1/2, where the density is strongly singular).
    """

    def __init__(self, a: float, b: float) -> None:
        self.a = check_positive(a, "a")
        self.b = check_positive(b, "b")
        self._log_beta = math.lgamma(self.a) + math.lgamma(self.b) - math.lgamma(self.a + self.b)

    def __repr__(self) -> str:
        return f"Beta(a={self.a}, b={self.b})"

    def pdf(self, x: ArrayLike) -> NDArray[np.float64]:
        x = np.asarray(x, dtype=np.float64)
        inside = (x > 0) & (x < 1)
        xc = np.where(inside, x, 0.5)
        log_p = (self.a - 1) * np.log(xc) + (self.b - 1) * np.log1p(-xc) - self._log_beta
        return np.where(inside, np.exp(log_p), 0.0)

    def _density_in_angle(self, t: NDArray[np.float64]) -> NDArray[np.float64]:
        """The density after substituting x = sin^2(t/2), dx = sin(t/2) cos(t/2) dt, t in [0, pi]:
        sin^(2a-1)(t/2) cos^(2b-1)(t/2) / B(a, b), smooth where p(x) has endpoint singularities."""
        s, c = np.sin(0.5 * t), np.cos(0.5 * t)
        return np.exp((2 * self.a - 1) * np.log(s) + (2 * self.b - 1) * np.log(c) - self._log_beta)

    def cdf(self, x: ArrayLike) -> NDArray[np.float64]:
        """F(x) = integral_0^x p(u) du, integrated numerically in the angle t = 2 arcsin(sqrt x)."""
        t = 2.0 * np.arcsin(np.sqrt(np.clip(np.asarray(x, dtype=np.float64), 0.0, 1.0)))
        area = integrate(self._density_in_angle, 0.0, np.where(t > 0, t, 1.0), panels=16)
        return np.where(t > 0, np.clip(area, 0.0, 1.0), 0.0)

    def expectation(self, f: Callable[[NDArray], ArrayLike]) -> float:
        """E[f(X)] = integral_0^pi f(sin^2(t/2)) sin^(2a-1)(t/2) cos^(2b-1)(t/2) / B(a, b) dt."""

        def integrand(t: NDArray[np.float64]) -> NDArray[np.float64]:
            fx = np.asarray(f(np.sin(0.5 * t) ** 2), dtype=np.float64)
            return fx * self._density_in_angle(t)

        return float(integrate(integrand, 0.0, math.pi))

    def mean(self) -> float:
        return self.a / (self.a + self.b)

    def var(self) -> float:
        s = self.a + self.b
        return self.a * self.b / (s * s * (s + 1.0))

    def mode(self) -> float:
        """argmax_x p(x) = (a - 1) / (a + b - 2), defined for a > 1 and b > 1."""
        if self.a <= 1 or self.b <= 1:
            raise ValueError(
                f"Beta mode is interior only for a > 1 and b > 1, got a={self.a}, b={self.b}"
            )
        return (self.a - 1.0) / (self.a + self.b - 2.0)

    def integration_bounds(self) -> tuple[float, float]:
        return 0.0, 1.0

    def sample(self, n: int, rng: np.random.Generator | int | None = None) -> NDArray[np.float64]:
        return make_rng(rng).beta(self.a, self.b, size=check_sample_size(n))
