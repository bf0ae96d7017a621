"""Correlation metrics (Keras 3's formulas), per sample along ``axis``, averaged over samples:

    pearson_correlation:     mean_k (y_k - ȳ)(ŷ_k - m̂) / (σ_y σ_ŷ)     (population std)
    concordance_correlation: mean_k 2 (y_k - m̂)(ŷ_k - m̂) / (σ²_y + σ²_ŷ + (ȳ - m̂)² + ε)

(m̂ the mean of ŷ and ε = 1e-7, exactly as Keras 3 writes the concordance: its covariance term
centres y on ŷ's mean.)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..losses.loss import squeeze_or_expand_to_same_rank
from .metric import to_array
from .reduction_metrics import MeanMetricWrapper

__all__ = [
    "ConcordanceCorrelation",
    "PearsonCorrelation",
    "concordance_correlation",
    "pearson_correlation",
]


def _pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    y_pred = to_array(y_pred, np.float32)
    y_true = to_array(y_true, y_pred.dtype)
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def pearson_correlation(y_true: Any, y_pred: Any, axis: int = -1) -> np.ndarray:
    """Pearson's r of y and ŷ along ``axis`` (one value per sample)."""
    y_true, y_pred = _pair(y_true, y_pred)
    t = y_true - y_true.mean(axis=axis, keepdims=True)
    p = y_pred - y_pred.mean(axis=axis, keepdims=True)
    t = t / t.std(axis=axis, keepdims=True)
    p = p / p.std(axis=axis, keepdims=True)
    return (t * p).mean(axis=axis)


def concordance_correlation(y_true: Any, y_pred: Any, axis: int = -1) -> np.ndarray:
    """Lin's concordance correlation of y and ŷ along ``axis``, as Keras 3 computes it."""
    y_true, y_pred = _pair(y_true, y_pred)
    t_mean = y_true.mean(axis=axis, keepdims=True)
    p_mean = y_pred.mean(axis=axis, keepdims=True)
    t_var = (y_true - t_mean).var(axis=axis, keepdims=True)
    p_var = (y_pred - p_mean).var(axis=axis, keepdims=True)
    covar = (y_true - p_mean) * (y_pred - p_mean)
    norm = t_var + p_var + np.square(t_mean - p_mean)
    return (2 * covar / (norm + np.float32(1e-7))).mean(axis=axis)


class PearsonCorrelation(MeanMetricWrapper):
    """Mean over samples of :func:`pearson_correlation`."""

    def __init__(self, name: str = "pearson_correlation", dtype: Any = None, axis: int = -1):
        super().__init__(pearson_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}


class ConcordanceCorrelation(MeanMetricWrapper):
    """Mean over samples of :func:`concordance_correlation`."""

    def __init__(self, name: str = "concordance_correlation", dtype: Any = None, axis: int = -1):
        super().__init__(concordance_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}
