"""Weight initializers: fill a tensor's values in place (PyTorch's ``torch.nn.init`` formulas).

Every function takes the tensor (a :class:`~nnlab.nn.Parameter` or any Tensor), writes into
``t.data`` keeping its dtype, and returns ``t``. Random ones take ``rng``: a NumPy Generator
(reproducible), an int seed, or None (fresh entropy).

Fans of a weight of shape (out, in, *kernel): fan_in = in · Π kernel, fan_out = out · Π kernel.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd import Tensor
from .layers import RngLike, as_generator

_NONLINEARITIES = ("linear", "identity", "sigmoid", "tanh", "relu", "leaky_relu")
_MODES = ("fan_in", "fan_out")


def _check(t: Tensor, fn: str) -> np.ndarray:
    if not isinstance(t, Tensor):
        raise TypeError(f"{fn}: expected a Tensor or Parameter, got {type(t).__name__}")
    if t.data.dtype.kind != "f":
        raise TypeError(f"{fn}: tensor must be floating point, got dtype {t.data.dtype}")
    return t.data


def _fill(t: Tensor, values: np.ndarray) -> Tensor:
    t.data[...] = values
    return t


def calculate_fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of ``shape`` = (out, in, *kernel) (at least 2-D)."""
    if len(shape) < 2:
        raise ValueError(f"init: fans need a tensor with at least 2 dimensions, got shape {shape}")
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity: 1 (linear, sigmoid), 5/3 (tanh), √2 (relu),
    √(2 / (1 + a²)) (leaky_relu with negative slope a, default 0.01)."""
    if nonlinearity in ("linear", "identity", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1.0 + slope**2))
    raise ValueError(
        f"calculate_gain: unknown nonlinearity {nonlinearity!r}; use {_NONLINEARITIES}"
    )


def uniform_(t: Tensor, a: float = 0.0, b: float = 1.0, rng: RngLike = None) -> Tensor:
    """Fill with U(a, b)."""
    x = _check(t, "uniform_")
    if not a <= b:
        raise ValueError(f"uniform_: need a <= b, got a={a}, b={b}")
    return _fill(t, as_generator(rng).uniform(a, b, x.shape))


def normal_(t: Tensor, mean: float = 0.0, std: float = 1.0, rng: RngLike = None) -> Tensor:
    """Fill with N(mean, std²) (``std`` is the standard deviation)."""
    x = _check(t, "normal_")
    if not std >= 0:
        raise ValueError(f"normal_: std must be >= 0, got {std}")
    return _fill(t, as_generator(rng).normal(mean, std, x.shape))


def constant_(t: Tensor, value: float) -> Tensor:
    """Fill with ``value``."""
    _check(t, "constant_")
    return _fill(t, np.asarray(value))


def zeros_(t: Tensor) -> Tensor:
    """Fill with 0."""
    return constant_(t, 0.0)


def ones_(t: Tensor) -> Tensor:
    """Fill with 1."""
    return constant_(t, 1.0)


def xavier_uniform_(t: Tensor, gain: float = 1.0, rng: RngLike = None) -> Tensor:
    """Glorot/Xavier uniform: U(-a, a) with a = gain · √(6 / (fan_in + fan_out))."""
    fan_in, fan_out = calculate_fans(_check(t, "xavier_uniform_").shape)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(t, -bound, bound, rng)


def xavier_normal_(t: Tensor, gain: float = 1.0, rng: RngLike = None) -> Tensor:
    """Glorot/Xavier normal: N(0, σ²) with σ = gain · √(2 / (fan_in + fan_out))."""
    fan_in, fan_out = calculate_fans(_check(t, "xavier_normal_").shape)
    return normal_(t, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), rng)


def _kaiming_std(t: Tensor, fn: str, a: float, mode: str, nonlinearity: str) -> float:
    if mode not in _MODES:
        raise ValueError(f"{fn}: mode must be one of {_MODES}, got {mode!r}")
    fan_in, fan_out = calculate_fans(_check(t, fn).shape)
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(
    t: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    rng: RngLike = None,
) -> Tensor:
    """He/Kaiming uniform: U(-b, b) with b = gain · √(3 / fan); with the defaults (a = 0)
    gain = √2, so b = √(6 / fan_in), suited to ReLU layers."""
    std = _kaiming_std(t, "kaiming_uniform_", a, mode, nonlinearity)
    bound = math.sqrt(3.0) * std
    return uniform_(t, -bound, bound, rng)


def kaiming_normal_(
    t: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    rng: RngLike = None,
) -> Tensor:
    """He/Kaiming normal: N(0, σ²) with σ = gain / √fan (σ = √(2 / fan_in) with the defaults)."""
    return normal_(t, 0.0, _kaiming_std(t, "kaiming_normal_", a, mode, nonlinearity), rng)


glorot_uniform_ = xavier_uniform_
glorot_normal_ = xavier_normal_
he_uniform_ = kaiming_uniform_
he_normal_ = kaiming_normal_
