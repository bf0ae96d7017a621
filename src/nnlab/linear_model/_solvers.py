"""Two minimizers for the convex objectives of logistic and softmax regression.

Both work on a flat parameter vector w and stop when the gradient of the *per-sample* objective
E(w) / N is below ``tol`` in every coordinate (so ``tol`` does not depend on the data size).

* Newton's method: w <- w - t H^{-1} g, with the Hessian H of E; the step length t starts at 1
  and is halved until E decreases (backtracking). H may be singular (softmax parameters are only
  defined up to a shift common to all classes); the step is then the minimum-norm solution of
  H d = g, which leaves that shift unchanged.
* Gradient descent: w <- w - eta g / N, the course's u_t = -eta grad E(theta_{t-1}).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

Vector = NDArray[np.float64]


class Solution(NamedTuple):
    w: Vector
    n_iter: int
    converged: bool


def _warn(solver: str, max_iter: int) -> None:
    warnings.warn(
        f"{solver} did not converge in max_iter={max_iter} iterations; increase max_iter "
        "(or the learning rate for 'gd'), or add l2 regularization if the classes are separable",
        RuntimeWarning,
        stacklevel=4,
    )


def newton(
    loss: Callable[[Vector], float],
    derivatives: Callable[[Vector], tuple[Vector, NDArray[np.float64]]],
    w0: Vector,
    n_samples: int,
    max_iter: int,
    tol: float,
) -> Solution:
    """Minimize ``loss`` given ``derivatives(w) -> (gradient, Hessian)``, from ``w0``."""
    w = w0.copy()
    for it in range(1, max_iter + 1):
        g, H = derivatives(w)
        if np.max(np.abs(g)) / n_samples < tol:
            return Solution(w, it - 1, True)
        step = np.linalg.lstsq(H, g, rcond=None)[0]
        current, t = loss(w), 1.0
        while loss(w - t * step) > current and t > 1e-12:
            t *= 0.5
        w = w - t * step
    g, _ = derivatives(w)
    converged = bool(np.max(np.abs(g)) / n_samples < tol)
    if not converged:
        _warn("Newton's method", max_iter)
    return Solution(w, max_iter, converged)


def gradient_descent(
    gradient: Callable[[Vector], Vector],
    w0: Vector,
    n_samples: int,
    learning_rate: float,
    max_iter: int,
    tol: float,
) -> Solution:
    """Plain gradient descent on E(w) / N: w <- w - learning_rate * gradient(w) / N."""
    w = w0.copy()
    for it in range(1, max_iter + 1):
        g = gradient(w) / n_samples
        if np.max(np.abs(g)) < tol:
            return Solution(w, it - 1, True)
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported below
            w = w - learning_rate * g
        if not np.all(np.isfinite(w)):
            raise FloatingPointError(
                f"gradient descent diverged at iteration {it} (learning_rate={learning_rate}); "
                "lower the learning rate or standardize the features"
            )
    _warn("gradient descent", max_iter)
    return Solution(w, max_iter, False)
