"""Conversion, dtypes and creation functions of ``keras.ops`` (Keras 3's ``keras.ops.core`` and
the creation functions of ``keras.ops.numpy``).

Conversion follows Keras 3: Python floats (and lists of them) become float32, Python ints int32,
booleans bool; a NumPy array keeps its dtype; ``dtype=`` converts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nnlab.autograd import Tensor
from nnlab.autograd.ops import cast as engine_cast

from ..backend import standardize_dtype  # keras.ops kept the name; Keras's is the backend's
from ._util import as_array, dtype_name, t
from .operation import keras_op

__all__ = [
    "arange", "array", "cast", "convert_to_numpy", "convert_to_tensor", "copy", "dtype",
    "empty", "eye", "full", "full_like", "identity", "is_tensor", "linspace", "ndim", "ones",
    "ones_like", "shape", "size", "standardize_dtype", "stop_gradient", "tri", "zeros",
    "zeros_like",
]  # fmt: skip


def _standard_array(x: Any, dtype: Any = None) -> np.ndarray:
    """Keras's conversion of Python values: float -> float32, int -> int32."""
    if isinstance(x, Tensor):
        arr = x.data
    elif isinstance(x, np.ndarray | np.generic):
        arr = np.asarray(x)
    elif hasattr(x, "numpy") and callable(x.numpy):  # a variable or another library's tensor
        arr = np.asarray(x.numpy())
    else:
        arr = np.asarray(x)
        if arr.dtype == np.float64:
            arr = arr.astype(np.float32)
        elif arr.dtype == np.int64:
            arr = arr.astype(np.int32)
    name = dtype_name(dtype)
    return arr if name is None or arr.dtype.name == name else arr.astype(name)


def convert_to_tensor(x: Any, dtype: Any = None, sparse: Any = None, ragged: Any = None) -> Tensor:
    """``x`` as a Tensor (a Tensor of the right dtype is returned as is, keeping its graph)."""
    if isinstance(x, Tensor) and (dtype is None or x.dtype.name == dtype_name(dtype)):
        return x
    if isinstance(x, Tensor) and x.dtype.kind == "f" and np.dtype(dtype_name(dtype)).kind == "f":
        return engine_cast(x, dtype_name(dtype))
    return Tensor(_standard_array(x, dtype))


@keras_op("Array", config=("dtype",))
def array(x: Any, dtype: Any = None) -> Tensor:
    """A new Tensor holding the values of ``x``."""
    return Tensor(_standard_array(x, dtype).copy())


def convert_to_numpy(x: Any) -> np.ndarray:
    """The values of ``x`` as a NumPy array."""
    if isinstance(x, Tensor):
        return x.data
    if hasattr(x, "numpy") and callable(x.numpy):
        return np.asarray(x.numpy())
    return np.asarray(x)


@keras_op("Cast", config=("dtype",), module="core")
def cast(x: Any, dtype: Any) -> Tensor:
    """x converted to ``dtype`` (differentiable between float dtypes)."""
    return convert_to_tensor(x, dtype=dtype)


def dtype(x: Any) -> str:
    """The name of x's dtype."""
    return as_array(x).dtype.name if not hasattr(x, "dtype") else np.dtype(x.dtype).name


def is_tensor(x: Any) -> bool:
    """Whether ``x`` is a Tensor of the backend (an nnlab Tensor)."""
    return isinstance(x, Tensor)


def shape(x: Any) -> tuple[Any, ...]:
    """The shape of x as a tuple (None for the unknown axes of a symbolic tensor)."""
    return tuple(x.shape) if hasattr(x, "shape") else np.shape(x)


@keras_op("Size")
def size(x: Any) -> Tensor:
    """The number of entries of x."""
    return Tensor(np.asarray(as_array(x).size, dtype=np.int32))


@keras_op("Ndim")
def ndim(x: Any) -> Tensor:
    """The number of axes of x."""
    return Tensor(np.asarray(as_array(x).ndim, dtype=np.int32))


@keras_op("StopGradient", module="core")
def stop_gradient(variable: Any) -> Tensor:
    """x's values without its graph: no gradient flows back through it."""
    return Tensor(as_array(variable))


@keras_op("Copy")
def copy(x: Any) -> Tensor:
    """x's values in a new Tensor (differentiable)."""
    return t(x) * 1


# --------------------------------------------------------------------------- creation
def _shape(shape: Any) -> tuple[int, ...]:
    return (int(shape),) if isinstance(shape, int | np.integer) else tuple(int(d) for d in shape)


def zeros(shape: Sequence[int] | int, dtype: Any = None) -> Tensor:
    """A Tensor of zeros (float32 unless ``dtype``)."""
    return Tensor(np.zeros(_shape(shape), dtype=dtype_name(dtype) or "float32"))


def ones(shape: Sequence[int] | int, dtype: Any = None) -> Tensor:
    """A Tensor of ones (float32 unless ``dtype``)."""
    return Tensor(np.ones(_shape(shape), dtype=dtype_name(dtype) or "float32"))


def empty(shape: Sequence[int] | int, dtype: Any = None) -> Tensor:
    """A Tensor of the shape (filled with zeros)."""
    return zeros(shape, dtype)


def full(shape: Sequence[int] | int, fill_value: Any, dtype: Any = None) -> Tensor:
    """A Tensor of ``shape`` filled with ``fill_value`` (float32 unless ``dtype``)."""
    value = _standard_array(fill_value, dtype or "float32")
    return Tensor(np.full(_shape(shape), value, dtype=value.dtype))


@keras_op("ZerosLike", config=("dtype",))
def zeros_like(x: Any, dtype: Any = None) -> Tensor:
    """Zeros of x's shape (and dtype unless ``dtype``)."""
    return Tensor(np.zeros_like(as_array(x), dtype=dtype_name(dtype)))


@keras_op("OnesLike", config=("dtype",))
def ones_like(x: Any, dtype: Any = None) -> Tensor:
    """Ones of x's shape (and dtype unless ``dtype``)."""
    return Tensor(np.ones_like(as_array(x), dtype=dtype_name(dtype)))


@keras_op("FullLike", config=("dtype",))
def full_like(x: Any, fill_value: Any, dtype: Any = None) -> Tensor:
    """``fill_value`` in x's shape (and dtype unless ``dtype``)."""
    return Tensor(np.full_like(as_array(x), as_array(fill_value), dtype=dtype_name(dtype)))


def arange(start: Any, stop: Any = None, step: Any = None, dtype: Any = None) -> Tensor:
    """start, start + step, ... below stop (int32 for integer arguments, else float32)."""
    if stop is None:
        start, stop = 0, start
    step = 1 if step is None else step
    name = dtype_name(dtype)
    if name is None:
        ints = all(isinstance(v, int | np.integer) for v in (start, stop, step))
        name = "int32" if ints else "float32"
    return Tensor(np.arange(start, stop, step).astype(name))


def linspace(
    start: Any,
    stop: Any,
    num: int = 50,
    endpoint: bool = True,
    retstep: bool = False,
    dtype: Any = None,
    axis: int = 0,
) -> Any:
    """``num`` evenly spaced values from start to stop (float32 unless ``dtype``)."""
    values, step = np.linspace(start, stop, num, endpoint=endpoint, retstep=True, axis=axis)
    out = Tensor(values.astype(dtype_name(dtype) or "float32"))
    return (out, step) if retstep else out


def eye(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> Tensor:  # noqa: N803
    """The N x M matrix with ones on the k-th diagonal."""
    return Tensor(np.eye(N, M, k, dtype=dtype_name(dtype) or "float32"))


def identity(n: int, dtype: Any = None) -> Tensor:
    """The n x n identity matrix."""
    return eye(n, dtype=dtype)


def tri(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> Tensor:  # noqa: N803
    """Ones at and below the k-th diagonal."""
    return Tensor(np.tri(N, M, k, dtype=dtype_name(dtype) or "float32"))
