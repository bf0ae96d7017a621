"""Transposed convolution layers, Keras 3's: ``Conv1DTranspose`` and ``Conv2DTranspose``.

A transposed convolution goes the opposite way of a convolution: from something the shape of a
convolution's output to something the shape of its input (the upsampling half of an
autoencoder, a U-Net or a DCGAN generator). Each input pixel adds a copy of the kernel, weighted
by its values, into the output, ``strides`` pixels apart:

    full[n, h s_h + i d_h, w s_w + j d_w, o] += Σ_c x[n, h, w, c] K[i, j, o, c]
    y = act(full cropped as below + b)

Layout (Keras's): inputs channels_last by default, kernel (*kernel_size, filters, in_channels)
(note: filters before in_channels, the reverse of Conv2D's), bias (filters,).

Output size per spatial axis (Keras's ``compute_conv_transpose_output_shape``),
k_eff = d (k - 1) + 1:

- "valid": (L - 1) s + k_eff + output_padding, output_padding defaulting to max(k_eff, s) - k_eff;
- "same":  L · s when output_padding is None, else (L - 1) s + k_eff mod 2 + output_padding.

Where the output window lies in the uncropped one, of (L - 1) s + k_eff pixels (Keras 3's torch
backend, which matches its JAX one): with Keras's padding (before, after) of the equivalent
dilated-input convolution, "valid": (k_eff - 1, k_eff - 1 + output_padding); "same": a total of
s + k_eff - 2 (or k_eff + k_eff mod 2 - 2 + output_padding), before = min(⌈total / 2⌉, k_eff - 1),
the window drops k_eff - 1 - before pixels at the start and k_eff - 1 - after at the end (adds
zeros when that is negative). The engine's :func:`nnlab.autograd.conv_transpose2d` takes those
crops and the zeros added at the end directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nnlab.autograd import Tensor, conv_transpose1d, conv_transpose2d

from ..config import standardize_data_format
from .base import Layer
from .conv import (
    Shape,
    check_rank,
    spatial_and_channels,
    standardize_padding,
    standardize_tuple,
    with_spatial,
)
from .core import (
    _constraint,
    _initializer,
    _reg,
    _serialize,
    apply_activation,
    resolve_activation,
)

__all__ = ["Conv1DTranspose", "Conv2DTranspose", "transpose_window"]


def transpose_window(
    kernel: int, stride: int, dilation: int, padding: str, output_padding: int | None
) -> tuple[int, int, int]:
    """(crop at the start, crop at the end, zeros added at the end) of one spatial axis of the
    uncropped output, (L - 1) s + k_eff long, as Keras 3 places its output window."""
    k_eff = dilation * (kernel - 1) + 1
    if padding == "valid":
        extra = max(k_eff, stride) - k_eff if output_padding is None else output_padding
        before, after = k_eff - 1, k_eff - 1 + extra
    else:
        if output_padding is None:
            total = stride + k_eff - 2
        else:
            total = k_eff + k_eff % 2 - 2 + output_padding
        before = min(total // 2 + total % 2, k_eff - 1)
        after = total - before
    crop_end = k_eff - 1 - after
    return k_eff - 1 - before, max(crop_end, 0), max(-crop_end, 0)


def transpose_output_length(
    length: int | None,
    kernel: int,
    stride: int,
    dilation: int,
    padding: str,
    output_padding: int | None,
) -> int | None:
    """Keras's output size of one spatial axis (None stays None)."""
    if length is None:
        return None
    start, end, extra = transpose_window(kernel, stride, dilation, padding, output_padding)
    return (length - 1) * stride + dilation * (kernel - 1) + 1 - start - end + extra


class BaseConvTranspose(Layer):
    """What Conv1DTranspose and Conv2DTranspose share: arguments, checks, the weights and the
    output shape. Weights (``get_weights`` order): ``kernel`` (*kernel_size, filters,
    in_channels) and ``bias`` (filters,) when ``use_bias``."""

    rank = 2

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        output_padding: Any = None,
        data_format: str | None = None,
        dilation_rate: Any = 1,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        where, rank = type(self).__name__, self.rank
        if isinstance(filters, bool) or not isinstance(filters, int | np.integer) or filters < 1:
            raise ValueError(f"{where}: filters must be a positive int, got {filters!r}")
        self.filters = int(filters)
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size", where)
        self.strides = standardize_tuple(strides, rank, "strides", where)
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate", where)
        self.padding = standardize_padding(padding, where, ("valid", "same"))
        self.output_padding: tuple[int, ...] | None = None
        if output_padding is not None:
            self.output_padding = standardize_tuple(
                output_padding, rank, "output_padding", where, minimum=0
            )
            if any(p >= s for p, s in zip(self.output_padding, self.strides, strict=True)):
                raise ValueError(
                    f"{where}: output_padding {self.output_padding} must be strictly less than "
                    f"strides {self.strides} on every axis"
                )
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"{where}: strides > 1 together with dilation_rate > 1 is not supported "
                f"(got strides={self.strides}, dilation_rate={self.dilation_rate})"
            )
        self.data_format = standardize_data_format(data_format)
        self.activation_name, self.activation = resolve_activation(activation, where)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = _initializer(kernel_initializer, where)
        self.bias_initializer = _initializer(bias_initializer, where)
        self.kernel_regularizer = _reg(kernel_regularizer, f"{where}.kernel_regularizer")
        self.bias_regularizer = _reg(bias_regularizer, f"{where}.bias_regularizer")
        self.kernel_constraint = _constraint(kernel_constraint, where)
        self.bias_constraint = _constraint(bias_constraint, where)
        self.kernel: Tensor | None = None
        self.bias: Tensor | None = None

    def _windows(self) -> list[tuple[int, int, int]]:
        paddings = self.output_padding or (None,) * self.rank
        return [
            transpose_window(k, s, d, self.padding, p)
            for k, s, d, p in zip(
                self.kernel_size, self.strides, self.dilation_rate, paddings, strict=True
            )
        ]

    def build(self, input_shape: Sequence[Any]) -> None:
        where = type(self).__name__
        check_rank(where, input_shape, self.rank, self.data_format)
        channels = spatial_and_channels(input_shape, self.data_format)[1]
        if channels is None:
            raise ValueError(
                f"{where}: the channel dimension of the input must be known, got "
                f"shape {tuple(input_shape)}"
            )
        self.kernel = self.add_weight(
            shape=(*self.kernel_size, self.filters, int(channels)),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            name="kernel",
        )
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.filters,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
                name="bias",
            )
        self.built = True

    def compute_output_shape(self, input_shape: Sequence[Any]) -> Shape:
        check_rank(type(self).__name__, input_shape, self.rank, self.data_format)
        spatial, _ = spatial_and_channels(input_shape, self.data_format)
        paddings = self.output_padding or (None,) * self.rank
        out = [
            transpose_output_length(n, k, s, d, self.padding, p)
            for n, k, s, d, p in zip(
                spatial, self.kernel_size, self.strides, self.dilation_rate, paddings, strict=True
            )
        ]
        return with_spatial(input_shape[0], out, self.filters, self.data_format)

    def call(self, inputs: Any, training: bool | None = None) -> Tensor:
        assert self.kernel is not None
        check_rank(type(self).__name__, inputs.shape, self.rank, self.data_format)
        windows = self._windows()
        crops = tuple((start, end) for start, end, _ in windows)
        extra = tuple(e for _, _, e in windows)
        kernel = self.kernel
        if self.data_format == "channels_first":  # the engine's channels_first weight (I, O, ...)
            kernel = kernel.transpose(self.rank + 1, self.rank, *range(self.rank))
        op = conv_transpose1d if self.rank == 1 else conv_transpose2d
        y = op(
            inputs,
            kernel,
            self.bias,
            self.strides,
            crops,
            extra,
            1,
            self.dilation_rate,
            self.data_format,
        )
        return apply_activation(self.activation_name, self.activation, y)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "output_padding": self.output_padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": self.activation_name,
            "use_bias": self.use_bias,
            "kernel_initializer": _serialize(self.kernel_initializer),
            "bias_initializer": _serialize(self.bias_initializer),
            "kernel_regularizer": _serialize(self.kernel_regularizer),
            "bias_regularizer": _serialize(self.bias_regularizer),
            "activity_regularizer": _serialize(self.activity_regularizer),
            "kernel_constraint": _serialize(self.kernel_constraint),
            "bias_constraint": _serialize(self.bias_constraint),
        }


class Conv2DTranspose(BaseConvTranspose):
    """2-D transposed convolution: (batch, rows, cols, channels) -> (batch, new_rows, new_cols,
    filters). ``Conv2DTranspose(16, 3, strides=2, padding="same")`` doubles rows and cols; its
    kernel is (3, 3, 16, channels), so 9·16·channels + 16 parameters."""

    rank = 2


class Conv1DTranspose(BaseConvTranspose):
    """1-D transposed convolution over steps: (batch, steps, channels) -> (batch, new_steps,
    filters); kernel (kernel_size, filters, channels)."""

    rank = 1
