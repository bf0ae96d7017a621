"""Elementwise functions and their derivatives: exp, log, sqrt, abs, sign, tanh, sigmoid, relu,
clip. The other activations (leaky_relu, gelu, ...) are in ``activations``.

As in PyTorch, exp, log, sqrt, tanh and sigmoid of an integer tensor are float32; abs, sign,
relu and clip keep the dtype."""

from __future__ import annotations

from typing import Any

import numpy as np

from .function import Function
from .ops import as_tensor, to_float
from .tensor import Tensor


class Exp(Function):
    """y = eˣ, dy/dx = y."""

    __slots__ = ("out",)

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = np.exp(x)
        return self.out

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g * self.out,)


def exp(x: Any) -> Tensor:
    """eˣ elementwise."""
    return Exp().apply(to_float(as_tensor(x)))


class Log(Function):
    """y = ln x, dy/dx = 1/x."""

    __slots__ = ("x",)

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return np.log(x)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g / self.x,)


def log(x: Any) -> Tensor:
    """Natural logarithm elementwise."""
    return Log().apply(to_float(as_tensor(x)))


class Sqrt(Function):
    """y = √x, dy/dx = 1/(2y)."""

    __slots__ = ("out",)

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = np.sqrt(x)
        return self.out

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g / (2 * self.out),)


def sqrt(x: Any) -> Tensor:
    """√x elementwise."""
    return Sqrt().apply(to_float(as_tensor(x)))


class Abs(Function):
    """y = |x|, dy/dx = sign(x) (0 at 0, as PyTorch)."""

    __slots__ = ("x",)

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return np.abs(x)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g * np.sign(self.x),)


def abs(x: Any) -> Tensor:
    """|x| elementwise."""
    return Abs().apply(as_tensor(x))


class Sign(Function):
    """y = sign(x) = [x > 0] - [x < 0] ∈ {-1, 0, 1} (0 for nan, as PyTorch); dy/dx = 0."""

    __slots__ = ()
    saves_tensors = False
    fresh_grads = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.subtract(x > 0, x < 0, dtype=x.dtype)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (np.zeros_like(g),)


def sign(x: Any) -> Tensor:
    """sign(x) elementwise (-1, 0 or 1); its gradient is zero."""
    return Sign().apply(as_tensor(x))


class Tanh(Function):
    """y = tanh x, dy/dx = 1 - y²."""

    __slots__ = ("out",)

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = np.tanh(x)
        return self.out

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g * (1 - self.out * self.out),)


def tanh(x: Any) -> Tensor:
    """Hyperbolic tangent elementwise."""
    return Tanh().apply(to_float(as_tensor(x)))


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


def sigmoid(x: Any) -> Tensor:
    """Logistic sigmoid σ(x) = 1 / (1 + e⁻ˣ), computed without overflow."""
    return Sigmoid().apply(to_float(as_tensor(x)))


class Relu(Function):
    """y = max(x, 0); dy/dx = 0 where x <= 0, else 1 (PyTorch's conventions: relu(-inf) = 0,
    relu(nan) = nan with gradient 1, a negative input gives +0.0)."""

    __slots__ = ("off",)
    saves_tensors = False  # the mask is its own array

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.off = x <= 0
        return np.maximum(x, 0)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (np.where(self.off, 0, g),)


def relu(x: Any) -> Tensor:
    """max(x, 0) elementwise."""
    return Relu().apply(as_tensor(x))


class Clip(Function):
    """y = min(max(x, lo), hi); the gradient passes where lo <= x <= hi."""

    __slots__ = ("lo", "hi", "mask")
    saves_tensors = False  # the mask is its own array

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


def clip(x: Any, min: float | None = None, max: float | None = None) -> Tensor:
    """Clamp to [min, max] (either bound may be None)."""
    return Clip(min, max).apply(as_tensor(x))
