"""Polynomial features: the design matrix of a polynomial model.

For one input x and degree d the features are (1, x, x^2, ..., x^d), so that the linear model
y_hat = w_0 + w_1 x + ... + w_d x^d = phi(x)^T w is linear in w. For several inputs, every monomial
x_1^p_1 ... x_k^p_k of total degree p_1 + ... + p_k <= d, in scikit-learn's order.
"""

from __future__ import annotations

from itertools import combinations_with_replacement

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nnlab.linear_model._base import BaseEstimator
from nnlab.linear_model._validation import check_count, check_n_features, check_X


class PolynomialFeatures(BaseEstimator):
    """Map X (n_samples, n_features) to all monomials of degree <= ``degree``; ``include_bias``
    keeps the constant column of ones. One input x of shape (n,) is ``x.reshape(-1, 1)``.

    Fitted: ``powers_`` (n_output_features, n_features), row j holding the exponents of feature
    column j; ``n_features_in_``; ``n_output_features_``.
    """

    powers_: NDArray[np.int64]
    n_features_in_: int
    n_output_features_: int
    _kind = "transformer"

    def __init__(self, degree: int = 2, include_bias: bool = True) -> None:
        self.degree = degree
        self.include_bias = include_bias

    def _checked_degree(self) -> int:
        degree = check_count(self.degree, "degree")
        if degree == 0 and not self.include_bias:
            raise ValueError("degree=0 with include_bias=False leaves no features")
        return degree

    def fit(self, X: ArrayLike, y: object = None) -> PolynomialFeatures:
        """Enumerate the exponent vectors for X's number of features (``y`` is ignored)."""
        degree = self._checked_degree()
        n_features = check_X(X).shape[1]
        powers = []
        for total in range(0 if self.include_bias else 1, degree + 1):
            for combo in combinations_with_replacement(range(n_features), total):
                powers.append(np.bincount(np.array(combo, dtype=np.int64), minlength=n_features))
        self.powers_ = np.array(powers, dtype=np.int64).reshape(-1, n_features)
        self.n_features_in_ = n_features
        self.n_output_features_ = self.powers_.shape[0]
        return self

    def transform(self, X: ArrayLike) -> NDArray[np.float64]:
        """Phi[n, j] = prod_i X[n, i] ** powers_[j, i], shape (n_samples, n_output_features_)."""
        self._check_fitted()
        X_arr = check_X(X)
        check_n_features(X_arr, self.n_features_in_, "PolynomialFeatures")
        return np.prod(X_arr[:, None, :] ** self.powers_[None, :, :], axis=2)

    def fit_transform(self, X: ArrayLike, y: object = None) -> NDArray[np.float64]:
        """``fit(X).transform(X)``."""
        return self.fit(X).transform(X)
