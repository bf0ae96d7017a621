"""Whole convnets against Keras 3 (torch backend): the same architecture built in both, Keras's
initial weights copied into nnlab's, trained with ``shuffle=False`` and no dropout: the same
per-epoch losses, final weights and predictions at float32 tolerance, and the same summary
shapes and parameter counts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from nnlab import keras as nnlab_keras

from .keras3_oracle import keras3

Builder = Callable[[Any], Any]


def images(n: int, shape: tuple[int, ...], classes: int, seed: int = 0):
    """Random images whose class shifts the brightness of one corner: learnable in a few
    epochs. Integer labels (n,)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n)
    x = rng.normal(0, 0.5, (n, *shape)).astype(np.float32)
    if len(shape) == 3:  # images (rows, cols, channels)
        x[:, :3, :3] += y[:, None, None, None]
    else:  # sequences (steps, channels)
        x[:, :3] += y[:, None, None]
    return x, y


def lab_convnet(k: Any) -> Any:
    """keras-io's MNIST convnet at a small size, without the dropout (its masks are random)."""
    L = k.layers
    return k.Sequential(
        [
            k.Input(shape=(14, 14, 1)),
            L.Conv2D(4, kernel_size=(3, 3), activation="relu"),
            L.MaxPooling2D(pool_size=(2, 2)),
            L.Conv2D(6, kernel_size=(3, 3), activation="relu"),
            L.MaxPooling2D(pool_size=(2, 2)),
            L.Flatten(),
            L.Dense(3, activation="softmax"),
        ]
    )


def mixed_convnet(k: Any) -> Any:
    """The other layers, with 'same' padding and strides."""
    L = k.layers
    return k.Sequential(
        [
            k.Input(shape=(10, 10, 2)),
            L.ZeroPadding2D(1),
            L.SeparableConv2D(4, 3, depth_multiplier=2, activation="relu"),
            L.DepthwiseConv2D(3, strides=2, padding="same"),
            L.Cropping2D(((1, 0), (0, 1))),
            L.UpSampling2D(2),
            L.AveragePooling2D(2),
            L.Conv2D(5, 2, padding="same", activation="tanh"),
            L.GlobalAveragePooling2D(),
            L.Dense(3, activation="softmax"),
        ]
    )


def sequence_convnet(k: Any) -> Any:
    L = k.layers
    return k.Sequential(
        [
            k.Input(shape=(12, 2)),
            L.Conv1D(4, 3, padding="causal", activation="relu"),
            L.MaxPooling1D(2),
            L.Conv1D(4, 2, strides=2, padding="same"),
            L.AveragePooling1D(2, padding="same"),
            L.GlobalMaxPooling1D(),
            L.Dense(3, activation="softmax"),
        ]
    )


MODELS = {
    "lab": (lab_convnet, (14, 14, 1)),
    "mixed": (mixed_convnet, (10, 10, 2)),
    "sequence": (sequence_convnet, (12, 2)),
}
OPTIMIZERS = {
    "sgd": lambda k: k.optimizers.SGD(learning_rate=0.1),
    "adam": lambda k: k.optimizers.Adam(learning_rate=0.01),
}


def twin_models(build: Builder) -> tuple[Any, Any]:
    # Keras's initial weights from a fixed seed: from some draws, a max-pool tie or a ReLU at
    # its kink lets float32 rounding pick another path, which Adam then amplifies
    keras3.utils.set_random_seed(0)
    theirs = build(keras3)
    ours = build(nnlab_keras)
    ours.set_weights(theirs.get_weights())
    return theirs, ours


@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
@pytest.mark.parametrize("model_name", sorted(MODELS))
def test_fit_matches_keras(model_name: str, optimizer: str) -> None:
    build, shape = MODELS[model_name]
    x, y = images(48, shape, 3)
    theirs, ours = twin_models(build)
    histories = []
    for model, k in ((theirs, keras3), (ours, nnlab_keras)):
        model.compile(
            optimizer=OPTIMIZERS[optimizer](k),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        hist = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
        histories.append(hist.history)
    np.testing.assert_allclose(histories[1]["loss"], histories[0]["loss"], rtol=2e-5, atol=1e-6)
    np.testing.assert_allclose(histories[1]["accuracy"], histories[0]["accuracy"], atol=1e-6)
    assert histories[0]["loss"][-1] < histories[0]["loss"][0]  # it learned something
    for w_ours, w_theirs in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(w_ours, np.asarray(w_theirs), rtol=1e-4, atol=2e-5)
    np.testing.assert_allclose(
        ours.predict(x, verbose=0), np.asarray(theirs.predict(x, verbose=0)), atol=2e-5
    )
    np.testing.assert_allclose(
        ours.evaluate(x, y, verbose=0), theirs.evaluate(x, y, verbose=0), rtol=2e-5, atol=1e-6
    )


def test_categorical_fit_of_the_lab_model_matches_keras() -> None:
    """The lab's loss (categorical cross-entropy on one-hot targets) with Keras's default Adam."""
    x, y = images(40, (14, 14, 1), 3, seed=4)
    y_onehot = np.eye(3, dtype=np.float32)[y]
    theirs, ours = twin_models(lab_convnet)
    histories = []
    for model in (theirs, ours):
        model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
        hist = model.fit(
            x, y_onehot, batch_size=8, epochs=2, shuffle=False, verbose=0, validation_split=0.2
        )
        histories.append(hist.history)
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        np.testing.assert_allclose(histories[1][key], histories[0][key], rtol=2e-5, err_msg=key)
    for w_ours, w_theirs in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(w_ours, np.asarray(w_theirs), rtol=1e-4, atol=2e-5)


@pytest.mark.parametrize("model_name", sorted(MODELS))
def test_summary_shapes_and_counts_match_keras(model_name: str) -> None:
    build, _ = MODELS[model_name]
    theirs, ours = twin_models(build)
    lines: list[str] = []
    ours.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert len(ours.layers) == len(theirs.layers)
    for mine, layer in zip(ours.layers, theirs.layers, strict=True):
        assert type(mine).__name__ == type(layer).__name__
        assert mine.count_params() == layer.count_params()
        shape = tuple(layer.output.shape)
        assert mine.compute_output_shape(tuple(layer.input.shape)) == shape
        assert str(shape) in text, f"{layer.name}: {shape} not in the summary"
    assert f"Total params: {theirs.count_params():,}" in text
    assert ours.count_params() == theirs.count_params()


def test_the_lab_model_has_keras_ios_parameter_count() -> None:
    from nnlab.labs.mnist_convnet import build_model

    model = build_model()
    assert model.count_params() == 34_826
    expected = [(26, 26, 32), (13, 13, 32), (11, 11, 64), (5, 5, 64), (1600,), (1600,), (10,)]
    shape: tuple[Any, ...] = (None, 28, 28, 1)
    for layer, want in zip(model.layers, expected, strict=True):
        shape = layer.compute_output_shape(shape)
        assert shape == (None, *want), layer.name
    assert [layer.count_params() for layer in model.layers] == [320, 0, 18496, 0, 0, 0, 16010]
