"""Regularization layers: ``Dropout``, ``AlphaDropout``, ``GaussianDropout``, ``GaussianNoise``,
``ActivityRegularization``.

``Dropout(rate)`` is inverted dropout: in training each input is zeroed with probability ``rate``
and the survivors are scaled by 1 / (1 - rate), so E[y] = x; in evaluation and prediction it is
the identity. ``noise_shape`` gives the shape of the keep mask, broadcast over the input: an axis
of size 1 shares one draw along it (``(None, 1, None)`` drops the same features at every time
step; ``None`` means "the input's size on that axis"). ``rate = 1`` drops everything (y = 0).

The masks and noise come from ``default_rng(seed)`` when ``seed`` is given, else from the layer's
generator (the model's, seeded by ``Sequential(seed=)`` or ``set_random_seed``). The argument
checks and their messages are Keras 3's.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nnlab.autograd import Tensor

from ..utils import new_rng
from .base import Layer

__all__ = [
    "ActivityRegularization",
    "AlphaDropout",
    "Dropout",
    "GaussianDropout",
    "GaussianNoise",
]


def check_fraction(value: Any, arg: str) -> float:
    """``value`` as a float in [0, 1], or Keras's ValueError naming ``arg``."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"Invalid type for argument `{arg}`: expected a float. Received: {value!r}")
    if not 0 <= value <= 1:
        raise ValueError(
            f"Invalid value received for argument `{arg}`. Expected a float value between 0 "
            f"and 1. Received: {arg}={value}"
        )
    return float(value)


def check_noise_shape(noise_shape: Any) -> tuple[int | None, ...] | None:
    """A noise shape as a tuple of positive ints and Nones (Keras 3's checks and messages)."""
    if noise_shape is None:
        return None
    prefix = "Invalid value received for argument `noise_shape`."
    if isinstance(noise_shape, str):
        raise ValueError(
            f"{prefix} Expected a tuple or list of integers. Received: noise_shape={noise_shape}"
        )
    try:
        dims = tuple(noise_shape)
    except TypeError:
        raise ValueError(
            f"{prefix} Expected an iterable of integers (e.g., a tuple or list). "
            f"Received: noise_shape={noise_shape}"
        ) from None
    for i, dim in enumerate(dims):
        if dim is None:
            continue
        if isinstance(dim, bool) or not isinstance(dim, int | np.integer):
            raise ValueError(
                f"{prefix} Expected all elements to be integers or None. Received element at "
                f"index {i}: {dim} (type: {type(dim).__name__})"
            )
        if dim <= 0:
            raise ValueError(
                f"{prefix} Expected all dimensions to be positive integers or None. Received "
                f"negative or zero value at index {i}: {dim}"
            )
    return tuple(None if d is None else int(d) for d in dims)


def concrete_noise_shape(noise_shape: tuple[int | None, ...] | None, shape: tuple[int, ...]):
    """The mask shape for an input of ``shape``: None entries take the input's size."""
    if noise_shape is None:
        return shape
    if len(noise_shape) != len(shape):
        raise ValueError(
            f"noise_shape={noise_shape} does not match inputs of shape {shape} (rank "
            f"{len(noise_shape)} vs {len(shape)})"
        )
    return tuple(s if n is None else n for n, s in zip(noise_shape, shape, strict=True))


class _Noise(Layer):
    """Shared parts: ``seed`` and the generator, identity shapes, masks pass through."""

    def __init__(self, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seed = seed
        self.supports_masking = True
        if seed is not None:
            self._rng = new_rng(seed)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape


class Dropout(_Noise):
    """Inverted dropout: y = x ⊙ m / (1 - rate), mᵢ ~ Bernoulli(1 - rate), in training only.

    Args: rate (the fraction dropped, in [0, 1]), noise_shape (the mask's shape, None entries
    taking the input's size), seed.
    """

    def __init__(
        self, rate: float, noise_shape: Any = None, seed: int | None = None, **kwargs: Any
    ) -> None:
        rate = check_fraction(rate, "rate")
        noise_shape = check_noise_shape(noise_shape)
        super().__init__(seed=seed, **kwargs)
        self.rate = rate
        self.noise_shape = noise_shape

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        if not training or self.rate == 0:
            return inputs
        shape = concrete_noise_shape(self.noise_shape, inputs.shape)
        if self.rate == 1:
            return inputs * np.zeros(shape, np.float32)
        keep = self.rng.random(shape) >= self.rate
        return inputs * (keep * np.float32(1 / (1 - self.rate))).astype(np.float32)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "rate": self.rate,
            "seed": self.seed,
            "noise_shape": self.noise_shape,
        }


class AlphaDropout(_Noise):
    """Dropout for self-normalizing (SELU) networks: keeps the mean and variance of its input.

    In training, dropped units are set to α' = -λα (SELU's negative saturation value, λ ≈ 1.0507,
    α ≈ 1.6733) instead of 0, then y = a·x̃ + b with a = ((1 - p)(1 + p α'²))^(-1/2) and
    b = -a α' p, p = rate; the identity otherwise.
    """

    _ALPHA = 1.6732632423543772848170429916717
    _SCALE = 1.0507009873554804934193349852946

    def __init__(
        self, rate: float, noise_shape: Any = None, seed: int | None = None, **kwargs: Any
    ) -> None:
        rate = check_fraction(rate, "rate")
        noise_shape = check_noise_shape(noise_shape)
        super().__init__(seed=seed, **kwargs)
        self.rate = rate
        self.noise_shape = noise_shape

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        if not training or self.rate == 0:
            return inputs
        p = self.rate
        alpha_p = -self._ALPHA * self._SCALE
        shape = concrete_noise_shape(self.noise_shape, inputs.shape)
        kept = (self.rng.random(shape) >= p).astype(np.float32)
        a = ((1 - p) * (1 + p * alpha_p**2)) ** -0.5
        b = -a * alpha_p * p
        # a·(x·m + α'(1 - m)) + b  =  x·(a m) + (a α'(1 - m) + b)
        return inputs * (np.float32(a) * kept) + (a * alpha_p * (1 - kept) + b).astype(np.float32)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "rate": self.rate,
            "seed": self.seed,
            "noise_shape": self.noise_shape,
        }


class GaussianNoise(_Noise):
    """In training y = x + n with n ~ N(0, stddev²) drawn per element; the identity otherwise.
    ``stddev`` must lie in [0, 1] (Keras 3's check)."""

    def __init__(self, stddev: float, seed: int | None = None, **kwargs: Any) -> None:
        stddev = check_fraction(stddev, "stddev")
        super().__init__(seed=seed, **kwargs)
        self.stddev = stddev

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        if not training or self.stddev == 0:
            return inputs
        noise = self.rng.standard_normal(inputs.shape).astype(np.float32) * np.float32(self.stddev)
        return inputs + noise

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class GaussianDropout(_Noise):
    """In training y = x·n with n ~ N(1, rate / (1 - rate)) per element; the identity otherwise."""

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        rate = check_fraction(rate, "rate")
        super().__init__(seed=seed, **kwargs)
        self.rate = rate

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        if not training or self.rate == 0:
            return inputs
        std = math.sqrt(self.rate / (1.0 - self.rate)) if self.rate < 1 else math.inf
        noise = (1.0 + self.rng.standard_normal(inputs.shape) * std).astype(np.float32)
        return inputs * noise

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class ActivityRegularization(Layer):
    """The identity, adding l1·Σ|x| + l2·Σx² (divided by the batch size) to ``losses``."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs: Any) -> None:
        from .. import regularizers

        kwargs.pop("activity_regularizer", None)
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1, self.l2 = float(l1), float(l2)
        self.supports_masking = True

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "l1": self.l1, "l2": self.l2}
