"""Probabilistic losses, per sample, as Keras 3 defines them (ε = 1e-7; probabilities are
clipped to [ε, 1 - ε] before a log, and normalized to sum 1 for the categorical ones).

    binary_crossentropy       mean_axis -[y log p + (1 - y) log(1 - p)]
    binary_focal_crossentropy mean_axis (1 - p_t)^γ · bce, p_t = y p + (1 - y)(1 - p);
                              × (α y + (1 - α)(1 - y)) with apply_class_balancing
    categorical_crossentropy  -Σ_axis y log p
    categorical_focal_crossentropy  Σ_axis α (1 - p)^γ · (-y log p)
    sparse_categorical_crossentropy -log p_label   (integer labels; ``ignore_class`` masked)
    kl_divergence             Σ y log(y / p), both clipped to [ε, 1]
    poisson                   mean ŷ - y log(ŷ + ε)

``from_logits=True`` takes the scores z before the sigmoid/softmax: p = σ(z) or softmax(z),
through the engine's stable fused ops (no log(0)). ``label_smoothing`` s moves the targets
toward uniform: y(1 - s) + s/2 (binary), y(1 - s) + s/K (categorical, K classes).
"""

from __future__ import annotations

from typing import Any

import numpy as np

import nnlab.autograd as ag
from nnlab.autograd import Tensor

from ..config import epsilon
from .loss import as_prediction
from .regression import _pair, _raw

__all__ = [
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "kl_divergence",
    "poisson",
    "sparse_categorical_crossentropy",
]


def _smooth_binary(y_true: Any, label_smoothing: float) -> Any:
    return y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing if label_smoothing else y_true


def _smooth_categorical(y_true: Any, label_smoothing: float) -> Any:
    if not label_smoothing:
        return y_true
    return y_true * (1.0 - label_smoothing) + label_smoothing / y_true.shape[-1]


def _check_same_shape(where: str, y_true: Any, y_pred: Tensor) -> None:
    if tuple(y_true.shape) != y_pred.shape:
        raise ValueError(
            f"{where}: Arguments `target` and `output` must have the same shape. Received: "
            f"target.shape={tuple(y_true.shape)}, output.shape={y_pred.shape}"
        )


def _elementwise_bce(y_true: Any, y_pred: Tensor, from_logits: bool) -> Tensor:
    """-[y log p + (1 - y) log(1 - p)] per element, p = σ(z) from logits or clip(ŷ, ε, 1 - ε)."""
    if from_logits and not isinstance(y_true, Tensor):
        return ag.sigmoid_binary_cross_entropy(y_pred, y_true, reduction="none")
    if from_logits:  # a differentiable target: the same formula with Tensor ops
        return ag.relu(y_pred) - y_pred * y_true + ag.softplus(-y_pred.abs())
    p = y_pred.clip(epsilon(), 1.0 - epsilon())
    return -(p.log() * y_true + (1.0 - p).log() * (1.0 - y_true))


def binary_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Tensor:
    """mean over ``axis`` of -[y log p + (1 - y) log(1 - p)]."""
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    _check_same_shape("binary_crossentropy", y_true, y_pred)
    y_true = _smooth_binary(y_true, label_smoothing)
    return _elementwise_bce(y_true, y_pred, from_logits).mean(axis=axis)


def binary_focal_crossentropy(
    y_true: Any,
    y_pred: Any,
    apply_class_balancing: bool = False,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Tensor:
    """mean over ``axis`` of (1 - p_t)^γ · bce (· α_t with class balancing), p_t the
    probability given to the true label."""
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    _check_same_shape("binary_focal_crossentropy", y_true, y_pred)
    y_true = _smooth_binary(y_true, label_smoothing)
    p = ag.sigmoid(y_pred) if from_logits else y_pred
    bce = _elementwise_bce(y_true, p, from_logits=False)
    p_t = p * y_true + (1.0 - p) * (1.0 - y_true)
    focal = (1.0 - p_t) ** gamma * bce
    if apply_class_balancing:
        focal = focal * (y_true * alpha + (1.0 - y_true) * (1.0 - alpha))
    return focal.mean(axis=axis)


def _log_probabilities(y_pred: Tensor, from_logits: bool, axis: int) -> Tensor:
    """log p along ``axis``: log_softmax of logits, or the log of normalized, clipped ŷ."""
    if from_logits:
        return ag.log_softmax(y_pred, axis=axis)
    p = y_pred / y_pred.sum(axis=axis, keepdims=True)
    return p.clip(epsilon(), 1.0 - epsilon()).log()


def _check_axis(axis: Any) -> None:
    if isinstance(axis, bool) or not isinstance(axis, int | np.integer):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis!r}")


def categorical_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Tensor:
    """-Σ over ``axis`` of y log p, one-hot (or probability) targets of ŷ's shape."""
    _check_axis(axis)
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    _check_same_shape("categorical_crossentropy", y_true, y_pred)
    y_true = _smooth_categorical(y_true, label_smoothing)
    if from_logits and y_pred.ndim == 2 and axis in (-1, 1) and not isinstance(y_true, Tensor):
        return ag.softmax_cross_entropy(y_pred, y_true, reduction="none")  # one fused node
    return -(_log_probabilities(y_pred, from_logits, axis) * y_true).sum(axis=axis)


def categorical_focal_crossentropy(
    y_true: Any,
    y_pred: Any,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Tensor:
    """Σ over ``axis`` of α (1 - p)^γ · (-y log p), p the normalized, clipped probabilities."""
    _check_axis(axis)
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    _check_same_shape("categorical_focal_crossentropy", y_true, y_pred)
    y_true = _smooth_categorical(y_true, label_smoothing)
    if from_logits:
        y_pred = ag.softmax(y_pred, axis=axis)
    p = (y_pred / y_pred.sum(axis=axis, keepdims=True)).clip(epsilon(), 1.0 - epsilon())
    return ((1.0 - p) ** gamma * alpha * -(p.log() * y_true)).sum(axis=axis)


def sparse_labels(y_true: Any, y_pred: Tensor, axis: int, where: str) -> np.ndarray:
    """Integer labels of shape ŷ.shape without ``axis`` (a size-1 class axis squeezed)."""
    labels = _raw(y_true)
    if labels.ndim == y_pred.ndim and labels.shape[axis] == 1:
        labels = np.squeeze(labels, axis=axis)
    expected = tuple(d for i, d in enumerate(y_pred.shape) if i != axis % y_pred.ndim)
    if labels.shape != expected:
        raise ValueError(
            f"{where}: integer labels of shape {labels.shape} do not match predictions of shape "
            f"{y_pred.shape} (expected labels of shape {expected})"
        )
    if labels.dtype.kind == "f" and not np.array_equal(labels, np.round(labels)):
        raise ValueError(f"{where}: class labels must be whole numbers")
    return labels.astype(np.intp)


def sparse_categorical_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    ignore_class: int | None = None,
    axis: int = -1,
) -> Tensor:
    """-log p_label per sample, integer labels y in [0, K); 0 where y == ``ignore_class``."""
    _check_axis(axis)
    y_pred = as_prediction(y_pred)
    labels = sparse_labels(y_true, y_pred, axis, "sparse_categorical_crossentropy")
    valid = labels != ignore_class if ignore_class is not None else None
    if valid is not None:
        labels = np.where(valid, labels, 0)
    k = y_pred.shape[axis]
    if labels.size and (labels.min() < 0 or labels.max() >= k):
        raise ValueError(
            f"sparse_categorical_crossentropy: labels must lie in [0, {k - 1}] for {k} classes, "
            f"got labels in [{labels.min()}, {labels.max()}]"
        )
    if from_logits and y_pred.ndim == 2 and axis in (-1, 1):
        out = ag.softmax_cross_entropy(y_pred, labels, reduction="none")  # one fused node
    else:
        one_hot = np.moveaxis(np.eye(k, dtype=y_pred.dtype)[labels], -1, axis)
        out = -(_log_probabilities(y_pred, from_logits, axis) * one_hot).sum(axis=axis)
    return out if valid is None else ag.where(valid, out, 0.0)


def kl_divergence(y_true: Any, y_pred: Any) -> Tensor:
    """Σ over the last axis of y log(y / ŷ), both clipped to [ε, 1]."""
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    t = np.clip(_raw(y_true), epsilon(), 1.0).astype(y_pred.dtype)
    return (t * (np.log(t) - y_pred.clip(epsilon(), 1.0).log())).sum(axis=-1)


def poisson(y_true: Any, y_pred: Any) -> Tensor:
    """mean over the last axis of ŷ - y log(ŷ + ε)."""
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    return (y_pred - (y_pred + epsilon()).log() * y_true).mean(axis=-1)
