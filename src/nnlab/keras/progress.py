"""Keras-style progress output for ``fit`` and ``evaluate``.

``verbose=1`` (Keras 3's look): a header ``Epoch 3/10``, then a bar of 20 ``━`` redrawn in place
(with ``\\r``) on a terminal, done part green and the rest grey as Keras colours them, at most
``1 / interval`` times a second, with the estimated time left and the running averages so far::

     320/1875 ━━━━━━━━━━━━━━━━━━━━ 2s 1ms/step - accuracy: 0.9021 - loss: 0.3312

and, when the epoch ends, the final line with the time the epoch took::

    1875/1875 ━━━━━━━━━━━━━━━━━━━━ 2s 1ms/step - accuracy: 0.9147 - loss: 0.2938

When the stream is not a terminal (a log file, a notebook capture) only the final line of each
epoch is written, so logs do not fill up with partial bars. ``verbose=2`` writes one line per epoch
without a bar: ``1875/1875 - 2s - 1ms/step - loss: 0.2938 - accuracy: 0.9147``.

Values are printed with ``%.4f`` (``%.4e`` below 1e-3, as Keras does).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

__all__ = ["ProgressBar", "format_logs", "format_value", "print_epoch_header"]

BAR_WIDTH = 20


def format_value(value: float) -> str:
    """Keras's number format: %.4f, or %.4e for magnitudes below 1e-3."""
    return f"{value:.4e}" if 0 < abs(value) < 1e-3 else f"{value:.4f}"


def format_logs(logs: dict[str, float]) -> str:
    """' - loss: 0.2938 - accuracy: 0.9147'."""
    return "".join(f" - {k}: {format_value(v)}" for k, v in logs.items())


def _format_time(seconds: float) -> str:
    if seconds >= 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds >= 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{seconds:.0f}s"


def _per_step(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


class ProgressBar:
    """The progress of one epoch of ``steps`` batches.

    Args:
        steps: number of batches in the epoch.
        verbose: 1 (bar) or 2 (one line at the end).
        stream: where to write (default ``sys.stdout``).
        interval: minimum seconds between two redraws of the bar on a terminal.
    """

    def __init__(
        self, steps: int, verbose: int = 1, stream: TextIO | None = None, interval: float = 0.1
    ) -> None:
        self.steps, self.verbose, self.interval = steps, verbose, interval
        self.stream = stream if stream is not None else sys.stdout
        isatty = getattr(self.stream, "isatty", None)
        self.dynamic = bool(isatty and isatty())
        self.start = time.perf_counter()
        self._next_draw = self.start + interval
        self._width = 0

    def _bar(self, done: int) -> str:
        digits = len(str(self.steps))
        filled = int(BAR_WIDTH * done / self.steps) if self.steps else BAR_WIDTH
        count = f"{done:{digits}d}/{self.steps}"
        if self.dynamic:  # Keras's colours: bold count, green done part, grey rest
            return (
                f"\x1b[1m{count}\x1b[0m \x1b[32m{'━' * filled}\x1b[0m"
                f"\x1b[37m{'━' * (BAR_WIDTH - filled)}\x1b[0m"
            )
        return f"{count} {'━' * BAR_WIDTH}"

    def update(self, done: int, logs: Callable[[], dict[str, float]]) -> None:
        """After batch ``done`` (1-based): redraw the bar if due. ``logs`` is only called then."""
        if self.verbose != 1 or not self.dynamic:
            return
        now = time.perf_counter()
        if now < self._next_draw:
            return
        self._next_draw = now + self.interval
        elapsed = now - self.start
        per_step = elapsed / done if done else 0.0
        eta = per_step * (self.steps - done)
        self._write(
            f"{self._bar(done)} {_format_time(eta)} {_per_step(per_step)}{format_logs(logs())}"
        )

    def _write(self, line: str) -> None:
        pad = max(self._width - len(line), 0)
        self._width = len(line)
        self.stream.write("\r" + line + " " * pad)
        self.stream.flush()

    def finish(self, done: int, logs: dict[str, float]) -> None:
        """Write the epoch's final line (``done`` batches ran; fewer if training stopped early)."""
        elapsed = time.perf_counter() - self.start
        timing = f"{_format_time(elapsed)}"
        if self.verbose == 1:
            line = f"{self._bar(done)} {timing} {_per_step(elapsed / max(done, 1))}"
            line += format_logs(logs)
            if self.dynamic:
                self._write(line)
                self.stream.write("\n")
            else:
                self.stream.write(line + "\n")
        elif self.verbose == 2:
            digits = len(str(self.steps))
            line = f"{done:{digits}d}/{self.steps} - {timing} - {_per_step(elapsed / max(done, 1))}"
            self.stream.write(line + format_logs(logs) + "\n")
        self.stream.flush()


def print_epoch_header(epoch: int, epochs: int, stream: TextIO | None = None) -> None:
    """'Epoch 3/10' (1-based)."""
    (stream or sys.stdout).write(f"Epoch {epoch + 1}/{epochs}\n")
