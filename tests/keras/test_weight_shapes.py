"""The shape rules the loader checks files with, against Keras 3's own layers: for each config,
the weights Keras builds and the output shape it computes."""

from __future__ import annotations

import os

import pytest

from nnlab.keras.saving.weight_shapes import RULES, weight_shapes

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
L = keras.layers
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # Keras's torch backend

CASES = [
    ((None, 7), L.Dense(5)),
    ((None, 3, 7), L.Dense(4, use_bias=False)),
    ((None, 11, 10, 3), L.Conv2D(8, 3)),
    ((None, 11, 10, 3), L.Conv2D(8, (3, 2), strides=2, padding="same", use_bias=False)),
    ((None, 11, 10, 4), L.Conv2D(6, 3, dilation_rate=2, groups=2)),
    ((None, 3, 11, 10), L.Conv2D(6, 3, strides=(2, 3), data_format="channels_first")),
    ((None, 20, 3), L.Conv1D(5, 4, strides=3, padding="causal")),
    ((None, 20, 3), L.Conv1D(5, 4, strides=3, padding="same")),
    ((None, 11, 10, 3), L.DepthwiseConv2D(3, depth_multiplier=2, strides=2)),
    ((None, 11, 10, 3), L.DepthwiseConv2D((3, 2), padding="same", use_bias=False)),
    ((None, 11, 10, 3), L.SeparableConv2D(5, 3, depth_multiplier=2, padding="same")),
    ((None, 11, 10, 3), L.ZeroPadding2D(((1, 2), (0, 3)))),
    ((None, 11, 10, 3), L.Cropping2D(((1, 2), (3, 0)))),
    ((None, 11, 10, 3), L.UpSampling2D((2, 3))),
    ((None, 11, 10, 3), L.MaxPooling2D(2)),
    ((None, 11, 10, 3), L.AveragePooling2D(3, strides=2, padding="same")),
    ((None, 11, 3), L.MaxPooling1D(3, strides=2)),
    ((None, 11, 3), L.AveragePooling1D(2, padding="same")),
    ((None, 5, 6, 3), L.GlobalAveragePooling2D()),
    ((None, 5, 6, 3), L.GlobalMaxPooling2D(keepdims=True)),
    ((None, 5, 3), L.GlobalAveragePooling1D()),
    ((None, 5, 3), L.GlobalMaxPooling1D()),
    ((None, 5, 6, 3), L.Flatten()),
    ((None, 12), L.Reshape((3, -1))),
    ((None, 5, 6, 3), L.BatchNormalization()),
    ((None, 5, 6), L.BatchNormalization(axis=1, center=False)),
    ((None, 5, 6), L.LayerNormalization()),
    ((None, 5, 6), L.LayerNormalization(axis=[1, 2], scale=False)),
    ((None, 7), L.Embedding(100, 8)),
    ((None, 7), L.Dropout(0.5)),
    ((None, 7), L.LeakyReLU()),
]


@pytest.mark.parametrize(("shape", "layer"), CASES, ids=[type(c[1]).__name__ for c in CASES])
def test_rule_matches_keras(shape, layer) -> None:
    layer.build(shape)
    entry = {"class_name": type(layer).__name__, "config": layer.get_config()}
    [shapes] = weight_shapes([entry], shape)
    assert shapes == [tuple(w.shape) for w in layer.get_weights()]
    _, out = RULES[type(layer).__name__](layer.get_config(), shape)
    assert out == tuple(layer.compute_output_shape(shape))


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"class_name": "Dense", "config": {"name": "d", "units": 0}}, "units must be a positive"),
        ({"class_name": "Conv2D", "config": {"filters": 2, "kernel_size": [3]}}, "kernel_size"),
        ({"class_name": "Reshape", "config": {"target_shape": [5]}}, "does not hold the 6"),
        ({"class_name": "Mystery", "config": {}}, "no shape rule"),
    ],
)
def test_bad_configs_are_refused(entry, problem) -> None:
    with pytest.raises(ValueError, match=problem):
        weight_shapes([entry], (None, 6) if entry["class_name"] != "Conv2D" else (None, 4, 4, 1))
