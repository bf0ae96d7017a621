"""Configs of layers and models as Keras 3 writes them, ``clone_model`` and JSON.

A layer is described by ``{"module", "class_name", "config", "registered_name"}``; ``config`` is
its ``get_config()``. ``deserialize_layer`` looks the class up among nnlab.keras's layers and
models (and ``custom_objects``) and calls its ``from_config``.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

__all__ = [
    "clone_model",
    "deserialize_layer",
    "deserialize_value",
    "model_from_json",
    "serialize_layer",
    "serialize_model",
    "serialize_value",
]


def serialize_value(value: Any) -> Any:
    """A call argument as Keras 3 writes it in a node: slices as ``__slice__``, ``...`` as
    ``__ellipsis__``, arrays as ``__numpy__``, Tensors as ``__tensor__``, NumPy scalars as
    numbers."""
    from nnlab.autograd import Tensor

    if isinstance(value, slice):
        return {
            "class_name": "__slice__",
            "config": {
                "start": serialize_value(value.start),
                "stop": serialize_value(value.stop),
                "step": serialize_value(value.step),
            },
        }
    if value is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    if isinstance(value, Tensor):
        return {
            "class_name": "__tensor__",
            "config": {"value": value.data.tolist(), "dtype": value.dtype.name},
        }
    if isinstance(value, np.ndarray) and value.ndim > 0:
        return {
            "class_name": "__numpy__",
            "config": {"value": value.tolist(), "dtype": value.dtype.name},
        }
    if isinstance(value, np.generic | np.ndarray):
        return value.item()
    if isinstance(value, list | tuple):
        return [serialize_value(v) for v in value]
    return value


def deserialize_value(value: Any) -> Any:
    """The inverse of :func:`serialize_value` (plain values are returned as they are)."""
    from nnlab.autograd import Tensor

    if isinstance(value, list):
        return [deserialize_value(v) for v in value]
    if not isinstance(value, dict) or "class_name" not in value:
        return value
    kind, config = value["class_name"], value.get("config", {})
    if kind == "__slice__":
        return slice(*(deserialize_value(config.get(k)) for k in ("start", "stop", "step")))
    if kind == "__ellipsis__":
        return Ellipsis
    if kind == "__numpy__":
        return np.array(config["value"], dtype=config["dtype"])
    if kind == "__tensor__":
        return Tensor(np.array(config["value"], dtype=config["dtype"]))
    return value


def serialize_layer(layer: Any) -> dict[str, Any]:
    """Keras's description of a layer, a model or a ``keras.ops`` operation."""
    from ..layers import Layer
    from ..ops import Operation

    if isinstance(layer, Operation):
        return {
            "module": layer._module,
            "class_name": type(layer).__name__,
            "config": layer.get_config(),
            "registered_name": type(layer).__name__,
        }

    module = "keras.layers"
    from .model import Model

    if isinstance(layer, Model):
        module = "keras"
    out: dict[str, Any] = {
        "module": module,
        "class_name": type(layer).__name__,
        "config": layer.get_config(),
        "registered_name": None if _is_builtin(layer) else _registered_name(type(layer)),
    }
    shapes = getattr(layer, "_build_shapes_arg", None)
    if isinstance(layer, Layer) and shapes is not None and not isinstance(layer, Model):
        out["build_config"] = {"input_shape": shapes}
    return out


def serialize_model(model: Any) -> dict[str, Any]:
    return serialize_layer(model)


def _registered_name(cls: type) -> str:  # kvar: "package>name" of a registered class
    from ..saving.object_registration import get_registered_name

    return get_registered_name(cls)


def _is_builtin(layer: Any) -> bool:
    return type(layer).__module__.startswith("nnlab.keras")


def _registry(custom_objects: Any) -> dict[str, Any]:
    from .. import layers as layers_module
    from .functional import Functional
    from .model import Model
    from .sequential import Sequential

    table: dict[str, Any] = {
        name: getattr(layers_module, name)
        for name in layers_module.__all__
        if isinstance(getattr(layers_module, name), type)
    }
    table.update(Sequential=Sequential, Functional=Functional, Model=Model)
    table.update(custom_objects or {})
    return table


def deserialize_layer(spec: dict[str, Any], custom_objects: Any = None) -> Any:
    """The layer (or model) described by ``spec``."""
    if not isinstance(spec, dict) or "class_name" not in spec:
        raise ValueError(f"deserialize_layer: expected {{'class_name', 'config'}}, got {spec!r}")
    from ..ops import OPERATIONS

    module = str(spec.get("module") or "")
    if module.startswith("keras.src.ops") and spec["class_name"] in OPERATIONS:
        return OPERATIONS[spec["class_name"]].from_config(dict(spec.get("config", {})))
    table = _registry(custom_objects)
    name = spec.get("registered_name") or spec["class_name"]
    cls = table.get(name) or table.get(spec["class_name"])
    if cls is None:  # kvar: classes registered with keras.saving.register_keras_serializable
        from ..saving.object_registration import lookup

        cls = lookup(spec["class_name"], spec.get("registered_name"), custom_objects)
    if cls is None:
        raise ValueError(
            f"unknown layer class {spec['class_name']!r}; pass it in custom_objects="
            f"{{'{spec['class_name']}': {spec['class_name']}}}"
        )
    config = spec.get("config", {})
    try:
        return cls.from_config(config, custom_objects=custom_objects)
    except TypeError as err:
        if "custom_objects" not in str(err):
            raise
        layer = cls.from_config(config)
    build = spec.get("build_config")
    if build and not layer.built and build.get("input_shape") is not None:
        layer._build_shapes_arg = _tuples(build["input_shape"])
        layer.build(layer._build_shapes_arg)
        layer.built = True
    return layer


def _tuples(shape: Any) -> Any:
    if isinstance(shape, list | tuple) and all(d is None or isinstance(d, int) for d in shape):
        return tuple(shape)
    if isinstance(shape, dict):
        return {k: _tuples(v) for k, v in shape.items()}
    return [_tuples(s) for s in shape]


def model_from_json(json_string: str, custom_objects: Any = None) -> Any:
    """A new (untrained) model from ``model.to_json()``."""
    return deserialize_layer(json.loads(json_string), custom_objects)


def clone_model(model: Any, input_tensors: Any = None, clone_function: Any = None) -> Any:
    """A new model with the same architecture and freshly initialized weights (Keras's
    ``clone_model``); ``clone_function(layer)`` may replace how each layer is copied."""
    from .functional import Functional
    from .sequential import Sequential

    copy = clone_function or (lambda layer: type(layer).from_config(layer.get_config()))
    if isinstance(model, Sequential):
        clone = Sequential(name=model.name)
        if model._input_layer is not None:
            clone.add(type(model._input_layer).from_config(model._input_layer.get_config()))
        for layer in model.layers:
            clone.add(copy(layer))
        return clone
    if isinstance(model, Functional):
        return model._clone(copy, input_tensors)
    raise ValueError(
        "clone_model: only Sequential and functional models can be cloned (a subclassed "
        "model's call() is Python code); build a new instance instead"
    )
