"""Atomic file writes and conversion of lab results to plain JSON.

Every file nnlab writes for a report (``metrics.json``, ``report.html``, the PNG figures, the index)
goes through :func:`write_bytes_atomic`: the bytes go to a temporary file in the same directory,
which then replaces the target with :func:`os.replace`, so a reader never sees a half-written file
(:mod:`nnlab.atomic`; the umask decides the permissions).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from nnlab.atomic import atomic_writer


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (:func:`nnlab.atomic.atomic_writer`); return it."""
    with atomic_writer(path) as f:
        f.write(data)
    return Path(path)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` as UTF-8 to ``path`` atomically."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def to_jsonable(value: Any) -> Any:
    """Convert ``value`` to plain JSON types.

    NumPy scalars become Python numbers, arrays become (nested) lists, tuples and sets become lists,
    mapping keys become strings (``{0: 1.5}`` -> ``{"0": 1.5}``). Non-finite floats (a diverged
    loss) become ``null``, since ``NaN`` and ``Infinity`` are not JSON. Anything else raises
    ``TypeError`` naming the type.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, Mapping):
        return {_json_key(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return [to_jsonable(item) for item in items]
    raise TypeError(
        f"to_jsonable: cannot store a value of type {type(value).__name__} in metrics.json; "
        "use numbers, strings, booleans, lists, dicts or NumPy arrays"
    )


def _json_key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, (bool, np.bool_, int, np.integer, float, np.floating)):
        converted = to_jsonable(key)
        return json.dumps(converted) if not isinstance(converted, str) else converted
    raise TypeError(f"to_jsonable: dict key {key!r} of type {type(key).__name__} is not a scalar")


def write_json_atomic(path: str | os.PathLike[str], value: Any) -> Path:
    """Write ``to_jsonable(value)`` as indented, key-ordered-as-given JSON atomically."""
    text = json.dumps(to_jsonable(value), indent=2, allow_nan=False) + "\n"
    return write_text_atomic(path, text)
