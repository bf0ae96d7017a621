"""Layers that reshape the sample grid, Keras 3's: ``ZeroPadding1D/2D/3D``,
``Cropping1D/2D/3D``, ``UpSampling1D/2D/3D``, and the channel dropout ``SpatialDropout1D/2D/3D``.

They take (batch, *spatial, channels) (or channels_first, (batch, channels, *spatial)) with one,
two or three spatial axes (steps; rows, cols; dim1, dim2, dim3), have no weights, and are
differentiable whole-array maps, per spatial axis a with (before_a, after_a) and factor s_a:

- ZeroPadding: y = x surrounded by before_a and after_a zeros along each axis;
- Cropping: y = x[:, before_1 : L_1 - after_1, ...] (channels untouched);
- UpSampling, nearest: y[n, i_1, ..., c] = x[n, ⌊i_1 / s_1⌋, ..., c]; UpSampling2D's bilinear:
  y = A_h x A_wᵀ per channel, A the (s·H, H) linear-interpolation matrix with half-pixel
  centres (source position (i + ½) / s - ½, clamped to the image);
- SpatialDropout: in training, each channel of each sample is zeroed with probability
  ``rate`` (all its samples together) and the survivors are scaled by 1 / (1 - rate).

Keras's argument forms: in 1-D an int or one (before, after) pair; in 2-D and 3-D an int (all
sides), one int per axis (both sides of it), or one (before, after) pair per axis. Cropping1D
and UpSampling1D take no data_format (always (batch, steps, features)), as in Keras.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nnlab.autograd import Tensor, dropout2d, pad

from ..config import standardize_data_format
from .base import Layer
from .conv import (
    Shape,
    check_rank,
    spatial_and_channels,
    standardize_tuple,
    with_spatial,
)

__all__ = [
    "Cropping1D",
    "Cropping2D",
    "Cropping3D",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
    "UpSampling1D",
    "UpSampling2D",
    "UpSampling3D",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "ZeroPadding3D",
]

Sides = tuple[tuple[int, int], ...]


def _ok(v: Any) -> bool:
    return isinstance(v, int | np.integer) and not isinstance(v, bool) and bool(v >= 0)


def _sides(value: Any, rank: int, name: str, where: str) -> Sides:
    """(before, after) per spatial axis from Keras's forms (see the module docstring)."""
    if _ok(value):
        return ((int(value), int(value)),) * rank
    if isinstance(value, Sequence) and not isinstance(value, str):
        if rank == 1 and len(value) == 2 and all(_ok(v) for v in value):
            return ((int(value[0]), int(value[1])),)
        if rank > 1 and len(value) == rank:
            out = []
            for v in value:
                if _ok(v):
                    out.append((int(v), int(v)))
                elif isinstance(v, Sequence) and len(v) == 2 and all(_ok(u) for u in v):
                    out.append((int(v[0]), int(v[1])))
            if len(out) == rank:
                return tuple(out)
    forms = (
        "a non-negative int or a pair (before, after)"
        if rank == 1
        else f"a non-negative int, {rank} of them (one per axis) or {rank} (before, after) pairs"
    )
    raise ValueError(f"{where}: {name} must be {forms}, got {value!r}")


def _check_rank(where: str, shape: Sequence[Any], rank: int, data_format: str) -> None:
    if rank < 3:
        check_rank(where, shape, rank, data_format)
    elif len(shape) != 5:
        spatial = "dim1, dim2, dim3"
        layout = (
            f"(batch, {spatial}, channels)"
            if data_format == "channels_last"
            else f"(batch, channels, {spatial})"
        )
        raise ValueError(f"{where} expects 5-D input {layout}, got shape {tuple(shape)}")


def _spatial_axes(rank: int, data_format: str) -> range:
    return range(1, rank + 1) if data_format == "channels_last" else range(2, rank + 2)


class _SpatialLayer(Layer):
    """What the padding, cropping and upsampling layers share: the rank and the data_format."""

    rank = 2

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)

    def _spatial(self, input_shape: Sequence[Any]) -> tuple[list[Any], Any]:
        _check_rank(type(self).__name__, input_shape, self.rank, self.data_format)
        return spatial_and_channels(input_shape, self.data_format)


class _ZeroPadding(_SpatialLayer):
    """Zeros around the samples: (batch, L_1, ..., C) -> (batch, L_1 + before_1 + after_1, ...,
    C)."""

    def __init__(self, padding: Any, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(data_format, **kwargs)
        self.sides = _sides(padding, self.rank, "padding", type(self).__name__)

    @property
    def padding(self) -> Any:
        """Keras's form: (before, after) in 1-D, one such pair per axis otherwise."""
        return self.sides[0] if self.rank == 1 else self.sides

    def compute_output_shape(self, input_shape: Sequence[Any]) -> Shape:
        spatial, channels = self._spatial(input_shape)
        out = [None if n is None else n + sum(p) for n, p in zip(spatial, self.sides, strict=True)]
        return with_spatial(input_shape[0], out, channels, self.data_format)

    def call(self, inputs: Any, training: bool | None = None) -> Tensor:
        _check_rank(type(self).__name__, inputs.shape, self.rank, self.data_format)
        widths = [(0, 0)] * (self.rank + 2)
        for axis, p in zip(_spatial_axes(self.rank, self.data_format), self.sides, strict=True):
            widths[axis] = p
        return pad(inputs, widths)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}


class ZeroPadding1D(_ZeroPadding):
    """Zeros before and after the steps: ``padding`` an int or (before, after);
    (batch, steps, features) -> (batch, steps + before + after, features)."""

    rank = 1

    def __init__(self, padding: Any = 1, data_format: str | None = None, **kwargs: Any):
        super().__init__(padding, data_format, **kwargs)


class ZeroPadding2D(_ZeroPadding):
    """Add rows and columns of zeros around the image: ``padding`` as an int, (rows, cols) or
    ((top, bottom), (left, right)); (batch, H, W, C) -> (batch, H + top + bottom,
    W + left + right, C)."""

    rank = 2

    def __init__(self, padding: Any = (1, 1), data_format: str | None = None, **kwargs: Any):
        super().__init__(padding, data_format, **kwargs)


class ZeroPadding3D(_ZeroPadding):
    """Zeros around a volume: ``padding`` an int, (d1, d2, d3) or three (before, after) pairs;
    (batch, D1, D2, D3, C) -> (batch, D1 + ..., D2 + ..., D3 + ..., C)."""

    rank = 3

    def __init__(
        self, padding: Any = ((1, 1), (1, 1), (1, 1)), data_format: str | None = None, **kwargs: Any
    ):
        super().__init__(padding, data_format, **kwargs)


class _Cropping(_SpatialLayer):
    """Remove samples at the borders: (batch, L_1, ..., C) -> (batch, L_1 - before_1 - after_1,
    ..., C)."""

    AXES = {1: ("steps",), 2: ("rows", "cols"), 3: ("dim1", "dim2", "dim3")}

    def __init__(self, cropping: Any, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(data_format, **kwargs)
        self.sides = _sides(cropping, self.rank, "cropping", type(self).__name__)

    @property
    def cropping(self) -> Any:
        """Keras's form: (before, after) in 1-D, one such pair per axis otherwise."""
        return self.sides[0] if self.rank == 1 else self.sides

    def compute_output_shape(self, input_shape: Sequence[Any]) -> Shape:
        spatial, channels = self._spatial(input_shape)
        out = []
        for n, crop, axis in zip(spatial, self.sides, self.AXES[self.rank], strict=True):
            if n is not None and sum(crop) >= n:
                # Keras 3's wording (its tests match it), then which axis is too short
                if self.rank == 1:
                    head = "`cropping` parameter of `Cropping1D` layer must be smaller than "
                    head += "the input length."
                else:
                    head = "Values in `cropping` argument should be smaller than the "
                    head += "corresponding spatial dimension of the input."
                raise ValueError(
                    f"{head} Received: input_shape={tuple(input_shape)}, "
                    f"cropping={self.cropping} ({type(self).__name__}: cropping {crop} "
                    f"removes all {n} {axis})"
                )
            out.append(None if n is None else n - sum(crop))
        return with_spatial(input_shape[0], out, channels, self.data_format)

    def call(self, inputs: Any, training: bool | None = None) -> Tensor:
        self.compute_output_shape(inputs.shape)  # checks the rank and the sizes
        index: list[slice] = [slice(None)] * (self.rank + 2)
        for axis, (before, after) in zip(
            _spatial_axes(self.rank, self.data_format), self.sides, strict=True
        ):
            index[axis] = slice(before, inputs.shape[axis] - after)
        return inputs[tuple(index)]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "cropping": self.cropping, "data_format": self.data_format}


class Cropping1D(_Cropping):
    """Remove steps at the start and the end: ``cropping`` an int or (before, after);
    (batch, steps, features) -> (batch, steps - before - after, features)."""

    rank = 1

    def __init__(self, cropping: Any = (1, 1), **kwargs: Any):
        super().__init__(cropping, None, **kwargs)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["data_format"]  # Keras's Cropping1D has none
        return config


class Cropping2D(_Cropping):
    """Remove rows and columns at the borders: ``cropping`` as an int, (rows, cols) or
    ((top, bottom), (left, right)); (batch, H, W, C) -> (batch, H - top - bottom,
    W - left - right, C)."""

    rank = 2

    def __init__(
        self, cropping: Any = ((0, 0), (0, 0)), data_format: str | None = None, **kwargs: Any
    ):
        super().__init__(cropping, data_format, **kwargs)


class Cropping3D(_Cropping):
    """Remove slices at the borders of a volume: ``cropping`` an int, (d1, d2, d3) or three
    (before, after) pairs; (batch, D1, D2, D3, C) -> (batch, D1 - ..., D2 - ..., D3 - ..., C)."""

    rank = 3

    def __init__(
        self,
        cropping: Any = ((1, 1), (1, 1), (1, 1)),
        data_format: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(cropping, data_format, **kwargs)


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


def repeat_nearest(x: Tensor, axes: Sequence[int], factors: Sequence[int]) -> Tensor:
    """Each sample repeated factors[a] times along axes[a] (nearest-neighbour upsampling): one
    broadcast product with ones, y[..., i, ...] = x[..., ⌊i / s⌋, ...], whose backward sums each
    block of s."""
    expanded, ones, out = [], [], []
    for axis, n in enumerate(x.shape):
        s = factors[list(axes).index(axis)] if axis in axes else 1
        expanded += [n, 1] if axis in axes else [n]
        ones += [1, s] if axis in axes else [1]
        out.append(n * s)
    ones_t = Tensor(np.ones(ones, dtype=x.dtype))
    return (x.reshape(*expanded) * ones_t).reshape(*out)


class _UpSampling(_SpatialLayer):
    """Repeat each sample ``size[a]`` times along spatial axis a: (batch, L_1, ..., C) ->
    (batch, s_1 L_1, ..., C)."""

    def __init__(self, size: Any, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(data_format, **kwargs)
        self.factors = standardize_tuple(size, self.rank, "size", type(self).__name__)

    @property
    def size(self) -> Any:
        return self.factors[0] if self.rank == 1 else self.factors

    def compute_output_shape(self, input_shape: Sequence[Any]) -> Shape:
        spatial, channels = self._spatial(input_shape)
        out = [None if n is None else n * s for n, s in zip(spatial, self.factors, strict=True)]
        return with_spatial(input_shape[0], out, channels, self.data_format)

    def call(self, inputs: Any, training: bool | None = None) -> Tensor:
        _check_rank(type(self).__name__, inputs.shape, self.rank, self.data_format)
        return repeat_nearest(inputs, _spatial_axes(self.rank, self.data_format), self.factors)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "size": self.size, "data_format": self.data_format}


class UpSampling1D(_UpSampling):
    """Repeat each step ``size`` times: (batch, steps, features) -> (batch, size·steps,
    features)."""

    rank = 1

    def __init__(self, size: int = 2, **kwargs: Any):
        if isinstance(size, bool) or not isinstance(size, int | np.integer):
            raise TypeError(
                f"Expected an integer value for `size`, got {type(size)}. (UpSampling1D: size "
                f"must be a positive int, got {size!r})"
            )
        if size < 1:
            raise ValueError(
                f"Argument `size` should be a positive integer. Received: size={size!r} "
                "(UpSampling1D)"
            )
        super().__init__(size, None, **kwargs)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["data_format"]  # Keras's UpSampling1D has none
        return config


class UpSampling2D(_UpSampling):
    """Repeat each row ``size[0]`` times and each column ``size[1]`` times ("nearest"), or
    interpolate linearly between pixels ("bilinear"): (batch, H, W, C) -> (batch, s_h·H,
    s_w·W, C)."""

    rank = 2
    INTERPOLATIONS = ("nearest", "bilinear")

    def __init__(
        self,
        size: Any = (2, 2),
        data_format: str | None = None,
        interpolation: str = "nearest",
        **kwargs: Any,
    ):
        super().__init__(size, data_format, **kwargs)
        if interpolation not in self.INTERPOLATIONS:
            raise ValueError(
                f"UpSampling2D: interpolation must be one of {self.INTERPOLATIONS}, "
                f"got {interpolation!r}"
            )
        self.interpolation = interpolation

    def call(self, inputs: Any, training: bool | None = None) -> Tensor:
        if self.interpolation == "nearest":
            return super().call(inputs, training)
        check_rank("UpSampling2D", inputs.shape, 2, self.data_format)
        x = inputs if self.data_format == "channels_first" else inputs.transpose(0, 3, 1, 2)
        _, _, h, w = x.shape
        (sh, sw) = self.factors
        rows = Tensor(interpolation_matrix(h, sh, x.dtype))
        cols = Tensor(interpolation_matrix(w, sw, x.dtype).T.copy())
        y = (rows @ x) @ cols
        return y if self.data_format == "channels_first" else y.transpose(0, 2, 3, 1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "interpolation": self.interpolation}


class UpSampling3D(_UpSampling):
    """Repeat each voxel ``size`` times along each axis: (batch, D1, D2, D3, C) ->
    (batch, s_1 D1, s_2 D2, s_3 D3, C)."""

    rank = 3

    def __init__(self, size: Any = (2, 2, 2), data_format: str | None = None, **kwargs: Any):
        super().__init__(size, data_format, **kwargs)


class _SpatialDropout(_SpatialLayer):
    """Channel dropout: in training, each (sample, channel) map is zeroed with probability
    ``rate`` and the rest scaled by 1 / (1 - rate); the identity otherwise. Neighbouring samples
    of a feature map are strongly correlated, so dropping whole maps regularizes a convnet
    where element-wise dropout would barely do. The engine's ``dropout2d`` on the input seen as
    4-D (the spatial axes merged into two)."""

    supports_masking = True  # a mask passes through unchanged, as in Keras

    def __init__(
        self, rate: float, data_format: str | None = None, seed: int | None = None, **kwargs: Any
    ):
        super().__init__(data_format, **kwargs)
        where = type(self).__name__
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate < 1:
            raise ValueError(
                f"{where}: rate (the fraction of channels dropped) must be in [0, 1), got {rate!r}"
            )
        self.rate = float(rate)
        self.seed = seed
        self._seed_rng = None if seed is None else np.random.default_rng(seed)

    def compute_output_shape(self, input_shape: Sequence[Any]) -> Shape:
        _check_rank(type(self).__name__, input_shape, self.rank, self.data_format)
        return tuple(input_shape)

    def call(self, inputs: Any, training: bool | None = None) -> Tensor:
        _check_rank(type(self).__name__, inputs.shape, self.rank, self.data_format)
        rng = self._seed_rng if self._seed_rng is not None else self.rng
        shape = inputs.shape
        if self.rank != 2:  # (N, L, C) -> (N, 1, L, C); (N, D1, D2, D3, C) -> (N, D1, D2·D3, C)
            last = self.data_format == "channels_last"
            merged = (1, shape[1]) if self.rank == 1 else (shape[1 + (not last)], -1)
            inputs = inputs.reshape(
                *((shape[0], *merged, shape[-1]) if last else (shape[0], shape[1], *merged))
            )
        y = dropout2d(inputs, self.rate, rng, bool(training), self.data_format)
        return y if self.rank == 2 else y.reshape(*shape)

    def get_config(self) -> dict[str, Any]:
        config = {
            **super().get_config(),
            "rate": self.rate,
            "seed": self.seed,
            "data_format": self.data_format,
        }
        del config["trainable"]  # Keras's spatial dropouts take none (its file would not load)
        return config


class SpatialDropout1D(_SpatialDropout):
    """Drop whole feature channels of (batch, steps, features), the same for every step."""

    rank = 1

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any):
        super().__init__(rate, None, seed, **kwargs)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["data_format"]  # Keras's SpatialDropout1D has none
        return config


class SpatialDropout2D(_SpatialDropout):
    """Drop whole feature maps of (batch, rows, cols, channels)."""

    rank = 2


class SpatialDropout3D(_SpatialDropout):
    """Drop whole feature volumes of (batch, dim1, dim2, dim3, channels)."""

    rank = 3
