"""What the training loop does with callbacks, against Keras 3 (KERAS_BACKEND=torch): every hook
through one ``CallbackList``, TerminateOnNaN, EarlyStopping on a per-class metric,
BackupAndRestore resuming, and the optimizer's ``use_ema`` weights at the end of fit."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

from nnlab import keras as nk  # noqa: E402
from nnlab.keras.training import NonFiniteLossWarning  # noqa: E402

RNG = np.random.default_rng(1)
X = RNG.normal(size=(24, 3)).astype(np.float32)
Y = (X @ np.array([1.0, -2.0, 0.5], np.float32))[:, None]


def _pair(optimizer=lambda lib: lib.optimizers.SGD(0.05), **compile_kwargs):
    def build(lib):
        return lib.Sequential([lib.Input(shape=(3,)), lib.layers.Dense(4), lib.layers.Dense(1)])

    theirs, ours = build(keras), build(nk)
    ours.set_weights(theirs.get_weights())
    for lib, model in ((keras, theirs), (nk, ours)):
        model.compile(optimizer=optimizer(lib), loss="mse", **compile_kwargs)
    return theirs, ours


class _Recorder:
    """Records the hooks called (mixed into each library's Callback)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def __getattribute__(self, name: str):
        attr = object.__getattribute__(self, name)
        if name.startswith("on_") and callable(attr):
            calls = object.__getattribute__(self, "calls")

            def hook(*args, **kwargs):
                calls.append(name)
                return attr(*args, **kwargs)

            return hook
        return attr


class KerasRecorder(_Recorder, keras.callbacks.Callback):
    pass


class NnlabRecorder(_Recorder, nk.callbacks.Callback):
    pass


def test_every_hook_in_keras_order() -> None:
    theirs, ours = _pair()
    kr, nr = KerasRecorder(), NnlabRecorder()
    kwargs = {"epochs": 2, "batch_size": 12, "verbose": 0, "validation_data": (X, Y)}
    theirs.fit(X, Y, callbacks=[kr], shuffle=False, **kwargs)
    ours.fit(X, Y, callbacks=nk.callbacks.CallbackList([nr]), shuffle=False, **kwargs)
    # (the recorder wraps every hook, so none is the base class's do-nothing, which nnlab skips)
    assert nr.calls == kr.calls
    assert "on_test_batch_end" in nr.calls and "on_batch_begin" in nr.calls
    assert ours.history.epoch == [0, 1]


def test_terminate_on_nan_stops_gracefully_on_infinite_targets() -> None:
    x, y = np.array([[1.0], [2.0]], np.float32), np.full((2, 1), np.inf, np.float32)
    histories = []
    for lib in (keras, nk):
        model = lib.Sequential([lib.Input(shape=(1,)), lib.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        with pytest.warns() if lib is nk else _nothing():
            history = model.fit(
                x, y, epochs=2, batch_size=1, callbacks=[lib.callbacks.TerminateOnNaN()], verbose=0
            )
        histories.append(history.history["loss"])
    assert len(histories[0]) == len(histories[1]) == 1
    assert not np.isfinite(histories[1][0])


def test_terminate_on_nan_raise_error_raises_like_keras() -> None:
    x, y = np.array([[1.0], [2.0]], np.float32), np.full((2, 1), np.inf, np.float32)
    for lib in (keras, nk):
        model = lib.Sequential([lib.Input(shape=(1,)), lib.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        callback = lib.callbacks.TerminateOnNaN(raise_error=True)
        with pytest.raises(RuntimeError, match="NaN or Inf loss encountered"):
            model.fit(x, y, batch_size=1, callbacks=[callback], verbose=0)


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_nnlab_warns_for_a_non_finite_loss_without_terminate_on_nan() -> None:
    x, y = np.array([[1.0], [2.0]], np.float32), np.full((2, 1), np.nan, np.float32)
    model = nk.Sequential([nk.Input(shape=(1,)), nk.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.warns(NonFiniteLossWarning, match="loss became nan at epoch 1, batch 1 of 2"):
        history = model.fit(x, y, epochs=3, batch_size=1, verbose=0)
    assert len(history.history["loss"]) == 1


@pytest.mark.parametrize("patience", [0, 1])
def test_early_stopping_on_a_per_class_metric(patience: int) -> None:
    yb = (Y > 0).astype(np.float32)
    epochs_run = []
    for lib in (keras, nk):
        model = lib.Sequential([lib.Input(shape=(3,)), lib.layers.Dense(1, activation="sigmoid")])
        model.set_weights([np.full((3, 1), -0.3, np.float32), np.zeros(1, np.float32)])
        model.compile(
            optimizer=lib.optimizers.SGD(0.5),
            loss="binary_crossentropy",
            metrics=[lib.metrics.F1Score(name="f1_score", threshold=0.5)],
        )
        stop = lib.callbacks.EarlyStopping(monitor="f1_score", patience=patience)
        history = model.fit(
            X, yb, epochs=8, batch_size=24, callbacks=[stop], verbose=0, shuffle=False
        )
        f1 = np.asarray(history.history["f1_score"])
        assert f1.shape[1:] == (1,)  # one F1 per class, kept as an array in the logs
        epochs_run.append(len(history.history["loss"]))
    assert epochs_run[0] == epochs_run[1]


def test_backup_and_restore_resumes_from_the_saved_epoch(tmp_path) -> None:
    class Interrupt(Exception):
        pass

    histories = []
    for lib in (keras, nk):

        class InterruptAt(lib.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None) -> None:
                if epoch == 2:
                    raise Interrupt

        model = lib.Sequential([lib.Input(shape=(3,)), lib.layers.Dense(1)])
        model.set_weights([np.full((3, 1), 0.1, np.float32), np.zeros(1, np.float32)])
        model.compile(optimizer=lib.optimizers.SGD(0.05), loss="mse")
        backup = str(tmp_path / lib.__name__)
        with pytest.raises(Interrupt):
            model.fit(
                X,
                Y,
                epochs=5,
                batch_size=24,
                verbose=0,
                callbacks=[lib.callbacks.BackupAndRestore(backup), InterruptAt()],
            )
        model.set_weights([np.zeros((3, 1), np.float32), np.zeros(1, np.float32)])  # lost
        history = model.fit(
            X,
            Y,
            epochs=5,
            batch_size=24,
            verbose=0,
            callbacks=[lib.callbacks.BackupAndRestore(backup)],
        )
        histories.append((history.epoch, history.history["loss"], model.get_weights()))
        assert not os.path.exists(backup)  # deleted when the run completes
    (ke, kl, kw), (ne, nl, nw) = histories
    assert ne == ke == [2, 3, 4]
    np.testing.assert_allclose(nl, kl, rtol=1e-5)
    for a, b in zip(kw, nw, strict=True):
        np.testing.assert_allclose(b, np.asarray(a), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("frequency", [None, 3])
def test_use_ema_weights_replace_the_model_weights_at_the_end(frequency) -> None:
    def sgd(lib):
        return lib.optimizers.SGD(
            0.05, use_ema=True, ema_momentum=0.9, ema_overwrite_frequency=frequency
        )

    theirs, ours = _pair(optimizer=sgd)
    hk = theirs.fit(X, Y, epochs=3, batch_size=8, verbose=0, shuffle=False)
    hn = ours.fit(X, Y, epochs=3, batch_size=8, verbose=0, shuffle=False)
    np.testing.assert_allclose(hn.history["loss"], hk.history["loss"], rtol=1e-5)
    for a, b in zip(theirs.get_weights(), ours.get_weights(), strict=True):
        np.testing.assert_allclose(b, np.asarray(a), rtol=1e-5, atol=1e-6)
