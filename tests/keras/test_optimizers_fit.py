"""Every optimizer inside ``fit``: the same small model trained by nnlab.keras and by Keras 3
(KERAS_BACKEND=torch) from identical weights, ``shuffle=False``; the weights after two epochs
agree at float32 tolerance."""

from __future__ import annotations

import os

import numpy as np
import pytest

import nnlab.keras as nk

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

CASES = [
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
    ("Adam", {"learning_rate": 0.01, "amsgrad": True}),
    ("AdamW", {"learning_rate": 0.01, "weight_decay": 0.05}),
    ("Adamax", {"learning_rate": 0.01}),
    ("Nadam", {"learning_rate": 0.01}),
    ("RMSprop", {"learning_rate": 0.01, "centered": True, "momentum": 0.5}),
    ("Adagrad", {"learning_rate": 0.1}),
    ("Adadelta", {"learning_rate": 1.0}),
    ("Lion", {"learning_rate": 0.001}),
    ("SGD", {"learning_rate": 0.1, "clipnorm": 0.1}),
]


def _model(lib):
    return lib.Sequential(
        [
            lib.Input(shape=(4,)),
            lib.layers.Dense(8, activation="relu"),
            lib.layers.Dense(3, activation="softmax"),
        ]
    )


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_fit_equals_keras(name: str, kwargs: dict) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64) + (x[:, 1] > 0.5)
    theirs = _model(keras)
    ours = _model(nk)
    ours.set_weights(theirs.get_weights())
    for model, opt in (
        (theirs, getattr(keras.optimizers, name)),
        (ours, getattr(nk.optimizers, name)),
    ):
        model.compile(optimizer=opt(**kwargs), loss="sparse_categorical_crossentropy")
    h1 = theirs.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    h2 = ours.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(h2.history["loss"], h1.history["loss"], rtol=1e-4)
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    assert ours.optimizer.iterations == int(theirs.optimizer.iterations) == 8
