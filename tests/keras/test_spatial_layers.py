"""ZeroPadding, Cropping and UpSampling in 1-D and 3-D (and the 2-D ones after their move onto
the shared N-D classes) against Keras 3 (torch backend): outputs, input gradients, output
shapes and configs."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from nnlab.keras import layers

from .keras3_oracle import keras3, keras_forward_backward, make_pair, nnlab_forward_backward

CASES: list[tuple[str, tuple[Any, ...], dict[str, Any], tuple[int, ...]]] = [
    ("ZeroPadding1D", (), {}, (2, 5, 3)),
    ("ZeroPadding1D", ((2, 0),), {}, (2, 5, 3)),
    ("ZeroPadding1D", (3,), {"data_format": "channels_first"}, (2, 3, 5)),
    ("Cropping1D", (), {}, (2, 6, 3)),
    ("Cropping1D", ((0, 2),), {}, (2, 6, 3)),
    ("Cropping1D", (2,), {}, (2, 6, 3)),
    ("UpSampling1D", (), {}, (2, 4, 3)),
    ("UpSampling1D", (3,), {}, (2, 4, 3)),
    ("ZeroPadding2D", ((1, (0, 2)),), {}, (2, 3, 4, 2)),
    ("Cropping2D", (((0, 1), 1),), {}, (2, 5, 4, 2)),
    ("UpSampling2D", ((1, 3),), {}, (2, 3, 2, 2)),
    ("ZeroPadding3D", (), {}, (2, 2, 3, 2, 2)),
    ("ZeroPadding3D", ((1, (0, 2), 0),), {"data_format": "channels_first"}, (2, 2, 3, 2, 2)),
    ("ZeroPadding3D", (2,), {}, (1, 2, 2, 2, 1)),
    ("Cropping3D", (), {}, (2, 4, 3, 5, 2)),
    ("Cropping3D", (((0, 1), 1, (2, 0)),), {"data_format": "channels_first"}, (2, 2, 4, 3, 5)),
    ("UpSampling3D", (), {}, (2, 2, 3, 2, 2)),
    ("UpSampling3D", ((1, 3, 2),), {"data_format": "channels_first"}, (2, 2, 2, 3, 2)),
]
IDS = [f"{name}-{i}" for i, (name, *_rest) in enumerate(CASES)]


@pytest.mark.parametrize(("name", "args", "kwargs", "shape"), CASES, ids=IDS)
def test_same_outputs_gradients_shapes_and_config_as_keras(
    name: str, args: tuple[Any, ...], kwargs: dict[str, Any], shape: tuple[int, ...]
) -> None:
    theirs, ours = make_pair(name, args, kwargs, shape)
    assert ours.name == re.sub(r"_\d+$", "", theirs.name)  # Keras's default, 'up_sampling1d'
    rng = np.random.default_rng(1)
    x = rng.normal(size=shape).astype(np.float32)
    y_k = keras_forward_backward(theirs, x, np.ones(1, np.float32))[0]
    g = rng.normal(size=y_k.shape).astype(np.float32)
    y_k, dx_k, _ = keras_forward_backward(theirs, x, g)
    y_n, dx_n, _ = nnlab_forward_backward(ours, x, g)
    assert y_n.dtype == np.float32 and y_n.shape == y_k.shape
    np.testing.assert_array_equal(y_n, y_k)
    np.testing.assert_allclose(dx_n, dx_k, rtol=1e-6, atol=1e-6)
    for batch_shape in ((None, *shape[1:]), shape):
        assert ours.compute_output_shape(batch_shape) == tuple(
            theirs.compute_output_shape(batch_shape)
        )
    expected, got = theirs.get_config(), ours.get_config()
    assert set(got) >= set(expected) - {"dtype", "trainable"}
    for key in expected.keys() - {"name", "dtype", "trainable"}:
        assert got[key] == expected[key], key
    assert type(ours).from_config(got).get_config() == got
    again = keras3.layers.deserialize(
        {"class_name": name, "config": {**got, "dtype": "float32"}, "module": "keras.layers"}
    )
    assert tuple(again.compute_output_shape((None, *shape[1:]))) == ours.compute_output_shape(
        (None, *shape[1:])
    )


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (lambda: layers.ZeroPadding1D((1, 2, 3)), r"ZeroPadding1D: padding must be"),
        (lambda: layers.ZeroPadding1D(-1), r"padding must be a non-negative int or a pair"),
        (lambda: layers.Cropping1D("1"), r"Cropping1D: cropping must be"),
        (lambda: layers.ZeroPadding3D((1, 2)), r"padding must be .* 3 \(before, after\) pairs"),
        (lambda: layers.Cropping3D(((1, 2, 3), 1, 1)), r"Cropping3D: cropping must be"),
        (lambda: layers.UpSampling1D(0), r"size` should be a positive integer.*UpSampling1D"),
        (lambda: layers.UpSampling3D((2, 2)), r"UpSampling3D: size"),
        (lambda: layers.ZeroPadding3D(data_format="NDHWC"), r"data_format"),
    ],
)
def test_bad_arguments_name_the_problem(factory: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        factory()


def _keras3_message(make: Any) -> str:
    try:
        make()
    except ValueError as error:
        return str(error)
    raise AssertionError("Keras 3 accepted the input")


@pytest.mark.parametrize(
    ("name", "args", "shape"),
    [
        ("Cropping1D", ((3, 3),), (1, 5, 2)),
        ("Cropping1D", ((2, 3),), (1, 5, 2)),
        ("Cropping2D", (((4, 0), (0, 0)),), (1, 4, 5, 1)),
        ("Cropping2D", (((0, 0), (3, 3)),), (1, 4, 5, 1)),
        ("Cropping3D", (((8, 1), (0, 0), (0, 0)),), (1, 7, 9, 3, 1)),
        ("Cropping3D", (((0, 0), (0, 0), (2, 1)),), (1, 7, 9, 3, 1)),
    ],
)
def test_excessive_cropping_uses_keras3_wording(name: str, args: Any, shape: Any) -> None:
    """The first sentence of Keras 3's message (the part its tests match) is ours too, for the
    eager call and for the symbolic shape check."""
    x = np.zeros(shape, np.float32)
    theirs = _keras3_message(
        lambda: getattr(keras3.layers, name)(*args).compute_output_shape(shape)
    )
    head = theirs.split(" Received")[0]
    with pytest.raises(ValueError, match=re.escape(head)):
        getattr(layers, name)(*args)(x)
    with pytest.raises(ValueError, match=re.escape(head)):
        getattr(layers, name)(*args).compute_output_shape(shape)


def test_upsampling_size_uses_keras3_wording() -> None:
    for size in [(2,), 2.5, True]:  # not an int: a TypeError, as in Keras 3
        with pytest.raises(TypeError):
            keras3.layers.UpSampling1D(size=size)
        with pytest.raises(TypeError, match=r"Expected an integer value for `size`"):
            layers.UpSampling1D(size=size)
    theirs = _keras3_message(lambda: keras3.layers.UpSampling1D(size=0))
    with pytest.raises(ValueError, match=re.escape(theirs.split(" Received")[0])):
        layers.UpSampling1D(size=0)


def test_bad_inputs_name_the_problem() -> None:
    with pytest.raises(ValueError, match=r"Cropping1D: cropping \(3, 3\) removes all 6 steps"):
        layers.Cropping1D(3)(np.zeros((1, 6, 2), np.float32))
    with pytest.raises(ValueError, match=r"Cropping3D: cropping \(1, 1\) removes all 2 dim2"):
        layers.Cropping3D()(np.zeros((1, 4, 2, 4, 1), np.float32))
    with pytest.raises(
        ValueError, match=r"UpSampling3D expects 5-D input \(batch, dim1, dim2, dim3, channels\)"
    ):
        layers.UpSampling3D()(np.zeros((1, 4, 4, 1), np.float32))
    with pytest.raises(ValueError, match=r"ZeroPadding1D expects 3-D input"):
        layers.ZeroPadding1D()(np.zeros((1, 4, 4, 1), np.float32))


def test_sequence_model_with_1d_layers_fits_as_keras() -> None:
    """A 1-D pipeline using every new 1-D layer, trained step for step with Keras 3."""

    def build(k: Any) -> Any:
        L = k.layers
        return k.Sequential(
            [
                k.Input(shape=(6, 2)),
                L.ZeroPadding1D((1, 2)),
                L.Conv1D(3, 3, activation="tanh"),
                L.UpSampling1D(2),
                L.Cropping1D((1, 2)),
                L.Conv1DTranspose(2, 3, strides=2, padding="same"),
                L.GlobalAveragePooling1D(),
                L.Dense(1, activation="sigmoid"),
            ]
        )

    from nnlab import keras as nnlab_keras

    rng = np.random.default_rng(2)
    x = rng.normal(size=(20, 6, 2)).astype(np.float32)
    y = (x[:, :3, 0].sum(axis=1) > 0).astype(np.float32)
    keras3.utils.set_random_seed(0)
    theirs, ours = build(keras3), build(nnlab_keras)
    ours.set_weights(theirs.get_weights())
    losses = []
    for model in (theirs, ours):
        model.compile(optimizer="adam", loss="binary_crossentropy")
        losses.append(model.fit(x, y, batch_size=5, epochs=2, shuffle=False, verbose=0).history)
    np.testing.assert_allclose(losses[1]["loss"], losses[0]["loss"], rtol=2e-5, atol=1e-6)
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-4, atol=2e-5)


@pytest.mark.parametrize(
    ("name", "kwargs", "shape", "channel_axis"),
    [
        ("SpatialDropout1D", {}, (40, 5, 6), 2),
        ("SpatialDropout2D", {"data_format": "channels_first"}, (40, 6, 3, 2), 1),
        ("SpatialDropout3D", {}, (40, 2, 3, 2, 6), 4),
        ("SpatialDropout3D", {"data_format": "channels_first"}, (40, 6, 2, 3, 2), 1),
    ],
)
def test_spatial_dropout_drops_whole_maps_with_keras_config(name, kwargs, shape, channel_axis):
    ours = getattr(layers, name)(0.5, seed=3, **kwargs)
    x = np.ones(shape, np.float32)
    assert np.array_equal(ours(x).numpy(), x)  # inference: the identity
    g = np.random.default_rng(0).normal(size=shape).astype(np.float32)
    y, dx, _ = nnlab_forward_backward(ours, x, g, training=True)
    maps = np.moveaxis(y, channel_axis, 1).reshape(shape[0], shape[channel_axis], -1)
    assert np.all(maps.min(axis=2) == maps.max(axis=2))  # one value per (sample, channel)
    assert set(np.unique(y)) == {0.0, 2.0}
    assert 0.35 < float(np.mean(y == 0)) < 0.65
    np.testing.assert_array_equal(dx, g * y)  # the mask / (1 - rate), as the forward
    theirs = getattr(keras3.layers, name)(0.5, seed=3, **kwargs)
    expected, got = theirs.get_config(), ours.get_config()
    for key in expected.keys() - {"name", "dtype", "trainable"}:
        assert got[key] == expected[key], key
    assert ours.compute_output_shape((None, *shape[1:])) == (None, *shape[1:])
    assert type(ours).from_config(got).get_config() == got


def test_spatial_dropout_rejects_the_wrong_rank() -> None:
    with pytest.raises(ValueError, match=r"SpatialDropout1D expects 3-D input"):
        layers.SpatialDropout1D(0.2)(np.zeros((1, 4, 4, 1), np.float32))
    with pytest.raises(ValueError, match=r"SpatialDropout3D: rate"):
        layers.SpatialDropout3D(1.5)
