"""Whether operations record the graph: ``no_grad`` / ``enable_grad``, per thread."""

from __future__ import annotations

import contextlib
import threading


class _GradMode(threading.local):
    """Whether ops record the graph, per thread (``no_grad`` in one thread must not switch
    recording off under a training step running in another)."""

    enabled = True


grad_mode = _GradMode()


def is_grad_enabled() -> bool:
    """True when operations record the graph (the default); False inside ``no_grad()``."""
    return grad_mode.enabled


class no_grad(contextlib.ContextDecorator):
    """Context manager and decorator: no graph is recorded inside (evaluation, prediction, updates).

    >>> with no_grad():
    ...     y = w * 2   # y.requires_grad is False, nothing is kept for backward
    """

    def _recreate_cm(self) -> no_grad:
        # a fresh instance per decorated call: recursion and threads each keep their own state
        return type(self)()

    def __enter__(self) -> None:
        self._prev = grad_mode.enabled
        grad_mode.enabled = False

    def __exit__(self, *exc: object) -> None:
        grad_mode.enabled = self._prev


class enable_grad(contextlib.ContextDecorator):
    """Re-enable graph recording inside a ``no_grad`` block."""

    def _recreate_cm(self) -> enable_grad:
        # a fresh instance per decorated call: recursion and threads each keep their own state
        return type(self)()

    def __enter__(self) -> None:
        self._prev = grad_mode.enabled
        grad_mode.enabled = True

    def __exit__(self, *exc: object) -> None:
        grad_mode.enabled = self._prev
