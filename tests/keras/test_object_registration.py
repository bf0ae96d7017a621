"""keras.saving's custom-object registry against Keras 3's: registered names, lookup order,
scopes; a model with a registered custom layer and activation saved and loaded back."""

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


@pytest.fixture(autouse=True)
def _clean_registry():
    """Each test registers into an empty global registry, restored afterwards."""
    saved = dict(object_registration.GLOBAL_CUSTOM_OBJECTS)
    saved_names = dict(object_registration.GLOBAL_CUSTOM_NAMES)
    yield
    object_registration.GLOBAL_CUSTOM_OBJECTS.clear()
    object_registration.GLOBAL_CUSTOM_OBJECTS.update(saved)
    object_registration.GLOBAL_CUSTOM_NAMES.clear()
    object_registration.GLOBAL_CUSTOM_NAMES.update(saved_names)


def _square(x):
    return x * x


class _NoConfig:
    pass


@pytest.mark.parametrize(("package", "name"), [("Custom", None), ("mine", "sq")])
def test_registered_names_like_keras(package, name) -> None:
    ours = keras.saving.register_keras_serializable(package, name)(_square)
    assert ours is _square
    ours_name = keras.saving.get_registered_name(_square)
    theirs_name = keras3.saving.get_registered_name(
        keras3.saving.register_keras_serializable(package, name)(_square)
    )
    assert ours_name == theirs_name
    assert keras.saving.get_registered_object(ours_name) is _square
    assert keras.saving.get_custom_objects()[ours_name] is _square


def test_unregistered_and_refused() -> None:
    assert keras.saving.get_registered_name(_NoConfig) == "_NoConfig"
    assert keras.saving.get_registered_object("nothing>here") is None
    with pytest.raises(ValueError, match="get_config"):
        keras.saving.register_keras_serializable()(_NoConfig)


def test_lookup_order_scope_registry_custom_objects_module_objects() -> None:
    def a(x):
        return x

    def b(x):
        return x

    get = keras.saving.get_registered_object
    assert get("f", custom_objects={"f": a}) is a
    assert get("f", module_objects={"f": b}) is b
    with keras.saving.custom_object_scope({"f": b}):
        assert get("f", custom_objects={"f": a}) is b  # the scope first, as in Keras
        with keras.saving.CustomObjectScope({"g": a}):
            assert get("f") is None and get("g") is a  # an inner scope replaces the outer
        assert get("f") is b
    assert get("f") is None


def _model():
    @keras.saving.register_keras_serializable(package="MyLayers")
    class Scale(keras.layers.Layer):
        def __init__(self, factor, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    keras.saving.register_keras_serializable(package="my_package", name="square")(_square)
    inputs = keras.Input(shape=(4,))
    x = Scale(2.0)(inputs)
    outputs = keras.layers.Dense(3, activation=_square)(x)
    return keras.Model(inputs, outputs), Scale


def test_model_with_registered_objects_saves_and_loads(tmp_path) -> None:
    model, scale_cls = _model()
    x = np.random.default_rng(0).random((2, 4)).astype(np.float32)
    path = tmp_path / "custom.keras"
    model.save(path)
    config = model.get_config()
    entry = config["layers"][1]
    assert entry["registered_name"] == "MyLayers>Scale"
    assert config["layers"][2]["config"]["activation"] == "my_package>square"
    restored = keras.models.load_model(path)
    assert type(restored.layers[1]) is scale_cls and restored.layers[1].factor == 2.0
    np.testing.assert_allclose(restored(x).numpy(), model(x).numpy(), rtol=1e-6)


def test_unknown_custom_objects_are_refused_then_found_through_custom_objects(tmp_path) -> None:
    model, scale_cls = _model()
    path = tmp_path / "custom.keras"
    model.save(path)
    object_registration.GLOBAL_CUSTOM_OBJECTS.clear()
    object_registration.GLOBAL_CUSTOM_NAMES.clear()
    with pytest.raises(ValueError, match="Scale"):
        keras.models.load_model(path)
    restored = keras.models.load_model(
        path, custom_objects={"MyLayers>Scale": scale_cls, "my_package>square": _square}
    )
    assert type(restored.layers[1]) is scale_cls
    with keras.saving.custom_object_scope({"Scale": scale_cls, "my_package>square": _square}):
        assert type(keras.models.load_model(path).layers[1]) is scale_cls
