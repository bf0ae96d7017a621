"""Callbacks that watch one logged quantity: ``EarlyStopping`` and ``ReduceLROnPlateau``.

A value ``current`` improves on the reference ``best`` when

    mode 'min':  current - min_delta < best        mode 'max':  current + min_delta > best

(``min_delta >= 0``); the first value seen always improves (``best`` starts as None).
``mode='auto'`` minimizes 'loss'/'val_loss' and otherwise asks the model's metric of that name
which way is better (accuracies, AUC, precision, recall, R², ... up; errors, cross-entropies,
hinges ... down); a name it cannot decide raises ValueError at the first epoch end, as Keras 3 does.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from nnlab.autograd import Tensor

from .callback import Callback, Logs, learning_rate_of

__all__ = ["EarlyStopping", "MonitorCallback", "ReduceLROnPlateau", "metric_direction"]

_UP = [
    "Accuracy",
    "CompileAccuracy",  # nnlab's "accuracy" of compile (resolved by the loss)
    "BinaryAccuracy",
    "CategoricalAccuracy",
    "SparseCategoricalAccuracy",
    "TopKCategoricalAccuracy",
    "SparseTopKCategoricalAccuracy",
    "AUC",
    "Precision",
    "Recall",
    "PrecisionAtRecall",
    "RecallAtPrecision",
    "SensitivityAtSpecificity",
    "SpecificityAtSensitivity",
    "F1Score",
    "FBetaScore",
    "R2Score",
    "CosineSimilarity",
    "IoU",
    "BinaryIoU",
    "MeanIoU",
    "OneHotIoU",
    "OneHotMeanIoU",
    "PearsonCorrelation",
    "ConcordanceCorrelation",
]
_DOWN = [
    "MeanSquaredError",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError",
    "RootMeanSquaredError",
    "LogCoshError",
    "Hinge",
    "SquaredHinge",
    "CategoricalHinge",
    "KLDivergence",
    "Poisson",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy",
]
#: Which way each Keras metric class improves (Keras 3's ``metric._direction``); Mean, Sum and
#: the confusion counts (TruePositives, ...) have none.
METRIC_DIRECTIONS: dict[str, str] = {
    **dict.fromkeys(_UP, "up"),
    **dict.fromkeys(_DOWN, "down"),
}


def _model_metrics(model: Any) -> list[Any]:
    """The model's metric objects: ``model.metrics`` (containers with a ``.metrics`` list are
    opened, as Keras's CompileMetrics) and, for a model that keeps them apart,
    ``model.compiled_metrics``."""
    found: list[Any] = []
    for attr in ("metrics", "compiled_metrics"):
        items = getattr(model, attr, None)
        if not isinstance(items, list | tuple):
            continue
        for m in items:
            inner = getattr(m, "metrics", None)
            found.extend(inner if isinstance(inner, list | tuple) else [m])
    return found


def _class_direction(cls: type) -> str | None:
    """The direction of the first class in ``cls``'s MRO that the table knows (a subclass of
    MeanSquaredError improves downwards too)."""
    for base in cls.__mro__:
        if base.__name__ in METRIC_DIRECTIONS:
            return METRIC_DIRECTIONS[base.__name__]
    return None


def metric_direction(model: Any, monitor: str) -> str | None:
    """'down' for the loss, else the direction of the model's metric named like ``monitor``
    (without 'val_'), or None when no metric of that name says."""
    name = monitor.removeprefix("val_")
    direction = "down" if name == "loss" else None
    for m in _model_metrics(model):
        if getattr(m, "name", None) == name:
            found = getattr(m, "_direction", None) or _class_direction(type(m))
            direction = found or direction
    return direction


def _comparisons() -> tuple[Callable[..., Any], Callable[..., Any]]:
    """(less, greater): ``keras.ops.less``/``greater`` as in Keras (so ``monitor_op`` can be
    compared with them), NumPy's while nnlab.keras has no ops module."""
    try:
        from .. import ops
    except ImportError:
        return np.less, np.greater
    return getattr(ops, "less", np.less), getattr(ops, "greater", np.greater)


def _truth(value: Any) -> bool:
    """A comparison's result (bool, NumPy bool, 0-d array or Tensor) as a Python bool."""
    return bool(np.asarray(value.data if isinstance(value, Tensor) else value))


class MonitorCallback(Callback):
    """Shared by the callbacks that watch ``monitor`` (see the module's docstring).

    Args:
        monitor: the log key to watch.
        mode: 'auto', 'min' or 'max' (anything else: a warning, then 'auto', as in Keras).
        baseline: initial ``best`` (used by ModelCheckpoint's ``initial_value_threshold``).
        min_delta: the smallest change that counts as an improvement (its sign is ignored).
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        mode: str = "auto",
        baseline: float | None = None,
        min_delta: float = 0.0,
    ) -> None:
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(
                f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto mode.",
                stacklevel=3,
            )
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best: float | None = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op: Any = None

    def _set_monitor_op(self) -> None:
        """Choose < or > (done at the first epoch end, once the model's metrics exist); the
        stored ``min_delta`` becomes negative for 'min', so both tests read
        ``op(current - min_delta, best)``."""
        less, greater = _comparisons()
        if self.mode == "min":
            self.monitor_op = less
        elif self.mode == "max":
            self.monitor_op = greater
        else:
            direction = metric_direction(self.model, self.monitor)
            if direction is None:
                raise ValueError(
                    f"{type(self).__name__} callback received monitor={self.monitor}, but "
                    "Keras isn't able to automatically determine whether that metric should be "
                    "maximized or minimized. Pass `mode='max'` in order to monitor based on the "
                    "highest metric value, or pass `mode='min'` in order to use the lowest value."
                )
            self.monitor_op = greater if direction == "up" else less
        if self.monitor_op is less:
            self.min_delta *= -1

    def _is_improvement(self, monitor_value: float, reference_value: float | None) -> bool:
        if reference_value is None:
            return True
        return _truth(self.monitor_op(monitor_value - self.min_delta, reference_value))


class EarlyStopping(MonitorCallback):
    """Stop ``fit`` when ``monitor`` has not improved for ``patience`` epochs.

    At each epoch end (from ``start_from_epoch`` on) ``wait`` counts the epochs since the last
    improvement; with ``baseline`` the count restarts only on a value that beats both the best so
    far and the baseline. Training stops (``model.stop_training = True``) when
    ``wait >= patience`` at an epoch > 0; ``stopped_epoch`` is that epoch (0 if it never stopped).

    ``restore_best_weights=True``: when training ends, for whatever reason (patience ran out, the
    last epoch, another callback stopping it), the weights of the best epoch (``best_epoch``) are
    put back, even when that epoch did not beat ``baseline``.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        super().__init__(monitor, mode, min_delta=min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.wait = 0
        self.stopped_epoch = 0
        self.restore_best_weights = restore_best_weights
        self.best_weights: list[Any] | None = None
        self.best_epoch = 0
        self.start_from_epoch = start_from_epoch

    def on_train_begin(self, logs: Logs | None = None) -> None:
        # An instance may be reused by several fit calls.
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if self.monitor_op is None:
            self._set_monitor_op()
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: Logs | None = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(
                    "Restoring model weights from the end of the best epoch: "
                    f"{self.best_epoch + 1}."
                )
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs: Logs | None) -> float | None:
        """``logs[monitor]``, or None with a warning listing the available keys."""
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(
                f"Early stopping conditioned on metric `{self.monitor}` which is not available. "
                f"Available metrics are: {','.join(list(logs.keys()))}",
                stacklevel=2,
            )
        return value


class ReduceLROnPlateau(MonitorCallback):
    """Multiply the learning rate by ``factor`` when ``monitor`` stops improving.

    After ``patience`` epochs without improvement (by more than ``min_delta``) the rate becomes
    ``max(lr * factor, min_lr)`` (only while ``lr > min_lr`` in float32), then ``cooldown``
    epochs pass before the count of bad epochs starts again. Adds ``learning_rate`` to the
    epoch logs.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
    ) -> None:
        super().__init__(monitor, mode, min_delta=min_delta)
        if factor >= 1.0:
            raise ValueError(
                f"ReduceLROnPlateau does not support a factor >= 1.0. Received factor={factor}"
            )
        self.factor = factor
        self.min_lr = min_lr
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0

    def _reset(self) -> None:
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self._reset()

    def _reduce_lr(self, epoch: int) -> bool:
        optimizer = self.model.optimizer
        old_lr = learning_rate_of(optimizer)
        if np.float32(old_lr) > np.float32(self.min_lr):  # compared in float32, as Keras
            new_lr = max(old_lr * self.factor, self.min_lr)
            optimizer.learning_rate = new_lr
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}.")
            return True
        return False

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if self.monitor_op is None:
            self._set_monitor_op()
        logs = logs if logs is not None else {}
        logs["learning_rate"] = learning_rate_of(self.model.optimizer)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(
                f"Learning rate reduction is conditioned on metric `{self.monitor}` which is "
                f"not available. Available metrics are: {','.join(list(logs.keys()))}.",
                stacklevel=2,
            )
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience and self._reduce_lr(epoch):
                self.cooldown_counter = self.cooldown
                self.wait = 0
