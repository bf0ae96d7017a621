"""Information theory: entropy, cross-entropy and Kullback-Leibler divergence.

For distributions p, q over the same finite set (the last axis of the arrays):

    H(p)     = -sum_x p(x) log p(x)                      entropy
    H(p, q)  = -sum_x p(x) log q(x)                      cross-entropy
    KL(p||q) =  sum_x p(x) log (p(x) / q(x))             relative entropy, >= 0, not symmetric

and H(p, q) = H(p) + KL(p || q). (The course notes write KL(P||Q) = H(p) + H(p, q); the correct
identity is KL(p||q) = H(p, q) - H(p).) Conventions: 0 log 0 = 0, and a term with p(x) > 0 = q(x)
is +inf. Logarithms are natural (nats) unless ``base`` is given (``base=2``: bits).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nnlab.prob._validation import as_probabilities, check_positive

FloatOrArray = float | NDArray[np.float64]


def _result(value: NDArray[np.float64], base: float | None) -> FloatOrArray:
    if base is not None:
        b = check_positive(base, "base")
        if b == 1.0:
            raise ValueError("base must not be 1 (log base 1 is undefined)")
        value = value / math.log(b)
    return float(value) if value.ndim == 0 else value


def _plogq(p: NDArray[np.float64], q: NDArray[np.float64]) -> NDArray[np.float64]:
    """p log q elementwise with 0 log q = 0 (also for q = 0) and p log 0 = -inf for p > 0."""
    with np.errstate(divide="ignore"):
        return np.where(p > 0, p * np.log(np.where(p > 0, q, 1.0)), 0.0)


def _pair(p: ArrayLike, q: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    p_arr = as_probabilities(p, "p")
    q_arr = as_probabilities(q, "q")
    if p_arr.shape[-1] != q_arr.shape[-1]:
        raise ValueError(
            f"p and q must be distributions over the same outcomes, got {p_arr.shape[-1]} "
            f"and {q_arr.shape[-1]} outcomes (shapes {p_arr.shape} and {q_arr.shape})"
        )
    return p_arr, q_arr


def entropy(p: ArrayLike, base: float | None = None) -> FloatOrArray:
    """H(p) = -sum_x p(x) log p(x) over the last axis; shape (..., K) -> (...) (a float for 1-D)."""
    p_arr = as_probabilities(p, "p")
    return _result(-np.sum(_plogq(p_arr, p_arr), axis=-1), base)


def cross_entropy(p: ArrayLike, q: ArrayLike, base: float | None = None) -> FloatOrArray:
    """H(p, q) = -sum_x p(x) log q(x) = H(p) + KL(p || q); +inf if q(x) = 0 < p(x)."""
    p_arr, q_arr = _pair(p, q)
    return _result(-np.sum(_plogq(p_arr, q_arr), axis=-1), base)


def kl_divergence(p: ArrayLike, q: ArrayLike, base: float | None = None) -> FloatOrArray:
    """KL(p || q) = sum_x p(x) log(p(x) / q(x)) >= 0; +inf if q(x) = 0 < p(x)."""
    p_arr, q_arr = _pair(p, q)
    return _result(np.sum(_plogq(p_arr, p_arr) - _plogq(p_arr, q_arr), axis=-1), base)


def binary_cross_entropy(y: ArrayLike, y_hat: ArrayLike, base: float | None = None) -> float:
    """Mean binary cross-entropy of predicted probabilities ``y_hat`` for targets ``y`` in [0, 1]:

        L = -(1/N) sum_i [ y_i log y_hat_i + (1 - y_i) log(1 - y_hat_i) ]

    i.e. the average of H(p_i, q_i) with p_i = (1 - y_i, y_i), q_i = (1 - y_hat_i, y_hat_i).
    Both arrays must have the same shape; N is their size. +inf for a confident wrong prediction.
    """
    y_arr = np.asarray(y, dtype=np.float64)
    q_arr = np.asarray(y_hat, dtype=np.float64)
    if y_arr.shape != q_arr.shape:
        raise ValueError(
            f"y and y_hat must have the same shape, got {y_arr.shape} and {q_arr.shape}"
        )
    if y_arr.size == 0:
        raise ValueError("y is empty")
    for name, a in (("y", y_arr), ("y_hat", q_arr)):
        if not np.all((a >= 0) & (a <= 1)):
            raise ValueError(f"{name} must hold probabilities in [0, 1] (and no NaN)")
    per_example = -(_plogq(y_arr, q_arr) + _plogq(1.0 - y_arr, 1.0 - q_arr))
    return float(_result(np.asarray(np.mean(per_example)), base))


def kl_normal(
    mu0: ArrayLike, sigma0: ArrayLike, mu1: ArrayLike, sigma1: ArrayLike, base: float | None = None
) -> FloatOrArray:
    """KL(N(mu0, sigma0^2) || N(mu1, sigma1^2)) for standard deviations sigma0, sigma1 > 0:

        log(sigma1 / sigma0) + (sigma0^2 + (mu0 - mu1)^2) / (2 sigma1^2) - 1/2

    computed from the ratios r = sigma0 / sigma1 and d = (mu0 - mu1) / sigma1 as
    -ln r + (r^2 + d^2) / 2 - 1/2, so that it depends on the scale only through them (no
    overflow of sigma^2 for sigma ~ 1e200). Elementwise with broadcasting (a float for scalars).
    """
    m0, s0, m1, s1 = (np.asarray(v, dtype=np.float64) for v in (mu0, sigma0, mu1, sigma1))
    for name, s in (("sigma0", s0), ("sigma1", s1)):
        if not np.all(s > 0):
            raise ValueError(f"{name} (a standard deviation) must be > 0")
    r, d = s0 / s1, (m0 - m1) / s1
    kl = -np.log(r) + 0.5 * (r * r + d * d) - 0.5
    return _result(np.asarray(kl), base)
