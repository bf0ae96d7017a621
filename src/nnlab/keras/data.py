"""Checking and converting the arrays given to ``fit`` / ``evaluate`` / ``predict``, once.

Inputs become C-contiguous float32 (the model's dtype) before the first batch, so the loop only
gathers rows. Every mistake is reported here, before any training starts: a non-2-D x, a width
that differs from the model's input, x and y of different lengths, and the targets the loss cannot
use (see ``Loss.prepare_targets``). x is not scanned for NaN/inf (a full pass over the data costs
as much as 5% of an MNIST epoch); a non-finite input shows up as a non-finite loss, which stops
``fit`` with a message naming the epoch and batch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab.autograd import Tensor

__all__ = ["check_batch_size", "check_inputs", "check_same_length", "split_validation"]


def check_inputs(x: Any, input_dim: int | None, where: str) -> np.ndarray:
    """x as float32 (N, input_dim), or a ValueError/TypeError saying what is wrong."""
    if x is None:
        raise ValueError(f"{where}: x is required")
    arr = x.data if isinstance(x, Tensor) else np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{where}: x must be numeric, got dtype {arr.dtype}")
    if arr.ndim == 1:
        raise ValueError(
            f"{where}: x must be 2-D (samples, features), got a 1-D array of shape {arr.shape}; "
            "for one feature per sample use x.reshape(-1, 1), for one sample x.reshape(1, -1)"
        )
    if arr.ndim != 2:
        raise ValueError(
            f"{where}: x must be 2-D (samples, features), got shape {arr.shape}; flatten each "
            "sample first, e.g. x.reshape(len(x), -1)"
        )
    if input_dim is not None and arr.shape[1] != input_dim:
        raise ValueError(
            f"{where}: the model expects {input_dim} input features, but x has shape "
            f"{arr.shape} ({arr.shape[1]} features)"
        )
    if len(arr) == 0:
        raise ValueError(f"{where}: x has no samples")
    return np.ascontiguousarray(arr, dtype=np.float32)


def check_same_length(x: np.ndarray, y: Any, where: str) -> None:
    n_y = len(y) if hasattr(y, "__len__") else None
    if n_y != len(x):
        raise ValueError(
            f"{where}: x and y must have the same number of samples, got {len(x)} and {n_y}"
        )


def split_validation(
    x: np.ndarray, y: np.ndarray, fraction: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Keras's ``validation_split``: the LAST ``fraction`` of the samples (before any shuffling)
    become the validation set: train = [:split], val = [split:], split = floor(N (1 - fraction))."""
    if not 0 < fraction < 1:
        raise ValueError(f"fit: validation_split must be in [0, 1), got {fraction!r}")
    split = int(np.floor(len(x) * (1.0 - fraction)))
    if split == 0 or split == len(x):
        raise ValueError(
            f"fit: validation_split={fraction} of {len(x)} samples leaves an empty "
            f"{'training' if split == 0 else 'validation'} set"
        )
    return x[:split], y[:split], x[split:], y[split:]


def check_batch_size(batch_size: Any, where: str) -> int:
    """``batch_size`` as a positive int (None means Keras's default, 32)."""
    if batch_size is None:
        return 32
    if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer):
        raise TypeError(f"{where}: batch_size must be a positive integer, got {batch_size!r}")
    if batch_size < 1:
        raise ValueError(f"{where}: batch_size must be a positive integer, got {batch_size}")
    return int(batch_size)
