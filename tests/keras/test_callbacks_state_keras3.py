"""The model state a callback sees, as in Keras 3: Keras's own tests (callbacks/callback_test.py,
callbacks/backup_and_restore_test.py; imports changed, run on both libraries), and the state at
``on_epoch_end`` recorded with both libraries from the same weights."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from .keras_oracle import keras, nk

LIBS = pytest.mark.parametrize("lib", [nk, keras], ids=["nnlab", "keras"])


@LIBS
def test_model_state_is_current_on_epoch_end(lib: Any) -> None:
    """A subclassed model whose call counts its calls: the build made before the first batch
    counts nothing (Keras builds symbolically), so batch b ends with b + 1 calls."""
    seen: list[tuple[int, int]] = []

    class TestModel(lib.Model):
        def __init__(self) -> None:
            super().__init__()
            self.iterations = self.add_variable(shape=(), initializer="zeros", trainable=False)

        def call(self, inputs: Any) -> Any:
            self.iterations.assign(self.iterations + 1)
            return inputs

    class CBK(lib.callbacks.Callback):
        def on_batch_end(self, batch: int, logs: Any = None) -> None:
            seen.append((int(self.model.iterations), batch + 1))

    model = TestModel()
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.random.random((8, 1)), np.random.random((8, 1))
    model.fit(x, y, callbacks=[CBK()], batch_size=2, verbose=0)
    assert seen == [(b, b) for b in range(1, 5)]


def _canary_layer(lib: Any) -> Any:
    class CanaryLayer(lib.layers.Layer):
        def __init__(self) -> None:
            super().__init__()
            self.counter = self.add_weight(
                shape=(), initializer="zeros", dtype="float32", trainable=False
            )

        def call(self, x: Any) -> Any:
            self.counter.assign_add(1)
            return x

    return CanaryLayer()


class _Interrupt(Exception):
    pass


@LIBS
def test_backup_and_restore_best_case_epoch(lib: Any, tmp_path: Path) -> None:
    """Keras's test_best_case_epoch: a layer counting its calls in a Sequential model built on
    ``Input``; building counts nothing, so the counts are 3 per epoch of 3 batches."""
    model = lib.Sequential([lib.layers.Input((3,)), _canary_layer(lib), lib.layers.Dense(1)])
    model.compile(loss="mse", optimizer="sgd", metrics=["mse"])
    assert int(model.layers[0].counter.numpy()) == 0
    backup_dir = tmp_path / "subdir"
    cbk = lib.callbacks.BackupAndRestore(backup_dir=str(backup_dir), save_freq="epoch")

    class Interrupting(lib.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            if epoch == 1:
                raise _Interrupt

    x_train, y_train = np.random.random((10, 3)), np.random.random((10, 1))
    with pytest.raises(_Interrupt):
        model.fit(
            x_train, y_train, batch_size=4, callbacks=[cbk, Interrupting()], epochs=6, verbose=0
        )
    assert backup_dir.exists()
    assert int(model.layers[0].counter.numpy()) == 6
    hist = model.fit(x_train, y_train, batch_size=4, callbacks=[cbk], epochs=5, verbose=0)
    assert hist.epoch[-1] == 4
    assert int(model.layers[0].counter.numpy()) == 5 * 3


WEIGHTS = [np.array([[0.1], [-0.2], [0.3]], np.float32), np.zeros(1, np.float32)]


def _epoch_end_states(lib: Any) -> list[dict]:
    """Fit a small model with a callback recording, at each epoch end, the logs, the weights,
    the step count, ``stop_training`` and the metrics' results; EarlyStopping stops it."""
    rng = np.random.default_rng(7)
    x = rng.normal(size=(20, 3)).astype(np.float32)
    y = (x[:, :1] > 0).astype(np.float32)
    model = lib.Sequential([lib.Input((3,)), lib.layers.Dense(1, activation="sigmoid")])
    model.set_weights(WEIGHTS)
    model.compile(optimizer=lib.optimizers.SGD(0.5), loss="binary_crossentropy", metrics=["mse"])
    states: list[dict] = []

    class Record(lib.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            m = self.model
            states.append(
                {
                    "logs": dict(logs),
                    "weights": [np.asarray(w) for w in m.get_weights()],
                    "iterations": int(np.asarray(m.optimizer.iterations)),
                    "stop_training": bool(m.stop_training),
                    "metrics": {k: float(v) for k, v in m.get_metrics_result().items()},
                }
            )

    stop = lib.callbacks.EarlyStopping(monitor="loss", min_delta=10.0, patience=1)
    model.fit(
        x,
        y,
        batch_size=8,
        epochs=6,
        shuffle=False,
        verbose=0,
        callbacks=[stop, Record()],
        validation_split=0.2,
    )
    return states


def test_state_at_epoch_end_matches_keras() -> None:
    expected, got = _epoch_end_states(keras), _epoch_end_states(nk)
    assert len(got) == len(expected) == 2
    for g, e in zip(got, expected, strict=True):
        assert g["iterations"] == e["iterations"]
        assert g["stop_training"] == e["stop_training"]
        assert sorted(g["logs"]) == sorted(e["logs"]) and sorted(g["metrics"]) == sorted(
            e["metrics"]
        )
        for key in e["logs"]:
            np.testing.assert_allclose(g["logs"][key], e["logs"][key], rtol=1e-5, err_msg=key)
        for key in e["metrics"]:
            np.testing.assert_allclose(g["metrics"][key], e["metrics"][key], rtol=1e-5)
        for a, b in zip(g["weights"], e["weights"], strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
