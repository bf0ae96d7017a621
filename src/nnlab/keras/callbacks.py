"""Callbacks: code run by ``fit`` at the start/end of training, of each epoch and of each batch.

Hooks (all optional): ``on_train_begin(logs)``, ``on_train_end(logs)``,
``on_epoch_begin(epoch, logs)``, ``on_epoch_end(epoch, logs)``,
``on_train_batch_begin(batch, logs)`` and ``on_train_batch_end(batch, logs)`` (alias
``on_batch_begin`` / ``on_batch_end``). Epochs and batches count from 0. ``logs`` at the end of
an epoch holds 'loss', each metric and their 'val_' versions; at the end of a batch, the running
averages of the epoch so far. Setting ``self.model.stop_training = True`` ends training after the
current batch.

Batch logs are only built when some callback overrides a batch hook, so the common case costs
nothing per batch.
"""

from __future__ import annotations

import csv
import math
import os
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = [
    "Callback",
    "CSVLogger",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "TerminateOnNaN",
]

Logs = dict[str, float]


class Callback:
    """Base class; ``self.model`` and ``self.params`` are set by ``fit``."""

    def __init__(self) -> None:
        self.model: Any = None
        self.params: dict[str, Any] = {}

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    def on_train_begin(self, logs: Logs | None = None) -> None:
        """Called once before the first epoch."""

    def on_train_end(self, logs: Logs | None = None) -> None:
        """Called once after the last epoch (also when training stopped early)."""

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        """Called before each epoch."""

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        """Called after each epoch with its losses and metrics (including validation)."""

    def on_train_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        self.on_batch_end(batch, logs)

    def on_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        """Called before each training batch (same as ``on_train_batch_begin``)."""

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """Called after each training batch (same as ``on_train_batch_end``)."""

    @property
    def uses_batch_hooks(self) -> bool:
        """Whether a subclass overrides a batch hook (otherwise fit skips them)."""
        cls = type(self)
        return any(
            getattr(cls, hook) is not getattr(Callback, hook)
            for hook in (
                "on_train_batch_begin",
                "on_train_batch_end",
                "on_batch_begin",
                "on_batch_end",
            )
        )


class History(Callback):
    """Records the epoch logs: ``history[key]`` is the list of values, one per epoch.

    Attributes: ``history`` (dict), ``epoch`` (list of epoch indices), ``params``, ``model``.
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)


def _monitor_op(monitor: str, mode: str, where: str) -> Callable[[float, float], bool]:
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"{where}: mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode == "auto":
        mode = "max" if ("acc" in monitor or monitor.startswith("fmeasure")) else "min"
    return np.greater if mode == "max" else np.less


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for ``patience`` epochs.

    ``mode='auto'`` maximizes quantities whose name contains 'acc' and minimizes the others.
    With ``restore_best_weights=True`` the weights of the best epoch are put back when stopping.
    ``stopped_epoch`` is the epoch (0-based) at which training stopped (0 if it did not).
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
    ) -> None:
        super().__init__()
        self.monitor, self.patience, self.verbose = monitor, int(patience), verbose
        self.baseline, self.restore_best_weights = baseline, restore_best_weights
        self.monitor_op = _monitor_op(monitor, mode, "EarlyStopping")
        self.min_delta = abs(min_delta) if self.monitor_op is np.greater else -abs(min_delta)
        self.wait = 0
        self.stopped_epoch = 0
        self.best_epoch = 0
        self.best = math.inf
        self.best_weights: list[np.ndarray] | None = None

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self.wait, self.stopped_epoch, self.best_epoch = 0, 0, 0
        self.best = -math.inf if self.monitor_op is np.greater else math.inf
        if self.baseline is not None:
            self.best = self.baseline
        self.best_weights = None

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        current = (logs or {}).get(self.monitor)
        if current is None:
            available = ", ".join(sorted(logs or {}))
            print(
                f"EarlyStopping: monitored quantity {self.monitor!r} is not available; "
                f"available: {available}",
                file=sys.stderr,
            )
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
        self.wait += 1
        if self.monitor_op(current - self.min_delta, self.best):
            self.best, self.best_epoch, self.wait = current, epoch, 0
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.restore_best_weights and self.best_weights is not None:
                if self.verbose:
                    print(
                        f"Restoring model weights from the end of the best epoch: "
                        f"{self.best_epoch + 1}."
                    )
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs: Logs | None = None) -> None:
        if self.stopped_epoch > 0 and self.verbose:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")


class ModelCheckpoint(Callback):
    """Save the model (or only its weights) after each epoch.

    ``filepath`` may contain ``{epoch}`` (1-based) and any log key, with format specs:
    ``'w.{epoch:02d}-{val_loss:.2f}.keras'``. With ``save_best_only`` a file is written only when
    ``monitor`` improves.
    """

    def __init__(
        self,
        filepath: str | os.PathLike[str],
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
    ) -> None:
        super().__init__()
        self.filepath = os.fspath(filepath)
        self.monitor, self.verbose = monitor, verbose
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self.monitor_op = _monitor_op(monitor, mode, "ModelCheckpoint")
        self.best = -math.inf if self.monitor_op is np.greater else math.inf

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        logs = logs or {}
        try:
            path = self.filepath.format(epoch=epoch + 1, **logs)
        except KeyError as err:
            raise KeyError(
                f"ModelCheckpoint: filepath {self.filepath!r} uses {err}, which is not in the "
                f"logs ({', '.join(sorted(logs))})"
            ) from None
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None or not self.monitor_op(current, self.best):
                return
            if self.verbose:
                print(
                    f"Epoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to "
                    f"{current:.5f}, saving model to {path}"
                )
            self.best = current
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)


class CSVLogger(Callback):
    """Write one row per epoch (``epoch`` then the sorted log keys) to a CSV file."""

    def __init__(
        self, filename: str | os.PathLike[str], separator: str = ",", append: bool = False
    ) -> None:
        super().__init__()
        self.filename, self.separator, self.append = os.fspath(filename), separator, append
        self._file: Any = None
        self._writer: Any = None
        self._keys: list[str] | None = None

    def on_train_begin(self, logs: Logs | None = None) -> None:
        has_rows = self.append and os.path.exists(self.filename) and os.path.getsize(self.filename)
        self._file = open(self.filename, "a" if self.append else "w", newline="")  # noqa: SIM115
        self._keys = None
        self._header_written = bool(has_rows)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        logs = logs or {}
        if self._keys is None:
            self._keys = sorted(logs)
            self._writer = csv.DictWriter(
                self._file, fieldnames=["epoch", *self._keys], delimiter=self.separator
            )
            if not self._header_written:
                self._writer.writeheader()
        self._writer.writerow({"epoch": epoch, **{k: logs.get(k, "NA") for k in self._keys}})
        self._file.flush()

    def on_train_end(self, logs: Logs | None = None) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class TerminateOnNaN(Callback):
    """Stop training as soon as a batch's loss is NaN or infinite."""

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


class LambdaCallback(Callback):
    """A callback from functions: ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``.

    Accepts on_epoch_begin/on_epoch_end (epoch, logs), on_batch_begin/on_batch_end
    (batch, logs), on_train_begin/on_train_end (logs).
    """

    def __init__(self, **hooks: Callable[..., Any] | None) -> None:
        super().__init__()
        allowed = {
            "on_epoch_begin",
            "on_epoch_end",
            "on_batch_begin",
            "on_batch_end",
            "on_train_begin",
            "on_train_end",
        }
        unknown = set(hooks) - allowed
        if unknown:
            raise TypeError(
                f"LambdaCallback: unknown hooks {sorted(unknown)}; use {sorted(allowed)}"
            )
        for name, fn in hooks.items():
            if fn is not None:
                setattr(self, name, fn)

    @property
    def uses_batch_hooks(self) -> bool:
        return "on_batch_begin" in vars(self) or "on_batch_end" in vars(self)


class LearningRateScheduler(Callback):
    """At the start of each epoch set ``optimizer.learning_rate = schedule(epoch, current_lr)``."""

    def __init__(self, schedule: Callable[[int, float], float], verbose: int = 0) -> None:
        super().__init__()
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        optimizer = self.model.optimizer
        optimizer.learning_rate = float(self.schedule(epoch, optimizer.learning_rate))
        if self.verbose:
            print(
                f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                f"{optimizer.learning_rate}."
            )
