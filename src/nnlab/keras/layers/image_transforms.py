"""Image resampling on NumPy arrays, with the numbers of Keras 3's ``keras.ops.image``.

Resizing (``resize_matrix``, ``aspect_crop``, ``aspect_pad``) is linear in the image: along
each spatial axis the output is R @ x with R an (out, in) matrix, so a layer applies it with
the engine's ``matmul`` (and gradients flow). Half-pixel centres, as Keras 3 (and
``torch.nn.functional.interpolate(align_corners=False)``): output pixel i samples the input
at s_i = (i + ½)·in/out - ½;

- bilinear: R[i, j] = max(0, 1 - |s_i - j|), each row divided by its sum (so a sample near
  the border takes the border pixel); with ``antialias`` and a shrinking resize the triangle
  is widened by in/out (a low-pass filter before subsampling);
- nearest ("nearest-exact"): R[i, j] = 1 for j = min(⌊(i + ½)·in/out⌋, in - 1), in float32.

``affine_transform`` maps each output pixel (x, y) (column, row) to the input point
x' = (a0 x + a1 y + a2)/k, y' = (b0 x + b1 y + b2)/k, k = c0 x + c1 y + 1, from one row
[a0, a1, a2, b0, b1, b2, c0, c1] per image, and reads the input there: the nearest pixel
(coordinates rounded half to even) or the bilinear blend of the four around it. Points
outside the image take, by ``fill_mode``:

- "constant": ``fill_value`` (a bilinear sample near the border blends it with the pixels);
- "reflect":  d c b a | a b c d | d c b a (the image mirrored about its edge);
- "wrap":     a b c d | a b c d | a b c d (the image tiled);
- "nearest":  a a a a | a b c d | d d d d (the border pixel repeated).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = [
    "AFFINE_INTERPOLATIONS",
    "FILL_MODES",
    "RESIZE_INTERPOLATIONS",
    "affine_transform",
    "aspect_crop",
    "aspect_pad",
    "resize_matrix",
    "window_resize_matrix",
]

RESIZE_INTERPOLATIONS = ("bilinear", "nearest")
AFFINE_INTERPOLATIONS = ("bilinear", "nearest")
FILL_MODES = ("reflect", "wrap", "constant", "nearest")


def resize_matrix(
    in_size: int, out_size: int, interpolation: str = "bilinear", antialias: bool = False
) -> np.ndarray:
    """The (out_size, in_size) float64 matrix R of one axis's resize: y = R @ x."""
    if interpolation == "nearest":
        ratio = np.float32(in_size / out_size)
        source = np.floor((np.arange(out_size, dtype=np.float32) + np.float32(0.5)) * ratio)
        picked = np.minimum(source.astype(np.int64), in_size - 1)
        return np.eye(in_size)[picked]
    scale = out_size / in_size
    centres = (np.arange(out_size) + 0.5) / scale - 0.5
    width = max(1.0 / scale, 1.0) if antialias else 1.0
    weights = np.maximum(0.0, 1.0 - np.abs(centres[:, None] - np.arange(in_size)) / width)
    return weights / weights.sum(axis=1, keepdims=True)


def window_resize_matrix(
    in_size: int,
    out_size: int,
    start: int,
    size: int,
    interpolation: str = "bilinear",
    antialias: bool = False,
) -> np.ndarray:
    """The (out_size, in_size) matrix resizing the window [start, start + size) of an axis of
    ``in_size`` pixels to ``out_size``: a crop when the window lies inside the axis; padding
    when it reaches outside (``start`` < 0), its columns for the padding dropped (those pixels
    contribute ``fill_value`` times the weight missing from each row)."""
    window = resize_matrix(size, out_size, interpolation, antialias)
    lo, hi = max(start, 0), min(start + size, in_size)
    matrix = np.zeros((out_size, in_size))
    matrix[:, lo:hi] = window[:, lo - start : hi - start]
    return matrix


def aspect_crop(height: int, width: int, target: tuple[int, int]) -> tuple[int, int, int, int]:
    """(top, left, crop_height, crop_width): the largest centred window of a height × width
    image with the target's aspect ratio (Keras 3's ``crop_to_aspect_ratio`` rule)."""
    target_height, target_width = target
    crop_height = max(min(height, int(float(width * target_height) / target_width)), 1)
    crop_width = max(min(width, int(float(height * target_width) / target_height)), 1)
    top = int(float(height - crop_height) / 2)
    left = int(float(width - crop_width) / 2)
    return top, left, crop_height, crop_width


def aspect_pad(height: int, width: int, target: tuple[int, int]) -> tuple[int, int]:
    """(rows, cols) of padding added on *each* side so that the image reaches about the
    target's aspect ratio (Keras 3's ``pad_to_aspect_ratio`` rule: half the missing rows or
    columns, rounded down, on both sides; at most one of the two is non-zero)."""
    target_height, target_width = target
    pad_height = max(height, int(float(width * target_height) / target_width))
    pad_width = max(width, int(float(height * target_width) / target_height))
    return int(float(pad_height - height) / 2), int(float(pad_width - width) / 2)


# Out-of-image indices -> in-image indices, per fill mode ("constant" clips only to read
# safely; its out-of-image samples are then replaced by fill_value).
def _reflect(index: np.ndarray, size: int) -> np.ndarray:
    folded = index % (2 * size)
    return np.where(folded < size, folded, 2 * size - 1 - folded)


_INDEX_FIXERS: dict[str, Callable[[np.ndarray, int], np.ndarray]] = {
    "constant": lambda index, size: np.clip(index, 0, size - 1),
    "nearest": lambda index, size: np.clip(index, 0, size - 1),
    "wrap": lambda index, size: index % size,
    "reflect": _reflect,
}


def _taps(coordinate: np.ndarray, interpolation: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """(index, weight) pairs sampling along one axis at ``coordinate``."""
    if interpolation == "nearest":
        return [(np.round(coordinate).astype(np.int64), np.ones_like(coordinate))]
    lower = np.floor(coordinate)
    upper_weight = coordinate - lower
    index = lower.astype(np.int64)
    return [(index, 1 - upper_weight), (index + 1, upper_weight)]


def affine_transform(
    images: np.ndarray,
    transforms: np.ndarray,
    interpolation: str = "bilinear",
    fill_mode: str = "constant",
    fill_value: float = 0.0,
) -> np.ndarray:
    """Resample (N, H, W, C) float32 ``images`` through one 8-vector of ``transforms`` (N, 8)
    per image (see the module docstring); float32 (N, H, W, C)."""
    n, height, width, _ = images.shape
    t = np.asarray(transforms, np.float32).reshape(n, 8, 1, 1)
    rows, cols = np.mgrid[0:height, 0:width].astype(np.float32)
    a0, a1, a2, b0, b1, b2, c0, c1 = (t[:, i] for i in range(8))
    k = c0 * cols + c1 * rows + 1
    source_x = (a0 * cols + a1 * rows + a2) / k  # (N, H, W)
    source_y = (b0 * cols + b1 * rows + b2) / k
    fix = _INDEX_FIXERS[fill_mode]
    batch = np.arange(n)[:, None, None]
    fill = np.float32(fill_value)
    out = np.zeros(images.shape, np.float32)
    for iy, wy in _taps(source_y, interpolation):
        for ix, wx in _taps(source_x, interpolation):
            sample = images[batch, fix(iy, height), fix(ix, width)]
            if fill_mode == "constant":
                inside = (iy >= 0) & (iy < height) & (ix >= 0) & (ix < width)
                sample = np.where(inside[..., None], sample, fill)
            out += (wy * wx)[..., None] * sample
    return out
