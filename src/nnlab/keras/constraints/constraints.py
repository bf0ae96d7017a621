"""Keras 3's weight constraints: projections applied to a weight after each optimizer update.

With ‖w‖ the Euclidean norm along ``axis`` (kept as a broadcastable axis) and ε = 1e-7
(Keras's ``backend.epsilon()``):

- ``NonNeg``:      w <- max(w, 0)
- ``MaxNorm(m)``:  w <- w · clip(‖w‖, 0, m) / (ε + ‖w‖)
- ``UnitNorm``:    w <- w / (ε + ‖w‖)
- ``MinMaxNorm(a, b, rate)``: w <- w · (rate · clip(‖w‖, a, b) + (1 - rate) · ‖w‖) / (ε + ‖w‖)

``axis=0`` (the default) takes the norm of each column of a Dense kernel (input_dim, units): the
weights entering one unit. For a Conv2D kernel (rows, cols, in, out) use ``axis=[0, 1, 2]``.
A constraint takes an array, a Tensor or a Variable and returns a new Tensor (no graph).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab.autograd import Tensor

from ..config import epsilon

__all__ = ["Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm"]


def _values(w: Any) -> np.ndarray:
    arr = w.data if isinstance(w, Tensor) else np.asarray(w)
    return arr if arr.dtype.kind == "f" else arr.astype(np.float32)


def _axis(axis: Any) -> Any:
    return tuple(axis) if isinstance(axis, list | tuple) else axis


def _norms(w: np.ndarray, axis: Any) -> np.ndarray:
    """‖w‖ along ``axis``, keeping the reduced axes (so it broadcasts against w)."""
    return np.sqrt(np.sum(np.square(w), axis=_axis(axis), keepdims=True))


class Constraint:
    """Base class: a stateless function ``w -> projected w``; subclasses override
    ``__call__`` (the base returns w unchanged) and ``get_config``."""

    def __call__(self, w: Any) -> Any:
        return w

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Constraint:
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class MaxNorm(Constraint):
    """Scale each weight vector (along ``axis``) whose norm exceeds ``max_value`` down to it."""

    def __init__(self, max_value: float = 2, axis: Any = 0) -> None:
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w: Any) -> Tensor:
        w = _values(w)
        norms = _norms(w, self.axis)
        desired = np.clip(norms, 0, self.max_value)
        return Tensor((w * (desired / (epsilon() + norms))).astype(w.dtype, copy=False))

    def get_config(self) -> dict[str, Any]:
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Set negative weights to 0."""

    def __call__(self, w: Any) -> Tensor:
        w = _values(w)
        return Tensor(np.maximum(w, 0).astype(w.dtype, copy=False))


class UnitNorm(Constraint):
    """Divide each weight vector (along ``axis``) by its norm."""

    def __init__(self, axis: Any = 0) -> None:
        self.axis = axis

    def __call__(self, w: Any) -> Tensor:
        w = _values(w)
        return Tensor((w / (epsilon() + _norms(w, self.axis))).astype(w.dtype, copy=False))

    def get_config(self) -> dict[str, Any]:
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Move each weight vector's norm into [``min_value``, ``max_value``]; ``rate`` < 1 moves
    it only part of the way at each update."""

    def __init__(
        self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0, axis: Any = 0
    ) -> None:
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w: Any) -> Tensor:
        w = _values(w)
        norms = _norms(w, self.axis)
        desired = (
            self.rate * np.clip(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        )
        return Tensor((w * (desired / (epsilon() + norms))).astype(w.dtype, copy=False))

    def get_config(self) -> dict[str, Any]:
        return {
            "min_value": self.min_value,
            "max_value": self.max_value,
            "rate": self.rate,
            "axis": self.axis,
        }
