"""Keras 3's callback unit tests (keras/src/callbacks/{early_stopping,learning_rate_scheduler,
reduce_lr_on_plateau,terminate_on_nan,lambda_callback,csv_logger}_test.py), ported with import
changes only (``callbacks``/``layers``/``models``/``optimizers``/``losses``/``metrics`` from
``nnlab.keras``). ``test_utils.get_test_data`` (a private helper) becomes ``_get_test_data``, the
same shapes; ``absl.logging`` messages in the LambdaCallback tests are collected in a list; Keras's
``setUp`` is a fixture.

Dropped lines: ``cbks[0].monitor_op == ops.greater`` (private attribute). Skipped: the
``verbose`` logging tests (absl logging), BackupAndRestore, ModelCheckpoint with
``save_freq``-in-batches on distributed/TF datasets, TensorBoard, RemoteMonitor, SwapEMAWeights,
Orbax (outside issue 11).
"""

from __future__ import annotations

import csv
import os

import numpy as np
import pytest

from nnlab.keras import callbacks, initializers, layers, losses, metrics, models, optimizers
from nnlab.keras.models import Sequential
from nnlab.keras.utils import to_categorical

from ._port import assert_all_close, to_numpy


def _get_test_data(train_samples, test_samples, input_shape, num_classes):
    n = train_samples + test_samples
    y = np.random.randint(0, num_classes, size=(n,))
    x = np.random.random((n, *input_shape)) + y.reshape(-1, *([1] * len(input_shape)))
    return (x[:train_samples], y[:train_samples]), (x[train_samples:], y[train_samples:])


@pytest.fixture
def setup():
    (x_train, y_train), (x_test, y_test) = _get_test_data(10, 10, (3,), 2)
    y_test = to_categorical(y_test)
    y_train = to_categorical(y_train)
    model = Sequential([layers.Dense(5), layers.Dense(2)])
    model.compile(loss="mse", optimizer=optimizers.Adam(0.1))
    return model, x_train, y_train, x_test, y_test


def _two_relu():
    return models.Sequential(
        (layers.Dense(1, activation="relu"), layers.Dense(1, activation="relu"))
    )


# ---------------------------------------------------------------- EarlyStopping
def test_early_stopping_modes_and_unknown_monitor():
    x_train = np.random.random((10, 5))
    y_train = np.random.random((10, 1))
    x_test = np.random.random((10, 5))
    y_test = np.random.random((10, 1))
    model = _two_relu()
    model.compile(
        loss="mae",
        optimizer="adam",
        metrics=["mse", "acc", "accuracy", "hinge", metrics.F1Score(name="f1_score")],
    )
    cases = [
        ("max", "val_mse", "max"),
        ("min", "val_loss", "min"),
        ("auto", "val_mse", "min"),
        ("auto", "loss", "min"),
        ("auto", "acc", "max"),
        ("auto", "val_accuracy", "max"),
        ("auto", "hinge", "min"),
        ("auto", "f1_score", "max"),
    ]
    for mode, monitor, _expected_mode in cases:
        patience = 0
        cbks = [callbacks.EarlyStopping(patience=patience, monitor=monitor, mode=mode)]
        model.fit(x_train, y_train, batch_size=5, validation_data=(x_test, y_test),
                  callbacks=cbks, epochs=2, verbose=0)  # fmt: skip
    with pytest.raises(ValueError):
        cbks = [callbacks.EarlyStopping(patience=patience, monitor="unknown")]
        model.fit(x_train, y_train, batch_size=5, validation_data=(x_test, y_test),
                  callbacks=cbks, epochs=2, verbose=0)  # fmt: skip


@pytest.mark.parametrize("patience", [0, 1, 2, 3])
def test_early_stopping_patience(patience):
    losses_ = [10.0, 9.0, 8.0, 9.0, 8.9, 8.8, 8.7, 8.6, 8.5]
    stopper = callbacks.EarlyStopping(monitor="loss", patience=patience)
    stopper.set_model(models.Sequential())
    stopper.model.compile(loss="mse", optimizer="sgd")
    stopper.on_train_begin()
    for epoch, loss in enumerate(losses_):
        stopper.on_epoch_end(epoch=epoch, logs={"loss": loss})
        if stopper.model.stop_training:
            break
    assert stopper.stopped_epoch == max(patience, 1) + 2


def test_early_stopping_reuse():
    patience = 3
    data = np.random.random((100, 1))
    labels = np.where(data > 0.5, 1, 0)
    model = _two_relu()
    model.compile(optimizer="sgd", loss="mae", metrics=["mse"])
    stopper = callbacks.EarlyStopping(monitor="mse", patience=patience)
    history1 = model.fit(data, labels, callbacks=[stopper], verbose=0, epochs=20)
    assert len(history1.epoch) >= patience
    history2 = model.fit(data, labels, callbacks=[stopper], verbose=0, epochs=20)
    assert len(history2.epoch) >= patience


def test_early_stopping_with_baseline():
    x_train = np.random.random((10, 5))
    y_train = np.random.random((10, 1))
    model = _two_relu()
    model.compile(optimizer="sgd", loss="mae", metrics=["mse"])
    patience = 3
    stopper = callbacks.EarlyStopping(monitor="mse", patience=patience, baseline=0.6)
    hist = model.fit(x_train, y_train, callbacks=[stopper], verbose=0, epochs=20)
    assert len(hist.epoch) >= patience


class DummyModel:
    def __init__(self):
        self.stop_training = False
        self.weights = -1

    def get_weights(self):
        return self.weights

    def set_weights(self, weights):
        self.weights = weights

    def set_weight_to_epoch(self, epoch):
        self.weights = epoch


def _drive(early_stop, losses_, stop_at=None):
    epochs_trained = 0
    early_stop.on_train_begin()
    for epoch in range(len(losses_)):
        epochs_trained += 1
        early_stop.model.set_weight_to_epoch(epoch=epoch)
        early_stop.on_epoch_end(epoch, logs={"val_loss": losses_[epoch]})
        if stop_at is not None and epoch == stop_at:
            early_stop.model.stop_training = True
        if early_stop.model.stop_training:
            break
    early_stop.on_train_end()
    return epochs_trained


def test_early_stopping_final_weights_when_restoring_model_weights():
    early_stop = callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    early_stop.set_model(DummyModel())
    _drive(early_stop, [0.2, 0.15, 0.1, 0.11, 0.12])
    assert early_stop.model.get_weights() == 2


def test_early_stopping_restores_best_when_baseline_never_beaten():
    early_stop = callbacks.EarlyStopping(
        monitor="val_loss", patience=5, baseline=0.5, restore_best_weights=True
    )
    early_stop.set_model(DummyModel())
    epochs_trained = _drive(early_stop, [0.9, 0.8, 0.7, 0.71, 0.72, 0.73])
    assert epochs_trained == 5
    assert early_stop.model.get_weights() == 2


def test_early_stopping_restores_best_when_another_callback_stops():
    early_stop = callbacks.EarlyStopping(
        monitor="val_loss", patience=5, baseline=0.5, restore_best_weights=True
    )
    early_stop.set_model(DummyModel())
    epochs_trained = _drive(early_stop, [0.9, 0.8, 0.7, 0.71, 0.72, 0.73], stop_at=3)
    assert epochs_trained == 4
    assert early_stop.model.get_weights() == 2


def test_early_stopping_with_start_from_epoch():
    x_train = np.random.random((10, 5))
    y_train = np.random.random((10, 1))
    model = _two_relu()
    model.compile(optimizer="sgd", loss="mae", metrics=["mse"])
    start_from_epoch = 2
    patience = 3
    stopper = callbacks.EarlyStopping(
        monitor="mse", patience=patience, start_from_epoch=start_from_epoch
    )
    history = model.fit(x_train, y_train, callbacks=[stopper], verbose=0, epochs=20)
    assert len(history.epoch) >= patience + start_from_epoch
    patience = 0
    stopper = callbacks.EarlyStopping(
        monitor="mse", patience=patience, start_from_epoch=start_from_epoch
    )
    history = model.fit(x_train, y_train, callbacks=[stopper], verbose=0, epochs=20)
    assert len(history.epoch) >= start_from_epoch


# ---------------------------------------------------------------- LearningRateScheduler
@pytest.fixture
def sgd_setup():
    (x_train, y_train), _ = _get_test_data(10, 10, (3,), 2)
    y_train = to_categorical(y_train)
    model = Sequential([layers.Dense(5), layers.Dense(2)])
    model.compile(loss="mse", optimizer="sgd")
    return model, x_train, y_train


def test_lr_scheduler_updates_learning_rate(sgd_setup):
    model, x_train, y_train = sgd_setup
    lr_scheduler = callbacks.LearningRateScheduler(lambda step: 1.0 / (2.0 + step), verbose=1)
    model.fit(x_train, y_train, callbacks=[lr_scheduler], epochs=1)
    assert model.optimizer.learning_rate.value == 0.5


def test_lr_scheduler_dependent_on_previous_learning_rate(sgd_setup):
    model, x_train, y_train = sgd_setup
    lr_scheduler = callbacks.LearningRateScheduler(lambda step, lr: lr / 2)
    initial_lr = 0.03
    model.compile(loss="mse", optimizer=optimizers.Adam(initial_lr))
    model.fit(x_train, y_train, callbacks=[lr_scheduler], epochs=2)
    assert_all_close(to_numpy(model.optimizer.learning_rate), initial_lr / 4.0)


def test_lr_scheduler_throws_when_optimizer_has_schedule(sgd_setup):
    model, x_train, y_train = sgd_setup
    lr_scheduler = callbacks.LearningRateScheduler(lambda step, lr: lr / 2)
    model.compile(
        loss="mse",
        optimizer=optimizers.Adam(
            optimizers.schedules.PolynomialDecay(initial_learning_rate=0.1, decay_steps=10)
        ),
    )
    with pytest.raises(TypeError, match="This optimizer was created with a `LearningRateSchedule`"):
        model.fit(x_train, y_train, callbacks=[lr_scheduler], epochs=2)


def test_lr_scheduler_learning_rate_in_history(sgd_setup):
    model, x_train, y_train = sgd_setup
    lr_scheduler = callbacks.LearningRateScheduler(lambda step, lr: 0.5)
    history = model.fit(x_train, y_train, callbacks=[lr_scheduler], epochs=1)
    assert "learning_rate" in history.history
    assert type(history.history["learning_rate"][0]) is float
    assert history.history["learning_rate"][0] == 0.5


# ---------------------------------------------------------------- ReduceLROnPlateau
def test_reduce_lr_with_model_fit(setup):
    model, x_train, y_train, x_test, y_test = setup
    reduce_lr = callbacks.ReduceLROnPlateau(
        patience=1, factor=0.1, monitor="val_loss", min_delta=100
    )
    model.fit(x_train, y_train, validation_data=(x_test, y_test), callbacks=[reduce_lr], epochs=2)
    assert_all_close(to_numpy(model.optimizer.learning_rate), 0.01)


def test_reduce_lr_throws_when_optimizer_has_schedule(setup):
    model, x_train, y_train, x_test, y_test = setup
    reduce_lr = callbacks.ReduceLROnPlateau(
        patience=1, factor=0.1, monitor="val_loss", min_delta=100
    )
    model.compile(
        loss="mse",
        optimizer=optimizers.Adam(
            optimizers.schedules.PolynomialDecay(initial_learning_rate=0.1, decay_steps=10)
        ),
    )
    with pytest.raises(TypeError, match="This optimizer was created with a `LearningRateSchedule`"):
        model.fit(x_train, y_train, validation_data=(x_test, y_test), callbacks=[reduce_lr],
                  epochs=2)  # fmt: skip


def test_reduce_lr_honors_min_lr(setup):
    model, x_train, y_train, x_test, y_test = setup
    reduce_lr = callbacks.ReduceLROnPlateau(
        patience=1, factor=0.1, monitor="val_loss", min_delta=10, min_lr=0.005
    )
    model.fit(x_train, y_train, validation_data=(x_test, y_test), callbacks=[reduce_lr], epochs=4)
    assert_all_close(to_numpy(model.optimizer.learning_rate), 0.005)


def test_reduce_lr_cooldown(setup):
    model, x_train, y_train, x_test, y_test = setup
    reduce_lr = callbacks.ReduceLROnPlateau(
        patience=1, factor=0.1, monitor="val_loss", min_delta=100, cooldown=2
    )
    model.fit(x_train, y_train, validation_data=(x_test, y_test), callbacks=[reduce_lr], epochs=4)
    assert_all_close(to_numpy(model.optimizer.learning_rate), 0.001)


# ---------------------------------------------------------------- TerminateOnNaN
def test_terminate_on_nan():
    np.random.seed(1337)
    x_train = np.random.random((10, 3))
    y_train = to_categorical(np.random.choice(np.arange(2), size=10))
    x_test = np.random.random((10, 3))
    y_test = to_categorical(np.random.choice(np.arange(2), size=10))
    model = Sequential()
    initializer = initializers.Constant(value=1e5)
    for _ in range(5):
        model.add(layers.Dense(2, activation="relu", kernel_initializer=initializer))
    model.add(layers.Dense(2))
    model.compile(loss="mean_squared_error", optimizer="sgd")
    history = model.fit(x_train, y_train, batch_size=4, validation_data=(x_test, y_test),
                        callbacks=[callbacks.TerminateOnNaN()], epochs=20)  # fmt: skip
    loss = history.history["loss"]
    assert len(loss) == 1
    assert np.isnan(loss[0]) or np.isinf(loss[0])


def test_terminate_on_nan_graceful_stop():
    model = models.Sequential([layers.Dense(1, input_shape=(1,))])
    model.compile(optimizer="sgd", loss="mse")
    x = np.array([[1.0], [2.0]])
    y = np.array([[np.inf], [np.inf]])
    callback = callbacks.TerminateOnNaN()
    history = model.fit(x, y, epochs=2, batch_size=1, callbacks=[callback], verbose=0)
    assert len(history.history["loss"]) < 4


# ---------------------------------------------------------------- LambdaCallback
def test_lambda_callback():
    log = []
    batch_size = 4
    model = Sequential([layers.Input(shape=(2,), batch_size=batch_size), layers.Dense(1)])
    model.compile(optimizer=optimizers.SGD(), loss=losses.MeanSquaredError())
    x = np.random.randn(16, 2)
    y = np.random.randn(16, 1)
    lambda_log_callback = callbacks.LambdaCallback(
        on_train_begin=lambda logs: log.append("on_train_begin"),
        on_epoch_begin=lambda epoch, logs: log.append("on_epoch_begin"),
        on_epoch_end=lambda epoch, logs: log.append("on_epoch_end"),
        on_train_end=lambda logs: log.append("on_train_end"),
    )
    model.fit(x, y, batch_size=batch_size, validation_split=0.2, callbacks=[lambda_log_callback],
              epochs=5, verbose=0)  # fmt: skip
    assert log[0] == "on_train_begin" and log[-1] == "on_train_end"
    assert log.count("on_epoch_begin") == 5 and log.count("on_epoch_end") == 5


def test_lambda_callback_with_batches():
    log = []
    batch_size = 4
    model = Sequential([layers.Input(shape=(2,), batch_size=batch_size), layers.Dense(1)])
    model.compile(optimizer=optimizers.SGD(), loss=losses.MeanSquaredError())
    x = np.random.randn(16, 2)
    y = np.random.randn(16, 1)
    lambda_log_callback = callbacks.LambdaCallback(
        on_train_batch_begin=lambda batch, logs: log.append("on_train_batch_begin"),
        on_train_batch_end=lambda batch, logs: log.append("on_train_batch_end"),
    )
    model.fit(x, y, batch_size=batch_size, validation_split=0.2, callbacks=[lambda_log_callback],
              epochs=5, verbose=0)  # fmt: skip
    assert log.count("on_train_batch_begin") == 5 * 3
    assert log.count("on_train_batch_end") == 5 * 3


# ---------------------------------------------------------------- CSVLogger
def test_csv_logger(tmp_path):
    (x_train, y_train), (x_test, y_test) = _get_test_data(10, 10, (3,), 2)
    y_train, y_test = to_categorical(y_train), to_categorical(y_test)
    model = Sequential([layers.Dense(5, activation="relu"), layers.Dense(2, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
    filepath = os.path.join(str(tmp_path), "log.tsv")
    sep = "\t"
    cbks = [callbacks.CSVLogger(filepath, separator=sep)]
    model.fit(x_train, y_train, batch_size=5, validation_data=(x_test, y_test), callbacks=cbks,
              epochs=1, verbose=0)  # fmt: skip
    assert os.path.exists(filepath)
    with open(filepath) as csvfile:
        dialect = csv.Sniffer().sniff(csvfile.read())
    assert dialect.delimiter == sep

    cbks = [callbacks.CSVLogger(filepath, separator=sep, append=True)]
    model.fit(x_train, y_train, batch_size=5, validation_data=(x_test, y_test), callbacks=cbks,
              epochs=2, verbose=0)  # fmt: skip
    with open(filepath) as csvfile:
        list_lines = csvfile.readlines()
    assert list_lines[0].strip().split(sep) == [
        "epoch", "accuracy", "loss", "val_accuracy", "val_loss",
    ]  # fmt: skip
    assert len(list_lines) == 4  # header + 1 + 2 epochs, one header only when appending
