"""The ``Initializer`` base class: ``init(shape, dtype=None, rng=None) -> np.ndarray``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

Shape = tuple[int, ...]


def _dtype(dtype: Any) -> np.dtype[Any]:
    dt = np.dtype("float32" if dtype is None else dtype)
    if dt.kind != "f":
        raise ValueError(f"initializer: expected a floating-point dtype, got {dt}")
    return dt


class Initializer:
    """Base class: ``init(shape, dtype=None, rng=None) -> np.ndarray``; ``get_config``."""

    def __call__(
        self, shape: Sequence[int], dtype: Any = None, rng: np.random.Generator | None = None
    ) -> np.ndarray:
        raise NotImplementedError("Initializer subclasses must implement the `__call__()` method.")

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Initializer:
        return cls(**config)

    def clone(self) -> Initializer:
        return type(self).from_config(self.get_config())

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"
