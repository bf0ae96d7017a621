"""Saving during training: ``ModelCheckpoint`` and ``BackupAndRestore``."""

from __future__ import annotations

import json
import os
import shutil
import warnings
from typing import Any

import numpy as np

from nnlab.atomic import atomic_writer

from .callback import Callback, Logs
from .monitor import MonitorCallback

__all__ = ["BackupAndRestore", "ModelCheckpoint"]


def _save_freq_is_valid(save_freq: Any) -> bool:
    return save_freq == "epoch" or (isinstance(save_freq, int) and not isinstance(save_freq, bool))


def _copy(source: str, target: str) -> None:
    """Copy a file atomically (a reader never sees half of ``target``)."""
    with open(source, "rb") as f:
        data = f.read()
    with atomic_writer(target) as out:
        out.write(data)


class _BatchCounter:
    """Counts training batches across epochs; ``due(batch)`` is True every ``every`` batches.

    A batch index not larger than the last one seen starts a new epoch (it adds ``batch + 1``)."""

    def __init__(self, every: int, last: int | None = None) -> None:
        self.every, self.last, self.since_save = every, last, 0

    def due(self, batch: int) -> bool:
        new_epoch = self.last is None or batch <= self.last
        self.since_save += batch + 1 if new_epoch else batch - self.last  # type: ignore[operator]
        self.last = batch
        if self.since_save >= self.every:
            self.since_save = 0
            return True
        return False


class ModelCheckpoint(MonitorCallback):
    """Save the model (``model.save``) or its weights (``model.save_weights``) while training.

    Args:
        filepath: where to save; may hold ``{epoch}`` (1-based), ``{batch}`` (1-based, with an
            integer ``save_freq``) and any log key, with format specs:
            ``"ckpt/w.{epoch:02d}-{val_loss:.2f}.keras"``. Must end in ``.keras`` (or ``.h5``),
            or in ``.weights.h5`` with ``save_weights_only=True``. Missing folders are created.
        monitor, mode: the quantity ``save_best_only`` watches (see ``MonitorCallback``).
        save_best_only: save only when ``monitor`` improves on the best value so far (when it is
            missing from the logs: a warning, and the model is saved).
        save_weights_only: call ``save_weights`` instead of ``save``.
        save_freq: ``"epoch"`` (at each epoch end) or ``n``: after every ``n`` training batches.
        initial_value_threshold: the best value to beat at the start (``save_best_only``).
    """

    def __init__(
        self,
        filepath: str | os.PathLike[str],
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq: str | int = "epoch",
        initial_value_threshold: float | None = None,
    ) -> None:
        super().__init__(monitor, mode, initial_value_threshold)
        self.verbose = verbose
        self.filepath = os.fspath(filepath)
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        if not _save_freq_is_valid(save_freq):
            raise ValueError(
                f"Unrecognized save_freq: {save_freq!r}. Expected save_freq are 'epoch' or "
                "integer values (a number of training batches)"
            )
        self.save_freq = save_freq
        self._counter = _BatchCounter(save_freq if isinstance(save_freq, int) else 0)
        self._current_epoch = 0
        if save_weights_only:
            if not self.filepath.endswith(".weights.h5"):
                raise ValueError(
                    "When using `save_weights_only=True` in `ModelCheckpoint`, the filepath "
                    "provided must end in `.weights.h5` (Keras weights format). Received: "
                    f"filepath={self.filepath}"
                )
        elif not self.filepath.endswith((".keras", ".h5")):
            raise ValueError(
                "The filepath provided must end in `.keras` (Keras model format). Received: "
                f"filepath={self.filepath}"
            )

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        self._current_epoch = epoch

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        if self.save_freq != "epoch" and self._counter.due(batch):
            self._save_model(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if self.monitor_op is None:
            self._set_monitor_op()
        if self.save_freq == "epoch":
            self._save_model(epoch, None, logs)

    def _should_save(self, epoch: int, logs: Logs, filepath: str) -> bool:
        if not self.save_best_only:
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available.", stacklevel=3)
            return True
        if np.ndim(current) > 0:
            warnings.warn(
                f"Can save best model only when `monitor` is a scalar value. Received: "
                f"{current}. Falling back to `save_best_only=False`.",
                stacklevel=3,
            )
            return True
        best = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                print(
                    f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to "
                    f"{current:.5f}, saving model to {filepath}"
                )
            self.best = current
            return True
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}")
        return False

    def _save_model(self, epoch: int, batch: int | None, logs: Logs | None) -> None:
        logs = logs or {}
        filepath = self._get_file_path(epoch, batch, logs)
        if os.path.isdir(filepath):
            raise OSError(
                "Please specify a non-directory filepath for ModelCheckpoint. Filepath used is an "
                f"existing directory: {filepath}"
            )
        if not self._should_save(epoch, logs, filepath):
            return
        folder = os.path.dirname(filepath)
        if folder:
            os.makedirs(folder, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(filepath)
        else:
            self.model.save(filepath)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: finished saving model to {filepath}")

    def _get_file_path(self, epoch: int, batch: int | None, logs: Logs) -> str:
        """``filepath`` formatted with ``epoch + 1``, ``batch + 1`` and the logs."""
        try:
            if batch is None or "batch" in logs:
                return self.filepath.format(epoch=epoch + 1, **logs)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as err:
            raise KeyError(
                f'Failed to format this callback filepath: "{self.filepath}". Reason: {err} is '
                f"not among the keys available: {', '.join(['epoch', 'batch', *logs])}"
            ) from None


class BackupAndRestore(Callback):
    """Resume an interrupted ``fit`` where it stopped.

    Writes the weights (``backup_dir/latest.weights.h5`` by ``model.save_weights``) and the
    number of finished epochs (``backup_dir/training_metadata.json``) at each epoch end (or every
    ``save_freq`` batches). At the start of the next ``fit`` the weights are loaded back and
    ``model._initial_epoch`` is set to the epoch to resume from (a loop that honours it skips the
    finished epochs). A run that completes deletes the folder (``delete_checkpoint=True``).
    ``double_checkpoint=True`` keeps the previous files as ``*.bkp``, used when the latest cannot
    be read.
    """

    def __init__(
        self,
        backup_dir: str | os.PathLike[str],
        save_freq: str | int = "epoch",
        double_checkpoint: bool = False,
        delete_checkpoint: bool = True,
    ) -> None:
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        if not _save_freq_is_valid(save_freq):
            raise ValueError(
                f"Invalid value for argument `save_freq`. Received: save_freq={save_freq!r}. "
                "Expected either 'epoch' or an integer value (a number of training batches)."
            )
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._counter = _BatchCounter(save_freq if isinstance(save_freq, int) else 0, last=0)
        self._current_epoch = 0
        self._weights_path = os.path.join(self.backup_dir, "latest.weights.h5")
        self._training_metadata_path = os.path.join(self.backup_dir, "training_metadata.json")
        self._prev_weights_path = f"{self._weights_path}.bkp"
        self._prev_training_metadata_path = f"{self._training_metadata_path}.bkp"

    def on_train_begin(self, logs: Logs | None = None) -> None:
        try:
            self._load_model()
        except (OSError, ValueError):
            if not os.path.exists(self._prev_weights_path):
                raise
            _copy(self._prev_weights_path, self._weights_path)
            if os.path.exists(self._prev_training_metadata_path):
                _copy(self._prev_training_metadata_path, self._training_metadata_path)
            elif os.path.exists(self._training_metadata_path):
                os.remove(self._training_metadata_path)
            self._load_model()

    def _load_model(self) -> None:
        if os.path.exists(self._weights_path):
            self.model.load_weights(self._weights_path)
        if os.path.exists(self._training_metadata_path):
            with open(self._training_metadata_path, encoding="utf-8") as f:
                metadata = json.load(f)
            epoch = metadata.get("epoch") if isinstance(metadata, dict) else None
            if not isinstance(epoch, int) or isinstance(epoch, bool) or epoch < 0:
                raise ValueError(
                    f"{self._training_metadata_path}: 'epoch' must be an integer >= 0, "
                    f"got {metadata!r}"
                )
            self._current_epoch = epoch
            self.model._initial_epoch = epoch

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        self._current_epoch = epoch + 1
        self._counter.last = 0
        if self.save_freq == "epoch":
            self._save_model()

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        if self.save_freq != "epoch" and self._counter.due(batch):
            self._save_model()

    def _save_model(self) -> None:
        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint:
            for path, prev in (
                (self._weights_path, self._prev_weights_path),
                (self._training_metadata_path, self._prev_training_metadata_path),
            ):
                if os.path.exists(path):
                    _copy(path, prev)
        self.model.save_weights(self._weights_path)
        metadata = {"epoch": self._current_epoch, "batch": self._counter.last}
        with atomic_writer(self._training_metadata_path) as f:
            f.write(json.dumps(metadata).encode("utf-8"))

    def on_train_end(self, logs: Logs | None = None) -> None:
        if self.delete_checkpoint and os.path.exists(self.backup_dir):
            shutil.rmtree(self.backup_dir)
