"""``keras.saving.serialize_keras_object`` / ``deserialize_keras_object``: any Keras object as
Keras 3's JSON-compatible description and back, as custom layers' ``get_config`` /
``from_config`` use them for the objects they hold::

    def get_config(self):
        return {**super().get_config(),
                "sublayer": keras.saving.serialize_keras_object(self.sublayer)}

    @classmethod
    def from_config(cls, config):
        config["sublayer"] = keras.saving.deserialize_keras_object(config["sublayer"])
        return cls(**config)

An object with ``get_config`` becomes ``{"module", "class_name", "config", "registered_name"}``
(a built layer also gets its ``build_config``); a function ``{"module": "builtins",
"class_name": "function", "config": name, "registered_name": "function"}`` where ``name`` is its
registered "package>name" when it has one; a NumPy array ``{"class_name": "__numpy__", ...}``, a
tensor ``{"class_name": "__tensor__", ...}`` (read back as a Tensor);
numbers, strings, None, lists, tuples and dicts stay what they are (their items serialized).

Reading finds a class or function among, in order, the active ``custom_object_scope``, the
objects registered with ``register_keras_serializable``, ``custom_objects=``, then nnlab.keras's
own (by the Keras module the description names). Nothing is imported from a module a
description names, and a serialized lambda is refused.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import numpy as np

from nnlab.autograd import Tensor

from .object_registration import get_registered_name, lookup

__all__ = ["deserialize_keras_object", "serialize_keras_object"]

# the nnlab.keras submodules a built-in description may name ("keras.initializers", ...)
_SUBMODULES = (
    "layers",
    "initializers",
    "regularizers",
    "constraints",
    "optimizers",
    "losses",
    "metrics",
    "activations",
    "callbacks",
)


def _public_module(cls: type) -> str:
    """Keras's module of an nnlab.keras class ('keras.initializers'); a user's class keeps its
    own module."""
    module = cls.__module__
    parts = module.split(".")
    if module.startswith("nnlab.keras.") and len(parts) > 2:
        if parts[2] == "optimizers" and len(parts) > 3 and parts[3] == "schedules":
            return "keras.optimizers.schedules"
        return "keras." + parts[2]
    return "keras" if module == "nnlab.keras" else module


def serialize_keras_object(obj: Any) -> Any:
    """Keras 3's description of ``obj`` (see the module docstring)."""
    if obj is None or isinstance(obj, bool | int | float | str):
        return obj
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, Tensor):
        return {
            "class_name": "__tensor__",
            "config": {"value": obj.data.tolist(), "dtype": obj.data.dtype.name},
        }
    if isinstance(obj, np.ndarray):
        if obj.ndim == 0:
            return obj.item()
        return {
            "class_name": "__numpy__",
            "config": {"value": obj.tolist(), "dtype": obj.dtype.name},
        }
    if isinstance(obj, list | tuple):
        return type(obj)(serialize_keras_object(v) for v in obj)
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if inspect.isfunction(obj) or inspect.isbuiltin(obj):
        return {
            "module": "builtins",
            "class_name": "function",
            "config": get_registered_name(obj),
            "registered_name": "function",
        }
    if hasattr(obj, "get_config") and not inspect.isclass(obj):
        from ..layers import Layer

        if isinstance(obj, Layer):
            from ..models.cloning import serialize_layer

            return serialize_layer(obj)
        cls = type(obj)
        builtin = cls.__module__.startswith("nnlab.keras")
        return {
            "module": _public_module(cls),
            "class_name": cls.__name__,
            "config": obj.get_config(),
            "registered_name": None if builtin else get_registered_name(cls),
        }
    raise TypeError(
        f"serialize_keras_object: cannot serialize {obj!r} (of type {type(obj).__name__}): "
        "expected a Keras object with get_config, a function, an array, a number, a string, "
        "None, or a list/tuple/dict of those"
    )


def _builtin(module: Any, class_name: str) -> Any:
    """nnlab.keras's class of that name, in the submodule the Keras ``module`` names first."""
    wanted = str(module or "").split(".")
    order = [m for m in _SUBMODULES if m in wanted] + list(_SUBMODULES)
    if module == "keras" or class_name in ("Sequential", "Functional", "Model"):
        from ..models.cloning import _registry

        found = _registry(None).get(class_name)
        if found is not None:
            return found
    for name in order:
        sub = importlib.import_module(f"nnlab.keras.{name}")
        found = getattr(sub, class_name, None)
        if inspect.isclass(found):
            return found
    from ..optimizers import schedules

    found = getattr(schedules, class_name, None)
    return found if inspect.isclass(found) else None


def _builtin_function(name: str) -> Any:
    from .. import activations, losses

    if name in activations.ACTIVATIONS:
        return activations.get(name)
    found = getattr(losses, name, None)
    return found if callable(found) and not inspect.isclass(found) else None


def deserialize_keras_object(
    config: Any, custom_objects: dict[str, Any] | None = None, safe_mode: bool = True, **kwargs: Any
) -> Any:
    """The object a ``serialize_keras_object`` description stands for (see the module
    docstring); ValueError naming a class or function nobody made known."""
    if config is None or isinstance(config, bool | int | float):
        return config
    if isinstance(config, str):
        found = lookup(config, None, custom_objects)
        return config if found is None else found
    if isinstance(config, list | tuple):
        return [deserialize_keras_object(v, custom_objects) for v in config]
    if not isinstance(config, dict):
        raise TypeError(f"Could not parse config: {config}")
    if "class_name" not in config or "config" not in config:
        return {k: deserialize_keras_object(v, custom_objects) for k, v in config.items()}
    class_name, inner = config["class_name"], config["config"]
    if class_name == "__tuple__":
        return tuple(deserialize_keras_object(v, custom_objects) for v in inner["value"])
    if class_name == "__numpy__":
        return np.array(inner["value"], dtype=inner["dtype"])
    if class_name == "__tensor__":
        return Tensor(np.array(inner["value"], dtype=inner["dtype"]))
    if class_name == "__lambda__" or "function_type" in config:
        raise ValueError(
            "Requested the deserialization of a Python lambda; nnlab never runs code from a "
            "config (Keras's safe_mode): register the function with "
            "keras.saving.register_keras_serializable instead"
        )
    if class_name == "function":
        fn = lookup(inner, None, custom_objects) or _builtin_function(str(inner))
        if fn is None:
            raise ValueError(
                f"Could not locate function '{inner}'. Make sure custom classes and functions "
                "are decorated with `@keras.saving.register_keras_serializable()`."
            )
        return fn
    registered = config.get("registered_name")
    cls = lookup(class_name, registered, custom_objects)
    if cls is None and (registered in (None, class_name) or str(config.get("module", "")) == ""):
        cls = _builtin(config.get("module"), str(class_name))
    if cls is None:
        raise ValueError(
            f"Could not locate class '{class_name}'. Make sure custom classes are decorated "
            "with `@keras.saving.register_keras_serializable()`. "
            f"Full object config: {config}"
        )
    from ..layers import Layer

    if inspect.isclass(cls) and issubclass(cls, Layer):
        from ..models.cloning import deserialize_layer

        return deserialize_layer({**config, "class_name": cls.__name__}, {cls.__name__: cls})
    return cls.from_config(inner)
