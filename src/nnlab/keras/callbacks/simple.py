"""Small callbacks: ``LearningRateScheduler``, ``TerminateOnNaN``, ``CSVLogger``,
``LambdaCallback``."""

from __future__ import annotations

import collections.abc
import csv
import math
import os
from collections.abc import Callable
from typing import IO, Any

import numpy as np

from .callback import HOOKS, Callback, Logs, learning_rate_of

__all__ = ["CSVLogger", "LambdaCallback", "LearningRateScheduler", "TerminateOnNaN"]


class LearningRateScheduler(Callback):
    """At the start of each epoch set ``optimizer.learning_rate = schedule(epoch, lr)``
    (``epoch`` counts from 0, ``lr`` is the current rate); a one-argument ``schedule(epoch)`` is
    accepted too. The schedule must return a float. Adds ``learning_rate`` to the epoch logs (so
    the History records it)."""

    def __init__(self, schedule: Callable[..., float], verbose: int = 0) -> None:
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        optimizer = self.model.optimizer
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        try:
            learning_rate = self.schedule(epoch, learning_rate_of(optimizer))
        except TypeError:  # the one-argument form schedule(epoch)
            learning_rate = self.schedule(epoch)
        if not isinstance(learning_rate, float | np.float32 | np.float64):
            raise ValueError(
                f"The output of the `schedule` function should be a float. Got: {learning_rate!r}"
            )
        optimizer.learning_rate = learning_rate
        if self.verbose > 0:
            print(
                f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                f"{learning_rate}."
            )

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        if logs is not None:
            logs["learning_rate"] = learning_rate_of(self.model.optimizer)


class TerminateOnNaN(Callback):
    """Stop training at the first training batch whose loss is NaN or infinite (with
    ``raise_error=True``: raise RuntimeError instead)."""

    def __init__(self, raise_error: bool = False) -> None:
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is None or math.isfinite(float(loss)):
            return
        if self.raise_error:
            raise RuntimeError(
                f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. "
                "Terminating training immediately."
            )
        print(f"Batch {batch}: Invalid loss, terminating training")
        self.model.stop_training = True


def _csv_value(value: Any) -> Any:
    """A log value for a CSV cell: a list (a per-class metric) as '"[a, b]"'."""
    if isinstance(value, str):
        return value
    if isinstance(value, collections.abc.Iterable) and not (
        isinstance(value, np.ndarray) and value.ndim == 0
    ):
        return f'"[{", ".join(map(str, value))}]"'
    return value


class CSVLogger(Callback):
    """Write one row per epoch to a CSV file: ``epoch``, then the log keys in sorted order.

    When the first epoch's logs have no ``val_`` key, ``val_<key>`` columns are added for every
    key (empty cells read 'NA'), as Keras does. ``append=True`` adds to an existing file (the
    header is written only if the file is empty); otherwise the file is overwritten. The file is
    flushed after each row (it is a log: rows appear as training goes).
    """

    def __init__(
        self, filename: str | os.PathLike[str], separator: str = ",", append: bool = False
    ) -> None:
        super().__init__()
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = append
        self.writer: Any = None
        self.keys: list[str] | None = None
        self.append_header = True
        self.csv_file: IO[str] | None = None

    def on_train_begin(self, logs: Logs | None = None) -> None:
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename, encoding="utf-8") as f:
                    self.append_header = not bool(len(f.readline()))
            mode = "a"
        else:
            mode = "w"
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.csv_file = open(self.filename, mode, encoding="utf-8", newline="")  # noqa: SIM115
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(key.startswith("val_") for key in self.keys):
                self.keys.extend(f"val_{key}" for key in list(self.keys))
        if self.writer is None:
            self.writer = csv.DictWriter(
                self.csv_file,  # type: ignore[arg-type]
                fieldnames=["epoch", *self.keys],
                delimiter=self.sep,
                lineterminator="\r\n",
            )
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch, **{key: _csv_value(logs.get(key, "NA")) for key in self.keys}}
        self.writer.writerow(row)
        assert self.csv_file is not None
        self.csv_file.flush()

    def on_train_end(self, logs: Logs | None = None) -> None:
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None


class LambdaCallback(Callback):
    """A callback made of functions, one per hook, named as the hooks:
    ``LambdaCallback(on_epoch_end=lambda epoch, logs: print(logs["loss"]))``.

    Every hook of ``Callback`` may be given: ``on_train_begin(logs)``, ``on_train_end(logs)``,
    ``on_epoch_begin(epoch, logs)``, ``on_epoch_end(epoch, logs)``,
    ``on_train_batch_begin(batch, logs)``, ``on_train_batch_end(batch, logs)``, ``on_batch_*``,
    ``on_test_*`` and ``on_predict_*`` (``*_begin``/``*_end`` and the batch forms). Any other
    keyword becomes an attribute, as in Keras, except an unknown name starting with ``on_``
    (a misspelt hook), which is a TypeError.
    """

    def __init__(
        self,
        on_epoch_begin: Callable[..., Any] | None = None,
        on_epoch_end: Callable[..., Any] | None = None,
        on_train_begin: Callable[..., Any] | None = None,
        on_train_end: Callable[..., Any] | None = None,
        on_train_batch_begin: Callable[..., Any] | None = None,
        on_train_batch_end: Callable[..., Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        misspelt = sorted(k for k in kwargs if k.startswith("on_") and k not in HOOKS)
        if misspelt:
            raise TypeError(
                f"LambdaCallback: unknown hooks {misspelt}; the hooks are {', '.join(HOOKS)}"
            )
        self.__dict__.update(kwargs)
        named = {
            "on_epoch_begin": on_epoch_begin,
            "on_epoch_end": on_epoch_end,
            "on_train_begin": on_train_begin,
            "on_train_end": on_train_end,
            "on_train_batch_begin": on_train_batch_begin,
            "on_train_batch_end": on_train_batch_end,
        }
        for name, fn in named.items():
            if fn is not None:
                setattr(self, name, fn)
