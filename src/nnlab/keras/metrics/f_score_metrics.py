"""F-scores: the weighted harmonic mean of precision and recall, per class.

    F_β = (1 + β²) · P · R / (β² P + R)      (ε = 1e-7 added to each divisor, as Keras)

A prediction is positive where ŷ > ``threshold``, or, without a threshold, where it is the
largest of its row (and not ~0). ``average``: None (one score per class), 'micro' (counts
pooled over classes), 'macro' (mean of the class scores) or 'weighted' (mean weighted by the
number of true instances of each class).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..config import epsilon
from .metric import Metric, to_array

__all__ = ["F1Score", "FBetaScore"]


class FBetaScore(Metric):
    """F_β over (N, K) targets and predictions (one-hot or multi-label)."""

    def __init__(
        self,
        average: str | None = None,
        beta: float = 1.0,
        threshold: float | None = None,
        name: str = "fbeta_score",
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError(
                "Invalid `average` argument value. Expected one of: {None, 'micro', 'macro', "
                f"'weighted'}}. Received: average={average}"
            )
        if not isinstance(beta, float):
            raise ValueError(
                "Invalid `beta` argument value. It should be a Python float. "
                f"Received: beta={beta} of type '{type(beta)}'"
            )
        if beta <= 0.0:
            raise ValueError(
                f"Invalid `beta` argument value. It should be > 0. Received: beta={beta}"
            )
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError(
                    "Invalid `threshold` argument value. It should be a Python float. "
                    f"Received: threshold={threshold} of type '{type(threshold)}'"
                )
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError(
                    "Invalid `threshold` argument value. It should verify 0 < threshold <= 1. "
                    f"Received: threshold={threshold}"
                )
        self.average, self.beta, self.threshold = average, beta, threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true_shape: tuple[Any, ...], y_pred_shape: tuple[Any, ...]) -> None:
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(
                f"{type(self).__name__} expects 2D inputs with shape (batch_size, output_dim). "
                f"Received input shapes: y_pred.shape={tuple(y_pred_shape)} and "
                f"y_true.shape={tuple(y_true_shape)}."
            )
        if y_pred_shape[-1] is None or y_true_shape[-1] is None:
            raise ValueError(
                f"{type(self).__name__} expects 2D inputs with shape (batch_size, output_dim), "
                "with output_dim fully defined (not None). Received input shapes: "
                f"y_pred.shape={tuple(y_pred_shape)} and y_true.shape={tuple(y_true_shape)}."
            )
        shape = () if self.average == "micro" else (y_pred_shape[-1],)
        self.true_positives = self.add_variable(shape=shape, name="true_positives")
        self.false_positives = self.add_variable(shape=shape, name="false_positives")
        self.false_negatives = self.add_variable(shape=shape, name="false_negatives")
        self.intermediate_weights = self.add_variable(shape=shape, name="intermediate_weights")
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_true, y_pred = to_array(y_true, self._dtype), to_array(y_pred, self._dtype)
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        if self.threshold is None:
            top = y_pred >= y_pred.max(axis=-1, keepdims=True)
            predicted = top & (np.abs(y_pred) > 1e-9)
        else:
            predicted = y_pred > self.threshold
        pred = predicted.astype(self._dtype)
        w = None if sample_weight is None else to_array(sample_weight, self._dtype)[:, None]

        def weighted_sum(values: np.ndarray) -> np.ndarray:
            return np.sum(values if w is None else values * w, axis=self.axis)

        self.true_positives.assign_add(weighted_sum(pred * y_true))
        self.false_positives.assign_add(weighted_sum(pred * (1 - y_true)))
        self.false_negatives.assign_add(weighted_sum((1 - pred) * y_true))
        self.intermediate_weights.assign_add(weighted_sum(y_true))

    def result(self) -> np.ndarray:
        if not self._built:
            return np.float32(0.0)
        tp, fp = self.true_positives.value, self.false_positives.value
        fn = self.false_negatives.value
        precision = tp / (tp + fp + epsilon())
        recall = tp / (tp + fn + epsilon())
        b2 = self.beta**2
        score = precision * recall / (b2 * precision + recall + epsilon()) * (1 + b2)
        if self.average == "weighted":
            weights = self.intermediate_weights.value
            score = np.sum(score * weights / (np.sum(weights) + epsilon()))
        elif self.average is not None:
            score = np.mean(score)
        return np.asarray(score, dtype=self._dtype)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "average": self.average,
            "beta": self.beta,
            "threshold": self.threshold,
        }


class F1Score(FBetaScore):
    """F_1 = 2 P R / (P + R): FBetaScore with β = 1."""

    def __init__(
        self,
        average: str | None = None,
        threshold: float | None = None,
        name: str = "f1_score",
        dtype: Any = None,
    ) -> None:
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["beta"]
        return config
