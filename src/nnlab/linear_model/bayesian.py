"""Bayesian linear regression (Bishop, PRML section 3.3).

Targets t = Phi w + eps with noise precision beta (eps ~ N(0, 1/beta): the noise *variance* is
1/beta and its standard deviation 1/sqrt(beta)), prior w ~ N(m_0, S_0), by default N(0, alpha^-1 I).
The posterior is Gaussian, p(w | t) = N(m_N, S_N) with

    S_N^-1 = S_0^-1 + beta Phi^T Phi          m_N = S_N (S_0^-1 m_0 + beta Phi^T t)

which for the prior N(0, alpha^-1 I) is S_N = (alpha I + beta Phi^T Phi)^-1, m_N = beta S_N Phi^T t.
(The course notes print the posterior mean without the factor beta = 1/sigma^2 and with
S_0^-1 m_0 where S_0^-1 belongs; the formulas here are the correct ones.)

Predictive distribution for a new phi: N(m_N^T phi, 1/beta + phi^T S_N phi).

Because the posterior has the prior's form, data can arrive in batches: ``partial_fit`` uses the
current posterior as the next prior, and gives the same posterior as one ``fit`` on all the data.
"""

from __future__ import annotations

import math
from typing import Literal, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nnlab.linear_model._base import Regressor
from nnlab.linear_model._validation import (
    check_n_features,
    check_regression_data,
    check_X,
)
from nnlab.prob._validation import check_positive, make_rng


class BayesianLinearRegression(Regressor):
    """Gaussian posterior over the weights of t = Phi w + noise, on a given design matrix Phi
    (n_samples, M) (add a column of ones yourself for an intercept, e.g. ``PolynomialFeatures``).

    ``alpha``: prior precision (prior N(0, alpha^-1 I)); ``beta``: noise precision 1/sigma^2.
    ``prior_mean`` (M,) and ``prior_cov`` (M, M) replace the isotropic prior when given.
    The parameters are checked by ``fit`` (and ``prior``), not by the constructor.
    Fitted: ``mean_`` m_N (M,), ``cov_`` S_N (M, M), ``precision_`` S_N^-1 (M, M).
    """

    mean_: NDArray[np.float64]
    cov_: NDArray[np.float64]
    precision_: NDArray[np.float64]
    n_features_in_: int

    def __init__(
        self,
        alpha: float = 1.0,
        beta: float = 1.0,
        prior_mean: ArrayLike | None = None,
        prior_cov: ArrayLike | None = None,
    ) -> None:
        self.alpha = alpha
        self.beta = beta
        self.prior_mean = prior_mean
        self.prior_cov = prior_cov

    @property
    def noise_precision(self) -> float:
        """beta, checked to be a finite number > 0."""
        return check_positive(self.beta, "beta (noise precision 1/sigma^2)")

    @property
    def noise_std(self) -> float:
        """Standard deviation of the noise, sigma = 1 / sqrt(beta)."""
        return 1.0 / math.sqrt(self.noise_precision)

    def prior(self, n_features: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """(m_0, S_0^-1): the prior mean and precision matrix for ``n_features`` weights."""
        if self.prior_mean is None:
            m0 = np.zeros(n_features)
        else:
            m0 = np.asarray(self.prior_mean, dtype=np.float64)
        if m0.shape != (n_features,):
            raise ValueError(f"prior_mean has shape {m0.shape} but Phi has {n_features} columns")
        if self.prior_cov is None:
            return m0, check_positive(self.alpha, "alpha (prior precision)") * np.eye(n_features)
        S0 = np.asarray(self.prior_cov, dtype=np.float64)
        if S0.shape != (n_features, n_features):
            raise ValueError(
                f"prior_cov has shape {S0.shape}, expected ({n_features}, {n_features})"
            )
        try:
            np.linalg.cholesky(S0)
        except np.linalg.LinAlgError:
            raise ValueError("prior_cov must be symmetric positive definite") from None
        return m0, np.asarray(np.linalg.inv(S0), dtype=np.float64)

    def _update(
        self, m0: NDArray[np.float64], P0: NDArray[np.float64], Phi: NDArray[np.float64], t: NDArray
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """(m_N, S_N^-1) from the prior (m_0, S_0^-1) and data (Phi, t)."""
        beta = self.noise_precision
        P_N = P0 + beta * Phi.T @ Phi
        m_N = np.linalg.solve(P_N, P0 @ m0 + beta * Phi.T @ t)
        return m_N, P_N

    def _set_posterior(self, m_N: NDArray[np.float64], P_N: NDArray[np.float64]) -> None:
        self.mean_ = m_N
        self.precision_ = P_N
        self.cov_ = np.asarray(np.linalg.solve(P_N, np.eye(P_N.shape[0])), dtype=np.float64)
        self.n_features_in_ = m_N.shape[0]

    def fit(self, X: ArrayLike, y: ArrayLike) -> BayesianLinearRegression:
        """Posterior given the design matrix ``X`` = Phi (n_samples, M) and the targets ``y`` = t
        (n_samples,), starting from the prior (any earlier fit is discarded)."""
        Phi_arr, t_arr = check_regression_data(X, y)
        self._set_posterior(*self._update(*self.prior(Phi_arr.shape[1]), Phi_arr, t_arr))
        return self

    def partial_fit(self, X: ArrayLike, y: ArrayLike) -> BayesianLinearRegression:
        """Sequential update: the current posterior (or the prior, on the first call) is the prior
        for this batch. After batches D_1, ..., D_k this equals ``fit`` on all of them."""
        Phi_arr, t_arr = check_regression_data(X, y)
        if self.__sklearn_is_fitted__():
            check_n_features(Phi_arr, self.n_features_in_, "BayesianLinearRegression")
            start = (self.mean_, self.precision_)
        else:
            start = self.prior(Phi_arr.shape[1])
        self._set_posterior(*self._update(*start, Phi_arr, t_arr))
        return self

    @overload
    def predict(
        self, Phi: ArrayLike, return_std: Literal[False] = False
    ) -> NDArray[np.float64]: ...
    @overload
    def predict(
        self, Phi: ArrayLike, return_std: Literal[True]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]: ...

    def predict(
        self, Phi: ArrayLike, return_std: bool = False
    ) -> NDArray[np.float64] | tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Predictive mean m_N^T phi (n_samples,); with ``return_std`` also the predictive
        standard deviation sqrt(1/beta + phi^T S_N phi) (noise plus weight uncertainty)."""
        self._check_fitted()
        Phi_arr = check_X(Phi, "Phi")
        check_n_features(Phi_arr, self.n_features_in_, "BayesianLinearRegression")
        mean = Phi_arr @ self.mean_
        if not return_std:
            return mean
        var = 1.0 / self.noise_precision + np.einsum("ni,ij,nj->n", Phi_arr, self.cov_, Phi_arr)
        return mean, np.sqrt(var)

    def log_evidence(self, Phi: ArrayLike, t: ArrayLike) -> float:
        """ln p(t | alpha, beta), the marginal likelihood of (Phi, t) under the prior (Bishop 3.86):

            M/2 ln alpha + N/2 ln beta - E(m_N) - 1/2 ln|A| - N/2 ln(2 pi),
            A = alpha I + beta Phi^T Phi,  E(m_N) = beta/2 ||t - Phi m_N||^2 + alpha/2 m_N^T m_N,

        with m_N the posterior mean for these data. For a general prior N(m_0, S_0), M/2 ln alpha
        becomes -1/2 ln|S_0| and alpha/2 m_N^T m_N becomes 1/2 (m_N - m_0)^T S_0^-1 (m_N - m_0).
        Independent of any earlier ``fit``; useful to choose alpha, beta or the model's degree.
        """
        Phi_arr, t_arr = check_regression_data(Phi, t)
        n, beta = Phi_arr.shape[0], self.noise_precision
        m0, P0 = self.prior(Phi_arr.shape[1])
        m_N, A = self._update(m0, P0, Phi_arr, t_arr)
        E = 0.5 * beta * np.sum((t_arr - Phi_arr @ m_N) ** 2) + 0.5 * (m_N - m0) @ P0 @ (m_N - m0)
        _, logdet_P0 = np.linalg.slogdet(P0)  # = -ln|S_0| (= M ln alpha for the default prior)
        _, logdet_A = np.linalg.slogdet(A)
        return float(
            0.5 * logdet_P0
            + 0.5 * n * math.log(beta)
            - E
            - 0.5 * logdet_A
            - 0.5 * n * math.log(2.0 * math.pi)
        )

    def sample_weights(
        self, n: int, rng: np.random.Generator | int | None = None
    ) -> NDArray[np.float64]:
        """``n`` draws w ~ N(m_N, S_N), shape (n, M): w = m_N + L z, S_N = L L^T, z ~ N(0, I)."""
        self._check_fitted()
        L = np.linalg.cholesky(self.cov_)
        z = make_rng(rng).standard_normal((int(n), self.mean_.shape[0]))
        return self.mean_ + z @ L.T
