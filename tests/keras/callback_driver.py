"""Drive a callback of nnlab or of Keras 3 through the same hook calls and record its decisions.

The model is a stand-in exposing only what callbacks may use (``stop_training``,
``get_weights``/``set_weights``, ``optimizer.learning_rate``, ``save``/``save_weights``/
``load_weights``, ``history``). Its weights are tagged with the epoch: during epoch ``e`` they are
``[full(e + 1)]``, so the weights a callback restores tell which epoch it chose.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "torch")


def keras_callbacks() -> Any:
    """``keras.callbacks`` on the torch backend (the test is skipped without Keras 3)."""
    import pytest

    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("Keras runs on another backend than torch in this process")
    return keras.callbacks


class FakeOptimizer:
    def __init__(self, learning_rate: float) -> None:
        self.learning_rate = learning_rate


class FakeModel:
    def __init__(self, learning_rate: float = 0.1, metrics: Sequence[Any] = ()) -> None:
        self.stop_training = False
        self.optimizer = FakeOptimizer(learning_rate)
        self.history: Any = None
        self.metrics = list(metrics)
        self.weights = [np.zeros(3, dtype=np.float32)]
        self.saved: list[tuple[str, str]] = []
        self.built = True

    def get_weights(self) -> list[np.ndarray]:
        return [w.copy() for w in self.weights]

    def set_weights(self, weights: list[np.ndarray]) -> None:
        self.weights = [np.array(w) for w in weights]

    def _write(self, kind: str, path: str) -> None:
        with open(path, "w", encoding="utf-8") as f:
            f.write(f"{kind} {float(self.weights[0][0])}")
        self.saved.append((kind, os.path.basename(path)))

    def save(self, filepath: str, overwrite: bool = True) -> None:
        self._write("model", filepath)

    def save_weights(self, filepath: str, overwrite: bool = True) -> None:
        self._write("weights", filepath)

    def load_weights(self, filepath: str) -> None:
        with open(filepath, encoding="utf-8") as f:
            words = f.read().split()
        if len(words) != 2:
            raise OSError(f"{filepath}: not a weights file")
        self.weights = [np.full(3, float(words[1]), dtype=np.float32)]


@dataclass
class Trace:
    """What the callback did: per epoch (stop_training, learning rate, the logs it returned)."""

    epochs: list[tuple[int, bool, float, dict[str, Any]]] = field(default_factory=list)
    final_weight: float = 0.0
    saved: list[tuple[str, str]] = field(default_factory=list)


def drive(
    callback: Any,
    epoch_logs: Sequence[dict[str, float]],
    *,
    model: FakeModel | None = None,
    steps: int = 0,
    batch_logs: Callable[[int, int], dict[str, float]] | None = None,
) -> Trace:
    """Run ``on_train_begin``, then per epoch ``on_epoch_begin``, ``steps`` training batches,
    ``on_epoch_end(epoch, logs)`` (stopping when the callback sets ``stop_training``), then
    ``on_train_end``."""
    model = model or FakeModel()
    callback.set_model(model)
    callback.set_params({"verbose": 0, "epochs": len(epoch_logs), "steps": steps})
    trace = Trace()
    callback.on_train_begin({})
    logs: dict[str, float] = {}
    for epoch, given in enumerate(epoch_logs):
        model.weights = [np.full(3, epoch + 1, dtype=np.float32)]
        callback.on_epoch_begin(epoch, {})
        for batch in range(steps):
            callback.on_train_batch_begin(batch, {})
            callback.on_train_batch_end(batch, dict(batch_logs(epoch, batch) if batch_logs else {}))
            if model.stop_training:
                break
        logs = dict(given)
        callback.on_epoch_end(epoch, logs)
        lr = float(np.asarray(model.optimizer.learning_rate))
        trace.epochs.append((epoch, model.stop_training, lr, logs))
        if model.stop_training:
            break
    callback.on_train_end(logs)
    trace.final_weight = float(model.weights[0][0])
    trace.saved = model.saved
    return trace


def assert_same_trace(ours: Trace, theirs: Trace) -> None:
    assert [e[:2] for e in ours.epochs] == [e[:2] for e in theirs.epochs]
    np.testing.assert_allclose(
        [e[2] for e in ours.epochs], [e[2] for e in theirs.epochs], rtol=1e-6
    )
    for (_, _, _, a), (_, _, _, b) in zip(ours.epochs, theirs.epochs, strict=True):
        assert sorted(a) == sorted(b)
        np.testing.assert_allclose([a[k] for k in sorted(a)], [b[k] for k in sorted(b)], rtol=1e-6)
    assert ours.final_weight == theirs.final_weight
    assert ours.saved == theirs.saved
