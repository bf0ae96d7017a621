"""Input checks for ``nnlab.linear_model`` estimators: clear ``ValueError`` messages, worded as
scikit-learn's where its estimator checks look for a phrase ("Reshape your data", "0 feature(s)",
"Complex data not supported", "Unknown label type: continuous", "X has 1 features, but ...")."""

from __future__ import annotations

import sys
import warnings

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nnlab.linear_model._errors import DataConversionWarning, sklearn_compatible


def _is_sparse(X: object) -> bool:
    """A SciPy sparse matrix or array (if SciPy's sparse module is not loaded, X cannot be one)."""
    sparse = sys.modules.get("scipy.sparse")
    return sparse is not None and bool(sparse.issparse(X))


def _as_real_array(values: ArrayLike, name: str) -> NDArray:
    """``np.asarray(values)``, refusing sparse and complex input with a message that says so."""
    if _is_sparse(values):
        raise TypeError(
            f"{name} is a sparse matrix: sparse input is not supported by nnlab's linear models; "
            f"pass a dense array ({name}.toarray())"
        )
    arr = np.asarray(values)
    if arr.dtype.kind == "c":
        raise ValueError(f"Complex data not supported: {name} has dtype {arr.dtype}")
    return arr


def check_X(X: ArrayLike, name: str = "X") -> NDArray[np.float64]:
    """``X`` as a finite float64 array of shape (n_samples, n_features), n_samples and
    n_features >= 1. Numbers stored with dtype object are converted."""
    raw = _as_real_array(X, name)
    try:
        arr = raw.astype(np.float64)
    except (TypeError, ValueError) as e:  # e.g. a dict or a word among the numbers
        raise type(e)(f"{name} must hold numbers (dtype {raw.dtype}): {e}") from None
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D (n_samples, n_features), got shape {arr.shape}. Reshape your "
            f"data: {name}.reshape(-1, 1) for a single feature, {name}.reshape(1, -1) for a "
            "single sample"
        )
    for axis, what in enumerate(("sample", "feature")):
        if arr.shape[axis] == 0:
            raise ValueError(
                f"{name} has 0 {what}(s) (shape={arr.shape}) while a minimum of 1 is required."
            )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def check_X_y(X: ArrayLike, y: ArrayLike | None) -> tuple[NDArray[np.float64], NDArray]:
    """(X, y) with X as in :func:`check_X` and y 1-D with one entry per row of X (y keeps its
    dtype). A column vector y (n_samples, 1) is raveled with a ``DataConversionWarning``."""
    X_arr = check_X(X)
    if y is None:
        raise ValueError("this estimator requires y to be passed, but the target y is None")
    y_arr = _as_real_array(y, "y")
    if y_arr.ndim == 2 and y_arr.shape[1] == 1:
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected; it was raveled to shape "
            f"({y_arr.shape[0]},). Pass y.ravel() to avoid this warning.",
            sklearn_compatible(DataConversionWarning),
            stacklevel=3,
        )
        y_arr = y_arr.ravel()
    if y_arr.ndim != 1:
        raise ValueError(f"y must be 1-D (n_samples,), got shape {y_arr.shape}")
    if y_arr.shape[0] != X_arr.shape[0]:
        raise ValueError(
            f"X and y have different numbers of samples: {X_arr.shape[0]} and {y_arr.shape[0]}"
        )
    if y_arr.dtype.kind == "f" and not np.all(np.isfinite(y_arr)):
        raise ValueError("y contains NaN or infinite values")
    return X_arr, y_arr


def check_regression_data(
    X: ArrayLike, y: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(X, y) as in :func:`check_X_y`, with y as float64 (numbers stored as objects included)."""
    X_arr, y_arr = check_X_y(X, y)
    try:
        t = y_arr.astype(np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"y must hold numbers for a regression, got dtype {y_arr.dtype}") from None
    if not np.all(np.isfinite(t)):
        raise ValueError("y contains NaN or infinite values")
    return X_arr, t


def check_class_labels(y: NDArray) -> None:
    """Refuse a continuous target: float labels must be whole numbers (1.0, 2.0 are classes)."""
    if y.dtype.kind == "f" and np.any(y != np.round(y)):
        raise ValueError(
            "Unknown label type: continuous. A classifier needs class labels (integers, strings); "
            "use a regressor for a real-valued target"
        )


def check_n_features(X: NDArray, expected: int, estimator: str) -> None:
    """Raise if X has a different number of columns than the data the estimator was fitted on."""
    if X.shape[1] != expected:
        raise ValueError(
            f"X has {X.shape[1]} features, but {estimator} is expecting {expected} features as "
            f"input (it was fitted on data with {expected} columns)"
        )


def check_non_negative(value: float, name: str) -> float:
    """``value`` as a float, refusing anything but a finite number >= 0."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = np.nan
    if not np.isfinite(v) or v < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return v


def check_count(value: int, name: str) -> int:
    """``value`` as an int, refusing anything but an integer >= 0 (``True`` included)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise ValueError(f"{name} must be an integer >= 0, got {value!r}")
    return int(value)
