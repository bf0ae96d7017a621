"""Overlap losses for segmentation and a noise-robust cross-entropy, as Keras 3 defines them
(ε = 1e-7; sums over ``axis``, all axes when None):

    dice      1 - 2 Σ y ŷ / (Σ y + Σ ŷ + ε)
    tversky   1 - Σ y ŷ / (Σ y ŷ + α Σ y (1 - ŷ) + β Σ (1 - y) ŷ + ε)
    categorical_generalized_cross_entropy   (1 - p_y^q) / q, p_y the predicted probability of
              the integer label y (Zhang & Sabuncu 2018; q → 0 is the cross-entropy, q = 1 MAE)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab.autograd import Tensor

from ..config import epsilon
from .loss import LossFunctionWrapper, as_prediction, as_target
from .probabilistic import sparse_labels

__all__ = [
    "CategoricalGeneralizedCrossEntropy",
    "Dice",
    "Tversky",
    "categorical_generalized_cross_entropy",
    "dice",
    "tversky",
]

SUM_OVER_BATCH = "sum_over_batch_size"


def _sum(x: Any, axis: Any) -> Any:
    return x.sum(axis=tuple(axis) if isinstance(axis, list) else axis)


def dice(y_true: Any, y_pred: Any, axis: Any = None) -> Tensor:
    """1 - 2 Σ y ŷ / (Σ y + Σ ŷ + ε), sums over ``axis``."""
    y_pred = as_prediction(y_pred)
    y_true = as_target(y_true, y_pred.dtype)
    overlap = _sum(y_pred * y_true, axis)
    return 1.0 - overlap * 2.0 / (_sum(y_pred, axis) + np.sum(y_true, axis=axis) + epsilon())


def tversky(
    y_true: Any, y_pred: Any, alpha: float = 0.5, beta: float = 0.5, axis: Any = None
) -> Tensor:
    """1 - TP / (TP + α FN + β FP + ε) with soft counts TP = Σ y ŷ, FN = Σ y (1 - ŷ),
    FP = Σ (1 - y) ŷ over ``axis``."""
    y_pred = as_prediction(y_pred)
    y_true = as_target(y_true, y_pred.dtype)
    tp = _sum(y_pred * y_true, axis)
    fn = _sum((1.0 - y_pred) * y_true, axis)
    fp = _sum(y_pred * (1.0 - y_true), axis)
    return 1.0 - tp / (tp + fn * alpha + fp * beta + epsilon())


def categorical_generalized_cross_entropy(y_true: Any, y_pred: Any, q: float) -> Tensor:
    """(1 - p_y^q) / q per sample, integer labels y."""
    y_pred = as_prediction(y_pred)
    labels = sparse_labels(y_true, y_pred, -1, "categorical_generalized_cross_entropy")
    one_hot = np.eye(y_pred.shape[-1], dtype=y_pred.dtype)[labels]
    p = (y_pred * one_hot).sum(axis=-1)
    return (1.0 - p**q) / q


class Dice(LossFunctionWrapper):
    """The Dice loss 1 - 2|y ∩ ŷ| / (|y| + |ŷ|) with soft counts."""

    def __init__(
        self,
        reduction: Any = SUM_OVER_BATCH,
        name: str = "dice",
        axis: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(dice, reduction=reduction, name=name, dtype=dtype, axis=axis)
        self.axis = axis


class Tversky(LossFunctionWrapper):
    """The Tversky loss: Dice with weights α on false negatives and β on false positives."""

    def __init__(
        self,
        alpha: float = 0.5,
        beta: float = 0.5,
        reduction: Any = SUM_OVER_BATCH,
        name: str = "tversky",
        axis: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            tversky, reduction=reduction, name=name, dtype=dtype, alpha=alpha, beta=beta, axis=axis
        )
        self.alpha, self.beta, self.axis = alpha, beta, axis


class CategoricalGeneralizedCrossEntropy(LossFunctionWrapper):
    """Mean of (1 - p_y^q) / q, robust to noisy labels, 0 < q < 1."""

    def __init__(
        self,
        q: float = 0.5,
        reduction: Any = SUM_OVER_BATCH,
        name: str = "categorical_generalized_cross_entropy",
        dtype: Any = None,
    ) -> None:
        if not 0 < q < 1:
            raise ValueError("q must be in the interval (0, 1)")
        super().__init__(
            categorical_generalized_cross_entropy,
            reduction=reduction,
            name=name,
            dtype=dtype,
            q=q,
        )
        self.q = q

    def call(self, y_true: Any, y_pred: Any) -> Tensor:
        return self.fn(y_true, y_pred, **self._fn_kwargs)  # integer labels keep their rank
