"""One rate at the best threshold that keeps another at or above a target value, from
confusion counts at ``num_thresholds`` evenly spaced thresholds in [0, 1]:

    SensitivityAtSpecificity(s)  max recall TP/(TP+FN) over thresholds with TN/(TN+FP) >= s
    SpecificityAtSensitivity(s)  max TN/(TN+FP) over thresholds with recall >= s
    PrecisionAtRecall(r)         max precision TP/(TP+FP) over thresholds with recall >= r
    RecallAtPrecision(p)         max recall over thresholds with precision >= p

(0 when no threshold meets the constraint).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .confusion_metrics import confusion_counts, divide_no_nan
from .metric import Metric

__all__ = [
    "PrecisionAtRecall",
    "RecallAtPrecision",
    "SensitivityAtSpecificity",
    "SpecificityAtSensitivity",
]


class _RateAtRate(Metric):
    """Counts TP, FP, TN, FN at the thresholds; subclasses name the constraint (``_target``)."""

    _target: str  # the argument's name: 'specificity', 'sensitivity', 'recall', 'precision'

    def __init__(
        self,
        value: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        if value < 0 or value > 1:
            raise ValueError(
                f"Argument `{self._target}` must be in the range [0, 1]. "
                f"Received: {self._target}={value}"
            )
        if num_thresholds <= 0:
            raise ValueError(
                "Argument `num_thresholds` must be an integer > 0. "
                f"Received: num_thresholds={num_thresholds}"
            )
        super().__init__(name=name, dtype=dtype)
        self.value, self.num_thresholds, self.class_id = value, num_thresholds, class_id
        setattr(self, self._target, value)
        if num_thresholds == 1:
            self.thresholds, self._evenly = [0.5], False
        else:
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds, self._evenly = [0.0, *inner, 1.0], True
        shape = (len(self.thresholds),)
        self.true_positives = self.add_variable(shape=shape, name="true_positives")
        self.false_positives = self.add_variable(shape=shape, name="false_positives")
        self.true_negatives = self.add_variable(shape=shape, name="true_negatives")
        self.false_negatives = self.add_variable(shape=shape, name="false_negatives")

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        counts = confusion_counts(
            y_true,
            y_pred,
            self.thresholds,
            evenly=self._evenly,
            class_id=self.class_id,
            sample_weight=sample_weight,
        )
        self.true_positives.assign_add(counts["tp"])
        self.false_positives.assign_add(counts["fp"])
        self.true_negatives.assign_add(counts["tn"])
        self.false_negatives.assign_add(counts["fn"])

    def _rates(self) -> dict[str, np.ndarray]:
        tp, fp = self.true_positives.value, self.false_positives.value
        tn, fn = self.true_negatives.value, self.false_negatives.value
        recall = divide_no_nan(tp, tp + fn)
        return {
            "sensitivity": recall,
            "recall": recall,
            "specificity": divide_no_nan(tn, tn + fp),
            "precision": divide_no_nan(tp, tp + fp),
        }

    def _best(self, constrained: str, dependent: str) -> np.ndarray:
        """max of ``dependent`` over the thresholds where ``constrained`` >= the target."""
        rates = self._rates()
        feasible = rates[constrained] >= self.value
        return np.float32(np.max(np.where(feasible, rates[dependent], 0.0), initial=0.0))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "class_id": self.class_id,
            "num_thresholds": self.num_thresholds,
            self._target: self.value,
        }


class SensitivityAtSpecificity(_RateAtRate):
    """The best recall (sensitivity) among thresholds with specificity >= ``specificity``."""

    _target = "specificity"

    def __init__(
        self,
        specificity: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(specificity, num_thresholds, class_id, name, dtype)

    def result(self) -> np.ndarray:
        return self._best("specificity", "sensitivity")


class SpecificityAtSensitivity(_RateAtRate):
    """The best specificity among thresholds with recall >= ``sensitivity``."""

    _target = "sensitivity"

    def __init__(
        self,
        sensitivity: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)

    def result(self) -> np.ndarray:
        return self._best("sensitivity", "specificity")


class PrecisionAtRecall(_RateAtRate):
    """The best precision among thresholds with recall >= ``recall``."""

    _target = "recall"

    def __init__(
        self,
        recall: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(recall, num_thresholds, class_id, name, dtype)

    def result(self) -> np.ndarray:
        return self._best("recall", "precision")


class RecallAtPrecision(_RateAtRate):
    """The best recall among thresholds with precision >= ``precision``."""

    _target = "precision"

    def __init__(
        self,
        precision: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(precision, num_thresholds, class_id, name, dtype)

    def result(self) -> np.ndarray:
        return self._best("precision", "recall")
