"""Sum, Mean and MeanMetricWrapper: the metrics that average (or add up) per-sample values.

With values v_i and sample weights w_i (1 when not given):

    Sum  = Σ_i w_i v_i
    Mean = Σ_i w_i v_i / Σ_i w_i     (0 when Σ w = 0, Keras's divide_no_nan)

Values of rank > 1 are first reduced to one value per sample (the mean of its elements for Mean,
the sum for Sum); a weight of rank k weighs the first k axes of the values, as in Keras 3's
``reduce_to_samplewise_values``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from nnlab.autograd import no_grad

from ..losses.loss import squeeze_or_expand_to_same_rank
from .metric import Metric, to_array

__all__ = ["Mean", "MeanMetricWrapper", "Sum", "reduce_to_samplewise_values"]

Reduce = Callable[..., np.ndarray]


def reduce_to_samplewise_values(
    values: Any, sample_weight: Any, reduce_fn: Reduce, dtype: np.dtype
) -> tuple[np.ndarray, np.ndarray | None]:
    """(weighted values, one per sample; the weights reduced to one per sample, or None)."""
    values = to_array(values, dtype)
    weight = None
    if sample_weight is not None:
        weight = to_array(sample_weight, dtype)
        values, weight = squeeze_or_expand_to_same_rank(values, weight)
        if values.ndim > weight.ndim:
            values = reduce_fn(values, axis=tuple(range(weight.ndim, values.ndim)))
        try:
            weight = np.broadcast_to(weight, values.shape)
        except ValueError:
            raise ValueError(
                f"sample_weight of shape {weight.shape} does not broadcast to the values of "
                f"shape {values.shape}"
            ) from None
        values = values * weight
        if weight.ndim > 1:
            weight = reduce_fn(weight, axis=tuple(range(1, weight.ndim)))
    if values.ndim > 1:
        values = reduce_fn(values, axis=tuple(range(1, values.ndim)))
    return values, weight


class Sum(Metric):
    """The running (weighted) sum Σ w_i v_i of the values given to ``update_state``."""

    def __init__(self, name: str = "sum", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(name="total")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        values, _ = reduce_to_samplewise_values(values, sample_weight, np.sum, self._dtype)
        self.total.assign_add(np.sum(values))

    def result(self) -> np.ndarray:
        return self.total.numpy()


class Mean(Metric):
    """The running weighted mean Σ w_i v_i / Σ w_i (``total`` / ``count``)."""

    def __init__(self, name: str = "mean", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(name="total")
        self.count = self.add_variable(name="count")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        values, weight = reduce_to_samplewise_values(values, sample_weight, np.mean, self._dtype)
        self.total.assign_add(np.sum(values))
        if weight is not None:
            self.count.assign_add(np.sum(weight))
        else:
            self.count.assign_add(values.shape[0] if values.ndim else 1)

    def result(self) -> np.ndarray:
        count = self.count.value
        return np.where(count == 0, 0, self.total.value / np.where(count == 0, 1, count)).astype(
            self._dtype
        )


class MeanMetricWrapper(Mean):
    """The mean over samples of ``fn(y_true, y_pred, **kwargs)``, a per-sample function."""

    def __init__(
        self, fn: Callable[..., Any], name: str | None = None, dtype: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(
            name=name or str(getattr(fn, "__name__", "mean_metric_wrapper")), dtype=dtype
        )
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(  # type: ignore[override]
        self, y_true: Any, y_pred: Any, sample_weight: Any = None
    ) -> None:
        with no_grad():  # a loss function given Tensors must not build a graph here
            values = self._fn(y_true, y_pred, **self._fn_kwargs)
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), **self._fn_kwargs}
        if type(self) is MeanMetricWrapper:  # the subclasses fix their function, as Keras's do
            from ..saving.serialization_lib import serialize_keras_object

            config["fn"] = serialize_keras_object(self._fn)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Any:
        if "fn" in config:  # Keras's description of the function (a registered or known one)
            from ..saving.serialization_lib import deserialize_keras_object

            config = {**config, "fn": deserialize_keras_object(config["fn"])}
        return cls(**config)
