"""The random initializers: ``RandomNormal``, ``TruncatedNormal``, ``RandomUniform``,
``VarianceScaling`` and its named forms (Glorot, He, Lecun; normal and uniform), ``Orthogonal``."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .initializer import Initializer, Shape, _dtype

_TRUNC_STD = 0.87962566103423978  # std of N(0, 1) truncated to [-2, 2]


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
