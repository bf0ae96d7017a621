"""``ProgbarLogger``: the progress bar of ``fit``, ``evaluate`` and ``predict`` as a callback."""

from __future__ import annotations

from typing import Any

from ..progress import ProgressBar, print_epoch_header
from .callback import Callback, Logs

__all__ = ["ProgbarLogger"]


class ProgbarLogger(Callback):
    """Prints ``Epoch 3/10`` (when there is more than one epoch) and a bar per epoch, from
    ``params`` = {'verbose', 'epochs', 'steps'}: verbose 1 redraws a bar, 2 writes one line per
    epoch, 0 prints nothing. Inside ``fit`` the validation pass prints nothing; ``evaluate`` and
    ``predict`` get their own bar."""

    def __init__(self) -> None:
        super().__init__()
        self.seen = 0
        self.progbar: ProgressBar | None = None
        self.target: int | None = None
        self.verbose = 1
        self.epochs = 1
        self._called_in_fit = False

    def set_params(self, params: dict[str, Any]) -> None:
        verbose = params.get("verbose", 1)
        self.verbose = 1 if verbose == "auto" else int(verbose)
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps")

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self._called_in_fit = True

    def on_test_begin(self, logs: Logs | None = None) -> None:
        if not self._called_in_fit:
            self._reset_progbar()

    def on_predict_begin(self, logs: Logs | None = None) -> None:
        self._reset_progbar()

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        self._reset_progbar()
        if self.verbose and self.epochs > 1:
            print_epoch_header(epoch, self.epochs)

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        self._update_progbar(batch, logs)

    def on_test_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        if not self._called_in_fit:
            self._update_progbar(batch, logs)

    def on_predict_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        self._update_progbar(batch, None)  # predictions are not shown

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        self._finalize_progbar(logs)

    def on_test_end(self, logs: Logs | None = None) -> None:
        if not self._called_in_fit:
            self._finalize_progbar(logs)

    def on_predict_end(self, logs: Logs | None = None) -> None:
        self._finalize_progbar(logs)

    def _reset_progbar(self) -> None:
        self.seen = 0
        self.progbar = ProgressBar(self.target or 0, self.verbose) if self.verbose else None

    def _update_progbar(self, batch: int, logs: Logs | None) -> None:
        self.seen = batch + 1
        if self.progbar is not None:
            values = dict(logs or {})
            self.progbar.update(self.seen, lambda: values)

    def _finalize_progbar(self, logs: Logs | None) -> None:
        if self.progbar is None:
            return
        if not self.target:
            self.target = self.seen
            self.progbar.steps = self.seen
        self.progbar.finish(self.target, dict(logs or {}))
