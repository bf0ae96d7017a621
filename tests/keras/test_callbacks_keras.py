"""Callbacks against Keras 3: both libraries' callbacks get the same hook calls and logs, and
must take the same decisions (when to stop, which weights to restore, the learning rates, the
files written and their content)."""

from __future__ import annotations

import inspect
import json
import math
import warnings
from typing import Any

import numpy as np
import pytest

from nnlab.keras import callbacks as ours
from nnlab.keras.callbacks.monitor import METRIC_DIRECTIONS

from .callback_driver import FakeModel, assert_same_trace, drive, keras_callbacks

theirs = keras_callbacks()


def both(name: str, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
    return getattr(ours, name)(*args, **kwargs), getattr(theirs, name)(*args, **kwargs)


def val_loss_logs(values: list[float], key: str = "val_loss") -> list[dict[str, float]]:
    return [{"loss": 1.0 + 0.1 * i, key: v} for i, v in enumerate(values)]


def sequences() -> list[list[float]]:
    rng = np.random.default_rng(11)
    fixed = [
        [1.0, 0.9, 0.8, 0.7, 0.6, 0.5],  # always improving
        [1.0, 1.0, 1.0, 1.0, 1.0, 1.0],  # flat
        [0.5, 0.6, 0.7, 0.8, 0.9, 1.0],  # always worse
        [1.0, 0.5, 0.6, 0.7, 0.4, 0.3, 0.35, 0.36, 0.37, 0.2],
        [0.9, 0.8, 0.85, 0.95, 0.1, 0.2, 0.3],
    ]
    walks = [list(np.round(1 + np.cumsum(rng.normal(0, 0.05, 12)), 3)) for _ in range(6)]
    return fixed + walks


EARLY_STOPPING_CONFIGS = [
    {},
    {"patience": 2},
    {"patience": 2, "restore_best_weights": True},
    {"patience": 10, "restore_best_weights": True},  # runs to the end: the best is restored
    {"patience": 3, "baseline": 0.5, "restore_best_weights": True},  # baseline never beaten
    {"patience": 2, "baseline": 0.95, "restore_best_weights": True},
    {"patience": 1, "min_delta": 0.06, "restore_best_weights": True},
    {"patience": 2, "start_from_epoch": 3, "restore_best_weights": True},
    {"patience": 2, "mode": "max", "restore_best_weights": True},
    {"patience": 1, "mode": "max", "min_delta": 0.02, "baseline": 0.9},
]


@pytest.mark.parametrize("config", EARLY_STOPPING_CONFIGS)
def test_early_stopping_decisions_match_keras(config: dict[str, Any]) -> None:
    for values in sequences():
        a, b = both("EarlyStopping", **config)
        trace_a, trace_b = drive(a, val_loss_logs(values)), drive(b, val_loss_logs(values))
        assert_same_trace(trace_a, trace_b)
        assert (a.stopped_epoch, a.best_epoch, a.wait) == (b.stopped_epoch, b.best_epoch, b.wait)
        assert a.best == pytest.approx(b.best)


def test_early_stopping_is_reusable_across_fits_as_keras() -> None:
    a, b = both("EarlyStopping", patience=1, restore_best_weights=True)
    for values in ([1.0, 0.5, 0.7, 0.8], [2.0, 3.0, 4.0]):
        assert_same_trace(drive(a, val_loss_logs(values)), drive(b, val_loss_logs(values)))


def test_early_stopping_unknown_monitor_warns_or_raises_as_keras() -> None:
    logs = [{"loss": 1.0, "val_loss": 0.5}] * 3
    for mode in ("min", "max"):
        for cb in both("EarlyStopping", monitor="val_acc", mode=mode, patience=0):
            with pytest.warns(UserWarning, match="val_acc.*not available"):
                trace = drive(cb, logs)
            assert [e[1] for e in trace.epochs] == [False, False, False]
    for cb in both("EarlyStopping", monitor="val_score"):  # auto: direction unknown
        with pytest.raises(ValueError, match="maximized or minimized"):
            drive(cb, logs)


def test_auto_mode_reads_the_model_metrics_direction() -> None:
    keras = pytest.importorskip("keras")
    for name in ("accuracy", "mean_squared_error"):
        up = name == "accuracy"
        values = [0.5, 0.6, 0.55, 0.52, 0.7]
        logs = [{"loss": 1.0, f"val_{name}": v} for v in values]
        a = ours.EarlyStopping(monitor=f"val_{name}", patience=1, restore_best_weights=True)
        km = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        km.compile(loss="mse", metrics=[name])
        km.evaluate(np.zeros((2, 2)), np.zeros((2, 1)), verbose=0)  # builds the metrics
        b = theirs.EarlyStopping(monitor=f"val_{name}", patience=1, restore_best_weights=True)
        kmetric = keras.metrics.get(name) if not up else keras.metrics.Accuracy(name=name)
        trace_a = drive(a, logs, model=FakeModel(metrics=[kmetric]))
        b.set_model(km)
        b._set_monitor_op()
        assert (b.monitor_op(2.0, 1.0)) == up
        trace_b = drive(b, logs)
        assert_same_trace(trace_a, trace_b)


def test_monitor_callback_min_delta_as_keras() -> None:
    """Keras's own test (monitor_callback_test.test_min_delta), run on both libraries."""
    from keras.src.callbacks.monitor_callback import MonitorCallback

    for cls in (ours.MonitorCallback, MonitorCallback):
        monitor = cls(mode="max", min_delta=0.5)
        monitor._set_monitor_op()
        assert monitor._is_improvement(0.75, 0)
        assert monitor._is_improvement(0.5, None)
        assert not monitor._is_improvement(0.5, 0)
        assert not monitor._is_improvement(0.2, 0.5)
        low = cls(mode="min", min_delta=0.5)
        low._set_monitor_op()
        assert low.min_delta == -0.5 and low._is_improvement(0.4, 1.0)
        assert not low._is_improvement(0.6, 1.0)


def test_metric_directions_are_keras_metric_directions() -> None:
    keras = pytest.importorskip("keras")
    checked = 0
    for name, cls in inspect.getmembers(keras.metrics, inspect.isclass):
        if not issubclass(cls, keras.metrics.Metric) or name in ("Metric", "MeanMetricWrapper"):
            continue
        try:
            metric = cls()
        except TypeError:  # needs arguments (thresholds, number of classes)
            metric = None
        expected = getattr(metric, "_direction", None) if metric is not None else None
        if metric is not None:
            assert METRIC_DIRECTIONS.get(name) == expected, name
            checked += 1
    assert checked >= 30


REDUCE_LR_CONFIGS = [
    {"patience": 0},
    {"patience": 1, "factor": 0.5},
    {"patience": 2, "factor": 0.5, "cooldown": 2},
    {"patience": 1, "factor": 0.1, "min_lr": 0.005},
    {"patience": 1, "factor": 0.5, "min_delta": 0.05},
    {"patience": 1, "factor": 0.2, "mode": "max", "cooldown": 1},
]


@pytest.mark.parametrize("config", REDUCE_LR_CONFIGS)
def test_reduce_lr_on_plateau_matches_keras(config: dict[str, Any]) -> None:
    for values in sequences():
        a, b = both("ReduceLROnPlateau", **config)
        trace_a, trace_b = drive(a, val_loss_logs(values)), drive(b, val_loss_logs(values))
        assert_same_trace(trace_a, trace_b)
        assert (a.wait, a.cooldown_counter) == (b.wait, b.cooldown_counter)
    with pytest.raises(ValueError, match="factor >= 1.0"):
        ours.ReduceLROnPlateau(factor=1.0)


def test_reduce_lr_on_plateau_state_is_reset_by_train_begin() -> None:
    cb = ours.ReduceLROnPlateau(patience=1, monitor="loss", min_delta=0, cooldown=2)
    cb.set_model(FakeModel())
    cb.best, cb.wait, cb.cooldown_counter = 0.5, 3, 2
    cb.on_train_begin()
    assert (cb.best, cb.wait, cb.cooldown_counter) == (None, 0, 0)


@pytest.mark.parametrize(
    "schedule",
    [
        lambda epoch, lr: lr * 0.5,
        lambda epoch: 0.1 if epoch < 2 else 0.01,
        lambda epoch, lr: float(np.float32(lr) * np.exp(-0.1)),
        lambda epoch, lr: np.float32(0.3 / (epoch + 1)),
    ],
)
def test_learning_rate_scheduler_matches_keras(schedule: Any) -> None:
    logs = val_loss_logs([1.0, 0.9, 0.8, 0.7])
    a, b = both("LearningRateScheduler", schedule)
    trace_a, trace_b = drive(a, logs), drive(b, logs)
    assert_same_trace(trace_a, trace_b)
    assert "learning_rate" in trace_a.epochs[0][3]


def test_learning_rate_scheduler_rejects_a_non_float_as_keras() -> None:
    for cb in both("LearningRateScheduler", lambda epoch: 1):
        with pytest.raises(ValueError, match="should be a float"):
            drive(cb, val_loss_logs([1.0]))


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_terminate_on_nan_matches_keras(bad: float) -> None:
    def batch_logs(epoch: int, batch: int) -> dict[str, float]:
        return {"loss": bad if (epoch, batch) == (1, 2) else 0.5}

    logs = val_loss_logs([1.0, 0.9, 0.8])
    a, b = both("TerminateOnNaN")
    trace_a = drive(a, logs, steps=4, batch_logs=batch_logs)
    trace_b = drive(b, logs, steps=4, batch_logs=batch_logs)
    assert_same_trace(trace_a, trace_b)
    assert len(trace_a.epochs) == 2
    for cb in both("TerminateOnNaN", raise_error=True):
        with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 2"):
            drive(cb, logs, steps=4, batch_logs=batch_logs)


def _checkpoint_files(folder: Any) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()
    }


CHECKPOINT_CASES = [
    ("m.{epoch:02d}-{val_loss:.2f}.keras", {}),
    ("sub/dir/best.keras", {"save_best_only": True}),
    ("best.keras", {"save_best_only": True, "mode": "max"}),
    ("w.weights.h5", {"save_best_only": True, "save_weights_only": True}),
    ("t.{epoch}.keras", {"save_best_only": True, "initial_value_threshold": 0.75}),
    ("b/e{epoch}-b{batch}.keras", {"save_freq": 3}),
    ("b/latest.weights.h5", {"save_freq": 5, "save_weights_only": True}),
]


@pytest.mark.parametrize(("pattern", "config"), CHECKPOINT_CASES)
def test_model_checkpoint_matches_keras(tmp_path: Any, pattern: str, config: dict) -> None:
    values = [1.0, 0.5, 0.6, 0.7, 0.4, 0.8]
    traces, files = [], []
    for lib, name in ((ours, "ours"), (theirs, "theirs")):
        folder = tmp_path / name
        cb = lib.ModelCheckpoint(str(folder / pattern), **config)
        traces.append(drive(cb, val_loss_logs(values), steps=4))
        files.append(_checkpoint_files(folder))
    assert_same_trace(*traces)
    assert files[0] == files[1] and files[0]


def test_model_checkpoint_missing_monitor_and_bad_arguments_as_keras(tmp_path: Any) -> None:
    logs = [{"loss": 1.0}] * 2
    for lib in (ours, theirs):
        cb = lib.ModelCheckpoint(str(tmp_path / lib.__name__ / "m.keras"), save_best_only=True)
        with pytest.warns(UserWarning, match="Can save best model only with val_loss available"):
            trace = drive(cb, logs)
        assert len(trace.saved) == 2
        for bad in ({"save_freq": "batch"}, {"save_freq": 2.5}):
            with pytest.raises(ValueError, match="save_freq"):
                lib.ModelCheckpoint(str(tmp_path / "m.keras"), **bad)
        with pytest.raises(KeyError, match="val_acc"):
            drive(lib.ModelCheckpoint(str(tmp_path / "{val_acc}.keras")), logs)


def _csv_case(tmp_path: Any, lib: Any, name: str, runs: list[tuple[dict, list[dict]]]) -> bytes:
    path = tmp_path / name
    for config, logs in runs:
        drive(lib.CSVLogger(str(path), **config), logs)
    return path.read_bytes()


CSV_CASES = [
    [({}, val_loss_logs([0.5, 0.25]))],
    [({"separator": ";"}, val_loss_logs([0.5, 0.25, 0.125]))],
    [({}, [{"loss": 0.5, "accuracy": 0.75}, {"loss": 0.25, "accuracy": 0.875}])],  # no val_
    [({}, val_loss_logs([0.5, 0.4])), ({"append": True}, val_loss_logs([0.3]))],
    [({"append": True}, val_loss_logs([0.5])), ({}, val_loss_logs([0.3]))],
    [({}, [{"loss": 0.5, "f1": [0.25, 0.75]}])],
]


@pytest.mark.parametrize("runs", CSV_CASES)
def test_csv_logger_writes_the_bytes_keras_writes(tmp_path: Any, runs: list) -> None:
    ours_bytes = _csv_case(tmp_path, ours, "ours.csv", runs)
    theirs_bytes = _csv_case(tmp_path, theirs, "theirs.csv", runs)
    assert ours_bytes == theirs_bytes and ours_bytes


def _takes_index(hook: str) -> bool:
    return "batch" in hook or "epoch" in hook


def _recorder(lib: Any, events: list) -> Any:
    hooks = [h for h in dir(lib.Callback) if h.startswith("on_")]

    def make(hook: str) -> Any:
        def record(self: Any, *args: Any, logs: Any = None) -> None:
            index, rest = (args[:1], args[1:]) if _takes_index(hook) else ((), args)
            logs = rest[0] if rest else logs
            events.append((hook, index, dict(logs or {})))
            if logs is not None:
                logs[f"seen_{hook}"] = 1.0  # later callbacks of the same hook see it

        return record

    return type("Recorder", (lib.Callback,), {h: make(h) for h in hooks})


def _run_hooks(cbl: Any) -> None:
    cbl.on_train_begin({"a": np.float32(1.5)})
    for epoch in range(2):
        cbl.on_epoch_begin(epoch)
        for batch in range(2):
            cbl.on_train_batch_begin(batch)
            cbl.on_train_batch_end(batch, {"loss": np.float64(0.5 + batch), "z": 1})
        cbl.on_test_begin()
        cbl.on_test_batch_begin(0)
        cbl.on_test_batch_end(0, {"loss": 0.25})
        cbl.on_test_end({"loss": 0.25})
        cbl.on_epoch_end(epoch, {"val_loss": 0.25, "loss": np.array(0.75)})
    cbl.on_train_end({"loss": 0.75})
    cbl.on_predict_begin()
    cbl.on_predict_batch_begin(0)
    cbl.on_predict_batch_end(0, {"outputs": 3})
    cbl.on_predict_end()
    cbl.on_batch_begin(7)
    cbl.on_batch_end(7, {"loss": 1.0})


def test_callback_list_dispatches_every_hook_as_keras() -> None:
    results = []
    for lib in (ours, theirs):
        events: list = []
        recorder = _recorder(lib, events)
        model = FakeModel()
        cbl = lib.CallbackList(
            [recorder(), recorder()], add_history=True, model=model, verbose=0, epochs=2, steps=2
        )
        assert len(cbl.callbacks) == 3 and isinstance(cbl.callbacks[-1], lib.History)
        assert all(cb.model is model for cb in cbl.callbacks)
        assert cbl.callbacks[0].params == {"verbose": 0, "epochs": 2, "steps": 2}
        _run_hooks(cbl)
        assert model.history is cbl.callbacks[-1]
        results.append((events, model.history.history, model.history.epoch))
    assert results[0] == results[1]


def test_callback_list_defaults_as_keras() -> None:
    for lib in (ours, theirs):
        history = lib.History()
        cbl = lib.CallbackList([history], add_history=True, add_progbar=True)
        assert cbl.callbacks[0] is history and isinstance(cbl.callbacks[1], lib.ProgbarLogger)
        assert len(lib.CallbackList().callbacks) == 0  # add_history defaults to False in Keras
        assert lib.CallbackList().params == {}
    with pytest.raises(TypeError, match="Callback objects"):
        ours.CallbackList([print])
    nested = ours.CallbackList([ours.History(), (ours.TerminateOnNaN(), [ours.History()])])
    assert [type(cb).__name__ for cb in nested] == ["History", "TerminateOnNaN", "History"]


def test_lambda_callback_every_hook_as_keras() -> None:
    results = []
    for lib in (ours, theirs):
        events: list = []
        hooks = [h for h in dir(lib.Callback) if h.startswith("on_")]

        def hook_fn(name: str, events: list = events) -> Any:
            def call(*args: Any, logs: Any = None) -> None:
                events.append((name, args[:1] if _takes_index(name) else ()))

            return call

        cb = lib.LambdaCallback(**{h: hook_fn(h) for h in hooks})
        _run_hooks(lib.CallbackList([cb], model=FakeModel()))
        results.append(events)
    assert results[0] == results[1] and len({e[0] for e in results[0]}) == 16


def test_backup_and_restore_matches_keras(tmp_path: Any) -> None:
    logs = val_loss_logs([1.0, 0.9, 0.8, 0.7])
    for config in ({}, {"save_freq": 3}, {"double_checkpoint": True}):
        found = []
        for lib in (ours, theirs):
            folder = tmp_path / f"{lib.__name__}{len(config)}{config.get('save_freq')}"
            cb = lib.BackupAndRestore(str(folder), delete_checkpoint=False, **config)
            model = FakeModel()
            model.optimizer.built = True  # type: ignore[attr-defined]
            trace = drive(cb, logs[:3], model=model, steps=4)
            files = {k: v for k, v in _checkpoint_files(folder).items()}
            meta = json.loads(files.pop("training_metadata.json"))
            resumed = FakeModel()
            resumed.optimizer.built = True  # type: ignore[attr-defined]
            cb2 = lib.BackupAndRestore(str(folder))
            cb2.set_model(resumed)
            cb2.on_train_begin()
            cb2.on_train_end()
            found.append(
                (trace.saved, files, meta, resumed._initial_epoch, float(resumed.weights[0][0]))
            )
            assert not folder.exists()  # deleted at the end of a completed run
        assert found[0] == found[1]
    found = []
    for lib in (ours, theirs):  # a corrupt latest file: the previous one (.bkp) is used
        folder = tmp_path / f"double_{lib.__name__}"
        cb = lib.BackupAndRestore(str(folder), double_checkpoint=True, delete_checkpoint=False)
        drive(cb, logs[:3])
        (folder / "latest.weights.h5").write_text("torn")
        resumed = FakeModel()
        resumed.optimizer.built = True  # type: ignore[attr-defined]
        cb = lib.BackupAndRestore(str(folder))
        cb.set_model(resumed)
        cb.on_train_begin()
        found.append((resumed._initial_epoch, float(resumed.weights[0][0])))
    assert found[0] == found[1] == (2, 2.0)
    with pytest.raises(ValueError, match="save_freq"):
        ours.BackupAndRestore(str(tmp_path), save_freq="batch")
    with pytest.raises(ValueError, match="Empty `backup_dir`"):
        ours.BackupAndRestore("")


def test_history_and_progbar_logger_output(capsys: Any) -> None:
    model = FakeModel()
    cbl = ours.CallbackList(
        None, add_history=True, add_progbar=True, model=model, verbose=2, epochs=2, steps=3
    )
    _run_hooks(cbl)
    out = capsys.readouterr().out
    assert out.count("Epoch 1/2") == 1 and out.count("Epoch 2/2") == 1
    assert "3/3 - " in out and "loss: 0.7500" in out and "val_loss: 0.2500" in out
    assert model.history.history == {"loss": [0.75, 0.75], "val_loss": [0.25, 0.25]}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        silent = ours.CallbackList(None, add_progbar=True, verbose=0, epochs=1, steps=1)
        _run_hooks(silent)
    assert capsys.readouterr().out == ""
    bar = ours.ProgbarLogger()
    bar.set_params({"verbose": 2})  # evaluate/predict may leave out epochs and steps
    bar.on_predict_begin()
    for batch in range(4):
        bar.on_predict_batch_end(batch, {"outputs": np.zeros(2)})
    bar.on_predict_end()
    assert capsys.readouterr().out.startswith("4/4 - ")
