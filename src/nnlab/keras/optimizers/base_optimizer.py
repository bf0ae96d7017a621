"""The Keras ``Optimizer`` base class: what happens around every optimizer's own update.

One step (``apply(grads, trainable_variables)`` or ``apply_gradients(zip(grads, variables))``),
in Keras 3's order, with η the learning rate at step t = ``iterations`` (a schedule is read at t):

1. gradients that are None are skipped; with ``loss_scale_factor`` s, g <- g / s;
2. with ``gradient_accumulation_steps`` k, gradients are summed and only every k-th call updates,
   with their mean;
3. clipping (at most one): ``clipnorm`` c: g <- g · c / max(‖g‖, c) per array;
   ``global_clipnorm`` c: every g <- g · c / max(‖(all g)‖, c);
   ``clipvalue`` c: g <- clip(g, -c, c);
4. decoupled weight decay λ (``weight_decay``, every optimizer): w <- w (1 - λ η);
5. the optimizer's own ``update_step`` (its formula, in place, state kept per parameter);
6. with ``use_ema``: average <- m · average + (1 - m) w (m = ``ema_momentum``, 0 at t = 0),
   and every ``ema_overwrite_frequency`` steps w <- average;
7. t <- t + 1.

State lives in ``self.state[parameter]`` (keyed by the parameter, never by list position), made on
the parameter's first update; ``variables`` lists it in Keras 3's order for saving.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from nnlab.autograd import Tensor, increment_version, no_grad
from nnlab.optim.base import check_learning_rate

from ..utils import unique_name
from . import schedules
from .optimizer_state import OptimizerState
from .scalars import IterationCount, LearningRateValue  # kvar

__all__ = ["Optimizer"]

LearningRate = float | schedules.LearningRateSchedule | Callable[[], float]


def _snake_case(name: str) -> str:
    """Keras's ``to_snake_case``: 'Adam' -> 'adam', 'AdamW' -> 'adam_w'."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _check_positive(cls: str, name: str, value: Any, allow_zero: bool = False) -> Any:
    if value is None:
        return None
    ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
    if not ok or not (value >= 0 if allow_zero else value > 0):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{cls}: `{name}` must be a number {bound} or None, got {value!r}")
    return float(value)


class Optimizer(OptimizerState):
    """Base class of the Keras optimizers (see the module docstring for one step).

    Subclasses set ``slot_groups`` (the names of their per-parameter state arrays, grouped as
    Keras creates them) and write ``update_step(gradient, variable, learning_rate)``.
    """

    _numpy_update = False  # True: update_step uses NumPy only (no graph to switch off)

    def __init__(
        self,
        learning_rate: LearningRate,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        use_ema: bool = False,
        ema_momentum: float = 0.99,
        ema_overwrite_frequency: int | None = None,
        loss_scale_factor: float | None = None,
        gradient_accumulation_steps: int | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        cls = type(self).__name__
        if "lr" in kwargs:  # the tf.keras 2 name
            learning_rate = kwargs.pop("lr")
        if kwargs.pop("decay", None) is not None:
            warnings.warn(
                "Argument `decay` is no longer supported and will be ignored.", stacklevel=2
            )
        if kwargs:
            raise ValueError(f"{cls}: argument(s) not recognized: {kwargs}")
        self.name = name if name is not None else unique_name(_snake_case(cls))
        self.weight_decay = _check_positive(cls, "weight_decay", weight_decay, allow_zero=True)
        self.clipnorm = _check_positive(cls, "clipnorm", clipnorm)
        self.clipvalue = _check_positive(cls, "clipvalue", clipvalue)
        self.global_clipnorm = _check_positive(cls, "global_clipnorm", global_clipnorm)
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}"
            )
        if not 0 <= ema_momentum <= 1:
            raise ValueError(f"{cls}: `ema_momentum` must be in [0, 1], got {ema_momentum!r}")
        if ema_overwrite_frequency is not None and (
            not isinstance(ema_overwrite_frequency, int) or ema_overwrite_frequency < 1
        ):
            raise ValueError(
                f"{cls}: `ema_overwrite_frequency` must be an integer >= 1 or None, "
                f"got {ema_overwrite_frequency!r}"
            )
        if gradient_accumulation_steps is not None and (
            not isinstance(gradient_accumulation_steps, int) or gradient_accumulation_steps < 2
        ):
            raise ValueError(
                f"{cls}: `gradient_accumulation_steps` must be an integer >= 2, "
                f"got {gradient_accumulation_steps!r}"
            )
        self.use_ema, self.ema_momentum = bool(use_ema), float(ema_momentum)
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = _check_positive(cls, "loss_scale_factor", loss_scale_factor)
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self._iterations = 0
        self._no_decay_ids: set[int] = set()
        self._no_decay_pattern: re.Pattern[str] | None = None
        self._learning_rate: LearningRate = 0.0
        self.learning_rate = learning_rate

    # ------------------------------------------------------------------ learning rate, steps
    # --- kvar: learning_rate / iterations answer Keras's variable API (.value, .numpy(), .assign)
    @property
    def learning_rate(self) -> LearningRateValue:
        """The learning rate of the next step (a schedule is evaluated at ``iterations``): a
        float that also has ``.value``, ``.numpy()`` and ``.assign(v)`` (Keras's variable)."""
        return LearningRateValue(self._current_learning_rate(), self)

    @learning_rate.setter
    def learning_rate(self, value: LearningRate) -> None:
        if isinstance(value, schedules.LearningRateSchedule) or callable(value):
            self._learning_rate = value
            return
        if isinstance(self._learning_rate, schedules.LearningRateSchedule):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as its "
                "`learning_rate` constructor argument, hence its learning rate is not settable. "
                "If you need the learning rate to be settable, you should instantiate the "
                "optimizer with a float `learning_rate` argument."
            )
        self._learning_rate = check_learning_rate(value, f"{type(self).__name__}: learning_rate")

    lr = learning_rate  # the tf.keras 2 name

    def _current_learning_rate(self) -> float:
        """The learning rate of the next step as a plain float (what the updates use)."""
        lr = self._learning_rate
        if isinstance(lr, schedules.LearningRateSchedule):
            return float(lr(self._iterations))
        if callable(lr):
            return float(lr())
        return lr

    @property
    def iterations(self) -> IterationCount:
        """Number of updates applied (with gradient accumulation: of accumulated updates); an
        int that also has ``.value``, ``.numpy()`` and ``.assign(n)``."""
        if self.gradient_accumulation_steps:
            return IterationCount(self._iterations // self.gradient_accumulation_steps, self)
        return IterationCount(self._iterations, self)

    @iterations.setter
    def iterations(self, value: int) -> None:
        self._iterations = int(value) * (self.gradient_accumulation_steps or 1)

    # --- kvar end

    # ------------------------------------------------------------------ one step
    def apply_gradients(self, grads_and_vars: Iterable[tuple[Any, Tensor]]) -> int:
        """One update from ``(gradient, parameter)`` pairs; returns the new ``iterations``."""
        pairs = list(grads_and_vars)
        if not pairs:
            return self.iterations
        grads, variables = zip(*pairs, strict=True)
        self.apply(list(grads), list(variables))
        return self.iterations

    def apply(
        self, grads: Sequence[Any], trainable_variables: Sequence[Tensor] | None = None
    ) -> None:
        """One update of ``trainable_variables`` (default: those already built) by ``grads``."""
        given = list(grads)
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must already be "
                    "built on a list of variables. Call `optimizer.build(trainable_variables)` "
                    "first."
                )
            variables = self._params
            if len(given) != len(variables):
                raise ValueError(
                    f"{type(self).__name__}: got {len(given)} gradients for the "
                    f"{len(variables)} variables the optimizer was built with"
                )
        else:
            variables = list(trainable_variables)
            if len(given) != len(variables):
                raise ValueError(
                    f"{type(self).__name__}: got {len(given)} gradients for "
                    f"{len(variables)} variables"
                )
            self._build_or_track(variables)
        if not variables:
            return
        as_gradient = self._as_gradient
        kept = [
            as_gradient(g, p, i)
            for i, (g, p) in enumerate(zip(given, variables, strict=True))
            if g is not None
        ]
        params = variables
        if len(kept) != len(variables):  # variables without a gradient stay as they are
            if not kept:
                raise ValueError(f"{type(self).__name__}: No gradients provided for any variable.")
            params = [p for g, p in zip(given, variables, strict=True) if g is not None]
            missing = [i for i, g in enumerate(given) if g is None]
            warnings.warn(
                f"Gradients do not exist for variables {missing} (by position) when minimizing "
                "the loss; they are left unchanged.",
                stacklevel=2,
            )
        self._apply(kept, params)
        self._apply_constraints(params)
        self._iterations += 1

    def _build_or_track(self, variables: list[Tensor]) -> None:
        """``build`` on the first update; later, fresh state for parameters not seen before."""
        if not self.built:
            self.build(variables)
        elif not all(map(self.state.__contains__, variables)):
            self._track(variables)

    def _as_gradient(self, g: Any, p: Tensor, i: int) -> np.ndarray:
        """``g`` as an array of ``p``'s shape and dtype (ValueError naming a shape mismatch)."""
        w = p.data
        if type(g) is np.ndarray and g.dtype == w.dtype and g.shape == w.shape:
            return g  # the usual case, checked first
        g = g.data if isinstance(g, Tensor) else np.asarray(g)
        if g.shape != w.shape:
            raise ValueError(
                f"{type(self).__name__}: gradient {i} has shape {g.shape} but its variable has "
                f"shape {w.shape}"
            )
        return g if g.dtype == w.dtype else g.astype(w.dtype)

    def _apply(self, grads: list[np.ndarray], params: list[Tensor]) -> None:
        """Steps 1-6 of the module docstring (the caller counts the step)."""
        if self.loss_scale_factor is not None:
            grads = [g / self.loss_scale_factor for g in grads]
        k = self.gradient_accumulation_steps
        if k:
            accumulators = [self.state[p]["gradient_accumulator"] for p in params]
            if (self._iterations + 1) % k:
                for a, g in zip(accumulators, grads, strict=True):
                    a += g
                self._update_average()
                return
            grads = [(g + a) / k for g, a in zip(grads, accumulators, strict=True)]
            for a in accumulators:
                a[...] = 0
        grads = self._clip_gradients(grads)
        learning_rate = self._current_learning_rate()  # kvar: a plain float
        self._apply_weight_decay(params, learning_rate)
        self._update_all(grads, params, learning_rate)
        self._update_average()

    # --- kvar: constraints
    def _apply_constraints(self, params: Sequence[Tensor]) -> None:
        """A variable with a ``constraint`` (a function w -> projected w, e.g. ``NonNeg``) is
        replaced by its projection after the update, as in Keras 3 (the constraint gets the
        values as an ndarray, so NumPy functions work in it as well as ``keras.ops``)."""
        for p in params:
            constraint = getattr(p, "constraint", None)
            if constraint is not None:
                with no_grad():
                    value = constraint(p.data)
                value = value.data if isinstance(value, Tensor) else np.asarray(value)
                if value.shape != p.shape:
                    raise ValueError(
                        f"{type(self).__name__}: the constraint of variable "
                        f"{getattr(p, 'path', '?')!r} returned shape {value.shape}, expected "
                        f"{p.shape}"
                    )
                if value is not p.data:
                    p.data[...] = value
                    self._updated(p)

    # --- kvar end

    def scale_loss(self, loss: Any) -> Any:
        """``loss · loss_scale_factor`` when one is set (the gradients are divided back)."""
        return loss if self.loss_scale_factor is None else loss * self.loss_scale_factor

    def _update_all(
        self, grads: list[np.ndarray], params: list[Tensor], learning_rate: float
    ) -> None:
        update_step = self.update_step
        if self._numpy_update:
            for g, p in zip(grads, params, strict=True):
                update_step(g, p, learning_rate)
        else:
            with no_grad():  # a user's update_step written with Tensor ops records no graph
                for g, p in zip(grads, params, strict=True):
                    update_step(g, p, learning_rate)
        increment_version(params)  # modified in place: older graphs may not use them

    def update_step(self, gradient: np.ndarray, variable: Tensor, learning_rate: float) -> None:
        """Update ``variable.data`` in place from ``gradient`` (the optimizer's formula)."""
        raise NotImplementedError

    def _clip_gradients(self, grads: Sequence[np.ndarray]) -> list[np.ndarray]:
        """The gradients clipped as configured (new arrays; the inputs are never modified)."""
        if self.clipnorm:
            c = self.clipnorm
            return [g * (c / max(float(np.sqrt(np.sum(np.square(g)))), c)) for g in grads]
        if self.global_clipnorm:
            c = self.global_clipnorm
            norm = float(np.sqrt(sum(float(np.sum(np.square(g))) for g in grads)))
            scale = c / max(norm, c) if not np.isnan(norm) else float("nan")
            return [g * scale for g in grads]
        if self.clipvalue:
            c = self.clipvalue
            return [np.clip(g, -c, c) for g in grads]
        return list(grads)

    # ------------------------------------------------------------------ weight decay, EMA
    def exclude_from_weight_decay(
        self, var_list: Sequence[Tensor] | None = None, var_names: Sequence[str] | None = None
    ) -> None:
        """Leave out of weight decay the parameters in ``var_list`` and those whose ``name``
        contains one of ``var_names``."""
        self._no_decay_ids = {id(p) for p in var_list or ()}
        self._no_decay_pattern = (
            re.compile("|".join(map(re.escape, var_names))) if var_names else None
        )

    def _use_weight_decay(self, p: Tensor) -> bool:
        if id(p) in self._no_decay_ids:
            return False
        name = getattr(p, "name", None)
        pattern = self._no_decay_pattern
        return not (pattern is not None and isinstance(name, str) and pattern.search(name))

    def _apply_weight_decay(self, params: Sequence[Tensor], learning_rate: float) -> None:
        if self.weight_decay is None:
            return
        factor = 1 - self.weight_decay * learning_rate
        for p in params:
            if self._use_weight_decay(p):
                p.data *= factor

    def _update_average(self) -> None:
        if not self.use_ema:
            return
        m = self.ema_momentum if self.iterations != 0 else 0.0
        for p in self._params:
            average = self.state[p]["average"]
            average *= m
            average += (1 - m) * p.data
        freq = self.ema_overwrite_frequency
        if freq and (self.iterations + 1) % freq == 0:
            self.finalize_variable_values(self._params)

    def finalize_variable_values(self, var_list: Sequence[Tensor]) -> None:
        """With ``use_ema``, overwrite the parameters with their moving averages (those the
        optimizer has updated; ``fit`` calls this at its end, as Keras 3 does)."""
        if self.use_ema:
            for p in var_list:
                if p in self.state:
                    p.data[...] = self.state[p]["average"]
                    self._updated(p)

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict[str, Any]:
        """Keras 3's config keys: enough to rebuild the optimizer (without its state)."""
        lr = self._learning_rate
        if isinstance(lr, schedules.LearningRateSchedule):
            learning_rate: Any = schedules.serialize(lr)
        elif callable(lr):
            learning_rate = lr
        else:
            learning_rate = lr
        return {
            "name": self.name,
            "learning_rate": learning_rate,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None
    ) -> Optimizer:
        """The optimizer ``get_config`` describes (a schedule given as a dict is rebuilt)."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"], custom_objects)
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(
            f"{k}={v!r}" for k, v in self.get_config().items() if v is not None and k != "name"
        )
        return f"{type(self).__name__}({args})"
