"""``keras.Variable``: Keras 3's variable, as an :class:`nnlab.nn.Parameter`.

Under Keras 3's torch backend a variable holds a ``torch.nn.Parameter``; here the variable *is*
the parameter (a leaf Tensor), so optimizers, ``nn`` code, saving and ONNX export take it as they
take any Parameter, and ``variable.value`` is the variable itself (``v.value.grad`` is the
gradient after ``backward()``, as with Keras on torch)::

    v = keras.Variable([1.0, 2.0])              # from values: float32, trainable, 'variable'
    k = keras.Variable("glorot_uniform", shape=(3, 2), name="kernel")
    v.assign([0.0, 1.0]); v.assign_add(1.0)     # in place, returns the variable
    v.numpy(), v.shape, v.dtype                 # a copy, (2,), 'float32'

``assign``, ``assign_add`` and ``assign_sub`` write into the variable's array in place, outside
any graph, and count as an in-place change (the optimizers' kind of update): a graph recorded
before the write that saved the variable refuses ``backward()`` (see ``nnlab.autograd.tensor``).

``dtype`` is a string, as Keras's (``v.dtype == "float32"``); it also compares equal to the NumPy
dtype and answers NumPy's dtype attributes (``.kind``, ``.itemsize``), so engine code that reads
a tensor's dtype keeps working.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from nnlab.autograd import Tensor
from nnlab.autograd.tensor import write_clock
from nnlab.nn import Parameter

from . import initializers
from .utils import unique_name

__all__ = ["DType", "Variable", "current_path", "initial_value", "name_scope"]


class _Scopes(threading.local):
    def __init__(self) -> None:
        self.stack: list[tuple[str, Any]] = []  # (name, the layer that opened it)


_SCOPES = _Scopes()


@contextmanager
def name_scope(name: str, caller: Any = None) -> Iterator[None]:
    """Variables created inside get ``path`` 'outer/.../name/var_name' (Keras's name scopes;
    a layer opens one around its ``build``). A caller already at the top is not pushed again."""
    stack = _SCOPES.stack
    pushed = not (caller is not None and stack and stack[-1][1] is caller)
    if pushed:
        stack.append((name, caller))
    try:
        yield
    finally:
        if pushed:
            stack.pop()


def current_path() -> str:
    """The open name scopes joined with '/' ('' outside any)."""
    return "/".join(name for name, _ in _SCOPES.stack)


class DType(str):
    """A dtype name (``"float32"``) that also equals NumPy's dtype and has its attributes."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return str.__eq__(self, other)
        try:
            return bool(np.dtype(str(self)) == np.dtype(other))  # type: ignore[call-overload]
        except TypeError:
            return False

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = str.__hash__

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(np.dtype(str(self)), name)


def initial_value(spec: Any, shape: Sequence[int], dtype: Any, rng: Any = None) -> np.ndarray:
    """The starting value of a weight of ``shape`` from an initializer spec: a name ('zeros',
    'glorot_uniform', ...), an initializer object or any callable ``(shape, dtype) -> array``
    (given ``rng``, the layer's generator, when it accepts one)."""
    shape_ints = tuple(int(d) for d in shape if d is not None)
    if spec is None:
        spec = "zeros"
    if isinstance(spec, str):
        initializer = initializers.get(spec)
        assert initializer is not None  # a name always resolves (or get raises)
        value = initializer(shape_ints, rng=rng)
    elif callable(spec):
        try:
            value = spec(shape_ints, dtype=dtype, rng=rng)
        except TypeError:
            value = spec(shape_ints, dtype=dtype)
    else:
        raise ValueError(f"unknown initializer {spec!r}")
    value = value.data if isinstance(value, Tensor) else np.asarray(value)
    if value.shape != shape_ints:
        value = np.broadcast_to(value, shape_ints)
    return np.array(value, dtype=np.dtype(dtype or "float32"))


def _as_values(value: Any, dtype: Any = None) -> np.ndarray:
    """An array of ``value`` (a Tensor, a Variable, an array, a list or a number); Python floats
    and float64 lists become float32 unless ``dtype`` says otherwise."""
    if isinstance(value, Tensor):
        arr = value.data
    else:
        arr = np.asarray(value)
        if dtype is None and not isinstance(value, np.ndarray | np.generic):
            if arr.dtype == np.float64:  # Python floats: Keras's default float32
                arr = arr.astype(np.float32)
            elif arr.dtype == np.int64:  # Python ints: int32
                arr = arr.astype(np.int32)
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"Variable: cannot hold values of dtype {arr.dtype}")
    return arr if dtype is None else arr.astype(np.dtype(dtype), copy=False)


def _check_callable(value: Any, what: str) -> Any:
    if value is not None and not callable(value):
        raise ValueError(
            f"Invalid value for attribute `{what}`. Expected a callable (such as a "
            f"`keras.{what}s.{what.capitalize()}` instance) or `None`. Received: {what}={value}"
        )
    return value


class Variable(Parameter):
    """A Keras variable (see the module docstring).

    Args:
        initializer: the initial value (array, list, number, Tensor) or an initializer (a name
            such as ``"zeros"``, an initializer object or a callable ``(shape, dtype)``), which
            then needs ``shape``.
        shape: the shape, with an initializer (a value gives its own shape).
        dtype: the dtype (default: the value's for an array, else float32).
        trainable: whether optimizers update it (sets ``requires_grad`` for float variables).
        autocast, aggregation, synchronization: accepted for Keras compatibility (no effect).
        name: the name (default ``variable``, ``variable_1``, ...); may not contain '/'.
    """

    __slots__ = ("_name", "_path", "_trainable", "_constraint", "_regularizer", "_autocast")

    def __init__(
        self,
        initializer: Any,
        shape: Any = None,
        dtype: Any = None,
        trainable: bool = True,
        autocast: bool = True,
        aggregation: str | None = "none",
        synchronization: str | None = "auto",
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        if kwargs:
            raise TypeError(f"Variable: unexpected argument(s) {sorted(kwargs)}")
        name = name if name is not None else unique_name("variable")
        if not isinstance(name, str) or "/" in name:
            raise ValueError(
                "Argument `name` must be a string and cannot contain character `/`. "
                f"Received: name={name}"
            )
        if aggregation not in (None, "none", "mean", "sum", "only_first_replica"):
            raise ValueError(
                "Invalid value for argument `aggregation`. Expected one of `None`, `'none'`, "
                f"`'mean'`, `'sum'`, `'only_first_replica'`. Received: aggregation={aggregation}"
            )
        if isinstance(initializer, str) or (
            callable(initializer) and not isinstance(initializer, Tensor)
        ):
            if shape is None:
                raise ValueError(
                    "When creating a Variable from an initializer, the `shape` argument should "
                    f"be specified. Received: initializer={initializer} and shape={shape}"
                )
            dims = _standard_shape(shape, name)
            value = initial_value(initializer, dims, dtype)
        else:
            value = _as_values(initializer, dtype)
            if shape is not None and tuple(_standard_shape(shape, name)) != value.shape:
                raise ValueError(
                    f"Variable {name!r}: initial value has shape {value.shape}, but shape="
                    f"{tuple(shape)} was given"
                )
            value = np.array(value)  # its own copy, as Keras's variables
        if value.dtype == np.float16:
            value = value.astype(np.float32)
        trainable = bool(trainable)
        Tensor.__init__(self, value, requires_grad=trainable and value.dtype.kind == "f")
        self._name = name
        parent = current_path()
        self._path = f"{parent}/{name}" if parent else name
        self._trainable = trainable
        self._constraint: Any = None
        self._regularizer: Any = None
        self._autocast = bool(autocast)

    # ------------------------------------------------------------------ Keras's attributes
    @property
    def name(self) -> str:
        """The variable's name ('kernel')."""
        return self._name

    @property
    def path(self) -> str:
        """Where the variable lives: 'layer_name/var_name' for a layer's weight, else its name."""
        return self._path

    @property
    def dtype(self) -> DType:  # type: ignore[override]
        """The dtype as Keras's string ('float32'); equal to the NumPy dtype too."""
        return DType(self._data.dtype.name)

    @property
    def trainable(self) -> bool:
        """Whether optimizers update it (``fit`` takes only trainable weights)."""
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        self.requires_grad = self._trainable and self._data.dtype.kind == "f"

    @property
    def constraint(self) -> Any:
        """A function w -> projected w applied after each optimizer update, or None."""
        return self._constraint

    @constraint.setter
    def constraint(self, value: Any) -> None:
        self._constraint = _check_callable(value, "constraint")

    @property
    def regularizer(self) -> Any:
        """A function w -> scalar penalty added to the layer's losses, or None."""
        return self._regularizer

    @regularizer.setter
    def regularizer(self, value: Any) -> None:
        self._regularizer = _check_callable(value, "regularizer")

    @property
    def autocast(self) -> bool:
        return self._autocast

    @property
    def aggregation(self) -> str:
        return "none"

    @property
    def value(self) -> Variable:
        """The current value: the variable itself (a Tensor; ``.grad`` after ``backward()``)."""
        return self

    def numpy(self) -> np.ndarray:
        """A copy of the values (later assignments do not change it), as Keras."""
        return np.array(self._data)

    # ------------------------------------------------------------------ assignment
    def assign(self, value: Any) -> Variable:
        """variable <- value (same shape), in place; returns the variable."""
        arr = _as_values(value)
        if arr.shape != self._data.shape:
            raise ValueError(
                "The shape of the target variable and the shape of the target value in "
                f"`variable.assign(value)` must match. variable.shape={self.shape}, Received: "
                f"value.shape={arr.shape}. Target variable: {self!r}"
            )
        np.copyto(self._data, arr, casting="unsafe")
        self._version = write_clock.tick()
        return self

    def assign_add(self, value: Any) -> Variable:
        """variable <- variable + value, in place; returns the variable."""
        return self._update(np.add, value, "assign_add")

    def assign_sub(self, value: Any) -> Variable:
        """variable <- variable - value, in place; returns the variable."""
        return self._update(np.subtract, value, "assign_sub")

    def _update(self, op: Any, value: Any, where: str) -> Variable:
        arr = _as_values(value)
        if np.broadcast_shapes(arr.shape, self._data.shape) != self._data.shape:
            raise ValueError(
                f"`variable.{where}(value)`: value of shape {arr.shape} does not fit the "
                f"variable's shape {self.shape}. Target variable: {self!r}"
            )
        op(self._data, arr, out=self._data, casting="unsafe")
        self._version = write_clock.tick()
        return self

    # ------------------------------------------------------------------ conversions
    def __int__(self) -> int:
        if self._data.ndim > 0:
            raise TypeError(
                f"Only scalar arrays can be converted to Python scalars. Got: shape={self.shape}"
            )
        return int(self._data)

    def __float__(self) -> float:
        if self._data.ndim > 0:
            raise TypeError(
                f"Only scalar arrays can be converted to Python scalars. Got: shape={self.shape}"
            )
        return float(self._data)

    # NumPy's functions (np.min(v), np.sum(v), np.mean(v)) call these methods with NumPy's own
    # keywords (out=, dtype=, ...): then they get NumPy's answer on the values, as a Keras
    # variable gives; the engine's call (v.sum(axis)) keeps its graph.
    def sum(self, axis: Any = None, keepdims: bool = False, **numpy_kwargs: Any) -> Any:
        if numpy_kwargs:
            return np.sum(self._data, axis=axis, keepdims=keepdims, **numpy_kwargs)
        return super().sum(axis, keepdims)

    def mean(self, axis: Any = None, keepdims: bool = False, **numpy_kwargs: Any) -> Any:
        if numpy_kwargs:
            return np.mean(self._data, axis=axis, keepdims=keepdims, **numpy_kwargs)
        return super().mean(axis, keepdims)

    def max(self, axis: Any = None, keepdims: bool = False, **numpy_kwargs: Any) -> Any:
        if numpy_kwargs:
            return np.max(self._data, axis=axis, keepdims=keepdims, **numpy_kwargs)
        return super().max(axis, keepdims)

    def min(self, axis: Any = None, keepdims: bool = False, **numpy_kwargs: Any) -> Any:
        if numpy_kwargs:
            return np.min(self._data, axis=axis, keepdims=keepdims, **numpy_kwargs)
        return super().min(axis, keepdims)

    def __bool__(self) -> bool:
        raise TypeError("A Keras Variable cannot be used as a boolean.")

    def __round__(self, ndigits: int | None = None) -> Tensor:
        return Tensor(np.round(self._data, ndigits or 0))

    # operators the engine has no gradient for: computed on the values (no graph), as Tensors
    def _values_op(self, op: Any, other: Any, reverse: bool = False) -> Tensor:
        b = other.data if isinstance(other, Tensor) else np.asarray(other)
        return Tensor(op(b, self._data) if reverse else op(self._data, b))

    def __abs__(self) -> Tensor:
        return self.abs()

    def __invert__(self) -> Tensor:
        return Tensor(np.invert(self._data))

    def __floordiv__(self, other: Any) -> Tensor:
        return self._values_op(np.floor_divide, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return self._values_op(np.floor_divide, other, reverse=True)

    def __mod__(self, other: Any) -> Tensor:
        return self._values_op(np.mod, other)

    def __rmod__(self, other: Any) -> Tensor:
        return self._values_op(np.mod, other, reverse=True)

    def __and__(self, other: Any) -> Tensor:
        return self._values_op(np.logical_and, other)

    def __rand__(self, other: Any) -> Tensor:
        return self._values_op(np.logical_and, other, reverse=True)

    def __or__(self, other: Any) -> Tensor:
        return self._values_op(np.logical_or, other)

    def __ror__(self, other: Any) -> Tensor:
        return self._values_op(np.logical_or, other, reverse=True)

    def __xor__(self, other: Any) -> Tensor:
        return self._values_op(np.logical_xor, other)

    def __rxor__(self, other: Any) -> Tensor:
        return self._values_op(np.logical_xor, other, reverse=True)

    def __format__(self, spec: str) -> str:
        return format(self._data.item() if self._data.ndim == 0 else self._data, spec)

    def __repr__(self) -> str:
        return (
            f"<Variable path={self.path}, shape={self.shape}, dtype={self.dtype}, "
            f"value={self._data}>"
        )


def _standard_shape(shape: Any, name: str) -> tuple[int, ...]:
    if isinstance(shape, int | np.integer):
        shape = (shape,)
    try:
        dims = tuple(shape)
    except TypeError:
        raise ValueError(
            f"Variable {name!r}: shape must be a tuple of ints, got {shape!r}"
        ) from None
    if any(d is None for d in dims):
        raise ValueError(
            "Shapes used to initialize variables must be fully-defined (no `None` dimensions). "
            f"Received: shape={tuple(dims)} for variable path='{name}'"
        )
    if not all(
        isinstance(d, int | np.integer) and not isinstance(d, bool) and d >= 0 for d in dims
    ):
        raise ValueError(f"Variable {name!r}: shape entries must be ints >= 0, got {shape!r}")
    return tuple(int(d) for d in dims)
