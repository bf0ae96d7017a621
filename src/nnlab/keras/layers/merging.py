"""Merging layers: combine a list of tensors into one (Keras 3's names, checks and messages).

``Add``: Σᵢ xᵢ; ``Subtract``: x₀ - x₁ (exactly two inputs); ``Multiply``: Πᵢ xᵢ; ``Average``:
(1/n) Σᵢ xᵢ; ``Maximum`` / ``Minimum``: elementwise max / min (the gradient goes to the input
that holds it); ``Concatenate(axis=-1)``: the inputs joined along ``axis``; ``Dot(axes)``: for each
sample b, the dot product of x₀[b] and x₁[b] along the given axes (``normalize=True`` divides each
input by its L2 norm along that axis first: the cosine similarity).

The elementwise layers broadcast as Keras does: the batch axes must agree, an input of lower rank
gets axes of size 1 inserted after the batch axis, and an axis of size 1 stretches.

Each class has its function form, ``keras.layers.add([a, b])`` = ``Add()([a, b])``, and so on.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab.autograd import Tensor, where
from nnlab.autograd import concatenate as join

from ..utils import get_keras_mask
from .base import Layer

__all__ = [
    "Add",
    "Average",
    "Concatenate",
    "Dot",
    "Maximum",
    "Minimum",
    "Multiply",
    "Subtract",
    "add",
    "average",
    "concatenate",
    "dot",
    "maximum",
    "minimum",
    "multiply",
    "subtract",
]

Shape = tuple[int | None, ...]


def _is_shape_list(shapes: Any) -> bool:
    return isinstance(shapes, list | tuple) and bool(shapes) and isinstance(shapes[0], list | tuple)


class _Merge(Layer):
    """Base of the elementwise merges: ``call(list_of_tensors)``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True

    # ------------------------------------------------------------------ shapes
    @staticmethod
    def _elementwise_shape(shape1: Shape | None, shape2: Shape | None) -> Shape | None:
        """The broadcast of two shapes without their batch axis, aligned on the right."""
        if shape1 is None or shape2 is None:
            return None
        if len(shape1) < len(shape2):
            shape1, shape2 = shape2, shape1
        if not shape2:
            return tuple(shape1)
        out = list(shape1[: len(shape1) - len(shape2)])
        for i, j in zip(shape1[len(shape1) - len(shape2) :], shape2, strict=True):
            if i is None or j is None:
                out.append(None)
            elif i == 1:
                out.append(j)
            elif j == 1 or i == j:
                out.append(i)
            else:
                raise ValueError(
                    f"Inputs have incompatible shapes. Received shapes {tuple(shape1)} and "
                    f"{tuple(shape2)}"
                )
        return tuple(out)

    def build(self, input_shape: Any) -> None:
        if not _is_shape_list(input_shape):
            raise ValueError(
                "A merge layer should be called on a list of inputs. "
                f"Received: input_shape={input_shape} (not a list of shapes)"
            )
        batch_sizes = {s[0] for s in input_shape if s} - {None}
        if len(batch_sizes) > 1:
            raise ValueError(
                "Cannot merge tensors with different batch sizes. "
                f"Received tensors with shapes {input_shape}"
            )
        self._batchless_shape(input_shape)
        self.built = True

    def _batchless_shape(self, shapes: Any) -> Shape | None:
        out = None if shapes[0] is None else tuple(shapes[0][1:])
        for s in shapes[1:]:
            out = self._elementwise_shape(out, None if s is None else tuple(s[1:]))
        return out

    def compute_output_shape(self, input_shape: Any) -> Any:
        if not _is_shape_list(input_shape):
            raise ValueError(
                "A merge layer should be called on a list of inputs. "
                f"Received: input_shape={input_shape} (not a list of shapes)"
            )
        out = self._batchless_shape(input_shape)
        batch_sizes = {s[0] for s in input_shape if s} - {None}
        batch = batch_sizes.pop() if len(batch_sizes) == 1 else None
        return (batch, *(out or ()))

    # ------------------------------------------------------------------ computing
    def call(self, inputs: Any, training: bool | None = None) -> Tensor:
        if not isinstance(inputs, list | tuple):
            raise ValueError(
                "A merge layer should be called on a list of inputs. "
                f"Received: inputs={inputs} (not a list of tensors)"
            )
        xs = list(inputs)
        rank = max(x.ndim for x in xs)
        for i, x in enumerate(xs):  # lower-rank inputs: size-1 axes after the batch axis
            if x.ndim < rank:
                xs[i] = x.reshape(x.shape[0], *(1,) * (rank - x.ndim), *x.shape[1:])
        return self._merge(xs)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """A position is kept if any input keeps it (None if any input has no mask)."""
        if mask is None:
            return None
        _check_masks(inputs, mask)
        if any(m is None for m in mask):
            return None
        return np.logical_or.reduce([np.asarray(m, bool) for m in mask])

    def _merge(self, xs: list[Tensor]) -> Tensor:
        raise NotImplementedError


def _check_masks(inputs: Any, mask: Any) -> None:
    """Keras's errors for ``compute_mask`` arguments that are not two lists of one length."""
    if not isinstance(mask, list | tuple):
        raise ValueError(f"`mask` should be a list. Received: mask={mask}")
    if not isinstance(inputs, list | tuple):
        raise ValueError(f"`inputs` should be a list. Received: inputs={inputs}")
    if len(mask) != len(inputs):
        raise ValueError(
            "The lists `inputs` and `mask` should have the same length. Received: "
            f"inputs={inputs} of length {len(inputs)}, and mask={mask} of length {len(mask)}"
        )


def _broadcast_mask(x: Tensor) -> np.ndarray | None:
    """The Keras mask of ``x`` (one flag per position) broadcast over its last axis."""
    mask = get_keras_mask(x)
    if mask is None:
        return None
    return np.broadcast_to(np.asarray(mask, bool)[..., None], x.shape)


def _pairwise_masked(xs: list[Tensor], op: Any) -> Tensor:
    """``op`` folded over the inputs, where a masked-out position of one input takes the
    other's value (Maximum and Minimum have no neutral value to put there instead)."""
    out, out_mask = xs[0], _broadcast_mask(xs[0])
    for x in xs[1:]:
        mask = _broadcast_mask(x)
        if mask is not None:
            x = where(mask, x, out)
        if out_mask is not None:
            out = where(out_mask, out, x)
        out_mask = None if mask is None or out_mask is None else out_mask | mask
        out = op(out, x)
    return out


class Add(_Merge):
    """Σᵢ xᵢ."""

    def _merge(self, xs: list[Tensor]) -> Tensor:
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out


class Subtract(_Merge):
    """x₀ - x₁ (exactly two inputs)."""

    def build(self, input_shape: Any) -> None:
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError(
                "A `Subtract` layer should be called on exactly 2 inputs. "
                f"Received: input_shape={input_shape}"
            )

    def _merge(self, xs: list[Tensor]) -> Tensor:
        if len(xs) != 2:
            raise ValueError(
                f"A `Subtract` layer should be called on exactly 2 inputs. Received: inputs={xs}"
            )
        return xs[0] - xs[1]


class Multiply(_Merge):
    """Πᵢ xᵢ (elementwise)."""

    def _merge(self, xs: list[Tensor]) -> Tensor:
        masks = [_broadcast_mask(x) for x in xs]  # a masked-out position counts as 1 (Keras)
        out = None
        for x, m in zip(xs, masks, strict=True):
            x = x if m is None else where(m, x, np.float32(1))
            out = x if out is None else out * x
        assert out is not None
        kept = [m for m in masks if m is not None]
        if len(kept) == len(masks):  # then 0 where no input keeps the position
            out = where(np.logical_or.reduce(kept), out, np.float32(0))
        return out


class Average(_Merge):
    """(1/n) Σᵢ xᵢ."""

    def _merge(self, xs: list[Tensor]) -> Tensor:
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out * np.float32(1.0 / len(xs))


class Maximum(_Merge):
    """maxᵢ xᵢ elementwise."""

    def _merge(self, xs: list[Tensor]) -> Tensor:
        return _pairwise_masked(xs, lambda a, b: where(a.data >= b.data, a, b))


class Minimum(_Merge):
    """minᵢ xᵢ elementwise."""

    def _merge(self, xs: list[Tensor]) -> Tensor:
        return _pairwise_masked(xs, lambda a, b: where(a.data <= b.data, a, b))


class Concatenate(_Merge):
    """The inputs joined along ``axis`` (default the last); the other axes must agree."""

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis

    def build(self, input_shape: Any) -> None:
        if not _is_shape_list(input_shape):
            raise ValueError(
                "A `Concatenate` layer should be called on a list of at least 1 input. "
                f"Received: input_shape={input_shape}"
            )
        message = (
            "A `Concatenate` layer requires inputs with matching shapes except for the "
            f"concatenation axis. Received: input_shape={input_shape}"
        )
        reduced = []
        for shape in input_shape:
            dims = list(shape)
            if not -len(dims) <= self.axis < len(dims):
                raise ValueError(message)
            del dims[self.axis]
            reduced.append(dims)
        if len({len(d) for d in reduced}) != 1:
            raise ValueError(message)
        for axis_dims in zip(*reduced, strict=True):
            if len({d for d in axis_dims if d is not None}) > 1:
                raise ValueError(message)
        self.built = True

    def compute_output_shape(self, input_shape: Any) -> Any:
        if not _is_shape_list(input_shape):
            raise ValueError(
                "A `Concatenate` layer should be called on a list of inputs. "
                f"Received: input_shape={input_shape}"
            )
        out = list(input_shape[0])
        for shape in input_shape[1:]:
            if out[self.axis] is None or shape[self.axis] is None:
                out[self.axis] = None
                break
            out[self.axis] += shape[self.axis]
        return tuple(out)

    def call(self, inputs: Any, training: bool | None = None) -> Tensor:
        if not isinstance(inputs, list | tuple):
            raise ValueError(
                "A `Concatenate` layer should be called on a list of inputs. "
                f"Received: inputs={inputs}"
            )
        return join(list(inputs), axis=self.axis)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The inputs' masks (all-kept for an input without one) joined, reduced over the last
        axis as Keras does."""
        if mask is None:
            return None
        _check_masks(inputs, mask)
        if all(m is None for m in mask):
            return None
        parts = []
        for x, m in zip(inputs, mask, strict=True):
            shape = tuple(x.shape)
            if m is None:
                parts.append(np.ones(shape, bool))
            else:
                m = np.asarray(m, bool)
                parts.append(np.broadcast_to(m[..., None], shape) if m.ndim < len(shape) else m)
        return np.concatenate(parts, axis=self.axis).any(axis=-1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


def _l2_normalize(x: Tensor, axis: int, epsilon: float = 1e-7) -> Tensor:
    """x / max(‖x‖₂, ε) along ``axis`` (Keras's ``ops.normalize``)."""
    squared = (x * x).sum(axis=axis, keepdims=True)
    return x / squared.clip(epsilon * epsilon, None).sqrt()


def batch_dot(x: Tensor, y: Tensor, axes: list[int]) -> Tensor:
    """out[b] = Σₖ x[b, ..., k, ...] y[b, ..., k, ...], contracting x's axis ``axes[0]`` with y's
    axis ``axes[1]``; the remaining axes of x then of y (without y's batch axis) form the output,
    a single remaining axis giving shape (batch, 1)."""
    x_ndim, y_ndim = x.ndim, y.ndim
    a0, a1 = axes
    # move the contracted axis of x last and that of y second, then one batched matmul
    x_rest = [i for i in range(x_ndim) if i != a0]
    y_rest = [i for i in range(1, y_ndim) if i != a1]
    xt = x.transpose(*x_rest, a0)
    yt = y.transpose(0, a1, *y_rest)
    x_mid = [x.shape[i] for i in x_rest[1:]]
    y_mid = [y.shape[i] for i in y_rest]
    batch, k = x.shape[0], x.shape[a0]
    x2 = xt.reshape(batch, int(np.prod(x_mid, dtype=np.int64)), k)
    y2 = yt.reshape(batch, k, int(np.prod(y_mid, dtype=np.int64)))
    out = x2 @ y2
    shape = [batch, *x_mid, *y_mid]
    return out.reshape(*shape) if len(shape) > 1 else out.reshape(batch, 1)


class Dot(_Merge):
    """The per-sample dot product of two inputs along ``axes`` (an int for both, or a pair);
    ``normalize=True`` L2-normalizes each input along its axis first (cosine similarity).
    Inputs (B, n) and (B, n) give (B, 1); (B, m, n) and (B, n, p) with ``axes=(2, 1)`` give
    (B, m, p)."""

    def __init__(self, axes: Any, normalize: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, list | tuple):
                raise TypeError(
                    "Invalid type for argument `axes`: it should be a list or an int. "
                    f"Received: axes={axes}"
                )
            if len(axes) != 2:
                raise ValueError(
                    "Invalid format for argument `axes`: it should contain two elements. "
                    f"Received: axes={axes}"
                )
            if not isinstance(axes[0], int) or not isinstance(axes[1], int):
                raise ValueError(
                    "Invalid format for argument `axes`: list elements should be integers. "
                    f"Received: axes={axes}"
                )
        self.axes = axes
        self.normalize = normalize

    def _axes_for(self, rank1: int, rank2: int) -> list[int]:
        if isinstance(self.axes, int):
            if self.axes < 0:
                return [self.axes % rank1, self.axes % rank2]
            return [self.axes, self.axes]
        return [a % r if a < 0 else a for a, r in zip(self.axes, (rank1, rank2), strict=True)]

    def _check_pair(self, input_shape: Any) -> tuple[Any, Any]:
        if not _is_shape_list(input_shape) or len(input_shape) != 2:
            raise ValueError(
                "A `Dot` layer should be called on a list of 2 inputs. "
                f"Received: input_shape={input_shape}"
            )
        return tuple(input_shape[0]), tuple(input_shape[1])

    def build(self, input_shape: Any) -> None:
        shape1, shape2 = self._check_pair(input_shape)
        axes = self._axes_for(len(shape1), len(shape2))
        if 0 in axes:
            raise ValueError(
                "Cannot perform batch_dot over axis 0. If your inputs are not batched, add a "
                "dummy batch dimension to your inputs using keras.ops.expand_dims(x, 0)"
            )
        if axes[0] >= len(shape1) or axes[1] >= len(shape2):
            raise ValueError(
                f"Dot: axes={self.axes} out of range for inputs of shapes {shape1} and {shape2}"
            )
        if shape1[axes[0]] != shape2[axes[1]]:
            raise ValueError(
                "Incompatible input shapes: "
                f"axis values {shape1[axes[0]]} (at axis {axes[0]}) != "
                f"{shape2[axes[1]]} (at axis {axes[1]}). "
                f"Full input shapes: {shape1}, {shape2}"
            )
        self.built = True

    def compute_output_shape(self, input_shape: Any) -> Any:
        shape1, shape2 = (list(s) for s in self._check_pair(input_shape))
        axes = self._axes_for(len(shape1), len(shape2))
        shape1.pop(axes[0])
        shape2.pop(axes[1])
        shape2.pop(0)
        out = shape1 + shape2
        return tuple(out + [1] if len(out) == 1 else out)

    def call(self, inputs: Any, training: bool | None = None) -> Tensor:
        if not isinstance(inputs, list | tuple) or len(inputs) != 2:
            raise ValueError(
                f"A `Dot` layer should be called on exactly 2 inputs. Received: inputs={inputs}"
            )
        x1, x2 = inputs
        axes = self._axes_for(x1.ndim, x2.ndim)
        if self.normalize:
            x1, x2 = _l2_normalize(x1, axes[0]), _l2_normalize(x2, axes[1])
        return batch_dot(x1, x2, axes)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return None

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def add(inputs: Any, **kwargs: Any) -> Any:
    """``Add(**kwargs)(inputs)``: Σᵢ xᵢ."""
    return Add(**kwargs)(inputs)


def subtract(inputs: Any, **kwargs: Any) -> Any:
    """``Subtract(**kwargs)(inputs)``: x₀ - x₁."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs: Any, **kwargs: Any) -> Any:
    """``Multiply(**kwargs)(inputs)``: Πᵢ xᵢ."""
    return Multiply(**kwargs)(inputs)


def average(inputs: Any, **kwargs: Any) -> Any:
    """``Average(**kwargs)(inputs)``: (1/n) Σᵢ xᵢ."""
    return Average(**kwargs)(inputs)


def maximum(inputs: Any, **kwargs: Any) -> Any:
    """``Maximum(**kwargs)(inputs)``: maxᵢ xᵢ."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs: Any, **kwargs: Any) -> Any:
    """``Minimum(**kwargs)(inputs)``: minᵢ xᵢ."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs: Any, axis: int = -1, **kwargs: Any) -> Any:
    """``Concatenate(axis=axis, **kwargs)(inputs)``."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs: Any, axes: Any = -1, **kwargs: Any) -> Any:
    """``Dot(axes=axes, **kwargs)(inputs)``."""
    return Dot(axes=axes, **kwargs)(inputs)
