"""The stateful metric API of Keras 3: ``Metric`` and its state ``Variable``.

A metric accumulates state over batches and reports a value from it::

    m = Mean()
    m.update_state([1, 3, 5, 7])                         # total = 16, count = 4
    m.update_state([2], sample_weight=[2])               # total = 20, count = 6
    m.result()                                           # 20 / 6
    m.reset_state()                                      # total = count = 0

State lives in ``Variable`` objects created by ``add_variable`` (``add_weight`` is its alias),
as in Keras; ``variables`` lists them in creation order (then those of nested metrics). A
Variable behaves like a NumPy array in arithmetic (``self.total + values``) and is changed with
``assign``, ``assign_add`` and ``assign_sub``. Metrics compute on NumPy arrays (no graph):
inputs may be arrays, lists or nnlab Tensors, and are cast to the metric's dtype (float32).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab.autograd import Tensor

from ..losses.loss import auto_name

__all__ = ["Metric", "Variable", "to_array"]


def to_array(x: Any, dtype: Any = None) -> np.ndarray:
    """An ndarray view of ``x`` (a Tensor's data, a Variable's value, a list, a scalar)."""
    if isinstance(x, Tensor):
        x = x.data
    elif isinstance(x, Variable):
        x = x.value
    arr = np.asarray(x)
    return arr if dtype is None else arr.astype(dtype, copy=False)


def _initial_value(initializer: Any, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    if isinstance(initializer, np.ndarray | Tensor | Variable) or hasattr(initializer, "__array__"):
        return np.broadcast_to(to_array(initializer, dtype), shape).copy()  # an initial value
    if initializer is None or initializer == "zeros":
        return np.zeros(shape, dtype)
    if initializer == "ones":
        return np.ones(shape, dtype)
    if callable(initializer):
        return np.asarray(initializer(shape, dtype=dtype), dtype=dtype)
    if np.isscalar(initializer):
        return np.full(shape, initializer, dtype)
    raise ValueError(
        f"add_variable: unknown initializer {initializer!r}; expected 'zeros', 'ones', a number "
        "or a callable(shape, dtype)"
    )


class Variable(np.lib.mixins.NDArrayOperatorsMixin):
    """A metric's state: an ndarray ``value`` changed only through ``assign*``.

    Arithmetic and NumPy functions see the current value (``v + 1``, ``np.sum(v)``)."""

    def __init__(self, value: np.ndarray, name: str, path: str | None = None) -> None:
        self.value = value
        self.name = name
        self.path = path or name  # 'metric_name/variable_name' when made by add_variable

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    @property
    def dtype(self) -> np.dtype:
        return self.value.dtype

    def numpy(self) -> np.ndarray:
        return self.value.copy()

    def assign(self, value: Any) -> None:
        new = to_array(value, self.dtype)
        if new.shape != self.shape:
            new = np.broadcast_to(new, self.shape)
        self.value = np.array(new, dtype=self.dtype)

    def assign_add(self, value: Any) -> None:
        self.assign(self.value + to_array(value, self.dtype))

    def assign_sub(self, value: Any) -> None:
        self.assign(self.value - to_array(value, self.dtype))

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.value if dtype is None else self.value.astype(dtype)

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        arrays = [to_array(x) if isinstance(x, Variable | Tensor) else x for x in inputs]
        return getattr(ufunc, method)(*arrays, **kwargs)

    def __float__(self) -> float:
        return float(self.value)

    def __repr__(self) -> str:
        return f"<Variable name={self.name} shape={self.shape} value={self.value}>"


def _walk(values: list[Any]) -> list[Any]:
    """The Variables and Metrics among ``values``, looking into lists, tuples and dicts."""
    out: list[Any] = []
    for value in values:
        if isinstance(value, Metric | Variable) or (
            hasattr(value, "assign") and hasattr(value, "shape")
        ):
            out.append(value)
        elif isinstance(value, list | tuple):
            out.extend(_walk(list(value)))
        elif isinstance(value, dict):
            out.extend(_walk(list(value.values())))
    return out


class Metric:
    """Base of every metric: subclasses create their state in ``__init__`` with
    ``add_variable`` and implement ``update_state(...)`` and ``result()``.

    ``reset_state()`` sets every variable back to zeros (as Keras); ``m(y_true, y_pred)`` is
    ``update_state`` then ``result``. ``name`` defaults to the snake-case class name."""

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        self.name = name or auto_name(type(self).__name__)
        self._dtype = np.dtype(dtype or "float32")
        self._variables: list[Variable] = []

    @property
    def dtype(self) -> str:
        return self._dtype.name

    def add_variable(
        self,
        shape: Any = (),
        initializer: Any = "zeros",
        dtype: Any = None,
        aggregation: str = "sum",
        name: str | None = None,
    ) -> Variable:
        """A new state variable of ``shape`` (float32 unless ``dtype``), kept in ``variables``."""
        if "_variables" not in vars(self):
            raise RuntimeError(
                f"{type(self).__name__}: call super().__init__() before add_variable"
            )
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        dt = np.dtype(dtype or self._dtype)
        name = name or f"variable_{len(self._variables)}"
        var = Variable(_initial_value(initializer, shape, dt), name, f"{self.name}/{name}")
        self._variables.append(var)
        return var

    def add_weight(
        self,
        shape: Any = (),
        initializer: Any = "zeros",
        dtype: Any = None,
        name: str | None = None,
    ) -> Variable:
        """Keras's older name for :meth:`add_variable`."""
        return self.add_variable(shape=shape, initializer=initializer, dtype=dtype, name=name)

    @property
    def variables(self) -> list[Variable]:
        """The state: variables made by ``add_variable``, then those kept in attributes (also in
        lists and dicts) and those of metrics kept in attributes, in assignment order."""
        out = list(self._variables)
        seen = {id(v) for v in out}
        for value in _walk(list(vars(self).values())):
            found = value.variables if isinstance(value, Metric) else [value]
            for v in found:
                if id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
        return out

    def _swap_values(self, values: Any) -> list[np.ndarray]:
        """Give the variables ``values`` (in ``variables`` order); return their old values."""
        variables = self.variables
        if len(values) != len(variables):
            raise ValueError(
                "Argument `metric_variables` must be a list of tensors corresponding 1:1 to "
                f"{type(self).__name__}().variables. Received list with length {len(values)}, "
                f"but expected {len(variables)} variables."
            )
        old = [v.numpy() for v in variables]
        for v, value in zip(variables, values, strict=True):
            v.assign(value)
        return old

    def stateless_update_state(self, metric_variables: Any, *args: Any, **kwargs: Any) -> list:
        """The variables' values after ``update_state`` from ``metric_variables``; the metric's
        own state is left as it was."""
        old = self._swap_values(metric_variables)
        try:
            self.update_state(*args, **kwargs)
            return [v.numpy() for v in self.variables]
        finally:
            self._swap_values(old)

    def stateless_result(self, metric_variables: Any) -> Any:
        """``result()`` computed from ``metric_variables``, the metric's state unchanged."""
        old = self._swap_values(metric_variables)
        try:
            return self.result()
        finally:
            self._swap_values(old)

    def stateless_reset_state(self) -> list:
        """The variables' values after ``reset_state``, the metric's state unchanged."""
        old = [v.numpy() for v in self.variables]
        try:
            self.reset_state()
            return [v.numpy() for v in self.variables]
        finally:
            self._swap_values(old)

    def update_state(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement update_state")

    def result(self) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement result")

    def reset_state(self) -> None:
        for v in self.variables:
            v.assign(np.zeros(v.shape, v.dtype))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"
