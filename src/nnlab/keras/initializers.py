"""Keras weight initializers (``keras.initializers``): Keras 3's names, arguments and formulas.

An initializer is called as ``init(shape, dtype=None, rng=None)`` and returns a new NumPy array
(float32 unless ``dtype`` says otherwise). The random ones draw from, in this order: their own
``seed`` (an int: every call then returns the same values, as in Keras 3), the generator ``rng``
the layer passes (its ``self.rng``), or else fresh entropy.

For a kernel of shape (..., fan_in', fan_out') with receptive field r (the product of the
leading dimensions, 1 for a Dense kernel): fan_in = r·fan_in', fan_out = r·fan_out'.
``VarianceScaling(scale, mode, distribution)`` draws with variance σ² = scale / n, n = fan_in,
fan_out or their mean (``mode``):

- ``truncated_normal``: N(0, σ'²) cut at ±2σ', σ' = σ / 0.8796 (so the cut draws keep σ²);
- ``untruncated_normal``: N(0, σ²);   ``uniform``: U(-√(3σ²), √(3σ²)).

glorot = fan_avg, lecun = fan_in with scale 1, he = fan_in with scale 2; ``_normal`` variants
are truncated. Also ``RandomNormal(0, 0.05)``, ``TruncatedNormal(0, 0.05)``,
``RandomUniform(-0.05, 0.05)``, ``Orthogonal(gain)`` (Q of the QR of a Gaussian matrix, signs
fixed by R's diagonal), ``Identity(gain)``, ``Constant(value)``, ``Zeros``, ``Ones``.
"""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = [
    "INITIALIZERS",
    "Constant",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "Identity",
    "Initializer",
    "LecunNormal",
    "LecunUniform",
    "Ones",
    "Orthogonal",
    "RandomNormal",
    "RandomUniform",
    "TruncatedNormal",
    "VarianceScaling",
    "Zeros",
    "compute_fans",
    "deserialize",
    "get",
    "initialize",
    "resolve_name",
    "serialize",
]

_TRUNC_STD = 0.87962566103423978  # std of N(0, 1) truncated to [-2, 2]

Shape = tuple[int, ...]


def _dtype(dtype: Any) -> np.dtype[Any]:
    dt = np.dtype("float32" if dtype is None else dtype)
    if dt.kind != "f":
        raise ValueError(f"initializer: expected a floating-point dtype, got {dt}")
    return dt


def compute_fans(
    shape: Sequence[int],
    input_axes: Sequence[int] | None = None,
    output_axes: Sequence[int] | None = None,
) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of ``shape`` (see the module docstring)."""
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return math.prod(shape[a] for a in input_axes), math.prod(shape[a] for a in output_axes)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


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


class RandomInitializer(Initializer):
    """An initializer that draws random numbers (``seed``: int, or None)."""

    def __init__(self, seed: int | None = None) -> None:
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ValueError(f"{type(self).__name__}: `seed` must be an integer, got {seed!r}")
        self.seed = seed

    def _rng(self, rng: np.random.Generator | None) -> np.random.Generator:
        if self.seed is not None:
            return np.random.default_rng(self.seed)
        return rng if rng is not None else np.random.default_rng()

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


def _truncated_normal(shape: Shape, std: float, rng: np.random.Generator) -> np.ndarray:
    """N(0, std²) restricted to [-2 std, 2 std] by redrawing the samples outside (float64)."""
    out = rng.standard_normal(shape)
    bad = np.abs(out) > 2
    while bad.any():
        out[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(out) > 2
    return out * std


class RandomNormal(RandomInitializer):
    """N(mean, stddev²)."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(
        self, shape: Sequence[int], dtype: Any = None, rng: np.random.Generator | None = None
    ) -> np.ndarray:
        draw = self._rng(rng).normal(self.mean, self.stddev, size=tuple(shape))
        return draw.astype(_dtype(dtype))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomNormal):
    """N(mean, stddev²) cut at mean ± 2 stddev (outside draws are redrawn)."""

    def __call__(
        self, shape: Sequence[int], dtype: Any = None, rng: np.random.Generator | None = None
    ) -> np.ndarray:
        draw = _truncated_normal(tuple(shape), self.stddev, self._rng(rng)) + self.mean
        return draw.astype(_dtype(dtype))


class RandomUniform(RandomInitializer):
    """U(minval, maxval)."""

    def __init__(
        self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None
    ) -> None:
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(
        self, shape: Sequence[int], dtype: Any = None, rng: np.random.Generator | None = None
    ) -> np.ndarray:
        draw = self._rng(rng).uniform(self.minval, self.maxval, size=tuple(shape))
        return draw.astype(_dtype(dtype))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


class VarianceScaling(RandomInitializer):
    """Variance scale / n (n = fan_in, fan_out or their mean); see the module docstring."""

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed: int | None = None,
        input_axes: Sequence[int] | None = None,
        output_axes: Sequence[int] | None = None,
    ) -> None:
        super().__init__(seed)
        if not scale > 0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        modes = ("fan_in", "fan_out", "fan_avg")
        if mode not in modes:
            raise ValueError(f"Invalid `mode` argument: {mode!r}. Please use one of {modes}")
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        kinds = ("uniform", "truncated_normal", "untruncated_normal")
        if distribution not in kinds:
            raise ValueError(
                f"Invalid `distribution` argument: {distribution!r}. Please use one of {kinds}"
            )
        self.scale, self.mode, self.distribution = scale, mode, distribution
        self.input_axes, self.output_axes = input_axes, output_axes

    def variance(self, shape: Sequence[int]) -> float:
        """σ² = scale / n for a weight of ``shape``."""
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        return self.scale / max(1.0, n)

    def __call__(
        self, shape: Sequence[int], dtype: Any = None, rng: np.random.Generator | None = None
    ) -> np.ndarray:
        shape, gen = tuple(shape), self._rng(rng)
        variance = self.variance(shape)
        if self.distribution == "truncated_normal":
            draw = _truncated_normal(shape, math.sqrt(variance) / _TRUNC_STD, gen)
        elif self.distribution == "untruncated_normal":
            draw = gen.normal(0.0, math.sqrt(variance), size=shape)
        else:
            limit = math.sqrt(3.0 * variance)
            draw = gen.uniform(-limit, limit, size=shape)
        return draw.astype(_dtype(dtype))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


class _Preset(VarianceScaling):
    """A named VarianceScaling (GlorotUniform, HeNormal, ...): its config is only the seed."""

    _args: tuple[float, str, str]  # scale, mode, distribution

    def __init__(
        self,
        seed: int | None = None,
        input_axes: Sequence[int] | None = None,
        output_axes: Sequence[int] | None = None,
    ) -> None:
        super().__init__(*self._args, seed=seed, input_axes=input_axes, output_axes=output_axes)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed, "input_axes": self.input_axes, "output_axes": self.output_axes}


class GlorotUniform(_Preset):
    """U(±√(6 / (fan_in + fan_out))) (Glorot & Bengio, 2010); the Dense default."""

    _args = (1.0, "fan_avg", "uniform")


class GlorotNormal(_Preset):
    """Truncated normal with variance 2 / (fan_in + fan_out)."""

    _args = (1.0, "fan_avg", "truncated_normal")


class LecunUniform(_Preset):
    """U(±√(3 / fan_in))."""

    _args = (1.0, "fan_in", "uniform")


class LecunNormal(_Preset):
    """Truncated normal with variance 1 / fan_in."""

    _args = (1.0, "fan_in", "truncated_normal")


class HeUniform(_Preset):
    """U(±√(6 / fan_in)) (He et al., 2015)."""

    _args = (2.0, "fan_in", "uniform")


class HeNormal(_Preset):
    """Truncated normal with variance 2 / fan_in."""

    _args = (2.0, "fan_in", "truncated_normal")


class Orthogonal(RandomInitializer):
    """gain · Q, Q from the QR decomposition of a Gaussian matrix (rows = product of all but the
    last dimension, columns = the last), with Q's columns multiplied by sign(diag R) so that Q is
    uniformly (Haar) distributed; transposed when there are fewer rows than columns."""

    def __init__(self, gain: float = 1.0, seed: int | None = None) -> None:
        super().__init__(seed)
        self.gain = gain

    def __call__(
        self, shape: Sequence[int], dtype: Any = None, rng: np.random.Generator | None = None
    ) -> np.ndarray:
        shape = tuple(shape)
        if len(shape) < 2:
            raise ValueError(
                "The tensor to initialize must be at least two-dimensional. Received: "
                f"shape={shape} of rank {len(shape)}."
            )
        rows, cols = math.prod(shape[:-1]), shape[-1]
        a = self._rng(rng).standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q *= np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return (self.gain * q.reshape(shape)).astype(_dtype(dtype))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "gain": self.gain}


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


_CLASSES: tuple[type[Initializer], ...] = (
    Constant,
    Zeros,
    Ones,
    Identity,
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    Orthogonal,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


#: Every name ``get`` accepts (class names, their snake_case forms, Keras's aliases) -> class.
ALL_OBJECTS: dict[str, type[Initializer]] = {
    **{cls.__name__: cls for cls in _CLASSES},
    **{_snake(cls.__name__): cls for cls in _CLASSES},
    "IdentityInitializer": Identity,
    "OrthogonalInitializer": Orthogonal,
    "normal": RandomNormal,
    "uniform": RandomUniform,
    "one": Ones,
    "zero": Zeros,
}


def serialize(initializer: Initializer) -> dict[str, Any]:
    """Keras's serialized form: ``{"module", "class_name", "config", "registered_name"}``."""
    return {
        "module": "keras.initializers",
        "class_name": type(initializer).__name__,
        "config": initializer.get_config(),
        "registered_name": None,
    }


def deserialize(
    config: dict[str, Any], custom_objects: dict[str, Any] | None = None
) -> Initializer:
    """The initializer a ``serialize`` dict describes."""
    known: dict[str, Any] = {**ALL_OBJECTS, **(custom_objects or {})}
    name = config.get("class_name") if isinstance(config, dict) else None
    if name not in known:
        raise ValueError(
            f"initializers: unknown initializer {name!r}; expected one of {sorted(ALL_OBJECTS)}"
        )
    return known[str(name)].from_config(dict(config.get("config") or {}))


InitializerLike = Initializer | Callable[..., np.ndarray]


def get(identifier: Any, where: str = "initializers.get") -> InitializerLike | None:
    """An initializer from None (returned as is), a name (``"glorot_uniform"``,
    ``"GlorotUniform"``, ``"he_normal"``, ...), a config dict, a class, an instance or any
    callable ``(shape, dtype=None) -> array``, or an array (returned for its own shape)."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = ALL_OBJECTS.get(identifier)
        if cls is None:
            raise ValueError(
                f"{where}: unknown initializer {identifier!r}; expected one of "
                f"{sorted(k for k in ALL_OBJECTS if k.islower())} (or a class name)"
            )
        return cls()
    if isinstance(identifier, np.ndarray):
        return _FromArray(identifier)
    if inspect.isclass(identifier) and issubclass(identifier, Initializer):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"{where}: could not interpret initializer identifier: {identifier!r}")


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


# ------------------------------------------------------------------ the first version's API
# (the layers call these until they switch to ``get(spec)(shape, dtype, rng=self.rng)``)


#: Lower-case name -> function (shape, rng) -> float32 array.
def _by_name(cls: type[Initializer]) -> Callable[[Shape, np.random.Generator], np.ndarray]:
    return lambda shape, rng: cls()(shape, rng=rng)


INITIALIZERS: dict[str, Callable[[Shape, np.random.Generator], np.ndarray]] = {
    name: _by_name(cls) for name, cls in ALL_OBJECTS.items() if name.islower()
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
