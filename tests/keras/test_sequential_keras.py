"""Sequential as Keras 3 behaves: deferred builds, models as first layers, nested inputs, the
legacy ``input_shape=`` flow and the error texts, each checked on Keras 3 and nnlab alike."""

from __future__ import annotations

import numpy as np
import pytest

from .keras_oracle import keras, nk

LIBS = pytest.mark.parametrize("k", [keras, nk], ids=["keras", "nnlab"])


@LIBS
def test_deferred_build_and_pop(k) -> None:
    model = k.Sequential([k.layers.Dense(4), k.layers.Dense(5)])
    assert not model.built
    for name in ("input_shape", "output_shape", "inputs", "outputs"):
        assert not hasattr(model, name)
    assert tuple(model(np.ones((3, 2))).shape) == (3, 5)
    assert model.built and hasattr(model, "inputs") and model.output_shape[-1] == 5
    assert tuple(model(k.KerasTensor((3, 2))).shape) == (3, 5)
    model.pop()
    assert model.built and len(model.weights) == 2
    assert tuple(model(np.ones((3, 2))).shape) == (3, 4)


@LIBS
def test_models_as_first_layer(k) -> None:
    inputs = k.Input((6, 6, 3))
    functional = k.Model(inputs, k.layers.Conv2D(2, 3, padding="same")(inputs))
    sequential = k.Sequential([k.Input((6, 6, 3)), k.layers.Conv2D(2, 3)])
    for first, flat in ((functional, 72), (sequential, 32)):
        model = k.Sequential([first, k.layers.Flatten(), k.layers.Dense(1)])
        assert model.built and all(layer.built for layer in model.layers)
        assert model.layers[-1].kernel.shape == (flat, 1)
        assert tuple(model(np.ones((2, 6, 6, 3))).shape) == (2, 1)


@LIBS
def test_nested_inputs_run_layer_by_layer(k) -> None:
    class Pairwise(k.layers.Layer):
        def call(self, inputs):
            if isinstance(inputs, dict):
                return {key: value * 2 for key, value in inputs.items()}
            return [value * 2 for value in inputs]

    model = k.Sequential([Pairwise()])
    out = model({"a": np.ones((3, 2)), "b": np.zeros((3, 2))})
    assert type(out) is dict and float(k.ops.convert_to_numpy(out["a"])[0, 0]) == 2.0
    out = k.Sequential([Pairwise()])([np.ones((3, 2)), np.ones((3, 2))])
    assert type(out) is list and len(out) == 2


@LIBS
def test_legacy_input_shape_flow(k) -> None:
    model = k.Sequential([k.layers.Dense(4, input_shape=(2,)), k.layers.Dense(5, input_shape=(9,))])
    assert model.built and model.input_shape == (None, 2)
    assert [tuple(w.shape) for w in model.weights] == [(2, 4), (4,), (4, 5), (5,)]


@LIBS
def test_error_texts(k) -> None:
    model = k.Sequential()
    model.add(k.Input(shape=(2,), batch_size=3))
    with pytest.raises(ValueError, match="already been configured to use input shape"):
        model.add(k.Input(shape=(2,), batch_size=3))
    model.add(k.layers.Dense(2, name="dense_x"))
    with pytest.raises(ValueError, match="should have unique names"):
        model.add(k.layers.Dense(2, name="dense_x"))
    with pytest.raises(ValueError, match="already been configured"):
        model.build((3, 4))
    with pytest.raises(ValueError, match="Only instances of `keras.Layer`"):
        model.add({})
    with pytest.raises(ValueError, match="has no layers"):
        k.Sequential()(np.ones((3, 2)))
    with pytest.raises(AttributeError, match=r"Use `add\(\)` and `pop\(\)`"):
        model.layers = []

    class TwoArguments(k.layers.Layer):
        def call(self, inputs, training):
            return inputs

    model = k.Sequential([TwoArguments()])
    with pytest.raises(ValueError, match="can only have a single required positional"):
        model.build((None, 2))


def test_summary_of_unbuilt_model_shows_unbuilt_layers() -> None:
    lines: list[str] = []
    nk.Sequential([nk.layers.Dense(3, name="d")]).summary(print_fn=lines.append)
    assert any("d (Dense)" in line and "?" in line and "0 (unbuilt)" in line for line in lines)
