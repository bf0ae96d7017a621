"""Callbacks: hook order, EarlyStopping, ModelCheckpoint, CSVLogger, TerminateOnNaN, Lambda, LR."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from nnlab.keras import callbacks
from nnlab.keras.layers import Dense
from nnlab.keras.models import Sequential, load_model
from nnlab.keras.optimizers import SGD


def model_for(blobs, lr: float = 0.1) -> Sequential:
    model = Sequential([Dense(1, input_dim=2, activation="sigmoid")], seed=0)
    model.compile(SGD(lr), "binary_crossentropy", metrics=["accuracy"])
    return model


def test_hook_order_and_logs(blobs) -> None:
    x, y = blobs
    events: list[str] = []

    class Recorder(callbacks.Callback):
        def on_train_begin(self, logs=None):
            events.append("train_begin")

        def on_epoch_begin(self, epoch, logs=None):
            events.append(f"epoch_begin {epoch}")

        def on_batch_begin(self, batch, logs=None):
            events.append(f"batch_begin {batch}")

        def on_batch_end(self, batch, logs=None):
            events.append(f"batch_end {batch} {sorted(logs)}")

        def on_epoch_end(self, epoch, logs=None):
            events.append(f"epoch_end {epoch} {sorted(logs)}")

        def on_train_end(self, logs=None):
            events.append("train_end")

    rec = Recorder()
    model = model_for(blobs)
    model.fit(x, y, batch_size=100, epochs=2, verbose=0, validation_split=0.5, callbacks=[rec])
    assert rec.model is model and rec.params == {"verbose": 0, "epochs": 2, "steps": 1}
    assert events == [
        "train_begin",
        "epoch_begin 0",
        "batch_begin 0",
        "batch_end 0 ['accuracy', 'loss']",
        "epoch_end 0 ['accuracy', 'loss', 'val_accuracy', 'val_loss']",
        "epoch_begin 1",
        "batch_begin 0",
        "batch_end 0 ['accuracy', 'loss']",
        "epoch_end 1 ['accuracy', 'loss', 'val_accuracy', 'val_loss']",
        "train_end",
    ]


def test_batch_hooks_are_skipped_when_not_overridden() -> None:
    assert not callbacks.History().uses_batch_hooks
    assert not callbacks.EarlyStopping().uses_batch_hooks
    assert callbacks.TerminateOnNaN().uses_batch_hooks
    assert not callbacks.LambdaCallback(on_epoch_end=lambda e, logs: None).uses_batch_hooks
    assert callbacks.LambdaCallback(on_batch_end=lambda b, logs: None).uses_batch_hooks


def test_early_stopping_patience_and_restore(blobs) -> None:
    x, y = blobs
    model = model_for(blobs)
    values = iter([1.0, 0.5, 0.6, 0.7, 0.4, 0.3])
    weights_at: dict[int, list[np.ndarray]] = {}

    class FakeMetric(callbacks.Callback):  # runs before EarlyStopping: sets the monitored value
        def on_epoch_end(self, epoch, logs=None):
            logs["score"] = next(values)
            weights_at[epoch] = model.get_weights()

    stop = callbacks.EarlyStopping(
        monitor="score", mode="min", patience=2, restore_best_weights=True
    )
    hist = model.fit(x, y, epochs=6, verbose=0, callbacks=[FakeMetric(), stop])
    assert hist.epoch == [0, 1, 2, 3]  # best at epoch 1, no improvement in epochs 2 and 3
    assert stop.stopped_epoch == 3 and stop.best == 0.5 and stop.best_epoch == 1
    for w, best in zip(model.get_weights(), weights_at[1], strict=True):
        np.testing.assert_array_equal(w, best)


def test_early_stopping_restores_the_best_when_training_runs_to_the_end(blobs) -> None:
    """The bug of issue 11: with patience never exhausted, the last weights were kept."""
    x, y = blobs
    model = model_for(blobs)
    values = iter([1.0, 0.2, 0.6, 0.7])
    weights_at: dict[int, list[np.ndarray]] = {}

    class FakeMetric(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["score"] = next(values)
            weights_at[epoch] = model.get_weights()

    stop = callbacks.EarlyStopping(
        monitor="score", mode="min", patience=10, restore_best_weights=True
    )
    hist = model.fit(x, y, epochs=4, verbose=0, callbacks=[FakeMetric(), stop])
    assert hist.epoch == [0, 1, 2, 3] and stop.stopped_epoch == 0 and stop.best_epoch == 1
    assert not np.array_equal(weights_at[1][0], weights_at[3][0])
    for w, best in zip(model.get_weights(), weights_at[1], strict=True):
        np.testing.assert_array_equal(w, best)


def test_early_stopping_baseline_never_beaten_restores_the_best_epoch(blobs) -> None:
    """The other half of the bug: a baseline never beaten restored epoch 0's weights."""
    x, y = blobs
    model = model_for(blobs)
    values = iter([0.9, 0.8, 0.85, 0.95, 0.1])
    weights_at: dict[int, list[np.ndarray]] = {}

    class FakeMetric(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["score"] = next(values)
            weights_at[epoch] = model.get_weights()

    stop = callbacks.EarlyStopping(
        monitor="score", mode="min", patience=3, baseline=0.5, restore_best_weights=True
    )
    hist = model.fit(x, y, epochs=5, verbose=0, callbacks=[FakeMetric(), stop])
    # wait counts every epoch that does not beat the baseline: 1, 2, 3 -> stop at epoch 2
    assert hist.epoch == [0, 1, 2] and stop.stopped_epoch == 2 and stop.best_epoch == 1
    for w, best in zip(model.get_weights(), weights_at[1], strict=True):
        np.testing.assert_array_equal(w, best)


def test_early_stopping_mode_and_min_delta() -> None:
    stop = callbacks.EarlyStopping(monitor="loss", min_delta=0.1, patience=1)

    class M:
        stop_training = False

    stop.set_model(M())
    stop.on_train_begin()
    stop.on_epoch_end(0, {"loss": 1.0})
    assert not stop.model.stop_training
    stop.on_epoch_end(1, {"loss": 0.95})  # better, but by less than min_delta
    assert stop.model.stop_training and stop.stopped_epoch == 1 and stop.best == 1.0
    with pytest.warns(UserWarning, match="mode 'biggest' is unknown"):
        assert callbacks.EarlyStopping(mode="biggest").mode == "auto"


def test_model_checkpoint_formats_paths_and_best_only(blobs, tmp_path) -> None:
    x, y = blobs
    model = model_for(blobs)
    pattern = str(tmp_path / "new" / "w.{epoch:02d}-{val_loss:.2f}.keras")
    model.fit(
        x,
        y,
        epochs=3,
        verbose=0,
        validation_split=0.2,
        callbacks=[callbacks.ModelCheckpoint(pattern)],
    )
    names = sorted(p.name for p in (tmp_path / "new").iterdir())
    assert len(names) == 3 and names[0].startswith("w.01-") and names[2].startswith("w.03-")
    best = tmp_path / "best.keras"
    saved: list[float] = []

    class Spy(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if best.exists():
                saved.append(best.stat().st_mtime_ns)

    check = callbacks.ModelCheckpoint(best, monitor="loss", save_best_only=True)
    model.fit(x, y, epochs=3, verbose=0, callbacks=[check, Spy()])
    assert best.exists() and check.best == pytest.approx(model.history.history["loss"][-1])
    reloaded = load_model(best)
    np.testing.assert_array_equal(reloaded.predict(x), model.predict(x))
    with pytest.raises(KeyError, match="val_acc"):
        model.fit(
            x,
            y,
            verbose=0,
            callbacks=[callbacks.ModelCheckpoint(str(tmp_path / "{val_acc}.keras"))],
        )
    with pytest.raises(ValueError, match=r"must end in `\.keras`"):
        callbacks.ModelCheckpoint(str(tmp_path / "model.npz"))
    with pytest.raises(ValueError, match=r"must end in `\.weights\.h5`"):
        callbacks.ModelCheckpoint(str(tmp_path / "w.keras"), save_weights_only=True)


def test_csv_logger(blobs, tmp_path) -> None:
    x, y = blobs
    path = tmp_path / "log.csv"
    model = model_for(blobs)
    model.fit(
        x, y, epochs=2, verbose=0, validation_split=0.2, callbacks=[callbacks.CSVLogger(path)]
    )
    model.fit(
        x,
        y,
        epochs=1,
        verbose=0,
        validation_split=0.2,
        callbacks=[callbacks.CSVLogger(path, append=True)],
    )
    rows = list(csv.DictReader(path.open()))
    assert list(rows[0]) == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert [r["epoch"] for r in rows] == ["0", "1", "0"]
    assert float(rows[1]["loss"]) == pytest.approx(model.history.history["loss"][0], rel=0.5)
    callbacks.CSVLogger(path, separator=";").on_train_begin()
    assert path.read_text() == ""  # not append: truncated


def test_terminate_on_nan(blobs, capsys) -> None:
    x, y = blobs

    class NaNLogs(callbacks.Callback):  # make the batch logs report a NaN loss at batch 2
        def on_train_batch_end(self, batch, logs=None):
            if batch == 2:
                logs["loss"] = float("nan")

    model = model_for(blobs)
    hist = model.fit(x, y, epochs=3, verbose=0, callbacks=[NaNLogs(), callbacks.TerminateOnNaN()])
    assert "Batch 2: Invalid loss, terminating training" in capsys.readouterr().out
    assert hist.epoch == [0]


def test_lambda_callback_and_learning_rate_scheduler(blobs) -> None:
    x, y = blobs
    ends: list[int] = []
    lrs: list[float] = []
    model = model_for(blobs, lr=0.1)
    model.fit(
        x,
        y,
        epochs=3,
        verbose=0,
        callbacks=[
            callbacks.LearningRateScheduler(lambda epoch, lr: lr / 2),
            callbacks.LambdaCallback(
                on_epoch_end=lambda epoch, logs: (
                    ends.append(epoch),
                    lrs.append(model.optimizer.learning_rate),
                )
            ),
        ],
    )
    assert ends == [0, 1, 2] and lrs == [0.05, 0.025, 0.0125]
    with pytest.raises(TypeError, match="unknown hooks"):
        callbacks.LambdaCallback(on_epoch_finish=print)
    assert callbacks.LambdaCallback(note="kept").note == "kept"  # other keywords: attributes
    with pytest.raises(TypeError, match="Callback objects"):
        model.fit(x, y, verbose=0, callbacks=[print])


def test_metric_direction_from_the_model_metrics() -> None:
    from nnlab.keras import metrics
    from nnlab.keras.callbacks.monitor import metric_direction

    class MyError(metrics.MeanSquaredError):  # a subclass improves the same way
        pass

    class Model:
        compiled_metrics = [metrics.get("accuracy"), MyError(name="err")]

    model = Model()
    assert metric_direction(model, "val_loss") == "down"
    assert metric_direction(model, "val_accuracy") == "up"
    assert metric_direction(model, "err") == "down"
    assert metric_direction(model, "val_f1") is None
