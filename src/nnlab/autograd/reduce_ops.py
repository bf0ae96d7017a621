"""Reductions: sum, mean, max, min over an axis, a tuple of axes, or everything."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .function import Function
from .ops import as_tensor
from .tensor import Tensor

Axis = int | Sequence[int] | None


def normalize_axis(axis: Axis, ndim: int, op: str) -> tuple[int, ...] | None:
    """Axes as a sorted tuple of non-negative ints (None: all); clear error when out of range.

    A 0-d tensor accepts axis 0 or -1, as in PyTorch, and reduces over nothing: ``()``.
    """
    if axis is None:
        return None
    if type(axis) is int and -ndim <= axis < ndim:  # the usual case: one axis in range
        return (axis % ndim,)
    axes = (axis,) if isinstance(axis, int | np.integer) else tuple(axis)
    size = ndim or 1
    out = []
    for ax in axes:
        if not -size <= ax < size:
            raise ValueError(f"{op}: axis {ax} is out of range for a tensor with {ndim} dimensions")
        out.append(int(ax) % size)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: repeated axis in {axis}")
    return tuple(sorted(out)) if ndim else ()


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
    saves_tensors = False

    def __init__(self, axis: tuple[int, ...] | None, keepdims: bool) -> None:
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.shape = x.shape
        return x.sum(axis=self.axis, keepdims=self.keepdims)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        g = _expand(g, self.shape, self.axis, self.keepdims)
        return (np.broadcast_to(g, self.shape),)


def sum(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Σ x over ``axis`` (None: all elements)."""
    x = as_tensor(x)
    return Sum(normalize_axis(axis, x.ndim, "sum"), keepdims).apply(x)


class Mean(Function):
    """y = (1/n) Σ x over ``axis``; dy/dx = 1/n. The mean of no elements is nan (0/0), as in
    PyTorch, without NumPy's "Mean of empty slice" warning."""

    __slots__ = ("axis", "keepdims", "shape", "n")
    saves_tensors = False

    def __init__(self, axis: tuple[int, ...] | None, keepdims: bool) -> None:
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.shape = x.shape
        n = x.size if self.axis is None else math.prod(x.shape[a] for a in self.axis)
        self.n = n or 1  # no elements reduced: the input, and so its gradient, is empty
        with np.errstate(invalid="ignore"):  # 0/0
            return np.asarray(x.sum(axis=self.axis, keepdims=self.keepdims) / n)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        g = _expand(g, self.shape, self.axis, self.keepdims) / self.n
        return (np.broadcast_to(g, self.shape),)


def mean(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Arithmetic mean over ``axis`` (None: all elements)."""
    x = as_tensor(x)
    return Mean(normalize_axis(axis, x.ndim, "mean"), keepdims).apply(x)


class _Extremum(Function):
    """max / min: the gradient goes to the extremal elements, split evenly among ties; where
    the result is nan it goes to the nan elements (PyTorch's ``max()`` convention)."""

    __slots__ = ("axis", "keepdims", "x", "out")
    reduce: Any = None

    def __init__(self, axis: tuple[int, ...] | None, keepdims: bool) -> None:
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x: np.ndarray) -> np.ndarray:
        if x.size == 0:
            self._check_not_empty(x.shape)
        self.x = x
        self.out = np.asarray(type(self).reduce(x, axis=self.axis, keepdims=True))
        if self.keepdims:
            return self.out
        return self.out.reshape(()) if self.axis is None else np.squeeze(self.out, self.axis)

    def _check_not_empty(self, shape: tuple[int, ...]) -> None:
        op = self.name.lower()
        if self.axis is None:
            raise ValueError(
                f"{op}: cannot reduce a tensor of shape {shape} (no elements) over all axes; "
                "give an axis of non-zero size"
            )
        for ax in self.axis:
            if shape[ax] == 0:
                raise ValueError(
                    f"{op}: cannot reduce over axis {ax} of size 0 (tensor shape {shape})"
                )

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        mask = self.x == self.out
        nan_out = np.isnan(self.out)
        if nan_out.any():
            mask |= np.isnan(self.x) & nan_out
        count = mask.sum(axis=self.axis, keepdims=True)
        g = g.reshape(self.out.shape)
        return (mask * (g / count),)


class Max(_Extremum):
    __slots__ = ()
    reduce = np.max


def max(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Maximum over ``axis``; ties share the gradient equally."""
    x = as_tensor(x)
    return Max(normalize_axis(axis, x.ndim, "max"), keepdims).apply(x)


class Min(_Extremum):
    __slots__ = ()
    reduce = np.min


def min(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Minimum over ``axis``; ties share the gradient equally."""
    x = as_tensor(x)
    return Min(normalize_axis(axis, x.ndim, "min"), keepdims).apply(x)
