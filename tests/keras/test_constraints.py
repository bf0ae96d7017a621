"""keras.constraints against Keras 3's (KERAS_BACKEND=torch): formulas, defaults, configs and
names; constraints applied after each optimizer update, in fit and in apply_gradients."""

from __future__ import annotations

import os

import numpy as np
import pytest

from nnlab import keras

os.environ.setdefault("KERAS_BACKEND", "torch")
keras3 = pytest.importorskip("keras")
if keras3.backend.backend() != "torch":  # pragma: no cover - another backend chosen first
    pytest.skip("the Keras oracle needs KERAS_BACKEND=torch", allow_module_level=True)

CASES = [
    ("NonNeg", {}),
    ("MaxNorm", {}),
    ("MaxNorm", {"max_value": 0.5, "axis": 1}),
    ("UnitNorm", {}),
    ("UnitNorm", {"axis": [0, 1]}),
    ("MinMaxNorm", {}),
    ("MinMaxNorm", {"min_value": 0.5, "max_value": 0.8, "rate": 0.3, "axis": 1}),
]


@pytest.mark.parametrize(("name", "kwargs"), CASES)
def test_formulas_and_configs_match_keras(name, kwargs) -> None:
    w = np.random.default_rng(0).normal(size=(4, 3, 2)).astype(np.float32)
    ours = getattr(keras.constraints, name)(**kwargs)
    theirs = getattr(keras3.constraints, name)(**kwargs)
    expected = keras3.ops.convert_to_numpy(theirs(keras3.ops.convert_to_tensor(w)))
    np.testing.assert_allclose(ours(w).numpy(), expected, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(ours(keras.Variable(w)).numpy(), expected, rtol=1e-6, atol=1e-7)
    assert ours.get_config() == theirs.get_config()
    assert type(ours).from_config(ours.get_config()).get_config() == ours.get_config()
    ser, theirs_ser = keras.constraints.serialize(ours), keras3.constraints.serialize(theirs)
    assert {k: ser[k] for k in ("module", "class_name", "config", "registered_name")} == {
        k: theirs_ser[k] for k in ("module", "class_name", "config", "registered_name")
    }
    assert type(keras.constraints.deserialize(ser)) is type(ours)


@pytest.mark.parametrize("name", ["non_neg", "max_norm", "unit_norm", "min_max_norm", "NonNeg"])
def test_get_by_name_like_keras(name) -> None:
    ours, theirs = keras.constraints.get(name), keras3.constraints.get(name)
    assert type(ours).__name__ == type(theirs).__name__
    assert ours.get_config() == theirs.get_config()


def test_get_other_identifiers() -> None:
    assert keras.constraints.get(None) is None
    assert isinstance(keras.constraints.get(keras.constraints.UnitNorm), keras.constraints.UnitNorm)
    fn = lambda w: w  # noqa: E731
    assert keras.constraints.get(fn) is fn
    assert keras.constraints.max_norm is keras.constraints.MaxNorm
    with pytest.raises(ValueError, match="Could not interpret constraint identifier"):
        keras.constraints.get("typo")
    assert keras.constraints.Constraint()(3.0) == 3.0


def test_dense_takes_constraints_by_name_and_applies_them_in_fit() -> None:
    """Each fit step projects the kernel onto w >= 0 and the bias onto |b| <= 0.1, like Keras."""
    x = np.random.default_rng(1).normal(size=(32, 3)).astype(np.float32)
    y = (x @ np.array([[-1.0], [2.0], [-3.0]]) + 1.0).astype(np.float32)
    models = []
    for lib in (keras, keras3):
        dense = lib.layers.Dense(1, kernel_constraint="non_neg", bias_constraint="max_norm")
        model = lib.Sequential([lib.Input((3,)), dense])
        model.compile(optimizer=lib.optimizers.SGD(0.05), loss="mse")
        models.append(model)
    ours, theirs = models
    ours.set_weights(theirs.get_weights())
    assert isinstance(ours.layers[0].kernel.constraint, keras.constraints.NonNeg)
    h1 = ours.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    h2 = theirs.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(h1.history["loss"], h2.history["loss"], rtol=1e-4)
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    assert ours.get_weights()[0].min() >= 0
    config = ours.layers[0].get_config()["kernel_constraint"]
    assert config["class_name"] == "NonNeg" and config["module"] == "keras.constraints"


def test_conv_layers_take_constraints() -> None:
    conv = keras.layers.Conv2D(
        2, 3, kernel_constraint=keras.constraints.MaxNorm(1.0, axis=[0, 1, 2])
    )
    conv.build((None, 5, 5, 1))
    assert isinstance(conv.kernel.constraint, keras.constraints.MaxNorm)
    with pytest.raises(ValueError, match="constraint"):
        keras.layers.Conv2D(2, 3, bias_constraint="typo")


def test_optimizer_applies_a_variable_constraint_after_the_update() -> None:
    v = keras.Variable([[3.0, 4.0], [0.0, 1.0]])
    v.constraint = keras.constraints.UnitNorm(axis=1)
    keras.optimizers.SGD(0.1).apply_gradients([(np.zeros((2, 2)), v)])
    np.testing.assert_allclose(np.linalg.norm(v.numpy(), axis=1), [1.0, 1.0], rtol=1e-6)


def test_a_registered_function_constraint_survives_the_dense_config() -> None:
    def half(w):
        return w * 0.5

    keras.saving.register_keras_serializable(package="test_kvar")(half)
    try:
        layer = keras.layers.Dense(4, kernel_constraint=half)
        restored = keras.layers.Dense.from_config(layer.get_config())
        restored.build((None, 3))
        assert restored.kernel_constraint is half and restored.kernel.constraint is half
    finally:
        from nnlab.keras.saving import object_registration

        object_registration.GLOBAL_CUSTOM_OBJECTS.pop("test_kvar>half", None)
        object_registration.GLOBAL_CUSTOM_NAMES.pop(half, None)
