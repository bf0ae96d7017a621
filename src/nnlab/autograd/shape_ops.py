"""Ops that move values without changing them: reshape, transpose, indexing, concatenate,
stack, where. Their backward routes each gradient element back to where its value came from."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .function import Function
from .ops import lift
from .tensor import Tensor, _raw


class Reshape(Function):
    __slots__ = ("shape", "in_shape")

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.in_shape = x.shape
        try:
            return x.reshape(self.shape)
        except ValueError:
            raise ValueError(
                f"reshape: cannot reshape a tensor of shape {x.shape} ({x.size} elements) "
                f"into shape {self.shape}"
            ) from None

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g.reshape(self.in_shape),)


class Transpose(Function):
    """Permute the axes (None: reverse them); the gradient is permuted back."""

    __slots__ = ("axes",)

    def __init__(self, axes: tuple[int, ...] | None) -> None:
        self.axes = axes

    def forward(self, x: np.ndarray) -> np.ndarray:
        if self.axes is not None and sorted(a % max(x.ndim, 1) for a in self.axes) != list(
            range(x.ndim)
        ):
            raise ValueError(
                f"transpose: axes {self.axes} are not a permutation of the {x.ndim} axes of a "
                f"tensor of shape {x.shape}"
            )
        return x.transpose(self.axes)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        if self.axes is None:
            return (g.transpose(),)
        return (g.transpose(np.argsort([a % g.ndim for a in self.axes])),)


def _has_advanced(index: Any) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return any(
        isinstance(i, list | np.ndarray | Tensor) and np.asarray(_raw(i)).dtype != bool
        for i in items
    )


class GetItem(Function):
    """y = x[index] for ints, slices (with steps), integer arrays and boolean masks.

    Backward scatters the gradient into zeros of x's shape; integer-array indices may repeat an
    element, so they are accumulated with ``np.add.at``.
    """

    __slots__ = ("index", "shape", "dtype")

    def __init__(self, index: Any) -> None:
        self.index = index

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.shape, self.dtype = x.shape, x.dtype
        try:
            return np.asarray(x[self.index])
        except IndexError as e:
            raise IndexError(f"getitem: {e} (tensor shape {x.shape})") from None

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        out = np.zeros(self.shape, dtype=g.dtype)
        if _has_advanced(self.index):
            np.add.at(out, self.index, g)
        else:
            out[self.index] = g
        return (out,)


class Concatenate(Function):
    __slots__ = ("axis", "splits")

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        try:
            out = np.concatenate(xs, axis=self.axis)
        except (ValueError, np.exceptions.AxisError) as e:
            shapes = ", ".join(str(x.shape) for x in xs)
            raise ValueError(f"concatenate: shapes {shapes} along axis {self.axis}: {e}") from None
        self.splits = np.cumsum([x.shape[self.axis] for x in xs])[:-1]
        return out

    def backward(self, g: np.ndarray) -> tuple[np.ndarray, ...]:
        return tuple(np.split(g, self.splits, axis=self.axis))


class Stack(Function):
    __slots__ = ("axis", "n")

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        try:
            out = np.stack(xs, axis=self.axis)
        except (ValueError, np.exceptions.AxisError) as e:
            shapes = ", ".join(str(x.shape) for x in xs)
            raise ValueError(f"stack: shapes {shapes} along axis {self.axis}: {e}") from None
        self.n = len(xs)
        return out

    def backward(self, g: np.ndarray) -> tuple[np.ndarray, ...]:
        return tuple(np.moveaxis(g, self.axis, 0))


class Where(Function):
    """y = a where cond else b; the gradient flows to the chosen side only."""

    __slots__ = ("cond",)

    def __init__(self, cond: np.ndarray) -> None:
        self.cond = cond

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        try:
            return np.where(self.cond, a, b)
        except ValueError:
            raise ValueError(
                f"where: shapes cond {self.cond.shape}, a {a.shape}, b {b.shape} cannot be "
                "broadcast together"
            ) from None

    def backward(self, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        zero = np.zeros((), dtype=g.dtype)
        return np.where(self.cond, g, zero), np.where(self.cond, zero, g)


def reshape(x: Any, shape: Sequence[int]) -> Tensor:
    """The same values in a new shape (one axis may be -1)."""
    return Reshape(tuple(shape)).apply(lift(x))


def transpose(x: Any, axes: Sequence[int] | None = None) -> Tensor:
    """Permute axes; None reverses them (``.T``)."""
    return Transpose(None if axes is None else tuple(axes)).apply(lift(x))


def getitem(x: Any, index: Any) -> Tensor:
    """x[index] (NumPy basic and advanced indexing)."""
    if isinstance(index, tuple):
        index = tuple(_raw(i) for i in index)
    else:
        index = _raw(index)
    return GetItem(index).apply(lift(x))


def concatenate(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis."""
    ts = [lift(t) for t in tensors]
    if not ts:
        raise ValueError("concatenate: need at least one tensor")
    return Concatenate(axis).apply(*ts)


def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join same-shaped tensors along a new axis."""
    ts = [lift(t) for t in tensors]
    if not ts:
        raise ValueError("stack: need at least one tensor")
    return Stack(axis).apply(*ts)


def where(cond: Any, a: Any, b: Any) -> Tensor:
    """Elementwise choice: ``a`` where ``cond`` is true, else ``b`` (cond is not differentiable)."""
    cond_arr = np.asarray(_raw(cond), dtype=bool)
    if isinstance(a, Tensor):
        ta, tb = a, lift(b, a)
    else:
        tb = lift(b)
        ta = lift(a, tb)
    return Where(cond_arr).apply(ta, tb)
