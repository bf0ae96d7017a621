"""``optimizer.learning_rate`` and ``optimizer.iterations`` as Keras 3 hands them out.

Keras 3 gives both as scalar Variables (``lr.value``, ``lr.numpy()``, ``lr.assign(0.01)``,
``float(lr)``). Here they are a Python ``float`` and ``int`` that also answer that API: plain
numbers in arithmetic, comparisons, formatting and logs (a value read before a change keeps its
value, as a number does), and ``assign`` writes through to the optimizer, as setting
``optimizer.learning_rate = v`` or ``optimizer.iterations = n`` does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["IterationCount", "LearningRateValue"]


class LearningRateValue(float):
    """The learning rate of the next step (a float) with Keras's variable API."""

    _optimizer: Any

    def __new__(cls, value: float, optimizer: Any = None) -> LearningRateValue:
        obj = float.__new__(cls, value)
        obj._optimizer = optimizer
        return obj

    @property
    def value(self) -> np.float32:
        """The learning rate as Keras's variable holds it: a float32 scalar (so that it equals
        0.01 after ReduceLROnPlateau's 0.1 · 0.1, as in Keras)."""
        return np.float32(self)

    def numpy(self) -> np.ndarray:
        """As Keras's float32 variable: a 0-d float32 array."""
        return np.array(float(self), dtype=np.float32)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return np.array(float(self), dtype=dtype or np.float32)

    shape: tuple[int, ...] = ()
    dtype = "float32"
    trainable = False

    @property
    def name(self) -> str:
        return "learning_rate"

    @property
    def path(self) -> str:
        return f"{getattr(self._optimizer, 'name', 'optimizer')}/learning_rate"

    def assign(self, value: Any) -> LearningRateValue:
        """Set the optimizer's learning rate (``optimizer.learning_rate = value``)."""
        if self._optimizer is None:
            raise ValueError("assign: this learning rate belongs to no optimizer")
        self._optimizer.learning_rate = float(np.asarray(value))
        return self._optimizer.learning_rate

    def __repr__(self) -> str:
        return f"<Variable path={self.path}, shape=(), dtype=float32, value={float(self)}>"

    def __str__(self) -> str:  # the number, in messages and f-strings
        return float.__repr__(self)

    def __format__(self, spec: str) -> str:
        return format(float(self), spec)


class IterationCount(int):
    """The number of updates applied (an int) with Keras's variable API."""

    _optimizer: Any

    def __new__(cls, value: int, optimizer: Any = None) -> IterationCount:
        obj = int.__new__(cls, value)
        obj._optimizer = optimizer
        return obj

    @property
    def value(self) -> int:
        """The count as a plain int."""
        return int(self)

    def numpy(self) -> np.ndarray:
        """As Keras's int variable on torch: a 0-d int32 array."""
        return np.array(int(self), dtype=np.int32)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return np.array(int(self), dtype=dtype or np.int32)

    shape: tuple[int, ...] = ()
    dtype = "int32"
    trainable = False

    @property
    def name(self) -> str:
        return "iteration"

    @property
    def path(self) -> str:
        return f"{getattr(self._optimizer, 'name', 'optimizer')}/iteration"

    def assign(self, value: Any) -> IterationCount:
        """Set the optimizer's step count (``optimizer.iterations = value``)."""
        if self._optimizer is None:
            raise ValueError("assign: this step count belongs to no optimizer")
        self._optimizer.iterations = int(np.asarray(value))
        return self._optimizer.iterations

    def __repr__(self) -> str:
        return f"<Variable path={self.path}, shape=(), dtype=int32, value={int(self)}>"

    def __str__(self) -> str:  # the number, in messages and f-strings
        return int.__repr__(self)

    def __format__(self, spec: str) -> str:
        return format(int(self), spec)
