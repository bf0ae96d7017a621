"""The convolution, pooling and image-plane layers against Keras 3 (torch backend): from the same
weights, the same outputs, input gradients and weight gradients (float32 tolerance), the same
output shapes (``compute_output_shape``, batch None) and the same ``get_config`` values."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from nnlab.keras import layers

from .keras3_oracle import keras_forward_backward, make_pair, nnlab_forward_backward

CASES: list[tuple[str, tuple[Any, ...], dict[str, Any], tuple[int, ...]]] = [
    ("Conv2D", (4, 3), {}, (2, 7, 6, 3)),
    ("Conv2D", (4, 3), {"activation": "relu"}, (2, 7, 6, 3)),
    ("Conv2D", (6, (3, 2)), {"strides": 2, "padding": "same"}, (2, 9, 8, 3)),
    ("Conv2D", (4, 3), {"padding": "same", "strides": (2, 1), "activation": "tanh"}, (2, 8, 7, 2)),
    ("Conv2D", (4, 3), {"dilation_rate": 2, "padding": "same"}, (2, 9, 9, 2)),
    ("Conv2D", (6, 3), {"groups": 3, "use_bias": False}, (2, 6, 6, 3)),
    ("Conv2D", (4, 2), {"data_format": "channels_first", "activation": "relu"}, (2, 3, 6, 5)),
    ("Conv2D", (4, 2), {"data_format": "channels_first", "padding": "same"}, (2, 3, 5, 5)),
    ("Conv1D", (4, 3), {}, (2, 9, 3)),
    ("Conv1D", (4, 3), {"padding": "causal", "dilation_rate": 2}, (2, 9, 3)),
    ("Conv1D", (4, 4), {"padding": "same", "strides": 2, "activation": "relu"}, (2, 9, 2)),
    ("Conv1D", (4, 3), {"data_format": "channels_first", "groups": 2}, (2, 2, 8)),
    ("DepthwiseConv2D", (3,), {}, (2, 7, 6, 3)),
    (
        "DepthwiseConv2D",
        (3,),
        {"depth_multiplier": 2, "padding": "same", "strides": 2},
        (2, 7, 6, 3),
    ),
    (
        "DepthwiseConv2D",
        ((2, 3),),
        {"data_format": "channels_first", "depth_multiplier": 2},
        (2, 3, 6, 6),
    ),
    ("SeparableConv2D", (5, 3), {}, (2, 7, 6, 3)),
    (
        "SeparableConv2D",
        (4, 3),
        {"depth_multiplier": 2, "padding": "same", "strides": 2, "activation": "relu"},
        (2, 8, 8, 3),
    ),
    ("SeparableConv2D", (4, 3), {"data_format": "channels_first"}, (2, 3, 6, 6)),
    ("MaxPooling2D", (), {}, (2, 8, 6, 3)),
    ("MaxPooling2D", ((3, 2),), {"strides": 1}, (2, 7, 6, 3)),
    ("MaxPooling2D", (3,), {"strides": 2, "padding": "same"}, (2, 7, 8, 3)),
    ("MaxPooling2D", (2,), {"padding": "same", "data_format": "channels_first"}, (2, 3, 7, 5)),
    ("AveragePooling2D", (2,), {}, (2, 8, 6, 3)),
    ("AveragePooling2D", (3,), {"strides": 2, "padding": "same"}, (2, 7, 9, 3)),
    ("AveragePooling2D", (2,), {"padding": "same", "data_format": "channels_first"}, (2, 3, 7, 5)),
    ("MaxPooling1D", (), {}, (2, 9, 3)),
    ("MaxPooling1D", (3,), {"strides": 2, "padding": "same"}, (2, 9, 3)),
    ("MaxPooling1D", (2,), {"data_format": "channels_first"}, (2, 3, 8)),
    ("AveragePooling1D", (3,), {"strides": 1}, (2, 9, 3)),
    ("AveragePooling1D", (2,), {"padding": "same"}, (2, 9, 3)),
    ("AveragePooling1D", (2,), {"data_format": "channels_first", "padding": "same"}, (2, 3, 7)),
    ("GlobalAveragePooling2D", (), {}, (2, 5, 4, 3)),
    (
        "GlobalAveragePooling2D",
        (),
        {"keepdims": True, "data_format": "channels_first"},
        (2, 3, 5, 4),
    ),
    ("GlobalMaxPooling2D", (), {}, (2, 5, 4, 3)),
    ("GlobalMaxPooling2D", (), {"keepdims": True}, (2, 5, 4, 3)),
    ("GlobalAveragePooling1D", (), {}, (2, 6, 3)),
    ("GlobalMaxPooling1D", (), {"data_format": "channels_first"}, (2, 3, 6)),
    ("ZeroPadding2D", (), {}, (2, 4, 5, 3)),
    ("ZeroPadding2D", (((1, 2), (0, 3)),), {}, (2, 4, 5, 3)),
    ("ZeroPadding2D", ((2, 1),), {"data_format": "channels_first"}, (2, 3, 4, 5)),
    ("Cropping2D", (1,), {}, (2, 6, 5, 3)),
    ("Cropping2D", (((1, 2), (0, 1)),), {"data_format": "channels_first"}, (2, 3, 6, 5)),
    ("UpSampling2D", (), {}, (2, 3, 4, 2)),
    ("UpSampling2D", ((2, 3),), {"data_format": "channels_first"}, (2, 2, 3, 4)),
    ("UpSampling2D", ((2, 3),), {"interpolation": "bilinear"}, (2, 3, 4, 2)),
    ("SpatialDropout2D", (0.4,), {}, (2, 4, 4, 3)),
    ("Flatten", (), {}, (2, 3, 4, 2)),
    ("Flatten", (), {"data_format": "channels_first"}, (2, 3, 4, 2)),
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
    y_k, dx_k, dw_k = keras_forward_backward(theirs, x, np.ones(1, np.float32))
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
    assert ours.name == re.sub(r"_\d+$", "", theirs.name)  # Keras's default name, 'conv2d'
    for batch_shape in ((None, *shape[1:]), shape):
        assert ours.compute_output_shape(batch_shape) == theirs.compute_output_shape(batch_shape)
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in theirs.get_weights()]
    assert ours.count_params() == theirs.count_params()
    expected = theirs.get_config()
    got = ours.get_config()
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


def test_spatial_dropout_drops_whole_channels_in_training_only() -> None:
    layer = layers.SpatialDropout2D(0.5, seed=3)
    x = np.ones((40, 3, 3, 8), np.float32)
    assert np.array_equal(layer(x).numpy(), x)  # inference: the identity
    y = layer(x, training=True).numpy()
    per_map = y.reshape(40, 9, 8)
    assert np.all(per_map.min(axis=1) == per_map.max(axis=1))  # one value per (sample, channel)
    assert set(np.unique(y)) == {0.0, 2.0}
    assert 0.35 < float(np.mean(y == 0)) < 0.65


def test_conv2d_summary_counts_and_shapes() -> None:
    """Keras's numbers for keras-io's MNIST convnet: 34,826 parameters."""
    conv1 = layers.Conv2D(32, kernel_size=(3, 3), activation="relu")
    assert conv1.compute_output_shape((None, 28, 28, 1)) == (None, 26, 26, 32)
    conv1.build((None, 28, 28, 1))
    conv2 = layers.Conv2D(64, 3, activation="relu")
    conv2.build((None, 13, 13, 32))
    assert conv1.count_params() + conv2.count_params() == 320 + 18496
    assert layers.MaxPooling2D((2, 2)).compute_output_shape((None, 11, 11, 64)) == (None, 5, 5, 64)


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (lambda: layers.Conv2D(0, 3), "filters"),
        (lambda: layers.Conv2D(4, (3, 3, 3)), "kernel_size"),
        (lambda: layers.Conv2D(4, 3, padding="full"), "padding"),
        (lambda: layers.Conv2D(4, 3, padding="causal"), "padding"),
        (lambda: layers.Conv2D(4, 3, strides=2, dilation_rate=2), "dilation_rate"),
        (lambda: layers.Conv2D(6, 3, groups=4), "groups"),
        (lambda: layers.Conv2D(4, 3, data_format="NHWC"), "data_format"),
        (lambda: layers.DepthwiseConv2D(3, depth_multiplier=0), "depth_multiplier"),
        (lambda: layers.MaxPooling2D(0), "pool_size"),
        (lambda: layers.ZeroPadding2D(-1), "padding"),
        (lambda: layers.UpSampling2D(interpolation="cubic"), "interpolation"),
        (lambda: layers.SpatialDropout2D(1.0), "rate"),
    ],
)
def test_bad_arguments_name_the_problem(factory: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        factory()


def test_bad_input_shapes_name_the_problem() -> None:
    with pytest.raises(
        ValueError, match=r"Conv2D expects 4-D input \(batch, rows, cols, channels\)"
    ):
        layers.Conv2D(4, 3)(np.zeros((2, 8, 8), np.float32))
    with pytest.raises(ValueError, match="groups"):
        layers.Conv2D(4, 3, groups=2)(np.zeros((1, 5, 5, 3), np.float32))
    with pytest.raises(ValueError, match="removes all"):
        layers.Cropping2D(3)(np.zeros((1, 6, 6, 1), np.float32))
    with pytest.raises(ValueError, match="MaxPooling1D expects 3-D input"):
        layers.MaxPooling1D()(np.zeros((1, 6, 6, 1), np.float32))


def test_average_pooling_same_leaves_the_padding_out_of_the_mean() -> None:
    """Keras's rule (TensorFlow's, and Keras-on-torch's when the padding is symmetric): the mean
    of the real pixels of each window. Oracle: torch's window sums of the zero-padded input
    divided by those of a mask of ones, for padding (1, 1) on rows and (0, 1) on columns."""
    import torch

    x = np.random.default_rng(5).normal(size=(2, 7, 8, 3)).astype(np.float32)
    y = layers.AveragePooling2D(3, strides=2, padding="same")(x).numpy()
    xt = torch.tensor(x).permute(0, 3, 1, 2)
    pads = (0, 1, 1, 1)  # left, right, top, bottom

    def window_sums(a: Any) -> Any:
        return torch.nn.functional.avg_pool2d(
            torch.nn.functional.pad(a, pads), 3, 2, divisor_override=1
        )

    expected = window_sums(xt) / window_sums(torch.ones_like(xt))
    np.testing.assert_allclose(y, expected.permute(0, 2, 3, 1).numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    ("layer", "shape", "fans"),
    [
        (lambda: layers.Conv2D(64, 3), (None, 8, 8, 16), (9 * 16, 9 * 64)),
        (lambda: layers.Conv1D(32, 5), (None, 20, 8), (5 * 8, 5 * 32)),
        (lambda: layers.DepthwiseConv2D(3, depth_multiplier=4), (None, 8, 8, 16), (9 * 16, 9 * 4)),
    ],
)
def test_kernels_start_as_keras_glorot_uniform(layer: Any, shape: Any, fans: Any) -> None:
    """Keras's fans for a kernel: fan_in = receptive field × in_channels, fan_out = receptive
    field × out_channels; glorot_uniform draws U(-l, l), l = √(6 / (fan_in + fan_out))."""
    built = layer()
    built.build(shape)
    kernel, bias = built.get_weights()
    limit = np.sqrt(6 / sum(fans))
    assert kernel.dtype == np.float32 and np.abs(kernel).max() <= limit
    assert abs(kernel.std() / (limit / np.sqrt(3)) - 1) < 0.1
    assert not bias.any()
