"""Nested structures of tensors as Keras 3 walks them (its ``tree`` module): lists and tuples in
order, dicts in sorted-key order; everything else is a leaf."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["flatten", "flatten_with_paths", "map_structure", "pack_like", "same_structure"]


def _children(x: Any) -> list[tuple[Any, Any]] | None:
    if isinstance(x, dict):
        return [(k, x[k]) for k in sorted(x)]
    if isinstance(x, list | tuple):
        return list(enumerate(x))
    return None


def same_structure(a: Any, b: Any) -> bool:
    """Whether ``a`` and ``b`` nest alike (Keras's ``assert_same_structure`` after
    ``lists_to_tuples``: a list and a tuple of the same length match; dicts need the same keys)."""
    if isinstance(a, dict) or isinstance(b, dict):
        if not (isinstance(a, dict) and isinstance(b, dict)) or set(a) != set(b):
            return False
        return all(same_structure(a[k], b[k]) for k in a)
    a_seq, b_seq = isinstance(a, list | tuple), isinstance(b, list | tuple)
    if a_seq or b_seq:
        if not (a_seq and b_seq) or len(a) != len(b):
            return False
        return all(same_structure(x, y) for x, y in zip(a, b, strict=True))
    return True


def flatten(x: Any) -> list[Any]:
    """The leaves of ``x``, in Keras's order."""
    return [leaf for _, leaf in flatten_with_paths(x)]


def flatten_with_paths(x: Any) -> list[tuple[str, Any]]:
    """(path, leaf) for each leaf: the keys and indices down to it joined by '.' ('' for a
    single leaf, '0', 'others.2', ...)."""
    out: list[tuple[str, Any]] = []
    stack: list[tuple[str, Any]] = [("", x)]
    while stack:
        path, item = stack.pop()
        children = _children(item)
        if children is None:
            out.append((path, item))
            continue
        for key, child in reversed(children):
            stack.append((f"{path}.{key}" if path else str(key), child))
    return out


def map_structure(fn: Callable[[Any], Any], x: Any) -> Any:
    """``x`` with ``fn`` applied to every leaf (lists, tuples and dicts kept)."""
    if isinstance(x, dict):
        return {k: map_structure(fn, v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return type(x)(map_structure(fn, v) for v in x)
    return fn(x)


def pack_like(structure: Any, flat: list[Any]) -> Any:
    """The leaves ``flat`` (in :func:`flatten`'s order) put back into ``structure``'s shape."""
    it = iter(flat)

    def build(x: Any) -> Any:
        if isinstance(x, dict):
            values = {k: build(x[k]) for k in sorted(x)}
            return {k: values[k] for k in x}
        if isinstance(x, list | tuple):
            return type(x)(build(v) for v in x)
        return next(it)

    return build(structure)
