"""The functional API and Model, checked against Keras 3 (same weights, same training)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from .keras_oracle import assert_same_training, keras, nk, train_both


@pytest.fixture(autouse=True)
def _same_names():
    """Both libraries' automatic names restart together (the tests compare layer names)."""
    keras.utils.clear_session()
    nk.utils.clear_session()


def _two_input_model(k):
    a = k.Input(shape=(4,), name="a")
    b = k.Input(shape=(3,), name="b")
    shared = k.layers.Dense(5, activation="tanh", name="shared")
    pa = shared(k.layers.Dense(3, name="proj")(a))
    pb = shared(b)
    merged = k.layers.Concatenate()(
        [
            k.layers.Add()([pa, pb]),
            k.layers.Multiply()([pa, pb]),
            k.layers.Maximum()([pa, pb]),
            k.layers.Minimum()([pa, pb]),
            k.layers.Subtract()([pa, pb]),
        ]
    )
    out = k.layers.Dense(3, activation="softmax", name="out")(merged)
    reg = k.layers.Dense(1, name="reg")(k.layers.Average()([pa, pb]))
    return k.Model([a, b], [out, reg])


def _data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    xa = rng.normal(size=(n, 4)).astype("float32")
    xb = rng.normal(size=(n, 3)).astype("float32")
    return xa, xb, rng.integers(0, 3, n), rng.normal(size=(n, 1)).astype("float32")


@pytest.mark.parametrize(
    "metrics",
    [
        [["accuracy"], []],
        # as many as outputs: one per output (Keras 3), as Hands-On ML's wide & deep model
        # compiles ``metrics=["RootMeanSquaredError"] * 2`` for its two outputs
        ["accuracy", "RootMeanSquaredError"],
        ["accuracy", ["RootMeanSquaredError", "mae"]],
        [None, "mse"],
        {"reg": ["mae"]},
    ],
)
def test_multi_input_output_shared_layer_and_merging_train_like_keras(metrics) -> None:
    keras.utils.clear_session()  # the automatic names (add, add_1, ...) start afresh in both
    nk.utils.clear_session()
    xa, xb, ya, yb = _data()
    theirs, ours, hk, hn = train_both(
        _two_input_model,
        [xa, xb],
        [ya, yb],
        {
            "optimizer": lambda lib: lib.optimizers.SGD(0.1),
            "loss": ["sparse_categorical_crossentropy", "mse"],
            "loss_weights": [1.0, 0.5],
            "metrics": metrics,
        },
        {"batch_size": 16, "epochs": 3},
    )
    assert [la.name for la in ours.layers] == [la.name for la in theirs.layers]
    assert_same_training(theirs, ours, hk, hn, [xa, xb])
    assert ours.get_layer("shared") is ours.layers[3]
    assert ours.output_names == theirs.output_names == ["out", "reg"]
    ek = theirs.evaluate([xa, xb], [ya, yb], verbose=0, return_dict=True)
    en = ours.evaluate([xa, xb], [ya, yb], verbose=0, return_dict=True)
    assert sorted(en) == sorted(ek)
    for key in ek:
        assert en[key] == pytest.approx(ek[key], rel=1e-5)


def test_dict_inputs_by_name_and_compute_output_shape() -> None:
    model = _two_input_model(nk)
    xa, xb, _, _ = _data(5)
    by_list = model.predict([xa, xb], verbose=0)
    by_name = model.predict({"a": xa, "b": xb}, verbose=0)
    np.testing.assert_array_equal(by_list[0], by_name[0])
    assert model.compute_output_shape([(None, 4), (None, 3)]) == [(None, 3), (None, 1)]
    assert [t.shape for t in model.inputs] == [(None, 4), (None, 3)]
    assert [t.shape for t in model.outputs] == [(None, 3), (None, 1)]


def test_config_json_round_trip_and_clone() -> None:
    model = _two_input_model(nk)
    xa, xb, _, _ = _data(6)
    again = nk.Model.from_config(model.get_config())
    assert [la.name for la in again.layers] == [la.name for la in model.layers]
    again.set_weights(model.get_weights())
    for p, q in zip(
        model.predict([xa, xb], verbose=0), again.predict([xa, xb], verbose=0), strict=True
    ):
        np.testing.assert_allclose(p, q, rtol=1e-6)
    from_json = nk.models.model_from_json(model.to_json())
    assert from_json.count_params() == model.count_params()
    clone = nk.models.clone_model(model)
    assert clone.layers[3] is not model.layers[3]
    assert [w.shape for w in clone.get_weights()] == [w.shape for w in model.get_weights()]
    # Keras 3 reads nnlab's functional config
    theirs = keras.Model.from_config(json.loads(model.to_json())["config"])
    theirs.set_weights(model.get_weights())
    np.testing.assert_allclose(
        theirs.predict([xa, xb], verbose=0)[0], model.predict([xa, xb], verbose=0)[0], rtol=1e-5
    )


def test_frozen_layer_is_not_trained_like_keras() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(48, 6)).astype("float32")
    y = rng.integers(0, 2, (48, 1)).astype("float32")

    def build(k):
        model = k.Sequential(
            [
                k.Input((6,)),
                k.layers.Dense(8, activation="relu"),
                k.layers.Dense(1, activation="sigmoid"),
            ]
        )
        model.layers[0].trainable = False
        return model

    theirs, ours, hk, hn = train_both(
        build,
        x,
        y,
        {
            "optimizer": lambda lib: lib.optimizers.Adam(0.01),
            "loss": "binary_crossentropy",
            "metrics": ["accuracy"],
        },
        {"batch_size": 8, "epochs": 3},
    )
    assert_same_training(theirs, ours, hk, hn, x)
    assert len(ours.trainable_weights) == 2 and len(ours.non_trainable_weights) == 2
    before = ours.layers[0].get_weights()
    ours.fit(x, y, epochs=1, verbose=0)
    for w0, w1 in zip(before, ours.layers[0].get_weights(), strict=True):
        np.testing.assert_array_equal(w0, w1)


def test_sequential_mlp_trains_like_keras() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(100, 10)).astype("float32")
    y = rng.integers(0, 4, 100)

    def build(k):
        return k.Sequential(
            [
                k.Input((10,)),
                k.layers.Dense(16, activation="relu"),
                k.layers.Dense(8, activation="tanh"),
                k.layers.Dense(4, activation="softmax"),
            ]
        )

    theirs, ours, hk, hn = train_both(
        build,
        x,
        y,
        {
            "optimizer": lambda lib: lib.optimizers.RMSprop(0.01),
            "loss": "sparse_categorical_crossentropy",
            "metrics": ["accuracy"],
        },
        {"batch_size": 32, "epochs": 4, "validation_split": 0.2},
    )
    assert_same_training(theirs, ours, hk, hn, x)


# ---------------------------------------------------------------- Keras's guides (imports only)
keras_guide = nk  # "import keras" in the guides


class Linear(keras_guide.layers.Layer):
    """'Making new layers and models via subclassing': a layer with add_weight in build."""

    def __init__(self, units=32):
        super().__init__()
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(
            shape=(input_shape[-1], self.units), initializer="random_normal", trainable=True
        )
        self.b = self.add_weight(shape=(self.units,), initializer="random_normal", trainable=True)

    def call(self, inputs):
        return keras_guide.ops.matmul(inputs, self.w) + self.b


class ActivityRegularizationLayer(keras_guide.layers.Layer):
    def __init__(self, rate=1e-2):
        super().__init__()
        self.rate = rate

    def call(self, inputs):
        self.add_loss(self.rate * keras_guide.ops.mean(inputs))
        return inputs


class OuterLayer(keras_guide.layers.Layer):
    def __init__(self):
        super().__init__()
        self.activity_reg = ActivityRegularizationLayer(1e-2)

    def call(self, inputs):
        return self.activity_reg(inputs)


def test_guide_subclassing_layers_weights_and_losses() -> None:
    x = np.ones((2, 2), dtype="float32")
    linear_layer = Linear(4)
    y = linear_layer(x)
    assert tuple(y.shape) == (2, 4)
    assert len(linear_layer.weights) == 2 and len(linear_layer.trainable_weights) == 2
    layer = OuterLayer()
    assert len(layer.losses) == 0
    _ = layer(np.zeros((1, 1)))
    assert len(layer.losses) == 1
    _ = layer(np.zeros((1, 1)))
    assert len(layer.losses) == 1  # cleared at the start of each outermost call


class MLPBlock(keras_guide.layers.Layer):
    def __init__(self):
        super().__init__()
        self.linear_1 = Linear(32)
        self.linear_2 = Linear(32)
        self.linear_3 = Linear(1)

    def call(self, inputs):
        x = self.linear_1(inputs)
        x = keras_guide.activations.relu(x)
        x = self.linear_2(x)
        x = keras_guide.activations.relu(x)
        return self.linear_3(x)


def test_guide_nested_layers_are_tracked() -> None:
    mlp = MLPBlock()
    y = mlp(np.ones(shape=(3, 64)))
    assert tuple(y.shape) == (3, 1)
    assert len(mlp.weights) == 6 and len(mlp.trainable_weights) == 6


class CustomModel(keras_guide.Model):
    """'Customizing what happens in fit()' (torch backend version, ported)."""

    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        loss.backward()
        trainable_weights = list(self.trainable_weights)
        gradients = [v.grad for v in trainable_weights]
        self.optimizer.apply(gradients, trainable_weights)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def test_guide_custom_train_step() -> None:
    inputs = keras_guide.Input(shape=(32,))
    outputs = keras_guide.layers.Dense(1)(inputs)
    model = CustomModel(inputs, outputs)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    x = np.random.default_rng(0).random((1000, 32))
    y = np.random.default_rng(1).random((1000, 1))
    history = model.fit(x, y, epochs=3, verbose=0)
    assert set(history.history) == {"loss", "mae"}
    assert history.history["loss"][-1] < history.history["loss"][0]


class SubclassedModel(keras_guide.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense1 = keras_guide.layers.Dense(8, activation="relu")
        self.dropout = keras_guide.layers.Dropout(0.1)
        self.dense2 = keras_guide.layers.Dense(3, activation="softmax")

    def call(self, inputs, training=None):
        return self.dense2(self.dropout(self.dense1(inputs), training=training))


def test_subclassed_model_tracks_attribute_layers_and_fits() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 5)).astype("float32")
    y = rng.integers(0, 3, 60)
    model = SubclassedModel()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=2, batch_size=20, verbose=0)
    assert [la.name for la in model.layers] == ["dense", "dropout", "dense_1"]
    assert len(model.weights) == 4
    assert set(history.history) == {"accuracy", "loss"}
    assert model.predict(x, verbose=0).shape == (60, 3)


def _wide_and_deep(lib):
    """Hands-On ML's subclassed wide & deep model: a tuple of two inputs, two outputs."""

    class WideAndDeepModel(lib.Model):
        def __init__(self, units=30, activation="relu", **kwargs):
            super().__init__(**kwargs)
            self.hidden1 = lib.layers.Dense(units, activation=activation)
            self.hidden2 = lib.layers.Dense(units, activation=activation)
            self.main_output = lib.layers.Dense(1)
            self.aux_output = lib.layers.Dense(1)

        def call(self, inputs):
            input_wide, input_deep = inputs
            hidden2 = self.hidden2(self.hidden1(input_deep))
            concat = lib.layers.concatenate([input_wide, hidden2])
            return self.main_output(concat), self.aux_output(hidden2)

    return WideAndDeepModel(units=8, name="my_cool_model")


def test_subclassed_two_input_two_output_model_compiles_per_output_and_trains_like_keras():
    rng = np.random.default_rng(0)
    x = rng.random((64, 8)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    data = (x[:, :5], x[:, 2:])
    theirs, ours = _wide_and_deep(keras), _wide_and_deep(nk)
    theirs(data), ours(data)  # build both; then the same starting weights
    ours.set_weights(theirs.get_weights())
    for lib, model in ((keras, theirs), (nk, ours)):
        model.compile(
            loss=["mse", "mse"],  # compile before the outputs are known: two of everything
            loss_weights=[0.9, 0.1],
            optimizer=lib.optimizers.SGD(0.01),
            metrics=["RootMeanSquaredError", "RootMeanSquaredError"],
        )
    hk = theirs.fit(data, (y, y), epochs=2, batch_size=16, shuffle=False, verbose=0).history
    hn = ours.fit(data, (y, y), epochs=2, batch_size=16, shuffle=False, verbose=0).history
    np.testing.assert_allclose(hn["loss"], hk["loss"], rtol=1e-5)
    for a, b in zip(theirs.get_weights(), ours.get_weights(), strict=True):
        np.testing.assert_allclose(b, np.asarray(a), rtol=1e-4, atol=1e-6)
    main_k, aux_k = theirs.predict(data, verbose=0)
    main_n, aux_n = ours.predict(data, verbose=0)
    np.testing.assert_allclose(main_n, main_k, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(aux_n, aux_k, rtol=1e-4, atol=1e-5)
    assert {"output_0_RootMeanSquaredError", "output_1_loss"} <= set(hn)  # nnlab's names


def test_subclassed_model_compile_spreads_a_single_loss_over_its_outputs_when_known():
    rng = np.random.default_rng(1)
    x = rng.random((32, 8)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    model = _wide_and_deep(nk)
    model.compile(loss="mse", loss_weights=[0.9, 0.1], optimizer="sgd")  # one loss, two weights
    history = model.fit((x[:, :5], x[:, 2:]), (y, y), epochs=1, verbose=0)
    assert {"loss", "output_0_loss", "output_1_loss"} == set(history.history)
    with pytest.raises(ValueError, match="got 3 loss_weights"):
        model.compile(loss="mse", loss_weights=[0.9, 0.1, 0.5], optimizer="sgd")
    with pytest.raises(ValueError, match="msee"):  # a bad name raises at compile, run or not
        _wide_and_deep(nk).compile(loss="msee", optimizer="sgd")
    fresh = _wide_and_deep(nk)  # not run yet: the count is checked at its first data
    fresh.compile(loss="mse", loss_weights=[0.9, 0.1, 0.5], optimizer="sgd")
    with pytest.raises(ValueError, match="the model has 2 outputs .* got 3 loss_weights"):
        fresh.fit((x[:, :5], x[:, 2:]), (y, y), epochs=1, verbose=0)


def _ticket_model(lib):
    """Deep Learning with Python's subclassed CustomerTicketModel: a dict of three inputs."""

    class CustomerTicketModel(lib.Model):
        def __init__(self, num_departments):
            super().__init__()
            self.concat_layer = lib.layers.Concatenate()
            self.mixing_layer = lib.layers.Dense(8, activation="relu")
            self.priority_scorer = lib.layers.Dense(1, activation="sigmoid")
            self.department_classifier = lib.layers.Dense(num_departments, activation="softmax")

        def call(self, inputs):
            features = self.concat_layer([inputs["title"], inputs["text_body"], inputs["tags"]])
            features = self.mixing_layer(features)
            return self.priority_scorer(features), self.department_classifier(features)

    return CustomerTicketModel(num_departments=4)


def test_subclassed_model_gets_dict_inputs_as_a_dict_like_keras():
    rng = np.random.default_rng(0)
    data = {
        "title": rng.integers(0, 2, (48, 6)).astype("float32"),
        "text_body": rng.integers(0, 2, (48, 5)).astype("float32"),
        "tags": rng.integers(0, 2, (48, 3)).astype("float32"),
    }
    priority = rng.random((48, 1)).astype("float32")
    department = np.eye(4, dtype="float32")[rng.integers(0, 4, 48)]
    theirs, ours = _ticket_model(keras), _ticket_model(nk)
    theirs(data), ours(data)
    ours.set_weights(theirs.get_weights())
    for lib, model in ((keras, theirs), (nk, ours)):
        model.compile(
            optimizer=lib.optimizers.RMSprop(0.01),
            loss=["mean_squared_error", "categorical_crossentropy"],
            metrics=[["mean_absolute_error"], ["accuracy"]],
        )
    hk = theirs.fit(data, [priority, department], epochs=2, batch_size=16, shuffle=False, verbose=0)
    hn = ours.fit(data, [priority, department], epochs=2, batch_size=16, shuffle=False, verbose=0)
    np.testing.assert_allclose(hn.history["loss"], hk.history["loss"], rtol=1e-5)
    for a, b in zip(theirs.predict(data, verbose=0), ours.predict(data, verbose=0), strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-5)
    ek = theirs.evaluate(data, [priority, department], verbose=0)
    en = ours.evaluate(data, [priority, department], verbose=0)
    np.testing.assert_allclose(en[0], ek[0], rtol=1e-5)
