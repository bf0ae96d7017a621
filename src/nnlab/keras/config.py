"""``keras.config``: the library-wide settings, as in Keras 3.

- ``image_data_format()`` / ``set_image_data_format(f)``: the layout that convolution, pooling,
  padding, cropping, upsampling and ``Flatten`` layers use when created without ``data_format``:
  ``"channels_last"`` (the default: ``(batch, rows, cols, channels)``) or ``"channels_first"``.
- ``epsilon()`` / ``set_epsilon(e)``: the small constant the probabilistic losses clip
  probabilities with, into [ε, 1 - ε] (default 1e-7), read when a loss is computed.
- ``floatx()``: the layers' float type, ``"float32"``. nnlab.keras computes in float32 only, so
  ``set_floatx`` accepts ``"float32"`` and refuses another float type with an error that says so.
- ``backend()``: ``"nnlab"`` (the engine behind ``nnlab.keras``; Keras 3 answers
  ``"tensorflow"``, ``"jax"``, ``"torch"`` or ``"numpy"``).

``keras.backend`` offers the same functions under Keras 3's other names.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = [
    "backend",
    "epsilon",
    "floatx",
    "image_data_format",
    "set_epsilon",
    "set_floatx",
    "set_image_data_format",
    "standardize_data_format",
]

DATA_FORMATS = ("channels_first", "channels_last")
FLOAT_TYPES = ("bfloat16", "float16", "float32", "float64")

_settings: dict[str, Any] = {
    "image_data_format": "channels_last",
    "epsilon": 1e-7,
    "floatx": "float32",
}


def backend() -> str:
    """The name of the engine that runs the models: ``"nnlab"``."""
    return "nnlab"


def image_data_format() -> str:
    """The default ``data_format`` of the spatial layers: 'channels_last' or 'channels_first'."""
    return str(_settings["image_data_format"])


def set_image_data_format(data_format: str) -> None:
    """Set the default ``data_format`` of spatial layers created from now on."""
    _settings["image_data_format"] = _checked_data_format(data_format)


def standardize_data_format(data_format: str | None) -> str:
    """A layer's ``data_format`` argument checked; None means ``image_data_format()``."""
    if data_format is None:
        return image_data_format()
    return _checked_data_format(data_format)


def _checked_data_format(data_format: Any) -> str:
    value = str(data_format).lower()
    if value not in DATA_FORMATS:
        raise ValueError(
            "The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
            f"Received: data_format={data_format}"
        )
    return value


def epsilon() -> float:
    """The fuzz factor of the probabilistic losses (1e-7 unless set)."""
    return float(_settings["epsilon"])


def set_epsilon(value: float) -> None:
    """Set the fuzz factor: a finite number in (0, 0.5) (probabilities are clipped to
    [ε, 1 - ε], an empty interval from 0.5 on)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"set_epsilon: expected a number, got {value!r}")
    if not (math.isfinite(value) and 0 < value < 0.5):
        raise ValueError(f"set_epsilon: epsilon must be in (0, 0.5), got {value!r}")
    _settings["epsilon"] = float(value)


def floatx() -> str:
    """The float type of the layers' weights and computations: 'float32'."""
    return str(_settings["floatx"])


def set_floatx(value: str) -> None:
    """Keras's setter of the default float type. nnlab.keras computes in float32 only: 'float32'
    is accepted, another float type is refused (ValueError), as is a name that is no float type
    (Keras's message)."""
    name = str(value)
    if name not in FLOAT_TYPES:
        raise ValueError(f"Unknown `floatx` value: {value}. Expected one of {set(FLOAT_TYPES)}")
    if name != "float32":
        raise ValueError(
            f"set_floatx({name!r}): nnlab.keras computes in float32 only (its layers' weights "
            "and activations are float32 arrays); the nnlab engine itself (nnlab.tensor) "
            "computes in float64 when given float64 arrays"
        )
    _settings["floatx"] = name
