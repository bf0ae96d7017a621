"""Input checks for ``nnlab.linear_model`` estimators (clear ``ValueError`` messages)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def check_X(X: ArrayLike, name: str = "X") -> NDArray[np.float64]:
    """``X`` as a finite float64 array of shape (n_samples, n_features)."""
    arr = np.asarray(X, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D (n_samples, n_features), got shape {arr.shape}; "
            "use X.reshape(-1, 1) for a single feature"
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{name} has no samples")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def check_X_y(X: ArrayLike, y: ArrayLike) -> tuple[NDArray[np.float64], NDArray]:
    """(X, y) with X 2-D and finite, y 1-D with one entry per row of X (y keeps its dtype)."""
    X_arr = check_X(X)
    y_arr = np.asarray(y)
    if y_arr.ndim != 1:
        raise ValueError(f"y must be 1-D (n_samples,), got shape {y_arr.shape}")
    if y_arr.shape[0] != X_arr.shape[0]:
        raise ValueError(
            f"X and y have different numbers of samples: {X_arr.shape[0]} and {y_arr.shape[0]}"
        )
    if y_arr.dtype.kind in "fc" and not np.all(np.isfinite(y_arr)):
        raise ValueError("y contains NaN or infinite values")
    return X_arr, y_arr


def check_n_features(X: NDArray, expected: int, estimator: str) -> None:
    """Raise if X has a different number of columns than the data the estimator was fitted on."""
    if X.shape[1] != expected:
        raise ValueError(
            f"{estimator} was fitted with {expected} features but X has {X.shape[1]} columns"
        )


def check_fitted(estimator: object, attribute: str) -> None:
    """Raise a helpful error when ``predict`` & co. are called before ``fit``."""
    if not hasattr(estimator, attribute):
        raise RuntimeError(f"{type(estimator).__name__} is not fitted yet; call fit(X, y) first")


def check_non_negative(value: float, name: str) -> float:
    v = float(value)
    if not np.isfinite(v) or v < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return v
