""".keras files with the transposed convolutions and the 1-D/3-D spatial layers: nnlab's open in
Keras 3 and predict the same, Keras 3's open in nnlab and predict the same, and nnlab's round
trip keeps the configs, the weights and the optimizer's state."""

from __future__ import annotations

import numpy as np
import pytest

from nnlab import keras as nnlab_keras
from nnlab.keras.models import load_model
from nnlab.keras.saving.weight_shapes import weight_shapes

from .keras3_oracle import keras3

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # Keras's torch backend
TOL = 1e-5


def decoder(k, seed_kwargs=None):
    """An image decoder and a sequence branch's layers (Sequential), in Keras 3 or nnlab."""
    L = k.layers
    return k.Sequential(
        [
            k.Input((4, 3, 2)),
            L.Conv2DTranspose(4, 3, strides=2, padding="same", activation="relu"),
            L.ZeroPadding2D(1),
            L.Conv2DTranspose(3, (2, 3), strides=(3, 1), output_padding=(1, 0)),
            L.SpatialDropout2D(0.2),
            L.Conv2DTranspose(1, 3, dilation_rate=2, padding="same", activation="sigmoid"),
        ],
        **(seed_kwargs or {}),
    )


def sequence_model(k, seed_kwargs=None):
    L = k.layers
    return k.Sequential(
        [
            k.Input((5, 2)),
            L.ZeroPadding1D((1, 2)),
            L.Conv1DTranspose(3, 3, strides=2, activation="tanh"),
            L.UpSampling1D(2),
            L.SpatialDropout1D(0.2),
            L.Cropping1D((2, 1)),
            L.Conv1DTranspose(2, 4, strides=3, padding="same", output_padding=1),
            L.GlobalAveragePooling1D(),
            L.Dense(1, activation="sigmoid"),
        ],
        **(seed_kwargs or {}),
    )


def volume_model(k, seed_kwargs=None):
    L = k.layers
    return k.Sequential(
        [
            k.Input((2, 3, 2, 2)),
            L.ZeroPadding3D((1, 0, (0, 2))),
            L.UpSampling3D((1, 2, 1)),
            L.Cropping3D(((0, 1), 1, 0)),
            L.SpatialDropout3D(0.2),
            L.Flatten(),
            L.Dense(1, activation="sigmoid"),
        ],
        **(seed_kwargs or {}),
    )


MODELS = {"decoder": decoder, "sequence": sequence_model, "volume": volume_model}


def _data(build, n=12):
    shape = build(keras3).input_shape[1:]
    rng = np.random.default_rng(5)
    x = rng.normal(size=(n, *shape)).astype(np.float32)
    return x


def _targets(model, x):
    out = np.asarray(model.predict(x, verbose=0))
    return (out > np.median(out)).astype(np.float32)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_nnlab_files_open_in_keras_and_back(name, tmp_path) -> None:
    build = MODELS[name]
    x = _data(build)
    model = build(nnlab_keras, {"seed": 0})
    model.compile("adam", "binary_crossentropy")
    model.fit(x, _targets(model, x), epochs=2, batch_size=4, verbose=0)
    model.save(tmp_path / "n.keras")
    theirs = keras3.saving.load_model(tmp_path / "n.keras")
    assert [type(layer).__name__ for layer in theirs.layers] == [
        type(layer).__name__ for layer in model.layers
    ]
    want = model.predict(x, verbose=0)
    np.testing.assert_allclose(np.asarray(theirs.predict(x, verbose=0)), want, atol=TOL)
    for a, b in zip(theirs.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(np.asarray(a), b)
    again = load_model(tmp_path / "n.keras")
    np.testing.assert_allclose(again.predict(x, verbose=0), want, atol=1e-7)
    assert [layer.get_config() for layer in again.layers] == [
        layer.get_config() for layer in model.layers
    ]
    assert again.optimizer.iterations == model.optimizer.iterations == 6


@pytest.mark.parametrize("name", sorted(MODELS))
def test_keras_files_open_in_nnlab(name, tmp_path) -> None:
    build = MODELS[name]
    x = _data(build)
    keras3.utils.set_random_seed(1)
    theirs = build(keras3)
    theirs.compile("rmsprop", "binary_crossentropy")
    theirs.fit(x, _targets(theirs, x), epochs=1, batch_size=4, verbose=0)
    theirs.save(tmp_path / "k.keras")
    ours = load_model(tmp_path / "k.keras")
    assert [type(layer).__name__ for layer in ours.layers] == [
        type(layer).__name__ for layer in theirs.layers
    ]
    np.testing.assert_allclose(
        ours.predict(x, verbose=0), np.asarray(theirs.predict(x, verbose=0)), atol=TOL
    )
    assert ours.optimizer.iterations == 3


@pytest.mark.parametrize("name", sorted(MODELS))
def test_weight_shape_rules_agree_with_keras(name) -> None:
    """The loader's pre-build shape rules give Keras's weight shapes for every layer."""
    theirs = MODELS[name](keras3)
    entries = [
        {"class_name": type(layer).__name__, "config": layer.get_config()}
        for layer in theirs.layers
    ]
    shapes = weight_shapes(entries, (None, *theirs.input_shape[1:]))
    assert shapes == [[tuple(w.shape) for w in layer.get_weights()] for layer in theirs.layers]


def test_a_file_asking_for_an_empty_output_is_refused() -> None:
    entry = {
        "class_name": "Conv1DTranspose",
        "config": {"filters": 2, "kernel_size": [2], "padding": "same", "output_padding": [0]},
    }
    with pytest.raises(ValueError, match="would be empty"):
        weight_shapes([entry], (None, 1, 3))
