"""Symbolic inputs: ``Input``, ``InputLayer``, ``KerasTensor`` and the ``Node`` of a layer call.

``x = keras.Input(shape=(784,))`` is a ``KerasTensor``: a placeholder with a shape
``(None, 784)`` (the batch axis unknown) and a dtype, but no values. Calling a layer on
KerasTensors computes no numbers; it returns new KerasTensors with the output shape and records
a ``Node`` (layer, input tensors, output tensors, call arguments) in the layer's
``_inbound_nodes``. Each KerasTensor knows the node that made it (``_keras_history``), so
``keras.Model(inputs, outputs)`` can walk back from the outputs to the inputs and run the graph.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..utils import unique_name
from .base import Layer, Shape, as_shape

__all__ = ["Input", "InputLayer", "KerasTensor", "Node", "symbolic_call"]


class Node:
    """One call of ``layer`` on symbolic inputs: ``outputs = layer(inputs, *args, **kwargs)``."""

    def __init__(
        self, layer: Layer, inputs: Any, outputs: Any, args: tuple[Any, ...], kwargs: dict
    ) -> None:
        self.layer, self.inputs, self.outputs = layer, inputs, outputs
        self.args, self.kwargs = args, kwargs

    @property
    def input_tensors(self) -> list[KerasTensor]:
        return [t for t in _flatten(self.inputs) if isinstance(t, KerasTensor)]

    @property
    def output_tensors(self) -> list[KerasTensor]:
        return list(_flatten(self.outputs))

    @property
    def is_input(self) -> bool:
        return isinstance(self.layer, InputLayer)

    @property
    def parent_nodes(self) -> list[Node]:
        return [t._keras_history[0] for t in self.input_tensors if t._keras_history is not None]


class KerasTensor:
    """A symbolic tensor: ``shape`` (batch axis first, None where unknown), ``dtype``, ``name``.

    Arithmetic on KerasTensors (``a + b``, ``-a``, ``a * 2``) and the functions of
    ``nnlab.keras.ops`` record an operation layer, as in Keras 3's functional API.
    """

    def __init__(self, shape: Any, dtype: str = "float32", name: str | None = None) -> None:
        self.shape: Shape = as_shape(shape, "KerasTensor")
        self.dtype = dtype
        self.name = name or unique_name("keras_tensor")
        self._keras_history: tuple[Node, int] | None = None  # (node, index among its outputs)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    def __bool__(self) -> bool:
        raise TypeError("a symbolic KerasTensor has no value to test with `if`")

    def _op(self, name: str, fn: Any, *others: Any) -> Any:
        from .core import Lambda

        return Lambda(fn, name=unique_name(name))([self, *others] if others else self)

    def __add__(self, other: Any) -> Any:
        return _binary("add", lambda a, b: a + b, self, other)

    def __radd__(self, other: Any) -> Any:
        return _binary("add", lambda a, b: b + a, self, other)

    def __sub__(self, other: Any) -> Any:
        return _binary("subtract", lambda a, b: a - b, self, other)

    def __rsub__(self, other: Any) -> Any:
        return _binary("subtract", lambda a, b: b - a, self, other)

    def __mul__(self, other: Any) -> Any:
        return _binary("multiply", lambda a, b: a * b, self, other)

    def __rmul__(self, other: Any) -> Any:
        return _binary("multiply", lambda a, b: b * a, self, other)

    def __truediv__(self, other: Any) -> Any:
        return _binary("divide", lambda a, b: a / b, self, other)

    def __rtruediv__(self, other: Any) -> Any:
        return _binary("divide", lambda a, b: b / a, self, other)

    def __matmul__(self, other: Any) -> Any:
        return _binary("matmul", lambda a, b: a @ b, self, other)

    def __pow__(self, other: Any) -> Any:
        return _binary("power", lambda a, b: a**b, self, other)

    def __neg__(self) -> Any:
        return self._op("negative", lambda a: -a)

    def __getitem__(self, index: Any) -> Any:
        return self._op("get_item", lambda a: a[index])


def _binary(name: str, fn: Any, a: KerasTensor, b: Any) -> Any:
    from .core import Lambda

    if isinstance(b, KerasTensor):
        return Lambda(lambda xs: fn(xs[0], xs[1]), name=unique_name(name))([a, b])
    return Lambda(lambda x: fn(x, b), name=unique_name(name))(a)


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
        first = inputs if isinstance(inputs, KerasTensor) else None
        if first is not None and layer._input_shape_arg is not None:
            _check_compatible(layer, layer._input_shape_arg, first.shape)
        layer._build_shapes_arg = shapes
        layer.build(shapes)
        layer.built = True
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


def _check_compatible(layer: Layer, expected: Shape, got: Shape) -> None:
    if len(expected) != len(got) or any(
        e is not None and g is not None and e != g for e, g in zip(expected, got, strict=True)
    ):
        raise ValueError(f"layer {layer.name!r} expects inputs of shape {expected}, got {got}")


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
        if shape is None and "input_shape" in kwargs:
            shape = kwargs.pop("input_shape")
        if batch_shape is None and "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        kwargs.pop("ragged", None)
        if sparse:
            raise ValueError("Input: sparse inputs are not supported by nnlab.keras")
        if shape is not None and batch_shape is not None:
            raise ValueError("Input: give shape= or batch_shape=, not both")
        if batch_shape is not None:
            full = as_shape(batch_shape, "Input: batch_shape")
        elif shape is not None:
            full = (batch_size, *as_shape(shape, "Input: shape"))
        else:
            raise ValueError("Input: shape= (the shape of one sample, e.g. (784,)) is required")
        if not full:
            raise ValueError("Input: the shape needs a batch axis, got ()")
        super().__init__(name=name or unique_name("input_layer"), dtype=dtype, **kwargs)
        self.batch_shape: Shape = full
        self.built = True
        self.optional = optional
        tensor = KerasTensor(full, dtype=self.dtype, name=self.name)
        node = Node(self, [], tensor, (), {})
        tensor._keras_history = (node, 0)
        self._inbound_nodes.append(node)
        self.output_tensor = tensor

    @property
    def input_dim(self) -> int | None:
        """The width of 2-D inputs (the old nnlab name), else None."""
        return self.batch_shape[1] if len(self.batch_shape) == 2 else None

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return self.batch_shape

    def get_config(self) -> dict[str, Any]:
        return {
            "batch_shape": list(self.batch_shape),
            "dtype": self.dtype,
            "sparse": False,
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
