"""Seeds, layer names and label encoding for ``nnlab.keras``.

- ``set_random_seed(seed)``: every model created afterwards without its own ``seed`` draws its
  weights, shuffles and dropout masks from a generator derived from this seed, in creation order,
  so a script that sets the seed once is reproducible.
- ``clear_session()``: restart the automatic names (``dense``, ``dense_1``, ...).
- ``to_categorical(y, num_classes=None)``: integer labels -> one-hot float32 rows.
- ``pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre",
  value=0.0)``: sequences of different lengths as one array (batch, maxlen, ...), cut and padded
  at the start ("pre") or the end ("post"), as text models' inputs.
- ``normalize(x, axis=-1, order=2)``: x divided by its ``order``-norm along ``axis`` (a zero norm
  counts as 1); a NumPy array gives a NumPy array, a tensor a differentiable tensor.
- Keras's other names of functions that live elsewhere: the custom-object registry and
  ``(de)serialize_keras_object`` (:mod:`nnlab.keras.saving`), ``pack_x_y_sample_weight`` /
  ``unpack_x_y_sample_weight`` (the training loop's batches), ``timeseries_dataset_from_array``
  (sliding windows over a series, as a ``PyDataset``), ``Sequence`` (``PyDataset``), and
  ``is_keras_tensor`` (:mod:`nnlab.keras.backend`), ``plot_model`` / ``model_to_dot`` (a model's
  layers drawn with Graphviz).
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
    "PyDataset",
    "Sequence",
    "clear_session",
    "get_keras_mask",
    "new_rng",
    "normalize",
    "pad_sequences",
    "set_keras_mask",
    "set_random_seed",
    "to_categorical",
    "unique_name",
]

Sequence = PyDataset  # Keras 3 keeps the old name

#: names of functions defined elsewhere (imported on first use: those modules import this one)
_ELSEWHERE = {
    "CustomObjectScope": "saving",
    "custom_object_scope": "saving",
    "deserialize_keras_object": "saving",
    "get_custom_objects": "saving",
    "get_registered_name": "saving",
    "get_registered_object": "saving",
    "register_keras_serializable": "saving",
    "serialize_keras_object": "saving",
    "timeseries_dataset_from_array": "data",
    "pack_x_y_sample_weight": "training",
    "unpack_x_y_sample_weight": "training",
    "is_keras_tensor": "backend",
    "model_to_dot": "_visualization",
    "plot_model": "_visualization",
}
__all__ += sorted(_ELSEWHERE)


def __getattr__(name: str) -> Any:
    module = _ELSEWHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"nnlab.keras.{module}"), name)


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


def pad_sequences(
    sequences: Any,
    maxlen: int | None = None,
    dtype: Any = "int32",
    padding: str = "pre",
    truncating: str = "pre",
    value: Any = 0.0,
) -> np.ndarray:
    """The sequences as one array of shape (len(sequences), maxlen, *item shape), filled with
    ``value``: a longer sequence loses its first ("pre") or last ("post") items, a shorter one is
    padded before ("pre") or after ("post") its items. ``maxlen`` defaults to the longest."""
    for name, arg in (("padding", padding), ("truncating", truncating)):
        if arg not in ("pre", "post"):
            raise ValueError(f'{name.capitalize()} type "{arg}" not understood')
    if not hasattr(sequences, "__len__"):
        raise ValueError("`sequences` must be iterable.")
    rows: list[np.ndarray] = []
    item_shape: tuple[int, ...] | None = None
    for i, seq in enumerate(sequences):
        if not hasattr(seq, "__len__"):
            raise ValueError(
                f"`sequences` must be a list of iterables. Found non-iterable: {seq!r}"
            )
        row = np.asarray(seq, dtype=dtype) if len(seq) else np.zeros((0,), dtype)
        if len(row):
            if item_shape is None:
                item_shape = row.shape[1:]
            elif row.shape[1:] != item_shape:
                raise ValueError(
                    f"Shape of sample {row.shape[1:]} of sequence at position {i} is different "
                    f"from expected shape {item_shape}"
                )
        rows.append(row)
    if maxlen is None:
        maxlen = max((len(r) for r in rows), default=0)
    elif isinstance(maxlen, bool) or not isinstance(maxlen, int | np.integer) or maxlen < 0:
        raise ValueError(f"pad_sequences: maxlen must be an integer >= 0, got {maxlen!r}")
    out = np.full((len(rows), int(maxlen), *(item_shape or ())), value, dtype=dtype)
    for i, row in enumerate(rows):
        kept = row[max(len(row) - maxlen, 0) :] if truncating == "pre" else row[:maxlen]
        if len(kept) == 0:
            continue
        if padding == "post":
            out[i, : len(kept)] = kept
        else:
            out[i, maxlen - len(kept) :] = kept
    return out


def normalize(x: Any, axis: int = -1, order: int = 2) -> Any:
    """x / ‖x‖ (the ``order``-norm along ``axis``; a zero norm counts as 1). A NumPy array
    gives a NumPy array; a tensor goes through ``keras.ops.normalize`` (differentiable)."""
    if isinstance(x, np.ndarray):
        norm = np.atleast_1d(np.linalg.norm(x, order, axis))
        norm[norm == 0] = 1
        return x / np.expand_dims(norm, axis)
    from .ops import normalize as normalize_tensor

    return normalize_tensor(x, axis=axis, order=order)


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
