"""Shape functions of ``keras.ops`` (Keras 3's ``keras.ops.numpy``): reshaping, transposing,
joining, splitting, indexing and repeating, all differentiable (they move values, so their
gradients move the incoming gradient back)."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

import numpy as np

from nnlab import autograd as ag
from nnlab.autograd import Tensor

from ._util import as_array, t
from .operation import keras_op

__all__ = [
    "broadcast_to", "concatenate", "diagonal", "expand_dims", "flip", "get_item", "hstack",
    "matmul", "dot", "moveaxis", "outer", "pad", "ravel", "repeat", "reshape", "roll", "split",
    "squeeze", "stack", "swapaxes", "take", "take_along_axis", "tensordot", "tile", "transpose",
    "tril", "triu", "unstack", "vstack", "einsum",
]  # fmt: skip


@keras_op("Matmul")
def matmul(x1: Any, x2: Any) -> Tensor:
    """The matrix product x1 @ x2 (batched over leading axes)."""
    return ag.matmul(t(x1), t(x2))


@keras_op("Dot")
def dot(x1: Any, x2: Any) -> Tensor:
    """The dot product (a matrix product for 2-D inputs, a scalar product with a number)."""
    a, b = t(x1), t(x2)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    return ag.matmul(a, b)


@keras_op("Outer")
def outer(x1: Any, x2: Any) -> Tensor:
    """The outer product of the flattened x1 and x2."""
    return t(x1).reshape(-1, 1) * t(x2).reshape(1, -1)


@keras_op("Tensordot", config=("axes",))
def tensordot(x1: Any, x2: Any, axes: Any = 2) -> Tensor:
    """Σ over the paired ``axes`` of x1 and x2 (``np.tensordot``), as a matmul."""
    a, b = t(x1), t(x2)
    if isinstance(axes, int):
        ax_a, ax_b = list(range(a.ndim - axes, a.ndim)), list(range(axes))
    else:
        ax_a, ax_b = [np.atleast_1d(v).tolist() for v in axes]
    ax_a = [i % a.ndim for i in ax_a]
    ax_b = [i % b.ndim for i in ax_b]
    free_a = [i for i in range(a.ndim) if i not in ax_a]
    free_b = [i for i in range(b.ndim) if i not in ax_b]
    k = int(np.prod([a.shape[i] for i in ax_a]))
    left = a.transpose(*free_a, *ax_a).reshape(-1, k)
    right = b.transpose(*ax_b, *free_b).reshape(k, -1)
    shape = [a.shape[i] for i in free_a] + [b.shape[i] for i in free_b]
    return ag.matmul(left, right).reshape(*shape)


@keras_op("Einsum", config=("subscripts",))
def einsum(subscripts: str, *operands: Any) -> Tensor:
    """``np.einsum`` (no gradient)."""
    return t(np.einsum(subscripts, *[as_array(o) for o in operands]))


@keras_op("Reshape", config=("newshape",))
def reshape(x: Any, newshape: Any) -> Tensor:
    """x with shape ``newshape`` (one -1 or None for 'the rest')."""
    if isinstance(newshape, int):
        newshape = (newshape,)
    return t(x).reshape(*[-1 if d is None else int(d) for d in newshape])


@keras_op("Ravel")
def ravel(x: Any) -> Tensor:
    """x flattened to 1-D."""
    return t(x).reshape(-1)


@keras_op("Transpose", config=("axes",))
def transpose(x: Any, axes: Sequence[int] | None = None) -> Tensor:
    """x with its axes permuted (reversed when ``axes`` is None)."""
    tensor = t(x)
    return tensor.transpose(*axes) if axes is not None else tensor.transpose()


@keras_op("Moveaxis", config=("source", "destination"))
def moveaxis(x: Any, source: Any, destination: Any) -> Tensor:
    """x with the ``source`` axes moved to ``destination``."""
    tensor = t(x)
    src = [int(a) % tensor.ndim for a in np.atleast_1d(source)]
    dst = [int(a) % tensor.ndim for a in np.atleast_1d(destination)]
    order = [i for i in range(tensor.ndim) if i not in src]
    for d, s in sorted(zip(dst, src, strict=True)):
        order.insert(d, s)
    return tensor.transpose(*order)


@keras_op("Swapaxes", config=("axis1", "axis2"))
def swapaxes(x: Any, axis1: int, axis2: int) -> Tensor:
    """x with two axes exchanged."""
    tensor = t(x)
    order = list(range(tensor.ndim))
    order[axis1], order[axis2] = order[axis2], order[axis1]
    return tensor.transpose(*order)


@keras_op("ExpandDims", config=("axis",))
def expand_dims(x: Any, axis: int | Sequence[int]) -> Tensor:
    """x with new axes of size 1 at ``axis``."""
    tensor = t(x)
    return tensor.reshape(*np.expand_dims(np.empty(tensor.shape, bool), axis).shape)


@keras_op("Squeeze", config=("axis",))
def squeeze(x: Any, axis: int | Sequence[int] | None = None) -> Tensor:
    """x without its axes of size 1 (only ``axis`` when given)."""
    tensor = t(x)
    ax = tuple(axis) if isinstance(axis, list) else axis
    try:
        shape = np.squeeze(np.empty(tensor.shape, bool), axis=ax).shape
    except ValueError:
        raise ValueError(
            f"squeeze: axis {axis} of shape {tensor.shape} does not have size 1"
        ) from None
    return tensor.reshape(*shape)


@keras_op("BroadcastTo", config=("shape",))
def broadcast_to(x: Any, shape: Sequence[int]) -> Tensor:
    """x repeated along broadcast axes to ``shape``."""
    tensor = t(x)
    return tensor * Tensor(np.ones(tuple(shape), dtype=tensor.dtype))


@keras_op("Concatenate", config=("axis",))
def concatenate(xs: Sequence[Any], axis: int = 0) -> Tensor:
    """The tensors joined along an existing ``axis``."""
    return ag.concatenate([t(x) for x in xs], axis=axis)


@keras_op("Stack", config=("axis",))
def stack(x: Sequence[Any], axis: int = 0) -> Tensor:
    """The tensors joined along a new ``axis``."""
    return ag.stack([t(v) for v in x], axis=axis)


@keras_op("Hstack")
def hstack(xs: Sequence[Any]) -> Tensor:
    """Joined along axis 1 (axis 0 for 1-D tensors)."""
    tensors = [t(x) for x in xs]
    return ag.concatenate(tensors, axis=0 if tensors[0].ndim == 1 else 1)


@keras_op("Vstack")
def vstack(xs: Sequence[Any]) -> Tensor:
    """Joined along axis 0 (1-D tensors as rows)."""
    tensors = [t(x) for x in xs]
    return ag.concatenate([v.reshape(1, -1) if v.ndim == 1 else v for v in tensors], axis=0)


@keras_op("Split", config=("indices_or_sections", "axis"))
def split(x: Any, indices_or_sections: Any, axis: int = 0) -> list[Tensor]:
    """x cut along ``axis`` into equal sections or at the given indices."""
    tensor = t(x)
    n = tensor.shape[axis]
    if isinstance(indices_or_sections, int):
        if n % indices_or_sections:
            raise ValueError(
                f"split: axis {axis} of size {n} cannot be cut into {indices_or_sections} "
                "equal sections"
            )
        step = n // indices_or_sections
        bounds = list(range(0, n + 1, step))
    else:
        bounds = [0, *[int(i) for i in indices_or_sections], n]
    index = [slice(None)] * tensor.ndim
    out = []
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        index[axis] = slice(lo, hi)
        out.append(tensor[tuple(index)])
    return out


@keras_op("Unstack", config=("num", "axis"), module="core")
def unstack(x: Any, num: int | None = None, axis: int = 0) -> list[Tensor]:
    """The slices of x along ``axis``, that axis removed."""
    tensor = t(x)
    index: list[Any] = [slice(None)] * tensor.ndim
    out = []
    for i in range(tensor.shape[axis]):
        index[axis] = i
        out.append(tensor[tuple(index)])
    return out


@keras_op("GetItem")
def get_item(x: Any, key: Any) -> Tensor:
    """x[key] (basic and advanced indexing)."""
    if isinstance(key, Tensor):
        key = key.data
    elif isinstance(key, list):
        key = tuple(k.data if isinstance(k, Tensor) else k for k in key)
    return t(x)[key]


@keras_op("Take", config=("axis",))
def take(x: Any, indices: Any, axis: int | None = None) -> Tensor:
    """The entries of x at ``indices`` along ``axis`` (of the flattened x when None)."""
    tensor = t(x)
    idx = as_array(indices).astype(np.intp)
    if axis is None:
        return tensor.reshape(-1)[idx]
    axis %= tensor.ndim
    return tensor[(slice(None),) * axis + (idx,)]


@keras_op("TakeAlongAxis", config=("axis",))
def take_along_axis(x: Any, indices: Any, axis: int | None = None) -> Tensor:
    """x picked along ``axis`` at ``indices`` (``np.take_along_axis``), differentiable."""
    tensor = t(x)
    idx = as_array(indices).astype(np.intp)
    if axis is None:
        tensor, axis = tensor.reshape(-1), 0
    axis %= tensor.ndim
    grids = np.ogrid[tuple(slice(0, n) for n in idx.shape)]
    full = tuple(idx if i == axis else grids[i] for i in range(tensor.ndim))
    return tensor[full]


@keras_op("Repeat", config=("repeats", "axis"))
def repeat(x: Any, repeats: int, axis: int | None = None) -> Tensor:
    """Each entry repeated ``repeats`` times along ``axis`` (flattened first when None)."""
    tensor = t(x)
    if axis is None:
        tensor, axis = tensor.reshape(-1), 0
    axis %= tensor.ndim
    idx = np.repeat(np.arange(tensor.shape[axis]), repeats)
    return tensor[(slice(None),) * axis + (idx,)]


@keras_op("Tile", config=("repeats",))
def tile(x: Any, repeats: Any) -> Tensor:
    """x repeated as a whole ``repeats`` times along each axis (``np.tile``)."""
    tensor = t(x)
    reps = (int(repeats),) if isinstance(repeats, int) else tuple(int(r) for r in repeats)
    ndim = builtins.max(tensor.ndim, len(reps))
    tensor = tensor.reshape(*((1,) * (ndim - tensor.ndim) + tensor.shape))
    reps = (1,) * (ndim - len(reps)) + reps
    index = tuple(np.tile(np.arange(n), r) for n, r in zip(tensor.shape, reps, strict=True))
    return tensor[np.ix_(*index)]


@keras_op("Flip", config=("axis",))
def flip(x: Any, axis: int | Sequence[int] | None = None) -> Tensor:
    """x reversed along ``axis`` (all axes when None)."""
    tensor = t(x)
    axes = range(tensor.ndim) if axis is None else np.atleast_1d(axis)
    index = [slice(None)] * tensor.ndim
    for a in axes:
        index[int(a)] = slice(None, None, -1)
    return tensor[tuple(index)]


@keras_op("Roll", config=("shift", "axis"))
def roll(x: Any, shift: int, axis: int | None = None) -> Tensor:
    """x shifted cyclically by ``shift`` along ``axis`` (flattened when None)."""
    tensor = t(x)
    if axis is None:
        return roll(tensor.reshape(-1), shift, 0).reshape(*tensor.shape)
    axis %= tensor.ndim
    idx = np.roll(np.arange(tensor.shape[axis]), shift)
    return tensor[(slice(None),) * axis + (idx,)]


@keras_op("Pad", config=("pad_width", "mode"))
def pad(x: Any, pad_width: Any, mode: str = "constant", constant_values: Any = None) -> Tensor:
    """x with ``pad_width`` = ((before, after), ...) values added per axis (constant mode)."""
    if mode != "constant":
        raise ValueError(f"pad: only mode='constant' is supported, got {mode!r}")
    tensor = t(x)
    widths = np.broadcast_to(np.asarray(pad_width, dtype=int), (tensor.ndim, 2))
    value = 0.0 if constant_values is None else float(constant_values)
    return ag.pad(tensor, tuple((int(a), int(b)) for a, b in widths), value)


def _triangle(x: Any, k: int, lower: bool) -> Tensor:
    tensor = t(x)
    n, m = tensor.shape[-2:]
    mask = np.tri(n, m, k, dtype=bool)
    return tensor * Tensor(
        (mask if lower else ~np.tri(n, m, k - 1, dtype=bool)).astype(tensor.dtype)
    )


@keras_op("Tril", config=("k",))
def tril(x: Any, k: int = 0) -> Tensor:
    """x with the entries above the k-th diagonal set to 0."""
    return _triangle(x, k, True)


@keras_op("Triu", config=("k",))
def triu(x: Any, k: int = 0) -> Tensor:
    """x with the entries below the k-th diagonal set to 0."""
    return _triangle(x, k, False)


@keras_op("Diagonal", config=("offset", "axis1", "axis2"))
def diagonal(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor:
    """The diagonal entries (no gradient)."""
    return t(np.diagonal(as_array(x), offset, axis1, axis2).copy())
