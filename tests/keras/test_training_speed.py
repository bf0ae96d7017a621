"""The hot path's shortcuts give the same numbers as Keras 3 (KERAS_BACKEND=torch): Adam's
update in parts, one per thread (a parameter whose size is not a multiple of the thread count),
and SGD's, on one thread and on several; the training step that leaves the output softmax to the
fused loss trains exactly as the one that computes it, and only when nothing else reads it."""

from __future__ import annotations

import os

import numpy as np
import pytest

from nnlab.autograd import parallel
from nnlab.keras import optimizers
from nnlab.nn import Parameter
from nnlab.optim.base import for_blocks

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")


@pytest.mark.parametrize("threads", [1, 3])
def test_parts_cover_every_element_once(threads: int) -> None:
    """One contiguous part per thread for a large job; one thread (or a small job, or arrays
    that are not contiguous) gets the arrays themselves, uncut."""
    saved = parallel.get_num_threads()
    parallel.set_num_threads(threads)
    try:
        a = np.arange(3 * parallel.MIN_WORK + 5, dtype=np.float32).reshape(-1, 1)
        b = np.zeros_like(a)
        parts: list[np.ndarray] = []

        def add(x: np.ndarray, y: np.ndarray) -> None:
            assert np.shares_memory(y, b)
            parts.append(x)
            y += x

        for_blocks(add, a, b, passes=1)
        np.testing.assert_array_equal(a, b)
        if threads == 1:
            assert len(parts) == 1 and parts[0] is a
        else:
            sizes = [p.size for p in parts]
            assert len(sizes) == 3 and sum(sizes) == a.size and max(sizes) - min(sizes) <= 1
        parts.clear()
        for_blocks(lambda x: parts.append(x), a[:10], passes=100)  # a small job: whole
        assert len(parts) == 1 and parts[0].shape == (10, 1)
        strided = np.zeros((3 * parallel.MIN_WORK, 2), np.float32)[:, 0]  # not contiguous
        parts.clear()
        for_blocks(lambda x: parts.append(x), strided, passes=10)
        assert len(parts) == 1 and parts[0] is strided
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
def test_split_update_equals_keras(name: str, kwargs: dict, threads: int, monkeypatch) -> None:
    """The updates on one thread, and split in three uneven parts over three threads."""
    monkeypatch.setattr(parallel, "_threads", threads)  # read by get_num_threads
    rng = np.random.default_rng(0)
    shapes = [(1000, 787), (787,)]  # large enough for three parts even for plain SGD
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


def _mlp(seed: int, activation: str = "softmax", **dense: object):
    from nnlab import keras

    return keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(6, activation="tanh"),
            keras.layers.Dense(3, activation=activation, **dense),
        ],
        seed=seed,
    )


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 4)).astype(np.float32)
    return x, rng.integers(0, 3, 40)


@pytest.mark.parametrize("loss", ["sparse_categorical_crossentropy", "categorical_crossentropy"])
def test_deferred_output_activation_trains_exactly_as_without(loss: str, monkeypatch) -> None:
    """The training step leaves the output softmax to the fused loss when nothing else reads
    the probabilities: bit for bit the same losses and weights as computing them."""
    from nnlab.keras.models import Sequential

    x, labels = _data()
    y = labels if loss.startswith("sparse") else np.eye(3, dtype=np.float32)[labels]
    runs = []
    for defer in (True, False):
        if not defer:
            monkeypatch.setattr(Sequential, "_deferrable_output_layer", lambda self: None)
        model = _mlp(seed=1)
        model.compile(optimizer="adam", loss=loss)
        if defer:
            assert model._deferrable_output_layer() is model.layers[-1]
        history = model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
        runs.append((history.history["loss"], model.get_weights()))
    assert runs[0][0] == runs[1][0]
    for a, b in zip(runs[0][1], runs[1][1], strict=True):
        np.testing.assert_array_equal(a, b)


def test_output_activation_is_computed_whenever_something_may_read_it() -> None:
    from nnlab import keras
    from nnlab.keras.layers.core import _LOGITS

    def deferred(model, **compile_kwargs) -> bool:
        model.compile(optimizer="sgd", **compile_kwargs)
        return model._deferrable_output_layer() is not None

    sparse = "sparse_categorical_crossentropy"
    assert deferred(_mlp(0), loss=sparse)
    assert deferred(_mlp(0, "sigmoid"), loss="binary_crossentropy")
    assert not deferred(_mlp(0), loss=sparse, metrics=["accuracy"])  # metrics read y_pred
    assert not deferred(_mlp(0), loss="mse")  # no fused loss
    assert not deferred(_mlp(0, "sigmoid"), loss=sparse)  # another activation
    assert not deferred(_mlp(0, activity_regularizer="l2"), loss=sparse)  # reads the output
    assert not deferred(_mlp(0), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))

    class OwnLoss(keras.Sequential):
        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
            return super().compute_loss(x, y, y_pred, sample_weight, training)

    own = OwnLoss([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    assert not deferred(own, loss=sparse)
    inputs = keras.Input((4,))
    functional = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(inputs))
    assert not deferred(functional, loss=sparse)
    # the predictions outside training are probabilities; the step's logits leave nothing behind
    x, y = _data()
    model = _mlp(0)
    model.compile(optimizer="sgd", loss=sparse)
    before = len(_LOGITS)
    model.fit(x, y, batch_size=4, epochs=2, verbose=0)
    assert len(_LOGITS) <= before + 1
    np.testing.assert_allclose(model.predict(x, verbose=0).sum(axis=1), 1.0, rtol=1e-6)
