"""Optional inputs (``Input(optional=True)``) in fit, evaluate and predict: Keras 3's own tests
(models/model_test.py, models/functional_test.py; imports changed), and the same fits run with
Keras 3 from the same weights."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from nnlab.keras import Input, Model, layers

from .keras_oracle import keras, nk


def _get_model_optional_inputs(lib: Any = nk) -> Any:
    class OptionalInputLayer(lib.layers.Layer):
        def __init__(self) -> None:
            super().__init__()
            self.dense = lib.layers.Dense(2)

        def call(self, x: Any, o: Any = None) -> Any:
            z = x if o is None else x + o
            return self.dense(z)

    x = lib.Input((2,), name="x")
    o = lib.Input((2,), name="o", optional=True)
    y = OptionalInputLayer()(x, o)
    return lib.Model({"x": x, "o": o}, y)


# ------------------------------------------------------------------ Keras's own tests
@pytest.mark.parametrize("is_optional_none", [True, False], ids=["optional_none", "tensor"])
def test_functional_optional_inputs(is_optional_none: bool) -> None:
    model = _get_model_optional_inputs()
    x = np.ones((2, 2))
    o = None if is_optional_none else np.ones((2, 2))
    y_true = np.ones((2, 2))
    model.compile(loss="mse", optimizer="adam")
    model.fit(x={"x": x, "o": o}, y=y_true, verbose=0)
    model.evaluate(x={"x": x, "o": o}, y=y_true, verbose=0)
    model.predict(x={"x": x, "o": o}, verbose=0)


@pytest.mark.parametrize("is_optional_none", [True, False], ids=["optional_none", "tensor"])
def test_functional_optional_inputs_generator(is_optional_none: bool) -> None:
    model = _get_model_optional_inputs()
    x = np.ones((2, 2))
    o = None if is_optional_none else np.ones((2, 2))
    y_true = np.ones((2, 2))

    def data_generator(with_y: bool = True) -> Any:
        for _ in range(4):
            yield ({"x": x, "o": o},) + ((y_true,) if with_y else ())

    model.compile(loss="mse", optimizer="adam")
    model.fit(data_generator(), verbose=0)
    model.evaluate(data_generator(), verbose=0)
    model.predict(data_generator(with_y=False), verbose=0)


def test_required_none_raises_in_fit() -> None:
    x = layers.Input((3,), name="x")
    model = Model(x, layers.Dense(1)(x))
    model.compile(optimizer="sgd", loss="mse")
    with (
        pytest.warns(UserWarning, match="structure of `inputs`"),
        pytest.raises(ValueError, match="not optional"),
    ):
        model.fit([None], np.ones((4, 1)), epochs=1, verbose=0)


# ------------------------------------------------------------------ against Keras 3
@pytest.mark.parametrize("is_optional_none", [True, False], ids=["optional_none", "tensor"])
@pytest.mark.parametrize("source", ["arrays", "generator"])
def test_optional_inputs_train_as_keras(is_optional_none: bool, source: str) -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(8, 2)).astype(np.float32)
    o = None if is_optional_none else rng.normal(size=(8, 2)).astype(np.float32)
    y = rng.normal(size=(8, 2)).astype(np.float32)
    theirs, ours = _get_model_optional_inputs(keras), _get_model_optional_inputs(nk)
    ours.set_weights(theirs.get_weights())

    def data(with_y: bool = True) -> Any:
        if source == "arrays":
            return {"x": x, "o": o}
        return (
            ({"x": x[i : i + 4], "o": None if o is None else o[i : i + 4]},)
            + ((y[i : i + 4],) if with_y else ())
            for i in (0, 4)
        )

    results = []
    for model in (theirs, ours):
        model.compile(loss="mse", optimizer="sgd")
        kwargs: dict[str, Any] = {"verbose": 0}
        if source == "arrays":
            kwargs.update(y=y, batch_size=4, shuffle=False)
        epochs = 2 if source == "arrays" else 1  # a generator gives one pass
        history = model.fit(data(), epochs=epochs, **kwargs).history["loss"]
        loss = model.evaluate(data(), **({"y": y} if source == "arrays" else {}), verbose=0)
        predicted = model.predict(data(with_y=False), verbose=0)
        results.append((history, loss, np.asarray(predicted)))
    (hk, lk, pk), (hn, ln, pn) = results
    np.testing.assert_allclose(hn, hk, rtol=1e-5)
    np.testing.assert_allclose(ln, lk, rtol=1e-5)
    np.testing.assert_allclose(pn, pk, rtol=1e-5, atol=1e-6)


def test_all_optional_inputs_and_x_none_is_a_clear_error() -> None:
    """Keras 3 fails here inside its data adapter (StopIteration, KeyError: 'pop from an empty
    set'); nnlab says what is missing."""

    class Bias(layers.Layer):
        def build(self, input_shape: Any) -> None:
            self.b = self.add_weight(shape=(2,), initializer="zeros")

        def call(self, o: Any = None) -> Any:
            return o + self.b

        def compute_output_shape(self, input_shape: Any) -> Any:
            return (None, 2)

    o = Input((2,), name="o", optional=True)
    model = Model(o, Bias()(o))
    model.compile(loss="mse", optimizer="sgd")
    for call in (
        lambda: model.fit(x=None, y=np.ones((4, 2)), verbose=0),
        lambda: model.predict(None, verbose=0),
    ):
        with pytest.raises(ValueError, match="x is required .*inputs are all optional"):
            call()
    with (
        pytest.warns(UserWarning, match="structure of `inputs`"),
        pytest.raises(ValueError, match="every input is None"),
    ):
        model.fit(x=[None], y=np.ones((4, 2)), verbose=0)
    model.fit(x=np.ones((4, 2)), y=np.ones((4, 2)), verbose=0)  # given: it trains
