"""What every optimizer in nnlab shares (``nnlab.optim`` and ``nnlab.keras.optimizers``).

An optimizer keeps, for each parameter it has updated, a small dict of running arrays (momentum,
second moments, ...). The dict is keyed by the parameter object itself, never by its position in
a list: handing the optimizer another model's parameters (even as many, with the same shapes)
starts fresh state for them instead of reusing the first model's.

Updates are in place (``p.data`` keeps its array object; ``increment_version(p)`` then marks it
modified, so a graph recorded before the step refuses ``backward()``, as in PyTorch), and the
temporaries of an update live in scratch buffers shaped like the parameter, allocated once and
reused at every step.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..autograd import Tensor, increment_version
from ..autograd.parallel import for_chunks

__all__ = ["SMALL", "OptimizerBase", "check_learning_rate", "for_blocks"]

SMALL = 1 << 12  # elements: below this, an update's temporaries cost less than reusing buffers


def for_blocks(fn: Callable[..., object], *arrays: np.ndarray, passes: int = 1) -> None:
    """``fn(*part)`` on the arrays (same shape) cut into matching contiguous flat parts, one per
    engine thread (``autograd.parallel``), so that a large parameter is updated on every core;
    the result is the same as ``fn(*arrays)``.

    ``passes`` (the update's passes over the data: Adam makes about twelve) sizes the job: a
    small one runs whole on the calling thread, since a thread hand-off costs more than it
    saves. Cutting further, into cache-sized blocks each run through all the passes, measured
    15-30% slower on one thread than whole arrays (AMD EPYC, 2 cores: the arrays fit in L3),
    so a part is never cut again. Arrays that are not all C-contiguous run whole.
    """
    size = arrays[0].size
    if not all(a.flags.c_contiguous for a in arrays):
        fn(*arrays)
        return

    def run(part: slice) -> None:
        if part.stop - part.start == size:
            fn(*arrays)
        else:
            fn(*(a.reshape(-1)[part] for a in arrays))

    for_chunks(size, run, size * passes)


def check_learning_rate(value: Any, where: str) -> float:
    """``value`` as a float; ValueError naming ``where`` (e.g. ``'SGD: lr'``) unless it is a
    finite real number >= 0 (NaN and ±inf are rejected: they would silently ruin the weights)."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float | np.integer | np.floating)
        or not (math.isfinite(value) and value >= 0)
    ):
        raise ValueError(f"{where} must be a finite number >= 0, got {value!r}")
    return float(value)


class OptimizerBase:
    """Per-parameter state and scratch buffers.

    Attributes:
        state: parameter -> dict of its running arrays (created on the parameter's first update).
    """

    def __init__(self) -> None:
        self.state: dict[Tensor, dict[str, Any]] = {}
        self._scratch: dict[Tensor, list[np.ndarray]] = {}

    def _state(self, p: Tensor) -> dict[str, Any]:
        """``p``'s state dict, created empty (or by ``_init_state``) on first use."""
        state = self.state.get(p)
        if state is None:
            state = self.state[p] = self._init_state(p)
        return state

    def _init_state(self, p: Tensor) -> dict[str, Any]:
        """The state of a parameter seen for the first time (subclasses fill it)."""
        return {}

    def _buffer(self, p: Tensor, slot: int = 0) -> np.ndarray:
        """Scratch array number ``slot`` shaped like ``p.data`` (reused; contents undefined)."""
        x = p.data
        bufs = self._scratch.get(p)
        if bufs is not None and slot < len(bufs):
            buf = bufs[slot]
            if buf.shape == x.shape and buf.dtype == x.dtype:
                return buf  # the usual case
        if bufs is None:
            bufs = self._scratch[p] = []
        while len(bufs) <= slot:
            bufs.append(np.empty_like(x))
        bufs[slot] = np.empty_like(x)
        return bufs[slot]

    @staticmethod
    def _updated(p: Tensor) -> None:
        """Mark ``p`` modified in place: a graph recorded before this step may not use it."""
        increment_version(p)
