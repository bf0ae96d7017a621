"""Mini-batches: a ``Dataset`` protocol, ``TensorDataset`` and ``DataLoader``.

Batches are gathered with one fancy-indexing call per array (``x[idx]`` for an index array
``idx``), never a Python loop over examples. A ``Dataset`` here is anything with ``__len__`` and a
``__getitem__`` that accepts an integer index *array* and returns the batch (an array or a tuple
of arrays).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from nnlab.datasets.synthetic import Seed, as_rng

__all__ = ["DataLoader", "Dataset", "TensorDataset"]

Batch = Any  # an ndarray or a tuple of ndarrays, whatever the data set's __getitem__ returns


@runtime_checkable
class Dataset(Protocol):
    """What :class:`DataLoader` needs: a length and batch fetching by an int64 index array."""

    def __len__(self) -> int: ...

    def __getitem__(self, indices: np.ndarray) -> Batch: ...


class TensorDataset:
    """Arrays sharing their first dimension; ``ds[idx]`` is ``tuple(a[idx] for a in arrays)``."""

    def __init__(self, *arrays: np.ndarray | Sequence[Any]):
        if not arrays:
            raise ValueError("TensorDataset needs at least one array")
        self.arrays = tuple(np.asarray(a) for a in arrays)
        for i, a in enumerate(self.arrays):
            if a.ndim == 0:
                raise ValueError(f"TensorDataset: array {i} is a scalar; need a leading axis")
        lengths = [a.shape[0] for a in self.arrays]
        if len(set(lengths)) != 1:
            shapes = ", ".join(str(a.shape) for a in self.arrays)
            raise ValueError(
                f"TensorDataset: arrays differ in length along axis 0 (shapes {shapes})"
            )

    def __len__(self) -> int:
        return int(self.arrays[0].shape[0])

    def __getitem__(self, indices: Any) -> tuple[np.ndarray, ...]:
        return tuple(a[indices] for a in self.arrays)


class DataLoader:
    """Iterate over a data set in mini-batches.

    Args:
        data: one array (batches are arrays), a tuple / list of arrays of equal length (batches
            are tuples of arrays, in the same order), or a :class:`Dataset`.
        batch_size: examples per batch; the last batch is smaller when ``len(data)`` is not a
            multiple, unless ``drop_last``.
        shuffle: draw a fresh permutation at the start of every pass (epoch).
        drop_last: skip the final incomplete batch.
        seed: int, ``np.random.Generator`` or ``None``; with an int, the sequence of epochs'
            permutations is reproducible.

    ``len(loader)`` is the number of batches per epoch: ``ceil(N / batch_size)``, or
    ``floor(N / batch_size)`` with ``drop_last``.
    """

    def __init__(
        self,
        data: np.ndarray | Sequence[np.ndarray] | Dataset,
        batch_size: int = 32,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: Seed = None,
    ):
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
            raise TypeError(f"DataLoader: batch_size must be an int, got {batch_size!r}")
        if batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be >= 1, got {batch_size}")
        self.single = isinstance(data, np.ndarray)
        self.dataset: Dataset
        if isinstance(data, np.ndarray):
            self.dataset = TensorDataset(data)
        elif isinstance(data, (tuple, list)):
            self.dataset = TensorDataset(*data)
        elif isinstance(data, Dataset):
            self.dataset = data
        else:
            raise TypeError(
                "DataLoader: data must be an ndarray, a tuple/list of ndarrays or a Dataset "
                f"(with __len__ and __getitem__), got {type(data).__name__}"
            )
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.rng = as_rng(seed)

    def __len__(self) -> int:
        n = len(self.dataset)
        if self.drop_last:
            return n // self.batch_size
        return -(-n // self.batch_size)

    def batch_indices(self) -> Iterator[np.ndarray]:
        """The index arrays of one epoch's batches (a fresh permutation each call if shuffling)."""
        n = len(self.dataset)
        order = self.rng.permutation(n) if self.shuffle else np.arange(n)
        stop = (n // self.batch_size) * self.batch_size if self.drop_last else n
        for start in range(0, stop, self.batch_size):
            yield order[start : start + self.batch_size]

    def __iter__(self) -> Iterator[Batch]:
        for idx in self.batch_indices():
            batch = self.dataset[idx]
            yield batch[0] if self.single else batch
