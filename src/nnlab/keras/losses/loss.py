"""Shape helpers shared by losses and metrics."""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T")


def _squeeze_last(x: Any) -> Any:
    return x.reshape(x.shape[:-1])


def _expand_last(x: Any) -> Any:
    return x.reshape((*x.shape, 1))


def squeeze_or_expand_to_same_rank(x1: T, x2: Any, expand_rank_1: bool = True) -> tuple[T, Any]:
    """Keras's rank matching for two arrays/Tensors whose ranks differ by one with a last axis
    of size 1: that axis is squeezed, or (when the other is 1-D and ``expand_rank_1``) the 1-D
    one gains a trailing axis. Any other pair is returned unchanged."""
    r1, r2 = len(x1.shape), len(x2.shape)  # type: ignore[attr-defined]
    if r1 == r2 + 1 and x1.shape[-1] == 1:  # type: ignore[attr-defined]
        if r2 == 1 and expand_rank_1:
            return x1, _expand_last(x2)
        return _squeeze_last(x1), x2
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            return _expand_last(x1), x2
        return x1, _squeeze_last(x2)
    return x1, x2
