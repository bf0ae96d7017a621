"""Logistic and softmax regression: linear models of class probabilities.

Two classes, t_n in {0, 1}:   y_n = p(C_1 | x_n) = sigma(w^T x_n + w_0),  sigma(a) = 1 / (1 + e^-a)

    E(w) = -sum_n [t_n ln y_n + (1 - t_n) ln(1 - y_n)] + (l2 / 2) ||w||^2
    grad E = X^T (y - t) + l2 w,      Hessian = X^T R X + l2 I,   R = diag(y_n (1 - y_n))

K classes, one-hot t_nk:      y_nk = softmax(W x_n + b)_k = exp(a_nk) / sum_j exp(a_nj)

    E(W) = -sum_n sum_k t_nk ln y_nk + (l2 / 2) ||W||^2
    grad_{W_k} E = sum_n (y_nk - t_nk) x_n + l2 W_k
    Hessian blocks d^2E / dW_k dW_j = sum_n y_nk (delta_kj - y_nj) x_n x_n^T + l2 delta_kj I

E is the cross-entropy summed over the samples (not averaged), so ``l2`` = 1 / C of scikit-learn's
``LogisticRegression(C=...)``; the intercept is never penalized. Solvers: ``"newton"`` (Newton's
method with backtracking, a few iterations to machine precision) or ``"gd"`` (gradient descent on
E / N with ``learning_rate``). With l2 = 0 and separable classes there is no minimum (||w|| grows
without bound) and the solver stops at ``max_iter`` with a warning.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nnlab.linear_model import _solvers
from nnlab.linear_model._base import BaseEstimator
from nnlab.linear_model._validation import (
    check_class_labels,
    check_count,
    check_n_features,
    check_non_negative,
    check_X,
    check_X_y,
)
from nnlab.prob._validation import check_positive

Solver = Literal["newton", "gd"]
Vector = NDArray[np.float64]


def log_sigmoid(a: NDArray[np.float64]) -> NDArray[np.float64]:
    """ln sigma(a) = -ln(1 + e^-a), without overflow."""
    return -np.logaddexp(0.0, -a)


def log_softmax(a: NDArray[np.float64]) -> NDArray[np.float64]:
    """ln softmax(a) along the last axis: a - logsumexp(a), shifted by max(a) for stability."""
    shifted = a - a.max(axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


class _LinearClassifier(BaseEstimator):
    """Data checks, the design matrix with a column of ones, fitting and prediction.
    The hyper-parameters are checked by ``fit``, not by the constructor."""

    _kind = "classifier"

    classes_: NDArray
    coef_: NDArray[np.float64]
    intercept_: NDArray[np.float64]
    n_iter_: int
    converged_: bool
    n_features_in_: int

    def __init__(
        self,
        l2: float = 0.0,
        fit_intercept: bool = True,
        solver: Solver = "newton",
        learning_rate: float = 0.1,
        max_iter: int = 1000,
        tol: float = 1e-10,
    ) -> None:
        self.l2 = l2
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol

    def _design(self, X: NDArray[np.float64]) -> NDArray[np.float64]:
        """[X, 1] with an intercept, else X: shape (n, D), D = n_features (+ 1)."""
        return np.hstack([X, np.ones((X.shape[0], 1))]) if self.fit_intercept else X

    def _penalty(self, n_features: int) -> NDArray[np.float64]:
        """l2 for the penalized weights, 0 for the intercept column: shape (D,)."""
        l2 = check_non_negative(self.l2, "l2")
        return l2 * np.r_[np.ones(n_features), np.zeros(int(self.fit_intercept))]

    @staticmethod
    def _encode_labels(y: NDArray) -> tuple[NDArray, NDArray[np.intp]]:
        """(the sorted distinct labels, each label's index among them)."""
        check_class_labels(y)
        classes, index = np.unique(y, return_inverse=True)
        if classes.size < 2:
            raise ValueError(f"y has one class ({classes[0]!r}); a classifier needs at least two")
        return classes, index.reshape(-1)

    def _minimize(
        self,
        loss: Callable[[Vector], float],
        derivatives: Callable[[Vector], tuple[Vector, Vector]],
        gradient: Callable[[Vector], Vector],
        w0: Vector,
        n: int,
    ) -> Vector:
        if self.solver not in ("newton", "gd"):
            raise ValueError(f"solver must be 'newton' or 'gd', got {self.solver!r}")
        max_iter = check_count(self.max_iter, "max_iter")
        tol = check_non_negative(self.tol, "tol")
        if self.solver == "newton":
            sol = _solvers.newton(loss, derivatives, w0, n, max_iter, tol)
        else:
            learning_rate = check_positive(self.learning_rate, "learning_rate")
            sol = _solvers.gradient_descent(gradient, w0, n, learning_rate, max_iter, tol)
        self.n_iter_, self.converged_ = sol.n_iter, sol.converged
        return sol.w

    def _checked_X(self, X: ArrayLike) -> NDArray[np.float64]:
        self._check_fitted()
        X_arr = check_X(X)
        check_n_features(X_arr, self.n_features_in_, type(self).__name__)
        return X_arr

    def predict_proba(self, X: ArrayLike) -> NDArray[np.float64]:
        raise NotImplementedError

    def predict(self, X: ArrayLike) -> NDArray:
        """The most probable class label for each row of X, shape (n_samples,)."""
        proba = self.predict_proba(X)  # checks X, and that the model is fitted
        return self.classes_[np.argmax(proba, axis=1)]

    def score(self, X: ArrayLike, y: ArrayLike) -> float:
        """Accuracy: the fraction of rows whose predicted label equals y."""
        X_arr, y_arr = check_X_y(X, y)
        return float(np.mean(self.predict(X_arr) == y_arr))


class LogisticRegression(_LinearClassifier):
    """Binary logistic regression, minimizing sum_n cross-entropy + (l2 / 2) ||w||^2.

    ``y``: two distinct labels of any type; ``classes_[1]`` is the positive class C_1.
    Fitted: ``coef_`` (1, n_features), ``intercept_`` (1,), ``classes_`` (2,), ``n_iter_``.
    """

    _multi_class = False

    def fit(self, X: ArrayLike, y: ArrayLike) -> LogisticRegression:
        X_arr, y_arr = check_X_y(X, y)
        classes, index = self._encode_labels(y_arr)
        if classes.size > 2:
            raise ValueError(
                "Only binary classification is supported by LogisticRegression, but y has "
                f"{classes.size} classes: use SoftmaxRegression"
            )
        t = index.astype(np.float64)  # 1 for classes[1]
        Phi = self._design(X_arr)
        l2 = self._penalty(X_arr.shape[1])

        def loss(w: NDArray[np.float64]) -> float:
            a = Phi @ w  # -[t ln sigma(a) + (1 - t) ln sigma(-a)]
            return float(-np.sum(t * log_sigmoid(a) + (1 - t) * log_sigmoid(-a)) + 0.5 * l2 @ w**2)

        def gradient(w: NDArray[np.float64]) -> NDArray[np.float64]:
            y_hat = np.exp(log_sigmoid(Phi @ w))
            return Phi.T @ (y_hat - t) + l2 * w

        def derivatives(w: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
            y_hat = np.exp(log_sigmoid(Phi @ w))
            R = y_hat * (1.0 - y_hat)
            return Phi.T @ (y_hat - t) + l2 * w, (Phi.T * R) @ Phi + np.diag(l2)

        w = self._minimize(loss, derivatives, gradient, np.zeros(Phi.shape[1]), Phi.shape[0])
        self.classes_ = classes
        self.n_features_in_ = X_arr.shape[1]
        self.coef_ = w[None, : X_arr.shape[1]]
        self.intercept_ = w[X_arr.shape[1] :] if self.fit_intercept else np.zeros(1)
        return self

    def decision_function(self, X: ArrayLike) -> NDArray[np.float64]:
        """The logit a = w^T x + w_0 = ln(p(C_1 | x) / p(C_0 | x)), shape (n_samples,)."""
        return self._checked_X(X) @ self.coef_[0] + self.intercept_[0]

    def predict_proba(self, X: ArrayLike) -> NDArray[np.float64]:
        """[p(classes_[0] | x), p(classes_[1] | x)] = [sigma(-a), sigma(a)], shape (n, 2)."""
        a = self.decision_function(X)
        return np.exp(np.stack([log_sigmoid(-a), log_sigmoid(a)], axis=1))


class SoftmaxRegression(_LinearClassifier):
    """Multinomial (softmax) regression over K >= 2 classes of any labels, minimizing
    sum_n cross-entropy + (l2 / 2) ||W||^2.

    Fitted: ``coef_`` W (K, n_features), ``intercept_`` b (K,), ``classes_`` (K,), ``n_iter_``.
    Newton's method builds the (K D) x (K D) Hessian: for many features use ``solver="gd"``.
    """

    def fit(self, X: ArrayLike, y: ArrayLike) -> SoftmaxRegression:
        X_arr, y_arr = check_X_y(X, y)
        classes, labels = self._encode_labels(y_arr)
        K = classes.size
        Phi = self._design(X_arr)
        N, D = Phi.shape
        T = np.eye(K)[labels]  # one-hot targets (N, K)
        l2 = self._penalty(X_arr.shape[1])  # (D,)

        def loss(w: NDArray[np.float64]) -> float:
            W = w.reshape(K, D)
            return float(-np.sum(T * log_softmax(Phi @ W.T)) + 0.5 * np.sum(l2 * W**2))

        def gradient(w: NDArray[np.float64]) -> NDArray[np.float64]:
            W = w.reshape(K, D)
            Y = np.exp(log_softmax(Phi @ W.T))
            return ((Y - T).T @ Phi + l2 * W).ravel()

        def derivatives(w: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
            Y = np.exp(log_softmax(Phi @ w.reshape(K, D).T))
            # per sample: diag(y_n) - y_n y_n^T, the Jacobian of the softmax (N, K, K)
            J = Y[:, :, None] * np.eye(K) - Y[:, :, None] * Y[:, None, :]
            H = np.einsum("nkj,nd,ne->kdje", J, Phi, Phi, optimize=True).reshape(K * D, K * D)
            return gradient(w), H + np.diag(np.tile(l2, K))

        w = self._minimize(loss, derivatives, gradient, np.zeros(K * D), N)
        W = w.reshape(K, D)
        self.classes_ = classes
        self.n_features_in_ = X_arr.shape[1]
        self.coef_ = W[:, : X_arr.shape[1]]
        self.intercept_ = W[:, -1] if self.fit_intercept else np.zeros(K)
        return self

    def _logits(self, X: ArrayLike) -> NDArray[np.float64]:
        """a = W x + b, shape (n_samples, K)."""
        return self._checked_X(X) @ self.coef_.T + self.intercept_

    def decision_function(self, X: ArrayLike) -> NDArray[np.float64]:
        """The logits a = W x + b, shape (n_samples, K); for K = 2, scikit-learn's binary
        convention: a_1 - a_0 = ln(p(classes_[1] | x) / p(classes_[0] | x)), shape (n_samples,)."""
        a = self._logits(X)
        return a[:, 1] - a[:, 0] if a.shape[1] == 2 else a

    def predict_proba(self, X: ArrayLike) -> NDArray[np.float64]:
        """softmax(W x + b), shape (n_samples, K); columns in the order of ``classes_``."""
        return np.exp(log_softmax(self._logits(X)))
