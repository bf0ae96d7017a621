"""fit: the course's two-blob model, History, validation, shuffling, NaN stop, fused losses."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from nnlab.keras import regularizers
from nnlab.keras.callbacks import Callback
from nnlab.keras.layers import Activation, Dense, Dropout
from nnlab.keras.models import Sequential
from nnlab.keras.optimizers import SGD, Adam
from nnlab.keras.training import NonFiniteLossWarning

from .conftest import two_blobs


def test_course_two_blob_logistic_model_reaches_bayes_rate() -> None:
    """Dense(1, sigmoid) + SGD + binary CE, batch 16, 100 epochs, 1000 points per class.

    The classes are N((-1,-1), I) and N((1,1), I): the best boundary x1 + x2 = 0 errs with
    probability Φ(-√2), so the Bayes accuracy is Φ(√2) ≈ 0.921.
    """
    rng = np.random.default_rng(0)
    x_train, y_train = two_blobs(1000, rng)
    x_test, y_test = two_blobs(1000, rng)
    model = Sequential(seed=0)
    model.add(Dense(1, input_dim=2, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer="sgd", metrics=["accuracy"])
    history = model.fit(
        x_train, y_train, batch_size=16, epochs=100, verbose=0, validation_data=(x_test, y_test)
    )
    assert list(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]  # Keras 3
    assert all(len(v) == 100 for v in history.history.values())
    assert history.epoch == list(range(100))
    assert history.params == {"verbose": 0, "epochs": 100, "steps": 125}
    assert history.history["val_accuracy"][-1] >= 0.90
    assert history.history["loss"][-1] < history.history["loss"][0]
    kernel, bias = model.get_weights()
    assert kernel[0, 0] > 0 and kernel[1, 0] > 0  # the boundary separates along x1 + x2
    assert abs(kernel[0, 0] - kernel[1, 0]) < 0.5 * kernel[0, 0] and abs(bias[0]) < 0.3


def test_history_logs_are_epoch_means_of_batches(blobs) -> None:
    x, y = blobs
    seen: list[tuple[int, float]] = []

    class Spy(Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append((batch, logs["loss"]))

    model = Sequential([Dense(1, input_dim=2)], seed=0)
    model.compile(SGD(0.0), "mse", metrics=["mae"])  # lr 0: every batch sees the same weights
    history = model.fit(x, y, batch_size=64, epochs=1, verbose=0, callbacks=[Spy()])
    assert [b for b, _ in seen] == [0, 1, 2, 3]
    full = model.evaluate(x, y, verbose=0)
    assert history.history["loss"][0] == pytest.approx(full[0], rel=1e-5)
    assert history.history["mae"][0] == pytest.approx(full[1], rel=1e-5)
    assert seen[-1][1] == pytest.approx(full[0], rel=1e-5)
    assert model.history is history


def test_validation_split_takes_the_last_samples_before_shuffling(blobs) -> None:
    x, y = blobs  # 100 zeros then 100 ones: the last 25% are all class 1
    split = int(np.floor(len(x) * 0.75))
    a = Sequential([Dense(1, input_dim=2, activation="sigmoid")], seed=3)
    a.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
    hist = a.fit(x, y, validation_split=0.25, epochs=2, batch_size=10, verbose=0)
    b = Sequential([Dense(1, input_dim=2, activation="sigmoid")], seed=3)
    b.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
    b.fit(x[:split], y[:split], epochs=2, batch_size=10, verbose=0)
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)
    val_loss, val_acc = b.evaluate(x[split:], y[split:], verbose=0)
    assert hist.history["val_loss"][-1] == pytest.approx(val_loss, rel=1e-6)
    assert hist.history["val_accuracy"][-1] == pytest.approx(val_acc)


def test_validation_data_overrides_split(blobs) -> None:
    x, y = blobs
    model = Sequential([Dense(1, input_dim=2, activation="sigmoid")], seed=0)
    model.compile("sgd", "binary_crossentropy")
    hist = model.fit(x, y, validation_split=0.5, validation_data=(x[:7], y[:7]), verbose=0)
    assert hist.history["val_loss"][0] == pytest.approx(model.evaluate(x[:7], y[:7], verbose=0))
    assert hist.params["steps"] == math.ceil(len(x) / 32)  # all samples trained on


def test_shuffle_false_is_order_dependent_and_initial_epoch(blobs) -> None:
    x, y = blobs
    model = Sequential([Dense(1, input_dim=2)], seed=0)
    model.compile(SGD(0.05), "mse")
    hist = model.fit(x, y, epochs=5, initial_epoch=3, shuffle=False, verbose=0)
    assert hist.epoch == [3, 4]
    twin = Sequential([Dense(1, input_dim=2)], seed=0)
    twin.compile(SGD(0.05), "mse")
    kernel, bias = twin.get_weights()
    kernel, bias = kernel.astype(np.float64), bias.astype(np.float64)
    for _ in range(2):  # the same updates written out: batches of 32 in order
        for s in range(0, len(x), 32):
            xb, yb = x[s : s + 32], y[s : s + 32]
            g = 2 * (xb @ kernel + bias - yb) / len(xb)
            kernel, bias = kernel - 0.05 * xb.T @ g, bias - 0.05 * g.sum(0)
    np.testing.assert_allclose(model.get_weights()[0], kernel, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(model.get_weights()[1], bias, rtol=1e-4, atol=1e-6)


def test_nan_loss_stops_training_naming_epoch_and_batch(blobs) -> None:
    x, y = blobs
    model = Sequential([Dense(1, input_dim=2)], seed=0)
    model.compile(SGD(1e3), "mse")  # diverges
    with (
        np.errstate(over="ignore", invalid="ignore"),
        pytest.warns(NonFiniteLossWarning, match=r"at epoch 1, batch \d+ of 7") as record,
    ):
        hist = model.fit(x, y * 1e30, epochs=50, verbose=0)
    assert sum(issubclass(r.category, NonFiniteLossWarning) for r in record) == 1
    assert len(hist.epoch) == 1 and not math.isfinite(hist.history["loss"][0])
    assert all(np.isfinite(w).all() for w in model.get_weights())  # last good weights kept


def test_nan_input_is_caught_by_the_loss_check(blobs) -> None:
    x, y = blobs
    x = x.copy()
    x[150] = np.nan  # sample 150 of 200: in batch 5 of 7 without shuffling
    model = Sequential([Dense(1, input_dim=2)], seed=0)
    model.compile("sgd", "mse")
    with pytest.warns(NonFiniteLossWarning, match="epoch 1, batch 5 of 7.*NaN/inf"):
        model.fit(x, y, epochs=3, shuffle=False, verbose=0)


def _overflowing_fit(x, y, **kwargs):
    """One epoch of one batch with SGD(1e308): the update overflows the weights to inf while the
    loss of that (only) batch was finite, the case the per-batch loss check cannot see."""
    model = Sequential([Dense(1, input_dim=2, name="out")], seed=0)
    model.compile(SGD(learning_rate=1e308), "mse")
    with np.errstate(over="ignore", invalid="ignore"):
        history = model.fit(x, y, batch_size=len(x), epochs=3, verbose=0, **kwargs)
    return model, history


def test_weights_overflowing_in_the_last_update_are_reported_with_the_epoch(blobs) -> None:
    x, y = blobs
    with pytest.warns(NonFiniteLossWarning) as record:
        model, history = _overflowing_fit(x, y)
    messages = [str(r.message) for r in record if r.category is NonFiniteLossWarning]
    assert len(messages) == 1
    assert "weights of layer 'out' (weight 0, shape (2, 1)) became NaN or infinite" in messages[0]
    assert "epoch 1" in messages[0]
    assert history.epoch == [0] and math.isfinite(history.history["loss"][0])  # then stopped
    assert not np.isfinite(model.get_weights()[0]).all()


def test_non_finite_validation_loss_is_reported_with_the_epoch(blobs) -> None:
    x, y = blobs
    model = Sequential([Dense(1, input_dim=2)], seed=0)
    model.compile(SGD(0.01), "mse")
    huge = np.full_like(x, 1e30, dtype=np.float32)  # finite inputs, (x K + b)² overflows float32
    with (
        np.errstate(over="ignore", invalid="ignore"),
        pytest.warns(
            NonFiniteLossWarning, match="validation loss became inf at the end of epoch 1"
        ) as record,
    ):
        history = model.fit(x, y, epochs=5, verbose=0, validation_data=(huge, y[:, :1]))
    assert sum(r.category is NonFiniteLossWarning for r in record) == 1
    assert history.epoch == [0] and history.history["val_loss"] == [math.inf]
    assert all(np.isfinite(w).all() for w in model.get_weights())


def test_the_divergence_warning_appears_every_time(blobs) -> None:
    """Under Python's default action a warning with the same text from the same line is shown
    once per process; a second diverging fit must still say so."""
    x, y = blobs
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("default")
        for _ in range(3):
            _overflowing_fit(x, y)  # the same message, from the same line, three times
    assert sum(r.category is NonFiniteLossWarning for r in record) == 3
    with warnings.catch_warnings():  # the user's filters still decide
        warnings.simplefilter("error", NonFiniteLossWarning)
        with pytest.raises(NonFiniteLossWarning):
            _overflowing_fit(x, y)


def test_stop_training_from_a_callback(blobs) -> None:
    x, y = blobs

    class StopAfterTwo(Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.stop_training = True

    model = Sequential([Dense(1, input_dim=2)], seed=0)
    model.compile("sgd", "mse")
    hist = model.fit(x, y, epochs=10, verbose=0, callbacks=[StopAfterTwo()])
    assert hist.epoch == [0, 1]


@pytest.mark.parametrize("separate_activation", [False, True])
def test_fused_softmax_ce_matches_probability_form(three_class, separate_activation) -> None:
    """Training from logits gives the loss of -log p computed on the predicted probabilities."""
    x, y = three_class
    last = [Dense(3), Activation("softmax")] if separate_activation else [Dense(3, "softmax")]
    model = Sequential([Dense(6, activation="tanh", input_dim=4), *last], seed=0)
    model.compile(Adam(0.05), "sparse_categorical_crossentropy", metrics=["accuracy"])
    hist = model.fit(x, y, epochs=30, batch_size=60, verbose=0, shuffle=False)
    p = model.predict(x)
    assert model.evaluate(x, y, verbose=0)[0] == pytest.approx(
        -np.mean(np.log(p[np.arange(len(y)), y])), rel=1e-5
    )
    assert hist.history["accuracy"][-1] == 1.0


def test_cross_entropy_without_matching_activation_uses_probabilities(three_class) -> None:
    x, y = three_class
    onehot = np.eye(3, dtype=np.float32)[y]
    model = Sequential([Dense(3, activation="sigmoid", input_dim=4)], seed=0)
    model.compile("sgd", "categorical_crossentropy")
    p = model.predict(x)
    q = np.clip(p / p.sum(1, keepdims=True), 1e-7, 1 - 1e-7)
    assert model.evaluate(x, onehot, verbose=0) == pytest.approx(
        -np.mean((onehot * np.log(q)).sum(1)), rel=1e-5
    )


def test_regularization_is_part_of_the_loss(blobs) -> None:
    x, y = blobs
    reg = Sequential(
        [Dense(1, input_dim=2, kernel_regularizer=regularizers.l2(0.5), bias_regularizer="l1")],
        seed=0,
    )
    plain = Sequential([Dense(1, input_dim=2)], seed=0)
    for m in (reg, plain):
        m.compile(SGD(0.1), "mse")
    kernel, bias = reg.get_weights()
    penalty = 0.5 * np.sum(kernel**2) + 0.01 * np.sum(np.abs(bias))
    assert reg.evaluate(x, y, verbose=0) == pytest.approx(
        plain.evaluate(x, y, verbose=0) + penalty, rel=1e-5
    )
    for m in (reg, plain):
        m.fit(x, y, epochs=20, verbose=0)
    assert np.abs(reg.get_weights()[0]).sum() < np.abs(plain.get_weights()[0]).sum()


def test_dropout_only_in_training(blobs) -> None:
    x, _ = blobs
    model = Sequential([Dropout(0.5, input_shape=(2,))], seed=0)
    np.testing.assert_array_equal(model.predict(x), x.astype(np.float32))
    layer = model.layers[0]
    import nnlab

    out = layer.call(nnlab.tensor(np.ones((1000, 2), dtype=np.float32)), training=True).data
    assert set(np.unique(out)) == {0.0, 2.0}
    assert abs((out == 0).mean() - 0.5) < 0.05
