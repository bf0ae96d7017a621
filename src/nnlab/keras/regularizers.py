"""Weight penalties added to the training loss (``keras.regularizers``), Keras 3's classes.

    L1(l1)(W)   = l1 · Σ|W|                  (default l1 = 0.01)
    L2(l2)(W)   = l2 · Σ W²                  (default l2 = 0.01; no factor ½, as in Keras)
    L1L2(l1, l2)(W) = l1 · Σ|W| + l2 · Σ W²  (defaults 0)
    OrthogonalRegularizer(factor, mode)(W) = factor · ½ Σ_{i≠j} |⟨ŵᵢ, ŵⱼ⟩| / (n(n - 1)/2)

where ŵᵢ are the rows (``mode="rows"``) or columns of the 2-D W scaled to unit length, n their
number: the mean absolute cosine between distinct rows, times factor / 2. ``l1``, ``l2`` and
``l1_l2`` are the lower-case names Keras exports. A regularizer takes the weight Tensor and
returns a scalar Tensor (differentiable), which the training loop adds to the loss.
"""

from __future__ import annotations

import inspect
import math
from typing import Any

import numpy as np

from nnlab.autograd import Tensor

__all__ = [
    "L1",
    "L1L2",
    "L2",
    "OrthogonalRegularizer",
    "Regularizer",
    "deserialize",
    "get",
    "l1",
    "l1_l2",
    "l2",
    "orthogonal_regularizer",
    "serialize",
]


def _factor(name: str, value: Any) -> float:
    """A penalty factor: a finite number >= 0 (ValueError naming it otherwise)."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float | np.integer | np.floating)
        or not math.isfinite(value)
        or value < 0
    ):
        raise ValueError(
            f"Invalid value for argument {name}: expected a non-negative float."
            f"Received: {name}={value}"
        )
    return float(value)


def _as_tensor(weight: Any) -> Tensor:
    return weight if isinstance(weight, Tensor) else Tensor(np.asarray(weight, dtype=np.float32))


class Regularizer:
    """Base class: ``regularizer(weight) -> scalar Tensor`` penalty; ``get_config``."""

    def __call__(self, weight: Tensor) -> Tensor:
        return (_as_tensor(weight) * 0.0).sum()

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(f"{self} does not implement get_config()")

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Regularizer:
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class L1L2(Regularizer):
    """penalty(W) = l1 · Σ|W| + l2 · Σ W²."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1 = _factor("l1", 0.0 if l1 is None else l1)
        self.l2 = _factor("l2", 0.0 if l2 is None else l2)

    def __call__(self, weight: Tensor) -> Tensor:
        w = _as_tensor(weight)
        terms = []
        if self.l1:
            terms.append(w.abs().sum() * self.l1)
        if self.l2:
            terms.append((w * w).sum() * self.l2)
        if not terms:
            return (w * 0.0).sum()
        return terms[0] if len(terms) == 1 else terms[0] + terms[1]

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """penalty(W) = l1 · Σ|W|."""

    def __init__(self, l1: float = 0.01) -> None:
        self.l1 = _factor("l1", 0.01 if l1 is None else l1)

    def __call__(self, weight: Tensor) -> Tensor:
        return _as_tensor(weight).abs().sum() * self.l1

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1}


class L2(Regularizer):
    """penalty(W) = l2 · Σ W²."""

    def __init__(self, l2: float = 0.01) -> None:
        self.l2 = _factor("l2", 0.01 if l2 is None else l2)

    def __call__(self, weight: Tensor) -> Tensor:
        w = _as_tensor(weight)
        return (w * w).sum() * self.l2

    def get_config(self) -> dict[str, Any]:
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (or columns) of a 2-D weight towards orthogonality; see the module
    docstring. Unit length: ŵ = w / max(‖w‖, 1e-7)."""

    def __init__(self, factor: float = 0.01, mode: str = "rows") -> None:
        self.factor = _factor("factor", factor)
        if mode not in ("rows", "columns"):
            raise ValueError(
                'Invalid value for argument `mode`. Expected one of {"rows", "columns"}. '
                f"Received: mode={mode}"
            )
        self.mode = mode

    def __call__(self, weight: Tensor) -> Tensor:
        w = _as_tensor(weight)
        if w.ndim != 2:
            raise ValueError(
                "Inputs to OrthogonalRegularizer must have rank 2. Received: "
                f"inputs.shape={w.shape}"
            )
        vectors = w if self.mode == "rows" else w.T  # one vector per row of `vectors`
        norms = (vectors * vectors).sum(axis=1, keepdims=True).clip(1e-14, None).sqrt()
        unit = vectors / norms
        n = unit.shape[0]
        cosines = unit @ unit.T
        off_diagonal = cosines * (1.0 - np.eye(n, dtype=w.dtype))
        pairs = n * (n - 1) / 2.0
        return off_diagonal.abs().sum() * (self.factor * 0.5 / pairs)

    def get_config(self) -> dict[str, Any]:
        return {"factor": self.factor, "mode": self.mode}


l1 = L1
l2 = L2
l1_l2 = L1L2
orthogonal_regularizer = OrthogonalRegularizer

_CLASSES: tuple[type[Regularizer], ...] = (L1, L2, L1L2, OrthogonalRegularizer)
#: Every name ``get`` accepts -> class (class names and Keras's snake_case names).
ALL_OBJECTS: dict[str, type[Regularizer]] = {
    **{cls.__name__: cls for cls in _CLASSES},
    "l1": L1,
    "l2": L2,
    "l1_l2": L1L2,
    "l1l2": L1L2,
    "orthogonal_regularizer": OrthogonalRegularizer,
}


#: The keys of each class's ``get_config()`` (a bare config dict names its class by them).
_CONFIG_KEYS: dict[type[Regularizer], set[str]] = {
    L1: {"l1"},
    L2: {"l2"},
    L1L2: {"l1", "l2"},
    OrthogonalRegularizer: {"factor", "mode"},
}


def serialize(regularizer: Regularizer) -> dict[str, Any]:
    """Keras's serialized form: ``{"module", "class_name", "config", "registered_name"}``."""
    return {
        "module": "keras.regularizers",
        "class_name": type(regularizer).__name__,
        "config": regularizer.get_config(),
        "registered_name": None,
    }


def deserialize(
    config: dict[str, Any], custom_objects: dict[str, Any] | None = None
) -> Regularizer:
    """The regularizer a ``serialize`` dict describes."""
    known: dict[str, Any] = {**ALL_OBJECTS, **(custom_objects or {})}
    name = config.get("class_name") if isinstance(config, dict) else None
    if name not in known:
        raise ValueError(
            f"regularizers: unknown regularizer {name!r}; expected one of {sorted(ALL_OBJECTS)}"
        )
    return known[str(name)].from_config(dict(config.get("config") or {}))


def get(identifier: Any, where: str = "regularizers.get") -> Any:
    """A regularizer from None (returned as is), a name (``"l1"``, ``"l2"``, ``"l1_l2"``,
    ``"L1"``, ...: Keras's defaults), a config dict (``serialize`` form, or a bare
    ``get_config()`` such as ``{"l1": ..., "l2": ...}``), a class, or a callable
    ``weight -> scalar Tensor``."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        if "class_name" in identifier:
            return deserialize(identifier)
        for cls, keys in _CONFIG_KEYS.items():  # a bare config: the class its keys belong to
            if identifier and set(identifier) <= keys:
                return cls(**identifier)
    elif isinstance(identifier, str):
        if identifier in ALL_OBJECTS:
            return ALL_OBJECTS[identifier]()
    elif inspect.isclass(identifier) and issubclass(identifier, Regularizer):
        return identifier()
    elif callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret regularizer identifier: {identifier} ({where}: expected None, a "
        "regularizer (e.g. keras.regularizers.L2(0.01)) or one of "
        f"{', '.join(sorted(ALL_OBJECTS))})"
    )
