"""Regression and hinge losses, per sample (the mean over the last axis unless stated), as
Keras 3 defines them; ε = 1e-7. Each function takes arrays or Tensors and returns a Tensor,
differentiable in y_pred.

    mean_squared_error              mean (y - ŷ)²
    mean_absolute_error             mean |y - ŷ|
    mean_absolute_percentage_error  100 · mean |y - ŷ| / max(|y|, ε)
    mean_squared_logarithmic_error  mean (log(max(ŷ, ε) + 1) - log(max(y, ε) + 1))²
    huber                           mean of ½e² where |e| <= δ, else δ|e| - ½δ²  (e = ŷ - y)
    log_cosh                        mean log cosh(e) = mean e + softplus(-2e) - log 2
    cosine_similarity               -Σ_axis ŷ/‖ŷ‖ · y/‖y‖  (‖·‖ floored at ε)
    hinge                           mean max(1 - y ŷ, 0)     (0/1 targets mapped to -1/1)
    squared_hinge                   mean max(1 - y ŷ, 0)²    (likewise)
    categorical_hinge               max(max_k (1 - y_k) ŷ_k - Σ_k y_k ŷ_k + 1, 0)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import nnlab.autograd as ag
from nnlab.autograd import Tensor

from ..config import epsilon
from .loss import as_prediction, as_target, squeeze_or_expand_to_same_rank

__all__ = [
    "categorical_hinge",
    "cosine_similarity",
    "hinge",
    "huber",
    "log_cosh",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mean_squared_logarithmic_error",
    "squared_hinge",
]


def _pair(y_true: Any, y_pred: Any, same_rank: bool = True) -> tuple[Any, Tensor]:
    """(y_true in y_pred's dtype, y_pred as a Tensor), ranks matched as Keras does."""
    y_pred = as_prediction(y_pred)
    y_true = as_target(y_true, y_pred.dtype)
    if same_rank:
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    try:
        np.broadcast_shapes(tuple(y_true.shape), y_pred.shape)
    except ValueError:
        raise ValueError(
            f"y_true of shape {tuple(y_true.shape)} does not match y_pred of shape {y_pred.shape}"
        ) from None
    return y_true, y_pred


def _raw(y: Any) -> np.ndarray:
    return y.data if isinstance(y, Tensor) else np.asarray(y)


def mean_squared_error(y_true: Any, y_pred: Any) -> Tensor:
    """mean over the last axis of (y - ŷ)²."""
    y_true, y_pred = _pair(y_true, y_pred)
    d = y_pred - y_true
    return (d * d).mean(axis=-1)


def mean_absolute_error(y_true: Any, y_pred: Any) -> Tensor:
    """mean over the last axis of |y - ŷ|."""
    y_true, y_pred = _pair(y_true, y_pred)
    return (y_pred - y_true).abs().mean(axis=-1)


def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> Tensor:
    """100 · mean over the last axis of |y - ŷ| / max(|y|, ε)."""
    y_true, y_pred = _pair(y_true, y_pred)
    scale = np.maximum(np.abs(_raw(y_true)), epsilon()).astype(y_pred.dtype)
    return ((y_true - y_pred) / scale).abs().mean(axis=-1) * 100.0


def mean_squared_logarithmic_error(y_true: Any, y_pred: Any) -> Tensor:
    """mean over the last axis of (log(max(ŷ, ε) + 1) - log(max(y, ε) + 1))²."""
    y_true, y_pred = _pair(y_true, y_pred)
    d = (y_pred.clip(epsilon(), None) + 1.0).log() - np.log(
        np.maximum(_raw(y_true), epsilon()) + 1.0
    ).astype(y_pred.dtype)
    return (d * d).mean(axis=-1)


def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> Tensor:
    """mean over the last axis of ½e² where |e| <= δ, δ|e| - ½δ² elsewhere (e = ŷ - y)."""
    y_true, y_pred = _pair(y_true, y_pred)
    e = y_pred - y_true
    small = np.abs(e.data) <= delta
    return ag.where(small, e * e * 0.5, e.abs() * delta - 0.5 * delta * delta).mean(axis=-1)


def log_cosh(y_true: Any, y_pred: Any) -> Tensor:
    """mean over the last axis of log cosh(ŷ - y), computed as e + softplus(-2e) - log 2."""
    y_true, y_pred = _pair(y_true, y_pred)
    e = y_pred - y_true
    return (e + ag.softplus(e * -2.0) - math.log(2.0)).mean(axis=-1)


def _l2_normalize(x: Any, axis: int) -> Any:
    """x / max(‖x‖, ε) along ``axis`` (Keras's normalize: x · min(1/‖x‖, 1/ε))."""
    if isinstance(x, Tensor):
        return x * ((x * x).sum(axis=axis, keepdims=True).clip(epsilon() ** 2, None).sqrt() ** -1.0)
    norm_sq = np.sum(x * x, axis=axis, keepdims=True)
    return x / np.sqrt(np.maximum(norm_sq, epsilon() ** 2))


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> Tensor:
    """-Σ_axis (y/‖y‖)(ŷ/‖ŷ‖): -1 for parallel vectors, 0 for orthogonal ones (or a zero one)."""
    y_true, y_pred = _pair(y_true, y_pred)
    return -(_l2_normalize(y_pred, axis) * _l2_normalize(y_true, axis)).sum(axis=axis)


def _hinge_targets(y_true: Any) -> Any:
    """0/1 targets mapped to -1/1 (left as they are when any is neither 0 nor 1)."""
    raw = _raw(y_true)
    if np.all((raw == 0) | (raw == 1)):
        return y_true * 2.0 - 1.0
    return y_true


def hinge(y_true: Any, y_pred: Any) -> Tensor:
    """mean over the last axis of max(1 - y ŷ, 0), targets in {-1, 1} (or {0, 1})."""
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    return ag.relu(1.0 - y_pred * _hinge_targets(y_true)).mean(axis=-1)


def squared_hinge(y_true: Any, y_pred: Any) -> Tensor:
    """mean over the last axis of max(1 - y ŷ, 0)², targets in {-1, 1} (or {0, 1})."""
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    h = ag.relu(1.0 - y_pred * _hinge_targets(y_true))
    return (h * h).mean(axis=-1)


def categorical_hinge(y_true: Any, y_pred: Any) -> Tensor:
    """max(neg - pos + 1, 0) with pos = Σ_k y_k ŷ_k and neg = max_k (1 - y_k) ŷ_k."""
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    pos = (y_pred * y_true).sum(axis=-1)
    neg = (y_pred * (1.0 - y_true)).max(axis=-1)
    return ag.relu(neg - pos + 1.0)
