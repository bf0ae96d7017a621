"""Helpers shared by the ``keras.ops`` modules: argument conversion and the small
differentiable functions the engine does not have as ops of its own."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from nnlab.autograd import Function, Tensor

__all__ = ["Axis", "UnaryMath", "as_array", "axis_arg", "dtype_name", "t", "unary"]

Axis = int | Sequence[int] | None


def t(x: Any) -> Tensor:
    """``x`` as a Tensor: a Tensor as is, a float64 array or a Python float as float32 (the
    layers' dtype), integers and booleans keep their dtype."""
    if isinstance(x, Tensor):
        return x
    arr = np.asarray(x)
    if arr.dtype == np.float64:
        arr = arr.astype(np.float32)
    return Tensor(arr)


def as_array(x: Any) -> np.ndarray:
    """The values of ``x`` (a Tensor, a variable, an array, a number or a list)."""
    if isinstance(x, Tensor):
        return x.data
    return np.asarray(x)


def axis_arg(axis: Axis) -> Any:
    """An axis argument as NumPy takes it (a list becomes a tuple)."""
    return tuple(axis) if isinstance(axis, list | tuple) else axis


def dtype_name(dtype: Any) -> str | None:
    """A dtype given as a name, a NumPy dtype or a Keras ``DTypePolicy`` dict, as a name."""
    if dtype is None:
        return None
    if isinstance(dtype, dict):
        dtype = dtype.get("config", {}).get("name")
    name = getattr(dtype, "name", dtype)
    return np.dtype(str(name)).name


class UnaryMath(Function):
    """y = f(x) elementwise with dy/dx = df(x, y) (the elementwise math the engine lacks)."""

    __slots__ = ("df", "f", "x", "y")

    def __init__(
        self,
        f: Callable[[np.ndarray], np.ndarray],
        df: Callable[[np.ndarray, np.ndarray], np.ndarray],
    ) -> None:
        self.f, self.df = f, df

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        self.y = np.asarray(self.f(x), dtype=x.dtype)
        return self.y

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return ((g * self.df(self.x, self.y)).astype(self.x.dtype, copy=False),)


def unary(
    x: Any,
    f: Callable[[np.ndarray], np.ndarray],
    df: Callable[[np.ndarray, np.ndarray], np.ndarray],
) -> Tensor:
    """f(x) elementwise on a float Tensor (integers become float32), differentiable by df."""
    tensor = t(x)
    if tensor.dtype.kind != "f":
        tensor = Tensor(tensor.data.astype(np.float32))
    return UnaryMath(f, df).apply(tensor)
