"""The engine's op protocol: one ``Function`` subclass per op, forward and backward side by side.

A ``Function`` instance is one node of the computational graph. ``forward`` takes the input arrays
and returns the output array, saving on ``self`` whatever ``backward`` needs; ``backward`` takes
dL/d(output) and returns one gradient per input (``None`` for an input that needs none). A gradient
may come back in the broadcast shape of the output: the engine un-broadcasts it in exactly one
place, :func:`~nnlab.autograd.tensor.sum_to_shape`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .grad_mode import enable_grad, grad_mode, is_grad_enabled, no_grad
from .tensor import Tensor, sum_to_shape, write_clock

# what this module defined before grad_mode.py and tensor.py took them over, still importable here
__all__ = ["Function", "enable_grad", "is_grad_enabled", "no_grad", "sum_to_shape"]

_new_tensor = object.__new__


def _check_broadcast(op: str, arrays: list[np.ndarray]) -> None:
    """Raise the user-facing error when the inputs of an elementwise op do not broadcast."""
    try:
        np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        shapes = " and ".join(str(a.shape) for a in arrays)
        raise ValueError(f"{op}: shapes {shapes} cannot be broadcast together") from None


class Function:
    """Base class of every differentiable op (a node of the graph).

    Subclasses implement ``forward(*arrays) -> ndarray`` and ``backward(grad) -> tuple``; options
    (an axis, a reduction) are passed to ``__init__``. Call an op with
    ``Op(options).apply(*tensors)``; the lowercase wrapper under each op class does exactly that.

    Three optional class attributes describe an op to the engine; the defaults are always safe:

    - ``broadcasting``: True for elementwise ops whose inputs broadcast together; a shape
      mismatch is then reported by :meth:`apply` (``add: shapes (2, 3) and (4,) cannot be
      broadcast together``), so no op repeats that check.
    - ``saves_tensors`` (default True): the backward reads the values of the inputs or of the
      output, so ``backward()`` refuses to run if one of them was modified in place after this
      node was recorded (see :class:`~nnlab.autograd.tensor.Tensor`, "in-place changes"). Ops
      that only move or sum gradients (add, reshape, indexing, sum) set it to False.
    - ``fresh_grads`` (default False): an optional speed-up. True when ``backward`` returns
      newly allocated arrays, each returned once and kept nowhere else (a matmul's or a product's
      result): a leaf may then take such an array as its ``.grad`` without the defensive copy.
      Leave it False for ops that pass ``g`` through (add), return views (reshape) or share one
      array between inputs; False is never wrong, only a copy slower.
    """

    __slots__ = ("inputs", "stamp")
    inputs: tuple[Tensor, ...]
    #: the write clock's reading when this node was recorded (see ``saves_tensors``)
    stamp: int
    broadcasting: bool = False
    saves_tensors: bool = True
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
        """Run ``forward`` on the inputs' arrays; record this node when a gradient is needed.

        The output's ``data`` is always an ``ndarray`` (NumPy returns scalars for 0-d results).
        """
        arrays = [t._data for t in inputs]
        try:
            data = self.forward(*arrays)
        except ValueError:
            if self.broadcasting:
                _check_broadcast(self.name.lower(), arrays)
            raise
        out = _new_tensor(Tensor)
        out._data = data if type(data) is np.ndarray else np.asarray(data)
        out.grad = None
        out._version = 0
        if grad_mode.enabled:
            for t in inputs:
                if t.requires_grad:
                    self.inputs = inputs
                    self.stamp = write_clock.now
                    out.requires_grad = True
                    out._fn = self
                    return out
        out.requires_grad = False
        out._fn = None
        return out
