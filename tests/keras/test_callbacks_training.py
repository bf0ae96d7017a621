"""Callbacks inside a real ``fit`` of nnlab models; the decisions are checked against Keras 3's
callbacks replaying the same epoch logs (the History of the nnlab run)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from nnlab.keras import callbacks
from nnlab.keras.layers import Dense
from nnlab.keras.models import Sequential
from nnlab.keras.optimizers import SGD

from .callback_driver import FakeModel, drive, keras_callbacks

theirs = keras_callbacks()


def noisy_model(lr: float = 0.5) -> Sequential:
    model = Sequential([Dense(8, input_dim=2, activation="tanh"), Dense(1)], seed=3)
    model.compile(SGD(lr), "mse", metrics=["mae"])
    return model


def regression_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    x = rng.normal(size=(120, 2)).astype(np.float32)
    y = (np.sin(2 * x[:, :1]) + 0.3 * rng.normal(size=(120, 1))).astype(np.float32)
    return x, y


class WeightsSpy(callbacks.Callback):
    """Keeps the weights at the end of each epoch (placed before the callback under test)."""

    def __init__(self) -> None:
        super().__init__()
        self.at: dict[int, list[np.ndarray]] = {}

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        self.at[epoch] = self.model.get_weights()


def replay(keras_callback: Any, history: dict[str, list[float]], lr: float = 0.1) -> Any:
    """Keras's callback fed the epoch logs of an nnlab run (without what callbacks added)."""
    epochs = len(next(iter(history.values())))
    logs = [{k: v[e] for k, v in history.items() if k != "learning_rate"} for e in range(epochs)]
    return drive(keras_callback, logs, model=FakeModel(learning_rate=lr))


@pytest.mark.parametrize(
    "config",
    [
        {"patience": 1, "restore_best_weights": True},
        {"patience": 3, "restore_best_weights": True, "start_from_epoch": 2},
        {"patience": 4, "baseline": 1e-6, "restore_best_weights": True},  # restores epoch 2
        {"patience": 50, "restore_best_weights": True},
        {"monitor": "val_mae", "patience": 2, "min_delta": 0.01, "restore_best_weights": True},
    ],
)
def test_early_stopping_in_fit_as_keras(config: dict[str, Any]) -> None:
    x, y = regression_data()
    model, spy = noisy_model(), WeightsSpy()
    stop = callbacks.EarlyStopping(**config)
    hist = model.fit(
        x, y, batch_size=16, epochs=12, verbose=0, validation_split=0.25, callbacks=[spy, stop]
    )
    # Keras's stand-in model has no metrics: tell it the direction nnlab found by itself
    assert stop._is_improvement(1.0, 2.0)  # errors: smaller is better
    trace = replay(theirs.EarlyStopping(**{"mode": "min", **config}), hist.history)
    assert len(trace.epochs) == len(hist.epoch)  # stopped at the same epoch
    best = int(trace.final_weight) - 1  # the epoch whose weights Keras restored
    assert stop.best_epoch == best
    for w, expected in zip(model.get_weights(), spy.at[best], strict=True):
        np.testing.assert_array_equal(w, expected)


def test_early_stopping_auto_mode_maximizes_accuracy_in_fit(blobs: Any) -> None:
    x, y = blobs
    model = Sequential([Dense(1, input_dim=2, activation="sigmoid")], seed=0)
    model.compile(SGD(0.1), "binary_crossentropy", metrics=["accuracy"])
    stop = callbacks.EarlyStopping(monitor="val_accuracy", patience=1)
    model.fit(x, y, epochs=2, verbose=0, validation_split=0.5, callbacks=[stop])
    assert stop._is_improvement(0.9, 0.8) and not stop._is_improvement(0.8, 0.9)  # bigger: better
    with pytest.raises(ValueError, match="maximized or minimized"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[callbacks.EarlyStopping("val_f2")])


def test_reduce_lr_on_plateau_in_fit_as_keras() -> None:
    x, y = regression_data()
    model = noisy_model(lr=0.8)
    reduce = callbacks.ReduceLROnPlateau(patience=1, factor=0.5, min_delta=0.01, cooldown=1)
    hist = model.fit(
        x, y, batch_size=16, epochs=10, verbose=0, validation_split=0.25, callbacks=[reduce]
    )
    keras_reduce = theirs.ReduceLROnPlateau(patience=1, factor=0.5, min_delta=0.01, cooldown=1)
    trace = replay(keras_reduce, hist.history, lr=0.8)
    keras_lrs = [e[2] for e in trace.epochs]
    np.testing.assert_allclose(hist.history["learning_rate"][1:], keras_lrs[:-1], rtol=1e-6)
    np.testing.assert_allclose(model.optimizer.learning_rate, keras_lrs[-1], rtol=1e-6)
    assert min(keras_lrs) < 0.8  # the rate was reduced at least once


def test_learning_rate_scheduler_records_the_rate_in_history() -> None:
    x, y = regression_data()
    model = noisy_model(lr=0.1)
    hist = model.fit(
        x,
        y,
        epochs=4,
        verbose=0,
        callbacks=[callbacks.LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1))],
    )
    np.testing.assert_allclose(hist.history["learning_rate"], [0.1, 0.05, 0.1 / 3, 0.025])
    two = noisy_model(lr=0.2)
    hist = two.fit(
        x,
        y,
        epochs=3,
        verbose=0,
        callbacks=[callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5)],
    )
    np.testing.assert_allclose(hist.history["learning_rate"], [0.1, 0.05, 0.025])


def test_model_checkpoint_in_fit_every_n_batches_and_best_weights(tmp_path: Any) -> None:
    x, y = regression_data()
    model, spy = noisy_model(), WeightsSpy()
    every = callbacks.ModelCheckpoint(
        str(tmp_path / "steps" / "e{epoch}-b{batch}.keras"), save_freq=4
    )
    best = callbacks.ModelCheckpoint(
        str(tmp_path / "best.weights.h5"), save_best_only=True, save_weights_only=True
    )
    hist = model.fit(
        x,
        y,
        batch_size=30,
        epochs=4,
        verbose=0,
        validation_split=0.25,
        callbacks=[spy, every, best],
    )
    # 90 training rows / 30 = 3 batches per epoch; a file after every 4th batch
    assert sorted(p.name for p in (tmp_path / "steps").iterdir()) == [
        "e2-b1.keras",
        "e3-b2.keras",
        "e4-b3.keras",
    ]
    best_epoch = int(np.argmin(hist.history["val_loss"]))
    assert best.best == pytest.approx(hist.history["val_loss"][best_epoch])
    restored = noisy_model()
    restored.load_weights(tmp_path / "best.weights.h5")
    for w, expected in zip(restored.get_weights(), spy.at[best_epoch], strict=True):
        np.testing.assert_array_equal(w, expected)


def test_backup_and_restore_resumes_from_the_last_finished_epoch(tmp_path: Any) -> None:
    x, y = regression_data()
    model, spy = noisy_model(), WeightsSpy()

    class Interrupt(callbacks.Callback):
        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            if epoch == 2:
                raise KeyboardInterrupt

    backup = callbacks.BackupAndRestore(str(tmp_path / "backup"))
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, epochs=5, verbose=0, callbacks=[spy, backup, Interrupt()])
    meta = json.loads((tmp_path / "backup" / "training_metadata.json").read_text())
    assert meta == {"epoch": 2, "batch": 0}
    fresh = noisy_model(lr=0.5)
    resume = callbacks.BackupAndRestore(str(tmp_path / "backup"))
    resume.set_model(fresh)
    resume.on_train_begin()
    assert fresh._initial_epoch == 2
    for w, expected in zip(fresh.get_weights(), spy.at[1], strict=True):
        np.testing.assert_array_equal(w, expected)
    resume.on_train_end()
    assert not (tmp_path / "backup").exists()


def test_lambda_callback_batch_hooks_in_fit() -> None:
    x, y = regression_data()
    seen: list[tuple[str, int]] = []
    model = noisy_model()
    model.fit(
        x,
        y,
        batch_size=60,
        epochs=2,
        verbose=0,
        callbacks=[
            callbacks.LambdaCallback(
                on_train_batch_begin=lambda b, logs: seen.append(("begin", b)),
                on_train_batch_end=lambda b, logs: seen.append(("end", b)),
                on_epoch_end=lambda e, logs: seen.append(("epoch", e)),
            )
        ],
    )
    assert seen == [("begin", 0), ("end", 0), ("begin", 1), ("end", 1), ("epoch", 0)] + [
        ("begin", 0),
        ("end", 0),
        ("begin", 1),
        ("end", 1),
        ("epoch", 1),
    ]
