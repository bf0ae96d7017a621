"""Keras 3's keras/src/layers/regularization/dropout_test.py, ported with import changes only
(``layers`` from ``nnlab.keras``; ``backend.convert_to_numpy`` -> ``keras.ops.convert_to_numpy``).
``run_layer_test`` is the public-API part of Keras's helper (``_port``): seed-generator counting
and ``assert_built_after_instantiation`` are not ported. Nothing skipped.
"""

from __future__ import annotations

import numpy as np
import pytest

from nnlab import keras
from nnlab.keras import layers

from ._port import assert_all_close, run_layer_test, to_numpy


def test_dropout_basics():
    run_layer_test(
        layers.Dropout,
        init_kwargs={"rate": 0.2},
        input_shape=(2, 3),
        call_kwargs={"training": True},
        expected_output_shape=(2, 3),
        expected_num_trainable_weights=0,
        expected_num_non_trainable_weights=0,
        expected_num_losses=0,
    )


def test_dropout_rescaling():
    inputs = np.ones((20, 500))
    layer = layers.Dropout(0.5, seed=1337)
    outputs = layer(inputs, training=True)
    outputs = keras.ops.convert_to_numpy(outputs)
    assert_all_close(np.mean(outputs), 1.0, atol=0.02)
    assert_all_close(np.max(outputs), 2.0)


def test_dropout_inference_is_identity():
    inputs = np.random.random((4, 7)).astype("float32")
    layer = layers.Dropout(0.5, seed=1337)
    assert_all_close(layer(inputs), inputs)
    assert_all_close(layer(inputs, training=False), inputs)


def test_dropout_partial_noise_shape_dynamic():
    inputs = np.ones((20, 5, 10))
    layer = layers.Dropout(0.5, noise_shape=(None, 1, None))
    outputs = to_numpy(layer(inputs, training=True))
    assert_all_close(outputs[:, 0, :], outputs[:, 1, :])


def test_dropout_partial_noise_shape_static():
    inputs = np.ones((20, 5, 10))
    layer = layers.Dropout(0.5, noise_shape=(20, 1, 10))
    outputs = to_numpy(layer(inputs, training=True))
    assert_all_close(outputs[:, 0, :], outputs[:, 1, :])


_RATE = "Invalid value received for argument `rate`. Expected a float value between 0 and 1."


def test_dropout_negative_rate():
    with pytest.raises(ValueError, match=_RATE):
        _ = layers.Dropout(rate=-0.5)


def test_dropout_rate_greater_than_one():
    with pytest.raises(ValueError, match=_RATE):
        _ = layers.Dropout(rate=1.5)


def test_validate_noise_shape_none():
    layer = layers.Dropout(0.5, noise_shape=None)
    assert layer.noise_shape is None


def test_validate_noise_shape_integer_tuple():
    layer = layers.Dropout(0.5, noise_shape=(20, 1, 10))
    assert layer.noise_shape == (20, 1, 10)


def test_validate_noise_shape_none_values():
    layer = layers.Dropout(0.5, noise_shape=(None, 1, None))
    assert layer.noise_shape == (None, 1, None)


def test_validate_noise_shape_cast_to_a_tuple():
    layer = layers.Dropout(0.5, noise_shape=[20, 1, 10])
    assert layer.noise_shape == (20, 1, 10)
    assert isinstance(layer.noise_shape, tuple)


def test_validate_noise_shape_non_iterable():
    with pytest.raises(
        ValueError,
        match="Invalid value received for argument `noise_shape`. "
        "Expected a tuple or list of integers.",
    ):
        layers.Dropout(0.5, noise_shape="Invalid")


def test_validate_noise_shape_invalid_type():
    with pytest.raises(
        ValueError,
        match="Invalid value received for argument `noise_shape`. "
        "Expected all elements to be integers or None.",
    ):
        layers.Dropout(0.5, noise_shape=(20, 1.5, 10))


@pytest.mark.parametrize("bad", [-1, 0])
def test_validate_noise_shape_non_positive_value(bad):
    with pytest.raises(
        ValueError,
        match="Invalid value received for argument `noise_shape`. "
        "Expected all dimensions to be positive integers or None.",
    ):
        layers.Dropout(0.5, noise_shape=(20, bad, 10))
