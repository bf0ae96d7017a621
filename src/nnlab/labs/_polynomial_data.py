"""The data shared by the polynomial labs (7 polynomial-overfitting, 8 ridge-regression, 9
bayesian-linear-regression): noisy samples of the course's f(x) = x^3 - 4x^2 + 3x - 2.

Each lab draws these sets first from its ``ctx.rng``, so with the same seed the three labs fit the
same ten training points. x ~ U(0, 3) (the range where f shows its maximum near x = 0.45 and its
minimum near x = 2.2), t = f(x) + eps, eps ~ N(0, 0.3^2): 0.3 is the noise *standard deviation*,
the noise variance is 0.09 and the noise precision beta = 1 / 0.09.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from numpy.typing import NDArray

from nnlab.datasets.synthetic import cubic, polynomial
from nnlab.linear_model import PolynomialFeatures

X_RANGE = (0.0, 3.0)
NOISE_STD = 0.3
N_TRAIN = 10
Y_LIMITS = (-6.0, 1.0)


@dataclass(frozen=True)
class PolynomialData:
    """Training, validation and test sets; every array is 1-D float64."""

    x_train: NDArray[np.float64]
    t_train: NDArray[np.float64]
    x_val: NDArray[np.float64]
    t_val: NDArray[np.float64]
    x_test: NDArray[np.float64]
    t_test: NDArray[np.float64]


def draw(rng: np.random.Generator, n_val: int, n_test: int) -> PolynomialData:
    """``N_TRAIN`` training points, then ``n_val`` validation and ``n_test`` test points."""
    sets = [
        polynomial(n, NOISE_STD, *X_RANGE, seed=rng, dtype=np.float64)
        for n in (N_TRAIN, n_val, n_test)
    ]
    flat = [array.ravel() for pair in sets for array in pair]
    return PolynomialData(*flat)


def design(x: NDArray[np.float64], degree: int) -> NDArray[np.float64]:
    """Phi with columns 1, x, ..., x^degree, shape (len(x), degree + 1)."""
    return PolynomialFeatures(degree).fit_transform(x.reshape(-1, 1))


def curve_grid(n: int = 400) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """x on ``X_RANGE`` and the true f(x), for plotting."""
    x = np.linspace(*X_RANGE, n)
    return x, np.asarray(cubic(x), dtype=np.float64)


def setup_axes(ax: Axes, data: PolynomialData, title: str) -> None:
    """The training points, the true f, axis labels and fixed limits (wild fits are clipped)."""
    x, f = curve_grid()
    ax.plot(x, f, color="0.35", linestyle="--", linewidth=1.2, label="true f(x)")
    ax.plot(data.x_train, data.t_train, "o", color="#0072B2", markerfacecolor="none", label="data")
    ax.set_xlim(*X_RANGE)
    ax.set_ylim(*Y_LIMITS)
    ax.set_xlabel("x")
    ax.set_ylabel("t")
    ax.set_title(title)


def rss(prediction: NDArray[np.float64], target: NDArray[np.float64]) -> float:
    """Residual sum of squares sum_n (t_n - y_n)^2 (no factor 1/2)."""
    return float(np.sum((np.asarray(target) - np.asarray(prediction)) ** 2))
