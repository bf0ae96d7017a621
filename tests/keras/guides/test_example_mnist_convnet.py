"""keras-io examples/vision/mnist_convnet.py ("Simple MNIST convnet"), ported with import changes
only (``import keras`` -> ``from nnlab import keras``), plus the numbers checked against Keras 3:
the same model built in Keras 3 (``KERAS_BACKEND=torch``), its initial weights copied into nnlab's,
both trained with ``shuffle=False``; per-epoch losses, final weights and predictions compared.

Data: the example downloads MNIST; 64 random 28x28 images with random labels stand in (offline,
< 2 s) and training runs 1-2 epochs instead of 15.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from nnlab import keras

from ._port import to_numpy

num_classes = 10
input_shape = (28, 28, 1)


def _data(n=64):
    x_train = np.random.randint(0, 256, size=(n, 28, 28)).astype("uint8")
    y_train = np.random.randint(0, 10, size=(n,)).astype("uint8")
    x_train = x_train.astype("float32") / 255
    x_train = np.expand_dims(x_train, -1)
    y_train = keras.utils.to_categorical(y_train, num_classes)
    return x_train, y_train


def build(lib):
    return lib.Sequential(
        [
            lib.Input(shape=input_shape),
            lib.layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            lib.layers.MaxPooling2D(pool_size=(2, 2)),
            lib.layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            lib.layers.MaxPooling2D(pool_size=(2, 2)),
            lib.layers.Flatten(),
            lib.layers.Dropout(0.5),
            lib.layers.Dense(num_classes, activation="softmax"),
        ]
    )


def test_prepare_data_and_build_model(capsys):
    x_train, y_train = _data()
    assert x_train.shape == (64, 28, 28, 1) and y_train.shape == (64, 10)
    model = build(keras)
    model.summary()
    assert model.count_params() == 34826  # the example's summary
    assert "34,826" in capsys.readouterr().out
    assert [type(layer).__name__ for layer in model.layers] == [
        "Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Flatten", "Dropout", "Dense",
    ]  # fmt: skip


def test_train_and_evaluate():
    x_train, y_train = _data()
    model = build(keras)
    batch_size = 32
    epochs = 1
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(
        x_train, y_train, batch_size=batch_size, epochs=epochs, validation_split=0.1, verbose=0
    )
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    score = model.evaluate(x_train, y_train, verbose=0)
    assert len(score) == 2 and 0.0 <= score[1] <= 1.0


def _keras3():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras3 = pytest.importorskip("keras")
    if keras3.backend.backend() != "torch":  # pragma: no cover
        pytest.skip("the Keras oracle needs KERAS_BACKEND=torch")
    return keras3


def _no_dropout(lib):
    """The example's model less its Dropout (random masks cannot match across libraries)."""
    return lib.Sequential(
        [
            lib.Input(shape=input_shape),
            lib.layers.Conv2D(8, kernel_size=(3, 3), activation="relu"),
            lib.layers.MaxPooling2D(pool_size=(2, 2)),
            lib.layers.Conv2D(16, kernel_size=(3, 3), activation="relu"),
            lib.layers.MaxPooling2D(pool_size=(2, 2)),
            lib.layers.Flatten(),
            lib.layers.Dense(num_classes, activation="softmax"),
        ]
    )


def test_trains_step_for_step_like_keras3():
    keras3 = _keras3()
    x_train, y_train = _data(32)
    theirs = _no_dropout(keras3)
    ours = _no_dropout(keras)
    ours.set_weights([to_numpy(w) for w in theirs.get_weights()])
    for m, lib in ((theirs, keras3), (ours, keras)):
        m.compile(loss="categorical_crossentropy", optimizer=lib.optimizers.Adam(1e-3),
                  metrics=["accuracy"])  # fmt: skip
    h3 = theirs.fit(x_train, y_train, batch_size=16, epochs=2, shuffle=False, verbose=0)
    h = ours.fit(x_train, y_train, batch_size=16, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(h.history["loss"], h3.history["loss"], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(h.history["accuracy"], h3.history["accuracy"], atol=1e-6)
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(to_numpy(a), to_numpy(b), rtol=1e-3, atol=1e-5)
    np.testing.assert_allclose(
        to_numpy(ours.predict(x_train, verbose=0)),
        to_numpy(theirs.predict(x_train, verbose=0)),
        rtol=1e-3,
        atol=1e-5,
    )
