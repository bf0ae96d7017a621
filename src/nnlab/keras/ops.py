"""``keras.ops``: the NumPy-like functions custom layers, losses and metrics use, on nnlab Tensors.

Each function takes Tensors, NumPy arrays or Python numbers and returns a Tensor that records the
graph (so gradients flow through a custom layer's ``call`` or a custom loss); names, arguments
and defaults are Keras 3's (``ops.mean(x, axis=None, keepdims=False)``, ...). Called on a
symbolic ``KerasTensor`` (inside a functional model's definition), a function records itself as
an operation layer of the graph instead, as in Keras 3.

Functions with no gradient (``argmax``, ``equal``, ``shape``, ...) return NumPy values; ``sin``,
``cos`` and ``prod`` return Tensors that do not record a graph.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from nnlab import autograd as ag
from nnlab.autograd import Tensor

__all__ = [
    "abs", "absolute", "add", "all", "any", "arange", "argmax", "argmin", "cast", "clip",
    "concatenate", "convert_to_numpy", "convert_to_tensor", "cos", "divide", "dot", "elu", "equal",
    "exp", "expand_dims", "flatten", "gelu", "greater", "greater_equal", "hard_sigmoid",
    "leaky_relu", "less", "less_equal", "log", "log1p", "log_softmax", "logsumexp", "matmul",
    "max", "maximum", "mean", "min", "minimum", "multiply", "negative", "not_equal", "one_hot",
    "ones", "ones_like", "power", "prod", "relu", "relu6", "repeat", "reshape", "selu", "shape",
    "sigmoid", "sign", "silu", "sin", "softmax", "softplus", "softsign", "sqrt", "square",
    "squeeze", "stack", "std", "subtract", "sum", "swish", "tanh", "tile", "transpose",
    "true_divide", "var", "where", "zeros", "zeros_like",
]  # fmt: skip


def _t(x: Any) -> Tensor:
    """x as a Tensor (float arrays become float32, as the layers' dtype)."""
    if isinstance(x, Tensor):
        return x
    arr = np.asarray(x)
    if arr.dtype == np.float64:
        arr = arr.astype(np.float32)
    return Tensor(arr)


def _symbolic(fn: Callable[..., Any]) -> Callable[..., Any]:
    """On KerasTensor arguments, record ``fn`` as a layer of the functional graph."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from .layers.input_layer import KerasTensor

        flat = [a for a in args if isinstance(a, KerasTensor)]
        nested = [v for a in args if isinstance(a, list | tuple) for v in a]
        flat += [v for v in nested if isinstance(v, KerasTensor)]
        if not flat:
            return fn(*args, **kwargs)
        from .layers.core import Lambda
        from .utils import unique_name

        symbolic = [a for a in args]

        def run(values: Any) -> Any:
            it = iter(values if isinstance(values, list) else [values])
            real = []
            for a in symbolic:
                if isinstance(a, KerasTensor):
                    real.append(next(it))
                elif isinstance(a, list | tuple):
                    real.append([next(it) if isinstance(v, KerasTensor) else v for v in a])
                else:
                    real.append(a)
            return fn(*real, **kwargs)

        inputs = flat if len(flat) > 1 else flat[0]
        return Lambda(run, name=unique_name(fn.__name__))(inputs)

    return wrapper


# --------------------------------------------------------------------------- elementwise
@_symbolic
def add(x1: Any, x2: Any) -> Tensor:
    return _t(x1) + _t(x2)


@_symbolic
def subtract(x1: Any, x2: Any) -> Tensor:
    return _t(x1) - _t(x2)


@_symbolic
def multiply(x1: Any, x2: Any) -> Tensor:
    return _t(x1) * _t(x2)


@_symbolic
def divide(x1: Any, x2: Any) -> Tensor:
    return _t(x1) / _t(x2)


true_divide = divide


@_symbolic
def power(x1: Any, x2: Any) -> Tensor:
    return _t(x1) ** (x2 if isinstance(x2, int | float) else _t(x2))


@_symbolic
def negative(x: Any) -> Tensor:
    return -_t(x)


@_symbolic
def square(x: Any) -> Tensor:
    t = _t(x)
    return t * t


@_symbolic
def sqrt(x: Any) -> Tensor:
    return _t(x).sqrt()


@_symbolic
def abs(x: Any) -> Tensor:  # noqa: A001 - Keras's name
    return _t(x).abs()


absolute = abs


@_symbolic
def exp(x: Any) -> Tensor:
    return _t(x).exp()


@_symbolic
def log(x: Any) -> Tensor:
    return _t(x).log()


@_symbolic
def log1p(x: Any) -> Tensor:
    return (_t(x) + 1.0).log()


@_symbolic
def sign(x: Any) -> Tensor:
    return ag.sign(_t(x))


@_symbolic
def sin(x: Any) -> Tensor:
    t = _t(x)
    return Tensor(np.sin(t.data))


@_symbolic
def cos(x: Any) -> Tensor:
    t = _t(x)
    return Tensor(np.cos(t.data))


@_symbolic
def maximum(x1: Any, x2: Any) -> Tensor:
    a, b = _t(x1), _t(x2)
    return ag.where(a.data >= b.data, a, b)


@_symbolic
def minimum(x1: Any, x2: Any) -> Tensor:
    a, b = _t(x1), _t(x2)
    return ag.where(a.data <= b.data, a, b)


@_symbolic
def clip(x: Any, x_min: Any, x_max: Any) -> Tensor:
    return _t(x).clip(x_min, x_max)


@_symbolic
def where(condition: Any, x1: Any = None, x2: Any = None) -> Any:
    cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if x1 is None and x2 is None:
        return np.nonzero(cond)
    return ag.where(cond.astype(bool), _t(x1), _t(x2))


# --------------------------------------------------------------------------- activations
@_symbolic
def relu(x: Any) -> Tensor:
    return _t(x).relu()


@_symbolic
def relu6(x: Any) -> Tensor:
    return ag.relu6(_t(x))


@_symbolic
def sigmoid(x: Any) -> Tensor:
    return _t(x).sigmoid()


@_symbolic
def tanh(x: Any) -> Tensor:
    return _t(x).tanh()


@_symbolic
def softmax(x: Any, axis: int = -1) -> Tensor:
    return _t(x).softmax(axis=axis)


@_symbolic
def log_softmax(x: Any, axis: int = -1) -> Tensor:
    return _t(x).log_softmax(axis=axis)


@_symbolic
def softplus(x: Any) -> Tensor:
    return ag.softplus(_t(x))


@_symbolic
def softsign(x: Any) -> Tensor:
    return ag.softsign(_t(x))


@_symbolic
def elu(x: Any, alpha: float = 1.0) -> Tensor:
    return ag.elu(_t(x), alpha)


@_symbolic
def selu(x: Any) -> Tensor:
    return ag.selu(_t(x))


@_symbolic
def gelu(x: Any, approximate: bool = True) -> Tensor:
    return ag.gelu(_t(x), approximate="tanh" if approximate else "none")


@_symbolic
def silu(x: Any) -> Tensor:
    return ag.silu(_t(x))


swish = silu


@_symbolic
def leaky_relu(x: Any, negative_slope: float = 0.2) -> Tensor:
    return ag.leaky_relu(_t(x), negative_slope)


@_symbolic
def hard_sigmoid(x: Any) -> Tensor:
    return ag.hard_sigmoid(_t(x))


# --------------------------------------------------------------------------- reductions
Axis = int | Sequence[int] | None


def _axis(axis: Axis) -> Any:
    return tuple(axis) if isinstance(axis, list | tuple) else axis


@_symbolic
def sum(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    return _t(x).sum(axis=_axis(axis), keepdims=keepdims)


@_symbolic
def mean(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    return _t(x).mean(axis=_axis(axis), keepdims=keepdims)


@_symbolic
def max(x: Any, axis: Axis = None, keepdims: bool = False, initial: Any = None) -> Tensor:  # noqa: A001
    return _t(x).max(axis=_axis(axis), keepdims=keepdims)


@_symbolic
def min(x: Any, axis: Axis = None, keepdims: bool = False, initial: Any = None) -> Tensor:  # noqa: A001
    return _t(x).min(axis=_axis(axis), keepdims=keepdims)


@_symbolic
def var(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    t = _t(x)
    d = t - t.mean(axis=_axis(axis), keepdims=True)
    return (d * d).mean(axis=_axis(axis), keepdims=keepdims)


@_symbolic
def std(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    return var(x, axis=axis, keepdims=keepdims).sqrt()


@_symbolic
def prod(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    t = _t(x)
    return Tensor(np.prod(t.data, axis=_axis(axis), keepdims=keepdims))


@_symbolic
def logsumexp(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    return _t(x).logsumexp(axis=_axis(axis), keepdims=keepdims)


def argmax(x: Any, axis: int | None = None, keepdims: bool = False) -> np.ndarray:
    return np.argmax(convert_to_numpy(x), axis=axis, keepdims=keepdims)


def argmin(x: Any, axis: int | None = None, keepdims: bool = False) -> np.ndarray:
    return np.argmin(convert_to_numpy(x), axis=axis, keepdims=keepdims)


def all(x: Any, axis: Axis = None, keepdims: bool = False) -> np.ndarray:  # noqa: A001
    return np.all(convert_to_numpy(x), axis=_axis(axis), keepdims=keepdims)


def any(x: Any, axis: Axis = None, keepdims: bool = False) -> np.ndarray:  # noqa: A001
    return np.any(convert_to_numpy(x), axis=_axis(axis), keepdims=keepdims)


# --------------------------------------------------------------------------- shapes
@_symbolic
def matmul(x1: Any, x2: Any) -> Tensor:
    return ag.matmul(_t(x1), _t(x2))


@_symbolic
def dot(x1: Any, x2: Any) -> Tensor:
    return ag.matmul(_t(x1), _t(x2))


@_symbolic
def reshape(x: Any, newshape: Sequence[int]) -> Tensor:
    return _t(x).reshape(*[-1 if d is None else d for d in newshape])


@_symbolic
def flatten(x: Any) -> Tensor:
    return _t(x).reshape(-1)


@_symbolic
def transpose(x: Any, axes: Sequence[int] | None = None) -> Tensor:
    t = _t(x)
    return t.transpose(*axes) if axes is not None else t.transpose()


@_symbolic
def expand_dims(x: Any, axis: int) -> Tensor:
    t = _t(x)
    shape = list(t.shape)
    axis = axis if axis >= 0 else len(shape) + 1 + axis
    shape.insert(axis, 1)
    return t.reshape(*shape)


@_symbolic
def squeeze(x: Any, axis: int | None = None) -> Tensor:
    t = _t(x)
    return t.reshape(*np.squeeze(np.empty(t.shape, dtype=bool), axis=axis).shape)


@_symbolic
def concatenate(xs: Sequence[Any], axis: int = 0) -> Tensor:
    return ag.concatenate([_t(x) for x in xs], axis=axis)


@_symbolic
def stack(x: Sequence[Any], axis: int = 0) -> Tensor:
    return ag.stack([_t(v) for v in x], axis=axis)


@_symbolic
def repeat(x: Any, repeats: int, axis: int | None = None) -> Tensor:
    t = _t(x)
    if axis is None:
        t, axis = t.reshape(-1), 0
    axis %= t.ndim
    expanded = t.reshape(*t.shape[: axis + 1], 1, *t.shape[axis + 1 :])
    ones = Tensor(np.ones((1,) * (axis + 1) + (repeats,) + (1,) * (t.ndim - axis - 1), t.dtype))
    shape = list(t.shape)
    shape[axis] *= repeats
    return (expanded * ones).reshape(*shape)


@_symbolic
def tile(x: Any, repeats: Sequence[int]) -> Tensor:
    t = _t(x)
    return (
        concatenate([t] * int(repeats[0]), axis=0)
        if len(repeats) == 1
        else Tensor(np.tile(t.data, repeats))
    )


def shape(x: Any) -> tuple[Any, ...]:
    return tuple(x.shape)


def cast(x: Any, dtype: Any) -> Tensor:
    t = _t(x)
    if np.dtype(dtype).kind == "f" and t.dtype.kind == "f":
        return t if t.dtype == np.dtype(dtype) else Tensor(t.data.astype(dtype))
    return Tensor(t.data.astype(dtype))


def convert_to_tensor(x: Any, dtype: Any = None) -> Tensor:
    t = _t(x)
    return t if dtype is None else cast(t, dtype)


def convert_to_numpy(x: Any) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else np.asarray(x)


# --------------------------------------------------------------------------- comparisons
def equal(x1: Any, x2: Any) -> np.ndarray:
    return np.equal(convert_to_numpy(x1), convert_to_numpy(x2))


def not_equal(x1: Any, x2: Any) -> np.ndarray:
    return np.not_equal(convert_to_numpy(x1), convert_to_numpy(x2))


def greater(x1: Any, x2: Any) -> np.ndarray:
    return np.greater(convert_to_numpy(x1), convert_to_numpy(x2))


def greater_equal(x1: Any, x2: Any) -> np.ndarray:
    return np.greater_equal(convert_to_numpy(x1), convert_to_numpy(x2))


def less(x1: Any, x2: Any) -> np.ndarray:
    return np.less(convert_to_numpy(x1), convert_to_numpy(x2))


def less_equal(x1: Any, x2: Any) -> np.ndarray:
    return np.less_equal(convert_to_numpy(x1), convert_to_numpy(x2))


# --------------------------------------------------------------------------- creation
def zeros(shape: Sequence[int], dtype: Any = "float32") -> Tensor:
    return Tensor(np.zeros(tuple(shape), dtype=dtype))


def ones(shape: Sequence[int], dtype: Any = "float32") -> Tensor:
    return Tensor(np.ones(tuple(shape), dtype=dtype))


def zeros_like(x: Any, dtype: Any = None) -> Tensor:
    return Tensor(np.zeros_like(convert_to_numpy(x), dtype=dtype))


def ones_like(x: Any, dtype: Any = None) -> Tensor:
    return Tensor(np.ones_like(convert_to_numpy(x), dtype=dtype))


def arange(start: Any, stop: Any = None, step: Any = 1, dtype: Any = None) -> Tensor:
    return Tensor(np.arange(start, stop, step, dtype=dtype))


def one_hot(x: Any, num_classes: int, axis: int = -1, dtype: Any = "float32") -> Tensor:
    labels = convert_to_numpy(x).astype(np.intp)
    out = np.eye(num_classes, dtype=dtype)[labels]
    return Tensor(np.moveaxis(out, -1, axis) if axis != -1 else out)
