"""DataLoader / TensorDataset: batch sizes, order, shuffling, drop_last, the Dataset protocol."""

from __future__ import annotations

import numpy as np
import pytest

from nnlab.datasets import DataLoader, Dataset, TensorDataset


def test_single_array_in_order() -> None:
    x = np.arange(100).reshape(50, 2)
    loader = DataLoader(x, batch_size=16)
    batches = list(loader)
    assert len(loader) == 4 and [len(b) for b in batches] == [16, 16, 16, 2]
    assert all(isinstance(b, np.ndarray) for b in batches)
    np.testing.assert_array_equal(np.concatenate(batches), x)


def test_tuple_batches_stay_aligned_when_shuffled() -> None:
    x = np.arange(30, dtype=np.float32).reshape(10, 3)
    y = np.arange(10)
    for xb, yb in DataLoader((x, y), batch_size=3, shuffle=True, seed=0):
        np.testing.assert_array_equal(xb[:, 0], yb * 3)


def test_shuffle_each_epoch_a_permutation() -> None:
    y = np.arange(23)
    loader = DataLoader(y, batch_size=5, shuffle=True, seed=1)
    first = np.concatenate(list(loader))
    second = np.concatenate(list(loader))
    assert sorted(first.tolist()) == list(range(23)) == sorted(second.tolist())
    assert not np.array_equal(first, second) and not np.array_equal(first, y)
    again = DataLoader(y, batch_size=5, shuffle=True, seed=1)
    np.testing.assert_array_equal(np.concatenate(list(again)), first)


def test_drop_last() -> None:
    loader = DataLoader([np.zeros((10, 1)), np.zeros(10)], batch_size=4, drop_last=True)
    assert len(loader) == 2
    assert [len(xb) for xb, _ in loader] == [4, 4]
    assert len(DataLoader(np.zeros(8), batch_size=4, drop_last=True)) == 2
    assert len(DataLoader(np.zeros(3), batch_size=4, drop_last=True)) == 0


def test_batch_indices_are_index_arrays() -> None:
    loader = DataLoader(np.zeros(7), batch_size=3)
    idx = list(loader.batch_indices())
    assert [i.tolist() for i in idx] == [[0, 1, 2], [3, 4, 5], [6]]


class Squares:
    """A Dataset computed on the fly; records the index arrays it is asked for."""

    def __init__(self, n: int):
        self.n = n
        self.calls: list[np.ndarray] = []

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        self.calls.append(indices)
        return indices.astype(np.float32), (indices**2).astype(np.float32)


def test_custom_dataset_gets_index_arrays() -> None:
    ds = Squares(9)
    assert isinstance(ds, Dataset)
    out = list(DataLoader(ds, batch_size=4, shuffle=True, seed=2))
    assert len(ds.calls) == 3 and all(isinstance(c, np.ndarray) for c in ds.calls)
    for xb, yb in out:
        np.testing.assert_array_equal(yb, xb**2)


def test_tensor_dataset() -> None:
    ds = TensorDataset(np.arange(6).reshape(3, 2), [1, 2, 3])
    assert len(ds) == 3
    a, b = ds[np.array([2, 0])]
    assert a.tolist() == [[4, 5], [0, 1]] and b.tolist() == [3, 1]
    with pytest.raises(ValueError, match=r"differ in length.*\(3, 2\), \(4,\)"):
        TensorDataset(np.zeros((3, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="at least one array"):
        TensorDataset()
    with pytest.raises(ValueError, match="scalar"):
        TensorDataset(np.float32(1.0))


@pytest.mark.parametrize(
    "batch_size, error", [(0, ValueError), (2.5, TypeError), (True, TypeError)]
)
def test_bad_batch_size(batch_size, error) -> None:
    with pytest.raises(error, match="batch_size"):
        DataLoader(np.zeros(4), batch_size=batch_size)


def test_bad_data() -> None:
    with pytest.raises(TypeError, match="data must be an ndarray"):
        DataLoader(42)
    with pytest.raises(ValueError, match="differ in length"):
        DataLoader((np.zeros(4), np.zeros(5)))
