"""The engine's op protocol: one ``Function`` subclass per op, forward and backward side by side.

A ``Function`` instance is one node of the computational graph. ``forward`` takes the input arrays
and returns the output array, saving on ``self`` whatever ``backward`` needs; ``backward`` takes
dL/d(output) and returns one gradient per input (``None`` for an input that needs none). A gradient
may come back in the broadcast shape of the output: the engine un-broadcasts it in exactly one
place, :func:`sum_to_shape`.
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .tensor import Tensor


class _GradMode(threading.local):
    """Whether ops record the graph, per thread (``no_grad`` in one thread must not switch
    recording off under a training step running in another)."""

    enabled = True


_grad_mode = _GradMode()


def is_grad_enabled() -> bool:
    """True when operations record the graph (the default); False inside ``no_grad()``."""
    return _grad_mode.enabled


class no_grad(contextlib.ContextDecorator):
    """Context manager and decorator: no graph is recorded inside (evaluation, prediction, updates).

    >>> with no_grad():
    ...     y = w * 2   # y.requires_grad is False, nothing is kept for backward
    """

    def _recreate_cm(self) -> no_grad:
        # a fresh instance per decorated call: recursion and threads each keep their own state
        return type(self)()

    def __enter__(self) -> None:
        self._prev = _grad_mode.enabled
        _grad_mode.enabled = False

    def __exit__(self, *exc: object) -> None:
        _grad_mode.enabled = self._prev


class enable_grad(contextlib.ContextDecorator):
    """Re-enable graph recording inside a ``no_grad`` block."""

    def _recreate_cm(self) -> enable_grad:
        # a fresh instance per decorated call: recursion and threads each keep their own state
        return type(self)()

    def __enter__(self) -> None:
        self._prev = _grad_mode.enabled
        _grad_mode.enabled = True

    def __exit__(self, *exc: object) -> None:
        _grad_mode.enabled = self._prev


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


class Function:
    """Base class of every differentiable op (a node of the graph).

    Subclasses implement ``forward(*arrays) -> ndarray`` and ``backward(grad) -> tuple``; options
    (an axis, a reduction) are passed to ``__init__``. Call an op with
    ``Op(options).apply(*tensors)``; the lowercase wrapper next to each op class does exactly that.
    """

    __slots__ = ("inputs",)
    inputs: tuple[Tensor, ...]
    #: True when ``backward`` returns newly allocated arrays, each returned once and kept
    #: nowhere else (a matmul's or a product's result): a leaf may then take such an array as
    #: its ``.grad`` without the defensive copy. False (the default) for ops that pass ``g``
    #: through (add), return views (reshape) or share one array between inputs.
    fresh_grads: bool = False

    def forward(self, *arrays: Any) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        raise NotImplementedError

    @property
    def name(self) -> str:
        """The op's name as shown in graph drawings and error messages."""
        return type(self).__name__

    def apply(self, *inputs: Tensor) -> Tensor:
        """Run ``forward`` on the inputs' arrays; record this node when a gradient is needed."""
        out = _new_tensor(_tensor_class)
        out.data = self.forward(*[t.data for t in inputs])
        out.grad = None
        if _grad_mode.enabled:
            for t in inputs:
                if t.requires_grad:
                    self.inputs = inputs
                    out.requires_grad = True
                    out._fn = self
                    return out
        out.requires_grad = False
        out._fn = None
        return out


# Set by ``tensor.py`` once ``Tensor`` exists (the two modules refer to each other).
_tensor_class: Any = None
_new_tensor = object.__new__
