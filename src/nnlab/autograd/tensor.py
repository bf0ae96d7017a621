"""``Tensor``: an ndarray that remembers how it was computed, and reverse-mode differentiation.

Every op on tensors that need a gradient records a node (a :class:`Function`) holding its inputs.
``backward()`` walks that graph once, from the output to the leaves, in reverse topological
order (computed iteratively: a chain of 100,000 ops is fine), applying the chain rule

    dL/d(input) = sum over uses of  dL/d(output) * d(output)/d(input).

Gradients of intermediate tensors live in a dict that is dropped when ``backward`` returns; leaf
tensors (created by the user with ``requires_grad=True``) *accumulate* into ``.grad`` across calls,
as in PyTorch, until ``zero_grad()`` clears them.

In-place changes (PyTorch's version counter, made cheap). A node's backward reads the arrays
its forward saw; if one of them is changed in place before ``backward()``, the gradient would be
computed at the new values, silently wrong. So every in-place write that goes through a tensor
reads a global *write clock* forward by one and stamps the tensor with it (``_version``), and
every recorded node keeps the clock's reading at its creation (``Function.stamp``): one integer
per op, no per-input bookkeeping. ``backward()`` raises, naming the op, when an input (or the
output) of a node that saves values carries a stamp newer than the node's. Writes that stamp:

- assigning ``t.data = array``, and every augmented assignment ``t.data += d``, ``t.data -= d``,
  ``t.data *= s`` (Python stores the result back through the same attribute);
- ``t[index] = value`` (:meth:`Tensor.__setitem__`, under ``no_grad`` for a tensor that
  requires grad, as in PyTorch);
- :func:`increment_version`, which the optimizers call after updating ``p.data`` in place
  (``np.subtract(x, step, out=x)``), as ``torch.autograd.graph.increment_version``.

A write into the array itself, ``t.data[...] = v`` or ``np.copyto(t.data, v)``, goes to NumPy
directly and cannot be seen without an ndarray subclass (a Python hook on every NumPy call) or
a checksum of every saved array (O(n) per op); as in PyTorch, where ``.data`` writes are not
tracked either, use ``t[...] = v`` or ``t.data = ...`` when a graph may still need the values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .grad_mode import grad_mode

if TYPE_CHECKING:
    from .function import Function

Scalar = int | float
ArrayLike = Any


def _as_array(data: ArrayLike, dtype: Any = None) -> np.ndarray:
    """Convert user data: float64 ndarrays stay float64; lists and scalars become float32."""
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        return np.asarray(data, dtype=dtype)
    if isinstance(data, np.ndarray | np.generic):
        arr = np.asarray(data)
        if arr.dtype == np.float16:
            return arr.astype(np.float32)
        return arr
    arr = np.asarray(data)
    if arr.dtype.kind == "f" or arr.dtype.kind == "c":
        return arr.astype(np.float32)
    if arr.dtype.kind in "iub":
        return arr
    raise TypeError(f"tensor: cannot make a tensor from {type(data).__name__} (dtype {arr.dtype})")


class _WriteClock:
    """A counter read forward by every in-place write through a tensor (see the module doc)."""

    __slots__ = ("now",)

    def __init__(self) -> None:
        self.now = 0

    def tick(self) -> int:
        self.now += 1
        return self.now


write_clock = _WriteClock()


def increment_version(tensors: Tensor | Iterable[Tensor]) -> None:
    """Record that ``tensors`` were modified in place through their arrays (``p.data``), so that
    a graph recorded before the change refuses to differentiate through the old values.

    The optimizers call it after each update (``torch.autograd.graph.increment_version``).
    """
    for t in [tensors] if isinstance(tensors, Tensor) else tensors:
        t._version = write_clock.tick()


def sum_to_shape(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Un-broadcast: sum ``grad`` down to ``shape`` (the adjoint of NumPy broadcasting).

    Leading axes that broadcasting added are summed away, then every axis where ``shape`` has 1
    and ``grad`` does not is summed with ``keepdims``.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    if grad.shape != shape:  # e.g. a scalar gradient for an array input
        grad = np.broadcast_to(grad, shape)
    return grad


class Tensor:
    """An n-dimensional array with an optional gradient.

    Attributes:
        data: the values, always a ``numpy.ndarray`` (0-d for a scalar). Assigning to it (or
            ``t.data -= ...``) counts as an in-place change (see the module doc).
        grad: dL/d(self) after ``backward()`` (an ndarray of the same shape as ``data``) or
            None. For a leaf it accumulates over backward calls until :meth:`zero_grad`.
        requires_grad: whether gradients flow to this tensor.
    """

    __slots__ = ("_data", "grad", "requires_grad", "_fn", "_version", "__weakref__")
    __array_ufunc__ = None  # ``ndarray + Tensor`` defers to Tensor.__radd__
    _data: np.ndarray
    grad: np.ndarray | None
    requires_grad: bool
    _fn: Function | None
    #: the write clock's reading at the last in-place change of this tensor (0: never changed)
    _version: int

    def __init__(self, data: ArrayLike, requires_grad: bool = False, dtype: Any = None) -> None:
        arr = _as_array(data, dtype)
        if requires_grad and arr.dtype.kind != "f":
            raise TypeError(
                f"tensor: only floating-point tensors can require grad, got dtype {arr.dtype}; "
                "pass dtype=np.float32 (or float64) to convert"
            )
        self._data = arr
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self._fn = None
        self._version = 0

    @property
    def data(self) -> np.ndarray:
        return self._data

    @data.setter
    def data(self, value: ArrayLike) -> None:
        self._data = value if type(value) is np.ndarray else np.asarray(value)
        self._version = write_clock.tick()

    # ----------------------------------------------------------------- array protocol
    @property
    def shape(self) -> tuple[int, ...]:
        return self._data.shape

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    @property
    def size(self) -> int:
        return self._data.size

    @property
    def is_leaf(self) -> bool:
        """True for tensors the user created (not the output of a recorded op)."""
        return self._fn is None

    def __len__(self) -> int:
        return len(self._data)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        if copy:
            return np.array(self._data, dtype=dtype, copy=True)
        return self._data if dtype is None else self._data.astype(dtype, copy=False)

    def numpy(self) -> np.ndarray:
        """The values as an ndarray (shared, not copied)."""
        return self._data

    def item(self) -> float:
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise ValueError(
                f"item: tensor of shape {self.shape} has {self._data.size} elements; only a "
                "one-element tensor converts to a Python number"
            )
        return self._data.item()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def detach(self) -> Tensor:
        """A tensor sharing the same data, cut from the graph (requires_grad=False)."""
        return Tensor(self._data)

    def __repr__(self) -> str:
        body = np.array2string(self._data, precision=4, separator=", ", prefix="tensor(")
        extra = f", dtype={self._data.dtype}"
        if self._fn is not None:
            extra += f", grad_fn={self._fn.name}"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    __hash__ = object.__hash__

    def __setitem__(self, index: Any, value: Any) -> None:
        """``t[index] = value``: write into the values in place (not differentiable).

        As in PyTorch, a tensor that requires grad may be written only under ``no_grad()``
        (setting parameters); a graph recorded earlier that saved this tensor then refuses to
        run ``backward()``.
        """
        if self.requires_grad and grad_mode.enabled:
            raise RuntimeError(
                "setitem: in-place assignment into a tensor that requires grad is not recorded "
                "in the graph; do it under nnlab.no_grad() (e.g. to set parameters), or build a "
                "new tensor with where() or concatenate()"
            )
        self._data[_raw_index(index)] = _raw(value)
        self._version = write_clock.tick()

    # ----------------------------------------------------------------- autodiff
    def zero_grad(self) -> None:
        """Clear the accumulated gradient."""
        self.grad = None

    def backward(self, grad: ArrayLike | None = None) -> None:
        """Compute dself/dleaf for every leaf that requires grad, accumulating into ``leaf.grad``.

        Args:
            grad: dL/d(self), the same shape as ``self``. May be omitted only for a scalar
                (one-element) tensor, where it is 1.

        Calling ``backward`` twice on the same graph adds the gradients twice (the graph is kept);
        call ``zero_grad()`` (or an optimizer's) between steps. Raises ``RuntimeError`` when a
        value a node saved was modified in place since (see the module doc).
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward: this tensor does not require grad (no input of the computation had "
                "requires_grad=True, or it was computed inside no_grad())"
            )
        if grad is None:
            if self._data.size != 1:
                raise RuntimeError(
                    f"backward: output has shape {self.shape}; a gradient can be implied only for "
                    "a scalar output. Pass grad= (dL/doutput, same shape), or reduce first "
                    "(e.g. .sum() or .mean())"
                )
            seed = np.array(1, dtype=self._data.dtype).reshape(self._data.shape)
        else:
            seed = np.asarray(grad.data if isinstance(grad, Tensor) else grad, self._data.dtype)
            if seed.shape != self._data.shape:
                raise ValueError(
                    f"backward: grad has shape {seed.shape}, but the tensor has shape {self.shape}"
                )
        if self._fn is None:
            self._accumulate(seed)
            return
        # keyed by the tensor itself: hashing is by identity, and a dict compares keys with
        # ``is`` before ``==``, so Tensor.__eq__ (elementwise) is never called here
        grads: dict[Tensor, np.ndarray] = {self: seed}
        for node in _topological_order(self):
            g = grads.pop(node, None)
            if g is None:  # no path from the output carried a gradient here
                continue
            fn = node._fn
            assert fn is not None
            if fn.saves_tensors:
                _check_unmodified(node, fn)
            fresh = fn.fresh_grads
            for inp, gi in zip(fn.inputs, fn.backward(g), strict=True):
                if gi is None or not inp.requires_grad:
                    continue
                if gi.shape != inp._data.shape:
                    gi = sum_to_shape(gi, inp._data.shape)
                if inp._fn is None:
                    # a fresh array that owns its memory can become .grad as it is
                    inp._accumulate(gi, fresh and gi.base is None)
                elif inp in grads:
                    grads[inp] = grads[inp] + gi
                else:
                    grads[inp] = gi

    def _accumulate(self, g: np.ndarray, owned: bool = False) -> None:
        """Add ``g`` into ``.grad``. Unless ``owned`` (nobody else holds ``g``), the first
        gradient is copied: it may alias an array kept elsewhere in the graph. ``.grad`` is
        always an ndarray of this tensor's dtype (NumPy turns 0-d results into scalars)."""
        if type(g) is not np.ndarray or g.dtype != self._data.dtype:
            g, owned = np.array(g, dtype=self._data.dtype), True
        if self.grad is None:
            self.grad = g if owned else np.array(g, copy=True)
        else:
            self.grad += g

    # ----------------------------------------------------------------- operators
    # An operand of a type the engine does not know gets NotImplemented, so that Python asks that
    # operand's own reflected operator (a symbolic KerasTensor records ``Tensor + x`` that way)
    # or raises its usual "unsupported operand type(s)" TypeError.
    def __add__(self, other: Any) -> Tensor:
        if type(other) is not Tensor and _foreign(other):
            return NotImplemented
        return ops.add(self, other)

    def __radd__(self, other: Any) -> Tensor:
        if type(other) is not Tensor and _foreign(other):
            return NotImplemented
        return ops.add(other, self)

    def __sub__(self, other: Any) -> Tensor:
        if type(other) is not Tensor and _foreign(other):
            return NotImplemented
        return ops.sub(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        if type(other) is not Tensor and _foreign(other):
            return NotImplemented
        return ops.sub(other, self)

    def __mul__(self, other: Any) -> Tensor:
        if type(other) is not Tensor and _foreign(other):
            return NotImplemented
        return ops.mul(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        if type(other) is not Tensor and _foreign(other):
            return NotImplemented
        return ops.mul(other, self)

    def __truediv__(self, other: Any) -> Tensor:
        if type(other) is not Tensor and _foreign(other):
            return NotImplemented
        return ops.div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        if type(other) is not Tensor and _foreign(other):
            return NotImplemented
        return ops.div(other, self)

    def __pow__(self, other: Any) -> Tensor:
        if type(other) is not Tensor and _foreign(other):
            return NotImplemented
        return ops.pow(self, other)

    def __rpow__(self, other: Any) -> Tensor:
        if type(other) is not Tensor and _foreign(other):
            return NotImplemented
        return ops.pow(other, self)

    def __matmul__(self, other: Any) -> Tensor:
        if type(other) is not Tensor and _foreign(other):
            return NotImplemented
        return ops.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        if type(other) is not Tensor and _foreign(other):
            return NotImplemented
        return ops.matmul(other, self)

    def __neg__(self) -> Tensor:
        return ops.neg(self)

    def __pos__(self) -> Tensor:
        return self

    def __getitem__(self, index: Any) -> Tensor:
        return shape_ops.getitem(self, index)

    # comparisons: plain boolean arrays (not differentiable)
    def __lt__(self, other: Any) -> np.ndarray:
        return self._data < _raw(other)

    def __le__(self, other: Any) -> np.ndarray:
        return self._data <= _raw(other)

    def __gt__(self, other: Any) -> np.ndarray:
        return self._data > _raw(other)

    def __ge__(self, other: Any) -> np.ndarray:
        return self._data >= _raw(other)

    def __eq__(self, other: Any) -> np.ndarray:  # type: ignore[override]
        return self._data == _raw(other)

    def __ne__(self, other: Any) -> np.ndarray:  # type: ignore[override]
        return self._data != _raw(other)

    # ----------------------------------------------------------------- methods
    def sum(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Tensor:
        return reduce_ops.sum(self, axis, keepdims)

    def mean(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Tensor:
        return reduce_ops.mean(self, axis, keepdims)

    def max(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Tensor:
        return reduce_ops.max(self, axis, keepdims)

    def min(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Tensor:
        return reduce_ops.min(self, axis, keepdims)

    def logsumexp(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Tensor:
        return nn_ops.logsumexp(self, axis, keepdims)

    def reshape(self, *shape: Any) -> Tensor:
        if len(shape) == 1 and isinstance(shape[0], tuple | list):
            shape = tuple(shape[0])
        return shape_ops.reshape(self, shape)

    def transpose(self, *axes: Any) -> Tensor:
        if len(axes) == 1 and isinstance(axes[0], tuple | list):
            axes = tuple(axes[0])
        return shape_ops.transpose(self, axes or None)

    @property
    def T(self) -> Tensor:
        return shape_ops.transpose(self, None)

    def exp(self) -> Tensor:
        return unary_ops.exp(self)

    def log(self) -> Tensor:
        return unary_ops.log(self)

    def sqrt(self) -> Tensor:
        return unary_ops.sqrt(self)

    def abs(self) -> Tensor:
        return unary_ops.abs(self)

    def tanh(self) -> Tensor:
        return unary_ops.tanh(self)

    def sigmoid(self) -> Tensor:
        return unary_ops.sigmoid(self)

    def relu(self) -> Tensor:
        return unary_ops.relu(self)

    def clip(self, min: float | None = None, max: float | None = None) -> Tensor:
        return unary_ops.clip(self, min, max)

    def softmax(self, axis: int = -1) -> Tensor:
        return nn_ops.softmax(self, axis)

    def log_softmax(self, axis: int = -1) -> Tensor:
        return nn_ops.log_softmax(self, axis)


def _raw(x: Any) -> Any:
    return x._data if isinstance(x, Tensor) else x


def _raw_index(index: Any) -> Any:
    """An index with every Tensor in it replaced by its array."""
    if isinstance(index, tuple):
        return tuple(_raw(i) for i in index)
    return _raw(index)


def _check_unmodified(out: Tensor, fn: Function) -> None:
    """Raise when an input or the output of ``fn`` was written in place after ``fn`` ran."""
    stamp = fn.stamp
    for k, t in enumerate(fn.inputs):
        if t._version > stamp:
            what = f"input {k} (shape {t.shape}, dtype {t.dtype})"
            break
    else:
        if out._version <= stamp:
            return
        what = f"its output (shape {out.shape}, dtype {out.dtype})"
    raise RuntimeError(
        f"backward: {what} of {fn.name} was modified in place after {fn.name} saved it for "
        "the backward pass, so the gradient would be computed at the new values. Recompute "
        "the forward pass after changing it (e.g. call optimizer.step() only after backward())"
    )


def _topological_order(root: Tensor) -> list[Tensor]:
    """Non-leaf tensors reachable from ``root``, each after every tensor that uses it.

    Iterative depth-first post-order (no recursion limit): a node is emitted after all of its
    inputs; reversed, every node comes before its inputs, so its gradient is complete when used.
    """
    order: list[Tensor] = []
    visited: set[Tensor] = set()
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if node in visited:
            continue
        visited.add(node)
        stack.append((node, True))
        for inp in node._fn.inputs:  # type: ignore[union-attr]
            if inp._fn is not None and inp not in visited:
                stack.append((inp, False))
    order.reverse()
    return order


def tensor(data: ArrayLike, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    """Make a tensor. float64 ndarrays stay float64; lists and Python scalars become float32;
    integer data stays integer (and cannot require grad). ``dtype`` forces a dtype."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


_OPERAND_TYPES = (Tensor, np.ndarray, np.generic, int, float, complex, list, tuple)


def _foreign(other: Any) -> bool:
    """Whether ``other`` is no operand of the engine's operators (see ``Tensor.__add__``):
    neither a tensor, an array, a number or a sequence, nor an array-like (``__array__``)."""
    return not isinstance(other, _OPERAND_TYPES) and not hasattr(other, "__array__")


# the modules behind the operators and methods above; imported last since they build on Tensor
from . import nn_ops, ops, reduce_ops, shape_ops, unary_ops  # noqa: E402
