"""Normalization layers: ``BatchNorm1d``, ``BatchNorm2d``, ``LayerNorm`` (PyTorch's)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Tensor, batch_norm, layer_norm
from .module import Module, Parameter


def _float_dtype(cls: str, dtype: Any) -> np.dtype:
    dt = np.dtype(dtype)
    if dt not in (np.float32, np.float64):
        raise TypeError(f"{cls}: dtype must be float32 or float64, got {dt}")
    return dt


class _BatchNorm(Module):
    """y = γ (x - μ) / √(σ² + ε) + β per channel (axis 1).

    In training, μ and σ² are the batch's (σ² biased) and the buffers ``running_mean`` and
    ``running_var`` follow r ← (1 - momentum) r + momentum · s, with the unbiased batch variance
    for ``running_var`` (PyTorch's convention); ``momentum=None`` gives the cumulative average
    (momentum = 1 / num_batches_tracked). In evaluation the running statistics normalize.
    ``affine`` adds the parameters γ (``weight``, ones) and β (``bias``, zeros);
    ``track_running_stats=False`` always uses the batch statistics.
    """

    ndims: tuple[int, ...] = ()
    layout = ""
    running_mean: np.ndarray | None  # buffers (see Module.register_buffer)
    running_var: np.ndarray | None
    num_batches_tracked: np.ndarray | None

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        *,
        dtype: Any = np.float32,
    ) -> None:
        super().__init__()
        cls = type(self).__name__
        if not isinstance(num_features, int | np.integer) or num_features < 1:
            raise ValueError(f"{cls}: num_features must be a positive int, got {num_features!r}")
        dt = _float_dtype(cls, dtype)
        self.num_features, self.eps, self.momentum = int(num_features), eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        self.weight = Parameter(np.ones(num_features, dt)) if affine else None
        self.bias = Parameter(np.zeros(num_features, dt)) if affine else None
        tracked = track_running_stats
        self.register_buffer("running_mean", np.zeros(num_features, dt) if tracked else None)
        self.register_buffer("running_var", np.ones(num_features, dt) if tracked else None)
        self.register_buffer("num_batches_tracked", np.array(0, np.int64) if tracked else None)

    def forward(self, x: Any) -> Tensor:
        x = x if isinstance(x, Tensor) else Tensor(np.asarray(x))
        cls, shape = type(self).__name__, x.shape
        if len(shape) not in self.ndims:
            raise ValueError(f"{cls}: input must be {self.layout}, got shape {shape}")
        if shape[1] != self.num_features:
            raise ValueError(
                f"{cls}: input has {shape[1]} channels (axis 1) but num_features is "
                f"{self.num_features}"
            )
        momentum = self.momentum
        if self.training and self.num_batches_tracked is not None:
            self.num_batches_tracked += 1
            if momentum is None:  # the cumulative average of the batch statistics
                momentum = 1.0 / float(self.num_batches_tracked)
        return batch_norm(
            x,
            self.running_mean,  # None unless track_running_stats
            self.running_var,
            self.weight,
            self.bias,
            training=self.training or not self.track_running_stats,
            momentum=0.0 if momentum is None else momentum,
            eps=self.eps,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalization of (N, C) or (N, C, L) inputs, per channel C (see ``_BatchNorm``)."""

    ndims = (2, 3)
    layout = "2-D (N, C) or 3-D (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalization of (N, C, H, W) inputs, per channel C (see ``_BatchNorm``)."""

    ndims = (4,)
    layout = "4-D (N, C, H, W)"


class LayerNorm(Module):
    """y = γ (x - μ) / √(σ² + ε) + β with μ, σ² (biased) of each sample over the last axes,
    which must equal ``normalized_shape``; γ (``weight``, ones) and β (``bias``, zeros) have that
    shape (``elementwise_affine=False``: none; ``bias=False``: no β)."""

    def __init__(
        self,
        normalized_shape: int | tuple[int, ...],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        *,
        dtype: Any = np.float32,
    ) -> None:
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else normalized_shape
        self.normalized_shape = tuple(int(n) for n in shape)
        if not all(n >= 1 for n in self.normalized_shape):
            raise ValueError(
                f"LayerNorm: normalized_shape must be positive, got {normalized_shape}"
            )
        dt = _float_dtype("LayerNorm", dtype)
        self.eps = eps
        affine = elementwise_affine
        self.weight = Parameter(np.ones(self.normalized_shape, dt)) if affine else None
        self.bias = Parameter(np.zeros(self.normalized_shape, dt)) if affine and bias else None

    def forward(self, x: Any) -> Tensor:
        return layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.weight is not None}"
        )
