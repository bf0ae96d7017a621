"""Reshaping layers: ``Flatten``, ``Reshape``, ``Permute``, ``RepeatVector``.

All keep the batch axis: ``Flatten`` makes (N, d₁·d₂·…); ``Reshape(target_shape)`` makes
(N, *target_shape) (one entry may be -1, inferred from the size); ``Permute(dims)`` reorders the
non-batch axes (dims count from 1, as Keras); ``RepeatVector(n)`` turns (N, d) into (N, n, d).
The argument checks and their messages are Keras 3's.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nnlab.autograd import Tensor

from ..config import standardize_data_format
from .base import Layer
from .input_spec import InputSpec

__all__ = ["Flatten", "Permute", "RepeatVector", "Reshape"]


class Flatten(Layer):
    """(N, d₁, d₂, …) -> (N, d₁·d₂·…); with ``data_format='channels_first'`` the channel axis
    (axis 1) is moved last first, so the order of the features is the channels-last one."""

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        x = inputs
        if self.data_format == "channels_first" and x.ndim > 1:
            x = x.transpose(0, *range(2, x.ndim), 1)
        return x.reshape(x.shape[0], -1)

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        rest = tuple(input_shape[1:])
        return (input_shape[0], None if None in rest else math.prod(rest))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format}


def reshape_output_shape(input_shape: tuple[Any, ...], target: tuple[int, ...]) -> tuple:
    """``target`` with its -1 resolved for inputs of ``input_shape`` (both without the batch
    axis); None where unknown; Keras's ValueError when the sizes cannot match."""
    if None in input_shape:
        return tuple(None if d == -1 else d for d in target)
    size = math.prod(input_shape)
    if -1 not in target:
        if size != math.prod(target):
            raise ValueError(
                "The total size of the tensor must be unchanged. Received: "
                f"input_shape={input_shape}, target_shape={target}"
            )
        return target
    known = math.prod(d for d in target if d != -1)
    if known == 0 or size % known != 0:
        raise ValueError(
            "The total size of the tensor must be unchanged, however, the input size cannot by "
            "divided by the specified dimensions in target_shape. Received: "
            f"input_shape={input_shape}, target_shape={target}"
        )
    return tuple(size // known if d == -1 else d for d in target)


class Reshape(Layer):
    """(N, …) -> (N, *target_shape); one entry of target_shape may be -1 (inferred)."""

    def __init__(self, target_shape: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        target = tuple(target_shape)
        for d in target:
            if isinstance(d, int | np.integer) and d < -1:
                raise ValueError(
                    "Each dimension in `target_shape` must be a non-negative integer, or `-1` "
                    f"for a single unknown dimension. Received: target_shape={target}."
                )
        if sum(1 for d in target if d == -1) > 1:
            raise ValueError(
                "There must be at most one unknown dimension (-1) in `target_shape`. "
                f"Received: target_shape={target}."
            )
        self.target_shape = tuple(int(d) for d in target)

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        shape = reshape_output_shape(tuple(inputs.shape[1:]), self.target_shape)
        return inputs.reshape(inputs.shape[0], *shape)

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        rest = tuple(input_shape[1:])
        return (input_shape[0], *reshape_output_shape(rest, self.target_shape))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "target_shape": self.target_shape}


class Permute(Layer):
    """Reorder the non-batch axes: ``Permute((2, 1))`` swaps the first two (dims from 1)."""

    def __init__(self, dims: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(
                "Invalid permutation argument `dims` for Permute Layer. The set of indices in "
                f"`dims` must be consecutive and start from 1. Received dims={dims}"
            )
        self.dims = tuple(int(d) for d in dims)
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        return inputs.transpose(0, *self.dims)

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        return (input_shape[0], *(input_shape[d] for d in self.dims))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "dims": self.dims}


class RepeatVector(Layer):
    """(N, d) -> (N, n, d): the input repeated n times."""

    def __init__(self, n: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(n, int | np.integer) or isinstance(n, bool):
            raise TypeError(f"Expected an integer value for `n`, got {type(n)}.")
        if n <= 0:
            raise ValueError(f"Argument `n` should be a positive integer. Received: n={n}")
        self.n = int(n)
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        ones = Tensor(np.ones((1, self.n, 1), dtype=inputs.dtype))
        return inputs.reshape(inputs.shape[0], 1, inputs.shape[1]) * ones

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "n": self.n}
