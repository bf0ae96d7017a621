"""``compile(loss='crossentropy')`` (or ``'ce'``): Keras 3's convenience choice between the binary,
sparse categorical and categorical cross-entropies, made from the shapes of the targets y and
the predictions ŷ (Keras's ``is_binary_or_sparse_categorical``):

    binary              when ŷ's last axis has size 1
    sparse categorical  when rank(y) < rank(ŷ), or y's last axis is 1 and ŷ's is > 1
    categorical         otherwise

Keras makes the choice when compiling the loss for the first batch; :class:`CompileCrossentropy`
makes it on the first targets it sees (``prepare_targets`` before training, or the first call)
and then behaves as the chosen loss.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab.autograd import Tensor

from .loss import Loss
from .losses import BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy

__all__ = ["CompileCrossentropy", "choose_crossentropy"]


def _shape(x: Any) -> tuple[int, ...]:
    shape = tuple(x.shape) if hasattr(x, "shape") else np.shape(x)
    return shape if shape else (1,)


def choose_crossentropy(true_shape: tuple[int, ...], pred_shape: tuple[int, ...]) -> type[Loss]:
    """The cross-entropy class Keras 3's compile picks for these shapes."""
    if pred_shape[-1] == 1:
        return BinaryCrossentropy
    if len(true_shape) < len(pred_shape) or (true_shape[-1] == 1 and pred_shape[-1] > 1):
        return SparseCategoricalCrossentropy
    return CategoricalCrossentropy


class CompileCrossentropy(Loss):
    """Binary, sparse categorical or categorical cross-entropy, chosen from the first shapes."""

    def __init__(
        self, reduction: Any = "sum_over_batch_size", name: str = "crossentropy", dtype: Any = None
    ) -> None:
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.chosen: Loss | None = None

    def _choose(self, true_shape: tuple[int, ...], pred_shape: tuple[int, ...]) -> Loss:
        if self.chosen is None:
            cls = choose_crossentropy(true_shape, pred_shape)
            self.chosen = cls(reduction=self.reduction, name=self.name, dtype=self.dtype)
            self.fused_activation = self.chosen.fused_activation
            self.from_logits = self.chosen.from_logits
        return self.chosen

    def prepare_targets(self, y: Any, units: int, where: str) -> np.ndarray:
        shape = _shape(y)
        return self._choose(shape, (shape[0], units)).prepare_targets(y, units, where)

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        loss = self._choose(_shape(y_true), _shape(y_pred))
        return loss(y_true, y_pred, sample_weight=sample_weight)

    def logits_loss(self, y_true: Any, logits: Tensor, sample_weight: Any = None) -> Tensor:
        loss = self._choose(_shape(y_true), _shape(logits))
        return loss.logits_loss(y_true, logits, sample_weight=sample_weight)
