"""Reductions: sum, mean, max, min over an axis, a tuple of axes, or everything."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .function import Function
from .ops import lift
from .tensor import Tensor

Axis = int | Sequence[int] | None


def normalize_axis(axis: Axis, ndim: int, op: str) -> tuple[int, ...] | None:
    """Axes as a sorted tuple of non-negative ints (None: all); clear error when out of range."""
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, int | np.integer) else tuple(axis)
    out = []
    for ax in axes:
        if not -ndim <= ax < (ndim or 1):
            raise ValueError(f"{op}: axis {ax} is out of range for a tensor with {ndim} dimensions")
        out.append(int(ax) % (ndim or 1))
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: repeated axis in {axis}")
    return tuple(sorted(out))


def _expand(
    g: np.ndarray, shape: tuple[int, ...], axes: tuple[int, ...] | None, keepdims: bool
) -> np.ndarray:
    """Put the reduced axes back (as size 1) so ``g`` broadcasts against the input."""
    if keepdims:
        return g
    if axes is None:
        return g.reshape((1,) * len(shape))
    return np.expand_dims(g, axes)


class Sum(Function):
    """y = Σ x over ``axis``; dy/dx = 1 (the gradient is broadcast back)."""

    __slots__ = ("axis", "keepdims", "shape")

    def __init__(self, axis: tuple[int, ...] | None, keepdims: bool) -> None:
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.shape = x.shape
        return np.asarray(x.sum(axis=self.axis, keepdims=self.keepdims))

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        g = _expand(g, self.shape, self.axis, self.keepdims)
        return (np.broadcast_to(g, self.shape),)


class Mean(Function):
    """y = (1/n) Σ x over ``axis``; dy/dx = 1/n."""

    __slots__ = ("axis", "keepdims", "shape", "n")

    def __init__(self, axis: tuple[int, ...] | None, keepdims: bool) -> None:
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.shape = x.shape
        out = np.asarray(x.mean(axis=self.axis, keepdims=self.keepdims))
        self.n = x.size // out.size if out.size else 1
        return out

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        g = _expand(g, self.shape, self.axis, self.keepdims) / self.n
        return (np.broadcast_to(g, self.shape),)


class _Extremum(Function):
    """max / min: the gradient goes to the extremal elements, split evenly among ties."""

    __slots__ = ("axis", "keepdims", "x", "out")
    reduce: Any = None

    def __init__(self, axis: tuple[int, ...] | None, keepdims: bool) -> None:
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x: np.ndarray) -> np.ndarray:
        if x.size == 0:
            raise ValueError(f"{self.name.lower()}: cannot reduce an empty tensor")
        self.x = x
        self.out = np.asarray(type(self).reduce(x, axis=self.axis, keepdims=True))
        if self.keepdims:
            return self.out
        return self.out.reshape(()) if self.axis is None else np.squeeze(self.out, self.axis)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        mask = self.x == self.out
        count = mask.sum(axis=self.axis, keepdims=True)
        g = g.reshape(self.out.shape)
        return (mask * (g / count),)


class Max(_Extremum):
    __slots__ = ()
    reduce = np.max


class Min(_Extremum):
    __slots__ = ()
    reduce = np.min


def sum(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Σ x over ``axis`` (None: all elements)."""
    x = lift(x)
    return Sum(normalize_axis(axis, x.ndim, "sum"), keepdims).apply(x)


def mean(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Arithmetic mean over ``axis`` (None: all elements)."""
    x = lift(x)
    return Mean(normalize_axis(axis, x.ndim, "mean"), keepdims).apply(x)


def max(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Maximum over ``axis``; ties share the gradient equally."""
    x = lift(x)
    return Max(normalize_axis(axis, x.ndim, "max"), keepdims).apply(x)


def min(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Minimum over ``axis``; ties share the gradient equally."""
    x = lift(x)
    return Min(normalize_axis(axis, x.ndim, "min"), keepdims).apply(x)
