"""Symbolic inputs: ``Input``, ``InputLayer``, ``KerasTensor`` and the ``Node`` of a layer call.

``x = keras.Input(shape=(784,))`` is a ``KerasTensor``: a placeholder with a shape
``(None, 784)`` (the batch axis unknown) and a dtype, but no values. Calling a layer on
KerasTensors computes no numbers; it returns new KerasTensors with the output shape and records
a ``Node`` (layer, input tensors, output tensors, call arguments) in the layer's
``_inbound_nodes``. Each KerasTensor knows the node that made it (``_keras_history``), so
``keras.Model(inputs, outputs)`` can walk back from the outputs to the inputs and run the graph.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..utils import unique_name
from .base import Layer, Shape, as_shape

__all__ = ["Input", "InputLayer", "KerasTensor", "Node", "symbolic_call"]


class Node:
    """One call ``outputs = operation(inputs, *args, **kwargs)`` on symbolic inputs; the
    operation is a layer or a ``keras.ops`` :class:`~nnlab.keras.ops.Operation`."""

    def __init__(
        self, layer: Any, inputs: Any, outputs: Any, args: tuple[Any, ...], kwargs: dict
    ) -> None:
        self.layer, self.inputs, self.outputs = layer, inputs, outputs
        self.args, self.kwargs = args, kwargs

    @property
    def operation(self) -> Any:
        return self.layer

    @property
    def input_tensors(self) -> list[KerasTensor]:
        """Every KerasTensor among the call's arguments (the first, the others, the keywords)."""
        found = _flatten([self.inputs, list(self.args), list(self.kwargs.values())])
        return [t for t in found if isinstance(t, KerasTensor)]

    @property
    def output_tensors(self) -> list[KerasTensor]:
        return list(_flatten(self.outputs))

    @property
    def is_input(self) -> bool:
        return isinstance(self.layer, InputLayer)

    @property
    def parent_nodes(self) -> list[Node]:
        return [t._keras_history[0] for t in self.input_tensors if t._keras_history is not None]


def _ops() -> Any:
    from .. import ops

    return ops


class KerasTensor:
    """A symbolic tensor: ``shape`` (batch axis first, None where unknown), ``dtype``, ``name``.

    ``keras.KerasTensor(shape)`` makes a free one (no history: usable to ask a layer or a model
    for its output shape); ``keras.Input`` makes the inputs of a functional model. Arithmetic
    (``a + b``, ``-a``, ``a * 2``, ``a @ w``, ``a ** 2``), comparisons, slicing (``x[:, 0]``)
    and every function of ``keras.ops`` record an operation of the graph, as in Keras 3.
    """

    __array_ufunc__ = None  # NumPy defers to the reflected operators: np.ones(3) + x is symbolic

    def __init__(
        self,
        shape: Any,
        dtype: Any = "float32",
        sparse: bool = False,
        ragged: bool = False,
        record_history: bool = True,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        self.shape: Shape = as_shape(shape, "KerasTensor")
        self.dtype = np.dtype(getattr(dtype, "name", dtype) or "float32").name
        self.sparse, self.ragged = bool(sparse), bool(ragged)
        self.name = name or unique_name("keras_tensor")
        self._keras_history: tuple[Node, int] | None = None  # (node, index among its outputs)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return (
            f"<KerasTensor shape={self.shape}, dtype={self.dtype}, sparse={self.sparse}, "
            f"ragged={self.ragged}, name={self.name}>"
        )

    def __bool__(self) -> bool:
        raise TypeError("A symbolic KerasTensor cannot be used as a boolean.")

    def __len__(self) -> int:
        raise TypeError(
            "A symbolic KerasTensor has no len(); use .shape or keras.ops.shape instead"
        )

    def __iter__(self) -> Any:
        raise TypeError("A symbolic KerasTensor cannot be iterated over.")

    def reshape(self, *newshape: Any) -> Any:
        shape = (
            newshape[0]
            if len(newshape) == 1 and isinstance(newshape[0], tuple | list)
            else newshape
        )
        return _ops().reshape(self, tuple(shape))

    def __add__(self, other: Any) -> Any:
        return _ops().add(self, other)

    def __radd__(self, other: Any) -> Any:
        return _ops().add(other, self)

    def __sub__(self, other: Any) -> Any:
        return _ops().subtract(self, other)

    def __rsub__(self, other: Any) -> Any:
        return _ops().subtract(other, self)

    def __mul__(self, other: Any) -> Any:
        return _ops().multiply(self, other)

    def __rmul__(self, other: Any) -> Any:
        return _ops().multiply(other, self)

    def __truediv__(self, other: Any) -> Any:
        return _ops().true_divide(self, other)

    def __rtruediv__(self, other: Any) -> Any:
        return _ops().true_divide(other, self)

    def __floordiv__(self, other: Any) -> Any:
        return _ops().floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> Any:
        return _ops().floor_divide(other, self)

    def __mod__(self, other: Any) -> Any:
        return _ops().mod(self, other)

    def __rmod__(self, other: Any) -> Any:
        return _ops().mod(other, self)

    def __matmul__(self, other: Any) -> Any:
        return _ops().matmul(self, other)

    def __rmatmul__(self, other: Any) -> Any:
        return _ops().matmul(other, self)

    def __pow__(self, other: Any) -> Any:
        return _ops().power(self, other)

    def __rpow__(self, other: Any) -> Any:
        return _ops().power(other, self)

    def __neg__(self) -> Any:
        return _ops().negative(self)

    def __pos__(self) -> Any:
        return self

    def __abs__(self) -> Any:
        return _ops().absolute(self)

    def __invert__(self) -> Any:
        return _ops().logical_not(self)

    def __and__(self, other: Any) -> Any:
        return _ops().logical_and(self, other)

    def __rand__(self, other: Any) -> Any:
        return _ops().logical_and(other, self)

    def __or__(self, other: Any) -> Any:
        return _ops().logical_or(self, other)

    def __ror__(self, other: Any) -> Any:
        return _ops().logical_or(other, self)

    def __xor__(self, other: Any) -> Any:
        return _ops().logical_xor(self, other)

    def __rxor__(self, other: Any) -> Any:
        return _ops().logical_xor(other, self)

    def __lt__(self, other: Any) -> Any:
        return _ops().less(self, other)

    def __le__(self, other: Any) -> Any:
        return _ops().less_equal(self, other)

    def __gt__(self, other: Any) -> Any:
        return _ops().greater(self, other)

    def __ge__(self, other: Any) -> Any:
        return _ops().greater_equal(self, other)

    def __ne__(self, other: Any) -> Any:
        return _ops().not_equal(self, other)

    # no __eq__, as in Keras 3: ``a == b`` compares identities (``keras.ops.equal`` records the
    # elementwise comparison), so KerasTensors can be looked up in lists and dicts

    def __getitem__(self, key: Any) -> Any:
        return _ops().get_item(self, key)


def _flatten(x: Any) -> list[Any]:
    if isinstance(x, list | tuple):
        return [v for item in x for v in _flatten(item)]
    if isinstance(x, dict):
        return [v for item in x.values() for v in _flatten(item)]
    return [x]


def _is_shape(s: Any) -> bool:
    return isinstance(s, tuple | list) and all(
        d is None or (isinstance(d, int | np.integer) and not isinstance(d, bool)) for d in s
    )


def _shapes(x: Any) -> Any:
    if isinstance(x, list | tuple):
        return [_shapes(v) for v in x]
    if isinstance(x, dict):
        return {k: _shapes(v) for k, v in x.items()}
    return tuple(x.shape)


def symbolic_call(layer: Layer, inputs: Any, args: tuple[Any, ...], kwargs: dict) -> Any:
    """``layer(inputs)`` on KerasTensors: build, infer the output shape, record a Node."""
    shapes = _shapes(inputs)
    if not layer.built:
        layer._build_shapes_arg = shapes
        layer.build(shapes)
        layer.built = True
    from ..models.functional import Functional

    if isinstance(layer, Functional):  # a functional model: its outputs in their structure
        outputs = layer.compute_output_spec(inputs)
        node = Node(layer, inputs, outputs, args, dict(kwargs))
        layer._inbound_nodes.append(node)
        for i, t in enumerate(_flatten(outputs)):
            t._keras_history = (node, i)
        return outputs
    out_shape = layer.compute_output_shape(shapes)
    dtype = _first_dtype(inputs)

    def make(shape: Any) -> Any:
        if _is_shape(shape):
            return KerasTensor(tuple(shape), dtype=dtype)
        if isinstance(shape, dict):
            return {k: make(v) for k, v in shape.items()}
        return [make(s) for s in shape]

    outputs = make(out_shape)
    node = Node(layer, inputs, outputs, args, dict(kwargs))
    layer._inbound_nodes.append(node)
    for i, t in enumerate(_flatten(outputs)):
        t._keras_history = (node, i)
    return outputs


def _first_dtype(inputs: Any) -> str:
    for t in _flatten(inputs):
        if isinstance(t, KerasTensor):
            return "float32" if t.dtype.startswith("int") or t.dtype == "bool" else t.dtype
    return "float32"


def _check_input_tensor(
    tensor: Any, shape: Any, batch_size: Any, batch_shape: Any, dtype: Any, sparse: Any
) -> None:
    """Keras 3's errors for ``InputLayer(input_tensor=...)`` with arguments that disagree."""
    if not isinstance(tensor, KerasTensor):
        raise ValueError(
            "Argument `input_tensor` must be a KerasTensor. Received invalid type: "
            f"input_tensor={tensor!r} (of type {type(tensor)})"
        )

    def bad(name: str) -> ValueError:
        return ValueError(
            f"When providing the `input_tensor` argument, you cannot provide an incompatible "
            f"`{name}` argument."
        )

    if batch_size is not None and (not tensor.shape or tensor.shape[0] != batch_size):
        raise bad("batch_size")
    if shape is not None and tuple(shape) != tuple(tensor.shape[1:]):
        raise bad("shape")
    if batch_shape is not None and tuple(batch_shape) != tuple(tensor.shape):
        raise bad("batch_shape")
    if dtype is not None and np.dtype(getattr(dtype, "name", dtype)).name != tensor.dtype:
        raise bad("dtype")
    if sparse is not None and bool(sparse) != tensor.sparse:
        raise bad("sparse")


class InputLayer(Layer):
    """The entry point of a model: makes the symbolic input ``output`` of shape ``batch_shape``.

    Args:
        shape: the shape of one sample (no batch axis), e.g. ``(784,)`` or ``(28, 28, 1)``.
        batch_size: a fixed batch size (None: any).
        batch_shape: the full shape instead of ``shape`` and ``batch_size``.
        dtype: 'float32' (default) or an integer dtype (token indices for ``Embedding``).
    """

    def __init__(
        self,
        shape: Any = None,
        batch_size: int | None = None,
        dtype: Any = None,
        sparse: bool | None = None,
        batch_shape: Any = None,
        input_tensor: Any = None,
        optional: bool = False,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        if "input_shape" in kwargs:
            warnings.warn(
                "Argument `input_shape` is deprecated. Use `shape` instead.", stacklevel=2
            )
            shape = kwargs.pop("input_shape")
        if batch_shape is None and "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        kwargs.pop("ragged", None)
        if input_tensor is not None:  # Keras 3's checks, then the tensor's own shape and dtype
            _check_input_tensor(input_tensor, shape, batch_size, batch_shape, dtype, sparse)
            batch_shape, dtype = input_tensor.shape, input_tensor.dtype
            sparse, shape, batch_size = input_tensor.sparse, None, None
        if sparse:
            raise ValueError(
                "`sparse=True` is not supported with the nnlab backend (Input: sparse inputs "
                "are not supported by nnlab.keras)"
            )
        self.sparse, self.ragged = False, False
        if shape is not None and batch_shape is not None:
            raise ValueError(
                "You cannot pass both `shape` and `batch_shape` at the same time. (Input: give "
                "shape= or batch_shape=, not both)"
            )
        if batch_size is not None and batch_shape is not None:
            raise ValueError(
                "You cannot pass both `batch_size` and `batch_shape` at the same time."
            )
        if batch_shape is not None:
            full = as_shape(batch_shape, "Input: batch_shape")
        elif shape is not None:
            full = (batch_size, *as_shape(shape, "Input: shape"))
        else:
            raise ValueError(
                "You must pass a `shape` argument. (Input: shape= is the shape of one sample, "
                "e.g. (784,))"
            )
        if not full:
            raise ValueError("Input: the shape needs a batch axis, got ()")
        super().__init__(name=name or unique_name("input_layer"), dtype=dtype, **kwargs)
        self.batch_shape: Shape = full
        self.built = True
        self.optional = optional
        tensor = (
            input_tensor
            if input_tensor is not None
            else KerasTensor(full, dtype=self.dtype, name=self.name)
        )
        node = Node(self, [], tensor, (), {})
        tensor._keras_history = (node, 0)
        self._inbound_nodes.append(node)
        self.output_tensor = tensor

    @property
    def input_dim(self) -> int | None:
        """The width of 2-D inputs (the old nnlab name), else None."""
        return self.batch_shape[1] if len(self.batch_shape) == 2 else None

    def call(self, inputs: Any = None, training: bool | None = None) -> Any:
        """The identity (Keras 3's ``InputLayer.call()`` takes nothing and returns None)."""
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return self.batch_shape

    def get_config(self) -> dict[str, Any]:
        return {
            "batch_shape": list(self.batch_shape),
            "dtype": self.dtype,
            "sparse": self.sparse,
            "ragged": False,
            "name": self.name,
            "optional": self.optional,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> InputLayer:
        return cls(**config)


def Input(  # noqa: N802 - Keras's name
    shape: Any = None,
    batch_size: int | None = None,
    dtype: Any = None,
    sparse: bool | None = None,
    batch_shape: Any = None,
    name: str | None = None,
    tensor: Any = None,
    optional: bool = False,
    **kwargs: Any,
) -> KerasTensor:
    """A symbolic model input of shape ``(batch_size, *shape)``: ``keras.Input(shape=(784,))``."""
    layer = InputLayer(
        shape=shape,
        batch_size=batch_size,
        dtype=dtype,
        sparse=sparse,
        batch_shape=batch_shape,
        name=name,
        optional=optional,
        **kwargs,
    )
    return layer.output_tensor
