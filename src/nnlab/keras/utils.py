"""Seeds, layer names and label encoding for ``nnlab.keras``.

- ``set_random_seed(seed)``: every model created afterwards without its own ``seed`` draws its
  weights, shuffles and dropout masks from a generator derived from this seed, in creation order,
  so a script that sets the seed once is reproducible.
- ``clear_session()``: restart the automatic names (``dense``, ``dense_1``, ...).
- ``to_categorical(y, num_classes=None)``: integer labels -> one-hot float32 rows.
- ``set_keras_mask(tensor, mask)`` / ``get_keras_mask(tensor)``: the boolean mask a tensor
  carries (Keras's ``_keras_mask``; True = a real time step, False = padding), kept beside the
  tensor while it lives. ``Masking`` and ``Embedding(mask_zero=True)`` set it on their outputs;
  the losses weigh the masked positions 0.
"""

from __future__ import annotations

import re
import weakref
from typing import Any

import numpy as np

from .data import PyDataset as PyDataset  # keras.utils.PyDataset (the loop's, in data.py)

__all__ = [
    "clear_session",
    "get_keras_mask",
    "new_rng",
    "set_keras_mask",
    "set_random_seed",
    "to_categorical",
    "unique_name",
]

_seed_sequence = np.random.SeedSequence()
_name_counts: dict[str, int] = {}


def set_random_seed(seed: int) -> None:
    """Make later models reproducible: their generators derive from ``seed``."""
    global _seed_sequence
    if not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"set_random_seed: seed must be an integer >= 0, got {seed!r}")
    _seed_sequence = np.random.SeedSequence(int(seed))


def new_rng(seed: int | None = None) -> np.random.Generator:
    """A generator from ``seed``, or the next one derived from the global seed."""
    if seed is not None:
        return np.random.default_rng(seed)
    return np.random.default_rng(_seed_sequence.spawn(1)[0])


def clear_session() -> None:
    """Forget the automatic layer and model names (the next Dense is ``dense`` again)."""
    _name_counts.clear()


def snake_case(class_name: str) -> str:
    """Keras's names: 'Dense' -> 'dense', 'BatchNormalization' -> 'batch_normalization',
    'ReLU' -> 're_lu', 'Conv2D' -> 'conv2d'."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(base: str) -> str:
    """``base``, then ``base_1``, ``base_2``, ... (Keras's automatic names)."""
    count = _name_counts.get(base, 0)
    _name_counts[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


def to_categorical(y: Any, num_classes: int | None = None) -> np.ndarray:
    """One-hot encode integer labels of shape (N,) (or (N, 1)) into float32 (N, num_classes)."""
    labels = np.asarray(y)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.ndim != 1:
        raise ValueError(f"to_categorical: expected labels of shape (N,), got {labels.shape}")
    if labels.dtype.kind == "f" and not np.array_equal(labels, np.round(labels)):
        raise ValueError("to_categorical: labels must be whole numbers")
    labels = labels.astype(np.intp)
    if labels.size and labels.min() < 0:
        raise ValueError(f"to_categorical: labels must be >= 0, got {labels.min()}")
    k = int(labels.max()) + 1 if num_classes is None else int(num_classes)
    if labels.size and labels.max() >= k:
        raise ValueError(f"to_categorical: label {labels.max()} >= num_classes={k}")
    out = np.zeros((len(labels), k), dtype=np.float32)
    out[np.arange(len(labels)), labels] = 1
    return out


_MASKS: dict[int, tuple[weakref.ref[Any], np.ndarray]] = {}


def set_keras_mask(tensor: Any, mask: Any) -> None:
    """Attach the boolean ``mask`` to ``tensor`` (None removes it); forgotten with the tensor."""
    key = id(tensor)
    if mask is None:
        _MASKS.pop(key, None)
        return

    def forget(_ref: weakref.ref[Any], k: int = key) -> None:
        _MASKS.pop(k, None)

    _MASKS[key] = (weakref.ref(tensor, forget), np.asarray(mask, dtype=bool))


def masks_in_use() -> bool:
    """Whether any live tensor carries a mask (the layers' fast path skips the lookups)."""
    return bool(_MASKS)


def get_keras_mask(tensor: Any) -> np.ndarray | None:
    """The mask ``set_keras_mask`` attached to ``tensor``, or None."""
    entry = _MASKS.get(id(tensor))
    if entry is None or entry[0]() is not tensor:
        return None
    return entry[1]
