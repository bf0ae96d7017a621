"""Elementwise functions and their derivatives: exp, log, sqrt, abs, tanh, sigmoid, relu, clip."""

from __future__ import annotations

from typing import Any

import numpy as np

from .function import Function
from .ops import lift
from .tensor import Tensor


class Exp(Function):
    """y = eˣ, dy/dx = y."""

    __slots__ = ("out",)

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = np.exp(x)
        return self.out

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g * self.out,)


class Log(Function):
    """y = ln x, dy/dx = 1/x."""

    __slots__ = ("x",)

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return np.log(x)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g / self.x,)


class Sqrt(Function):
    """y = √x, dy/dx = 1/(2y)."""

    __slots__ = ("out",)

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = np.sqrt(x)
        return self.out

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g / (2 * self.out),)


class Abs(Function):
    """y = |x|, dy/dx = sign(x) (0 at 0, as PyTorch)."""

    __slots__ = ("x",)

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return np.abs(x)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g * np.sign(self.x),)


class Tanh(Function):
    """y = tanh x, dy/dx = 1 - y²."""

    __slots__ = ("out",)

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = np.tanh(x)
        return self.out

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g * (1 - self.out * self.out),)


def stable_sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1 / (1 + e⁻ˣ) without overflow: e^(-|x|) never exceeds 1."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


class Sigmoid(Function):
    """y = σ(x), dy/dx = y(1 - y)."""

    __slots__ = ("out",)

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = stable_sigmoid(x)
        return self.out

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g * self.out * (1 - self.out),)


class Relu(Function):
    """y = max(x, 0), dy/dx = 1 where x > 0 else 0 (backward by mask)."""

    __slots__ = ("mask",)

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.mask = x > 0
        return x * self.mask

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g * self.mask,)


class Clip(Function):
    """y = min(max(x, lo), hi); the gradient passes where lo <= x <= hi."""

    __slots__ = ("lo", "hi", "mask")

    def __init__(self, lo: float | None, hi: float | None) -> None:
        if lo is None and hi is None:
            raise ValueError("clip: give at least one of min and max")
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"clip: min {lo} is greater than max {hi}")
        self.lo, self.hi = lo, hi

    def forward(self, x: np.ndarray) -> np.ndarray:
        mask = np.ones(x.shape, dtype=bool)
        if self.lo is not None:
            mask &= x >= self.lo
        if self.hi is not None:
            mask &= x <= self.hi
        self.mask = mask
        return np.clip(x, self.lo, self.hi).astype(x.dtype, copy=False)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g * self.mask,)


def exp(x: Any) -> Tensor:
    """eˣ elementwise."""
    return Exp().apply(lift(x))


def log(x: Any) -> Tensor:
    """Natural logarithm elementwise."""
    return Log().apply(lift(x))


def sqrt(x: Any) -> Tensor:
    """√x elementwise."""
    return Sqrt().apply(lift(x))


def abs(x: Any) -> Tensor:
    """|x| elementwise."""
    return Abs().apply(lift(x))


def tanh(x: Any) -> Tensor:
    """Hyperbolic tangent elementwise."""
    return Tanh().apply(lift(x))


def sigmoid(x: Any) -> Tensor:
    """Logistic sigmoid σ(x) = 1 / (1 + e⁻ˣ), computed without overflow."""
    return Sigmoid().apply(lift(x))


def relu(x: Any) -> Tensor:
    """max(x, 0) elementwise."""
    return Relu().apply(lift(x))


def clip(x: Any, min: float | None = None, max: float | None = None) -> Tensor:
    """Clamp to [min, max] (either bound may be None)."""
    return Clip(min, max).apply(lift(x))
