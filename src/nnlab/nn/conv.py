"""Convolution layers ``Conv1d`` and ``Conv2d`` (PyTorch's layout: channels first)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd import Tensor, conv1d, conv2d
from . import init
from .layers import RngLike, as_generator
from .module import Module, Parameter


def _ints(cls: str, name: str, value: Any, nd: int, minimum: int) -> tuple[int, ...]:
    """An int or an ``nd``-tuple of ints >= minimum, as an ``nd``-tuple."""
    values = (value,) * nd if isinstance(value, int | np.integer) else tuple(value)
    if len(values) != nd or not all(
        isinstance(v, int | np.integer) and not isinstance(v, bool) and v >= minimum for v in values
    ):
        raise ValueError(
            f"{cls}: {name} must be an int >= {minimum} or {nd} of them, got {value!r}"
        )
    return tuple(int(v) for v in values)


class _ConvNd(Module):
    """Shared by Conv1d and Conv2d: the checks, the parameters and their initialisation.

    ``weight`` (out_channels, in_channels/groups, *kernel_size) starts as PyTorch's:
    kaiming_uniform with a = √5, i.e. U(-1/√fan_in, 1/√fan_in) with
    fan_in = in_channels/groups · Π kernel_size; ``bias`` (out_channels,) U(-1/√fan_in, 1/√fan_in).
    """

    nd = 2

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        *,
        rng: RngLike = None,
        dtype: Any = np.float32,
    ) -> None:
        super().__init__()
        cls, nd = type(self).__name__, self.nd
        for name, n in (("in_channels", in_channels), ("out_channels", out_channels)):
            if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < 1:
                raise ValueError(f"{cls}: {name} must be a positive int, got {n!r}")
        if not isinstance(groups, int | np.integer) or groups < 1 or in_channels % groups:
            raise ValueError(
                f"{cls}: groups={groups!r} must be a positive int dividing "
                f"in_channels={in_channels} and out_channels={out_channels}"
            )
        if out_channels % groups:
            raise ValueError(
                f"{cls}: groups={groups} must divide out_channels={out_channels} (and "
                f"in_channels={in_channels})"
            )
        if padding_mode != "zeros":
            raise ValueError(f"{cls}: only padding_mode='zeros' is supported, got {padding_mode!r}")
        self.kernel_size = _ints(cls, "kernel_size", kernel_size, nd, 1)
        self.stride = _ints(cls, "stride", stride, nd, 1)
        self.dilation = _ints(cls, "dilation", dilation, nd, 1)
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(f"{cls}: padding must be 'valid', 'same' or ints, got {padding!r}")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError(f"{cls}: padding='same' is not supported for strided convolutions")
            self.padding: Any = padding
        else:
            self.padding = _ints(cls, "padding", padding, nd, 0)
        dt = np.dtype(dtype)
        if dt not in (np.float32, np.float64):
            raise TypeError(f"{cls}: dtype must be float32 or float64, got {dt}")
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        gen = as_generator(rng)
        shape = (out_channels, in_channels // groups, *self.kernel_size)
        self.weight = init.kaiming_uniform_(Parameter(np.empty(shape, dt)), a=math.sqrt(5), rng=gen)
        bound = 1 / math.sqrt(math.prod(shape[1:]))
        self.bias: Parameter | None = (
            Parameter(gen.uniform(-bound, bound, (out_channels,)).astype(dt)) if bias else None
        )

    def extra_repr(self) -> str:
        text = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding != (0,) * self.nd:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * self.nd:
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        return text + ("" if self.bias is not None else ", bias=False")


class Conv2d(_ConvNd):
    """2-D convolution (cross-correlation) y = x ⋆ W + b, x (N, C_in, H, W) -> (N, C_out, OH, OW),
    OH = (H + 2 p - d (k - 1) - 1) // s + 1; ``padding`` an int, a pair, "valid" or "same"
    (stride 1 only, as PyTorch). ``groups`` splits the channels into independent convolutions
    (groups = in_channels: depthwise)."""

    nd = 2

    def forward(self, x: Any) -> Tensor:
        return conv2d(
            x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups
        )


class Conv1d(_ConvNd):
    """1-D convolution over x (N, C_in, L) -> (N, C_out, OL); options as :class:`Conv2d`."""

    nd = 1

    def forward(self, x: Any) -> Tensor:
        padding = self.padding if isinstance(self.padding, str) else self.padding[0]
        return conv1d(
            x, self.weight, self.bias, self.stride[0], padding, self.dilation[0], self.groups
        )
