"""The activations beyond relu, sigmoid and tanh, each with PyTorch's definition, defaults and
conventions at the kinks (the derivative chosen where the function is not differentiable):

    leaky_relu   x if x > 0 else a·x                      (a = 0.01; slope a at 0)
    elu          x if x > 0 else α(eˣ - 1)                 (α = 1; slope α at 0)
    selu         λ·elu(x, α), α ≈ 1.6733, λ ≈ 1.0507
    gelu         x·Φ(x), Φ the standard normal CDF; or its tanh approximation
    silu/swish   x·σ(x)
    softplus     log(1 + e^{βx}) / β, x itself where βx > threshold (β = 1, threshold = 20)
    softsign     x / (1 + |x|)
    relu6        min(max(x, 0), 6)                         (slope 0 at 0 and 6)
    hardswish    x·relu6(x + 3) / 6
    hard_sigmoid relu6(x + 3) / 6 (PyTorch's hardsigmoid, Keras 3's hard_sigmoid)
    mish         x·tanh(softplus(x))
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.special import ndtr

from .function import Function
from .ops import as_tensor
from .tensor import Tensor
from .unary_ops import stable_sigmoid


def _const(x: np.ndarray, value: float) -> Any:
    """``value`` in the dtype of ``x`` (float32 stays float32)."""
    return x.dtype.type(value)


class LeakyRelu(Function):
    """y = x if x > 0 else a·x; dy/dx = 1 if x > 0 else a."""

    __slots__ = ("slope", "pos")
    saves_tensors = False  # the backward reads only its own mask

    def __init__(self, negative_slope: float) -> None:
        self.slope = negative_slope

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.pos = x > 0
        return np.where(self.pos, x, x * _const(x, self.slope))

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (np.where(self.pos, g, g * _const(g, self.slope)),)


def leaky_relu(x: Any, negative_slope: float = 0.01) -> Tensor:
    """x if x > 0 else ``negative_slope``·x, elementwise."""
    return LeakyRelu(negative_slope).apply(as_tensor(x))


class Elu(Function):
    """y = λ·x if x > 0 else λ·α(eˣ - 1); dy/dx = λ if x > 0 else λ·α·eˣ (λ = 1 for elu)."""

    __slots__ = ("alpha", "scale", "neg", "exp")

    def __init__(self, alpha: float, scale: float = 1.0) -> None:
        self.alpha, self.scale = alpha, scale

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.neg = x <= 0
        expm1 = np.expm1(np.minimum(x, 0))  # the negative branch only: no overflow
        self.exp = expm1 + 1
        out = np.where(self.neg, _const(x, self.alpha) * expm1, x)
        return out * _const(x, self.scale) if self.scale != 1 else out

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        scale = _const(g, self.scale)
        return (np.where(self.neg, g * (scale * _const(g, self.alpha)) * self.exp, g * scale),)


def elu(x: Any, alpha: float = 1.0) -> Tensor:
    """Exponential linear unit: x if x > 0 else α(eˣ - 1)."""
    return Elu(alpha).apply(as_tensor(x))


SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def selu(x: Any) -> Tensor:
    """Scaled ELU: λ·elu(x, α) with α ≈ 1.6733, λ ≈ 1.0507 (self-normalizing networks)."""
    return Elu(SELU_ALPHA, SELU_SCALE).apply(as_tensor(x))


_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
_GELU_CUBIC = 0.044715


class Gelu(Function):
    """Exact: y = x·Φ(x), Φ(x) = ½(1 + erf(x/√2)); dy/dx = Φ(x) + x·φ(x), φ(x) = e^{-x²/2}/√(2π).

    ``approximate="tanh"``: y = ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³);
    dy/dx = ½(1 + tanh u) + ½x(1 - tanh²u)·√(2/π)(1 + 3·0.044715x²).
    """

    __slots__ = ("approximate", "x", "cdf", "tanh")

    def __init__(self, approximate: str) -> None:
        self.approximate = approximate

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        if self.approximate == "tanh":
            self.tanh = np.tanh(_const(x, _SQRT_2_OVER_PI) * (x + _const(x, _GELU_CUBIC) * x**3))
            return _const(x, 0.5) * x * (1 + self.tanh)
        self.cdf = ndtr(x).astype(x.dtype, copy=False)  # Φ(x), exact at ±inf
        return x * self.cdf

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        x = self.x
        if self.approximate == "tanh":
            t = self.tanh
            inner = _const(x, _SQRT_2_OVER_PI) * (1 + _const(x, 3 * _GELU_CUBIC) * x * x)
            return (g * (_const(x, 0.5) * (1 + t) + _const(x, 0.5) * x * (1 - t * t) * inner),)
        pdf = np.exp(-0.5 * x * x) * _const(x, 1 / math.sqrt(2 * math.pi))
        return (g * (self.cdf + x * pdf),)


def gelu(x: Any, approximate: str = "none") -> Tensor:
    """Gaussian error linear unit x·Φ(x); ``approximate="tanh"`` uses the tanh formula."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return Gelu(approximate).apply(as_tensor(x))


class Silu(Function):
    """y = x·σ(x); dy/dx = σ(x)(1 + x(1 - σ(x)))."""

    __slots__ = ("x", "sig")

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x, self.sig = x, stable_sigmoid(x)
        return x * self.sig

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        s = self.sig
        return (g * s * (1 + self.x * (1 - s)),)


def silu(x: Any) -> Tensor:
    """Sigmoid linear unit (Keras: swish): x·σ(x)."""
    return Silu().apply(as_tensor(x))


swish = silu


class Softplus(Function):
    """y = log(1 + e^{βx})/β, or x where βx > threshold; dy/dx = σ(βx), or 1 there."""

    __slots__ = ("beta", "threshold", "linear", "z")
    saves_tensors = False  # the backward reads only its own arrays

    def __init__(self, beta: float, threshold: float) -> None:
        self.beta, self.threshold = beta, threshold

    def forward(self, x: np.ndarray) -> np.ndarray:
        bx = x * _const(x, self.beta)
        self.linear = bx > self.threshold
        self.z = np.exp(np.minimum(bx, _const(x, self.threshold)))  # no overflow
        return np.where(self.linear, x, np.log1p(self.z) / _const(x, self.beta))

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        z = self.z
        return (np.where(self.linear, g, g * z / (z + 1)),)


def softplus(x: Any, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """Smooth relu log(1 + e^{βx})/β; linear (x) where βx > ``threshold``, as PyTorch."""
    if not beta > 0:
        raise ValueError(f"softplus: beta must be > 0, got {beta}")
    return Softplus(beta, threshold).apply(as_tensor(x))


class Softsign(Function):
    """y = x / (1 + |x|); dy/dx = 1 / (1 + |x|)²."""

    __slots__ = ("denominator",)
    saves_tensors = False  # the backward reads only its own array

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.denominator = 1 + np.abs(x)
        return x / self.denominator

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        d = self.denominator
        return (g / (d * d),)


def softsign(x: Any) -> Tensor:
    """x / (1 + |x|) elementwise."""
    return Softsign().apply(as_tensor(x))


class Relu6(Function):
    """y = min(max(x, 0), 6); dy/dx = 1 where 0 < x < 6, else 0 (0 at both kinks)."""

    __slots__ = ("off",)
    saves_tensors = False  # the backward reads only its own mask

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.off = (x <= 0) | (x >= 6)
        return np.minimum(np.maximum(x, 0), 6)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (np.where(self.off, 0, g),)


def relu6(x: Any) -> Tensor:
    """min(max(x, 0), 6) elementwise."""
    return Relu6().apply(as_tensor(x))


class Hardswish(Function):
    """y = x·relu6(x + 3)/6; dy/dx = 0 for x <= -3, x/3 + 1/2 for -3 < x < 3, 1 for x >= 3."""

    __slots__ = ("x",)

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return x * np.minimum(np.maximum(x + 3, 0), 6) / _const(x, 6)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        x = self.x
        middle = g * (x / _const(x, 3) + _const(x, 0.5))
        return (np.where(x <= -3, 0, np.where(x < 3, middle, g)),)


def hardswish(x: Any) -> Tensor:
    """x·relu6(x + 3)/6 elementwise (MobileNetV3's cheap swish)."""
    return Hardswish().apply(as_tensor(x))


class HardSigmoid(Function):
    """y = relu6(x + 3)/6; dy/dx = 1/6 where -3 < x < 3, else 0."""

    __slots__ = ("inside",)
    saves_tensors = False  # the backward reads only its own mask

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.inside = (x > -3) & (x < 3)
        return np.minimum(np.maximum(x + 3, 0), 6) / _const(x, 6)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (np.where(self.inside, g / _const(g, 6), 0),)


def hard_sigmoid(x: Any) -> Tensor:
    """relu6(x + 3)/6 elementwise (PyTorch's hardsigmoid; Keras 3's hard_sigmoid)."""
    return HardSigmoid().apply(as_tensor(x))


class Mish(Function):
    """y = x·tanh(s), s = softplus(x) = log(1 + eˣ); dy/dx = tanh s + x·σ(x)(1 - tanh²s)."""

    __slots__ = ("x", "tanh")

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        self.tanh = np.tanh(np.logaddexp(0, x))  # log(1 + eˣ) without overflow
        return x * self.tanh

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        x, t = self.x, self.tanh
        return (g * (t + x * stable_sigmoid(x) * (1 - t * t)),)


def mish(x: Any) -> Tensor:
    """x·tanh(softplus(x)) elementwise."""
    return Mish().apply(as_tensor(x))
