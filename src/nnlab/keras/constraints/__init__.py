"""``keras.constraints``: weight constraints (Keras 3's names, defaults and configs).

    Dense(4, kernel_constraint="non_neg")                        # by name
    Dense(4, kernel_constraint=constraints.MaxNorm(3.0))         # an object
    Dense(4, kernel_constraint=lambda w: w / 2)                  # any callable w -> w

The optimizer applies a weight's constraint after each update (``variable.constraint``).
``get`` resolves None, names ('non_neg', 'max_norm', 'unit_norm', 'min_max_norm' or the class
names), serialized dicts, classes and callables; ``serialize``/``deserialize`` give and read
Keras's ``{"module", "class_name", "config", "registered_name"}`` form.
"""

from __future__ import annotations

import inspect
from typing import Any

from ..utils import snake_case
from .constraints import Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm

__all__ = [
    "Constraint",
    "MaxNorm",
    "MinMaxNorm",
    "NonNeg",
    "UnitNorm",
    "deserialize",
    "get",
    "max_norm",
    "min_max_norm",
    "non_neg",
    "serialize",
    "unit_norm",
]

# Keras's lower-case aliases are the classes themselves
max_norm, min_max_norm, non_neg, unit_norm = MaxNorm, MinMaxNorm, NonNeg, UnitNorm

_CLASSES = (Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm)
ALL_OBJECTS: dict[str, type[Constraint]] = {
    **{cls.__name__: cls for cls in _CLASSES},
    **{snake_case(cls.__name__): cls for cls in _CLASSES},
}


def serialize(constraint: Any) -> Any:
    """Keras's serialized form of a constraint (None stays None)."""
    if constraint is None:
        return None
    from ..saving.object_registration import get_registered_name

    cls = type(constraint)
    builtin = cls in _CLASSES
    return {
        "module": "keras.constraints" if builtin else cls.__module__,
        "class_name": cls.__name__,
        "config": constraint.get_config(),
        "registered_name": None if builtin else get_registered_name(cls),
    }


def deserialize(config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Any:
    """The constraint a ``serialize`` dict describes (custom classes from ``custom_objects``
    or the registry of ``keras.saving.register_keras_serializable``)."""
    from ..saving.object_registration import get_registered_object

    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            f"constraints.deserialize: expected a serialized constraint, got {config!r}"
        )
    name = str(config["class_name"])
    cls = (custom_objects or {}).get(name) or ALL_OBJECTS.get(name)
    if cls is None:
        cls = get_registered_object(config.get("registered_name") or name, custom_objects)
    if cls is None:
        raise ValueError(
            f"constraints: unknown constraint {name!r}; expected one of {sorted(ALL_OBJECTS)} or "
            "a class registered with keras.saving.register_keras_serializable"
        )
    return cls.from_config(dict(config.get("config") or {}))


def get(identifier: Any) -> Any:
    """A constraint from None (returned as is), a name, a serialized dict, a class (made with
    its defaults) or a callable (returned as is)."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj: Any = deserialize(identifier)
    elif isinstance(identifier, str):  # a built-in's name, or a registered "package>name"
        from ..saving.object_registration import get_registered_object

        obj = ALL_OBJECTS.get(identifier) or get_registered_object(identifier)
    else:
        obj = identifier
    if callable(obj):
        return obj() if inspect.isclass(obj) else obj
    raise ValueError(f"Could not interpret constraint identifier: {identifier}")
