"""Reshaping layers: ``Flatten``, ``Reshape``, ``Permute``, ``RepeatVector``.

All keep the batch axis: ``Flatten`` makes (N, d₁·d₂·…); ``Reshape(target_shape)`` makes
(N, *target_shape) (one entry may be -1); ``Permute(dims)`` reorders the non-batch axes (dims
count from 1, as Keras); ``RepeatVector(n)`` turns (N, d) into (N, n, d).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nnlab.autograd import Tensor

from .base import Layer

__all__ = ["Flatten", "Permute", "RepeatVector", "Reshape"]


class Flatten(Layer):
    """(N, d₁, d₂, …) -> (N, d₁·d₂·…)."""

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = data_format or "channels_last"

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        x = inputs
        if self.data_format == "channels_first" and x.ndim >= 3:  # Keras: channels moved last
            x = x.transpose(0, *range(2, x.ndim), 1)
        return x.reshape(x.shape[0], -1)

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        rest = input_shape[1:]
        return (input_shape[0], None if None in rest else math.prod(rest))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format}


class Reshape(Layer):
    """(N, …) -> (N, *target_shape); one entry of target_shape may be -1 (inferred)."""

    def __init__(self, target_shape: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target_shape = tuple(int(d) for d in target_shape)
        if sum(d == -1 for d in self.target_shape) > 1:
            raise ValueError(f"Reshape: at most one -1 in target_shape, got {self.target_shape}")

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        return inputs.reshape(inputs.shape[0], *self.target_shape)

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        rest = input_shape[1:]
        target: list[Any] = list(self.target_shape)
        if -1 in target:
            known = math.prod(d for d in target if d != -1)
            target[target.index(-1)] = None if None in rest else math.prod(rest) // known
        elif None not in rest and math.prod(rest) != math.prod(target):
            raise ValueError(
                f"Reshape {self.name!r}: cannot reshape inputs of shape {tuple(input_shape)} to "
                f"{self.target_shape} ({math.prod(rest)} != {math.prod(target)} values)"
            )
        return (input_shape[0], *target)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "target_shape": list(self.target_shape)}


class Permute(Layer):
    """Reorder the non-batch axes: ``Permute((2, 1))`` swaps the first two (dims from 1)."""

    def __init__(self, dims: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.dims = tuple(int(d) for d in dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"Permute: dims must be a permutation of 1..{len(self.dims)}")

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        return inputs.transpose(0, *self.dims)

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        return (input_shape[0], *(input_shape[d] for d in self.dims))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "dims": list(self.dims)}


class RepeatVector(Layer):
    """(N, d) -> (N, n, d): the input repeated n times."""

    def __init__(self, n: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.n = int(n)

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        if inputs.ndim != 2:
            raise ValueError(f"RepeatVector expects 2-D inputs (N, d), got shape {inputs.shape}")
        ones = Tensor(np.ones((1, self.n, 1), dtype=inputs.dtype))
        return inputs.reshape(inputs.shape[0], 1, inputs.shape[1]) * ones

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "n": self.n}
