"""``Operation``: one function of ``keras.ops`` as a node of the functional graph.

Called on Tensors, arrays or numbers, a ``keras.ops`` function computes its value (with the
engine's gradients). Called with a symbolic ``KerasTensor`` among its arguments (while a
functional model is being defined), it computes nothing: it makes an ``Operation`` (``Add``,
``ExpandDims``, ...), records a ``Node`` of the call and returns KerasTensors of the result's
shape, exactly as Keras 3 does. The operation appears in ``model.get_config()["layers"]`` (module
``keras.src.ops.numpy`` / ``nn`` / ``core``) but not in ``model.layers``, and the model reruns it
on real values.

Each op is declared once, by decorating its eager function with :func:`keras_op`, naming the
Keras class and which of its parameters are the operation's *config* (constructor arguments,
e.g. ``axis`` of ``ExpandDims``); the others are the call's arguments, recorded in the node.

The output shape of a symbolic call is found by running the eager function on ones of the input
shapes, once with every unknown dimension (None) set to 1 and once set to 2: a dimension that
differs between the two runs depends on an unknown one and is None.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from nnlab.autograd import Tensor, no_grad

from ..utils import snake_case, unique_name

__all__ = ["OPERATIONS", "Operation", "any_symbolic", "keras_op"]

OPERATIONS: dict[str, type[Operation]] = {}  # Keras class name -> class (for from_config)


def _flatten(x: Any) -> list[Any]:
    if isinstance(x, list | tuple):
        return [v for item in x for v in _flatten(item)]
    if isinstance(x, dict):
        return [v for item in x.values() for v in _flatten(item)]
    return [x]


def _map(x: Any, fn: Callable[[Any], Any]) -> Any:
    if isinstance(x, list | tuple):
        return type(x)(_map(v, fn) for v in x)
    if isinstance(x, dict):
        return {k: _map(v, fn) for k, v in x.items()}
    return fn(x)


def any_symbolic(*values: Any) -> bool:
    """Whether a KerasTensor is anywhere inside ``values`` (lists, tuples, dicts searched)."""
    from ..layers.input_layer import KerasTensor

    stack = list(values)
    while stack:
        value = stack.pop()
        if isinstance(value, KerasTensor):
            return True
        if isinstance(value, list | tuple):
            stack.extend(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
    return False


class Operation:
    """A Keras op object: ``name``, its config (the op's fixed arguments) and the nodes it made.

    ``op(*args, **kwargs)`` runs the op eagerly, or records a node when an argument is symbolic.
    """

    _fn: Callable[..., Any]
    _config_names: tuple[str, ...] = ()
    _call_names: tuple[str, ...] = ()
    _module = "keras.src.ops.numpy"

    def __init__(self, name: str | None = None, **config: Any) -> None:
        unknown = sorted(set(config) - set(self._config_names))
        if unknown:
            raise TypeError(f"{type(self).__name__}: unexpected argument(s) {unknown}")
        self.name = name or unique_name(snake_case(type(self).__name__))
        self.config = config
        self._inbound_nodes: list[Any] = []

    def call(self, *args: Any, **kwargs: Any) -> Any:
        named = dict(zip(self._call_names, args, strict=False))
        return type(self)._fn(**named, **kwargs, **self.config)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if any_symbolic(args, kwargs):
            return self.symbolic_call(*args, **kwargs)
        return self.call(*args, **kwargs)

    def symbolic_call(self, *args: Any, **kwargs: Any) -> Any:
        """Record ``self(*args, **kwargs)`` on KerasTensors: returns the symbolic outputs."""
        from ..layers.input_layer import KerasTensor, Node

        spec = self.compute_output_spec(*args, **kwargs)
        outputs = _map_specs(spec, lambda s: KerasTensor(s[0], dtype=s[1]))
        node = Node(self, args[0] if args else None, outputs, tuple(args[1:]), dict(kwargs))
        self._inbound_nodes.append(node)
        for i, t in enumerate(_flatten(outputs)):
            t._keras_history = (node, i)
        return outputs

    def compute_output_spec(self, *args: Any, **kwargs: Any) -> Any:
        """(shape, dtype) of each output for symbolic arguments (see the module docstring)."""
        first = self._trace(args, kwargs, 1)
        try:
            second = self._trace(args, kwargs, 2)
        except Exception:  # noqa: BLE001 - a shape valid only for size 1: keep the first run
            second = first

        def merge(a: Any, b: Any) -> Any:
            if isinstance(a, list | tuple) and not _is_spec(a):
                return type(a)(merge(x, y) for x, y in zip(a, b, strict=True))
            if isinstance(a, dict):
                return {k: merge(a[k], b[k]) for k in a}
            shape = tuple(d1 if d1 == d2 else None for d1, d2 in zip(a[0], b[0], strict=False))
            if len(a[0]) != len(b[0]):
                shape = tuple(a[0])
            return (shape, a[1])

        return merge(first, second)

    def _trace(self, args: Any, kwargs: Any, unknown: int) -> Any:
        from ..layers.input_layer import KerasTensor

        def concrete(v: Any) -> Any:
            if isinstance(v, KerasTensor):
                shape = tuple(unknown if d is None else d for d in v.shape)
                return Tensor(np.ones(shape, dtype=np.dtype(v.dtype)))
            return v

        with no_grad(), np.errstate(all="ignore"):
            out = self.call(*_map(list(args), concrete), **_map(dict(kwargs), concrete))

        def spec(t: Any) -> Any:
            arr = t.data if isinstance(t, Tensor) else np.asarray(t)
            return (tuple(int(d) for d in arr.shape), arr.dtype.name)

        return _map(out, spec) if isinstance(out, list | tuple | dict) else spec(out)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, **self.config}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Operation:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<Operation name={self.name}>"


def _is_spec(value: Any) -> bool:
    return (
        isinstance(value, tuple)
        and len(value) == 2
        and isinstance(value[0], tuple)
        and isinstance(value[1], str)
    )


def _map_specs(spec: Any, fn: Callable[[Any], Any]) -> Any:
    if _is_spec(spec):
        return fn(spec)
    if isinstance(spec, dict):
        return {k: _map_specs(v, fn) for k, v in spec.items()}
    return type(spec)(_map_specs(v, fn) for v in spec)


def keras_op(
    class_name: str, config: tuple[str, ...] = (), module: str = "numpy"
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Make the eager function ``fn`` a Keras op: ``class_name`` is its Operation class,
    ``config`` the parameters that are the operation's constructor arguments."""

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(fn)
        call_names = tuple(p for p in signature.parameters if p not in config)
        cls = type(
            class_name,
            (Operation,),
            {
                "_fn": staticmethod(fn),
                "_config_names": tuple(config),
                "_call_names": call_names,
                "_module": f"keras.src.ops.{module}",
                "__doc__": fn.__doc__,
                "__module__": __name__,
            },
        )
        OPERATIONS[class_name] = cls

        @functools.wraps(fn)
        def public(*args: Any, **kwargs: Any) -> Any:
            if not any_symbolic(args, kwargs):
                return fn(*args, **kwargs)
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            values = bound.arguments
            op = cls(**{k: values[k] for k in config if k in values})
            call_args = [values[k] for k in call_names if k in values]
            return op(*call_args)

        public.operation = cls  # type: ignore[attr-defined]
        return public

    return wrap
