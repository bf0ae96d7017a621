"""``Callback`` (every hook of Keras 3) and ``CallbackList`` (one object that calls them all).

A training loop calls, in this order (epochs and batches count from 0)::

    on_train_begin
      on_epoch_begin(epoch)
        on_train_batch_begin(batch) / on_train_batch_end(batch, logs)   for each batch
        on_test_begin / on_test_batch_begin / on_test_batch_end / on_test_end   (validation)
      on_epoch_end(epoch, logs)          logs: loss, metrics, and their 'val_' versions
    on_train_end(logs)                   logs: those of the last epoch

``evaluate`` calls the ``on_test_*`` hooks and ``predict`` the ``on_predict_*`` hooks. A batch's
logs hold the running averages of the epoch so far. A callback stops ``fit`` by setting
``self.model.stop_training = True``.

A callback touches the model only through ``stop_training``, ``get_weights``/``set_weights``,
``optimizer.learning_rate``, ``save``/``save_weights``/``load_weights`` and ``history``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import numpy as np

from nnlab.autograd import Tensor

__all__ = ["Callback", "CallbackList", "History", "is_default", "learning_rate_of"]

Logs = dict[str, Any]
F = TypeVar("F", bound=Callable[..., Any])


def _default(method: F) -> F:
    """Mark a hook of the base class, so a loop can tell whether a subclass overrides it."""
    method._is_default = True  # type: ignore[attr-defined]
    return method


def is_default(method: Any) -> bool:
    """Whether ``method`` is the base class's do-nothing hook (not overridden)."""
    return bool(getattr(method, "_is_default", False))


BATCH_HOOKS = ("on_train_batch_begin", "on_train_batch_end", "on_batch_begin", "on_batch_end")
TEST_BATCH_HOOKS = ("on_test_batch_begin", "on_test_batch_end")
PREDICT_BATCH_HOOKS = ("on_predict_batch_begin", "on_predict_batch_end")
HOOKS = (
    "on_train_begin",
    "on_train_end",
    "on_epoch_begin",
    "on_epoch_end",
    *BATCH_HOOKS,
    "on_test_begin",
    "on_test_end",
    *TEST_BATCH_HOOKS,
    "on_predict_begin",
    "on_predict_end",
    *PREDICT_BATCH_HOOKS,
)


class Callback:
    """Base class: override the hooks you need. ``self.model`` and ``self.params`` (a dict with
    'verbose', 'epochs', 'steps') are set by the loop before ``on_train_begin``."""

    def __init__(self) -> None:
        self.params: dict[str, Any] | None = None
        self._model: Any = None

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    def set_model(self, model: Any) -> None:
        self._model = model

    @property
    def model(self) -> Any:
        return self._model

    @model.setter
    def model(self, model: Any) -> None:
        self._model = model

    @property
    def uses_batch_hooks(self) -> bool:
        """Whether a training-batch hook is overridden (the loop may skip building batch logs)."""
        return any(not is_default(getattr(self, hook)) for hook in BATCH_HOOKS)

    @property
    def uses_test_batch_hooks(self) -> bool:
        """Whether an ``on_test_batch_*`` hook is overridden."""
        return any(not is_default(getattr(self, hook)) for hook in TEST_BATCH_HOOKS)

    @property
    def uses_predict_batch_hooks(self) -> bool:
        """Whether an ``on_predict_batch_*`` hook is overridden."""
        return any(not is_default(getattr(self, hook)) for hook in PREDICT_BATCH_HOOKS)

    @_default
    def on_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        """Old name of ``on_train_batch_begin`` (which calls it)."""

    @_default
    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """Old name of ``on_train_batch_end`` (which calls it)."""

    @_default
    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        """Before each epoch of ``fit``."""

    @_default
    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        """After each epoch of ``fit``: ``logs`` has the loss, the metrics, and ``val_*``."""

    @_default
    def on_train_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        """Before each training batch; calls ``on_batch_begin``."""
        self.on_batch_begin(batch, logs=logs)

    @_default
    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """After each training batch (``logs``: running averages); calls ``on_batch_end``."""
        self.on_batch_end(batch, logs=logs)

    @_default
    def on_test_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        """Before each batch of ``evaluate`` (and of the validation inside ``fit``)."""

    @_default
    def on_test_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """After each batch of ``evaluate`` (and of the validation inside ``fit``)."""

    @_default
    def on_predict_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        """Before each batch of ``predict``."""

    @_default
    def on_predict_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """After each batch of ``predict``."""

    @_default
    def on_train_begin(self, logs: Logs | None = None) -> None:
        """Once, before the first epoch."""

    @_default
    def on_train_end(self, logs: Logs | None = None) -> None:
        """Once, after the last epoch (also when training stopped early)."""

    @_default
    def on_test_begin(self, logs: Logs | None = None) -> None:
        """At the start of ``evaluate`` or of a validation pass."""

    @_default
    def on_test_end(self, logs: Logs | None = None) -> None:
        """At the end of ``evaluate`` or of a validation pass."""

    @_default
    def on_predict_begin(self, logs: Logs | None = None) -> None:
        """At the start of ``predict``."""

    @_default
    def on_predict_end(self, logs: Logs | None = None) -> None:
        """At the end of ``predict``."""


class History(Callback):
    """Records the epoch logs: ``history[key]`` lists the values, one per epoch; ``epoch`` lists
    the epoch indices. ``fit`` returns it and sets ``model.history`` to it."""

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[Any]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self.epoch = []

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        self.model.history = self


def _as_float(value: Any) -> Any:
    """A log value as a Python float when it is one number (NumPy scalar, 0-d array, Tensor)."""
    data = value.data if isinstance(value, Tensor) else value
    if isinstance(data, str) or np.ndim(data) != 0:
        return value
    try:
        return float(data)
    except (TypeError, ValueError):
        return value


def learning_rate_of(optimizer: Any) -> float:
    """The optimizer's current learning rate as a Python float."""
    return float(_as_float(optimizer.learning_rate))


def pythonify_logs(logs: Logs | None) -> Logs:
    """A fresh dict of the logs, keys sorted, nested dicts flattened, numbers as Python floats
    (what every callback receives, as in Keras)."""
    result: Logs = {}
    for key, value in sorted((logs or {}).items()):
        if isinstance(value, dict):
            result.update(pythonify_logs(value))
        else:
            result[key] = _as_float(value)
    return result


class CallbackList(Callback):
    """Calls each hook on every callback of a list, in order.

    Args:
        callbacks: Callback objects (a nested list is flattened).
        add_history: append a ``History`` if the list has none (``fit`` passes True).
        add_progbar: append a ``ProgbarLogger`` if the list has none (``fit`` passes
            ``verbose != 0``).
        model: given to every callback with ``set_model``; ``model.history`` becomes the History.
        **params: given to every callback with ``set_params`` (``verbose``, ``epochs``,
            ``steps``).

    Every callback of one hook call receives the same fresh logs dict (a copy of the loop's,
    numbers as floats): what an earlier callback adds to it (``learning_rate``) a later one sees.
    """

    def __init__(
        self,
        callbacks: Iterable[Callback] | Callback | None = None,
        add_history: bool = False,
        add_progbar: bool = False,
        model: Any = None,
        **params: Any,
    ) -> None:
        super().__init__()
        self.callbacks: list[Callback] = _flatten(callbacks)
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(
                    f"CallbackList: callbacks must be Callback objects, got {cb!r} "
                    f"({type(cb).__name__})"
                )
        self._history: History | None = None
        self._progbar: Callback | None = None
        self._add_default_callbacks(add_history, add_progbar)
        self.set_model(model)
        self.set_params(params)

    def _add_default_callbacks(self, add_history: bool, add_progbar: bool) -> None:
        from .progbar_logger import ProgbarLogger

        for cb in self.callbacks:
            if isinstance(cb, ProgbarLogger):
                self._progbar = cb
            elif isinstance(cb, History):
                self._history = cb
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)

    def append(self, callback: Callback) -> None:
        self.callbacks.append(callback)

    def __iter__(self) -> Any:
        return iter(self.callbacks)

    def __len__(self) -> int:
        return len(self.callbacks)

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params
        if params:
            for cb in self.callbacks:
                cb.set_params(params)

    def set_model(self, model: Any) -> None:
        if model is None:
            return
        super().set_model(model)
        if self._history is not None:
            model.history = self._history
        for cb in self.callbacks:
            cb.set_model(model)

    @property
    def uses_batch_hooks(self) -> bool:
        return any(cb.uses_batch_hooks for cb in self.callbacks)

    @property
    def uses_test_batch_hooks(self) -> bool:
        return any(cb.uses_test_batch_hooks for cb in self.callbacks)

    @property
    def uses_predict_batch_hooks(self) -> bool:
        return any(cb.uses_predict_batch_hooks for cb in self.callbacks)

    def _call(self, hook: str, *args: Any) -> None:
        logs = pythonify_logs(args[-1])
        for cb in self.callbacks:
            getattr(cb, hook)(*args[:-1], logs)

    def on_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        self._call("on_batch_begin", batch, logs)

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        self._call("on_batch_end", batch, logs)

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        self._call("on_epoch_begin", epoch, logs)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        self._call("on_epoch_end", epoch, logs)

    def on_train_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        self._call("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        self._call("on_train_batch_end", batch, logs)

    def on_test_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        self._call("on_test_batch_begin", batch, logs)

    def on_test_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        self._call("on_test_batch_end", batch, logs)

    def on_predict_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        self._call("on_predict_batch_begin", batch, logs)

    def on_predict_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        self._call("on_predict_batch_end", batch, logs)

    def on_train_begin(self, logs: Logs | None = None) -> None:
        self._call("on_train_begin", logs)

    def on_train_end(self, logs: Logs | None = None) -> None:
        self._call("on_train_end", logs)

    def on_test_begin(self, logs: Logs | None = None) -> None:
        self._call("on_test_begin", logs)

    def on_test_end(self, logs: Logs | None = None) -> None:
        self._call("on_test_end", logs)

    def on_predict_begin(self, logs: Logs | None = None) -> None:
        self._call("on_predict_begin", logs)

    def on_predict_end(self, logs: Logs | None = None) -> None:
        self._call("on_predict_end", logs)


def _flatten(callbacks: Any) -> list[Callback]:
    if callbacks is None:
        return []
    if isinstance(callbacks, list | tuple):
        return [cb for item in callbacks for cb in _flatten(item)]
    return [callbacks]
