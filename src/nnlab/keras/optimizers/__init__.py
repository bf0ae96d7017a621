"""Keras optimizers (``keras.optimizers``): Keras 3's names, defaults and update formulas.

    model.compile(optimizer="adam", ...)                       # by name, Keras's defaults
    opt = optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True, clipnorm=1.0)
    opt.apply_gradients(zip(grads, model.trainable_weights))   # one step, in place
    opt.learning_rate = 0.01                                   # read / set between steps
    lr = optimizers.schedules.ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5)
    opt = optimizers.Adam(learning_rate=lr)                    # a schedule of the step count

``SGD`` and ``Lion`` (sgd.py); ``Adam``, ``AdamW``, ``Adamax``, ``Nadam`` (adam.py); ``RMSprop``,
``Adagrad``, ``Adadelta`` (adaptive.py); ``Ftrl`` (ftrl.py); ``Adafactor`` (adafactor.py); what
they share, clipping, weight decay, EMA and the state per parameter, in base_optimizer.py;
learning-rate schedules in schedules.py.
"""

from __future__ import annotations

from typing import Any

from . import schedules
from .adafactor import Adafactor
from .adam import Adam, Adamax, AdamW, Nadam
from .adaptive import Adadelta, Adagrad, RMSprop
from .base_optimizer import Optimizer, _snake_case
from .ftrl import Ftrl
from .sgd import SGD, Lion

__all__ = [
    "SGD",
    "Adadelta",
    "Adafactor",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "Ftrl",
    "Lion",
    "Nadam",
    "Optimizer",
    "RMSprop",
    "deserialize",
    "get",
    "schedules",
    "serialize",
]

_OPTIMIZERS: dict[str, Any] = {  # name -> class (each has a default learning rate)
    cls.__name__.lower(): cls
    for cls in (SGD, Adam, AdamW, Adamax, Nadam, RMSprop, Adagrad, Adadelta, Lion, Ftrl, Adafactor)
}


def serialize(optimizer: Optimizer) -> dict[str, Any]:
    """Keras's serialized form: ``{"module", "class_name", "config", "registered_name"}``."""
    return {
        "module": "keras.optimizers",
        "class_name": type(optimizer).__name__,
        "config": optimizer.get_config(),
        "registered_name": None,
    }


def deserialize(config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Optimizer:
    """The optimizer a ``serialize`` dict describes. A flat ``get_config()`` dict whose ``name``
    is an optimizer class name (nnlab's first file format) is accepted too."""
    known: dict[str, Any] = {
        **_OPTIMIZERS,
        **{k.lower(): v for k, v in (custom_objects or {}).items()},
    }
    if "class_name" in config:
        class_name, cfg = str(config["class_name"]), dict(config.get("config", {}))
    else:  # the flat form names the class, not the instance: use the class's plain name
        class_name, cfg = str(config.get("name", "")), dict(config)
        cfg["name"] = _snake_case(class_name)
    cls = known.get(class_name.lower())
    if cls is None:
        raise ValueError(
            f"optimizers: unknown optimizer {class_name!r}; expected one of "
            f"{sorted(c.__name__ for c in _OPTIMIZERS.values())} (pass custom classes in "
            "custom_objects)"
        )
    return cls.from_config(cfg, custom_objects)


def get(identifier: Any) -> Optimizer | None:
    """An optimizer from a name (``"adam"``: Keras's defaults), a config dict (``serialize`` or
    ``get_config`` form) or an Optimizer (returned as is); None gives None."""
    if identifier is None:
        return None
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _OPTIMIZERS:
        return _OPTIMIZERS[identifier.lower()]()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    raise ValueError(
        f"Could not interpret optimizer identifier: unknown optimizer {identifier!r}; "
        f"expected one of {sorted(_OPTIMIZERS)}, a config dict or an Optimizer"
    )
