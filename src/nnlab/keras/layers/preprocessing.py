"""Preprocessing layers: ``Rescaling`` and ``Normalization`` (with ``adapt``).

``Rescaling(scale, offset=0)``: y = x·scale + offset (e.g. 1/255 for pixels).
``Normalization(axis=-1)``: y = (x - mean) / max(√variance, 1e-7) per feature on ``axis``;
``adapt(data)`` sets mean and variance (biased) from the data, or give ``mean=`` and
``variance=``; ``invert=True`` maps back: x = y·√variance + mean. Its weights (mean, variance,
count) are not trainable.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab.autograd import Tensor

from .base import Layer

__all__ = ["Normalization", "Rescaling"]


class Rescaling(Layer):
    """y = x·scale + offset."""

    def __init__(self, scale: float, offset: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scale, self.offset = scale, offset

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        x = inputs if inputs.dtype.kind == "f" else Tensor(inputs.data.astype(np.float32))
        return x * np.float32(self.scale) + np.float32(self.offset)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}


class Normalization(Layer):
    """Feature-wise standardization (see the module docstring)."""

    def __init__(
        self,
        axis: int | tuple[int, ...] | None = -1,
        mean: Any = None,
        variance: Any = None,
        invert: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if (mean is None) != (variance is None):
            raise ValueError(
                "When setting values directly, both `mean` and `variance` must be set. "
                f"Received: mean={mean} and variance={variance}"
            )
        self.axis = () if axis is None else (axis,) if isinstance(axis, int) else tuple(axis)
        self.input_mean, self.input_variance, self.invert = mean, variance, bool(invert)

    def build(self, input_shape: Any) -> None:
        rank = len(input_shape)
        self._axes = tuple(a % rank for a in self.axis)
        shape = tuple(input_shape[a] if a in self._axes else 1 for a in range(rank))
        self._broadcast = (1, *shape[1:])
        kept = tuple(input_shape[a] for a in self._axes)
        self.mean = self.add_weight(kept, "zeros", trainable=False, name="mean")
        self.variance = self.add_weight(kept, "ones", trainable=False, name="variance")
        self.count = self.add_weight((), "zeros", trainable=False, name="count")
        if self.input_mean is not None:
            self.mean.data[...] = np.broadcast_to(np.asarray(self.input_mean, np.float32), kept)
            self.variance.data[...] = np.broadcast_to(
                np.asarray(self.input_variance, np.float32), kept
            )
        self.built = True

    def adapt(self, data: Any, batch_size: Any = None, steps: Any = None) -> None:
        """Set mean and variance to those of ``data`` over every axis but ``axis``."""
        arr = data.data if isinstance(data, Tensor) else np.asarray(data, dtype=np.float64)
        if arr.ndim == 1:
            arr = arr.reshape(-1, 1)
        if not self.built:
            self._build_shapes_arg = (None, *arr.shape[1:])
            self.build(self._build_shapes_arg)
        reduce = tuple(a for a in range(arr.ndim) if a not in self._axes)
        self.mean.data[...] = arr.mean(axis=reduce).reshape(self.mean.shape)
        self.variance.data[...] = arr.var(axis=reduce).reshape(self.variance.shape)
        self.count.data[...] = np.prod([arr.shape[a] for a in reduce])

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        mean = self.mean.data.reshape(self._broadcast)
        std = np.maximum(np.sqrt(self.variance.data), np.float32(1e-7)).reshape(self._broadcast)
        x = inputs if inputs.dtype.kind == "f" else Tensor(inputs.data.astype(np.float32))
        if self.invert:
            return x * std + mean
        return (x - mean) / std

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        def plain(v: Any) -> Any:
            return np.asarray(v).tolist() if v is not None else None

        return {
            **super().get_config(),
            "axis": list(self.axis),
            "invert": self.invert,
            "mean": plain(self.input_mean),
            "variance": plain(self.input_variance),
        }
