"""Keras weight initializers, by name, drawing from an explicit ``numpy.random.Generator``.

For a Dense kernel of shape (fan_in, fan_out):

- ``glorot_uniform`` (the Dense default): U(-l, l), l = sqrt(6 / (fan_in + fan_out));
- ``glorot_normal``: normal truncated at 2 standard deviations, std sqrt(2 / (fan_in + fan_out))
  (Keras divides by 0.87962566, the std of a standard normal truncated at ±2, so that the
  truncated draws keep that variance);
- ``he_uniform``: U(-l, l), l = sqrt(6 / fan_in); ``he_normal``: truncated normal, std
  sqrt(2 / fan_in) (same correction);
- ``random_normal``: N(0, 0.05²); ``random_uniform``: U(-0.05, 0.05); ``zeros``; ``ones``.

All arrays are float32.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["INITIALIZERS", "initialize", "resolve_name"]

_TRUNC_STD = 0.87962566103423978  # std of N(0, 1) truncated to [-2, 2]

Shape = tuple[int, ...]
Init = Callable[[Shape, np.random.Generator], np.ndarray]


def _fans(shape: Shape) -> tuple[int, int]:
    if len(shape) == 1:
        return shape[0], shape[0]
    return shape[0], shape[1]


def _truncated_normal(shape: Shape, std: float, rng: np.random.Generator) -> np.ndarray:
    """N(0, std²) restricted to [-2 std, 2 std] by redrawing the samples outside."""
    out = rng.standard_normal(shape)
    bad = np.abs(out) > 2
    while bad.any():
        out[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(out) > 2
    return (out * std).astype(np.float32)


def _uniform(shape: Shape, limit: float, rng: np.random.Generator) -> np.ndarray:
    return rng.uniform(-limit, limit, size=shape).astype(np.float32)


def glorot_uniform(shape: Shape, rng: np.random.Generator) -> np.ndarray:
    fan_in, fan_out = _fans(shape)
    return _uniform(shape, float(np.sqrt(6.0 / (fan_in + fan_out))), rng)


def glorot_normal(shape: Shape, rng: np.random.Generator) -> np.ndarray:
    fan_in, fan_out = _fans(shape)
    return _truncated_normal(shape, float(np.sqrt(2.0 / (fan_in + fan_out))) / _TRUNC_STD, rng)


def he_uniform(shape: Shape, rng: np.random.Generator) -> np.ndarray:
    return _uniform(shape, float(np.sqrt(6.0 / _fans(shape)[0])), rng)


def he_normal(shape: Shape, rng: np.random.Generator) -> np.ndarray:
    return _truncated_normal(shape, float(np.sqrt(2.0 / _fans(shape)[0])) / _TRUNC_STD, rng)


def random_normal(shape: Shape, rng: np.random.Generator) -> np.ndarray:
    return (rng.standard_normal(shape) * 0.05).astype(np.float32)


def random_uniform(shape: Shape, rng: np.random.Generator) -> np.ndarray:
    return _uniform(shape, 0.05, rng)


def zeros(shape: Shape, rng: np.random.Generator) -> np.ndarray:
    return np.zeros(shape, dtype=np.float32)


def ones(shape: Shape, rng: np.random.Generator) -> np.ndarray:
    return np.ones(shape, dtype=np.float32)


#: Initializer name -> function (shape, rng) -> float32 array.
INITIALIZERS: dict[str, Init] = {
    "glorot_uniform": glorot_uniform,
    "glorot_normal": glorot_normal,
    "he_uniform": he_uniform,
    "he_normal": he_normal,
    "random_normal": random_normal,
    "random_uniform": random_uniform,
    "zeros": zeros,
    "ones": ones,
}


def resolve_name(name: str, where: str) -> str:
    """Check an initializer name; ValueError naming ``where`` and the valid names otherwise."""
    if not isinstance(name, str) or name.lower() not in INITIALIZERS:
        raise ValueError(
            f"{where}: unknown initializer {name!r}; expected one of {sorted(INITIALIZERS)}"
        )
    return name.lower()


def initialize(name: str, shape: Shape, rng: np.random.Generator) -> np.ndarray:
    """A new float32 array of ``shape`` drawn by the initializer ``name``."""
    return INITIALIZERS[resolve_name(name, "initializer")](shape, rng)
