"""Compile state in Keras 3's file: ``compile_config`` and the optimizer's variables.

``compile_config`` (in ``config.json``) is what ``model.compile`` was given::

    {"optimizer": {"module": "keras.optimizers", "class_name": "Adam", "config": {...}},
     "loss": "sparse_categorical_crossentropy" | {serialized Loss object},
     "loss_weights": null, "metrics": ["accuracy", ...], "weighted_metrics": null,
     "run_eagerly": false, "steps_per_execution": 1, "jit_compile": false}

The optimizer's variables (``optimizer/vars/<i>`` in ``model.weights.h5``) are the optimizer's
``variables``, in Keras 3's order: ``iterations`` (int32), ``learning_rate`` (float32, absent for
a schedule), then the slots. Keras creates slots with ``add_optimizer_variables(
trainable_variables, names)``, one call per group: within a group the slots are interleaved per
variable (for each variable, each name), groups one after the other, e.g. Adam: m₀, v₀, m₁, v₁...;
RMSprop: every velocity, then every momentum, then every average gradient. The variables follow
the model's trainable weights. ``optimizer.build(trainable_weights)`` then ``set_weights``
restores them.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import losses, metrics, optimizers
from .serialization import as_keras as _as_keras
from .serialization import check_builtin as _check_builtin
from .serialization import keras_object

__all__ = [
    "compile_config",
    "compile_model",
    "optimizer_arrays",
    "optimizer_shapes",
    "restore_optimizer",
]


# ------------------------------------------------------------------------------ optimizers
def optimizer_arrays(optimizer: Any) -> list[np.ndarray]:
    """``optimizer/vars`` as Keras stores them (the optimizer's ``variables``, Keras's order)."""
    return [np.asarray(v) for v in optimizer.variables]


def optimizer_shapes(optimizer: Any, params: Sequence[Any], stored: int) -> list[tuple[int, ...]]:
    """The shapes ``optimizer/vars`` must have for a file storing ``stored`` arrays: those of
    the unbuilt optimizer (iterations, learning rate) when the file holds no more, else those of
    the optimizer built on ``params`` (which this builds)."""
    if stored > len(optimizer.variables):
        optimizer.build(params)
    return [np.shape(v) for v in optimizer.variables]


def restore_optimizer(optimizer: Any, arrays: Sequence[np.ndarray]) -> None:
    """Set the optimizer's state from ``optimizer/vars`` (shapes checked by
    :func:`optimizer_shapes`, which built it if the file holds slots)."""
    if int(arrays[0]) < 0:
        raise ValueError(f"optimizer iterations {int(arrays[0])} is negative")
    configured = optimizer.learning_rate  # from compile_config: a float64 Python number
    fixed = isinstance(optimizer.get_config().get("learning_rate"), int | float)  # no schedule
    if optimizer.built:
        optimizer.set_weights(arrays)
    else:  # iterations, and the learning rate unless it is a schedule
        optimizer.iterations = int(arrays[0])
        if len(arrays) > 1:
            optimizer.learning_rate = float(arrays[1])
    if fixed and np.float32(optimizer.learning_rate) == np.float32(configured):
        optimizer.learning_rate = configured  # the file's float32 copy rounded it


def _serialize_optimizer(optimizer: Any) -> dict[str, Any]:
    return _as_keras(optimizers.serialize(optimizer))


def _deserialize_optimizer(value: Any) -> Any:
    if isinstance(value, str):
        return optimizers.get(value)
    _check_builtin(value, "keras.optimizers")
    return optimizers.deserialize(
        {"class_name": value["class_name"], "config": value.get("config") or {}}
    )


# ---------------------------------------------------------------------- losses and metrics
#: nnlab loss name -> Keras loss class.
_LOSS_CLASSES = {
    "mean_squared_error": "MeanSquaredError",
    "mean_absolute_error": "MeanAbsoluteError",
    "binary_crossentropy": "BinaryCrossentropy",
    "categorical_crossentropy": "CategoricalCrossentropy",
    "sparse_categorical_crossentropy": "SparseCategoricalCrossentropy",
}
_LOSS_NAMES = {v: k for k, v in _LOSS_CLASSES.items()}
#: Keras loss options that must hold these values (nnlab computes exactly these).
_LOSS_NEUTRAL: dict[str, Any] = {
    "reduction": "sum_over_batch_size",
    "label_smoothing": 0.0,
    "axis": -1,
    "ignore_class": None,
    "dtype": None,
}


def _serialize_loss(loss: Any) -> Any:
    if not loss.from_logits:
        return loss.name
    return keras_object(
        "keras.losses",
        _LOSS_CLASSES[loss.name],
        {"name": loss.name, "reduction": "sum_over_batch_size", "from_logits": True},
    )


def _deserialize_loss(value: Any) -> Any:
    if isinstance(value, str):
        return losses.get(value)
    if not isinstance(value, dict) or value.get("class_name") not in _LOSS_NAMES:
        found = value.get("class_name") if isinstance(value, dict) else value
        raise ValueError(
            f"loss {str(found)[:60]!r} is not supported; supported: {sorted(_LOSS_NAMES)}"
        )
    config = value.get("config") or {}
    for key, neutral in _LOSS_NEUTRAL.items():
        if key in config and config[key] not in (
            neutral,
            float(neutral or 0) if key == "label_smoothing" else neutral,
        ):
            raise ValueError(
                f"loss {value['class_name']}: option {key}={config[key]!r} is not supported"
            )
    return losses.get(
        {"name": _LOSS_NAMES[value["class_name"]], "from_logits": bool(config.get("from_logits"))}
    )


def _from_name(name: str, loss: Any) -> Any:
    """The metric ``compile`` makes from the string ``name`` (ValueError if none)."""
    return metrics.get(name, loss=loss)


def _serialize_metric(metric: Any, loss: Any) -> Any:
    """The name compile was given ('accuracy', 'mae', ...) when that name makes this metric,
    else the serialized metric object."""
    try:
        if type(_from_name(metric.name, loss)) is type(metric):
            return metric.name
    except ValueError:
        pass
    return keras_object("keras.metrics", type(metric).__name__, metric.get_config())


def _deserialize_metric(value: Any) -> Any:
    """A metric spec for ``compile``: a name as is (compile resolves 'accuracy' by the loss),
    a serialized built-in metric as its ``{"class_name", "config"}``."""
    if isinstance(value, str):
        return value
    _check_builtin(value, "keras.metrics")
    return {"class_name": value["class_name"], "config": value.get("config") or {}}


# ------------------------------------------------------------------------- compile config
def _compiled_metrics(model: Any) -> list[Any]:
    return list(getattr(model, "compiled_metrics", []))


def compile_config(model: Any) -> dict[str, Any] | None:
    """Keras 3's ``compile_config`` of ``model`` (None if uncompiled or not storable: a custom
    loss function cannot be written to a file; the model is then saved uncompiled)."""
    if model.optimizer is None or model.loss is None:
        return None
    if isinstance(model.loss, losses.FunctionLoss):
        warnings.warn(
            f"save: the custom loss {model.loss.name!r} cannot be stored in a file; the model is "
            "saved uncompiled (call compile(...) after loading)",
            stacklevel=3,
        )
        return None
    return {
        "optimizer": _serialize_optimizer(model.optimizer),
        "loss": _serialize_loss(model.loss),
        "loss_weights": None,
        "metrics": [_serialize_metric(m, model.loss) for m in _compiled_metrics(model)],
        "weighted_metrics": None,
        "run_eagerly": False,
        "steps_per_execution": 1,
        "jit_compile": False,
    }


def compile_model(model: Any, config: Any) -> None:
    """``model.compile`` from a ``compile_config`` (ValueError for anything unsupported)."""
    if not isinstance(config, dict):
        raise ValueError(f"compile_config must be an object, got {str(config)[:60]}")
    if config.get("optimizer") is None or config.get("loss") is None:
        return  # Keras writes the config of an uncompiled model too; nothing to compile
    for key in ("loss_weights", "weighted_metrics"):
        if config.get(key) not in (None, [], {}):
            raise ValueError(f"compile_config: {key} is not supported by nnlab.keras")
    listed = config.get("metrics") or []
    if isinstance(listed, str | dict):
        listed = [listed]
    if not isinstance(listed, list):
        raise ValueError(f"compile_config: metrics must be a list, got {str(listed)[:60]}")
    model.compile(
        optimizer=_deserialize_optimizer(config["optimizer"]),
        loss=_deserialize_loss(config["loss"]),
        metrics=[_deserialize_metric(m) for m in listed],
    )
