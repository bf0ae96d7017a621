"""The hot path's shortcuts give the same numbers as Keras 3 (KERAS_BACKEND=torch): Adam's
update in cache-sized blocks (a parameter larger than one block, its size not a multiple of it)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from nnlab.keras import optimizers
from nnlab.nn import Parameter
from nnlab.optim.base import BLOCK, blocks

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")


def test_blocks_cover_every_element_once() -> None:
    a = np.arange(2 * BLOCK + 5, dtype=np.float32)
    b = np.zeros_like(a)
    for x, y in blocks(a, b):
        assert x.size <= BLOCK and np.shares_memory(y, b)
        y += x
    np.testing.assert_array_equal(a, b)
    strided = np.zeros((2 * BLOCK, 2), np.float32)[:, 0]  # not contiguous: one block
    assert [len(x) for (x,) in blocks(strided)] == [2 * BLOCK]


@pytest.mark.parametrize("kwargs", [{}, {"amsgrad": True, "learning_rate": 0.05}])
def test_blocked_adam_equals_keras(kwargs: dict) -> None:
    rng = np.random.default_rng(0)
    shapes = [(300, 250), (250,)]  # 75,000 elements: one full block and a partial one
    params = [rng.normal(size=s).astype(np.float32) for s in shapes]
    steps = [[rng.normal(size=s).astype(np.float32) for s in shapes] for _ in range(4)]
    ours = [Parameter(p.copy()) for p in params]
    theirs = [keras.Variable(p.copy()) for p in params]
    opt, ref = optimizers.Adam(**kwargs), keras.optimizers.Adam(**kwargs)
    for grads in steps:
        opt.apply(grads, ours)
        tensors = [keras.ops.convert_to_tensor(g) for g in grads]
        ref.apply_gradients(zip(tensors, theirs, strict=True))
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a.data, np.asarray(b.numpy()), rtol=1e-5, atol=1e-5)
