"""Conv1DTranspose and Conv2DTranspose against Keras 3 (torch backend): from the same weights,
the same outputs, input and weight gradients, output shapes and configs; then whole models
(Sequential and functional) trained step for step."""

from __future__ import annotations

import re
import warnings
from typing import Any

import numpy as np
import pytest

from nnlab import keras as nnlab_keras
from nnlab.keras import layers

from .keras3_oracle import keras3, keras_forward_backward, make_pair, nnlab_forward_backward

CASES: list[tuple[str, tuple[Any, ...], dict[str, Any], tuple[int, ...]]] = [
    ("Conv2DTranspose", (4, 3), {}, (2, 5, 4, 3)),
    ("Conv2DTranspose", (4, 3), {"strides": 2, "padding": "same"}, (2, 5, 4, 3)),
    ("Conv2DTranspose", (3, 4), {"strides": 2, "padding": "same"}, (2, 4, 5, 2)),
    ("Conv2DTranspose", (3, (3, 2)), {"strides": (2, 3), "activation": "relu"}, (2, 4, 3, 2)),
    ("Conv2DTranspose", (2, 2), {"strides": 3}, (2, 3, 4, 3)),  # kernel < stride: gaps
    ("Conv2DTranspose", (3, 3), {"strides": 2, "output_padding": 1}, (2, 4, 3, 2)),
    (
        "Conv2DTranspose",
        (3, 3),
        {"strides": 3, "padding": "same", "output_padding": (2, 0)},
        (2, 3, 4, 2),
    ),
    (
        "Conv2DTranspose",
        (3, 3),
        {"strides": 2, "padding": "same", "output_padding": 1},
        (1, 3, 3, 2),
    ),
    ("Conv2DTranspose", (3, 3), {"dilation_rate": 2, "padding": "same"}, (2, 4, 4, 2)),
    ("Conv2DTranspose", (3, 2), {"dilation_rate": (2, 1), "use_bias": False}, (2, 4, 4, 2)),
    (
        "Conv2DTranspose",
        (4, 3),
        {"strides": 2, "padding": "same", "data_format": "channels_first", "activation": "tanh"},
        (2, 3, 4, 5),
    ),
    ("Conv2DTranspose", (2, 2), {"data_format": "channels_first"}, (2, 3, 4, 5)),
    ("Conv1DTranspose", (4, 3), {}, (2, 6, 3)),
    ("Conv1DTranspose", (4, 3), {"strides": 2, "padding": "same"}, (2, 6, 3)),
    ("Conv1DTranspose", (2, 4), {"strides": 3, "padding": "same", "output_padding": 1}, (2, 5, 2)),
    ("Conv1DTranspose", (3, 5), {"dilation_rate": 2, "activation": "sigmoid"}, (2, 6, 2)),
    ("Conv1DTranspose", (3, 2), {"strides": 2, "data_format": "channels_first"}, (2, 2, 6)),
]
IDS = [f"{name}-{i}" for i, (name, *_rest) in enumerate(CASES)]
TOL = {"rtol": 1e-5, "atol": 1e-5}


@pytest.mark.parametrize(("name", "args", "kwargs", "shape"), CASES, ids=IDS)
def test_same_outputs_and_gradients_as_keras(
    name: str, args: tuple[Any, ...], kwargs: dict[str, Any], shape: tuple[int, ...]
) -> None:
    theirs, ours = make_pair(name, args, kwargs, shape)
    rng = np.random.default_rng(1)
    x = rng.normal(size=shape).astype(np.float32)
    y_k = keras_forward_backward(theirs, x, np.ones(1, np.float32))[0]
    g = rng.normal(size=y_k.shape).astype(np.float32)
    y_k, dx_k, dw_k = keras_forward_backward(theirs, x, g)
    y_n, dx_n, dw_n = nnlab_forward_backward(ours, x, g)
    assert y_n.dtype == np.float32 and y_n.shape == y_k.shape
    np.testing.assert_allclose(y_n, y_k, **TOL)
    np.testing.assert_allclose(dx_n, dx_k, **TOL)
    assert len(dw_n) == len(dw_k)
    for ours_grad, their_grad in zip(dw_n, dw_k, strict=True):
        np.testing.assert_allclose(ours_grad, their_grad, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize(("name", "args", "kwargs", "shape"), CASES, ids=IDS)
def test_same_shapes_weights_and_config_as_keras(
    name: str, args: tuple[Any, ...], kwargs: dict[str, Any], shape: tuple[int, ...]
) -> None:
    theirs, ours = make_pair(name, args, kwargs, shape)
    assert ours.name == re.sub(r"_\d+$", "", theirs.name)  # 'conv2d_transpose'
    for batch_shape in ((None, *shape[1:]), shape):
        assert ours.compute_output_shape(batch_shape) == tuple(
            theirs.compute_output_shape(batch_shape)
        )
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in theirs.get_weights()]
    assert ours.count_params() == theirs.count_params()
    expected, got = theirs.get_config(), ours.get_config()
    for key, value in expected.items():
        if key in ("name", "dtype", "trainable"):
            continue
        assert key in got, f"{name}.get_config() lacks {key!r}"
        if isinstance(value, dict):  # a serialized initializer: the same class (or its name)
            mine = got[key]["class_name"] if isinstance(got[key], dict) else got[key]
            assert mine.replace("_", "").lower() == value["class_name"].lower(), key
        else:
            assert got[key] == value, key
    assert type(ours).from_config(got).get_config() == got
    config = {**got, "dtype": "float32"}  # Keras 3 reads nnlab's config
    assert (
        tuple(
            keras3.layers.deserialize(
                {"class_name": name, "config": config, "module": "keras.layers"}
            ).compute_output_shape((None, *shape[1:]))
        )
        == ours.compute_output_shape((None, *shape[1:]))
        == ours.compute_output_shape((None, *shape[1:]))
    )


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "padding", "output_padding"),
    [
        (n, k, s, p, op)
        for n in (1, 4)
        for k in (1, 2, 3, 4)
        for s in (1, 2, 3)
        for p in ("valid", "same")
        for op in (None, *range(s))
    ],
)
def test_the_output_length_rule_is_keras(size, kernel, stride, padding, output_padding) -> None:
    """Every kernel/stride/padding/output_padding combination, against Keras's own shape
    rule and its torch computation (an output's actual shape)."""
    kwargs = {"strides": stride, "padding": padding, "output_padding": output_padding}
    ours = layers.Conv1DTranspose(1, kernel, **kwargs)
    theirs = keras3.layers.Conv1DTranspose(1, kernel, **kwargs)
    expected = tuple(theirs.compute_output_shape((None, size, 1)))
    assert ours.compute_output_shape((None, size, 1)) == expected
    x = np.ones((1, size, 1), np.float32)
    ours.build((None, size, 1))
    if expected[1] < 1:  # Keras returns an empty output; nnlab says why there is none
        with pytest.raises(ValueError, match="crops the whole output"):
            ours(x)
        return
    with warnings.catch_warnings():  # Keras warns of cross-backend differences; not ours
        warnings.simplefilter("ignore")
        y_k = theirs(x)
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours(x).numpy(), y_k.detach().numpy(), rtol=1e-6, atol=1e-6)


def test_kernel_starts_as_keras_glorot_uniform_with_keras_fans() -> None:
    """Kernel (3, 3, filters=8, in=4): fan_in = 9·8, fan_out = 9·4 (Keras reads the last two
    axes as (in, out) whatever the layer means by them)."""
    layer = layers.Conv2DTranspose(8, 3)
    layer.build((None, 6, 6, 4))
    kernel, bias = layer.get_weights()
    assert kernel.shape == (3, 3, 8, 4) and kernel.dtype == np.float32
    limit = np.sqrt(6 / (9 * 8 + 9 * 4))
    assert np.abs(kernel).max() <= limit
    assert abs(kernel.std() / (limit / np.sqrt(3)) - 1) < 0.15
    assert not bias.any()


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (lambda: layers.Conv2DTranspose(0, 3), "filters"),
        (lambda: layers.Conv2DTranspose(4, (3, 3, 3)), "kernel_size"),
        (lambda: layers.Conv2DTranspose(4, 3, padding="causal"), "padding"),
        (lambda: layers.Conv2DTranspose(4, 3, strides=2, dilation_rate=2), "dilation_rate"),
        (lambda: layers.Conv2DTranspose(4, 3, strides=2, output_padding=2), "output_padding"),
        (lambda: layers.Conv1DTranspose(4, 3, output_padding=-1), "output_padding"),
        (lambda: layers.Conv2DTranspose(4, 3, data_format="NHWC"), "data_format"),
    ],
)
def test_bad_arguments_name_the_problem(factory: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        factory()


def test_bad_input_shapes_name_the_problem() -> None:
    with pytest.raises(
        ValueError, match=r"Conv2DTranspose expects 4-D input \(batch, rows, cols, channels\)"
    ):
        layers.Conv2DTranspose(4, 3)(np.zeros((2, 8, 8), np.float32))
    with pytest.raises(ValueError, match=r"Conv1DTranspose expects 3-D input"):
        layers.Conv1DTranspose(4, 3)(np.zeros((2, 8, 8, 1), np.float32))


# ---------------------------------------------------------------- models, step for step
def autoencoder(k: Any) -> Any:
    """A small convolutional autoencoder's decoder half in a Sequential."""
    L = k.layers
    return k.Sequential(
        [
            k.Input(shape=(8, 8, 1)),
            L.Conv2D(4, 3, strides=2, padding="same", activation="relu"),
            L.Conv2DTranspose(4, 3, strides=2, padding="same", activation="relu"),
            L.Conv2DTranspose(2, 2, padding="valid", output_padding=None),
            L.Conv2D(1, 2, activation="sigmoid"),
        ]
    )


def functional_unet(k: Any) -> Any:
    """A U-Net-shaped functional model: down, up with Conv2DTranspose, skip concatenation;
    and a 1-D branch with Conv1DTranspose."""
    L = k.layers
    image = k.Input(shape=(6, 6, 2))
    down = L.Conv2D(3, 3, strides=2, padding="same", activation="tanh")(image)
    up = L.Conv2DTranspose(3, 3, strides=2, padding="same", output_padding=1)(down)
    merged = L.Concatenate()([image, up])
    image_out = L.Conv2D(1, 1, activation="sigmoid")(merged)
    sequence = k.Input(shape=(5, 2))
    seq = L.Conv1DTranspose(2, 3, strides=2, activation="relu")(sequence)
    seq_out = L.Conv1D(1, 11, activation="sigmoid")(seq)
    return k.Model([image, sequence], [image_out, seq_out])


def _twins(build: Any) -> tuple[Any, Any]:
    keras3.utils.set_random_seed(0)
    theirs = build(keras3)
    ours = build(nnlab_keras)
    ours.set_weights(theirs.get_weights())
    return theirs, ours


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_sequential_autoencoder_fits_as_keras(optimizer: str) -> None:
    rng = np.random.default_rng(0)
    x = (rng.random((24, 8, 8, 1)) > 0.6).astype(np.float32)
    theirs, ours = _twins(autoencoder)
    histories = []
    for model in (theirs, ours):
        opt = "adam" if optimizer == "adam" else "sgd"
        model.compile(optimizer=opt, loss="binary_crossentropy")
        histories.append(model.fit(x, x, batch_size=8, epochs=3, shuffle=False, verbose=0).history)
    np.testing.assert_allclose(histories[1]["loss"], histories[0]["loss"], rtol=2e-5, atol=1e-6)
    for w_ours, w_theirs in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(w_ours, np.asarray(w_theirs), rtol=1e-4, atol=2e-5)
    np.testing.assert_allclose(
        ours.predict(x, verbose=0), np.asarray(theirs.predict(x, verbose=0)), atol=2e-5
    )


def test_functional_model_fits_as_keras() -> None:
    rng = np.random.default_rng(1)
    images = rng.normal(size=(16, 6, 6, 2)).astype(np.float32)
    sequences = rng.normal(size=(16, 5, 2)).astype(np.float32)
    targets = [
        (images[..., :1] > 0).astype(np.float32),
        (rng.random((16, 1, 1)) > 0.5).astype(np.float32),
    ]
    theirs, ours = _twins(functional_unet)
    histories = []
    for model in (theirs, ours):
        model.compile(optimizer="adam", loss=["binary_crossentropy", "binary_crossentropy"])
        hist = model.fit(
            [images, sequences], targets, batch_size=4, epochs=2, shuffle=False, verbose=0
        )
        histories.append(hist.history)
    np.testing.assert_allclose(histories[1]["loss"], histories[0]["loss"], rtol=2e-5, atol=1e-6)
    for w_ours, w_theirs in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(w_ours, np.asarray(w_theirs), rtol=1e-4, atol=2e-5)


@pytest.mark.parametrize("build", [autoencoder, functional_unet])
def test_summary_shapes_and_counts_match_keras(build: Any) -> None:
    theirs, ours = _twins(build)
    lines: list[str] = []
    ours.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert f"Total params: {theirs.count_params():,}" in text
    for layer in theirs.layers:
        if type(layer).__name__.endswith("Transpose"):
            shape = tuple(layer.output.shape)
            assert str(shape) in text, f"{layer.name}: {shape} not in the summary"
    assert ours.count_params() == theirs.count_params()
