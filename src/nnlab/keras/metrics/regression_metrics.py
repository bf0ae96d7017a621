"""Regression metrics: means over samples of the per-sample regression losses.

MeanSquaredError             mean_k (y - ŷ)²
MeanAbsoluteError            mean_k |y - ŷ|
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..activations import apply_numpy
from ..losses.loss import squeeze_or_expand_to_same_rank
from .metric import Metric, to_array
from .reduction_metrics import MeanMetricWrapper

__all__ = ["MeanAbsoluteError", "MeanSquaredError"]


def _pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    y_pred = to_array(y_pred)
    y_true = to_array(y_true, y_pred.dtype)
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def mean_squared_error(y_true: Any, y_pred: Any) -> np.ndarray:
    y_true, y_pred = _pair(y_true, y_pred)
    return np.mean(np.square(y_true - y_pred), axis=-1)


def mean_absolute_error(y_true: Any, y_pred: Any) -> np.ndarray:
    y_true, y_pred = _pair(y_true, y_pred)
    return np.mean(np.abs(y_true - y_pred), axis=-1)


class _Regression(MeanMetricWrapper):
    """Today's loop: the per-sample value summed over a batch, from logits and activation."""

    def resolve(self, loss_name: str, units: int, sparse_targets: bool) -> Metric:
        if sparse_targets:
            raise ValueError(
                f"metric {self.name!r} needs targets shaped like the model output (None, {units}),"
                " not integer class labels"
            )
        return self

    def batch_total(self, y_true: np.ndarray, z: np.ndarray, activation: str) -> float:
        return float(np.sum(self._fn(y_true, apply_numpy(activation, z))))


class MeanSquaredError(_Regression):
    """Mean over samples of mean_k (y - ŷ)²."""

    def __init__(self, name: str = "mean_squared_error", dtype: Any = None) -> None:
        super().__init__(mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(_Regression):
    """Mean over samples of mean_k |y - ŷ|."""

    def __init__(self, name: str = "mean_absolute_error", dtype: Any = None) -> None:
        super().__init__(mean_absolute_error, name=name, dtype=dtype)
