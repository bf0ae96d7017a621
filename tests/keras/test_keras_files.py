"""Keras 3 is the oracle for the files: it opens nnlab's .keras and .weights.h5 files and predicts
the same; nnlab opens Keras's and predicts the same; optimizer state crosses in both directions."""

from __future__ import annotations

import os

import numpy as np
import pytest

from nnlab.keras import regularizers
from nnlab.keras.layers import Activation, Dense, Dropout
from nnlab.keras.models import Sequential, load_model

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # Keras's torch backend

TOL = 1e-6  # float32 predictions: same weights, different summation order


def _data(n: int = 64) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    return x, (x[:, 0] + x[:, 1] > 0).astype(np.int64) + (x[:, 2] > 1)


def _nnlab_mlp() -> Sequential:
    x, y = _data()
    model = Sequential(
        [
            Dense(8, activation="relu", input_dim=4, kernel_regularizer=regularizers.l2(1e-3)),
            Dropout(0.25),
            Dense(6, activation="tanh", use_bias=False),
            Dense(3),
            Activation("softmax"),
        ],
        seed=0,
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    return model


def _keras_mlp(optimizer: object = "adam") -> object:
    x, y = _data()
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dropout(0.25),
            keras.layers.Dense(6, activation="sigmoid", kernel_initializer="he_normal"),
            keras.layers.Dense(3),
            keras.layers.Activation("softmax"),
        ]
    )
    model.compile(optimizer, "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    return model


def _slot(optimizer: object, *names: str) -> list[np.ndarray]:
    """The optimizer's state arrays of the first of ``names`` it has (nnlab's names changed
    from 'm'/'v' to Keras's 'momentum'/'velocity')."""
    slots = optimizer.slots
    return next(slots[n] for n in names if n in slots)


def _adam_state(optimizer: object, n: int) -> list[np.ndarray]:
    """m0, v0, m1, v1, ...: Keras's order of Adam's variables after iterations and lr."""
    m, v = _slot(optimizer, "m", "momentum"), _slot(optimizer, "v", "velocity")
    return [s[i] for i in range(n) for s in (m, v)]


def _max_diff(a: object, b: object) -> float:
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))))


def test_keras_opens_nnlab_files_and_predicts_the_same(tmp_path) -> None:
    x, y = _data()
    model = _nnlab_mlp()
    model.save(tmp_path / "m.keras")
    theirs = keras.saving.load_model(tmp_path / "m.keras")
    assert [type(layer).__name__ for layer in theirs.layers] == [
        "Dense",
        "Dropout",
        "Dense",
        "Dense",
        "Activation",
    ]
    assert _max_diff(theirs.predict(x, verbose=0), model.predict(x)) <= TOL
    for a, b in zip(theirs.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert theirs.layers[0].kernel_regularizer.l2 == pytest.approx(1e-3)
    assert theirs.optimizer.__class__.__name__ == "Adam"
    assert int(theirs.optimizer.iterations) == model.optimizer.iterations == 8
    # Keras's Adam variables: momentum and velocity per weight, in model order
    keras_slots = [np.asarray(v) for v in theirs.optimizer.variables[2:]]
    ours = _adam_state(model.optimizer, 5)
    for a, b in zip(keras_slots, ours, strict=True):
        np.testing.assert_array_equal(a, b)
    loss, acc = theirs.evaluate(x, y, verbose=0)
    ours_loss, ours_acc = model.evaluate(x, y, verbose=0)
    assert acc == pytest.approx(ours_acc)
    assert loss == pytest.approx(ours_loss, rel=1e-5)  # both include the L2 penalty


def test_nnlab_opens_keras_files_and_predicts_the_same(tmp_path) -> None:
    x, _ = _data()
    theirs = _keras_mlp()
    theirs.save(tmp_path / "k.keras")
    model = load_model(tmp_path / "k.keras")
    assert [layer.name for layer in model.layers] == [layer.name for layer in theirs.layers]
    assert _max_diff(model.predict(x), theirs.predict(x, verbose=0)) <= TOL
    assert model.loss.name == "sparse_categorical_crossentropy"
    assert model.metrics_names == ["loss", "accuracy"]
    assert model.optimizer.iterations == int(theirs.optimizer.iterations) == 8
    keras_slots = [np.asarray(v) for v in theirs.optimizer.variables[2:]]
    ours = _adam_state(model.optimizer, 6)
    for a, b in zip(keras_slots, ours, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("make", "slots"),
    [
        (lambda: keras.optimizers.SGD(0.1, momentum=0.9, nesterov=True), ["momentum"]),
        (lambda: keras.optimizers.RMSprop(0.01, momentum=0.5, centered=True), None),
        (lambda: keras.optimizers.Adagrad(0.1), ["accumulator"]),
    ],
    ids=["sgd", "rmsprop", "adagrad"],
)
def test_optimizer_variables_cross_in_keras_order(tmp_path, make, slots) -> None:
    theirs = _keras_mlp(make())
    theirs.save(tmp_path / "k.keras")
    model = load_model(tmp_path / "k.keras")
    assert type(model.optimizer).__name__ == type(theirs.optimizer).__name__
    assert model.optimizer.learning_rate == pytest.approx(float(theirs.optimizer.learning_rate))
    # and back: nnlab writes them in the order Keras reads them
    model.save(tmp_path / "n.keras")
    again = keras.saving.load_model(tmp_path / "n.keras")
    for a, b in zip(again.optimizer.variables, theirs.optimizer.variables, strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    if slots is None:  # RMSprop: velocities, then momentums, then average gradients
        slots = ["rms", "velocity"]
    first = np.asarray(theirs.optimizer.variables[2])
    np.testing.assert_array_equal(_slot(model.optimizer, *slots)[0], first)


def test_weights_files_both_ways(tmp_path) -> None:
    x, _ = _data()
    model = _nnlab_mlp()
    model.save_weights(tmp_path / "n.weights.h5")
    theirs = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dropout(0.25),
            keras.layers.Dense(6, activation="tanh", use_bias=False),
            keras.layers.Dense(3),
            keras.layers.Activation("softmax"),
        ]
    )
    theirs.load_weights(tmp_path / "n.weights.h5")
    assert _max_diff(theirs.predict(x, verbose=0), model.predict(x)) <= TOL

    trained = _keras_mlp()
    trained.save_weights(tmp_path / "k.weights.h5")
    ours = Sequential(
        [
            Dense(8, activation="relu", input_dim=4),
            Dropout(0.25),
            Dense(6, activation="sigmoid"),
            Dense(3),
            Activation("softmax"),
        ]
    )
    ours.load_weights(tmp_path / "k.weights.h5")
    assert _max_diff(ours.predict(x), trained.predict(x, verbose=0)) <= TOL


def test_from_logits_loss_and_metric_objects_cross(tmp_path) -> None:
    x, y = _data()
    model = Sequential([Dense(3, input_dim=4)], seed=1)
    model.compile(
        "sgd",
        keras_loss := __import__("nnlab").keras.losses.SparseCategoricalCrossentropy(
            from_logits=True
        ),
        metrics=["accuracy"],
    )
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    theirs = keras.saving.load_model(tmp_path / "m.keras")
    assert theirs.loss.from_logits
    loaded = load_model(tmp_path / "m.keras")
    assert loaded.loss.from_logits and type(loaded.loss) is type(keras_loss)
    assert theirs.evaluate(x, y, verbose=0)[0] == pytest.approx(
        model.evaluate(x, y, verbose=0)[0], rel=1e-5
    )


def _images(n: int = 24) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(4)
    x = rng.normal(size=(n, 10, 10, 3)).astype(np.float32)
    return x, (x[:, :5].mean(axis=(1, 2, 3)) > 0).astype(np.int64)


def test_convnet_files_both_ways(tmp_path) -> None:
    """A small convnet (Conv2D, pooling, dropout, dense head) trained in nnlab opens in Keras
    3, and Keras 3's opens in nnlab, with the same predictions."""
    from nnlab.keras import layers

    x, y = _images()
    model = Sequential(
        [
            layers.Input((10, 10, 3)),
            layers.Conv2D(6, 3, activation="relu", padding="same"),
            layers.MaxPooling2D(2),
            layers.Conv2D(4, 3, strides=2, activation="tanh"),
            layers.GlobalAveragePooling2D(),
            layers.Dropout(0.2),
            layers.Dense(2, activation="softmax"),
        ],
        seed=0,
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    model.save(tmp_path / "n.keras")
    theirs = keras.saving.load_model(tmp_path / "n.keras")
    assert _max_diff(theirs.predict(x, verbose=0), model.predict(x, verbose=0)) <= TOL
    np.testing.assert_array_equal(
        np.asarray(theirs.optimizer.variables[-1]), np.asarray(model.optimizer.variables[-1])
    )

    keras.utils.set_random_seed(1)
    trained = keras.Sequential(
        [
            keras.Input((10, 10, 3)),
            keras.layers.Conv2D(5, (3, 2), activation="relu"),
            keras.layers.AveragePooling2D(2, padding="same"),
            keras.layers.Conv2D(3, 2, dilation_rate=2),
            keras.layers.GlobalMaxPooling2D(),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
    trained.compile("rmsprop", "sparse_categorical_crossentropy")
    trained.fit(x, y, epochs=1, batch_size=8, verbose=0)
    trained.save(tmp_path / "k.keras")
    ours = load_model(tmp_path / "k.keras")
    assert [type(layer).__name__ for layer in ours.layers] == [
        type(layer).__name__ for layer in trained.layers
    ]
    assert _max_diff(ours.predict(x, verbose=0), trained.predict(x, verbose=0)) <= TOL
    assert ours.optimizer.iterations == 3


def test_spatial_layers_cross_both_ways(tmp_path) -> None:
    from nnlab.keras import layers

    x, _ = _images(6)
    model = Sequential(
        [
            layers.Input((10, 10, 3)),
            layers.ZeroPadding2D(((1, 0), (2, 1))),
            layers.DepthwiseConv2D(3, depth_multiplier=2, activation="relu"),
            layers.UpSampling2D((1, 2)),
            layers.SeparableConv2D(4, 3, strides=2, padding="same"),
            layers.Cropping2D(((1, 0), (0, 2))),
            layers.GlobalMaxPooling2D(),
        ],
        seed=3,
    )
    model.save(tmp_path / "n.keras")
    theirs = keras.saving.load_model(tmp_path / "n.keras")
    assert _max_diff(theirs.predict(x, verbose=0), model.predict(x, verbose=0)) <= TOL
    theirs.save(tmp_path / "k.keras")
    again = load_model(tmp_path / "k.keras")
    assert _max_diff(again.predict(x, verbose=0), model.predict(x, verbose=0)) <= TOL


def test_functional_files_both_ways(tmp_path) -> None:
    """Keras 3's functional file in nnlab and back (once nnlab has the functional API)."""
    x, _ = _data()
    keras.utils.set_random_seed(2)
    a = keras.Input((4,))
    h = keras.layers.Dense(5, activation="relu")(a)
    theirs = keras.Model(a, keras.layers.Dense(3, activation="softmax")(h))
    theirs.save(tmp_path / "k.keras")
    from nnlab.keras import layers
    from nnlab.keras.models import Model

    try:
        inputs = layers.Input((4,))
        Model(inputs, layers.Dense(2)(inputs))
    except NotImplementedError as err:
        pytest.skip(f"nnlab.keras has no functional API yet ({err})")
    ours = load_model(tmp_path / "k.keras")
    assert _max_diff(ours.predict(x, verbose=0), theirs.predict(x, verbose=0)) <= TOL
    ours.save(tmp_path / "n.keras")
    again = keras.saving.load_model(tmp_path / "n.keras")
    assert _max_diff(again.predict(x, verbose=0), theirs.predict(x, verbose=0)) <= TOL


def test_nnlab_functional_model_with_merges_and_norms_both_ways(tmp_path) -> None:
    """An nnlab functional model (two inputs, a shared layer, merging, BatchNormalization,
    LayerNormalization, Flatten/Reshape) opens in Keras 3 and comes back, same predictions."""
    from nnlab.keras import layers
    from nnlab.keras.models import Model

    rng = np.random.default_rng(6)
    xa, xb = (rng.normal(size=(16, 6)).astype(np.float32) for _ in range(2))
    y = (xa[:, 0] > xb[:, 0]).astype(np.int64)
    a, b = layers.Input((6,)), layers.Input((6,))
    shared = layers.Dense(4, activation="tanh")
    h = layers.Concatenate()([layers.Add()([shared(a), shared(b)]), layers.Subtract()([a, b])])
    h = layers.BatchNormalization()(h)
    h = layers.Flatten()(layers.Reshape((2, 5))(h))
    h = layers.LayerNormalization()(layers.Dense(6, activation="relu")(h))
    model = Model([a, b], layers.Dense(2, activation="softmax")(h))
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit([xa, xb], y, epochs=2, batch_size=8, verbose=0)
    model.save(tmp_path / "n.keras")
    theirs = keras.saving.load_model(tmp_path / "n.keras")
    want = model.predict([xa, xb], verbose=0)
    assert _max_diff(theirs.predict([xa, xb], verbose=0), want) <= TOL
    theirs.save(tmp_path / "k.keras")
    again = load_model(tmp_path / "k.keras")
    assert again.optimizer.iterations == model.optimizer.iterations == 4
    for a, b in zip(again.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_keras_functional_file_with_batch_norm_predicts_in_nnlab(tmp_path) -> None:
    x, _ = _data()
    a = keras.Input((4,))
    hidden = keras.layers.BatchNormalization()(keras.layers.Dense(3)(a))
    out = keras.layers.Softmax()(keras.layers.Dense(2)(hidden))  # both record mask=None
    theirs = keras.Model(a, out)
    theirs.save(tmp_path / "k.keras")
    ours = load_model(tmp_path / "k.keras")
    assert _max_diff(ours.predict(x, verbose=0), theirs.predict(x, verbose=0)) <= TOL


@pytest.mark.parametrize("functional", [False, True])
def test_input_with_a_fixed_batch_size_round_trips_with_keras(tmp_path, functional: bool) -> None:
    """``Input(shape, batch_size=n)`` writes [n, ...] as the batch shape: both libraries read
    the other's file (a ModelCheckpoint of such a model used to be unreadable in nnlab)."""
    from nnlab import keras as nk

    def build(lib):
        inputs = lib.Input(shape=(3,), batch_size=5)
        if functional:
            return lib.Model(inputs, lib.layers.Dense(2)(inputs))
        return lib.Sequential([inputs, lib.layers.Dense(2)])

    x = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    theirs, ours = build(keras), build(nk)
    theirs.save(tmp_path / "keras.keras")
    ours.save(tmp_path / "nnlab.keras")
    from_keras = nk.models.load_model(tmp_path / "keras.keras")
    from_nnlab = keras.models.load_model(tmp_path / "nnlab.keras")
    for loaded, saved in ((from_keras, theirs), (from_nnlab, ours)):
        np.testing.assert_allclose(
            loaded.predict(x, verbose=0), saved.predict(x, verbose=0), rtol=1e-5, atol=1e-7
        )
    assert tuple(from_keras.inputs[0].shape) == (5, 3)
    again = nk.models.load_model(tmp_path / "nnlab.keras")
    assert tuple(again.inputs[0].shape) == (5, 3)
