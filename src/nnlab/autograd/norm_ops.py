"""Normalization: ``batch_norm`` and ``layer_norm``, one node each, with the closed-form backward.

Both standardize x over a set of axes A (n values each), then apply a per-feature affine map:

    μ = (1/n) Σ_A x,  σ² = (1/n) Σ_A (x - μ)²  (biased),  x̂ = (x - μ) / √(σ² + ε),  y = γ x̂ + β

and share the backward (g = dL/dy, ĝ = γ g):

    dx = (ĝ - mean_A(ĝ) - x̂ · mean_A(ĝ x̂)) / √(σ² + ε),   dγ = Σ g x̂,  dβ = Σ g

(γ and β summed over every axis they are broadcast along). Batch norm: A = every axis but the
channels; layer norm: A = the last axes (``normalized_shape``). In evaluation, batch norm uses
the running statistics instead, a constant affine map: dx = γ g / √(running_var + ε).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .function import Function
from .ops import as_tensor
from .tensor import Tensor


class _Normalize(Function):
    """x̂ = (x - μ) / √(σ² + ε) over ``stat_axes``, then y = γ x̂ + β with γ, β reshaped to
    ``param_shape`` (broadcast over ``param_axes``); subclasses say where μ and σ² come from."""

    __slots__ = (
        "eps",
        "has_weight",
        "has_bias",
        "stat_axes",
        "param_axes",
        "param_shape",
        "batch_stats",
        "x_hat",
        "inv_std",
        "weight",
    )
    fresh_grads = True
    stat_axes: tuple[int, ...]  # the axes of μ and σ²
    param_axes: tuple[int, ...]  # the axes γ and β are broadcast along
    param_shape: tuple[int, ...]  # γ and β reshaped to broadcast against x
    batch_stats: bool  # μ and σ² computed from x (else constants)

    def __init__(self, eps: float, has_weight: bool, has_bias: bool) -> None:
        self.eps, self.has_weight, self.has_bias = eps, has_weight, has_bias

    def _standardize(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(μ, σ²) over the stat axes (σ² biased), keeping their dimensions."""
        mean = x.mean(axis=self.stat_axes, keepdims=True)
        centered = x - mean
        return mean, (centered * centered).mean(axis=self.stat_axes, keepdims=True)

    def _normalize(
        self, x: np.ndarray, mean: np.ndarray, var: np.ndarray, params: tuple[np.ndarray, ...]
    ) -> np.ndarray:
        """y = γ (x - μ) / √(σ² + ε) + β, keeping x̂ and 1/√(σ² + ε) for the backward."""
        self.inv_std = 1 / np.sqrt(var + self.eps)
        self.x_hat = (x - mean) * self.inv_std
        self.weight = params[0].reshape(self.param_shape) if self.has_weight else None
        y = self.x_hat * self.weight if self.weight is not None else self.x_hat.copy()
        if self.has_bias:
            y += params[-1].reshape(self.param_shape)
        return y

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        x_hat, axes, params = self.x_hat, self.stat_axes, self.inputs[1:]
        dx = None
        if self.inputs[0].requires_grad:
            g_hat = grad * self.weight if self.weight is not None else grad
            if self.batch_stats:  # μ and σ² depend on x
                g_hat = g_hat - g_hat.mean(axis=axes, keepdims=True)
                g_hat -= x_hat * (g_hat * x_hat).mean(axis=axes, keepdims=True)
            dx = g_hat * self.inv_std
        grads: list[np.ndarray | None] = [dx]
        if self.has_weight:
            needed = params[0].requires_grad
            grads.append((grad * x_hat).sum(axis=self.param_axes) if needed else None)
        if self.has_bias:
            grads.append(grad.sum(axis=self.param_axes) if params[-1].requires_grad else None)
        return tuple(grads)


def _check_param(op: str, name: str, p: Any, shape: tuple[int, ...]) -> None:
    if p is not None and np.shape(p) != shape:
        raise ValueError(f"{op}: {name} must have shape {shape}, got {np.shape(p)}")


def _apply(op: _Normalize, x: Tensor, weight: Any, bias: Any) -> Tensor:
    return op.apply(x, *(as_tensor(p) for p in (weight, bias) if p is not None))


class BatchNorm(_Normalize):
    """Batch normalization over every axis but the channels (``axis``).

    Training: μ, σ² of this batch (σ² biased) normalize x, and the running statistics, if given,
    are updated in place with PyTorch's momentum m: r ← (1 - m) r + m s, where s is μ for the
    mean and the unbiased σ² · n / (n - 1) for the variance. Evaluation: the running statistics
    normalize x, a constant affine map.
    """

    __slots__ = ("axis", "training", "momentum", "running_mean", "running_var")

    def __init__(
        self,
        axis: int,
        training: bool,
        momentum: float,
        eps: float,
        running: tuple[np.ndarray | None, np.ndarray | None],
        has_weight: bool,
        has_bias: bool,
    ) -> None:
        super().__init__(eps, has_weight, has_bias)
        self.axis, self.training, self.momentum = axis, training, momentum
        self.running_mean, self.running_var = running

    def forward(self, x: np.ndarray, *params: np.ndarray) -> np.ndarray:
        c = x.shape[self.axis]
        self.stat_axes = tuple(i for i in range(x.ndim) if i != self.axis)
        self.param_axes = self.stat_axes
        self.param_shape = tuple(c if i == self.axis else 1 for i in range(x.ndim))
        self.batch_stats = self.training
        if not self.training:
            assert self.running_mean is not None and self.running_var is not None
            mean = self.running_mean.reshape(self.param_shape).astype(x.dtype, copy=False)
            var = self.running_var.reshape(self.param_shape).astype(x.dtype, copy=False)
            return self._normalize(x, mean, var, params)
        n = x.size // c
        if n < 2:
            raise ValueError(
                f"batch_norm: training needs more than 1 value per channel to compute a "
                f"variance, got input shape {x.shape}"
            )
        mean, var = self._standardize(x)
        m = self.momentum
        if self.running_mean is not None:
            self.running_mean *= 1 - m
            self.running_mean += m * mean.reshape(-1)
        if self.running_var is not None:
            self.running_var *= 1 - m
            self.running_var += (m * n / (n - 1)) * var.reshape(-1)
        return self._normalize(x, mean, var, params)


def batch_norm(
    x: Any,
    running_mean: np.ndarray | None,
    running_var: np.ndarray | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
    axis: int = 1,
) -> Tensor:
    """Batch normalization y = γ (x - μ) / √(σ² + ε) + β per channel (PyTorch's argument order).

    Args:
        x: (N, C), (N, C, L) or (N, C, H, W); the channels on ``axis`` (1; -1 for channels_last).
        running_mean, running_var: (C,) arrays, updated in place when ``training`` (either may be
            None then); required for evaluation (``training=False``).
        weight, bias: γ and β of shape (C,), or None (1 and 0).
        momentum: r ← (1 - momentum) r + momentum · batch statistic (PyTorch's convention;
            Keras's ``momentum`` is 1 - this one).
    """
    x = as_tensor(x)
    if x.ndim < 2:
        raise ValueError(f"batch_norm: input must be at least 2-D (N, C, ...), got shape {x.shape}")
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(f"batch_norm: axis {axis} is out of range for input shape {x.shape}")
    axis %= x.ndim
    c = x.shape[axis]
    for name, stat in (("running_mean", running_mean), ("running_var", running_var)):
        if stat is None and not training:
            raise ValueError(f"batch_norm: evaluation (training=False) needs {name}")
        if stat is not None and stat.shape != (c,):
            raise ValueError(f"batch_norm: {name} must have shape ({c},), got {stat.shape}")
    _check_param("batch_norm", "weight", weight, (c,))
    _check_param("batch_norm", "bias", bias, (c,))
    op = BatchNorm(
        axis,
        training,
        momentum,
        eps,
        (running_mean, running_var),
        weight is not None,
        bias is not None,
    )
    return _apply(op, x, weight, bias)


class LayerNorm(_Normalize):
    """Layer normalization over the last ``k`` axes, with μ and σ² of each sample (no running
    statistics); γ and β have the shape of those axes."""

    __slots__ = ("k",)

    def __init__(self, k: int, eps: float, has_weight: bool, has_bias: bool) -> None:
        super().__init__(eps, has_weight, has_bias)
        self.k, self.batch_stats = k, True

    def forward(self, x: np.ndarray, *params: np.ndarray) -> np.ndarray:
        lead = x.ndim - self.k
        self.stat_axes = tuple(range(lead, x.ndim))
        self.param_axes = tuple(range(lead))
        self.param_shape = x.shape[lead:]
        mean, var = self._standardize(x)
        return self._normalize(x, mean, var, params)


def layer_norm(
    x: Any,
    normalized_shape: int | tuple[int, ...],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Layer normalization y = γ (x - μ) / √(σ² + ε) + β, μ and σ² (biased) over the last
    axes, which must equal ``normalized_shape``; γ and β have that shape (or are None)."""
    x = as_tensor(x)
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if x.shape[x.ndim - len(shape) :] != shape or len(shape) > x.ndim:
        raise ValueError(
            f"layer_norm: the last axes of the input {x.shape} must be normalized_shape {shape}"
        )
    _check_param("layer_norm", "weight", weight, shape)
    _check_param("layer_norm", "bias", bias, shape)
    op = LayerNorm(len(shape), eps, weight is not None, bias is not None)
    return _apply(op, x, weight, bias)
