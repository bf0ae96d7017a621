"""Keras 3's keras/src/layers/core/dense_test.py, ported with import changes only (``layers`` from
``nnlab.keras``, ``keras_tensor.KerasTensor`` -> ``keras.KerasTensor``, ``constraints`` ->
``keras.constraints``). ``run_layer_test`` is the public-API part of Keras's helper (``_port``).

Skipped: quantization (int4/int8/float8/GPTQ/AWQ), LoRA, sparse inputs, export, the legacy
variable-loading tests (all outside issue 11's catalogue).
"""

from __future__ import annotations

import numpy as np
import pytest

from nnlab import keras
from nnlab.keras import layers

from ._port import assert_all_close, run_layer_test


def test_dense_basics_2d_no_bias():
    run_layer_test(
        layers.Dense,
        init_kwargs={
            "units": 4,
            "activation": "relu",
            "kernel_initializer": "random_uniform",
            "bias_initializer": "ones",
            "use_bias": False,
        },
        input_shape=(2, 3),
        expected_output_shape=(2, 4),
        expected_num_trainable_weights=1,
        expected_num_non_trainable_weights=0,
        expected_num_losses=0,
    )


def test_dense_basics_3d_regularizers():
    run_layer_test(
        layers.Dense,
        init_kwargs={
            "units": 5,
            "activation": "sigmoid",
            "kernel_regularizer": "l2",
            "bias_regularizer": "l2",
        },
        input_shape=(2, 3, 4),
        expected_output_shape=(2, 3, 5),
        expected_num_trainable_weights=2,
        expected_num_non_trainable_weights=0,
        expected_num_losses=2,
    )


@pytest.mark.parametrize("units", [0, -3, 2.5, None, "64"])
def test_dense_invalid_units_raises(units):
    with pytest.raises(ValueError, match="positive integer"):
        layers.Dense(units)


def test_dense_correctness():
    layer = layers.Dense(units=2, activation="relu")
    layer.build((1, 2))
    layer.set_weights([np.array([[1.0, -2.0], [3.0, -4.0]]), np.array([5.0, -6.0])])
    inputs = np.array([[-1.0, 2.0]])
    assert_all_close(layer(inputs), [[10.0, 0.0]])

    layer = layers.Dense(units=2, use_bias=False)
    layer.build((1, 2))
    layer.set_weights([np.array([[1.0, -2.0], [3.0, -4.0]])])
    inputs = np.array([[-1.0, 2.0]])
    assert layer.bias is None
    assert_all_close(layer(inputs), [[5.0, -6.0]])


def test_dense_errors():
    with pytest.raises(ValueError, match="incompatible with the layer"):
        layer = layers.Dense(units=2, activation="relu")
        layer(keras.KerasTensor((1, 2)))
        layer(keras.KerasTensor((1, 3)))


def test_dense_no_activation():
    layer = layers.Dense(units=2, use_bias=False, activation=None)
    layer.build((1, 2))
    layer.set_weights([np.array([[1.0, -2.0], [3.0, -4.0]])])
    inputs = np.array([[-1.0, 2.0]])
    assert layer.bias is None
    assert_all_close(layer(inputs), [[5.0, -6.0]])


def test_dense_without_activation_set():
    layer = layers.Dense(units=2, use_bias=False)
    layer.build((1, 2))
    layer.set_weights([np.array([[1.0, -2.0], [3.0, -4.0]])])
    layer.activation = None
    inputs = np.array([[-1.0, 2.0]])
    assert layer.bias is None
    assert_all_close(layer(inputs), [[5.0, -6.0]])


def test_dense_with_activation():
    layer = layers.Dense(units=2, use_bias=False, activation="relu")
    layer.build((1, 2))
    layer.set_weights([np.array([[1.0, -2.0], [3.0, -4.0]])])
    inputs = np.array([[-1.0, 2.0]])
    output = layer(inputs)
    expected_output = np.array([[5.0, 0.0]])
    assert_all_close(output, expected_output)


def test_dense_constraints():
    layer = layers.Dense(units=2, kernel_constraint="non_neg")
    layer.build((None, 2))
    assert isinstance(layer.kernel.constraint, keras.constraints.NonNeg)
    layer = layers.Dense(units=2, bias_constraint="non_neg")
    layer.build((None, 2))
    assert isinstance(layer.bias.constraint, keras.constraints.NonNeg)


def test_dense_config_keys_are_keras3s():
    layer = layers.Dense(4, activation="relu", name="d")
    config = layer.get_config()
    for key in (
        "units", "activation", "use_bias", "kernel_initializer", "bias_initializer",
        "kernel_regularizer", "bias_regularizer", "kernel_constraint", "bias_constraint",
        "name", "trainable", "dtype",
    ):  # fmt: skip
        assert key in config
    assert config["units"] == 4 and config["activation"] == "relu"
