"""Image augmentation layers, Keras 3's: ``RandomRotation``, ``RandomZoom``,
``RandomTranslation`` (one affine map per image, resampled by ``image_transforms``'s
``affine_transform``) and ``RandomContrast``, ``RandomBrightness``. Like ``RandomFlip``
(``image_preprocessing``), they augment in training and are the identity when
``training=False``.

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

from .image_preprocessing import RandomImageLayer, check_choice
from .image_transforms import AFFINE_INTERPOLATIONS, FILL_MODES, affine_transform

__all__ = [
    "RandomBrightness",
    "RandomContrast",
    "RandomRotation",
    "RandomTranslation",
    "RandomZoom",
]


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


class _AffineLayer(RandomImageLayer):
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
        self.fill_mode = check_choice(where, "fill_mode", fill_mode, FILL_MODES)
        self.interpolation = check_choice(
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


class _ValueLayer(RandomImageLayer):
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
