"""``Masking(mask_value=0.0)``: marks the time steps to skip.

For inputs x of shape (N, T, ..., d), a step t of sample n is kept when any of its features
differs from ``mask_value``: m[n, t] = any_k (x[n, t, k] != mask_value). The output is x with the
masked steps set to 0, and it carries the mask m (``utils.get_keras_mask``; ``compute_mask``
gives the same m), which the losses honour: a masked step has weight 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab.autograd import Tensor

from ..utils import set_keras_mask
from .base import Layer

__all__ = ["Masking"]


class Masking(Layer):
    """Mask the steps whose features all equal ``mask_value`` (see the module docstring)."""

    def __init__(self, mask_value: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(mask_value, dict) and "config" in mask_value:  # Keras's serialized form
            mask_value = mask_value["config"].get("value", mask_value["config"])
        self.mask_value = mask_value
        self.supports_masking = True

    def _mask(self, inputs: Any) -> np.ndarray:
        data = inputs.data if isinstance(inputs, Tensor) else np.asarray(inputs)
        return np.any(data != self.mask_value, axis=-1)

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        keep = self._mask(inputs)
        outputs = inputs * keep[..., None].astype(inputs.dtype)
        set_keras_mask(outputs, keep)
        return outputs

    def compute_mask(self, inputs: Any, mask: Any = None) -> np.ndarray:
        return self._mask(inputs)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mask_value": self.mask_value}
