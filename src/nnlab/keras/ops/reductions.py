"""Reductions of ``keras.ops`` (Keras 3's ``keras.ops.numpy`` and ``math``): sums, means,
extrema, variance, norms, ``logsumexp``, cumulative sums and the arg-reductions.

``sum``, ``mean``, ``max``, ``min``, ``var``, ``std``, ``prod``, ``logsumexp``, ``cumsum`` and
``norm`` are differentiable; ``argmax``, ``argmin``, ``all``, ``any``, ``count_nonzero`` and
``argsort`` return integer/boolean Tensors without gradient.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab import autograd as ag
from nnlab.autograd import Function, Tensor

from ._util import Axis, as_array, axis_arg, t
from .operation import keras_op
from .shapes import take_along_axis

__all__ = [
    "all", "amax", "amin", "any", "argmax", "argmin", "argsort", "average", "count_nonzero",
    "cumprod", "cumsum", "logsumexp", "max", "mean", "median", "min", "norm", "prod", "sort",
    "std", "sum", "var",
]  # fmt: skip


@keras_op("Sum", config=("axis", "keepdims"))
def sum(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Σ x over ``axis`` (all axes when None)."""
    return t(x).sum(axis=axis_arg(axis), keepdims=keepdims)


@keras_op("Mean", config=("axis", "keepdims"))
def mean(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """The mean of x over ``axis`` (integers give float32)."""
    return ag.ops.to_float(t(x)).mean(axis=axis_arg(axis), keepdims=keepdims)


@keras_op("Max", config=("axis", "keepdims", "initial"))
def max(x: Any, axis: Axis = None, keepdims: bool = False, initial: Any = None) -> Tensor:  # noqa: A001
    """The largest value over ``axis`` (at least ``initial`` when given)."""
    out = t(x).max(axis=axis_arg(axis), keepdims=keepdims)
    return out if initial is None else ag.where(out.data >= initial, out, t(initial))


@keras_op("Min", config=("axis", "keepdims", "initial"))
def min(x: Any, axis: Axis = None, keepdims: bool = False, initial: Any = None) -> Tensor:  # noqa: A001
    """The smallest value over ``axis`` (at most ``initial`` when given)."""
    out = t(x).min(axis=axis_arg(axis), keepdims=keepdims)
    return out if initial is None else ag.where(out.data <= initial, out, t(initial))


@keras_op("Amax", config=("axis", "keepdims"))
def amax(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """The largest value over ``axis``."""
    return t(x).max(axis=axis_arg(axis), keepdims=keepdims)


@keras_op("Amin", config=("axis", "keepdims"))
def amin(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """The smallest value over ``axis``."""
    return t(x).min(axis=axis_arg(axis), keepdims=keepdims)


@keras_op("Var", config=("axis", "keepdims"))
def var(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """The (biased) variance mean((x - mean x)²) over ``axis``."""
    tensor = ag.ops.to_float(t(x))
    d = tensor - tensor.mean(axis=axis_arg(axis), keepdims=True)
    return (d * d).mean(axis=axis_arg(axis), keepdims=keepdims)


@keras_op("Std", config=("axis", "keepdims"))
def std(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """The standard deviation √var over ``axis``."""
    return ag.sqrt(var(x, axis=axis, keepdims=keepdims))


class _Prod(Function):
    """y = Π x over an axis; dy/dx_i = y / x_i (computed without dividing, so zeros work)."""

    __slots__ = ("axis", "keepdims", "x")

    def __init__(self, axis: Any, keepdims: bool) -> None:
        self.axis, self.keepdims = axis, keepdims

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return np.asarray(np.prod(x, axis=self.axis, keepdims=self.keepdims))

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        x = self.x
        axes = tuple(range(x.ndim)) if self.axis is None else np.atleast_1d(self.axis)
        axes = tuple(int(a) % x.ndim for a in axes)
        if not self.keepdims:
            for a in sorted(axes):
                g = np.expand_dims(g, a)
        moved = np.moveaxis(x, axes, tuple(range(len(axes))))
        flat = moved.reshape(-1, *moved.shape[len(axes) :])
        before = np.cumprod(np.concatenate([np.ones_like(flat[:1]), flat[:-1]]), axis=0)
        after = np.cumprod(np.concatenate([np.ones_like(flat[:1]), flat[::-1][:-1]]), axis=0)
        others = (before * after[::-1]).reshape(moved.shape)
        return (np.moveaxis(others, tuple(range(len(axes))), axes) * g,)


@keras_op("Prod", config=("axis", "keepdims", "dtype"))
def prod(x: Any, axis: Axis = None, keepdims: bool = False, dtype: Any = None) -> Tensor:
    """Π x over ``axis``."""
    tensor = t(x) if dtype is None else Tensor(as_array(x).astype(dtype))
    return _Prod(axis_arg(axis), keepdims).apply(tensor)


@keras_op("Logsumexp", config=("axis", "keepdims"), module="math")
def logsumexp(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """ln Σ eˣ over ``axis``, computed stably."""
    return t(x).logsumexp(axis=axis_arg(axis), keepdims=keepdims)


class _Cumsum(Function):
    """y = cumulative sum along an axis; the gradient is the reversed cumulative sum of g."""

    saves_tensors = False
    __slots__ = ("axis",)

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.cumsum(x, axis=self.axis)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (np.flip(np.cumsum(np.flip(g, self.axis), axis=self.axis), self.axis),)


@keras_op("Cumsum", config=("axis", "dtype"))
def cumsum(x: Any, axis: int | None = None, dtype: Any = None) -> Tensor:
    """The running sum along ``axis`` (of the flattened x when None)."""
    tensor = t(x) if dtype is None else Tensor(as_array(x).astype(dtype))
    if axis is None:
        tensor, axis = tensor.reshape(-1), 0
    return _Cumsum(int(axis)).apply(tensor)


@keras_op("Cumprod", config=("axis", "dtype"))
def cumprod(x: Any, axis: int | None = None, dtype: Any = None) -> Tensor:
    """The running product along ``axis`` (no gradient)."""
    return Tensor(np.cumprod(as_array(t(x)), axis=axis, dtype=dtype))


@keras_op("Norm", config=("ord", "axis", "keepdims"), module="linalg")
def norm(x: Any, ord: Any = None, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A002
    """The Euclidean norm √Σx² over ``axis`` (all axes when None; ``ord`` None, 2 or 'fro'
    for it); ``ord=1``: Σ|x|; ``ord=inf``: max |x| (vectors)."""
    tensor = ag.ops.to_float(t(x))
    ax = axis_arg(axis)
    if ord in (None, 2, "fro", "euclidean") and (ax is None or isinstance(ax, int) or ord != 2):
        return ag.sqrt((tensor * tensor).sum(axis=ax, keepdims=keepdims))
    if ord == 1 and not isinstance(ax, tuple):
        return ag.abs(tensor).sum(axis=ax, keepdims=keepdims)
    if ord in (np.inf, "inf") and not isinstance(ax, tuple):
        return ag.abs(tensor).max(axis=ax, keepdims=keepdims)
    return t(np.linalg.norm(as_array(tensor), ord=ord, axis=ax, keepdims=keepdims))


@keras_op("Median", config=("axis", "keepdims"))
def median(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """The median over ``axis`` (no gradient)."""
    return t(np.median(as_array(x), axis=axis_arg(axis), keepdims=keepdims))


@keras_op("Average", config=("axis",))
def average(x: Any, weights: Any = None, axis: Axis = None) -> Tensor:
    """Σ w x / Σ w over ``axis`` (the mean when no weights)."""
    if weights is None:
        return mean(x, axis=axis)
    tensor, w = t(x), t(weights)
    if w.ndim == 1 and tensor.ndim > 1 and isinstance(axis, int):
        shape = [1] * tensor.ndim
        shape[axis] = w.shape[0]
        w = w.reshape(*shape)
    return (tensor * w).sum(axis=axis_arg(axis)) / (
        w * Tensor(np.ones(tensor.shape, np.float32))
    ).sum(axis=axis_arg(axis))


def _index_op(class_name: str, f: Any) -> Any:
    def fn(x: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
        return Tensor(np.asarray(f(as_array(x), axis=axis, keepdims=keepdims), dtype=np.int32))

    fn.__name__ = fn.__qualname__ = class_name.lower()
    fn.__doc__ = f"The index of the {class_name[3:]}imum along ``axis`` (int32, no gradient)."
    return keras_op(class_name, config=("axis", "keepdims"))(fn)


argmax = _index_op("Argmax", np.argmax)
argmin = _index_op("Argmin", np.argmin)


@keras_op("Argsort", config=("axis",))
def argsort(x: Any, axis: int = -1) -> Tensor:
    """The indices that sort x along ``axis`` (int32)."""
    return Tensor(np.argsort(as_array(x), axis=axis, kind="stable").astype(np.int32))


@keras_op("Sort", config=("axis",))
def sort(x: Any, axis: int = -1) -> Tensor:
    """x sorted along ``axis`` (the gradient follows the values)."""
    tensor = t(x)
    order = np.argsort(tensor.data, axis=axis, kind="stable")
    return take_along_axis(tensor, order, axis)


@keras_op("All", config=("axis", "keepdims"))
def all(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Whether every value is true over ``axis``."""
    return Tensor(np.asarray(np.all(as_array(x), axis=axis_arg(axis), keepdims=keepdims)))


@keras_op("Any", config=("axis", "keepdims"))
def any(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Whether some value is true over ``axis``."""
    return Tensor(np.asarray(np.any(as_array(x), axis=axis_arg(axis), keepdims=keepdims)))


@keras_op("CountNonzero", config=("axis",))
def count_nonzero(x: Any, axis: Axis = None) -> Tensor:
    """The number of non-zero values over ``axis`` (int32)."""
    return Tensor(np.asarray(np.count_nonzero(as_array(x), axis=axis_arg(axis)), np.int32))
