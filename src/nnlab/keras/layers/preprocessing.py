"""Preprocessing layers: ``Rescaling`` and ``Normalization`` (with ``adapt``).

``Rescaling(scale, offset=0)``: y = x·scale + offset (e.g. 1/255 for pixels).
``Normalization(axis=-1)``: y = (x - mean) / max(√variance, 1e-7) per feature on ``axis``;
``adapt(data)`` sets mean and variance (biased) from the data, or give ``mean=`` and
``variance=``; ``invert=True`` maps back: x = y·√variance + mean. Its weights (mean, variance,
count) are not trainable.
``CategoryEncoding(num_tokens, output_mode='multi_hot')``: integer tokens in [0, num_tokens) ->
vectors of length num_tokens: 'one_hot' (one vector per token; a trailing axis of 1 is replaced),
'multi_hot' (1 where the token occurs along the last axis), 'count' (how often, optionally
weighted by ``count_weights``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab.autograd import Tensor

from .base import Layer

__all__ = ["CategoryEncoding", "Normalization", "Rescaling"]


class Rescaling(Layer):
    """y = x·scale + offset."""

    supports_masking = True  # a mask passes through unchanged, as in Keras

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

    supports_masking = True  # a mask passes through unchanged, as in Keras

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


class CategoryEncoding(Layer):
    """Integer tokens -> one-hot, multi-hot or count vectors (see the module docstring)."""

    def __init__(
        self,
        num_tokens: int | None = None,
        output_mode: str = "multi_hot",
        sparse: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in ("count", "one_hot", "multi_hot"):
            raise ValueError(f"Unknown arg for output_mode: {output_mode}")
        if num_tokens is None:
            raise ValueError(
                "num_tokens must be set to use this layer. If the number of tokens is not known "
                "beforehand, use the IntegerLookup layer instead."
            )
        if num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        if sparse:
            raise ValueError("CategoryEncoding: sparse outputs are not supported by nnlab")
        self.num_tokens, self.output_mode, self.sparse = int(num_tokens), output_mode, False

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(inputs, Tensor) and not hasattr(inputs, "_keras_history"):
            inputs = np.asarray(inputs)  # token indices stay integers
            if inputs.dtype.kind == "f":
                inputs = inputs.astype(np.int64)
        return super().__call__(inputs, *args, **kwargs)

    def call(  # type: ignore[override]
        self, inputs: Any, count_weights: Any = None, training: bool | None = None
    ) -> Tensor:
        if count_weights is not None and self.output_mode != "count":
            raise ValueError(
                "`count_weights` is not used when `output_mode` is not `'count'`. Received "
                f"`count_weights={count_weights}`."
            )
        tokens = np.asarray(inputs.data if isinstance(inputs, Tensor) else inputs).astype(np.int64)
        if tokens.ndim == 0:
            tokens = tokens[None]
        depth = self.num_tokens
        if tokens.size and (tokens.min() < 0 or tokens.max() >= depth):
            raise ValueError(
                f"CategoryEncoding: tokens must lie in [0, {depth - 1}], got "
                f"[{tokens.min()}, {tokens.max()}]"
            )
        if self.output_mode == "one_hot":
            if tokens.ndim > 1 and tokens.shape[-1] == 1:
                tokens = tokens[..., 0]
            return Tensor(np.eye(depth, dtype=np.float32)[tokens])
        if tokens.ndim > 2:
            raise ValueError(
                f"CategoryEncoding: output_mode='{self.output_mode}' takes tokens of rank 1 or 2, "
                f"got shape {tokens.shape}"
            )
        lead = tokens.shape[:-1]
        flat = tokens.reshape(-1, tokens.shape[-1])
        out = np.zeros((flat.shape[0], depth), np.float32)
        rows = np.repeat(np.arange(flat.shape[0]), flat.shape[1])
        if self.output_mode == "multi_hot":
            out[rows, flat.ravel()] = 1.0
        else:
            w: np.ndarray = np.ones(flat.shape, np.float32)
            if count_weights is not None:
                cw = count_weights.data if isinstance(count_weights, Tensor) else count_weights
                w = np.broadcast_to(np.asarray(cw, np.float32), tokens.shape).reshape(flat.shape)
            np.add.at(out, (rows, flat.ravel()), w.ravel())
        return Tensor(out.reshape(*lead, depth))

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        shape = tuple(input_shape)
        if not shape:
            return (self.num_tokens,)
        if self.output_mode == "one_hot" and (shape[-1] != 1 or len(shape) == 1):
            return (*shape, self.num_tokens)
        return (*shape[:-1], self.num_tokens)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_tokens": self.num_tokens,
            "output_mode": self.output_mode,
        }
