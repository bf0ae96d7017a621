"""Pooling layers, Keras 3's: ``MaxPooling1D/2D``, ``AveragePooling1D/2D``,
``GlobalAveragePooling1D/2D``, ``GlobalMaxPooling1D/2D``.

A pooling layer has no weights; each output pixel summarizes one window of its channel:

    max:     y[n, oh, ow, c] = max_{i<ph, j<pw} x[n, oh s_h + i, ow s_w + j, c]
    average: y[n, oh, ow, c] = (1 / |window|) Σ_{i,j} x[n, oh s_h + i, ow s_w + j, c]

``strides`` defaults to ``pool_size`` (windows side by side). With ``padding="same"`` the input is
padded so that OH = ⌈H / s⌉; padded positions never win a max and are not counted in an average
(Keras's rule, TensorFlow's; Keras 3 on its torch backend agrees when the padding is the same on
both sides, but pads an uneven split by repeating the edge pixels, which then count in the mean).

A global pooling takes the max or mean over all the spatial positions at once:
(batch, rows, cols, channels) -> (batch, channels). The 1-D layers run the 2-D engine ops on an
input of height 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nnlab.autograd import Tensor, avg_pool2d, max_pool2d

from ..config import standardize_data_format
from .base import Layer
from .conv import (
    Shape,
    check_rank,
    conv_output_length,
    spatial_and_channels,
    standardize_padding,
    standardize_tuple,
    with_spatial,
)

__all__ = [
    "AveragePooling1D",
    "AveragePooling2D",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "MaxPooling1D",
    "MaxPooling2D",
]


class BasePooling(Layer):
    """Window pooling over ``rank`` spatial axes (``mode`` "max" or "average")."""

    rank = 2
    mode = "max"

    def __init__(
        self,
        pool_size: Any,
        strides: Any = None,
        padding: str = "valid",
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        where = type(self).__name__
        self.pool_size = standardize_tuple(pool_size, self.rank, "pool_size", where)
        self.strides = (
            self.pool_size
            if strides is None
            else standardize_tuple(strides, self.rank, "strides", where)
        )
        self.padding = standardize_padding(padding, where, ("valid", "same"))
        self.data_format = standardize_data_format(data_format)

    def compute_output_shape(self, input_shape: Sequence[Any]) -> Shape:
        check_rank(type(self).__name__, input_shape, self.rank, self.data_format)
        spatial, channels = spatial_and_channels(input_shape, self.data_format)
        out = [
            conv_output_length(n, k, s, 1, self.padding)
            for n, k, s in zip(spatial, self.pool_size, self.strides, strict=True)
        ]
        return with_spatial(input_shape[0], out, channels, self.data_format)

    def call(self, inputs: Any, training: bool | None = None) -> Tensor:
        check_rank(type(self).__name__, inputs.shape, self.rank, self.data_format)
        x, pool_size, strides = inputs, self.pool_size, self.strides
        last = self.data_format == "channels_last"
        if self.rank == 1:  # (N, L, C) as (N, 1, L, C); channels_first (N, C, L) as (N, C, 1, L)
            n, a, b = x.shape
            x = x.reshape(n, 1, a, b) if last else x.reshape(n, a, 1, b)
            pool_size, strides = (1, *pool_size), (1, *strides)
        if self.mode == "max":
            y = max_pool2d(x, pool_size, strides, self.padding, self.data_format)
        else:
            y = avg_pool2d(
                x, pool_size, strides, self.padding, count_include_pad=False,
                data_format=self.data_format,
            )  # fmt: skip
        if self.rank == 1:
            y = (
                y.reshape(y.shape[0], y.shape[2], y.shape[3])
                if last
                else y.reshape(*y.shape[:2], -1)
            )
        return y

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "pool_size": self.pool_size,
            "padding": self.padding,
            "strides": self.strides,
            "data_format": self.data_format,
        }


class MaxPooling2D(BasePooling):
    """The maximum of each ``pool_size`` window (default 2×2, strides = pool_size): halves the
    rows and columns of a (batch, rows, cols, channels) input."""

    def __init__(
        self,
        pool_size: Any = (2, 2),
        strides: Any = None,
        padding: str = "valid",
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class MaxPooling1D(BasePooling):
    """The maximum of each window of ``pool_size`` steps (default 2): (batch, steps, channels)."""

    rank = 1

    def __init__(
        self,
        pool_size: Any = 2,
        strides: Any = None,
        padding: str = "valid",
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling2D(BasePooling):
    """The mean of each ``pool_size`` window (padding excluded from the count)."""

    mode = "average"


class AveragePooling1D(BasePooling):
    """The mean of each window of ``pool_size`` steps (padding excluded from the count)."""

    rank = 1
    mode = "average"


class BaseGlobalPooling(Layer):
    """Max or mean over every spatial position: (batch, *spatial, channels) -> (batch, channels)
    ((batch, 1, ..., 1, channels) with ``keepdims``)."""

    rank = 2
    mode = "max"

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.keepdims = bool(keepdims)

    def _axes(self) -> tuple[int, ...]:
        first = 1 if self.data_format == "channels_last" else 2
        return tuple(range(first, first + self.rank))

    def compute_output_shape(self, input_shape: Sequence[Any]) -> Shape:
        check_rank(type(self).__name__, input_shape, self.rank, self.data_format)
        channels = spatial_and_channels(input_shape, self.data_format)[1]
        if not self.keepdims:
            return (input_shape[0], channels)
        return with_spatial(input_shape[0], [1] * self.rank, channels, self.data_format)

    def call(self, inputs: Any, training: bool | None = None) -> Tensor:
        check_rank(type(self).__name__, inputs.shape, self.rank, self.data_format)
        if self.mode == "max":
            return inputs.max(axis=self._axes(), keepdims=self.keepdims)
        return inputs.mean(axis=self._axes(), keepdims=self.keepdims)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


class GlobalMaxPooling2D(BaseGlobalPooling):
    """The maximum of each channel over rows and columns."""


class GlobalAveragePooling2D(BaseGlobalPooling):
    """The mean of each channel over rows and columns."""

    mode = "average"


class GlobalMaxPooling1D(BaseGlobalPooling):
    """The maximum of each channel over the steps."""

    rank = 1


class GlobalAveragePooling1D(BaseGlobalPooling):
    """The mean of each channel over the steps; with a mask (e.g. from
    ``Embedding(mask_zero=True)``), over the unmasked steps only: Σ_t m_t x_t / Σ_t m_t, as
    Keras. The output carries no mask."""

    rank = 1
    mode = "average"
    supports_masking = True  # it uses the mask, and its output carries none

    def call(self, inputs: Any, training: bool | None = None, mask: Any = None) -> Tensor:
        if mask is None:
            return super().call(inputs, training)
        check_rank(type(self).__name__, inputs.shape, self.rank, self.data_format)
        steps = self._axes()
        flags = np.asarray(mask.data if isinstance(mask, Tensor) else mask).astype(bool)
        weights = np.expand_dims(flags, 2 if self.data_format == "channels_last" else 1)
        weights = weights.astype(inputs.dtype)
        total = (inputs * weights).sum(axis=steps, keepdims=self.keepdims)
        return total / weights.sum(axis=steps, keepdims=self.keepdims)

    def compute_mask(self, inputs: Any, mask: Any = None) -> None:
        return None
