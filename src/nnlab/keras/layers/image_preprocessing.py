"""Image preprocessing and augmentation layers, Keras 3's: ``Resizing``, ``CenterCrop``,
``RandomCrop``, ``RandomFlip``, ``RandomRotation``, ``RandomZoom``, ``RandomTranslation``,
``RandomContrast``, ``RandomBrightness``.

They take a batch (N, H, W, C) or one image (H, W, C) (channels_first: (N, C, H, W) or
(C, H, W)), of any dtype, and return floats (float32; a float64 input stays float64, for
gradient checks). The resampling (half-pixel resize, the affine map and its fill modes) is
``image_transforms``'s, with Keras 3's numbers.

- ``Resizing(height, width)``: each axis resized by a matrix, y = R_h x R_wᵀ (see
  ``image_transforms``), after cropping (``crop_to_aspect_ratio``) or padding with
  ``fill_value`` (``pad_to_aspect_ratio``) to the target's aspect ratio; differentiable.
- ``CenterCrop(height, width)``: the centred window; an image smaller than the target is
  cropped to the target's aspect ratio and resized (bilinear) instead.
- The random layers augment in training (``fit``; and, as in Keras, when called directly
  without ``training=False``) and are the identity otherwise (``predict``, ``evaluate``):
  one random draw per image (per batch for ``RandomCrop``), from ``default_rng(seed)`` when
  ``seed`` is given, else the layer's generator (the model's). Their outputs are data: no
  gradient flows back through them (their inputs are images).
- ``RandomFlip(mode)``: each image flipped with probability ½ (in "horizontal_and_vertical"
  both flips share that one draw, as in Keras 3: the image or its 180° turn).
- ``RandomRotation(factor)``: about the centre by θ ~ U(lower, upper)·2π, (lower, upper) =
  (-factor, factor) or the pair given.
- ``RandomZoom(height_factor, width_factor)``: output pixel (x, y) reads the input at
  (c_x + z_w (x - c_x), c_y + z_h (y - c_y)), z ~ U(1 + lower, 1 + upper) (z > 1 zooms out),
  c the centre; ``width_factor=None`` zooms both axes by z_h.
- ``RandomTranslation(height_factor, width_factor)``: shifted by (t_h·H, t_w·W) pixels,
  t ~ U(lower, upper).
- ``RandomContrast(factor)``: y = clip((x - μ)·c + μ, value_range), μ the mean of each
  channel of each image, c ~ U(1 - lower, 1 + upper). Keras 3 stores a single factor f as
  (lower, upper) = (0, f), so c ∈ [1, 1 + f]; a pair (a, b) gives c ∈ [1 - a, 1 + b].
- ``RandomBrightness(factor)``: y = clip(x + δ, value_range), δ ~ U(lower, upper)·(max - min).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nnlab.autograd import Tensor

from ..config import standardize_data_format
from ..utils import new_rng
from .base import Layer
from .image_transforms import (
    AFFINE_INTERPOLATIONS,
    FILL_MODES,
    RESIZE_INTERPOLATIONS,
    affine_transform,
    aspect_crop,
    aspect_pad,
    window_resize_matrix,
)

__all__ = [
    "CenterCrop",
    "RandomBrightness",
    "RandomContrast",
    "RandomCrop",
    "RandomFlip",
    "RandomRotation",
    "RandomTranslation",
    "RandomZoom",
    "Resizing",
]


def _check_choice(where: str, name: str, value: Any, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ValueError(f"{where}: {name} must be one of {choices}, got {value!r}")
    return str(value)


def _check_size(where: str, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{where}: {name} must be a positive integer, got {value!r}")
    return int(value)


def _factor_range(
    where: str, name: str, factor: Any, low: float, high: float, open_low: bool = False
) -> tuple[float, float]:
    """(lower, upper) from a number f (-> (-f, f) clipped to [low, high]) or a pair (sorted),
    every number in [low, high] (``open_low``: in (low, high]) (Keras 3's rule)."""
    bounds = f"({low}, {high}]" if open_low else f"[{low}, {high}]"

    def ok(v: Any) -> bool:
        number = isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool)
        return number and (low < v if open_low else low <= v) and v <= high

    if isinstance(factor, tuple | list) and len(factor) == 2 and all(ok(v) for v in factor):
        lower, upper = sorted(float(v) for v in factor)
        return lower, upper
    if ok(factor):
        return max(-abs(float(factor)), low), abs(float(factor))
    raise ValueError(
        f"{where}: {name} must be a number or a pair of numbers in {bounds}, got {factor!r}"
    )


def _as_float(inputs: Tensor) -> Tensor:
    """Float inputs as they are (float64 stays float64, for gradient checks); others float32."""
    if inputs.dtype.kind == "f":
        return inputs
    return Tensor(np.asarray(inputs.data, np.float32))


class _ImageLayer(Layer):
    """What every image layer shares: ``data_format``, the rank check, the image axes."""

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)

    def _check_rank(self, shape: tuple[Any, ...]) -> None:
        if len(shape) not in (3, 4):
            layout = "height, width, channels"
            if self.data_format == "channels_first":
                layout = "channels, height, width"
            raise ValueError(
                f"{type(self).__name__} expects images of rank 3 ({layout}) or 4 (batch, "
                f"{layout}), got shape {tuple(shape)}"
            )

    def _hw_axes(self, rank: int) -> tuple[int, int]:
        return (-2, -1) if self.data_format == "channels_first" else (-3, -2)

    def _with_size(self, shape: Any, height: int, width: int) -> tuple[Any, ...]:
        self._check_rank(tuple(shape))
        out = list(shape)
        h_axis, w_axis = self._hw_axes(len(out))
        out[h_axis], out[w_axis] = height, width
        return tuple(out)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format}


def _resize(
    x: Tensor,
    axes: tuple[int, int],
    rows: np.ndarray,
    cols: np.ndarray,
    fill_value: float = 0.0,
) -> Tensor:
    """y = rows @ X @ colsᵀ for each (H, W) plane X of ``x`` (its axes ``axes``), plus
    ``fill_value`` times the weight the matrices gave to pixels outside the image."""
    rank = x.ndim
    h_axis, w_axis = (a % rank for a in axes)
    order = [a for a in range(rank) if a not in (h_axis, w_axis)] + [h_axis, w_axis]
    planes = x.transpose(*order)
    dtype = x.dtype
    y = Tensor(rows.astype(dtype)) @ planes @ Tensor(cols.T.astype(dtype))
    if fill_value != 0:
        outside = 1 - np.outer(rows.sum(axis=1), cols.sum(axis=1))
        y = y + (fill_value * outside).astype(dtype)
    return y.transpose(*np.argsort(order))


class Resizing(_ImageLayer):
    """Resize images to (height, width) (see the module docstring); ``interpolation``
    "bilinear" or "nearest", ``fill_mode`` "constant" only (Keras 3's)."""

    def __init__(
        self,
        height: int,
        width: int,
        interpolation: str = "bilinear",
        crop_to_aspect_ratio: bool = False,
        pad_to_aspect_ratio: bool = False,
        fill_mode: str = "constant",
        fill_value: float = 0.0,
        antialias: bool = False,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_format, **kwargs)
        self.height = _check_size("Resizing", "height", height)
        self.width = _check_size("Resizing", "width", width)
        self.interpolation = _check_choice(
            "Resizing", "interpolation", interpolation, RESIZE_INTERPOLATIONS
        )
        self.fill_mode = _check_choice("Resizing", "fill_mode", fill_mode, ("constant",))
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError(
                "Resizing: only one of crop_to_aspect_ratio and pad_to_aspect_ratio can be True"
            )
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)
        self.pad_to_aspect_ratio = bool(pad_to_aspect_ratio)
        self.fill_value = float(fill_value)
        self.antialias = bool(antialias)

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        x = _as_float(inputs)
        self._check_rank(x.shape)
        axes = self._hw_axes(x.ndim)
        height, width = x.shape[axes[0]], x.shape[axes[1]]
        target = (self.height, self.width)
        top, left, window_h, window_w = 0, 0, height, width
        if self.crop_to_aspect_ratio:
            top, left, window_h, window_w = aspect_crop(height, width, target)
        elif self.pad_to_aspect_ratio:
            pad_rows, pad_cols = aspect_pad(height, width, target)
            top, left = -pad_rows, -pad_cols
            window_h, window_w = height + 2 * pad_rows, width + 2 * pad_cols
        kind = (self.interpolation, self.antialias)
        rows = window_resize_matrix(height, self.height, top, window_h, *kind)
        cols = window_resize_matrix(width, self.width, left, window_w, *kind)
        return _resize(x, axes, rows, cols, self.fill_value if self.pad_to_aspect_ratio else 0)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return self._with_size(input_shape, self.height, self.width)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "height": self.height,
            "width": self.width,
            "interpolation": self.interpolation,
            "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
            "pad_to_aspect_ratio": self.pad_to_aspect_ratio,
            "fill_mode": self.fill_mode,
            "fill_value": self.fill_value,
            "antialias": self.antialias,
        }


def _crop(x: Tensor, axes: tuple[int, int], top: int, left: int, height: int, width: int) -> Tensor:
    index: list[Any] = [slice(None)] * x.ndim
    index[axes[0]] = slice(top, top + height)
    index[axes[1]] = slice(left, left + width)
    return x[tuple(index)]


def _crop_to_aspect_and_resize(x: Tensor, axes: tuple[int, int], target: tuple[int, int]) -> Tensor:
    """Keras's ``smart_resize``: the largest centred window with the target's aspect ratio,
    resized (bilinear) to the target."""
    height, width = x.shape[axes[0]], x.shape[axes[1]]
    top, left, crop_h, crop_w = aspect_crop(height, width, target)
    rows = window_resize_matrix(height, target[0], top, crop_h)
    cols = window_resize_matrix(width, target[1], left, crop_w)
    return _resize(x, axes, rows, cols)


class CenterCrop(_ImageLayer):
    """The centred (height, width) window; smaller images are cropped to the target's aspect
    ratio and resized (bilinear) instead, as in Keras 3. Differentiable."""

    def __init__(self, height: int, width: int, data_format: str | None = None, **kwargs: Any):
        super().__init__(data_format, **kwargs)
        self.height = _check_size("CenterCrop", "height", height)
        self.width = _check_size("CenterCrop", "width", width)

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        x = _as_float(inputs)
        self._check_rank(x.shape)
        axes = self._hw_axes(x.ndim)
        height, width = x.shape[axes[0]], x.shape[axes[1]]
        if height >= self.height and width >= self.width:
            top, left = (height - self.height) // 2, (width - self.width) // 2
            return _crop(x, axes, top, left, self.height, self.width)
        return _crop_to_aspect_and_resize(x, axes, (self.height, self.width))

    def compute_output_shape(self, input_shape: Any) -> Any:
        return self._with_size(input_shape, self.height, self.width)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height": self.height, "width": self.width}


class _RandomImageLayer(_ImageLayer):
    """The random layers' ``seed`` and generator. ``call`` is the identity (integers made
    float32) when ``training`` is False, else ``augment`` on the batch as a NumPy array
    (N, H, W, C)."""

    def __init__(self, seed: int | None = None, data_format: str | None = None, **kwargs: Any):
        super().__init__(data_format, **kwargs)
        self.seed = seed
        if seed is not None:
            self._rng = new_rng(seed)

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        x = _as_float(inputs)
        self._check_rank(x.shape)
        if training is False:
            return x
        images = x.data if x.ndim == 4 else x.data[None]
        if self.data_format == "channels_first":
            images = images.transpose(0, 2, 3, 1)
        out = self.augment(np.ascontiguousarray(images, np.float32)).astype(x.dtype, copy=False)
        if self.data_format == "channels_first":
            out = out.transpose(0, 3, 1, 2)
        return Tensor(np.ascontiguousarray(out if x.ndim == 4 else out[0]))

    def augment(self, images: np.ndarray) -> np.ndarray:
        """The augmented copy of a float32 batch (N, H, W, C)."""
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "seed": self.seed}


class RandomCrop(_RandomImageLayer):
    """In training a random (height, width) window, at one place for the whole batch;
    otherwise (and for an image smaller than the target) the largest centred window with the
    target's aspect ratio, resized (bilinear) to (height, width)."""

    def __init__(
        self,
        height: int,
        width: int,
        seed: int | None = None,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(seed, data_format, **kwargs)
        self.height = _check_size("RandomCrop", "height", height)
        self.width = _check_size("RandomCrop", "width", width)

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        x = _as_float(inputs)
        self._check_rank(x.shape)
        axes = self._hw_axes(x.ndim)
        height, width = x.shape[axes[0]], x.shape[axes[1]]
        if training is not False and height >= self.height and width >= self.width:
            top = int(self.rng.integers(0, height - self.height + 1))
            left = int(self.rng.integers(0, width - self.width + 1))
            return Tensor(_crop(x, axes, top, left, self.height, self.width).data.copy())
        return _crop_to_aspect_and_resize(x, axes, (self.height, self.width))

    def compute_output_shape(self, input_shape: Any) -> Any:
        return self._with_size(input_shape, self.height, self.width)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height": self.height, "width": self.width}


class RandomFlip(_RandomImageLayer):
    """Each image flipped left-right ("horizontal"), upside down ("vertical") or both
    ("horizontal_and_vertical"), with probability ½."""

    MODES = ("horizontal", "vertical", "horizontal_and_vertical")

    def __init__(
        self,
        mode: str = "horizontal_and_vertical",
        seed: int | None = None,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(seed, data_format, **kwargs)
        self.mode = _check_choice("RandomFlip", "mode", mode, self.MODES)

    def augment(self, images: np.ndarray) -> np.ndarray:
        flipped = images
        if self.mode != "vertical":
            flipped = flipped[:, :, ::-1]
        if self.mode != "horizontal":
            flipped = flipped[:, ::-1]
        flip = self.rng.random(len(images)) <= 0.5
        return np.where(flip[:, None, None, None], flipped, images)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mode": self.mode}


class _AffineLayer(_RandomImageLayer):
    """A random affine map per image (``transforms``), resampled by ``affine_transform``."""

    def __init__(
        self,
        fill_mode: str = "reflect",
        interpolation: str = "bilinear",
        seed: int | None = None,
        fill_value: float = 0.0,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(seed, data_format, **kwargs)
        where = type(self).__name__
        self.fill_mode = _check_choice(where, "fill_mode", fill_mode, FILL_MODES)
        self.interpolation = _check_choice(
            where, "interpolation", interpolation, AFFINE_INTERPOLATIONS
        )
        self.fill_value = float(fill_value)

    def transforms(self, n: int, height: int, width: int) -> np.ndarray:
        """(n, 8) rows [a0, a1, a2, b0, b1, b2, c0, c1], one per image."""
        raise NotImplementedError

    def augment(self, images: np.ndarray) -> np.ndarray:
        n, height, width, _ = images.shape
        return affine_transform(
            images,
            self.transforms(n, height, width),
            self.interpolation,
            self.fill_mode,
            self.fill_value,
        )

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "fill_mode": self.fill_mode,
            "fill_value": self.fill_value,
            "interpolation": self.interpolation,
        }


class RandomRotation(_AffineLayer):
    """Rotate each image about its centre by θ ~ U(lower, upper)·2π (``factor``: f for
    (-f, f), or a pair, in [-1, 1])."""

    def __init__(self, factor: Any, fill_mode: str = "reflect", **kwargs: Any) -> None:
        super().__init__(fill_mode, **kwargs)
        self.factor = _factor_range("RandomRotation", "factor", factor, -1.0, 1.0)

    def transforms(self, n: int, height: int, width: int) -> np.ndarray:
        """Output (x, y) reads input c + M (x - c, y - c), M the rotation by θ, c the centre."""
        lower, upper = self.factor
        theta = self.rng.uniform(lower * 2 * math.pi, upper * 2 * math.pi, n)
        cos, sin = np.cos(theta), np.sin(theta)
        cx, cy = (width - 1) / 2, (height - 1) / 2
        zero = np.zeros(n)
        return np.stack(
            [cos, -sin, cx - cx * cos + cy * sin, sin, cos, cy - cx * sin - cy * cos, zero, zero],
            axis=1,
        )

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor}


class RandomZoom(_AffineLayer):
    """Zoom each image about its centre by z ~ U(1 + lower, 1 + upper) per axis (factors in
    (-1, 1]; positive zooms out, negative in; ``width_factor=None``: the height's zoom)."""

    def __init__(
        self,
        height_factor: Any,
        width_factor: Any = None,
        fill_mode: str = "reflect",
        **kwargs: Any,
    ) -> None:
        super().__init__(fill_mode, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self._height_range = _factor_range(
            "RandomZoom", "height_factor", height_factor, -1.0, 1.0, open_low=True
        )
        self._width_range = (
            None
            if width_factor is None
            else _factor_range("RandomZoom", "width_factor", width_factor, -1.0, 1.0, True)
        )

    def transforms(self, n: int, height: int, width: int) -> np.ndarray:
        zoom_h = 1 + self.rng.uniform(*self._height_range, n)
        zoom_w = (
            zoom_h if self._width_range is None else 1 + self.rng.uniform(*self._width_range, n)
        )
        zero = np.zeros(n)
        x_shift = (width - 1) / 2 * (1 - zoom_w)
        y_shift = (height - 1) / 2 * (1 - zoom_h)
        return np.stack([zoom_w, zero, x_shift, zero, zoom_h, y_shift, zero, zero], axis=1)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "height_factor": self.height_factor,
            "width_factor": self.width_factor,
        }


class RandomTranslation(_AffineLayer):
    """Shift each image by t_h·H rows and t_w·W columns, t ~ U(lower, upper) (factors in
    [-1, 1]; positive moves the image down / right)."""

    def __init__(
        self, height_factor: Any, width_factor: Any, fill_mode: str = "reflect", **kwargs: Any
    ) -> None:
        super().__init__(fill_mode, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        where = "RandomTranslation"
        self._height_range = _factor_range(where, "height_factor", height_factor, -1.0, 1.0)
        self._width_range = _factor_range(where, "width_factor", width_factor, -1.0, 1.0)

    def transforms(self, n: int, height: int, width: int) -> np.ndarray:
        shift_y = self.rng.uniform(*self._height_range, n) * height
        shift_x = self.rng.uniform(*self._width_range, n) * width
        zero, one = np.zeros(n), np.ones(n)
        return np.stack([one, zero, -shift_x, zero, one, -shift_y, zero, zero], axis=1)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "height_factor": self.height_factor,
            "width_factor": self.width_factor,
        }


class _ValueLayer(_RandomImageLayer):
    """``factor`` and ``value_range`` of the layers that change pixel values."""

    BOUNDS = (-1.0, 1.0)

    def __init__(
        self, factor: Any, value_range: Any = (0, 255), seed: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(seed, **kwargs)
        where = type(self).__name__
        self.factor = _factor_range(where, "factor", factor, *self.BOUNDS)
        if not isinstance(value_range, tuple | list) or len(value_range) != 2:
            raise ValueError(f"{where}: value_range must be a pair (min, max), got {value_range!r}")
        self.value_range = value_range

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}


class RandomContrast(_ValueLayer):
    """y = clip((x - μ)·c + μ, value_range), μ the mean of each channel of each image,
    c ~ U(1 - lower, 1 + upper); ``factor`` f stands for (0, f) (Keras 3's reading, see the
    module docstring), or a pair, in [0, 1]."""

    BOUNDS = (0.0, 1.0)

    def augment(self, images: np.ndarray) -> np.ndarray:
        lower, upper = self.factor
        contrast = self.rng.uniform(1 - lower, 1 + upper, (len(images), 1, 1, 1))
        mean = images.mean(axis=(1, 2), keepdims=True)
        out = (images - mean) * contrast.astype(np.float32) + mean
        return np.clip(out, self.value_range[0], self.value_range[1])


class RandomBrightness(_ValueLayer):
    """y = clip(x + δ, value_range), δ ~ U(lower, upper)·(max - min) per image (``factor`` f
    for (-f, f), or a pair, in [-1, 1])."""

    def __init__(self, factor: Any, value_range: Any = (0, 255), **kwargs: Any) -> None:
        super().__init__(factor, value_range, **kwargs)
        self.value_range = sorted(self.value_range)

    def augment(self, images: np.ndarray) -> np.ndarray:
        low, high = self.value_range
        delta = self.rng.uniform(*self.factor, (len(images), 1, 1, 1)) * (high - low)
        return np.clip(images + delta.astype(np.float32), low, high)
