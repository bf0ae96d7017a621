"""The loops behind ``Sequential.fit`` and ``Sequential.evaluate``.

One epoch: draw a permutation of the N samples (if ``shuffle``), then for each of the
ceil(N / batch_size) batches gather the rows with one fancy index, run the forward pass (the
last activation folded into the loss when they fuse), check the loss is finite, back-propagate,
and let the optimizer update the weights in place. The loss and metrics of the epoch are running
sums of per-sample values kept as Python floats; the reported values are those sums divided by the
samples seen (so 'loss' is the mean training loss over the epoch, as in Keras).

Divergence is reported, never silent: a non-finite batch loss stops training before that batch's
update; after the epoch's last update the weights, then the validation loss, are checked to be
finite (an update can overflow to inf with a finite loss, e.g. ``SGD(learning_rate=1e308)``).
Each case issues a ``NonFiniteLossWarning`` naming the epoch, every time it happens, and stops.
"""

from __future__ import annotations

import math
import sys
import time
import warnings
from typing import TYPE_CHECKING

import numpy as np

from nnlab.autograd import Tensor, no_grad

from .callbacks import Callback, History
from .progress import ProgressBar, print_epoch_header

if TYPE_CHECKING:
    from .models import Sequential

__all__ = ["NonFiniteLossWarning", "evaluate_arrays", "run_evaluate", "run_fit"]


class NonFiniteLossWarning(RuntimeWarning):
    """Training produced NaN or infinity: the loss of a batch, the weights after the last update
    of an epoch, or the validation loss at the end of an epoch; fit stopped."""


_ADVICE = "Try a smaller learning rate, scale the inputs, or check them for NaN/inf."


def _warn(message: str, stacklevel: int) -> None:
    """``warnings.warn(message, NonFiniteLossWarning, stacklevel)``, shown every time it happens.

    Python's default action shows a warning once per text and code line (it remembers it in the
    caller's ``__warningregistry__``), so a second ``fit`` that diverged the same way would say
    nothing: in a notebook, re-running a cell would look like a clean run. Here that memory is a
    fresh dict on each call; the filters still decide (``-W error``, ``simplefilter("ignore")``
    and ``"once"`` behave as usual). Keras's ``TerminateOnNaN`` likewise prints every time.
    """
    frame = sys._getframe(stacklevel)  # the frame warnings.warn(stacklevel=...) would blame
    warnings.warn_explicit(
        message,
        NonFiniteLossWarning,
        frame.f_code.co_filename,
        frame.f_lineno,
        module=frame.f_globals.get("__name__", "<string>"),
        registry={},
        module_globals=frame.f_globals,
    )


def _first_non_finite_weight(model: Sequential) -> str | None:
    """Which weight holds a NaN or inf first (in ``get_weights`` order), or None."""
    for layer in model.layers:
        for j, p in enumerate(layer.parameters):
            if not np.isfinite(p.data).all():
                return f"layer {layer.name!r} (weight {j}, shape {p.shape})"
    return None


def _logs(names: list[str], sums: list[float], seen: int) -> dict[str, float]:
    return {name: s / seen for name, s in zip(names, sums, strict=True)}


def evaluate_arrays(
    model: Sequential, x: np.ndarray, y: np.ndarray, batch_size: int
) -> dict[str, float]:
    """Loss (with the weight penalty) and metrics over (x, y), without building a graph."""
    fns, out_act, loss_fn = model._pipeline(training=False)
    metrics = model._resolved_metrics
    sums = [0.0] * (1 + len(metrics))
    with no_grad():
        for start in range(0, len(x), batch_size):
            xb, yb = x[start : start + batch_size], y[start : start + batch_size]
            h = Tensor(xb)
            for f in fns:
                h = f(h)
            n = len(xb)
            sums[0] += float(loss_fn(yb, h).data) * n
            for j, metric in enumerate(metrics, 1):
                sums[j] += metric.batch_total(yb, h.data, out_act)
        penalty = model._regularization()
        extra = float(penalty.data) if penalty is not None else 0.0
    logs = _logs(model.metrics_names, sums, len(x))
    logs["loss"] += extra
    return logs


def run_fit(
    model: Sequential,
    x: np.ndarray,
    y: np.ndarray,
    *,
    batch_size: int,
    epochs: int,
    verbose: int,
    callbacks: list[Callback],
    validation: tuple[np.ndarray, np.ndarray] | None,
    shuffle: bool,
    initial_epoch: int,
) -> History:
    """Train ``model`` on checked arrays; see ``Sequential.fit``."""
    n = len(x)
    steps = math.ceil(n / batch_size)
    history = History()
    all_callbacks = [*callbacks, history]
    params = {"verbose": verbose, "epochs": epochs, "steps": steps}
    for cb in all_callbacks:
        cb.set_model(model)
        cb.set_params(params)
    batch_cbs = [cb for cb in all_callbacks if cb.uses_batch_hooks]
    names = model.metrics_names
    metrics = model._resolved_metrics
    weights = model._parameters()
    optimizer = model.optimizer
    assert optimizer is not None
    rng = model._rng
    fns, out_act, loss_fn = model._pipeline(training=True)
    regularization = model._regularization if model._has_regularizers() else None
    model.stop_training = False
    model.history = history

    for cb in all_callbacks:
        cb.on_train_begin({})
    epoch_logs: dict[str, float] = {}
    for epoch in range(initial_epoch, epochs):
        if model.stop_training:
            break
        for cb in all_callbacks:
            cb.on_epoch_begin(epoch, {})
        if verbose:
            print_epoch_header(epoch, epochs)
        bar = ProgressBar(steps, verbose) if verbose else None
        order = rng.permutation(n) if shuffle else np.arange(n)
        sums = [0.0] * (1 + len(metrics))
        seen = 0
        batch = 0
        diverged = False
        for batch in range(steps):
            idx = order[batch * batch_size : (batch + 1) * batch_size]
            if batch_cbs:
                for cb in batch_cbs:
                    cb.on_train_batch_begin(batch, {"batch": batch, "size": len(idx)})
            xb, yb = x[idx], y[idx]
            h = Tensor(xb)
            for f in fns:
                h = f(h)
            loss = loss_fn(yb, h)
            if regularization is not None:
                loss = loss + regularization()
            value = float(loss.data)
            nb = len(idx)
            seen += nb
            sums[0] += value * nb
            if not math.isfinite(value):
                _warn(
                    f"fit: the loss became {value} at epoch {epoch + 1}, batch {batch + 1} of "
                    f"{steps}; training stopped before this batch's update (the weights are "
                    f"those after the previous batch). {_ADVICE}",
                    stacklevel=3,
                )
                model.stop_training = diverged = True
                break
            for p in weights:
                p.grad = None
            loss.backward()
            optimizer.apply(weights)
            z = h.data
            for j, metric in enumerate(metrics, 1):
                sums[j] += metric.batch_total(yb, z, out_act)
            if bar is not None:
                bar.update(batch + 1, lambda s=sums, k=seen: _logs(names, s, k))  # type: ignore[misc]
            if batch_cbs:
                logs = _logs(names, sums, seen)
                for cb in batch_cbs:
                    cb.on_train_batch_end(batch, logs)
            if model.stop_training:
                break
        epoch_logs = _logs(names, sums, seen)
        where = None if diverged else _first_non_finite_weight(model)
        if where is not None:
            _warn(
                f"fit: the weights of {where} became NaN or infinite in the updates of epoch "
                f"{epoch + 1}, though every batch loss was finite; training stopped. {_ADVICE}",
                stacklevel=3,
            )
            model.stop_training = diverged = True
        if validation is not None:
            val = evaluate_arrays(model, validation[0], validation[1], batch_size)
            epoch_logs.update({f"val_{k}": v for k, v in val.items()})
            if not diverged and not math.isfinite(val["loss"]):
                _warn(
                    f"fit: the validation loss became {val['loss']} at the end of epoch "
                    f"{epoch + 1} (the weights are finite); training stopped. {_ADVICE}",
                    stacklevel=3,
                )
                model.stop_training = True
        if bar is not None:
            bar.finish(batch + 1, epoch_logs)
        for cb in all_callbacks:
            cb.on_epoch_end(epoch, epoch_logs)
    for cb in all_callbacks:
        cb.on_train_end(epoch_logs)
    return history


def run_evaluate(
    model: Sequential, x: np.ndarray, y: np.ndarray, batch_size: int, verbose: int
) -> dict[str, float]:
    """``evaluate`` with Keras's one-line report when ``verbose``."""
    start = time.perf_counter()
    logs = evaluate_arrays(model, x, y, batch_size)
    if verbose:
        steps = math.ceil(len(x) / batch_size)
        bar = ProgressBar(steps, verbose)
        bar.start = start
        bar.finish(steps, logs)
    return logs
