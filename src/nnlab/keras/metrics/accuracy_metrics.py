"""Accuracy metrics: the mean over samples of a 0/1 hit, each a ``MeanMetricWrapper``.

    accuracy                     [ŷ == y] elementwise (exact match, Keras's ``Accuracy``)
    binary_accuracy              [(ŷ > threshold) == y] elementwise
    categorical_accuracy         [argmax ŷ == argmax y]           (one-hot targets)
    sparse_categorical_accuracy  [argmax ŷ == y]                  (integer targets)
    top_k_categorical_accuracy   [ŷ_{argmax y} >= k-th largest ŷ] (ties count as hits, as Keras)
    sparse_top_k_categorical_accuracy  the same with integer targets

Element-wise hits of rank > 1 are averaged per sample by ``Mean``.

Compiling with ``metrics=['accuracy']`` does not mean ``Accuracy``: Keras 3 picks binary,
sparse categorical or categorical accuracy from the shapes of the first batch
(:class:`CompileAccuracy`, what ``metrics.get('accuracy')`` gives).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..losses.loss import squeeze_or_expand_to_same_rank
from .metric import Metric, to_array
from .reduction_metrics import MeanMetricWrapper

__all__ = [
    "Accuracy",
    "BinaryAccuracy",
    "CategoricalAccuracy",
    "CompileAccuracy",
    "SparseCategoricalAccuracy",
    "SparseTopKCategoricalAccuracy",
    "TopKCategoricalAccuracy",
    "accuracy",
    "binary_accuracy",
    "categorical_accuracy",
    "sparse_categorical_accuracy",
    "sparse_top_k_categorical_accuracy",
    "top_k_categorical_accuracy",
]


def accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """[ŷ == y] elementwise, float32."""
    y_pred = to_array(y_pred)
    y_true = to_array(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return (y_true == y_pred).astype(np.float32)


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> np.ndarray:
    """[(ŷ > threshold) == y] elementwise, float32."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(to_array(y_true), to_array(y_pred))
    return ((y_pred > threshold).astype(y_true.dtype) == y_true).astype(np.float32)


def categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """[argmax ŷ == argmax y] per sample (one-hot or probability targets)."""
    y_true, y_pred = to_array(y_true), to_array(y_pred)
    return (np.argmax(y_true, axis=-1) == np.argmax(y_pred, axis=-1)).astype(np.float32)


def _sparse_labels(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Integer targets of shape y_pred.shape[:-1] (a trailing axis of 1 squeezed)."""
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    return y_true


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """[argmax ŷ == y] per sample (integer targets, shape (N,) or (N, 1))."""
    y_pred = to_array(y_pred)
    y_true = _sparse_labels(to_array(y_true), y_pred)
    return (np.argmax(y_pred, axis=-1) == y_true).astype(np.float32)


def _in_top_k(labels: np.ndarray, y_pred: np.ndarray, k: int) -> np.ndarray:
    """[ŷ_label >= the k-th largest ŷ] per row (ties with the k-th count, as in Keras)."""
    y_pred = y_pred.reshape(-1, y_pred.shape[-1])
    labels = labels.reshape(-1).astype(np.intp)
    k = min(k, y_pred.shape[-1])
    kth = np.partition(y_pred, -k, axis=-1)[:, -k]
    picked = np.take_along_axis(y_pred, labels[:, None], axis=-1)[:, 0]
    return picked >= kth


def top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> np.ndarray:
    """[the target class is among the k highest scores] per sample (one-hot targets)."""
    y_true, y_pred = to_array(y_true), to_array(y_pred)
    labels = np.argmax(y_true, axis=-1)
    return _in_top_k(labels, y_pred, k).reshape(labels.shape).astype(np.float32)


def sparse_top_k_categorical_accuracy(
    y_true: Any, y_pred: Any, k: int = 5, from_sorted_ids: bool = False
) -> np.ndarray:
    """[y is among the k highest scores] per sample (integer targets). With
    ``from_sorted_ids`` y_pred holds class ids sorted by score: [y in y_pred[:, :k]]."""
    y_true, y_pred = to_array(y_true), to_array(y_pred)
    shape = y_true.shape
    if from_sorted_ids:
        hit = np.any(y_true.reshape(-1, 1) == y_pred.reshape(-1, y_pred.shape[-1])[:, :k], axis=1)
    else:
        hit = _in_top_k(y_true, y_pred, k)
    return hit.reshape(shape).astype(np.float32)


class Accuracy(MeanMetricWrapper):
    """How often predictions equal the targets exactly: mean of [ŷ == y]."""

    def __init__(self, name: str = "accuracy", dtype: Any = None) -> None:
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """Mean of [(ŷ > threshold) == y]: how often a 0/1 prediction matches its target."""

    def __init__(
        self, name: str = "binary_accuracy", dtype: Any = None, threshold: float = 0.5
    ) -> None:
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold


class CategoricalAccuracy(MeanMetricWrapper):
    """Mean of [argmax ŷ == argmax y] (one-hot targets)."""

    def __init__(self, name: str = "categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """Mean of [argmax ŷ == y] (integer targets)."""

    def __init__(self, name: str = "sparse_categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """Mean of [the target class is among the ``k`` highest scores] (one-hot targets)."""

    def __init__(
        self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype: Any = None
    ) -> None:
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """Mean of [y is among the ``k`` highest scores] (integer targets)."""

    def __init__(
        self,
        k: int = 5,
        name: str = "sparse_top_k_categorical_accuracy",
        dtype: Any = None,
        from_sorted_ids: bool = False,
    ) -> None:
        super().__init__(
            sparse_top_k_categorical_accuracy,
            name=name,
            dtype=dtype,
            k=k,
            from_sorted_ids=from_sorted_ids,
        )
        self.k = k
        self.from_sorted_ids = from_sorted_ids

    def get_config(self) -> dict[str, Any]:
        config = {"name": self.name, "dtype": self.dtype, "k": self.k}
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config


def is_binary_or_sparse_categorical(y_true: Any, y_pred: Any) -> tuple[bool, bool]:
    """Keras 3's rule for 'accuracy': binary when ŷ has one output; sparse when y has a lower
    rank than ŷ, or a last axis of 1 while ŷ has several."""
    t_shape, p_shape = np.shape(to_array(y_true)), np.shape(to_array(y_pred))
    is_binary = p_shape[-1] == 1
    is_sparse = len(t_shape) < len(p_shape) or (t_shape[-1] == 1 and p_shape[-1] > 1)
    return is_binary, is_sparse


class CompileAccuracy(Metric):
    """``metrics=['accuracy']`` at compile: binary, sparse categorical or categorical accuracy,
    decided from the shapes of the first ``update_state`` batch (Keras 3's rule, see
    :func:`is_binary_or_sparse_categorical`). Its name is the string the user gave."""

    def __init__(self, name: str = "accuracy", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.chosen: MeanMetricWrapper | None = None

    def _choose(self, y_true: Any, y_pred: Any) -> MeanMetricWrapper:
        if self.chosen is None:
            is_binary, is_sparse = is_binary_or_sparse_categorical(y_true, y_pred)
            cls: type[MeanMetricWrapper]
            if is_binary:
                cls = BinaryAccuracy
            elif is_sparse:
                cls = SparseCategoricalAccuracy
            else:
                cls = CategoricalAccuracy
            self.chosen = cls(name=self.name, dtype=self.dtype)
        return self.chosen

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        self._choose(y_true, y_pred).update_state(y_true, y_pred, sample_weight)

    def result(self) -> np.ndarray:
        return self.chosen.result() if self.chosen is not None else np.float32(0.0)

    def reset_state(self) -> None:
        if self.chosen is not None:
            self.chosen.reset_state()

    @property
    def variables(self) -> list[Any]:
        return self.chosen.variables if self.chosen is not None else []
