"""nnlab.keras models <-> Keras 3's serialized configs (the ``config.json`` of a file).

Keras 3 serializes an object as ``{"module", "class_name", "config", "registered_name"}``, layers
with a ``"build_config": {"input_shape": [...]}``. nnlab's layers and models already produce
Keras 3's configs (``get_config()``) and rebuild from them (``from_config``); this module is the
one place that reads models for saving, only through their public seams: ``model.layers``,
``model.name``, ``model.input_shape``, ``model.get_config()``, ``model.trainable_weights``,
``get_weights``/``set_weights`` and the class names.

Writing names nested objects by Keras's modules (``keras.initializers``, not
``nnlab.keras.initializers``): Keras imports a module a file names, so an ``nnlab`` module would
either fail there or load nnlab's class into Keras.

Reading follows Keras's ``safe_mode``, before anything is built: every serialized object in the
config (layers, initializers, regularizers, dtype policies, ...) must be a Keras built-in (module
``keras...``, no custom ``registered_name``) or a custom object the loading program made known
(``register_keras_serializable``, ``custom_objects=``, ``custom_object_scope``: see
``object_registration``), every layer class one nnlab has or such a custom one (looked up by
name, never imported from the ``module`` a file names); a ``Lambda`` layer or an unknown
serialized Python function is refused with a ``ValueError``. Only float32 layers load.

Weights live in ``model.weights.h5`` under ``layers/<path>/vars/<i>``: ``<path>`` is the
snake_case class name made unique in the order of ``model.layers`` (``dense``, ``dense_1``,
``dropout``), as Keras addresses them (not by layer name); ``<i>`` the index in
``get_weights()``.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "as_keras",
    "check_builtin",
    "check_safe",
    "custom_object",
    "deserialize_model",
    "input_shape",
    "layer_entries",
    "layer_paths",
    "model_layers",
    "serialize_model",
    "trainable_params",
]

Shape = tuple[int | None, ...]  # an input or output shape; None: the batch axis
Serialized = dict[str, Any]

MODEL_CLASSES = ("Sequential", "Functional", "Model")


def keras_object(module: str, class_name: str, config: dict[str, Any]) -> Serialized:
    """Keras 3's serialized form of a built-in object."""
    return {"module": module, "class_name": class_name, "config": config, "registered_name": None}


def snake_case(class_name: str) -> str:
    """Keras's ``to_snake_case``: 'Dense' -> 'dense', 'Conv2D' -> 'conv2d',
    'BatchNormalization' -> 'batch_normalization', 'MaxPooling2D' -> 'max_pooling2d'."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


# ------------------------------------------------------------------------------ model seams
def model_layers(model: Any) -> list[Any]:
    """The layers whose weights a file stores, in Keras's order: ``model.layers`` (a Sequential
    model's without its input layer, a functional model's with them)."""
    return list(model.layers)


def input_shape(model: Any) -> Shape | None:
    """The model's input shape with the batch axis (None), or None when not yet known."""
    shape = getattr(model, "input_shape", None)
    return tuple(shape) if isinstance(shape, tuple | list) else None


def trainable_params(model: Any) -> list[Any]:
    """The weights the optimizer updates, in ``get_weights`` order (its slots follow them)."""
    return list(model.trainable_weights)


def layer_paths(model_or_classes: Any) -> list[str]:
    """Keras's HDF5 group of each layer: 'layers/<snake_case class, made unique>'; from a model
    or from a list of class names."""
    if isinstance(model_or_classes, list):
        names = model_or_classes
    else:
        names = [type(layer).__name__ for layer in model_layers(model_or_classes)]
    used: dict[str, int] = {}
    paths = []
    for cls in names:
        name = snake_case(cls)
        if name in used:
            used[name] += 1
            name = f"{name}_{used[name]}"
        else:
            used[name] = 0
        paths.append(f"layers/{name}")
    return paths


# ---------------------------------------------------------------------------------- writing
def as_keras(value: Any) -> Any:
    """``value`` with every nested object's module named as Keras names it."""
    if isinstance(value, list | tuple):
        return [as_keras(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: as_keras(v) for k, v in value.items()}
    module = out.get("module")
    if isinstance(module, str) and module.startswith("nnlab.keras"):
        out["module"] = "keras" + module[len("nnlab.keras") :]
    if "class_name" in out and "config" in out:
        out.setdefault("registered_name", None)
    return out


def serialize_model(model: Any) -> Serialized:
    """The model's Keras 3 entry (``compile_config`` is added by the caller)."""
    cls = type(model).__name__
    if cls not in MODEL_CLASSES:
        raise ValueError(
            f"save: a subclassed model ({cls}) holds Python code in its call(); save its weights "
            "with save_weights, or build it as a Sequential or functional model"
        )
    entry = keras_object("keras", cls, as_keras(model.get_config()))
    if cls != "Sequential":  # Keras 3 names its functional model class by its source module
        entry.update(module="keras.src.models.functional", class_name="Functional")
        entry["registered_name"] = "Functional"
    shape = input_shape(model)
    if shape is not None:
        entry["build_config"] = {"input_shape": list(shape)}
    return entry


# ---------------------------------------------------------------------------------- reading
def check_builtin(value: Any, module: str) -> None:
    """A Keras built-in serialized object, not a custom, registered or code-carrying one."""
    if not isinstance(value, dict) or not isinstance(value.get("class_name"), str):
        raise ValueError(f"expected a serialized Keras object, got {str(value)[:80]}")
    cls, registered = value["class_name"], value.get("registered_name")
    if cls == "function" and custom_object(value) is not None:
        return  # a function the program registered (register_keras_serializable)
    if cls in ("__lambda__", "function") or "function_type" in value:
        raise ValueError(
            "a serialized Python function is refused (nnlab never runs code from a file, as "
            "Keras's safe_mode)"
        )
    if cls == "Lambda":
        raise ValueError(
            "a Lambda layer holds Python code; nnlab never runs code from a file (Keras's "
            "safe_mode): rebuild the model in code and load its weights with load_weights"
        )
    if custom_object(value) is not None:  # registered by the program, or in custom_objects
        return
    found_module = value.get("module")
    if found_module is None:
        found_module = module
    if registered not in (None, cls) or not str(found_module).startswith("keras"):
        raise ValueError(
            f"custom object {cls!r} (module {value.get('module')!r}, registered as "
            f"{registered!r}) is not a Keras built-in; nnlab cannot rebuild it"
        )


def custom_object(value: dict[str, Any]) -> Any:
    """The user's class or function a serialized entry names, when the loading program made it
    known (``register_keras_serializable``, ``custom_objects=``, ``custom_object_scope``); else
    None. Nothing is ever imported from the module a file names."""
    from .object_registration import lookup

    if value.get("class_name") == "function":
        return lookup(value.get("config"))
    return lookup(value.get("class_name"), value.get("registered_name"))


def check_safe(value: Any, module: str = "keras") -> None:
    """Every serialized object inside ``value`` is a Keras built-in (see :func:`check_builtin`);
    a dtype, where given, is float32."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            if "class_name" in item and ("config" in item or "module" in item):
                check_builtin(item, module)
            if "function_type" in item:
                check_builtin(item, module)
            _check_dtype(item.get("dtype"))
            stack.extend(item.values())


def _check_dtype(value: Any) -> None:
    if isinstance(value, dict):
        value = (value.get("config") or {}).get("name")
    if value not in (None, "float32"):
        raise ValueError(f"dtype {value!r} is not supported (nnlab.keras layers are float32)")


def _layer_classes() -> set[str]:
    from .. import layers

    return {
        name
        for name in getattr(layers, "__all__", dir(layers))
        if isinstance(getattr(layers, name, None), type)
        and issubclass(getattr(layers, name), layers.Layer)
        and name not in ("Layer", "Lambda")
    }


def layer_entries(entry: Any) -> tuple[str, list[dict[str, Any]]]:
    """(model class, its layer entries) of a serialized model, every layer class checked to be
    one nnlab has; ValueError naming the first that is not."""
    if not isinstance(entry, dict) or not isinstance(entry.get("config"), dict):
        raise ValueError("the model entry must be an object with a 'config' object")
    cls = entry.get("class_name")
    if cls not in MODEL_CLASSES:
        raise ValueError(
            f"model class {str(cls)[:40]!r} is not supported; expected {MODEL_CLASSES}"
        )
    entries = entry["config"].get("layers")
    if not isinstance(entries, list):
        raise ValueError(f"{cls} config: 'layers' must be a list")
    from ..ops import OPERATIONS

    known = _layer_classes()
    for e in entries:
        if not isinstance(e, dict) or not isinstance(e.get("config"), dict):
            raise ValueError(f"each layer entry needs a 'config' object, got {str(e)[:60]}")
        name = e.get("class_name")
        if str(e.get("module") or "").startswith("keras.src.ops") and name in OPERATIONS:
            continue  # a keras.ops operation of a functional graph (Add, GetItem, ...)
        if name not in known and custom_object(e) is None:
            raise ValueError(
                f"layer class {str(name)[:40]!r} is not supported by nnlab.keras; supported: "
                f"{sorted(known)}"
            )
    return str(cls), entries


def deserialize_model(entry: dict[str, Any]) -> Any:
    """The model a checked entry describes, built by nnlab's own ``from_config``."""
    from ..models.cloning import deserialize_layer

    try:
        return deserialize_layer({k: entry[k] for k in ("class_name", "config") if k in entry})
    except (TypeError, KeyError, AttributeError, NotImplementedError, RecursionError) as err:
        raise ValueError(f"the model config cannot be rebuilt: {err}") from None
