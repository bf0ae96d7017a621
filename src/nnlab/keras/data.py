"""Checking and converting the arrays given to ``fit`` / ``evaluate`` / ``predict``, once.

Inputs become C-contiguous float32 arrays (integer arrays stay integers: token indices) before the
first batch, so the loop only gathers rows. Every mistake is reported here, before training
starts: an input whose shape differs from the model's, x and y of different lengths, and the
targets the loss cannot use (see ``Loss.prepare_targets``). x is not scanned for NaN/inf (a full
pass costs as much as 5% of an MNIST epoch); a non-finite input shows up as a non-finite loss,
which stops ``fit`` with a message naming the epoch and batch.

x (and y) may be one array, a list of arrays (one per model input / output, in order), or a dict
keyed by the input (output) names.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nnlab.autograd import Tensor

__all__ = [
    "Arrays",
    "check_batch_size",
    "check_inputs",
    "class_weights_to_sample_weights",
    "flatten_structure",
    "split_validation",
]

Shape = tuple[int | None, ...]


def _as_array(x: Any, where: str, what: str) -> np.ndarray:
    arr = x.data if isinstance(x, Tensor) else np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{where}: {what} must be numeric, got dtype {arr.dtype}")
    return arr


def check_inputs(x: Any, shape: Shape | None, where: str, what: str = "x") -> np.ndarray:
    """One input array checked against the model's input ``shape`` (batch axis first)."""
    if x is None:
        raise ValueError(f"{where}: {what} is required")
    arr = _as_array(x, where, what)
    if shape is not None and len(shape) == 2:
        if arr.ndim == 1:
            raise ValueError(
                f"{where}: {what} must be 2-D (samples, features), got a 1-D array of shape "
                f"{arr.shape}; for one feature per sample use x.reshape(-1, 1), for one sample "
                "x.reshape(1, -1)"
            )
        if arr.ndim != 2:
            raise ValueError(
                f"{where}: {what} must be 2-D (samples, features), got shape {arr.shape}; "
                "flatten each sample first, e.g. x.reshape(len(x), -1)"
            )
        if shape[1] is not None and arr.shape[1] != shape[1]:
            raise ValueError(
                f"{where}: the model expects {shape[1]} input features, but {what} has shape "
                f"{arr.shape} ({arr.shape[1]} features)"
            )
    elif shape is not None:
        if arr.ndim != len(shape) or any(
            s is not None and s != a for s, a in zip(shape[1:], arr.shape[1:], strict=False)
        ):
            raise ValueError(
                f"{where}: the model expects {what} of shape {shape}, got shape {arr.shape}"
            )
    elif arr.ndim == 0:
        raise ValueError(f"{where}: {what} must have a batch axis, got a scalar")
    if len(arr) == 0:
        raise ValueError(f"{where}: {what} has no samples")
    if arr.dtype.kind in "iu":
        return np.ascontiguousarray(arr)
    return np.ascontiguousarray(arr, dtype=np.float32)


def flatten_structure(data: Any, names: Sequence[str], where: str, what: str) -> list[Any]:
    """One entry per model input/output (in order) from an array, a list or a dict by name."""
    if isinstance(data, dict):
        unknown = sorted(set(data) - set(names))
        if unknown:
            raise ValueError(f"{where}: {what} has unknown keys {unknown}; expected {list(names)}")
        missing = [n for n in names if n not in data]
        if missing:
            raise ValueError(f"{where}: {what} is missing {missing}")
        return [data[n] for n in names]
    if isinstance(data, list | tuple) and len(names) > 1:
        if len(data) != len(names):
            raise ValueError(
                f"{where}: the model has {len(names)} {what}s ({list(names)}), got a list of "
                f"{len(data)}"
            )
        return list(data)
    if len(names) > 1:
        raise ValueError(f"{where}: the model has {len(names)} {what}s; pass a list or a dict")
    return [data]


class Arrays:
    """Checked inputs, targets and sample weights of one call, sliced into batches."""

    def __init__(
        self,
        xs: list[np.ndarray],
        ys: list[np.ndarray] | None,
        sample_weight: np.ndarray | None,
        single_input: bool,
        single_output: bool,
    ) -> None:
        self.xs, self.ys, self.sample_weight = xs, ys, sample_weight
        self.single_input, self.single_output = single_input, single_output
        self.n = len(xs[0])
        for what, arrays in (("x", xs), ("y", ys or [])):
            for a in arrays:
                if len(a) != self.n:
                    raise ValueError(
                        f"x and y must have the same number of samples, got {self.n} and {len(a)}"
                        if what == "y"
                        else f"all inputs must have the same number of samples, got {self.n} and "
                        f"{len(a)}"
                    )
        if sample_weight is not None and len(sample_weight) != self.n:
            raise ValueError(
                f"sample_weight must have one value per sample ({self.n}), got {len(sample_weight)}"
            )

    def batch(self, index: Any) -> tuple[Any, ...]:
        """(x,) / (x, y) / (x, y, sample_weight) for the rows ``index`` (a slice or indices)."""
        xs = [a[index] for a in self.xs]
        x: Any = xs[0] if self.single_input else xs
        if self.ys is None:
            return (x,)
        ys = [a[index] for a in self.ys]
        y: Any = ys[0] if self.single_output else ys
        if self.sample_weight is None:
            return (x, y)
        return (x, y, self.sample_weight[index])

    def take(self, index: Any) -> Arrays:
        """The rows ``index`` as a new ``Arrays``."""
        return Arrays(
            [a[index] for a in self.xs],
            None if self.ys is None else [a[index] for a in self.ys],
            None if self.sample_weight is None else self.sample_weight[index],
            self.single_input,
            self.single_output,
        )


def split_validation(data: Arrays, fraction: float) -> tuple[Arrays, Arrays]:
    """Keras's ``validation_split``: the LAST ``fraction`` of the samples (before any shuffling)
    become the validation set: train = [:split], val = [split:], split = floor(N (1 - fraction))."""
    if not 0 < fraction < 1:
        raise ValueError(f"fit: validation_split must be in [0, 1), got {fraction!r}")
    split = int(np.floor(data.n * (1.0 - fraction)))
    if split == 0 or split == data.n:
        raise ValueError(
            f"fit: validation_split={fraction} of {data.n} samples leaves an empty "
            f"{'training' if split == 0 else 'validation'} set"
        )
    return data.take(slice(0, split)), data.take(slice(split, None))


def class_weights_to_sample_weights(y: np.ndarray, class_weight: dict[int, float]) -> np.ndarray:
    """w_i = class_weight[class of sample i]: the label (integer targets), the argmax (one-hot
    rows) or the rounded value (one binary output)."""
    if y.ndim == 2 and y.shape[1] > 1:
        labels = y.argmax(axis=1)
    else:
        labels = np.round(y.reshape(len(y))).astype(np.intp)
    table = np.ones(int(max(max(class_weight), labels.max())) + 1, dtype=np.float32)
    for k, w in class_weight.items():
        table[int(k)] = w
    return table[labels]


def check_batch_size(batch_size: Any, where: str) -> int:
    """``batch_size`` as a positive int (None means Keras's default, 32)."""
    if batch_size is None:
        return 32
    if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer):
        raise TypeError(f"{where}: batch_size must be a positive integer, got {batch_size!r}")
    if batch_size < 1:
        raise ValueError(f"{where}: batch_size must be a positive integer, got {batch_size}")
    return int(batch_size)
