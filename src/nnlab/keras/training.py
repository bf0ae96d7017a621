"""The training loop of every Keras model, written once: ``compile``, ``fit``, ``evaluate``,
``predict``, built on the overridable steps ``train_step``, ``test_step`` and ``predict_step``.

One step of ``fit`` (``train_step(data)`` with ``data = (x, y)`` or ``(x, y, sample_weight)``)::

    y_pred = model(x, training=True)
    loss = model.compute_loss(x, y, y_pred, sample_weight)   # compiled losses + model.losses
    loss.backward()
    model.optimizer.apply(grads, model.trainable_weights)    # frozen layers are left alone
    return model.compute_metrics(x, y, y_pred, sample_weight)  # {'loss': ..., 'accuracy': ...}

Subclasses override these steps as in Keras's guide "Customizing what happens in fit()"; ``fit``
still does the batching, shuffling, callbacks, progress bar and validation. The logs a step
returns are the running means since the epoch began (metrics are stateful and reset each
epoch), so the logs of an epoch's last step are the epoch's values, as in Keras.

A softmax (sigmoid) last activation with a categorical (binary) cross-entropy is trained from the
pre-activation values through the engine's fused, stable op (see ``layers.core.logits_of``).

Divergence is reported, never silent: a non-finite batch loss stops training before that batch's
update; after the epoch's last update the weights, then the validation loss, are checked to be
finite. Each case issues a ``NonFiniteLossWarning`` naming the epoch, every time, and stops.
"""

from __future__ import annotations

import math
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from nnlab.autograd import Tensor, no_grad

from . import activations as activations_module
from . import losses as losses_module
from . import metrics as metrics_module
from . import optimizers as optimizers_module
from .callbacks import Callback, CallbackList, History
from .data import (
    ArrayBatches,
    Arrays,
    Batches,
    IteratorBatches,
    PyDataset,
    PyDatasetBatches,
    check_batch_size,
    check_inputs,
    class_weights_to_sample_weights,
    flatten_structure,
    is_batch_source,
    split_validation,
)
from .layers.base import _CONTEXT
from .layers.core import logits_of
from .progress import ProgressBar, print_epoch_header

__all__ = ["NonFiniteLossWarning", "Trainer", "unpack_x_y_sample_weight"]


class NonFiniteLossWarning(RuntimeWarning):
    """Training produced NaN or infinity: the loss of a batch, the weights after the last update
    of an epoch, or the validation loss at the end of an epoch; fit stopped."""


class _NonFiniteLoss(Exception):
    def __init__(self, value: float) -> None:
        self.value = value


_ADVICE = "Try a smaller learning rate, scale the inputs, or check them for NaN/inf."


def _warn(message: str, stacklevel: int) -> None:
    """``warnings.warn(message, NonFiniteLossWarning, stacklevel)``, shown every time it happens
    (a fresh registry per call: Python's default would show the same text from the same line
    once, so a notebook cell re-run would look clean). The user's filters still decide."""
    frame = sys._getframe(1)  # the caller; then up to stacklevel - 1 more, as far as there are
    for _ in range(stacklevel - 1):
        if frame.f_back is None:
            break
        frame = frame.f_back
    warnings.warn_explicit(
        message,
        NonFiniteLossWarning,
        frame.f_code.co_filename,
        frame.f_lineno,
        module=frame.f_globals.get("__name__", "<string>"),
        registry={},
        module_globals=frame.f_globals,
    )


def unpack_x_y_sample_weight(data: Any) -> tuple[Any, Any, Any]:
    """``(x, y, sample_weight)`` from a batch ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data[0], data[1], data[2]
    raise ValueError(f"data must be (x,), (x, y) or (x, y, sample_weight), got {len(data)} items")


def pack_x_y_sample_weight(x: Any, y: Any = None, sample_weight: Any = None) -> Any:
    """The batch ``unpack_x_y_sample_weight`` reads back: ``x`` alone (``(x,)`` when x is itself
    a tuple or list, so that it is not read as ``(x, y)``), ``(x, y)`` or ``(x, y, weights)``."""
    if y is None:
        return (x,) if isinstance(x, tuple | list) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def _value(x: Any) -> Any:
    """A metric's value for the logs: a float, or an array for a metric with several values
    (F1Score per class)."""
    data = np.asarray(x.data if isinstance(x, Tensor) else x)
    return float(data) if data.ndim == 0 else data


class _Mean:
    """A running weighted mean: the loss tracker (Keras's ``Mean(name='loss')``)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.total = 0.0
        self.count = 0.0

    def update_state(self, value: Any, sample_weight: Any = None) -> None:
        w = 1.0 if sample_weight is None else float(sample_weight)
        self.total += _value(value) * w
        self.count += w

    def result(self) -> float:
        return self.total / self.count if self.count else 0.0

    def reset_state(self) -> None:
        self.total = self.count = 0.0


class CompileMetrics:
    """The metrics given to ``compile``, per output; ``result()`` is a dict name -> value."""

    name = "compile_metrics"

    def __init__(self, per_output: list[list[Any]], names: list[list[str]]) -> None:
        self.per_output, self.names = per_output, names

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        ys, preds = _as_list(y_true), _as_list(y_pred)
        for metrics, y, p in zip(self.per_output, ys, preds, strict=False):
            for m in metrics:
                try:
                    m.update_state(y, p)
                except ValueError as err:
                    raise ValueError(
                        f"metric {m.name!r}: {err} (targets of shape {np.shape(y)}, "
                        f"predictions of shape {tuple(p.shape)})"
                    ) from None

    def result(self) -> dict[str, float]:
        return {
            name: _value(m.result())
            for metrics, names in zip(self.per_output, self.names, strict=True)
            for m, name in zip(metrics, names, strict=True)
        }

    def reset_state(self) -> None:
        for metrics in self.per_output:
            for m in metrics:
                m.reset_state()

    @property
    def metric_names(self) -> list[str]:
        return [n for names in self.names for n in names]

    @property
    def variables(self) -> list[Any]:
        """The state of every metric, output by output (Keras's ``CompileMetrics.variables``)."""
        return [v for metrics in self.per_output for m in metrics for v in m.variables]


def _as_list(x: Any) -> list[Any]:
    if isinstance(x, list | tuple):
        return list(x)
    if isinstance(x, dict):
        return list(x.values())
    return [x]


class _OutputCountError(ValueError):
    """compile's arguments name more or fewer outputs than the model has (so far)."""


def _per_output(spec: Any, names: list[str], what: str) -> list[Any]:
    """A compile argument spread over the outputs: one value, a list, or a dict by name."""
    if isinstance(spec, dict) and not (what == "loss" and "class_name" in spec):
        unknown = sorted(set(spec) - set(names))
        if unknown:
            raise ValueError(f"compile: {what} has keys {unknown} that are not outputs {names}")
        return [spec.get(n) for n in names]
    if isinstance(spec, list | tuple) and (what != "metrics" or len(names) > 1):
        # metrics: one entry per output when there are as many as outputs (Keras 3); a list of
        # another length, of metrics only, goes to every output (tf.keras 2's reading)
        if (
            what == "metrics"
            and len(spec) != len(names)
            and not any(isinstance(s, list | tuple | type(None)) for s in spec)
        ):
            return [list(spec)] * len(names)
        if len(spec) != len(names):
            raise _OutputCountError(
                f"compile: the model has {len(names)} outputs ({names}), got {len(spec)} {what}"
            )
        return list(spec)
    return [spec] * len(names)


def _logs(values: dict[str, Any]) -> dict[str, float]:
    """Plain floats, keys sorted (Keras 3's order), nested dicts flattened."""
    flat: dict[str, float] = {}
    for key, value in values.items():
        if isinstance(value, dict):
            flat.update({k: _value(v) for k, v in value.items()})
        else:
            flat[key] = _value(value)
    return dict(sorted(flat.items()))


class Trainer:
    """``compile``/``fit``/``evaluate``/``predict`` for ``Model`` (mixed into it)."""

    optimizer: Any = None
    loss: Any = None
    compiled_loss: list[Any] | None = None
    stop_training: bool = False
    history: History | None = None
    _compile_metrics: CompileMetrics | None = None
    _loss_tracker: _Mean | None = None
    _initial_epoch: int | None = None  # set by a callback (BackupAndRestore) to resume fit
    _compile_args: tuple[Any, Any, Any, Any] = (None, None, None, None)
    _compiled_for: list[str] | None = None  # the output names compile's arguments were spread on
    _inputs_from_data = False  # a subclassed model: its call gets the data's own structure

    # ------------------------------------------------------------------ compile
    def compile(
        self,
        optimizer: Any = "rmsprop",
        loss: Any = None,
        loss_weights: Any = None,
        metrics: Any = None,
        weighted_metrics: Any = None,
        run_eagerly: bool = False,
        steps_per_execution: int = 1,
        jit_compile: Any = "auto",
        auto_scale_loss: bool = True,
    ) -> None:
        """Choose the optimizer (name or object), the loss (name, object or function; one per
        output as a list or a dict by output name) and the metrics. Unknown names raise here.

        A subclassed model's outputs are known once it has run: its losses and metrics are
        spread over them again when the first data shows more outputs than compile saw."""
        self.optimizer = optimizers_module.get(optimizer)
        self._compile_args = (loss, loss_weights, metrics, weighted_metrics)
        self._loss_tracker = _Mean("loss")
        try:
            self._compile_outputs()
        except _OutputCountError:
            if self._outputs_known():
                raise
            # a subclassed model that has not run: spread at its first data (see _prepare)
            self.compiled_loss, self.loss, self._compile_metrics = None, loss, None
            self._compiled_for = []
        self.compiled = True

    def _input_names_for(self, x: Any) -> list[str]:
        """The model's input names, for the data ``x`` (a subclassed model takes its inputs'
        structure from the data)."""
        return self._input_names()

    def _outputs_known(self) -> bool:
        """Whether the number of outputs is known (a subclassed model's, once it has run)."""
        return True

    def _compile_outputs(self) -> None:
        """Spread compile's losses, loss weights and metrics over the outputs known now."""
        loss, loss_weights, metrics, weighted_metrics = self._compile_args
        names = self._output_names()
        self._compiled_for = names
        if loss is None:
            self.compiled_loss = None
        else:
            self.compiled_loss = [
                None if s is None else losses_module.get(s)
                for s in _per_output(loss, names, "loss")
            ]
        single = self.compiled_loss is not None and len(names) == 1
        self.loss = self.compiled_loss[0] if single else loss  # type: ignore[index]
        weights = (
            [1.0] * len(names)
            if loss_weights is None
            else _per_output(loss_weights, names, "loss_weights")
        )
        self._loss_weights = [1.0 if w is None else float(w) for w in weights]
        specs = _per_output(metrics, names, "metrics") if metrics is not None else []
        if weighted_metrics is not None:
            extra = _per_output(weighted_metrics, names, "metrics")
            specs = [
                list(a or []) + list(b or [])
                for a, b in zip(specs or [[]] * len(names), extra, strict=True)
            ]
        per_output: list[list[Any]] = []
        labels: list[list[str]] = []
        for i, spec in enumerate(specs):
            if spec is None:
                spec = []
            elif isinstance(spec, str) or not isinstance(spec, list | tuple):
                spec = [spec]
            loss_i = self.compiled_loss[i] if self.compiled_loss else None
            objs = [self._make_metric(m, loss_i) for m in spec]
            per_output.append(objs)
            prefix = f"{names[i]}_" if len(names) > 1 else ""
            labels.append([prefix + m.name for m in objs])
        flat = [n for ns in labels for n in ns]
        if len(set(flat)) != len(flat) or "loss" in flat:
            raise ValueError(f"compile: metric names must be distinct and not 'loss': {flat}")
        self._compile_metrics = CompileMetrics(per_output, labels) if flat else None
        self._output_loss_trackers = (
            [_Mean(f"{n}_loss") for n in names] if len(names) > 1 and self.compiled_loss else []
        )

    @staticmethod
    def _make_metric(spec: Any, loss: Any) -> Any:
        return metrics_module.get(spec, loss=loss)  # compile's rule for "accuracy"

    @property
    def compiled_metrics(self) -> list[Any]:
        """The metric objects given to ``compile`` (all outputs)."""
        cm = self._compile_metrics
        return [] if cm is None else [getattr(m, "metric", m) for ms in cm.per_output for m in ms]

    @property
    def metrics(self) -> list[Any]:
        """The loss tracker and the compiled metrics (what ``fit`` resets each epoch)."""
        out: list[Any] = []
        if self._loss_tracker is not None:
            out.append(self._loss_tracker)
        out.extend(getattr(self, "_output_loss_trackers", []))
        if self._compile_metrics is not None:
            out.append(self._compile_metrics)
        return out

    @property
    def metrics_names(self) -> list[str]:
        """'loss' then each metric's name: the order of ``evaluate``'s list."""
        names = [m.name for m in self.metrics if not isinstance(m, CompileMetrics)]
        if self._compile_metrics is not None:
            names += self._compile_metrics.metric_names
        return names

    def reset_metrics(self) -> None:
        for m in self.metrics:
            m.reset_state()

    def get_metrics_result(self) -> dict[str, float]:
        """The current value of every metric, by name (nested results flattened)."""
        out: dict[str, Any] = {}
        for m in self.metrics:
            value = m.result()
            if isinstance(value, dict):
                out.update(value)
            else:
                out[m.name] = value
        return _logs(out)

    def _require_compiled(self, where: str) -> None:
        if self.optimizer is None:
            raise RuntimeError(f"{where}: compile the model first (model.compile(optimizer, loss))")

    # ------------------------------------------------------------------ the steps
    def compute_loss(
        self,
        x: Any = None,
        y: Any = None,
        y_pred: Any = None,
        sample_weight: Any = None,
        training: bool = True,
    ) -> Tensor:
        """Σ_outputs loss_weight · loss(y, y_pred, sample_weight) + Σ model.losses (penalties)."""
        total: Any = None
        if self.compiled_loss is not None:
            ys, preds = _as_list(y), _as_list(y_pred)
            trackers = getattr(self, "_output_loss_trackers", [])
            for i, (loss, w) in enumerate(zip(self.compiled_loss, self._loss_weights, strict=True)):
                if loss is None:
                    continue
                term = _loss_value(loss, ys[i], preds[i], sample_weight)
                if trackers:
                    trackers[i].update_state(term, sample_weight=len(preds[i]))
                term = term if w == 1.0 else term * w
                total = term if total is None else total + term
        for extra in self.losses:  # type: ignore[attr-defined]
            total = extra if total is None else total + extra
        if total is None:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        return total

    def compute_metrics(
        self, x: Any, y: Any, y_pred: Any, sample_weight: Any = None
    ) -> dict[str, float]:
        """Update the compiled metrics with this batch; return every metric's current value."""
        if self._compile_metrics is not None:
            self._compile_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def train_step(self, data: Any) -> dict[str, float]:
        """One optimizer update on the batch ``data``; returns the metrics so far."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        last = self._deferrable_output_layer()
        if last is None:
            y_pred = self(x, training=True)  # type: ignore[operator]
        else:  # y_pred are the logits: nothing here reads the probabilities
            ctx = _CONTEXT
            ctx.deferred_activation = last
            try:
                y_pred = self(x, training=True)  # type: ignore[operator]
            finally:
                ctx.deferred_activation = None
        loss = self.compute_loss(x, y, y_pred, sample_weight, training=True)
        value = float(loss.data)
        assert self._loss_tracker is not None
        self._loss_tracker.update_state(value, sample_weight=_batch_size(x))
        if not math.isfinite(value):
            raise _NonFiniteLoss(value)
        weights = self.trainable_weights  # type: ignore[attr-defined]
        if loss.requires_grad and weights:
            for w in weights:
                w.grad = None
            loss.backward()
            self.optimizer.apply([w.grad for w in weights], weights)
            self._apply_constraints()
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data: Any) -> dict[str, float]:
        """Loss and metrics on the batch ``data`` (no update)."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)  # type: ignore[operator]
        loss = self.compute_loss(x, y, y_pred, sample_weight, training=False)
        assert self._loss_tracker is not None
        self._loss_tracker.update_state(loss, sample_weight=_batch_size(x))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data: Any) -> Any:
        """The model's output on the batch ``data``."""
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)  # type: ignore[operator]

    def _deferrable_output_layer(self) -> Any:
        """The output layer (a Dense with softmax or sigmoid) whose activation a training step
        may leave out, when only the loss reads the predictions and it is the matching
        cross-entropy, which computes from the logits anyway (fused): no compiled metrics,
        Keras's own compute_loss and compute_metrics, no activity regularizer on that layer.
        The loss and gradients are the same; the step skips computing unread probabilities."""
        loss = self.compiled_loss
        if self._compile_metrics is not None or not loss or len(loss) != 1:
            return None
        cls = type(self)
        if cls.compute_loss is not Trainer.compute_loss or (
            cls.compute_metrics is not Trainer.compute_metrics
        ):
            return None
        last = self._output_layer()
        fused = getattr(loss[0], "fused_activation", None)
        if (
            last is None
            or fused is None
            or getattr(loss[0], "from_logits", True)
            or last.activation is not getattr(activations_module, fused)
            or last.activity_regularizer is not None
        ):
            return None
        return last

    def _output_layer(self) -> Any:
        """The Dense layer that makes the model's only output, when the model's own call is a
        plain chain of layers (Sequential), else None."""
        return None

    def _apply_constraints(self) -> None:
        for layer in self._flatten_layers():  # type: ignore[attr-defined]
            if not layer._constraints:
                continue
            for w, constraint in layer._constraints:
                value = constraint(w)
                w.data[...] = value.data if isinstance(value, Tensor) else value

    # ------------------------------------------------------------------ data
    def _prepare(
        self,
        x: Any,
        y: Any,
        sample_weight: Any,
        where: str,
        class_weight: Any = None,
        need_y: bool = True,
    ) -> Arrays:
        """Check x (and y) against the model and convert them once."""
        if x is None:
            raise ValueError(f"{where}: x is required{self._all_optional_note()}")
        in_names = self._input_names_for(x)
        xs_raw = self._flatten_x(x, where)
        shapes = self._input_shapes()
        optional = self._optional_inputs()
        xs: list[Any] = []
        for i, a in enumerate(xs_raw):
            if a is None and optional is not None:  # Keras's optional inputs
                name, may_be_none = optional[i]
                if not may_be_none:
                    raise ValueError(
                        f"The input '{name}' is not optional, but None was passed. Please "
                        "provide a valid tensor."
                    )
                xs.append(None)
                continue
            xs.append(check_inputs(a, None if shapes is None else shapes[i], where, "x"))
        given = [a for a in xs if a is not None]
        if not given:
            raise ValueError(
                f"{where}: every input is None; fit, evaluate and predict take the number of "
                f"samples from x{self._all_optional_note()}"
            )
        if len({len(a) for a in given}) > 1:
            raise ValueError(f"{where}: all inputs must have the same number of samples")
        pack = self._batch_packer(x, in_names)
        self._build_for(xs, pack)
        if self._compiled_for is not None and self._output_names() != self._compiled_for:
            self._compile_outputs()  # a subclassed model's outputs, known from its first run
        ys: list[np.ndarray] | None = None
        if y is not None:
            out_names = self._output_names()
            ys_raw = flatten_structure(y, out_names, where, "output")
            for a in ys_raw:
                n_y = len(a) if hasattr(a, "__len__") else None
                if n_y != len(given[0]):
                    raise ValueError(
                        f"{where}: x and y must have the same number of samples, got "
                        f"{len(given[0])} and {n_y}"
                    )
            ys = [self._prepare_target(i, a, where) for i, a in enumerate(ys_raw)]
        elif need_y and self.compiled_loss is not None:
            raise ValueError(f"{where}: y (the targets) is required")
        sw = None
        if sample_weight is not None:
            sw = np.asarray(sample_weight, dtype=np.float32)
        if class_weight is not None:
            if sw is not None:
                raise ValueError(f"{where}: you cannot give class_weight and sample_weight")
            if ys is None or len(ys) != 1:
                raise ValueError(f"{where}: class_weight needs one output and targets y")
            sw = class_weights_to_sample_weights(ys[0], dict(class_weight))
        return Arrays(
            xs,
            ys,
            sw,
            len(in_names) == 1 and not isinstance(x, list | dict),
            len(self._output_names()) == 1 and not isinstance(y, list | dict),
            pack,
        )

    def _batch_packer(self, x: Any, names: list[str]) -> Callable[[list[Any]], Any] | None:
        """How a batch's input arrays (``names``, as ``_input_names_for(x)`` gives them) are
        handed to the model when there are several or x was a list or dict: None for a plain
        list."""
        return None

    def _prepare_target(self, i: int, y: Any, where: str) -> np.ndarray:
        loss = self.compiled_loss[i] if self.compiled_loss else None
        shapes = self._output_shapes()
        shape = None if shapes is None else shapes[i]
        if loss is not None and shape is not None and len(shape) == 2 and shape[1] is not None:
            prepare = getattr(loss, "prepare_targets", None)
            if prepare is not None:
                return prepare(y, shape[1], where)
        arr = y.data if isinstance(y, Tensor) else np.asarray(y)
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"{where}: targets must be numeric, got dtype {arr.dtype}")
        return arr if arr.dtype.kind in "iu" else np.ascontiguousarray(arr, dtype=np.float32)

    # ------------------------------------------------------------------ fit
    def fit(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        epochs: int = 1,
        verbose: int | str = "auto",
        callbacks: Sequence[Callback] | None = None,
        validation_split: float = 0.0,
        validation_data: Any = None,
        shuffle: bool = True,
        class_weight: dict[int, float] | None = None,
        sample_weight: Any = None,
        initial_epoch: int = 0,
        steps_per_epoch: int | None = None,
        validation_steps: int | None = None,
        validation_batch_size: int | None = None,
        validation_freq: int | Sequence[int] = 1,
    ) -> History:
        """Train for ``epochs`` passes over (x, y) in mini-batches of ``batch_size`` (32).

        ``validation_split`` holds out the LAST fraction of the samples (before shuffling);
        ``validation_data=(x_val, y_val[, sample_weight])`` (or a generator / ``PyDataset``)
        overrides it and is evaluated every ``validation_freq`` epochs. ``x`` may also be a
        generator of ``(x, y[, sample_weight])`` batches or a ``PyDataset`` (then y,
        ``batch_size`` and ``sample_weight`` are not given). ``steps_per_epoch`` batches make an
        epoch (continuing through the data across epochs). A callback that set
        ``model._initial_epoch`` in ``on_train_begin`` (``BackupAndRestore``) makes training
        resume from that epoch. With an optimizer ``use_ema=True``, the weights become their
        moving averages at the end. Returns the History ('loss', each metric, 'val_...').
        """
        verbose = _check_verbose(verbose, "fit")
        if isinstance(epochs, bool) or not isinstance(epochs, int | np.integer) or epochs < 0:
            raise ValueError(f"fit: epochs must be an integer >= 0, got {epochs!r}")
        if not 0 <= initial_epoch <= epochs:
            raise ValueError(f"fit: initial_epoch must be in [0, epochs], got {initial_epoch!r}")
        _check_steps(steps_per_epoch, "fit", "steps_per_epoch")
        _check_steps(validation_steps, "fit", "validation_steps")
        self._require_compiled("fit")
        if is_batch_source(x):
            _no_arrays_with_source(y, batch_size, sample_weight, "fit")
            if validation_split:
                raise ValueError(
                    "fit: validation_split is not supported for a generator or a "
                    "PyDataset; pass validation_data"
                )
            batch_size = check_batch_size(batch_size, "fit")
            batches = self._source_batches(x, shuffle, steps_per_epoch, "fit", class_weight)
        else:
            batch_size = check_batch_size(batch_size, "fit")
            data = self._prepare(x, y, sample_weight, "fit", class_weight)
            if validation_data is None and validation_split:
                data, split = split_validation(data, validation_split)
                validation_data = split
            rng = self._rng  # type: ignore[attr-defined]
            batches = ArrayBatches(data, batch_size, bool(shuffle), rng, steps_per_epoch)
        validation = validation_data  # None, a split (Arrays), a generator or a PyDataset
        if validation_data is not None and not (
            isinstance(validation_data, Arrays) or is_batch_source(validation_data)
        ):
            if not isinstance(validation_data, tuple | list) or len(validation_data) not in (2, 3):
                raise ValueError(
                    "fit: validation_data must be a tuple (x_val, y_val) or (x_val, y_val, "
                    "sample_weight_val), a generator or a PyDataset"
                )
            vx, vy, vsw = unpack_x_y_sample_weight(tuple(validation_data))
            validation = self._prepare(vx, vy, vsw, "fit(validation_data)")
        callback_list = _callback_list(
            callbacks,
            self,
            add_history=True,
            verbose=verbose,
            epochs=int(epochs),
            steps=batches.steps,
        )
        batches.reset()
        with self._frozen_layers():
            return self._fit_epochs(
                batches,
                epochs=int(epochs),
                verbose=verbose,
                callbacks=callback_list,
                validation=validation,
                initial_epoch=int(initial_epoch),
                validation_steps=validation_steps,
                validation_batch_size=check_batch_size(validation_batch_size or batch_size, "fit"),
                validation_freq=validation_freq,
            )

    def _source_batches(
        self,
        source: Any,
        shuffle: Any,
        steps: int | None,
        where: str,
        class_weight: Any = None,
        need_y: bool = True,
    ) -> Batches:
        """The batches of a generator or a PyDataset, each checked like ``fit``'s arrays."""

        def convert(batch: Any) -> tuple[Any, ...]:
            bx, by, bsw = unpack_x_y_sample_weight(batch)
            return self._prepare(bx, by, bsw, where, class_weight, need_y).batch(slice(None))

        if isinstance(source, PyDataset):
            rng = self._rng  # type: ignore[attr-defined]
            return PyDatasetBatches(source, convert, bool(shuffle), rng, steps)
        return IteratorBatches(source, convert, steps)

    def _frozen_layers(self) -> Any:
        """A context in which the model's layer list is computed once (see ``LayerCache``)."""
        import contextlib

        from .layers.base import LayerCache

        @contextlib.contextmanager
        def frozen() -> Any:
            cache = self.__dict__.get("_layer_cache")
            if cache is None:
                cache = self._layer_cache = LayerCache()
            if cache.layers is not None:  # already frozen by an outer loop (fit's validation)
                yield
                return
            cache.layers = self._flatten_layers()  # type: ignore[attr-defined]
            try:
                yield
            finally:
                cache.layers = None

        return frozen()

    def _fit_epochs(
        self,
        batches: Batches,
        *,
        epochs: int,
        verbose: int,
        callbacks: CallbackList,
        validation: Any,
        initial_epoch: int,
        validation_steps: int | None,
        validation_batch_size: int,
        validation_freq: Any,
    ) -> History:
        history = callbacks._history
        assert history is not None
        batch_hooks = callbacks.uses_batch_hooks  # else no batch logs are built
        self.stop_training = False
        self._initial_epoch = None
        callbacks.on_train_begin()
        initial_epoch = self._initial_epoch or initial_epoch
        epoch_logs: dict[str, Any] = {}
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            callbacks.on_epoch_begin(epoch)
            if verbose:
                print_epoch_header(epoch, epochs)
            steps = batches.steps
            bar = ProgressBar(steps or 0, verbose) if verbose else None
            logs: dict[str, Any] = {}
            diverged = False
            done = 0
            for step, batch in batches.epoch():
                if batch_hooks:
                    callbacks.on_train_batch_begin(step)
                try:
                    logs = self.train_step(batch)
                except _NonFiniteLoss as err:
                    logs = self.get_metrics_result()
                    done = step + 1
                    if batch_hooks:  # TerminateOnNaN sees the loss (and may raise)
                        callbacks.on_train_batch_end(step, logs)
                    _warn(
                        f"fit: the loss became {err.value} at epoch {epoch + 1}, batch "
                        f"{step + 1} of {steps or '?'}; training stopped before this batch's "
                        f"update (the weights are those after the previous batch). {_ADVICE}",
                        stacklevel=4,
                    )
                    self.stop_training = diverged = True
                    break
                done = step + 1
                if bar is not None and steps:
                    bar.update(done, lambda lg=logs: _logs(lg))  # type: ignore[misc]
                if batch_hooks:
                    callbacks.on_train_batch_end(step, _logs(logs))
                if self.stop_training:
                    break
            if done == 0:  # the data ran out (a generator): no epoch to report
                self.stop_training = True
                break
            epoch_logs = _logs(logs) if logs else self.get_metrics_result()
            where = None if diverged else self._first_non_finite_weight()
            if where is not None:
                _warn(
                    f"fit: the weights of {where} became NaN or infinite in the updates of epoch "
                    f"{epoch + 1}, though every batch loss was finite; training stopped. {_ADVICE}",
                    stacklevel=4,
                )
                self.stop_training = diverged = True
            if validation is not None and _validate_now(epoch, validation_freq):
                val = self._evaluate_data(
                    validation, validation_batch_size, callbacks, validation_steps
                )
                epoch_logs.update({f"val_{k}": v for k, v in val.items()})
                val_loss = val.get("loss", 0.0)
                if not diverged and not math.isfinite(val_loss):
                    _warn(
                        f"fit: the validation loss became {val_loss} at the end of epoch "
                        f"{epoch + 1} (the weights are finite); training stopped. {_ADVICE}",
                        stacklevel=4,
                    )
                    self.stop_training = True
            if bar is not None:
                bar.steps = bar.steps or done
                bar.finish(done, epoch_logs)
            callbacks.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        if epochs > 0 and hasattr(self.optimizer, "finalize_variable_values"):
            weights = self.trainable_weights  # type: ignore[attr-defined]
            self.optimizer.finalize_variable_values(weights)
        callbacks.on_train_end(epoch_logs)
        self._initial_epoch = None
        return history

    def _first_non_finite_weight(self) -> str | None:
        """Which weight holds a NaN or inf first (in ``get_weights`` order), or None."""
        for layer in self._flatten_layers():  # type: ignore[attr-defined]
            own = layer._trainable_weights + layer._non_trainable_weights
            for j, p in enumerate(own):
                if not np.isfinite(p.data).all():
                    return f"layer {layer.name!r} (weight {j}, shape {p.shape})"
        return None

    # ------------------------------------------------------------------ evaluate / predict
    def _evaluate_data(
        self,
        data: Any,
        batch_size: int,
        callbacks: CallbackList | None,
        steps: int | None = None,
    ) -> dict[str, Any]:
        """Loss and metrics over ``data`` (checked arrays, a generator or a PyDataset)."""
        if isinstance(data, Arrays):
            batches: Batches = ArrayBatches(data, batch_size, False, None, steps)
        else:
            batches = self._source_batches(data, False, steps, "evaluate")
        batches.reset()
        with self._frozen_layers():
            return self._evaluate_batches(batches, callbacks)

    def _evaluate_batches(self, batches: Batches, callbacks: CallbackList | None) -> dict[str, Any]:
        self.reset_metrics()
        batch_hooks = callbacks is not None and callbacks.uses_test_batch_hooks
        logs: dict[str, Any] = {}
        if callbacks is not None:
            callbacks.on_test_begin()
        with no_grad():
            for step, batch in batches.epoch():
                if batch_hooks:
                    callbacks.on_test_batch_begin(step)  # type: ignore[union-attr]
                logs = self.test_step(batch)
                if batch_hooks:
                    callbacks.on_test_batch_end(step, _logs(logs))  # type: ignore[union-attr]
        result = _logs(logs) if logs else self.get_metrics_result()
        if callbacks is not None:
            callbacks.on_test_end(result)
        return result

    def evaluate(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        verbose: int | str = "auto",
        sample_weight: Any = None,
        steps: int | None = None,
        callbacks: Sequence[Any] | None = None,
        return_dict: bool = False,
        **kwargs: Any,
    ) -> Any:
        """The loss (with the weight penalties) and metrics on (x, y) (or on the batches of a
        generator / PyDataset x, ``steps`` of them): a float without metrics, else
        ``[loss, *metrics]`` in ``metrics_names`` order (a dict with ``return_dict``)."""
        if kwargs:
            raise TypeError(f"evaluate: unexpected arguments {sorted(kwargs)}")
        verbose = _check_verbose(verbose, "evaluate")
        _check_steps(steps, "evaluate", "steps")
        self._require_compiled("evaluate")
        if is_batch_source(x):
            _no_arrays_with_source(y, batch_size, sample_weight, "evaluate")
            data: Any = x
            batch_size = 32
        else:
            batch_size = check_batch_size(batch_size, "evaluate")
            data = self._prepare(x, y, sample_weight, "evaluate")
        start = time.perf_counter()
        callback_list = _callback_list(callbacks, self, verbose=verbose)
        logs = self._evaluate_data(data, batch_size, callback_list, steps)
        if verbose:
            n_steps = steps or (math.ceil(data.n / batch_size) if isinstance(data, Arrays) else 0)
            bar = ProgressBar(n_steps, verbose)
            bar.start = start
            bar.finish(n_steps, logs)
        if return_dict:
            return logs
        values = [logs[name] for name in self.metrics_names if name in logs]
        return values[0] if len(values) == 1 else values

    def predict(
        self,
        x: Any,
        batch_size: int | None = None,
        verbose: int | str = "auto",
        steps: int | None = None,
        callbacks: Sequence[Any] | None = None,
    ) -> Any:
        """The model's output (after the last activation) for x (arrays, or the batches of a
        generator / PyDataset, ``steps`` of them), as float32 arrays (a list or dict for
        several outputs); computed in batches without building a graph."""
        verbose = _check_verbose(verbose, "predict")
        _check_steps(steps, "predict", "steps")
        if is_batch_source(x):
            _no_arrays_with_source(None, batch_size, None, "predict")
            batches = self._source_batches(x, False, steps, "predict", need_y=False)
        else:
            batch_size = check_batch_size(batch_size, "predict")
            data = self._prepare(x, None, None, "predict", need_y=False)
            batches = ArrayBatches(data, batch_size, False, None, steps)
        callback_list = _callback_list(callbacks, self, verbose=verbose)
        batch_hooks = callback_list.uses_predict_batch_hooks
        callback_list.on_predict_begin()
        start = time.perf_counter()
        chunks: list[Any] = []
        with no_grad(), self._frozen_layers():
            for step, batch in batches.epoch():
                if batch_hooks:
                    callback_list.on_predict_batch_begin(step)
                chunks.append(_to_numpy(self.predict_step(batch)))
                if batch_hooks:
                    callback_list.on_predict_batch_end(step, {"outputs": chunks[-1]})
        callback_list.on_predict_end()
        if verbose:
            bar = ProgressBar(len(chunks), verbose)
            bar.start = start
            bar.finish(len(chunks), {})
        if not chunks:
            raise ValueError("predict: the input gave no batch")
        return _concat(chunks)

    def predict_on_batch(self, x: Any) -> Any:
        with no_grad():
            return _to_numpy(self.predict_step((x,)))

    def train_on_batch(
        self,
        x: Any,
        y: Any = None,
        sample_weight: Any = None,
        class_weight: Any = None,
        return_dict: bool = False,
    ) -> Any:
        """One ``train_step`` on (x, y); the loss and metrics of that batch."""
        self._require_compiled("train_on_batch")
        data = self._prepare(x, y, sample_weight, "train_on_batch", class_weight)
        self.reset_metrics()
        logs = _logs(self.train_step(data.batch(slice(None))))
        return logs if return_dict else self._ordered(logs)

    def test_on_batch(
        self, x: Any, y: Any = None, sample_weight: Any = None, return_dict: bool = False
    ) -> Any:
        self._require_compiled("test_on_batch")
        data = self._prepare(x, y, sample_weight, "test_on_batch")
        self.reset_metrics()
        with no_grad():
            logs = _logs(self.test_step(data.batch(slice(None))))
        return logs if return_dict else self._ordered(logs)

    def _ordered(self, logs: dict[str, float]) -> Any:
        values = [logs[name] for name in self.metrics_names if name in logs]
        return values[0] if len(values) == 1 else values

    # ------------------------------------------------------------------ hooks for the model
    def _optional_inputs(self) -> list[tuple[str, bool]] | None:
        """(name, whether it may be None) per model input, in ``_flatten_x``'s order; None
        when the model has no optional inputs (a None input is then an error)."""
        return None

    def _all_optional_note(self) -> str:
        optional = self._optional_inputs()
        if optional and all(may_be_none for _, may_be_none in optional):
            return (
                " (the model's inputs are all optional, but give at least one as an array: "
                "it sets the number of samples)"
            )
        return ""

    def _flatten_x(self, x: Any, where: str) -> list[Any]:
        """One array per model input, in ``_input_names_for(x)`` order, from ``x`` as given."""
        return flatten_structure(x, self._input_names_for(x), where, "input")

    def _input_names(self) -> list[str]:
        raise NotImplementedError

    def _output_names(self) -> list[str]:
        raise NotImplementedError

    def _input_shapes(self) -> list[tuple[Any, ...]] | None:
        raise NotImplementedError

    def _output_shapes(self) -> list[tuple[Any, ...]] | None:
        raise NotImplementedError

    def _build_for(
        self, xs: list[np.ndarray], pack: Callable[[list[Any]], Any] | None = None
    ) -> None:
        raise NotImplementedError


def _loss_value(loss: Any, y: Any, y_pred: Any, sample_weight: Any) -> Tensor:
    """loss(y, y_pred), from the logits through the fused op when y_pred is their softmax or
    sigmoid and the loss is the matching cross-entropy."""
    fused = logits_of(y_pred)
    kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
    if fused is not None and not loss.from_logits and loss.fused_activation == fused[1]:
        return loss.logits_loss(y, fused[0], **kwargs)
    return loss(y, y_pred, **kwargs)


def _batch_size(x: Any) -> int:
    first = x
    while isinstance(first, list | tuple | dict):
        first = next(iter(first.values())) if isinstance(first, dict) else first[0]
    return len(first)


def _to_numpy(out: Any) -> Any:
    if isinstance(out, Tensor):
        return out.data
    if isinstance(out, list | tuple):
        return [_to_numpy(o) for o in out]
    if isinstance(out, dict):
        return {k: _to_numpy(v) for k, v in out.items()}
    return np.asarray(out)


def _concat(chunks: list[Any]) -> Any:
    first = chunks[0]
    if isinstance(first, list):
        return [_concat([c[i] for c in chunks]) for i in range(len(first))]
    if isinstance(first, dict):
        return {k: _concat([c[k] for c in chunks]) for k in first}
    out = np.concatenate(chunks, axis=0)
    return out.astype(np.float32, copy=False) if out.dtype.kind == "f" else out


def _validate_now(epoch: int, freq: Any) -> bool:
    if isinstance(freq, int | np.integer):
        return (epoch + 1) % int(freq) == 0
    return (epoch + 1) in set(freq)


def _callback_list(
    callbacks: Any, model: Any, add_history: bool = False, **params: Any
) -> CallbackList:
    """The callbacks given to fit/evaluate/predict as one ``CallbackList`` (one given as such is
    used as it is, with a History added for ``fit``), knowing the model and the ``params``."""
    if not isinstance(callbacks, CallbackList):
        return CallbackList(list(callbacks or []), add_history=add_history, model=model, **params)
    callbacks._add_default_callbacks(add_history, add_progbar=False)
    callbacks.set_model(model)
    callbacks.set_params(params)
    return callbacks


def _check_steps(steps: Any, where: str, name: str) -> None:
    if steps is not None and (
        isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 1
    ):
        raise ValueError(f"{where}: {name} must be a positive integer or None, got {steps!r}")


def _no_arrays_with_source(y: Any, batch_size: Any, sample_weight: Any, where: str) -> None:
    """A generator or a PyDataset gives whole batches: y, batch_size and sample_weight are
    part of them (Keras 3 refuses them too)."""
    for name, value in (("y", y), ("batch_size", batch_size), ("sample_weight", sample_weight)):
        if value is not None:
            raise ValueError(
                f"{where}: `{name}` must not be given when x is a generator or a PyDataset "
                "(its batches hold the targets and sample weights)"
            )


def _check_verbose(verbose: Any, where: str) -> int:
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2) or isinstance(verbose, bool):
        raise ValueError(f"{where}: verbose must be 0, 1, 2 or 'auto', got {verbose!r}")
    return int(verbose)
