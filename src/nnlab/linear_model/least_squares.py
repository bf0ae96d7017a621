"""Least squares: ordinary (``LinearRegression``) and L2-regularized (``Ridge``).

Model y = w_0 + x^T w + eps with eps ~ N(0, sigma^2). Minimizing the residual sum of squares

    RSS(w) = sum_n (y_n - w_0 - x_n^T w)^2 = ||y - X w - w_0||^2

gives the normal equations X^T X w = X^T y, i.e. w* = (X^T X)^{-1} X^T y. With an intercept the
data are centred first (then w_0 = mean(y) - mean(x)^T w). Ridge adds (alpha) ||w||^2 to RSS:
w* = (X^T X + alpha I)^{-1} X^T y, the intercept not penalized.

Maximizing the Gaussian likelihood gives the same w and the ML noise variance sigma^2 = RSS / N:

    ln p(y | X, w, sigma^2) = -N/2 ln(2 pi sigma^2) - RSS / (2 sigma^2).
"""

from __future__ import annotations

import math
from typing import TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nnlab.linear_model._base import Regressor
from nnlab.linear_model._validation import (
    check_n_features,
    check_non_negative,
    check_regression_data,
    check_X,
)

Model = TypeVar("Model", bound="_LeastSquares")


class _LeastSquares(Regressor):
    """Shared fitting, prediction and Gaussian log-likelihood of a linear model."""

    coef_: NDArray[np.float64]
    intercept_: float
    sigma2_: float
    n_features_in_: int

    def __init__(self, fit_intercept: bool = True) -> None:
        self.fit_intercept = fit_intercept

    def _solve(self, Xc: NDArray[np.float64], yc: NDArray[np.float64]) -> NDArray[np.float64]:
        raise NotImplementedError

    def fit(self: Model, X: ArrayLike, y: ArrayLike) -> Model:
        """Fit w (``coef_``, shape (n_features,)), w_0 (``intercept_``), ``sigma2_`` = RSS / N."""
        X_arr, y_arr = check_regression_data(X, y)
        x_mean = X_arr.mean(axis=0) if self.fit_intercept else np.zeros(X_arr.shape[1])
        y_mean = float(y_arr.mean()) if self.fit_intercept else 0.0
        self.coef_ = self._solve(X_arr - x_mean, y_arr - y_mean)
        self.intercept_ = y_mean - float(x_mean @ self.coef_)
        self.n_features_in_ = X_arr.shape[1]
        residual = y_arr - self.predict(X_arr)
        self.sigma2_ = float(np.mean(residual**2))
        return self

    def predict(self, X: ArrayLike) -> NDArray[np.float64]:
        """y_hat = X w + w_0, shape (n_samples,)."""
        self._check_fitted()
        X_arr = check_X(X)
        check_n_features(X_arr, self.n_features_in_, type(self).__name__)
        return X_arr @ self.coef_ + self.intercept_

    def log_likelihood(self, X: ArrayLike, y: ArrayLike) -> float:
        """ln p(y | X, w, sigma^2) = -N/2 ln(2 pi sigma^2) - RSS / (2 sigma^2), with ``sigma2_``.

        ``sigma2_`` is the ML noise *variance* (not the standard deviation) of the training data.
        """
        X_arr, y_arr = check_regression_data(X, y)
        rss = float(np.sum((y_arr - self.predict(X_arr)) ** 2))
        n = y_arr.shape[0]
        return -0.5 * n * math.log(2.0 * math.pi * self.sigma2_) - rss / (2.0 * self.sigma2_)


class LinearRegression(_LeastSquares):
    """Ordinary least squares, w* = (X^T X)^{-1} X^T y.

    Solved with ``np.linalg.lstsq`` (an SVD of X) rather than by inverting X^T X, whose condition
    number is the square of X's. A rank-deficient X^T X (collinear columns, or fewer samples than
    features) has no unique solution and raises ``ValueError``: use ``Ridge`` instead.
    Fitted: ``coef_`` (n_features,), ``intercept_``, ``sigma2_`` (noise variance), ``rank_``.
    """

    rank_: int

    def _solve(self, Xc: NDArray[np.float64], yc: NDArray[np.float64]) -> NDArray[np.float64]:
        n_features = Xc.shape[1]
        w, _rss, rank, _sv = np.linalg.lstsq(Xc, yc, rcond=None)
        self.rank_ = int(rank)
        if rank < n_features:
            raise ValueError(
                f"X^T X is singular: X has rank {rank} < {n_features} features "
                f"({Xc.shape[0]} samples{', centred' if self.fit_intercept else ''}); some columns "
                "are linear combinations of others or there are too few samples. The least-squares "
                "solution is not unique: use Ridge(alpha > 0) or remove redundant features."
            )
        return np.asarray(w, dtype=np.float64)


class Ridge(_LeastSquares):
    """Ridge regression: minimizes ||y - X w - w_0||^2 + alpha ||w||^2 (w_0 not penalized).

    w* = (X^T X + alpha I)^{-1} X^T y on centred data, computed from the SVD X = U S V^T as
    w* = V diag(s / (s^2 + alpha)) U^T y: no inverse, and no X^T X, whose condition number is
    the square of X's (for degree-9 polynomial features, ~1e17: the normal equations would lose
    every digit for small alpha). With alpha = 0, singular values at rounding level are dropped
    (the minimum-norm least-squares solution).
    Equivalent to the MAP estimate with prior w ~ N(0, (sigma^2 / alpha) I). ``alpha`` >= 0.
    """

    def __init__(self, alpha: float = 1.0, fit_intercept: bool = True) -> None:
        super().__init__(fit_intercept)
        self.alpha = alpha

    def _solve(self, Xc: NDArray[np.float64], yc: NDArray[np.float64]) -> NDArray[np.float64]:
        alpha = check_non_negative(self.alpha, "alpha")
        U, s, Vt = np.linalg.svd(Xc, full_matrices=False)
        denom = s * s + alpha
        # alpha = 0 is OLS: drop singular values at rounding level, as np.linalg.lstsq does
        cutoff = np.finfo(np.float64).eps * max(Xc.shape) * float(s.max(initial=0.0))
        keep = denom > 0 if alpha > 0 else s > cutoff
        factor = np.divide(s, denom, out=np.zeros_like(s), where=keep)
        return np.asarray(Vt.T @ (factor * (U.T @ yc)), dtype=np.float64)
