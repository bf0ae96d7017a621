"""``use_ema=True`` in ``fit``, and targets of shape (N, 1) broadcast against a model with
several outputs: Keras 3's own tests (optimizers/optimizer_test.py, lion_test.py; imports
changed) and the same fits run with Keras 3."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from nnlab.keras import Sequential, layers, ops, optimizers

from .keras_oracle import keras, nk


def test_ema_with_model_fit() -> None:
    x_train = np.ones((1, 1)).astype("float32")
    y_train = np.zeros((1, 1)).astype("float32")  # broadcast against the 2 outputs
    optimizer = optimizers.SGD(learning_rate=0.1, use_ema=True, ema_momentum=0.9)
    model = Sequential([layers.Dense(2, kernel_initializer="ones", use_bias=False)])
    model.compile(loss="mse", optimizer=optimizer, run_eagerly=True)
    model.fit(x_train, y_train, batch_size=1, epochs=2, verbose=0)
    average = optimizer.state[model.trainable_variables[0]]["average"]
    np.testing.assert_allclose(average, [[0.891, 0.891]], atol=1e-5)
    np.testing.assert_allclose(model.trainable_variables[0].numpy(), [[0.891, 0.891]], atol=1e-5)


def test_lion_ema() -> None:
    model = Sequential([layers.Dense(10)])
    model.compile(optimizer=optimizers.Lion(use_ema=True), loss="mse")
    x = ops.zeros((1, 5))
    y = ops.zeros((1, 10))
    history = model.fit(x, y, verbose=0)
    assert np.isfinite(history.history["loss"]).all()


def _fit(lib: Any, loss: Any, activation: str | None) -> tuple[dict, list[np.ndarray]]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 3)).astype(np.float32)
    y = (rng.random((8, 1)) > 0.5).astype(np.float32)
    model = lib.Sequential(
        [lib.Input((3,)), lib.layers.Dense(2, activation=activation, kernel_initializer="ones")]
    )
    model.compile(
        optimizer=lib.optimizers.SGD(0.1, use_ema=True, ema_momentum=0.9),
        loss=loss(lib) if callable(loss) else loss,
        metrics=["mse"],
    )
    history = model.fit(
        x, y, batch_size=4, epochs=2, verbose=0, shuffle=False, validation_data=(x, y)
    )
    return history.history, model.get_weights()


@pytest.mark.parametrize("loss", ["mse", "mae", "huber", "log_cosh"])
def test_targets_broadcast_against_the_outputs_as_keras(loss: str) -> None:
    hk, wk = _fit(keras, loss, None)
    hn, wn = _fit(nk, loss, None)
    assert sorted(hn) == sorted(hk)
    for key in hk:
        np.testing.assert_allclose(hn[key], hk[key], rtol=1e-5, err_msg=key)
    for a, b in zip(wn, wk, strict=True):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    ("loss", "activation"),
    [
        ("binary_crossentropy", "sigmoid"),
        (lambda lib: lib.losses.BinaryCrossentropy(from_logits=True), None),
    ],
)
def test_crossentropy_refuses_broadcast_targets_as_keras(loss: Any, activation: Any) -> None:
    """Keras's binary cross-entropy requires equal shapes: both refuse with the same words."""
    for lib in (keras, nk):
        with pytest.raises(ValueError, match="`target` and `output` must have the same shape"):
            _fit(lib, loss, activation)


def test_target_columns_other_than_one_or_the_outputs_are_refused() -> None:
    model = Sequential([nk.Input((3,)), layers.Dense(3)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match=r"targets of shape \(4, 2\) do not match"):
        model.fit(np.ones((4, 3)), np.ones((4, 2)), verbose=0)
    model.compile(optimizer="sgd", loss="categorical_crossentropy")  # (N, 1): integer labels
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
        model.fit(np.ones((4, 3)), np.ones((4, 1)), verbose=0)
