"""keras.saving.serialize_keras_object / deserialize_keras_object against Keras 3's
(KERAS_BACKEND=torch): the same descriptions for built-in objects, functions, arrays and
containers; round trips; a custom layer holding a sub-layer (the serialization guide's pattern)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from nnlab import keras
from nnlab.keras.saving import object_registration

os.environ.setdefault("KERAS_BACKEND", "torch")
keras3 = pytest.importorskip("keras")
if keras3.backend.backend() != "torch":  # pragma: no cover - another backend chosen first
    pytest.skip("the Keras oracle needs KERAS_BACKEND=torch", allow_module_level=True)


def _pair(lib):
    return [
        lib.initializers.GlorotUniform(seed=3),
        lib.constraints.MaxNorm(1.5, axis=1),
        lib.regularizers.L2(0.01),
        lib.losses.MeanSquaredError(),
        lib.activations.relu,
        None,
        1.5,
        "relu",
        [1, {"a": 2}],
        np.arange(3, dtype=np.int64),
    ]


@pytest.mark.parametrize("i", range(10))
def test_descriptions_match_keras(i) -> None:
    ours = keras.saving.serialize_keras_object(_pair(keras)[i])
    theirs = keras3.saving.serialize_keras_object(_pair(keras3)[i])
    assert ours == theirs


@pytest.mark.parametrize("i", range(4))
def test_round_trip_of_built_in_objects(i) -> None:
    obj = _pair(keras)[i]
    back = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(obj))
    assert type(back) is type(obj) and back.get_config() == obj.get_config()


def test_functions_arrays_and_containers_come_back() -> None:
    s, d = keras.saving.serialize_keras_object, keras.saving.deserialize_keras_object
    assert d(s(keras.activations.relu)) is keras.activations.relu
    np.testing.assert_array_equal(d(s(np.eye(2))), np.eye(2))
    assert d({"a": [1, 2]}) == {"a": [1, 2]}
    theirs_tuple = keras3.saving.serialize_keras_object(keras3.layers.Dense(2))
    assert isinstance(d(theirs_tuple), keras.layers.Dense)  # Keras's own description reads
    with pytest.raises(ValueError, match="Could not locate class"):
        d({"module": "my.module", "class_name": "Nope", "config": {}, "registered_name": "x>Nope"})
    with pytest.raises(ValueError, match="lambda"):
        d({"class_name": "__lambda__", "config": {"code": "..."}})


def test_a_custom_layer_holding_a_sub_layer() -> None:
    @keras.saving.register_keras_serializable(package="kvar_tests")
    class Wrapper(keras.layers.Layer):
        def __init__(self, sublayer, **kwargs):
            super().__init__(**kwargs)
            self.sublayer = sublayer

        def call(self, x):
            return self.sublayer(x)

        def get_config(self):
            config = super().get_config()
            config["sublayer"] = keras.saving.serialize_keras_object(self.sublayer)
            return config

        @classmethod
        def from_config(cls, config):
            config["sublayer"] = keras.saving.deserialize_keras_object(config["sublayer"])
            return cls(**config)

    try:
        layer = Wrapper(keras.layers.Dense(3, activation="tanh"))
        description = keras.saving.serialize_keras_object(layer)
        assert description["registered_name"] == "kvar_tests>Wrapper"
        back = keras.saving.deserialize_keras_object(description)
        assert isinstance(back, Wrapper) and isinstance(back.sublayer, keras.layers.Dense)
        assert back.sublayer.get_config()["activation"] == "tanh"
    finally:
        object_registration.GLOBAL_CUSTOM_OBJECTS.pop("kvar_tests>Wrapper", None)
