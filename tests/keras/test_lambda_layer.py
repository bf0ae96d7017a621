"""Lambda as Keras 3 writes and reads it: the function keyword, the config layout of a Python
lambda and of a named function, and safe mode (a lambda's code is refused unless
``safe_mode=False``)."""

from __future__ import annotations

import numpy as np
import pytest

from .keras_oracle import keras, nk


def test_lambda_config_is_keras_3s_and_reads_both_ways() -> None:
    ours = nk.layers.Lambda(function=lambda x, k=3.0: x * k, output_shape=(2,), name="lam")
    theirs = keras.layers.Lambda(function=lambda x, k=3.0: x * k, output_shape=(2,), name="lam")
    a, b = ours.get_config(), theirs.get_config()
    assert a["function"]["class_name"] == b["function"]["class_name"] == "__lambda__"
    assert set(a) == set(b) and a["function"]["config"]["defaults"] == (3.0,)
    back = keras.layers.Lambda.from_config(a, safe_mode=False)
    x = np.ones((2, 2), "float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(back(x)), 3.0)
    mine = nk.layers.Lambda.from_config(b, safe_mode=False)
    np.testing.assert_allclose(mine(x).data, 3.0)
    assert mine.compute_output_shape((None, 5)) == (None, 2)


def test_lambda_code_is_refused_in_safe_mode() -> None:
    config = nk.layers.Lambda(lambda x: x + 1).get_config()
    with pytest.raises(ValueError, match="safe_mode=False"):
        nk.layers.Lambda.from_config(config)
    inputs = nk.Input((2,))
    model = nk.Model(inputs, nk.layers.Lambda(lambda x: x + 1)(inputs))
    with pytest.raises(ValueError, match="arbitrary code execution"):
        nk.Model.from_config(model.get_config())


def test_named_functions_round_trip_without_code() -> None:
    layer = nk.layers.Lambda(nk.ops.square)
    config = layer.get_config()
    theirs = keras.layers.Lambda(keras.ops.square).get_config()["function"]
    for key in ("class_name", "config", "registered_name"):
        assert config["function"][key] == theirs[key]
    revived = nk.layers.Lambda.from_config(config)
    np.testing.assert_allclose(revived(np.full((1, 2), 3.0)).data, 9.0)

    def twice(x):
        return x * 2

    config = nk.layers.Lambda(twice).get_config()
    with pytest.raises(ValueError, match="custom_objects"):
        nk.layers.Lambda.from_config(config)
    revived = nk.layers.Lambda.from_config(config, custom_objects={"twice": twice})
    np.testing.assert_allclose(revived(np.ones((1, 2))).data, 2.0)


def test_lambda_passes_training_and_arguments() -> None:
    layer = nk.layers.Lambda(lambda x, scale, training=None: x * (scale if training else 0.0),
                             arguments={"scale": 4.0})  # fmt: skip
    x = np.ones((1, 2), "float32")
    np.testing.assert_allclose(layer(x, training=True).data, 4.0)
    np.testing.assert_allclose(layer(x, training=False).data, 0.0)
