"""Transposed convolution layers ``ConvTranspose1d`` and ``ConvTranspose2d`` (PyTorch's layout:
channels first, weight (in_channels, out_channels/groups, *kernel_size))."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..autograd import Tensor, conv_transpose1d, conv_transpose2d
from ..autograd.conv_transpose_ops import int_tuple
from ..autograd.ops import as_tensor
from . import init
from .layers import RngLike, as_generator
from .module import Module, Parameter


class _ConvTransposeNd(Module):
    """Shared by ConvTranspose1d and ConvTranspose2d: the checks, the parameters and their
    initialisation, and ``output_size``.

    ``weight`` (in_channels, out_channels/groups, *kernel_size) starts as PyTorch's:
    kaiming_uniform with a = √5, i.e. U(-1/√fan_in, 1/√fan_in) with
    fan_in = out_channels/groups · Π kernel_size (torch reads the fans off the weight's shape);
    ``bias`` (out_channels,) U(-1/√fan_in, 1/√fan_in).

    Output size per axis: (L - 1) s - 2 p + d (k - 1) + output_padding + 1, where
    output_padding < max(stride, dilation) (it picks one of the input sizes that a
    convolution with these options maps to the same output size).
    """

    nd = 2

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: Any = 1,
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
        if (
            not isinstance(groups, int | np.integer)
            or groups < 1
            or in_channels % groups
            or out_channels % groups
        ):
            raise ValueError(
                f"{cls}: groups={groups!r} must be a positive int dividing "
                f"in_channels={in_channels} and out_channels={out_channels}"
            )
        if padding_mode != "zeros":
            raise ValueError(f"{cls}: only padding_mode='zeros' is supported, got {padding_mode!r}")
        self.kernel_size = int_tuple(cls, "kernel_size", kernel_size, nd, 1)
        self.stride = int_tuple(cls, "stride", stride, nd, 1)
        self.padding = int_tuple(cls, "padding", padding, nd, 0)
        self.dilation = int_tuple(cls, "dilation", dilation, nd, 1)
        self.output_padding = int_tuple(cls, "output_padding", output_padding, nd, 0)
        self._check_output_padding(self.output_padding)
        dt = np.dtype(dtype)
        if dt not in (np.float32, np.float64):
            raise TypeError(f"{cls}: dtype must be float32 or float64, got {dt}")
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        gen = as_generator(rng)
        shape = (in_channels, out_channels // groups, *self.kernel_size)
        self.weight = init.kaiming_uniform_(Parameter(np.empty(shape, dt)), a=math.sqrt(5), rng=gen)
        bound = 1 / math.sqrt(math.prod(shape[1:]))
        self.bias: Parameter | None = (
            Parameter(gen.uniform(-bound, bound, (out_channels,)).astype(dt)) if bias else None
        )

    def _check_output_padding(self, output_padding: tuple[int, ...]) -> None:
        for op, s, d in zip(output_padding, self.stride, self.dilation, strict=True):
            if op >= max(s, d):
                raise ValueError(
                    f"{type(self).__name__}: output_padding {output_padding} must be smaller "
                    f"than either stride {self.stride} or dilation {self.dilation}"
                )

    def _output_padding(self, x: Tensor, output_size: Sequence[int] | None) -> tuple[int, ...]:
        """output_padding, or the one that gives ``output_size`` (its last nd entries: the
        spatial sizes; a full (N, C, ...) shape is accepted, as torch does)."""
        if output_size is None:
            return self.output_padding
        cls, nd = type(self).__name__, self.nd
        sizes = tuple(output_size)[-nd:]
        if len(sizes) != nd or x.ndim != nd + 2:
            raise ValueError(
                f"{cls}: output_size must give {nd} spatial sizes for a {nd + 2}-D input, "
                f"got {tuple(output_size)} for input shape {x.shape}"
            )
        pads = []
        for a in range(nd):
            smallest = (
                (x.shape[2 + a] - 1) * self.stride[a]
                - 2 * self.padding[a]
                + self.dilation[a] * (self.kernel_size[a] - 1)
                + 1
            )
            pad = int(sizes[a]) - smallest
            if not 0 <= pad < max(self.stride[a], self.dilation[a]):
                largest = smallest + max(self.stride[a], self.dilation[a]) - 1
                raise ValueError(
                    f"{cls}: output_size {tuple(sizes)} is not reachable from input shape "
                    f"{x.shape}: axis {a} must be in [{smallest}, {largest}]"
                )
            pads.append(pad)
        return tuple(pads)

    def extra_repr(self) -> str:
        text = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        for name, default in (("padding", 0), ("output_padding", 0), ("dilation", 1)):
            if getattr(self, name) != (default,) * self.nd:
                text += f", {name}={getattr(self, name)}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        return text + ("" if self.bias is not None else ", bias=False")


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution (the adjoint of :class:`~nnlab.nn.Conv2d`, "deconvolution"):
    x (N, C_in, H, W) -> (N, C_out, OH, OW), OH = (H - 1) s - 2 p + d (kh - 1) + output_padding + 1.
    Each input pixel adds its kernel-weighted copy of the kernel into the output, s pixels apart:
    with stride 2 it doubles the resolution (the upsampling of a U-Net or a DCGAN generator)."""

    nd = 2

    def forward(self, x: Any, output_size: Sequence[int] | None = None) -> Tensor:
        x = as_tensor(x)
        return conv_transpose2d(
            x,
            self.weight,
            self.bias,
            self.stride,
            self.padding,
            self._output_padding(x, output_size),
            self.groups,
            self.dilation,
        )


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution over x (N, C_in, L) -> (N, C_out, OL); options as
    :class:`ConvTranspose2d`."""

    nd = 1

    def forward(self, x: Any, output_size: Sequence[int] | None = None) -> Tensor:
        x = as_tensor(x)
        return conv_transpose1d(
            x,
            self.weight,
            self.bias,
            self.stride,
            self.padding,
            self._output_padding(x, output_size),
            self.groups,
            self.dilation,
        )
