"""Reshaping layers: ``Flatten`` (written by kconv for the MNIST convnet lab until kcore's
reshaping family lands here; kcore's version replaces this file).

``Flatten`` turns (batch, d1, d2, ...) into (batch, d1·d2·...), in C order (the last axis
varies fastest). With ``data_format="channels_first"`` the channels axis is first moved last, as
Keras does, so the order of the features is that of channels_last data.
"""

from __future__ import annotations

import math
from typing import Any

from nnlab.autograd import Tensor

from .base import Layer
from .conv import standardize_data_format

__all__ = ["Flatten"]


class Flatten(Layer):
    """(batch, ...) -> (batch, product of the other axes); no weights."""

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, "Flatten")

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        rest = tuple(input_shape[1:])
        size = None if any(d is None for d in rest) else math.prod(rest)
        return (input_shape[0], size)

    def call(self, inputs: Any, training: bool | None = None) -> Tensor:
        x = inputs
        if self.data_format == "channels_first" and x.ndim >= 3:
            x = x.transpose(0, *range(2, x.ndim), 1)
        return x.reshape(x.shape[0], -1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format}
