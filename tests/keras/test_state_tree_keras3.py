"""``Model.get_state_tree`` / ``set_state_tree``: Keras 3's own tests (models/model_test.py,
imports changed), and the trees of the same trained model compared with Keras 3's."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import nnlab
from nnlab.keras import Input, Model, layers

from .keras_oracle import keras, nk


def _get_model_single_output(lib: Any = nk) -> Any:
    x = lib.Input(shape=(3,), name="input_a")
    output_a = lib.layers.Dense(1, name="output_a")(x)
    return lib.Model(x, output_a)


def _get_variable_value_by_path(variables: Any, path: str) -> Any:
    for v in variables:
        if v.path == path:
            return np.asarray(v.value)
    raise ValueError(f"No variable was find with path = {path}")


def _optimizer_value(model: Any, path: str) -> Any:
    values = dict(zip(model.optimizer.variable_paths, model.optimizer.variables, strict=True))
    return values[path]


# ------------------------------------------------------------------ Keras's own tests
def test_get_state_tree() -> None:
    model = _get_model_single_output()
    model.compile(loss="mse", optimizer="adam")
    state_tree = model.get_state_tree()
    np.testing.assert_allclose(
        state_tree["trainable_variables"]["output_a"]["kernel"].numpy(),
        _get_variable_value_by_path(model.trainable_variables, "output_a/kernel"),
    )
    np.testing.assert_allclose(
        state_tree["trainable_variables"]["output_a"]["bias"].numpy(),
        _get_variable_value_by_path(model.trainable_variables, "output_a/bias"),
    )
    assert state_tree["non_trainable_variables"] == {}
    assert state_tree["metrics_variables"]["loss"]["count"].item() == 0.0
    assert state_tree["metrics_variables"]["loss"]["total"].item() == 0.0
    assert state_tree["optimizer_variables"]["adam"]["iteration"].item() == 0
    assert state_tree["optimizer_variables"]["adam"]["learning_rate"].item() == pytest.approx(
        float(_optimizer_value(model, "adam/learning_rate"))
    )
    assert isinstance(state_tree["trainable_variables"]["output_a"]["kernel"], nnlab.Tensor)
    # Test with numpy
    state_tree = model.get_state_tree(value_format="numpy_array")
    assert isinstance(state_tree["trainable_variables"]["output_a"]["kernel"], np.ndarray)


def test_set_state_tree() -> None:
    variables = {
        "optimizer_variables": {"adam": {"iteration": 0, "learning_rate": 0.00001}},
        "trainable_variables": {"output_a": {"bias": [0.5], "kernel": [[0.6], [0.7], [1.8]]}},
    }
    model = _get_model_single_output()
    model.compile(optimizer="adam")
    model.set_state_tree(variables)
    assert int(_optimizer_value(model, "adam/iteration")) == 0
    assert float(_optimizer_value(model, "adam/learning_rate")) == pytest.approx(0.00001)
    np.testing.assert_allclose(
        _get_variable_value_by_path(model.trainable_variables, "output_a/bias"), [0.5]
    )
    np.testing.assert_allclose(
        _get_variable_value_by_path(model.trainable_variables, "output_a/kernel"),
        [[0.6], [0.7], [1.8]],
    )


def test_get_state_tree_with_duplicate_path() -> None:
    class MyModel(Model):
        def __init__(self) -> None:
            super().__init__()
            self.dense1 = layers.Dense(4, activation="relu", name="layer1")
            self.dense2 = layers.Dense(4, activation="relu", name="layer1")
            self.dense3 = layers.Dense(2)

        def call(self, x: Any) -> Any:
            return self.dense3(self.dense2(self.dense1(x)))

    model = MyModel()
    model(np.random.random((1, 16)))
    with pytest.raises(ValueError, match="The following variable path is found twice in the model"):
        model.get_state_tree()


# ------------------------------------------------------------------ against Keras 3
def _build(lib: Any, optimizer: str) -> Any:
    """A functional model (a tanh Dense, then BatchNormalization), compiled, in a fresh session (so
    that automatic names such as Nadam's 'variable' agree between the libraries)."""
    lib.utils.clear_session()
    inputs = lib.Input(shape=(3,), name="input_a")
    hidden = lib.layers.Dense(2, activation="tanh", name="dense_a")(inputs)
    outputs = lib.layers.BatchNormalization(name="norm")(hidden)
    model = lib.Model(inputs, outputs)
    model.compile(
        optimizer=lib.optimizers.get(optimizer),
        loss="mse",
        metrics=[lib.metrics.MeanAbsoluteError(name="mae")],
    )
    return model


def _data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(12, 3)).astype(np.float32), rng.normal(size=(12, 2)).astype(np.float32)


def _trained_pair(optimizer: str) -> tuple[Any, Any]:
    """The same model trained two epochs with both libraries from Keras's initial weights."""
    theirs, ours = _build(keras, optimizer), _build(nk, optimizer)
    ours.set_weights(theirs.get_weights())
    x, y = _data(3)
    for model in (theirs, ours):
        model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    return theirs, ours


def _flat(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}/"))
        else:
            out[f"{prefix}{key}"] = np.asarray(value)
    return out


@pytest.mark.parametrize("optimizer", ["adam", "nadam", "sgd"])
def test_state_tree_matches_keras(optimizer: str) -> None:
    """Same paths, dtypes, shapes and values (within float32 rounding) as Keras 3's tree."""
    theirs, ours = _trained_pair(optimizer)
    tk = _flat(theirs.get_state_tree(value_format="numpy_array"))
    tn = _flat(ours.get_state_tree(value_format="numpy_array"))
    assert list(tn) == list(tk)
    for path, value in tk.items():
        assert tn[path].dtype == value.dtype and tn[path].shape == value.shape, path
        np.testing.assert_allclose(tn[path], value, rtol=1e-4, atol=1e-6, err_msg=path)


def test_keras_state_tree_set_into_nnlab_continues_training_identically() -> None:
    """Keras's tree (weights, moving statistics, Nadam's state, metric sums) given to an nnlab
    model trained elsewhere: every value is replaced, and training on matches Keras's."""
    theirs = _build(keras, "nadam")
    ours = _build(nk, "nadam")
    x, y = _data(3)
    theirs.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    ours.fit(*_data(4), batch_size=3, epochs=1, shuffle=False, verbose=0)
    tree = theirs.get_state_tree(value_format="numpy_array")
    ours.set_state_tree(tree)
    mine = _flat(ours.get_state_tree(value_format="numpy_array"))
    for path, value in _flat(tree).items():
        np.testing.assert_array_equal(mine[path], value, err_msg=path)
    hk = theirs.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0).history
    hn = ours.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0).history
    np.testing.assert_allclose(hn["loss"], hk["loss"], rtol=1e-5)
    for a, b in zip(theirs.get_weights(), ours.get_weights(), strict=True):
        np.testing.assert_allclose(b, np.asarray(a), rtol=1e-4, atol=1e-6)


def test_set_state_tree_errors() -> None:
    model = _get_model_single_output()
    model.compile(optimizer="adam", loss="mse")
    with pytest.raises(ValueError, match="Unknown variable name: weights"):
        model.set_state_tree({"weights": {}})
    with pytest.raises(ValueError, match="shape"):
        model.set_state_tree({"trainable_variables": {"output_a": {"bias": [1.0, 2.0]}}})
    with pytest.raises(TypeError, match="dict"):
        model.set_state_tree([("trainable_variables", {})])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="value_format"):
        model.get_state_tree(value_format="list")
    # a path matching no variable is skipped, as in Keras
    model.set_state_tree({"trainable_variables": {"output_b": {"bias": [1.0]}}})
    inputs = Input((3,))
    uncompiled = Model(inputs, layers.Dense(1)(inputs))
    with pytest.raises(ValueError, match="compile it first"):
        uncompiled.get_state_tree()
