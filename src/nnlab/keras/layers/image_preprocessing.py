"""Image preprocessing layers, Keras 3's: ``Resizing``, ``CenterCrop``, ``RandomCrop``,
``RandomFlip``, and what every image layer shares (``image_augmentation`` has the others).

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
  ``seed`` is given, else the layer's generator (the model's). The crops and resizes are
  differentiable; the other random layers' outputs are data (no gradient flows back through
  them: their inputs are images).
- ``RandomCrop(height, width)``: in training a random window; otherwise the largest centred
  window with the target's aspect ratio, resized to the target (as Keras 3 documents it).
- ``RandomFlip(mode)``: each image flipped with probability ½ (in "horizontal_and_vertical"
  both flips share that one draw, as in Keras 3: the image or its 180° turn).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab.autograd import Tensor

from ..config import standardize_data_format
from ..utils import new_rng
from .base import Layer
from .image_transforms import RESIZE_INTERPOLATIONS, aspect_crop, aspect_pad, window_resize_matrix

__all__ = ["CenterCrop", "RandomCrop", "RandomFlip", "Resizing"]


def check_choice(where: str, name: str, value: Any, choices: tuple[str, ...]) -> str:
    """``value`` if it is one of ``choices``, else a ValueError naming the layer and argument."""
    if value not in choices:
        raise ValueError(f"{where}: {name} must be one of {choices}, got {value!r}")
    return str(value)


def _check_size(where: str, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{where}: {name} must be a positive integer, got {value!r}")
    return int(value)


def _as_float(inputs: Tensor) -> Tensor:
    """Float inputs as they are (float64 stays float64, for gradient checks); others float32."""
    if inputs.dtype.kind == "f":
        return inputs
    return Tensor(np.asarray(inputs.data, np.float32))


class _ImageLayer(Layer):
    """What every image layer shares: ``data_format``, the rank check, the image axes."""

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        try:
            self.data_format = standardize_data_format(data_format)
        except ValueError as err:
            raise ValueError(f"{type(self).__name__}: {err}") from None

    def _check_rank(self, shape: tuple[Any, ...]) -> None:
        if len(shape) not in (3, 4):
            layout = "height, width, channels"
            if self.data_format == "channels_first":
                layout = "channels, height, width"
            raise ValueError(
                f"{type(self).__name__} expects images of rank 3 ({layout}) or 4 (batch, "
                f"{layout}), got shape {tuple(shape)}"
            )

    def _hw_axes(self) -> tuple[int, int]:
        return (-2, -1) if self.data_format == "channels_first" else (-3, -2)

    def _with_size(self, shape: Any, height: int, width: int) -> tuple[Any, ...]:
        self._check_rank(tuple(shape))
        out = list(shape)
        h_axis, w_axis = self._hw_axes()
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
        self.interpolation = check_choice(
            "Resizing", "interpolation", interpolation, RESIZE_INTERPOLATIONS
        )
        self.fill_mode = check_choice("Resizing", "fill_mode", fill_mode, ("constant",))
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
        axes = self._hw_axes()
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
        axes = self._hw_axes()
        height, width = x.shape[axes[0]], x.shape[axes[1]]
        if height >= self.height and width >= self.width:
            top, left = (height - self.height) // 2, (width - self.width) // 2
            return _crop(x, axes, top, left, self.height, self.width)
        return _crop_to_aspect_and_resize(x, axes, (self.height, self.width))

    def compute_output_shape(self, input_shape: Any) -> Any:
        return self._with_size(input_shape, self.height, self.width)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height": self.height, "width": self.width}


class RandomImageLayer(_ImageLayer):
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


class RandomCrop(RandomImageLayer):
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
        axes = self._hw_axes()
        height, width = x.shape[axes[0]], x.shape[axes[1]]
        if training is not False and height >= self.height and width >= self.width:
            top = int(self.rng.integers(0, height - self.height + 1))
            left = int(self.rng.integers(0, width - self.width + 1))
            return _crop(x, axes, top, left, self.height, self.width)
        return _crop_to_aspect_and_resize(x, axes, (self.height, self.width))

    def compute_output_shape(self, input_shape: Any) -> Any:
        return self._with_size(input_shape, self.height, self.width)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height": self.height, "width": self.width}


class RandomFlip(RandomImageLayer):
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
        self.mode = check_choice("RandomFlip", "mode", mode, self.MODES)

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
