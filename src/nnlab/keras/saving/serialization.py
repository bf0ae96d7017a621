"""nnlab.keras models and layers <-> Keras 3's serialized configs (the ``config.json`` of a file).

Keras 3 serializes an object as ``{"module", "class_name", "config", "registered_name"}``, layers
with a ``"build_config": {"input_shape": [...]}``. This module is the one place that reads nnlab
models and layers to do that, and only through their public seams: ``model.layers``,
``model.name``, the input shape, ``layer.get_config()``, ``get_weights``/``set_weights`` and the
class names. Everything model-specific the rest of ``saving`` needs goes through the functions here.

Reading follows Keras's ``safe_mode``: a class is rebuilt only when it is one of nnlab's layers
(looked up by class name, never imported from the ``module`` a file names); a ``Lambda`` layer, a
serialized function or a custom (registered) object is refused with a ``ValueError``.

Weights live in ``model.weights.h5`` under ``layers/<path>/vars/<i>``, where ``<path>`` is the
snake_case class name made unique in layer order (``dense``, ``dense_1``, ``dropout``), as Keras
addresses them (not by layer name), ``<i>`` the index in ``get_weights()``.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .. import initializers, layers, regularizers

if TYPE_CHECKING:
    from ..models import Sequential

__all__ = [
    "deserialize_layer",
    "input_shape",
    "layer_paths",
    "model_layers",
    "trainable_params",
    "new_sequential",
    "serialize_model",
]

Shape = tuple[int | None, ...]  # an input or output shape; None: the batch axis
Serialized = dict[str, Any]

FLOAT32_POLICY: Serialized = {
    "module": "keras",
    "class_name": "DTypePolicy",
    "config": {"name": "float32"},
    "registered_name": None,
}


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
    """The layers whose weights a file stores, in order (no input layer)."""
    return [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]


def input_shape(model: Any) -> Shape | None:
    """The model's input shape with the batch axis (None), or None when not yet known."""
    shape = getattr(model, "input_shape", None)
    if isinstance(shape, tuple | list):
        return tuple(shape)
    dim = getattr(model, "input_dim", None)
    return None if dim is None else (None, int(dim))


def trainable_params(model: Any) -> list[Any]:
    """The weights the optimizer updates, in ``get_weights`` order (its slots follow them)."""
    found = getattr(model, "trainable_weights", None)
    if found is None:
        found = [p for layer in model_layers(model) for p in layer.parameters]
    return list(found)


def layer_paths(model_or_layers: Any) -> list[str]:
    """Keras's HDF5 group of each layer: 'layers/<snake_case class, made unique>'."""
    found = model_or_layers if isinstance(model_or_layers, list) else model_layers(model_or_layers)
    used: dict[str, int] = {}
    paths = []
    for layer in found:
        name = snake_case(layer if isinstance(layer, str) else type(layer).__name__)
        if name in used:
            used[name] += 1
            name = f"{name}_{used[name]}"
        else:
            used[name] = 0
        paths.append(f"layers/{name}")
    return paths


def new_sequential(name: str, built_layers: list[Any], shape: Shape | None) -> Sequential:
    """A Sequential model of ``built_layers`` for inputs of ``shape`` (batch axis included)."""
    from ..models import Sequential

    model = Sequential(name=name)
    if shape is not None:
        model.add(layers.Input(shape=tuple(shape[1:]), name=None))
    for layer in built_layers:
        model.add(layer)
    return model


# ------------------------------------------------------------------------ values, both ways
#: nnlab initializer name <-> Keras 3 class name (their configs at Keras defaults).
INITIALIZER_CLASSES = {
    "glorot_uniform": "GlorotUniform",
    "glorot_normal": "GlorotNormal",
    "he_uniform": "HeUniform",
    "he_normal": "HeNormal",
    "random_normal": "RandomNormal",
    "random_uniform": "RandomUniform",
    "zeros": "Zeros",
    "ones": "Ones",
}
_INITIALIZER_NAMES = {v: k for k, v in INITIALIZER_CLASSES.items()}
#: Keras's default configs of those initializers: only these are representable by name.
_INITIALIZER_DEFAULTS: dict[str, dict[str, Any]] = {
    "RandomNormal": {"mean": 0.0, "stddev": 0.05},
    "RandomUniform": {"minval": -0.05, "maxval": 0.05},
}


def _serialize_initializer(spec: Any) -> Any:
    if isinstance(spec, str) and spec in INITIALIZER_CLASSES:
        cls = INITIALIZER_CLASSES[spec]
        config = {"seed": None, **_INITIALIZER_DEFAULTS.get(cls, {})}
        return keras_object("keras.initializers", cls, {} if cls in ("Zeros", "Ones") else config)
    if isinstance(spec, dict) and "class_name" in spec:
        return keras_object("keras.initializers", spec["class_name"], spec.get("config", {}))
    get_config = getattr(spec, "get_config", None)
    if callable(get_config):
        return keras_object("keras.initializers", type(spec).__name__, get_config())
    raise ValueError(f"cannot store the initializer {spec!r} in a Keras file")


def _serialize_regularizer(spec: Any) -> Any:
    if spec is None:
        return None
    config = spec if isinstance(spec, dict) else spec.get_config()
    if "class_name" in config:
        return keras_object("keras.regularizers", config["class_name"], config["config"])
    l1, l2 = float(config.get("l1", 0.0)), float(config.get("l2", 0.0))
    if l1 and not l2:
        return keras_object("keras.regularizers", "L1", {"l1": l1})
    if l2 and not l1:
        return keras_object("keras.regularizers", "L2", {"l2": l2})
    return keras_object("keras.regularizers", "L1L2", {"l1": l1, "l2": l2})


def _deserialize_initializer(value: Any) -> Any:
    if isinstance(value, str):
        return value
    check_builtin(value, "keras.initializers")
    cls, config = value["class_name"], dict(value.get("config") or {})
    if config.get("seed") is None:
        config.pop("seed", None)
    for key in ("input_axes", "output_axes"):  # fan axes (Keras 3.12+); None: the defaults
        if config.get(key) is None:
            config.pop(key, None)
    if cls in _INITIALIZER_NAMES and config == _INITIALIZER_DEFAULTS.get(cls, {}):
        return _INITIALIZER_NAMES[cls]
    if hasattr(initializers, "get"):  # initializers that take configs
        return {"class_name": cls, "config": value.get("config") or {}}
    raise ValueError(
        f"initializer {cls} with {config} is not supported; supported: "
        f"{sorted(_INITIALIZER_NAMES)} with Keras's default arguments"
    )


def _deserialize_regularizer(value: Any) -> Any:
    if value is None:
        return None
    check_builtin(value, "keras.regularizers")
    cls, config = value["class_name"], value.get("config") or {}
    known = {"L1": ("l1",), "L2": ("l2",), "L1L2": ("l1", "l2")}
    if cls not in known or set(config) - set(known[cls]):
        raise ValueError(f"regularizer {cls} {config} is not supported; supported: {sorted(known)}")
    return regularizers.L1L2(**{k: float(config.get(k, 0.0)) for k in known[cls]})


def check_builtin(value: Any, module: str) -> None:
    """A Keras built-in serialized object, not a custom, registered or code-carrying one."""
    if not isinstance(value, dict) or not isinstance(value.get("class_name"), str):
        raise ValueError(f"expected a serialized Keras object, got {str(value)[:80]}")
    registered = value.get("registered_name")
    if value["class_name"] in ("__lambda__", "function") or "function_type" in value:
        raise ValueError(
            "a serialized Python function is refused (nnlab never runs code from a file, as "
            "Keras's safe_mode)"
        )
    if registered not in (None, value["class_name"]) or not str(
        value.get("module") or module
    ).startswith("keras"):
        raise ValueError(
            f"custom object {value['class_name']!r} (module {value.get('module')!r}, registered "
            f"as {registered!r}) is not a Keras built-in; nnlab cannot rebuild it"
        )


# ------------------------------------------------------------------------------ layers out
_NNLAB_ONLY_KEYS = ("input_dim", "input_shape")


def serialize_layer(layer: Any, shape: Shape | None) -> Serialized:
    """Keras 3's entry for ``layer``, with its build_config when the input ``shape`` is known."""
    cls = type(layer).__name__
    config: dict[str, Any] = {
        "name": layer.name,
        "trainable": bool(getattr(layer, "trainable", True)),
    }
    config["dtype"] = FLOAT32_POLICY
    for key, value in layer.get_config().items():
        if key in _NNLAB_ONLY_KEYS or key in ("name", "trainable", "dtype"):
            continue
        if key.endswith("_initializer"):
            value = _serialize_initializer(value)
        elif key.endswith("_regularizer"):
            value = _serialize_regularizer(value)
        elif isinstance(value, tuple):
            value = list(value)
        config[key] = value
    if cls == "Dense":
        config.setdefault("kernel_constraint", None)
        config.setdefault("bias_constraint", None)
    if cls == "Dropout":
        config.setdefault("noise_shape", None)
    entry = keras_object("keras.layers", cls, config)
    if shape is not None and getattr(layer, "built", True):
        entry["build_config"] = {"input_shape": list(shape)}
    return entry


def input_layer_entry(shape: Shape, name: str = "input_layer") -> Serialized:
    return keras_object(
        "keras.layers",
        "InputLayer",
        {
            "batch_shape": list(shape),
            "dtype": "float32",
            "sparse": False,
            "ragged": False,
            "name": name,
            "optional": False,
        },
    )


def serialize_model(model: Any) -> Serialized:
    """The Sequential model's Keras 3 entry (``compile_config`` is added by the caller)."""
    shape = input_shape(model)
    entries = [input_layer_entry(shape)] if shape is not None else []
    current = shape
    for layer in model_layers(model):
        entries.append(serialize_layer(layer, current))
        if current is not None:
            current = _output_shape(layer, current)
    config: dict[str, Any] = {
        "name": model.name,
        "trainable": True,
        "dtype": FLOAT32_POLICY,
        "layers": entries,
    }
    entry = keras_object("keras", "Sequential", config)
    if shape is not None:
        config["build_input_shape"] = list(shape)
        entry["build_config"] = {"input_shape": list(shape)}
    return entry


def _output_shape(layer: Any, shape: Shape) -> Shape:
    compute = getattr(layer, "compute_output_shape", None)
    if callable(compute):
        return tuple(compute(tuple(shape)))
    units = getattr(layer, "units", None)
    return (*shape[:-1], units) if units is not None else shape


# ------------------------------------------------------------------------------- layers in
#: Keras config keys nnlab ignores when they hold Keras's default (a neutral) value.
_NEUTRAL: dict[str, Callable[[Any], bool]] = {
    "trainable": lambda v: v is True,
    "kernel_constraint": lambda v: v is None,
    "bias_constraint": lambda v: v is None,
    "activity_regularizer": lambda v: v is None,
    "noise_shape": lambda v: v is None,
    "quantization_config": lambda v: v is None,
    "lora_rank": lambda v: v is None,
    "lora_alpha": lambda v: v is None,
    "seed": lambda v: v is None,
}


def _check_dtype(value: Any) -> None:
    name = value.get("config", {}).get("name") if isinstance(value, dict) else value
    if name not in (None, "float32"):
        raise ValueError(f"dtype {name!r} is not supported (nnlab.keras layers are float32)")


def _layer_classes() -> dict[str, type]:
    return {
        name: cls
        for name, cls in vars(layers).items()
        if isinstance(cls, type) and name not in ("Layer", "InputLayer")
    }


def deserialize_layer(entry: Any) -> Any:
    """An nnlab layer from Keras 3's entry; ValueError for anything not a supported built-in."""
    if not isinstance(entry, dict) or not isinstance(entry.get("class_name"), str):
        raise ValueError(f"expected a layer entry with a 'class_name', got {str(entry)[:80]}")
    cls_name = entry["class_name"]
    if cls_name == "Lambda":
        raise ValueError(
            "a Lambda layer holds Python code; nnlab never runs code from a file (Keras's "
            "safe_mode): rebuild the model in code and load its weights with load_weights"
        )
    check_builtin(entry, "keras.layers")
    classes = _layer_classes()
    if cls_name not in classes:
        raise ValueError(
            f"layer class {cls_name!r} is not supported by nnlab.keras; supported: "
            f"{sorted(classes)}"
        )
    config = entry.get("config")
    if not isinstance(config, dict):
        raise ValueError(f"layer {cls_name}: 'config' must be an object, got {str(config)[:80]}")
    cls = classes[cls_name]
    params = {
        **inspect.signature(layers.Layer.__init__).parameters,
        **inspect.signature(cls).parameters,
    }
    kwargs: dict[str, Any] = {}
    for key, value in config.items():
        if key == "dtype":
            _check_dtype(value)
            continue
        if key.endswith("_initializer"):
            value = _deserialize_initializer(value)
        elif key.endswith("_regularizer"):
            value = _deserialize_regularizer(value)
        if key in params and key != "self":
            kwargs[key] = value
        elif key not in _NEUTRAL or not _NEUTRAL[key](value):
            raise ValueError(
                f"layer {config.get('name')!r} ({cls_name}): option {key}={str(value)[:60]} is "
                "not supported by nnlab.keras"
            )
    try:
        layer = cls(**kwargs)
    except TypeError as err:
        raise ValueError(f"layer {cls_name}: {err}") from None
    if config.get("trainable") is False and hasattr(layer, "trainable"):
        layer.trainable = False
    return layer
