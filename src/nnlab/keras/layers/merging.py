"""Merging layers: combine a list of tensors of the same shape into one.

``Add``: Σᵢ xᵢ; ``Subtract``: x₀ - x₁ (exactly two inputs); ``Multiply``: Πᵢ xᵢ; ``Average``:
(1/n) Σᵢ xᵢ; ``Maximum`` / ``Minimum``: elementwise max / min (the gradient goes to the input
that holds it); ``Concatenate(axis=-1)``: the inputs joined along ``axis``. Shapes broadcast as
in Keras (the batch axis must agree).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab.autograd import Tensor, concatenate, where

from .base import Layer

__all__ = ["Add", "Average", "Concatenate", "Maximum", "Minimum", "Multiply", "Subtract"]


class _Merge(Layer):
    """Base: ``call(list_of_tensors)``; at least two inputs."""

    min_inputs = 2
    max_inputs: int | None = None

    def _check(self, inputs: Any) -> list[Any]:
        if not isinstance(inputs, list | tuple):
            raise ValueError(
                f"{type(self).__name__} layer {self.name!r} must be called on a list of inputs, "
                f"got {type(inputs).__name__}"
            )
        n = len(inputs)
        if n < self.min_inputs or (self.max_inputs is not None and n > self.max_inputs):
            want = (
                self.max_inputs if self.max_inputs == self.min_inputs else f">= {self.min_inputs}"
            )
            raise ValueError(
                f"{type(self).__name__} layer {self.name!r} needs {want} inputs, got {n}"
            )
        return list(inputs)

    def build(self, input_shape: Any) -> None:
        shapes = self._check(input_shape)
        self._output_shape_of(shapes)
        self.built = True

    def _output_shape_of(self, shapes: list[Any]) -> tuple[Any, ...]:
        out: list[Any] = []
        rank = max(len(s) for s in shapes)
        padded = [(1,) * (rank - len(s)) + tuple(s) for s in shapes]
        for dims in zip(*padded, strict=True):
            known = {d for d in dims if d is not None and d != 1}
            if len(known) > 1:
                raise ValueError(
                    f"{type(self).__name__} layer {self.name!r}: inputs of shapes "
                    f"{[tuple(s) for s in shapes]} cannot be combined"
                )
            out.append(known.pop() if known else (None if None in dims else 1))
        return tuple(out)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return self._output_shape_of(self._check(input_shape))

    def call(self, inputs: Any, training: bool | None = None) -> Tensor:
        return self._merge(self._check(inputs))

    def _merge(self, xs: list[Tensor]) -> Tensor:
        raise NotImplementedError


class Add(_Merge):
    """Σᵢ xᵢ."""

    def _merge(self, xs: list[Tensor]) -> Tensor:
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out


class Subtract(_Merge):
    """x₀ - x₁."""

    max_inputs = 2

    def _merge(self, xs: list[Tensor]) -> Tensor:
        return xs[0] - xs[1]


class Multiply(_Merge):
    """Πᵢ xᵢ (elementwise)."""

    def _merge(self, xs: list[Tensor]) -> Tensor:
        out = xs[0]
        for x in xs[1:]:
            out = out * x
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
        out = xs[0]
        for x in xs[1:]:
            out = where(out.data >= x.data, out, x)
        return out


class Minimum(_Merge):
    """minᵢ xᵢ elementwise."""

    def _merge(self, xs: list[Tensor]) -> Tensor:
        out = xs[0]
        for x in xs[1:]:
            out = where(out.data <= x.data, out, x)
        return out


class Concatenate(_Merge):
    """The inputs joined along ``axis`` (default the last); the other axes must agree."""

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = int(axis)

    def _output_shape_of(self, shapes: list[Any]) -> tuple[Any, ...]:
        rank = len(shapes[0])
        if any(len(s) != rank for s in shapes) or not -rank <= self.axis < rank:
            raise ValueError(
                f"Concatenate layer {self.name!r}: inputs of shapes {[tuple(s) for s in shapes]} "
                f"cannot be joined on axis {self.axis}"
            )
        axis = self.axis % rank
        out: list[Any] = []
        for i in range(rank):
            dims = [s[i] for s in shapes]
            if i == axis:
                out.append(None if None in dims else sum(dims))
                continue
            known = {d for d in dims if d is not None}
            if len(known) > 1:
                raise ValueError(
                    f"Concatenate layer {self.name!r}: inputs of shapes "
                    f"{[tuple(s) for s in shapes]} differ on axis {i} (only axis {self.axis} "
                    "may differ)"
                )
            out.append(known.pop() if known else None)
        return tuple(out)

    def _merge(self, xs: list[Tensor]) -> Tensor:
        return concatenate(xs, axis=self.axis)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}
