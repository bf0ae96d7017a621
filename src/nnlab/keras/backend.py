"""``keras.backend``: Keras 3's names for the settings of ``keras.config`` and a few helpers.

- ``backend()``, ``floatx()``, ``epsilon()``, ``image_data_format()`` and their setters: see
  :mod:`nnlab.keras.config`.
- ``clear_session()``: restart the automatic layer names and the ``get_uid`` counters.
- ``get_uid(prefix="")``: 1, 2, 3, ... on successive calls with the same prefix.
- ``standardize_dtype(dtype)``: a dtype (None, a Python type, a NumPy dtype or type, a name) as
  Keras's name ('float32'; Python's ``int`` is 'int32' and ``float`` 'float32', as in Keras
  3); ``is_float_dtype`` / ``is_int_dtype`` test such a name.
- ``is_keras_tensor(x)``: whether ``x`` is a symbolic ``KerasTensor`` (a functional model's).
- Keras's backend module also names the tensor types and conversions, which code written
  against ``keras.src.backend`` reads from here: ``Variable``, ``KerasTensor``, ``is_tensor``,
  ``convert_to_tensor``, ``convert_to_numpy``, ``cast`` (the objects of
  ``keras.Variable``, ``keras.ops``, ...), and ``config`` (:mod:`nnlab.keras.config`);
  ``SUPPORTS_SPARSE_TENSORS`` and ``SUPPORTS_RAGGED_TENSORS`` are False (NumPy has neither).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import utils
from .config import (
    backend,
    epsilon,
    floatx,
    image_data_format,
    set_epsilon,
    set_floatx,
    set_image_data_format,
)

__all__ = [
    "backend",
    "clear_session",
    "epsilon",
    "floatx",
    "get_uid",
    "image_data_format",
    "is_float_dtype",
    "is_int_dtype",
    "is_keras_tensor",
    "set_epsilon",
    "set_floatx",
    "set_image_data_format",
    "standardize_dtype",
    "standardize_shape",
    "SUPPORTS_RAGGED_TENSORS",
    "SUPPORTS_SPARSE_TENSORS",
]

#: NumPy has neither sparse nor ragged tensors (Keras's tests skip those cases on such backends)
SUPPORTS_SPARSE_TENSORS = False
SUPPORTS_RAGGED_TENSORS = False

_ELSEWHERE = {  # Keras's backend names for objects defined elsewhere (loaded when first read)
    "config": "",
    "Variable": "variables",
    "KerasTensor": "layers.input_layer",
    "is_tensor": "ops",
    "convert_to_tensor": "ops",
    "convert_to_numpy": "ops",
    "cast": "ops",
    "get_keras_mask": "utils",
    "set_keras_mask": "utils",
}
__all__ += sorted(_ELSEWHERE)


def __getattr__(name: str) -> Any:
    module = _ELSEWHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    if not module:  # a module of nnlab.keras itself
        return importlib.import_module(f"nnlab.keras.{name}")
    return getattr(importlib.import_module(f"nnlab.keras.{module}"), name)


#: Keras 3's dtype names
ALLOWED_DTYPES = (
    *("float16", "float32", "float64", "bfloat16", "float8_e4m3fn", "float8_e5m2"),
    *("uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64"),
    *("bool", "string", "complex64", "complex128"),
)
_PYTHON_DTYPES: dict[Any, str] = {bool: "bool", int: "int32", float: "float32", str: "string"}
_uids: dict[str, int] = {}


def clear_session() -> None:
    """Forget the automatic layer and model names and the ``get_uid`` counters."""
    utils.clear_session()
    _uids.clear()


def get_uid(prefix: str = "") -> int:
    """How many times ``get_uid`` was called with ``prefix``, this call included."""
    _uids[prefix] = _uids.get(prefix, 0) + 1
    return _uids[prefix]


def standardize_dtype(dtype: Any) -> str:
    """Keras's name of ``dtype`` (None: ``floatx()``); ValueError 'Invalid dtype' otherwise."""
    if dtype is None:
        return floatx()
    try:
        named = _PYTHON_DTYPES.get(dtype, dtype)
    except TypeError:  # an unhashable value: no Python type
        named = dtype
    name = getattr(named, "name", None) or getattr(named, "__name__", None) or named
    if not isinstance(name, str) or name not in ALLOWED_DTYPES:
        raise ValueError(f"Invalid dtype: {dtype}")
    return name


def standardize_shape(shape: Any) -> tuple[int | None, ...]:
    """``shape`` as a tuple of ints >= 0 and None (Keras's errors for anything else)."""
    if shape is None:
        raise ValueError("Undefined shapes are not supported.")
    if not isinstance(shape, tuple):
        if not hasattr(shape, "__iter__"):
            raise ValueError(f"Cannot convert '{shape}' to a shape.")
        shape = tuple(shape)
    for e in shape:
        if e is None:
            continue
        if isinstance(e, bool) or not isinstance(e, int | np.integer):
            raise ValueError(
                f"Cannot convert '{shape}' to a shape. Found invalid entry '{e}' of type "
                f"'{type(e)}'. "
            )
        if e < 0:
            raise ValueError(
                f"Cannot convert '{shape}' to a shape. Negative dimensions are not allowed."
            )
    return tuple(None if e is None else int(e) for e in shape)


def is_float_dtype(dtype: Any) -> bool:
    """Whether ``dtype`` is a float type (bfloat16 included)."""
    name = standardize_dtype(dtype)
    return name.startswith(("float", "bfloat"))


def is_int_dtype(dtype: Any) -> bool:
    """Whether ``dtype`` is a signed or unsigned integer type."""
    return standardize_dtype(dtype).startswith(("int", "uint"))


def is_keras_tensor(x: Any) -> bool:
    """Whether ``x`` is a symbolic tensor of a functional model (``keras.Input``'s output)."""
    from .layers.input_layer import KerasTensor

    return isinstance(x, KerasTensor)
