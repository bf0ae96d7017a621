"""The hot path's shortcuts give the same numbers as Keras 3 (KERAS_BACKEND=torch): Adam's
update in cache-sized blocks (a parameter larger than one block, its size not a multiple of it),
and SGD's, on one thread and on several."""

from __future__ import annotations

import os

import numpy as np
import pytest

from nnlab.autograd import parallel
from nnlab.keras import optimizers
from nnlab.nn import Parameter
from nnlab.optim.base import BLOCK, for_blocks

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")


@pytest.mark.parametrize("threads", [1, 3])
def test_blocks_cover_every_element_once(threads: int) -> None:
    saved = parallel.get_num_threads()
    parallel.set_num_threads(threads)
    try:
        a = np.arange(5 * BLOCK + 5, dtype=np.float32)
        b = np.zeros_like(a)
        sizes: list[int] = []

        def add(x: np.ndarray, y: np.ndarray) -> None:
            assert x.size <= BLOCK and np.shares_memory(y, b)
            sizes.append(x.size)
            y += x

        for_blocks(add, a, b, passes=10)
        np.testing.assert_array_equal(a, b)
        assert sorted(sizes) == [5] + [BLOCK] * 5
        strided = np.zeros((2 * BLOCK, 2), np.float32)[:, 0]  # not contiguous: one block
        sizes.clear()
        for_blocks(lambda x: sizes.append(len(x)), strided)
        assert sizes == [2 * BLOCK]
    finally:
        parallel.set_num_threads(saved)


@pytest.mark.parametrize("threads", [1, 3])
@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("Adam", {}),
        ("Adam", {"amsgrad": True, "learning_rate": 0.05}),
        ("SGD", {"learning_rate": 0.1}),
        ("SGD", {"learning_rate": 0.1, "momentum": 0.9}),
        ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
    ],
)
def test_blocked_update_equals_keras(name: str, kwargs: dict, threads: int, monkeypatch) -> None:
    """The updates that run block by block, on one thread and split over three."""
    monkeypatch.setattr(parallel, "_threads", threads)  # read by get_num_threads
    rng = np.random.default_rng(0)
    shapes = [(800, 250), (250,)]  # 200,000 elements: three full blocks and a partial one
    params = [rng.normal(size=s).astype(np.float32) for s in shapes]
    steps = [[rng.normal(size=s).astype(np.float32) for s in shapes] for _ in range(4)]
    ours = [Parameter(p.copy()) for p in params]
    theirs = [keras.Variable(p.copy()) for p in params]
    opt, ref = getattr(optimizers, name)(**kwargs), getattr(keras.optimizers, name)(**kwargs)
    for grads in steps:
        opt.apply(grads, ours)
        tensors = [keras.ops.convert_to_tensor(g) for g in grads]
        ref.apply_gradients(zip(tensors, theirs, strict=True))
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a.data, np.asarray(b.numpy()), rtol=1e-5, atol=1e-5)
