"""Ops that move values without changing them: reshape, transpose, indexing, concatenate,
stack, where, pad. Their backward routes each gradient element back to where its value came
from (none of them reads the values, so in-place changes after them are harmless)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .function import Function
from .ops import as_tensor, pair
from .tensor import Tensor, _raw, _raw_index


class Reshape(Function):
    __slots__ = ("shape", "in_shape")
    saves_tensors = False

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


def reshape(x: Any, shape: Sequence[int]) -> Tensor:
    """The same values in a new shape (one axis may be -1)."""
    return Reshape(tuple(shape)).apply(as_tensor(x))


class Transpose(Function):
    """Permute the axes (None: reverse them); the gradient is permuted back."""

    __slots__ = ("axes",)
    saves_tensors = False

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


def transpose(x: Any, axes: Sequence[int] | None = None) -> Tensor:
    """Permute axes; None reverses them (``.T``)."""
    return Transpose(None if axes is None else tuple(axes)).apply(as_tensor(x))


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
    saves_tensors = False

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


def getitem(x: Any, index: Any) -> Tensor:
    """x[index] (NumPy basic and advanced indexing)."""
    return GetItem(_raw_index(index)).apply(as_tensor(x))


class Concatenate(Function):
    __slots__ = ("axis", "splits")
    saves_tensors = False

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


def concatenate(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis."""
    ts = [as_tensor(t) for t in tensors]
    if not ts:
        raise ValueError("concatenate: need at least one tensor")
    return Concatenate(axis).apply(*ts)


class Stack(Function):
    __slots__ = ("axis", "n")
    saves_tensors = False

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


def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join same-shaped tensors along a new axis."""
    ts = [as_tensor(t) for t in tensors]
    if not ts:
        raise ValueError("stack: need at least one tensor")
    return Stack(axis).apply(*ts)


class Where(Function):
    """y = a where cond else b; the gradient flows to the chosen side only (cond, a boolean
    input, has none)."""

    __slots__ = ("cond",)
    broadcasting = True
    saves_tensors = False  # cond is the wrapper's own boolean copy

    def forward(self, cond: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.cond = cond
        return np.where(cond, a, b)

    def backward(self, g: np.ndarray) -> tuple[None, np.ndarray, np.ndarray]:
        zero = np.zeros((), dtype=g.dtype)
        return None, np.where(self.cond, g, zero), np.where(self.cond, zero, g)


def where(cond: Any, a: Any, b: Any) -> Tensor:
    """Elementwise choice: ``a`` where ``cond`` is true, else ``b`` (cond is not differentiable)."""
    return Where().apply(Tensor(np.asarray(_raw(cond), dtype=bool)), *pair(a, b))


class Pad(Function):
    """Constant padding: y = x surrounded by ``value``, ``widths[k] = (before, after)`` elements
    on axis k; dy/dx = 1 on the copied block, so the backward slices it back out of g."""

    __slots__ = ("widths", "value", "inner")
    saves_tensors = False

    def __init__(self, widths: tuple[tuple[int, int], ...], value: float) -> None:
        self.widths, self.value = widths, value

    def forward(self, x: np.ndarray) -> np.ndarray:
        shape = tuple(n + b + a for n, (b, a) in zip(x.shape, self.widths, strict=True))
        self.inner = tuple(slice(b, b + n) for n, (b, _) in zip(x.shape, self.widths, strict=True))
        out = np.full(shape, self.value, dtype=x.dtype)
        out[self.inner] = x
        return out

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g[self.inner],)


def _pad_widths(pad_width: Any, ndim: int) -> tuple[tuple[int, int], ...] | None:
    """``pad_width`` as one (before, after) pair per axis, with ``np.pad``'s shorthands: one int
    (the same on both sides of every axis) and one pair, or a list of one pair (the same pair for
    every axis)."""
    if isinstance(pad_width, str | bytes):
        return None
    try:
        if np.ndim(pad_width) == 0:
            n = int(pad_width)
            return ((n, n),) * ndim
        if np.shape(pad_width) in ((2,), (1, 2)):
            before, after = np.reshape(pad_width, 2)
            return ((int(before), int(after)),) * ndim
        return tuple((int(b), int(a)) for b, a in pad_width)
    except (TypeError, ValueError):
        return None


def pad(x: Any, pad_width: Any, value: float = 0.0) -> Tensor:
    """Pad with the constant ``value``, in NumPy's order: ``pad_width`` holds one
    ``(before, after)`` pair of non-negative ints per axis, first axis first (as ``np.pad``;
    ``nnlab.nn.functional.pad`` takes PyTorch's flat, last-axis-first order). As in ``np.pad``,
    one int pads every side by that much and one pair applies to every axis.

    >>> pad(x, ((0, 0), (1, 2)))   # x (N, 3) -> (N, 6): one column before, two after
    >>> pad(x, 1)                  # x (N, 3) -> (N + 2, 5)
    """
    x = as_tensor(x)
    widths = _pad_widths(pad_width, x.ndim)
    if widths is None or len(widths) != x.ndim or any(min(w) < 0 for w in widths):
        raise ValueError(
            f"pad: pad_width must hold {x.ndim} (before, after) pairs of non-negative ints, one "
            f"per axis of the tensor of shape {x.shape}; got {pad_width!r}"
        )
    return Pad(widths, value).apply(x)
