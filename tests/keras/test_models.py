"""Sequential: structure, compile, predict/evaluate, weights, summary, seeds and bad input."""

from __future__ import annotations

import numpy as np
import pytest

import nnlab
from nnlab.keras import optimizers, utils
from nnlab.keras.layers import Activation, Dense, Dropout, Input
from nnlab.keras.models import Sequential


def small_model(seed: int = 0) -> Sequential:
    return Sequential(
        [Dense(5, activation="relu", input_dim=4), Dense(3, activation="softmax")], seed=seed
    )


def test_construction_add_pop_layers() -> None:
    model = Sequential()
    model.add(Dense(8, input_shape=(4,), activation="tanh"))
    model.add(Dropout(0.1))
    model.add(Dense(2))
    assert [layer.name for layer in model.layers] == ["dense", "dropout", "dense_1"]
    assert model.built and model.input_dim == 4
    popped = model.pop()
    assert popped.name == "dense_1" and len(model.layers) == 2
    model.layers.append(Dense(1))  # a copy: the model is unchanged
    assert len(model.layers) == 2


def test_input_layer_and_deferred_build() -> None:
    model = Sequential([Input(shape=(3,)), Dense(2)])
    assert model.built and model.layers[0].kernel.shape == (3, 2)
    lazy = Sequential([Dense(2), Dense(1)], seed=0)
    assert not lazy.built
    out = lazy.predict(np.ones((4, 7)))
    assert out.shape == (4, 1) and lazy.input_dim == 7 and lazy.built
    with pytest.raises(ValueError, match="Input"):
        Sequential([Dense(2, input_dim=3), Input(shape=(3,))])
    with pytest.raises(ValueError, match="Only instances of `keras.Layer` can be added"):
        Sequential([nnlab.nn.Linear(2, 2)])  # type: ignore[list-item]


def test_dense_parameter_counts_and_layout() -> None:
    model = small_model()
    kernel, bias, kernel2, bias2 = model.get_weights()
    assert kernel.shape == (4, 5) and bias.shape == (5,)
    assert kernel2.shape == (5, 3) and bias2.shape == (3,)
    assert model.count_params() == 4 * 5 + 5 + 5 * 3 + 3
    assert all(w.dtype == np.float32 for w in model.get_weights())
    np.testing.assert_array_equal(bias, 0)  # bias_initializer='zeros'


def test_predict_is_the_forward_pass_without_graph(monkeypatch) -> None:
    model = small_model()
    grad_modes: list[bool] = []
    layer = model.layers[0]
    original = layer.call
    monkeypatch.setattr(
        layer,
        "call",
        lambda *a, **k: grad_modes.append(nnlab.is_grad_enabled()) or original(*a, **k),
    )
    x = np.random.default_rng(0).normal(size=(10, 4))
    k1, b1, k2, b2 = model.get_weights()
    h = np.maximum(x @ k1 + b1, 0)
    z = h @ k2 + b2
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    got = model.predict(x, batch_size=3)
    assert isinstance(got, np.ndarray) and got.dtype == np.float32
    np.testing.assert_allclose(got, p, rtol=1e-5, atol=1e-6)
    assert grad_modes == [False] * 4  # 10 rows in batches of 3, no graph recorded
    assert model(x).requires_grad  # the model as a function of a tensor does record one


def test_set_weights_roundtrip_and_errors() -> None:
    a, b = small_model(0), small_model(1)
    assert not np.array_equal(a.get_weights()[0], b.get_weights()[0])
    b.set_weights(a.get_weights())
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)
    with pytest.raises(ValueError, match="4 weight arrays"):
        b.set_weights(a.get_weights()[:3])
    bad = a.get_weights()
    bad[0] = bad[0].T
    with pytest.raises(ValueError, match=r"shapes \[\(4, 5\), \(5,\)\]"):
        b.set_weights(bad)


def test_seed_reproducibility(blobs) -> None:
    x, y = blobs
    runs = []
    for _ in range(2):
        model = Sequential(
            [Dense(4, activation="relu", input_dim=2), Dropout(0.3), Dense(1)], seed=7
        )
        model.compile("sgd", "mse")
        model.fit(x, y, epochs=2, verbose=0)
        runs.append(model.get_weights())
    for w1, w2 in zip(*runs, strict=True):
        np.testing.assert_array_equal(w1, w2)
    utils.set_random_seed(3)
    first = Sequential([Dense(3, input_dim=2)]).get_weights()[0]
    utils.set_random_seed(3)
    again = Sequential([Dense(3, input_dim=2)]).get_weights()[0]
    np.testing.assert_array_equal(first, again)


def test_evaluate_scalar_without_metrics_list_with(three_class) -> None:
    x, y = three_class
    model = small_model()
    model.compile("adam", "sparse_categorical_crossentropy")
    loss = model.evaluate(x, y, verbose=0)
    assert isinstance(loss, float)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["mse"])
    with pytest.raises(ValueError, match=r"metric 'mse'.*targets of shape \(32,\)"):
        model.evaluate(x, y, verbose=0)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["acc"])
    assert model.metrics_names == ["loss", "acc"]
    values = model.evaluate(x, y, verbose=0)
    assert isinstance(values, list) and len(values) == 2
    assert values[0] == pytest.approx(loss, rel=1e-6)
    p = model.predict(x)
    expected_loss = -np.mean(np.log(p[np.arange(len(y)), y]))
    assert values[0] == pytest.approx(expected_loss, rel=1e-5)
    assert values[1] == pytest.approx(np.mean(p.argmax(1) == y))


def test_compile_accepts_objects_and_rejects_unknown_names() -> None:
    model = small_model()
    opt = optimizers.RMSprop(learning_rate=0.01)
    model.compile(optimizer=opt, loss="categorical_crossentropy", metrics="accuracy")
    assert model.optimizer is opt and model.metrics_names == ["loss", "accuracy"]
    with pytest.raises(ValueError, match="unknown optimizer 'adamm'"):
        model.compile("adamm", "mse")
    with pytest.raises(ValueError, match="unknown loss 'msee'"):
        model.compile("sgd", "msee")
    with pytest.raises(ValueError, match="unknown metric 'acuracy'"):
        model.compile("sgd", "mse", metrics=["acuracy"])
    model.compile(
        "sgd"
    )  # Keras 3: no loss is fine until fit (a custom train_step may not need one)
    with pytest.raises(ValueError, match="No loss to compute"):
        model.fit(np.ones((4, 4)), np.zeros(4), verbose=0)
    with pytest.raises(ValueError, match="unknown activation 'relux'"):
        Dense(3, activation="relux")
    with pytest.raises(ValueError, match="unknown activation 'soft_max'"):
        Activation("soft_max")
    with pytest.raises(ValueError, match="unknown initializer 'glorot'"):
        Dense(3, kernel_initializer="glorot")


def test_summary_table_is_keras_3s() -> None:
    """The same text as Keras 3's summary of the same models (layer names given)."""
    from .keras_oracle import keras, nk

    def sequential(k):
        return k.Sequential(
            [
                k.Input((784,)),
                k.layers.Dense(512, activation="relu", name="dense"),
                k.layers.Dropout(0.2, name="dropout"),
                k.layers.BatchNormalization(name="batch_normalization"),
                k.layers.Dense(10, name="dense_1"),
            ],
            name="sequential",
        )

    def functional(k):
        a, b = k.Input((4,), name="a"), k.Input((3,), name="b")
        hidden = k.layers.Dense(3, name="a_very_long_layer_name")(a)
        merged = k.layers.Concatenate(name="concatenate")([hidden, b])
        return k.Model([a, b], k.layers.Dense(2, name="out")(merged), name="fm")

    def unbuilt(k):
        return k.Sequential(
            [k.layers.Dense(3, name="d1"), k.layers.Dense(2, name="d2")], name="unbuilt"
        )

    for build in (sequential, functional, unbuilt):
        theirs: list[str] = []
        build(keras).summary(print_fn=lambda s, out=theirs, **kw: out.extend(s.split("\n")))
        ours: list[str] = []
        build(nk).summary(print_fn=ours.append)
        assert ours == [line for line in theirs if line.strip()]


@pytest.mark.parametrize(
    ("x", "y", "message"),
    [
        (np.ones((10, 3)), np.zeros(10, dtype=int), r"expects 4 input features.*\(10, 3\)"),
        (np.ones(10), np.zeros(10, dtype=int), "1-D array.*reshape"),
        (np.ones((10, 2, 2)), np.zeros(10, dtype=int), "2-D.*flatten"),
        (np.ones((10, 4)), np.zeros(9, dtype=int), "same number of samples, got 10 and 9"),
        (np.ones((10, 4)), np.full(10, 3), r"labels must lie in \[0, 2\].*\[3, 3\]"),
        (np.ones((10, 4)), np.full(10, -1), r"labels must lie in \[0, 2\]"),
        (np.ones((10, 4)), np.full(10, 0.5), "whole numbers"),
        (np.array([["a"] * 4] * 10), np.zeros(10, dtype=int), "numeric"),
    ],
)
def test_bad_input_is_reported_before_training(x, y, message) -> None:
    model = small_model()
    model.compile("sgd", "sparse_categorical_crossentropy")
    before = model.get_weights()
    with pytest.raises((ValueError, TypeError), match=message):
        model.fit(x, y, verbose=0)
    for w0, w1 in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(w0, w1)


def test_target_shape_errors() -> None:
    model = small_model()
    model.compile("sgd", "categorical_crossentropy")
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy.*to_categorical"):
        model.fit(np.ones((6, 4)), np.arange(6) % 3, verbose=0)
    with pytest.raises(ValueError, match=r"do not match the model output \(None, 3\)"):
        model.fit(np.ones((6, 4)), np.ones((6, 2)), verbose=0)
    binary = Sequential([Dense(1, input_dim=2, activation="sigmoid")])
    binary.compile("sgd", "binary_crossentropy")
    with pytest.raises(ValueError, match=r"targets in \[0, 1\]"):
        binary.fit(np.ones((4, 2)), np.array([0, 1, 2, 1]), verbose=0)


def test_not_compiled_and_bad_fit_arguments(blobs) -> None:
    x, y = blobs
    model = Sequential([Dense(1, input_dim=2)])
    with pytest.raises(RuntimeError, match="compile the model first"):
        model.fit(x, y)
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="batch_size"):
        model.fit(x, y, batch_size=0)
    with pytest.raises(ValueError, match="validation_data"):
        model.fit(x, y, validation_data=(x,), verbose=0)
    with pytest.raises(ValueError, match="empty training set"):
        model.fit(x[:1], y[:1], validation_split=0.1, verbose=0)
    with pytest.raises(ValueError, match="no layers"):
        Sequential().predict(x)


def test_a_subclassed_model_refuses_a_layers_attribute_as_keras_3():
    from nnlab import keras as nk

    class Net(nk.Model):
        def __init__(self):
            super().__init__()
            self.layers = [nk.layers.Dense(2)]

    with pytest.raises(AttributeError, match="`Model.layers` attribute is reserved"):
        Net()
