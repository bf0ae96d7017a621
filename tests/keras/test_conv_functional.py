"""A convnet in the functional API, and BatchNormalization on conv features (4-D input), against
Keras 3 (torch backend): same weights, then the same losses, weights and predictions after
``fit(shuffle=False)``."""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab import keras as nnlab_keras

from .keras3_oracle import keras3
from .test_conv_models import images, twin_models


def test_functional_convnet_matches_keras() -> None:
    """The functional API: Input -> conv -> pool -> separable conv -> global pooling -> Dense."""

    def build(k: Any) -> Any:
        L = k.layers
        inputs = k.Input(shape=(8, 8, 2))
        h = L.Conv2D(3, 3, padding="same", activation="relu")(inputs)
        h = L.MaxPooling2D()(h)
        h = L.SeparableConv2D(4, 2, activation="relu")(h)
        pooled = L.GlobalMaxPooling2D()(h)
        return k.Model(inputs, L.Dense(3, activation="softmax")(pooled))

    x, y = images(32, (8, 8, 2), 3, seed=2)
    theirs, ours = twin_models(build)
    losses = []
    for model, k in ((theirs, keras3), (ours, nnlab_keras)):
        model.compile(
            optimizer=k.optimizers.Adam(learning_rate=0.01),
            loss="sparse_categorical_crossentropy",
        )
        hist = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
        losses.append(hist.history["loss"])
    np.testing.assert_allclose(losses[1], losses[0], rtol=2e-5)
    for w_ours, w_theirs in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(w_ours, np.asarray(w_theirs), rtol=1e-4, atol=2e-5)
    np.testing.assert_allclose(
        ours.predict(x, verbose=0), np.asarray(theirs.predict(x, verbose=0)), atol=2e-5
    )


def test_batch_normalization_on_conv_features_matches_keras() -> None:
    """BatchNormalization on 4-D input (axis=-1: one mean/variance per channel over batch, rows
    and columns): training with batch statistics, the moving averages, inference with them."""

    def build(k: Any) -> Any:
        L = k.layers
        return k.Sequential(
            [
                k.Input(shape=(10, 10, 2)),
                L.Conv2D(4, 3),
                L.BatchNormalization(momentum=0.9),
                L.Activation("relu"),
                L.MaxPooling2D(),
                L.Flatten(),
                L.Dense(3, activation="softmax"),
            ]
        )

    x, y = images(48, (10, 10, 2), 3, seed=3)
    theirs, ours = twin_models(build)
    losses = []
    for model, k in ((theirs, keras3), (ours, nnlab_keras)):
        model.compile(
            optimizer=k.optimizers.SGD(learning_rate=0.05), loss="sparse_categorical_crossentropy"
        )
        hist = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
        losses.append(hist.history["loss"])
    np.testing.assert_allclose(losses[1], losses[0], rtol=2e-5)
    for w_ours, w_theirs in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(w_ours, np.asarray(w_theirs), rtol=1e-4, atol=2e-5)
    np.testing.assert_allclose(
        ours.predict(x, verbose=0), np.asarray(theirs.predict(x, verbose=0)), atol=2e-5
    )
