"""Regularization layers: ``Dropout`` (and the noise layers).

``Dropout(rate)`` is inverted dropout: in training each input is zeroed with probability ``rate``
and the survivors are scaled by 1 / (1 - rate); in evaluation and prediction it is the identity.
The mask is drawn from ``default_rng(seed)`` when ``seed`` is given, else from the layer's
generator (the model's, seeded by ``Sequential(seed=)`` or ``set_random_seed``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab.autograd import Tensor, dropout

from ..utils import new_rng
from .base import Layer

__all__ = ["ActivityRegularization", "Dropout", "GaussianDropout", "GaussianNoise"]


class Dropout(Layer):
    """Inverted dropout with drop probability ``rate`` (``noise_shape`` shares the mask along
    the axes where it is 1)."""

    def __init__(
        self, rate: float, noise_shape: Any = None, seed: int | None = None, **kwargs: Any
    ) -> None:
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate < 1:
            raise ValueError(f"Dropout: rate (the fraction dropped) must be in [0, 1), got {rate}")
        super().__init__(**kwargs)
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        if seed is not None:
            self._rng = new_rng(seed)

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        if not training or self.rate == 0:
            return inputs
        if self.noise_shape is None:
            return dropout(inputs, self.rate, self.rng, training=True)
        shape = tuple(
            s if n is None else n for n, s in zip(self.noise_shape, inputs.shape, strict=True)
        )
        keep = self.rng.random(shape) >= self.rate
        return inputs * (keep / np.float32(1 - self.rate)).astype(np.float32)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "rate": self.rate,
            "seed": self.seed,
            "noise_shape": None if self.noise_shape is None else list(self.noise_shape),
        }


class GaussianNoise(Layer):
    """In training y = x + n with n ~ N(0, stddev²) drawn per element; the identity otherwise."""

    def __init__(self, stddev: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stddev, self.seed = float(stddev), seed
        if seed is not None:
            self._rng = new_rng(seed)

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        if not training or self.stddev == 0:
            return inputs
        noise = self.rng.standard_normal(inputs.shape).astype(np.float32) * np.float32(self.stddev)
        return inputs + noise

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class GaussianDropout(Layer):
    """In training y = x·n with n ~ N(1, rate / (1 - rate)) per element; the identity otherwise."""

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        if not 0 <= rate < 1:
            raise ValueError(f"GaussianDropout: rate must be in [0, 1), got {rate}")
        super().__init__(**kwargs)
        self.rate, self.seed = float(rate), seed
        if seed is not None:
            self._rng = new_rng(seed)

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        if not training or self.rate == 0:
            return inputs
        std = np.sqrt(self.rate / (1.0 - self.rate))
        noise = (1.0 + self.rng.standard_normal(inputs.shape) * std).astype(np.float32)
        return inputs * noise

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class ActivityRegularization(Layer):
    """The identity, adding l1·Σ|x| + l2·Σx² (divided by the batch size) to ``losses``."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs: Any) -> None:
        from .. import regularizers

        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1, self.l2 = float(l1), float(l2)

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "l1": self.l1, "l2": self.l2}
