"""Activation layers with parameters: ``ReLU``, ``LeakyReLU``, ``PReLU``, ``ELU``, ``Softmax``.

- ``ReLU(max_value=None, negative_slope=0, threshold=0)``: x for x ≥ threshold, else
  negative_slope·(x - threshold); then capped at max_value.
- ``LeakyReLU(negative_slope=0.3)``: x if x > 0 else negative_slope·x.
- ``PReLU``: x if x > 0 else α·x with a learned α per feature (``shared_axes`` share it).
- ``ELU(alpha=1)``: x if x > 0 else α(eˣ - 1).  ``Softmax(axis=-1)``: e^{x_k} / Σ_j e^{x_j}.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab.autograd import Tensor, elu, where

from .base import Layer
from .core import _initializer, _reg, _serialize, remember_logits

__all__ = ["ELU", "LeakyReLU", "PReLU", "ReLU", "Softmax"]


class _Elementwise(Layer):
    supports_masking = True  # elementwise: a mask passes through unchanged

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape


class ReLU(_Elementwise):
    """Rectified linear unit with Keras's options (see the module docstring)."""

    def __init__(
        self,
        max_value: float | None = None,
        negative_slope: float = 0.0,
        threshold: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.0:
            raise ValueError(
                f"max_value of a ReLU layer cannot be a negative value. Received: "
                f"max_value={max_value}"
            )
        if negative_slope is None or negative_slope < 0.0:
            raise ValueError(
                "negative_slope of a ReLU layer cannot be None or a negative value. Received: "
                f"negative_slope={negative_slope}"
            )
        if threshold is None or threshold < 0.0:
            raise ValueError(
                "threshold of a ReLU layer cannot be None or a negative value. Received: "
                f"threshold={threshold}"
            )
        self.max_value = None if max_value is None else float(max_value)
        self.negative_slope, self.threshold = float(negative_slope), float(threshold)

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        # Keras 3's composition: pos = x if x > threshold else 0 (relu when threshold = 0),
        # clipped to [0, max_value]; minus negative_slope·relu(threshold - x).
        slope, threshold = self.negative_slope, self.threshold
        if slope != 0 and self.max_value is None and threshold == 0:
            return where(inputs.data >= 0, inputs, inputs * np.float32(slope))
        if threshold != 0:
            out = where(inputs.data > np.float32(threshold), inputs, np.float32(0.0))
        else:
            out = inputs.relu()
        if self.max_value is not None:
            out = out.clip(0.0, self.max_value)
        if slope != 0:
            out = out - (np.float32(threshold) - inputs).relu() * np.float32(slope)
        return out

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "max_value": self.max_value,
            "negative_slope": self.negative_slope,
            "threshold": self.threshold,
        }


class LeakyReLU(_Elementwise):
    """x if x > 0 else negative_slope·x."""

    def __init__(self, negative_slope: float = 0.3, **kwargs: Any) -> None:
        if "alpha" in kwargs:  # the Keras 2 name
            negative_slope = kwargs.pop("alpha")
        if negative_slope is None or negative_slope < 0:
            raise ValueError(
                "The negative_slope value of a Leaky ReLU layer cannot be None or negative value. "
                f"Expected a float. Received: negative_slope={negative_slope}"
            )
        super().__init__(**kwargs)
        self.negative_slope = float(negative_slope)

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        return where(inputs.data > 0, inputs, inputs * self.negative_slope)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "negative_slope": self.negative_slope}


class PReLU(_Elementwise):
    """x if x > 0 else α·x, α learned (shape of one sample, 1 on ``shared_axes``)."""

    def __init__(
        self,
        alpha_initializer: Any = "zeros",
        alpha_regularizer: Any = None,
        alpha_constraint: Any = None,
        shared_axes: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.alpha_initializer = _initializer(alpha_initializer, "PReLU")
        self.alpha_regularizer = _reg(alpha_regularizer, "PReLU.alpha_regularizer")
        self.alpha_constraint = alpha_constraint
        if shared_axes is not None and not isinstance(shared_axes, list | tuple):
            shared_axes = [shared_axes]
        self.shared_axes = None if shared_axes is None else [int(a) for a in shared_axes]

    def build(self, input_shape: Any) -> None:
        shape = list(input_shape[1:])
        for a in self.shared_axes or []:
            shape[a - 1] = 1
        self.alpha = self.add_weight(
            tuple(shape),
            self.alpha_initializer,
            regularizer=self.alpha_regularizer,
            constraint=self.alpha_constraint,
            name="alpha",
        )
        self.built = True

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        return where(inputs.data > 0, inputs, inputs * self.alpha)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "alpha_initializer": _serialize(self.alpha_initializer),
            "alpha_regularizer": _serialize(self.alpha_regularizer),
            "alpha_constraint": _serialize(self.alpha_constraint),
            "shared_axes": self.shared_axes,
        }


class ELU(_Elementwise):
    """x if x > 0 else α(eˣ - 1)."""

    def __init__(self, alpha: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.alpha = float(alpha)

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        return elu(inputs, self.alpha)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "alpha": self.alpha}


class Softmax(_Elementwise):
    """softmax over ``axis`` (the last by default)."""

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis

    def _softmax(self, inputs: Tensor) -> Tensor:
        """Over one axis, or jointly over a tuple of axes: e^{x - max} / Σ_axes e^{x - max}."""
        axis = self.axis
        if isinstance(axis, list | tuple):
            if len(axis) == 1:
                return inputs.softmax(axis=int(axis[0]))
            axes = tuple(int(a) for a in axis)
            shift = inputs.data.max(axis=axes, keepdims=True)  # a constant: no gradient needed
            exps = (inputs - shift).exp()
            return exps / exps.sum(axis=axes, keepdims=True)
        return inputs.softmax(axis=axis)

    def call(self, inputs: Tensor, training: bool | None = None, mask: Any = None) -> Tensor:
        if mask is not None:  # Keras 3: masked entries -1e9 before, 0 after (a row all masked: 0)
            data = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
            if data.ndim > inputs.ndim:
                raise ValueError(
                    "The `mask` must be broadcastable to `inputs` and must not have more "
                    f"dimensions. Received: inputs.shape={inputs.shape}, mask.shape={data.shape}"
                )
            for m_dim, i_dim in zip(data.shape[::-1], inputs.shape[::-1], strict=False):
                if m_dim not in (1, i_dim):
                    raise ValueError(
                        "The `mask` must be broadcastable to `inputs`. Each mask dimension must "
                        "be 1 or match the corresponding input dimension. Received: "
                        f"inputs.shape={inputs.shape}, mask.shape={data.shape}"
                    )
            keep = np.broadcast_to(data if data.dtype == bool else data > 0.5, inputs.shape)
            masked = where(keep, inputs, np.float32(-1e9))
            return where(keep, self._softmax(masked), np.float32(0.0))
        out = self._softmax(inputs)
        if self.axis in (-1, inputs.ndim - 1):
            remember_logits(out, inputs, "softmax")
        return out

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}
