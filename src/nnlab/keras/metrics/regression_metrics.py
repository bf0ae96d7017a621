"""Regression metrics: the mean over samples of a per-sample regression loss (the functions of
``nnlab.keras.losses``), plus the root mean squared error and R².

    MeanSquaredError             mean_k (y - ŷ)²
    RootMeanSquaredError         √(mean over samples and outputs of (y - ŷ)²)
    MeanAbsoluteError            mean_k |y - ŷ|
    MeanAbsolutePercentageError  100 · mean_k |y - ŷ| / max(|y|, ε)
    MeanSquaredLogarithmicError  mean_k (log(ŷ + 1) - log(y + 1))²
    LogCoshError                 mean_k log cosh(ŷ - y)
    CosineSimilarity             Σ_axis (y/‖y‖)(ŷ/‖ŷ‖)   (+1 for parallel vectors)
    R2Score                      1 - Σ(y - ŷ)² / Σ(y - ȳ)² per output, then aggregated
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from nnlab.autograd import no_grad

from .. import losses
from ..losses.loss import squeeze_or_expand_to_same_rank
from .metric import Metric, to_array
from .reduction_metrics import Mean, MeanMetricWrapper

__all__ = [
    "CosineSimilarity",
    "LogCoshError",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanSquaredError",
    "MeanSquaredLogarithmicError",
    "R2Score",
    "RootMeanSquaredError",
]


class _Regression(MeanMetricWrapper):
    """A mean of a regression loss, refusing targets that do not broadcast to the predictions."""

    def update_state(  # type: ignore[override]
        self, y_true: Any, y_pred: Any, sample_weight: Any = None
    ) -> None:
        t, p = squeeze_or_expand_to_same_rank(to_array(y_true), to_array(y_pred))
        try:
            np.broadcast_shapes(t.shape, p.shape)
        except ValueError:
            raise ValueError(
                f"metric {self.name!r} needs targets shaped like the predictions {p.shape}, got "
                f"targets of shape {np.shape(to_array(y_true))}"
            ) from None
        super().update_state(y_true, y_pred, sample_weight)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class MeanSquaredError(_Regression):
    """Mean over samples of mean_k (y - ŷ)²."""

    def __init__(self, name: str = "mean_squared_error", dtype: Any = None) -> None:
        super().__init__(losses.mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(_Regression):
    """Mean over samples of mean_k |y - ŷ|."""

    def __init__(self, name: str = "mean_absolute_error", dtype: Any = None) -> None:
        super().__init__(losses.mean_absolute_error, name=name, dtype=dtype)


class MeanAbsolutePercentageError(_Regression):
    """Mean over samples of 100 · mean_k |y - ŷ| / max(|y|, ε)."""

    def __init__(self, name: str = "mean_absolute_percentage_error", dtype: Any = None) -> None:
        super().__init__(losses.mean_absolute_percentage_error, name=name, dtype=dtype)


class MeanSquaredLogarithmicError(_Regression):
    """Mean over samples of mean_k (log(ŷ + 1) - log(y + 1))²."""

    def __init__(self, name: str = "mean_squared_logarithmic_error", dtype: Any = None) -> None:
        super().__init__(losses.mean_squared_logarithmic_error, name=name, dtype=dtype)


class LogCoshError(_Regression):
    """Mean over samples of mean_k log cosh(ŷ - y)."""

    def __init__(self, name: str = "logcosh", dtype: Any = None) -> None:
        super().__init__(losses.log_cosh, name=name, dtype=dtype)


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> np.ndarray:
    """Σ_axis (y/‖y‖)(ŷ/‖ŷ‖): the negative of the cosine-similarity loss."""
    with no_grad():
        return -to_array(losses.cosine_similarity(y_true, y_pred, axis=axis))


class CosineSimilarity(MeanMetricWrapper):
    """Mean over samples of the cosine of the angle between y and ŷ along ``axis``."""

    def __init__(self, name: str = "cosine_similarity", dtype: Any = None, axis: int = -1) -> None:
        super().__init__(cosine_similarity, name=name, dtype=dtype, axis=axis)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class RootMeanSquaredError(Mean):
    """√(weighted mean of (y - ŷ)² over samples and outputs)."""

    def __init__(self, name: str = "root_mean_squared_error", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)

    def update_state(  # type: ignore[override]
        self, y_true: Any, y_pred: Any, sample_weight: Any = None
    ) -> None:
        y_true, y_pred = to_array(y_true, self._dtype), to_array(y_pred, self._dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        super().update_state(np.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self) -> np.ndarray:
        return np.sqrt(super().result())


class R2Score(Metric):
    """The coefficient of determination per output k, from weighted running sums:

        R²_k = 1 - Σ w (y - ŷ)² / (Σ w y² - (Σ w y)² / Σ w)

    aggregated by ``class_aggregation``: 'uniform_average' (mean over outputs),
    'variance_weighted_average' (weighted by each output's total sum of squares) or None (one per
    output); with ``num_regressors`` p the adjusted R² = 1 - (1 - R²)(n - 1)/(n - p - 1)."""

    _AGGREGATIONS = (None, "uniform_average", "variance_weighted_average")

    def __init__(
        self,
        class_aggregation: str | None = "uniform_average",
        num_regressors: int = 0,
        name: str = "r2_score",
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        if class_aggregation not in self._AGGREGATIONS:
            raise ValueError(
                "Invalid value for argument `class_aggregation`. Expected one of "
                f"{self._AGGREGATIONS}. Received: class_aggregation={class_aggregation!r}"
            )
        if num_regressors < 0:
            raise ValueError(
                "Invalid value for argument `num_regressors`. Expected a value >= 0. "
                f"Received: num_regressors={num_regressors}"
            )
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_variable(name="num_samples")
        self._outputs: int | None = None

    def _build(self, outputs: int) -> None:
        self.squared_sum = self.add_variable(shape=(outputs,), name="squared_sum")
        self.sum = self.add_variable(shape=(outputs,), name="sum")
        self.total_mse = self.add_variable(shape=(outputs,), name="residual")
        self.count = self.add_variable(shape=(outputs,), name="count")
        self._outputs = outputs

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_true, y_pred = to_array(y_true, self._dtype), to_array(y_pred, self._dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if y_true.ndim != 2 or y_pred.ndim != 2:
            raise ValueError(
                "R2Score expects 2D inputs with shape (batch_size, output_dim). Received input "
                f"shapes: y_pred.shape={y_pred.shape} and y_true.shape={y_true.shape}."
            )
        if self._outputs is None:
            self._build(y_pred.shape[-1])
        w = np.ones((), self._dtype) if sample_weight is None else to_array(sample_weight)
        w = w.astype(self._dtype).reshape(-1, 1) if w.ndim == 1 else w.astype(self._dtype)
        w = np.broadcast_to(w, y_true.shape)
        self.sum.assign_add(np.sum(y_true * w, axis=0))
        self.squared_sum.assign_add(np.sum(y_true * y_true * w, axis=0))
        self.total_mse.assign_add(np.sum((y_true - y_pred) ** 2 * w, axis=0))
        self.count.assign_add(np.sum(w, axis=0))
        self.num_samples.assign_add(y_true.size)

    def result(self) -> np.ndarray:
        if self._outputs is None:
            return np.float32(0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = self.sum.value / self.count.value
            total = self.squared_sum.value - self.sum.value * mean
            raw = 1 - self.total_mse.value / total
        raw = np.where(np.isinf(raw), 0.0, raw).astype(self._dtype)
        if self.class_aggregation == "uniform_average":
            score = np.mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            score = np.sum(total * raw) / np.sum(total)
        else:
            score = raw
        n, p = float(self.num_samples.value), self.num_regressors
        if p and p > n - 1:
            warnings.warn(
                "More independent predictors than datapoints in adjusted R2 score. Falling back "
                "to standard R2 score.",
                stacklevel=2,
            )
        elif p and p == n - 1:
            warnings.warn(
                "Division by zero in Adjusted R2 score. Falling back to standard R2 score.",
                stacklevel=2,
            )
        elif p:
            score = 1.0 - (1.0 - score) * (n - 1.0) / (n - p - 1.0)
        return np.asarray(score, dtype=self._dtype)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "class_aggregation": self.class_aggregation,
            "num_regressors": self.num_regressors,
        }
