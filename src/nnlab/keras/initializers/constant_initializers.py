"""The deterministic initializers: ``Identity``, ``Constant``, ``Zeros``, ``Ones``, and an array
given as the initial value."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .initializer import Initializer, _dtype


class Identity(Initializer):
    """gain · I (2-D shapes only; a rectangular shape gets ones on the main diagonal)."""

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = gain

    def __call__(
        self, shape: Sequence[int], dtype: Any = None, rng: np.random.Generator | None = None
    ) -> np.ndarray:
        shape = tuple(shape)
        if len(shape) != 2:
            raise ValueError(
                "Identity matrix initializer can only be used for 2D matrices. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        return (self.gain * np.eye(*shape)).astype(_dtype(dtype))

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain}


class Constant(Initializer):
    """Every entry equal to ``value``."""

    def __init__(self, value: float = 0.0) -> None:
        self.value = value

    def __call__(
        self, shape: Sequence[int], dtype: Any = None, rng: np.random.Generator | None = None
    ) -> np.ndarray:
        return np.full(tuple(shape), self.value, dtype=_dtype(dtype))

    def get_config(self) -> dict[str, Any]:
        return {"value": self.value}


class Zeros(Initializer):
    """All zeros."""

    def __call__(
        self, shape: Sequence[int], dtype: Any = None, rng: np.random.Generator | None = None
    ) -> np.ndarray:
        return np.zeros(tuple(shape), dtype=_dtype(dtype))


class Ones(Initializer):
    """All ones."""

    def __call__(
        self, shape: Sequence[int], dtype: Any = None, rng: np.random.Generator | None = None
    ) -> np.ndarray:
        return np.ones(tuple(shape), dtype=_dtype(dtype))


class _FromArray(Initializer):
    """An array used as the initial value (its shape must match)."""

    def __init__(self, value: np.ndarray) -> None:
        self.value = value

    def __call__(
        self, shape: Sequence[int], dtype: Any = None, rng: np.random.Generator | None = None
    ) -> np.ndarray:
        if tuple(shape) != self.value.shape:
            raise ValueError(
                f"Expected `shape` to be {self.value.shape} for direct tensor as initializer. "
                f"Received shape={tuple(shape)}"
            )
        return self.value.astype(_dtype(dtype))
