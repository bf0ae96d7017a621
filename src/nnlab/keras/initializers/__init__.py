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
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from .constant_initializers import Constant, Identity, Ones, Zeros, _FromArray
from .initializer import Initializer
from .random_initializers import (
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
    compute_fans,
)

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
    "IdentityInitializer",
    "OrthogonalInitializer",
    "constant",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "identity",
    "lecun_normal",
    "lecun_uniform",
    "ones",
    "orthogonal",
    "random_normal",
    "random_uniform",
    "truncated_normal",
    "variance_scaling",
    "zeros",
    "compute_fans",
    "deserialize",
    "get",
    "serialize",
]

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

# Keras's other public names of the classes (keras.initializers.glorot_uniform is GlorotUniform)
IdentityInitializer, OrthogonalInitializer = Identity, Orthogonal
constant, zeros, ones, identity = Constant, Zeros, Ones, Identity
glorot_normal, glorot_uniform, he_normal, he_uniform = (
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
)
lecun_normal, lecun_uniform, orthogonal = LecunNormal, LecunUniform, Orthogonal
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
variance_scaling = VarianceScaling

#: The snake-case names (Keras's string identifiers: 'glorot_uniform', 'he_normal', ...) -> class.
INITIALIZERS: dict[str, type[Initializer]] = {
    name: cls for name, cls in ALL_OBJECTS.items() if name.islower()
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
                f"Could not interpret initializer identifier: {identifier} (unknown initializer "
                f"{identifier!r}; expected one of "
                f"{', '.join(sorted(k for k in ALL_OBJECTS if k.islower()))} or a class name)"
            )
        return cls()
    if isinstance(identifier, np.ndarray):
        return _FromArray(identifier)
    if inspect.isclass(identifier) and issubclass(identifier, Initializer):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret initializer identifier: {identifier}")
