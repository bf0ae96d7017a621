"""Keras metrics, accumulated cheaply as running sums over the samples of an epoch.

Each metric returns, for a batch, the *sum* over its samples of a per-sample value; the model keeps
Python-float running sums and reports ``sum / samples`` (so an epoch value is the mean over all its
samples, as Keras's ``Mean`` metrics are).

Metrics are given the final layer's values ``z`` together with the ``activation`` still to be
applied to them (``'linear'`` when ``z`` already is the prediction): the fused losses keep the
logits, and accuracy is read from them directly (softmax and sigmoid preserve order, and
σ(z) > 0.5 ⇔ z > 0), without computing probabilities.

- binary accuracy: mean over outputs of [ (ŷ > threshold) == y ];
- categorical accuracy: [argmax ŷ == argmax y];  sparse categorical accuracy: [argmax ŷ == y];
- mse: mean over outputs of (ŷ - y)²;  mae: mean over outputs of |ŷ - y|.

``'accuracy'`` (or ``'acc'``) resolves to binary accuracy when the loss is binary cross-entropy or
the model has one output, to sparse categorical accuracy for integer labels, and to categorical
accuracy otherwise; the history key is the string the user passed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .activations import apply_numpy

__all__ = [
    "Accuracy",
    "BinaryAccuracy",
    "CategoricalAccuracy",
    "MeanAbsoluteError",
    "MeanSquaredError",
    "Metric",
    "SparseCategoricalAccuracy",
    "get",
]

_ORDER_PRESERVING = ("linear", "softmax", "sigmoid", "tanh")


class Metric:
    """A metric: ``batch_total(y_true, z, activation)`` -> sum over the batch (a Python float)."""

    default_name = "metric"

    def __init__(self, name: str | None = None) -> None:
        self.name = name or self.default_name

    def batch_total(self, y_true: np.ndarray, z: np.ndarray, activation: str) -> float:
        raise NotImplementedError

    def resolve(self, loss_name: str, units: int, sparse_targets: bool) -> Metric:
        """The concrete metric for a model (``Accuracy`` picks its variant here)."""
        return self

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class BinaryAccuracy(Metric):
    """Fraction of outputs with (ŷ > threshold) equal to the 0/1 target."""

    default_name = "binary_accuracy"

    def __init__(self, name: str | None = None, threshold: float = 0.5) -> None:
        super().__init__(name)
        self.threshold = threshold

    def batch_total(self, y_true: np.ndarray, z: np.ndarray, activation: str) -> float:
        if activation == "sigmoid" and self.threshold == 0.5:
            hit = (z > 0) == (y_true > 0.5)
        else:
            hit = (apply_numpy(activation, z) > self.threshold) == (y_true > 0.5)
        if hit.shape[1] == 1:
            return float(np.count_nonzero(hit))
        return float(hit.mean(axis=1).sum())


def _argmax(z: np.ndarray, activation: str) -> np.ndarray:
    if activation not in _ORDER_PRESERVING:
        z = apply_numpy(activation, z)
    return z.argmax(axis=1)


class CategoricalAccuracy(Metric):
    """Fraction of samples with argmax ŷ == argmax y (one-hot targets)."""

    default_name = "categorical_accuracy"

    def batch_total(self, y_true: np.ndarray, z: np.ndarray, activation: str) -> float:
        return float(np.count_nonzero(_argmax(z, activation) == y_true.argmax(axis=1)))


class SparseCategoricalAccuracy(Metric):
    """Fraction of samples with argmax ŷ == y (integer labels)."""

    default_name = "sparse_categorical_accuracy"

    def batch_total(self, y_true: np.ndarray, z: np.ndarray, activation: str) -> float:
        return float(np.count_nonzero(_argmax(z, activation) == y_true))


class Accuracy(Metric):
    """'accuracy': binary, categorical or sparse categorical, chosen from the loss and shapes."""

    default_name = "accuracy"

    def batch_total(self, y_true: np.ndarray, z: np.ndarray, activation: str) -> float:
        raise RuntimeError("Accuracy must be resolved against a model before use")

    def resolve(self, loss_name: str, units: int, sparse_targets: bool) -> Metric:
        if loss_name == "binary_crossentropy" or units == 1:
            return BinaryAccuracy(self.name)
        if sparse_targets:
            return SparseCategoricalAccuracy(self.name)
        return CategoricalAccuracy(self.name)


class _Regression(Metric):
    def resolve(self, loss_name: str, units: int, sparse_targets: bool) -> Metric:
        if sparse_targets:
            raise ValueError(
                f"metric {self.name!r} needs targets shaped like the model output (None, {units}),"
                " not integer class labels"
            )
        return self

    def batch_total(self, y_true: np.ndarray, z: np.ndarray, activation: str) -> float:
        d = apply_numpy(activation, z) - y_true
        return float(self._per_element(d).sum()) / d.shape[1]

    @staticmethod
    def _per_element(d: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class MeanSquaredError(_Regression):
    """mean over outputs of (ŷ - y)², averaged over samples."""

    default_name = "mean_squared_error"

    @staticmethod
    def _per_element(d: np.ndarray) -> np.ndarray:
        return d * d


class MeanAbsoluteError(_Regression):
    """mean over outputs of |ŷ - y|, averaged over samples."""

    default_name = "mean_absolute_error"

    @staticmethod
    def _per_element(d: np.ndarray) -> np.ndarray:
        return np.abs(d)


_METRICS: dict[str, type[Metric]] = {
    "accuracy": Accuracy,
    "acc": Accuracy,
    "binary_accuracy": BinaryAccuracy,
    "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "mse": MeanSquaredError,
    "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError,
    "mean_absolute_error": MeanAbsoluteError,
}


def get(spec: Any) -> Metric:
    """A metric from a Keras name (its history key is that name) or a Metric object."""
    if isinstance(spec, Metric):
        return spec
    if isinstance(spec, str) and spec.lower() in _METRICS:
        return _METRICS[spec.lower()](spec)
    raise ValueError(
        f"compile: unknown metric {spec!r}; expected one of {sorted(_METRICS)} or a "
        "nnlab.keras.metrics.Metric"
    )
