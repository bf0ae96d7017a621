"""Layers that reshape the image plane, Keras 3's: ``ZeroPadding2D``, ``Cropping2D``,
``UpSampling2D``, and the channel dropout ``SpatialDropout2D``.

All take (batch, rows, cols, channels) (or channels_first, (batch, channels, rows, cols)), have
no weights, and are differentiable whole-array maps:

- ZeroPadding2D: y = x surrounded by ``((top, bottom), (left, right))`` rows/columns of zeros;
- Cropping2D: y = x[:, top : H - bottom, left : W - right, :];
- UpSampling2D, nearest: y[n, i, j, c] = x[n, ⌊i / s_h⌋, ⌊j / s_w⌋, c]; bilinear:
  y = A_h x A_wᵀ per channel, A the (s·H, H) linear-interpolation matrix with half-pixel
  centres (source position (i + ½) / s - ½, clamped to the image);
- SpatialDropout2D: in training, each channel of each sample is zeroed with probability
  ``rate`` (all its pixels together) and the survivors are scaled by 1 / (1 - rate).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nnlab.autograd import Tensor, dropout2d, pad

from .base import Layer
from .conv import (
    Shape,
    check_rank,
    spatial_and_channels,
    standardize_data_format,
    standardize_tuple,
    with_spatial,
)

__all__ = ["Cropping2D", "SpatialDropout2D", "UpSampling2D", "ZeroPadding2D"]


def _pairs(value: Any, name: str, where: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """Keras's forms: an int (all four sides), (rows, cols) (both sides of each), or
    ((top, bottom), (left, right)); non-negative ints."""

    def ok(v: Any) -> bool:
        return isinstance(v, int | np.integer) and not isinstance(v, bool) and bool(v >= 0)

    if ok(value):
        return (int(value), int(value)), (int(value), int(value))
    if isinstance(value, Sequence) and len(value) == 2:
        if all(ok(v) for v in value):
            return (int(value[0]), int(value[0])), (int(value[1]), int(value[1]))
        if all(isinstance(v, Sequence) and len(v) == 2 and all(ok(u) for u in v) for v in value):
            return (int(value[0][0]), int(value[0][1])), (int(value[1][0]), int(value[1][1]))
    raise ValueError(
        f"{where}: {name} must be a non-negative int, a pair (rows, cols) or a pair of pairs "
        f"((top, bottom), (left, right)), got {value!r}"
    )


def _spatial_axes(data_format: str) -> tuple[int, int]:
    return (1, 2) if data_format == "channels_last" else (2, 3)


class ZeroPadding2D(Layer):
    """Add rows and columns of zeros around the image: ``padding`` as an int, (rows, cols) or
    ((top, bottom), (left, right)); (batch, H, W, C) -> (batch, H + top + bottom,
    W + left + right, C)."""

    def __init__(self, padding: Any = (1, 1), data_format: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.padding = _pairs(padding, "padding", "ZeroPadding2D")
        self.data_format = standardize_data_format(data_format, "ZeroPadding2D")

    def compute_output_shape(self, input_shape: Sequence[Any]) -> Shape:
        check_rank("ZeroPadding2D", input_shape, 2, self.data_format)
        spatial, channels = spatial_and_channels(input_shape, self.data_format)
        out = [
            None if n is None else n + sum(p) for n, p in zip(spatial, self.padding, strict=True)
        ]
        return with_spatial(input_shape[0], out, channels, self.data_format)

    def call(self, inputs: Any, training: bool | None = None) -> Tensor:
        check_rank("ZeroPadding2D", inputs.shape, 2, self.data_format)
        widths = [(0, 0)] * 4
        for axis, p in zip(_spatial_axes(self.data_format), self.padding, strict=True):
            widths[axis] = p
        return pad(inputs, widths)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}


class Cropping2D(Layer):
    """Remove rows and columns at the borders: ``cropping`` as an int, (rows, cols) or
    ((top, bottom), (left, right)); (batch, H, W, C) -> (batch, H - top - bottom,
    W - left - right, C)."""

    def __init__(
        self, cropping: Any = ((0, 0), (0, 0)), data_format: str | None = None, **kwargs: Any
    ):
        super().__init__(**kwargs)
        self.cropping = _pairs(cropping, "cropping", "Cropping2D")
        self.data_format = standardize_data_format(data_format, "Cropping2D")

    def compute_output_shape(self, input_shape: Sequence[Any]) -> Shape:
        check_rank("Cropping2D", input_shape, 2, self.data_format)
        spatial, channels = spatial_and_channels(input_shape, self.data_format)
        out = []
        for n, crop, axis in zip(spatial, self.cropping, ("rows", "cols"), strict=True):
            if n is not None and sum(crop) >= n:
                raise ValueError(
                    f"Cropping2D: cropping {crop} removes all {n} {axis} of the input "
                    f"(shape {tuple(input_shape)})"
                )
            out.append(None if n is None else n - sum(crop))
        return with_spatial(input_shape[0], out, channels, self.data_format)

    def call(self, inputs: Any, training: bool | None = None) -> Tensor:
        self.compute_output_shape(inputs.shape)  # checks the rank and the sizes
        index: list[slice] = [slice(None)] * 4
        for axis, (before, after) in zip(
            _spatial_axes(self.data_format), self.cropping, strict=True
        ):
            index[axis] = slice(before, inputs.shape[axis] - after)
        return inputs[tuple(index)]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "cropping": self.cropping, "data_format": self.data_format}


def interpolation_matrix(size: int, scale: int, dtype: Any) -> np.ndarray:
    """A (scale·size, size) with y = A x the linear interpolation of x at the half-pixel
    centres: source s = (i + ½) / scale - ½ clamped to [0, size - 1], weights 1 - (s - ⌊s⌋) on
    ⌊s⌋ and s - ⌊s⌋ on ⌊s⌋ + 1."""
    src = np.clip((np.arange(scale * size) + 0.5) / scale - 0.5, 0, size - 1)
    low = np.floor(src).astype(np.int64)
    high = np.minimum(low + 1, size - 1)
    frac = src - low
    matrix = np.zeros((scale * size, size))
    rows = np.arange(scale * size)
    np.add.at(matrix, (rows, low), 1 - frac)
    np.add.at(matrix, (rows, high), frac)
    return matrix.astype(dtype)


class UpSampling2D(Layer):
    """Repeat each row ``size[0]`` times and each column ``size[1]`` times ("nearest"), or
    interpolate linearly between pixels ("bilinear"): (batch, H, W, C) -> (batch, s_h·H,
    s_w·W, C)."""

    INTERPOLATIONS = ("nearest", "bilinear")

    def __init__(
        self,
        size: Any = (2, 2),
        data_format: str | None = None,
        interpolation: str = "nearest",
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.size = standardize_tuple(size, 2, "size", "UpSampling2D")
        self.data_format = standardize_data_format(data_format, "UpSampling2D")
        if interpolation not in self.INTERPOLATIONS:
            raise ValueError(
                f"UpSampling2D: interpolation must be one of {self.INTERPOLATIONS}, "
                f"got {interpolation!r}"
            )
        self.interpolation = interpolation

    def compute_output_shape(self, input_shape: Sequence[Any]) -> Shape:
        check_rank("UpSampling2D", input_shape, 2, self.data_format)
        spatial, channels = spatial_and_channels(input_shape, self.data_format)
        out = [None if n is None else n * s for n, s in zip(spatial, self.size, strict=True)]
        return with_spatial(input_shape[0], out, channels, self.data_format)

    def call(self, inputs: Any, training: bool | None = None) -> Tensor:
        check_rank("UpSampling2D", inputs.shape, 2, self.data_format)
        x = inputs if self.data_format == "channels_first" else inputs.transpose(0, 3, 1, 2)
        n, c, h, w = x.shape
        (sh, sw) = self.size
        if self.interpolation == "nearest":  # broadcast each pixel over an sh × sw block
            ones = Tensor(np.ones((1, 1, 1, sh, 1, sw), dtype=x.dtype))
            y = (x.reshape(n, c, h, 1, w, 1) * ones).reshape(n, c, h * sh, w * sw)
        else:
            rows = Tensor(interpolation_matrix(h, sh, x.dtype))
            cols = Tensor(interpolation_matrix(w, sw, x.dtype).T.copy())
            y = (rows @ x) @ cols
        return y if self.data_format == "channels_first" else y.transpose(0, 2, 3, 1)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "size": self.size,
            "data_format": self.data_format,
            "interpolation": self.interpolation,
        }


class SpatialDropout2D(Layer):
    """Channel dropout: in training, each (sample, channel) map is zeroed with probability
    ``rate`` and the rest scaled by 1 / (1 - rate); the identity otherwise. Neighbouring pixels
    of a feature map are strongly correlated, so dropping whole maps regularizes a convnet
    where pixel-wise dropout would barely do."""

    def __init__(
        self, rate: float, data_format: str | None = None, seed: int | None = None, **kwargs: Any
    ):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate < 1:
            raise ValueError(
                f"SpatialDropout2D: rate (the fraction of channels dropped) must be in [0, 1), "
                f"got {rate!r}"
            )
        self.rate = float(rate)
        self.seed = seed
        self.data_format = standardize_data_format(data_format, "SpatialDropout2D")
        self._seed_rng = None if seed is None else np.random.default_rng(seed)

    def compute_output_shape(self, input_shape: Sequence[Any]) -> Shape:
        check_rank("SpatialDropout2D", input_shape, 2, self.data_format)
        return tuple(input_shape)

    def call(self, inputs: Any, training: bool | None = None) -> Tensor:
        check_rank("SpatialDropout2D", inputs.shape, 2, self.data_format)
        rng = self._seed_rng if self._seed_rng is not None else self.rng
        return dropout2d(inputs, self.rate, rng, bool(training), self.data_format)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "rate": self.rate,
            "seed": self.seed,
            "data_format": self.data_format,
        }
