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

from nnlab.autograd import Tensor
from nnlab.optim.base import OptimizerBase, check_learning_rate

from . import schedules

__all__ = ["Optimizer"]

LearningRate = float | schedules.LearningRateSchedule | Callable[[], float]


def _snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z][a-z])", "_", name).lower()


def _check_positive(cls: str, name: str, value: Any, allow_zero: bool = False) -> Any:
    if value is None:
        return None
    ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
    if not ok or not (value >= 0 if allow_zero else value > 0):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{cls}: `{name}` must be a number {bound} or None, got {value!r}")
    return float(value)


class Optimizer(OptimizerBase):
    """Base class of the Keras optimizers (see the module docstring for one step).

    Subclasses set ``slot_groups`` (the names of their per-parameter state arrays, grouped as
    Keras creates them) and write ``update_step(gradient, variable, learning_rate)``.
    """

    slot_groups: tuple[tuple[str, ...], ...] = ()
    _scalar_variables: tuple[str, ...] = ()  # optimizer-wide state saved after the slots

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
        self.name = name if name is not None else _snake_case(cls)
        self.weight_decay = _check_positive(cls, "weight_decay", weight_decay, allow_zero=True)
        self.clipnorm = _check_positive(cls, "clipnorm", clipnorm)
        self.clipvalue = _check_positive(cls, "clipvalue", clipvalue)
        self.global_clipnorm = _check_positive(cls, "global_clipnorm", global_clipnorm)
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                f"{cls}: only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
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
        self._params: list[Tensor] = []  # every parameter with state, in first-seen order
        self._no_decay_ids: set[int] = set()
        self._no_decay_pattern: re.Pattern[str] | None = None
        self._learning_rate: LearningRate = 0.0
        self.learning_rate = learning_rate

    # ------------------------------------------------------------------ learning rate, steps
    @property
    def learning_rate(self) -> float:
        """The learning rate of the next step (a schedule is evaluated at ``iterations``)."""
        lr = self._learning_rate
        if isinstance(lr, schedules.LearningRateSchedule):
            return float(lr(self._iterations))
        if callable(lr):
            return float(lr())
        return lr

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

    @property
    def iterations(self) -> int:
        """Number of updates applied (with gradient accumulation: of accumulated updates)."""
        if self.gradient_accumulation_steps:
            return self._iterations // self.gradient_accumulation_steps
        return self._iterations

    @iterations.setter
    def iterations(self, value: int) -> None:
        self._iterations = int(value) * (self.gradient_accumulation_steps or 1)

    # ------------------------------------------------------------------ state
    @property
    def built(self) -> bool:
        """Whether the optimizer holds state for some parameters."""
        return bool(self._params)

    def build(self, variables: Sequence[Tensor]) -> None:
        """Create the state of ``variables`` now (it is otherwise made at their first update)."""
        for i, p in enumerate(variables):
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"{type(self).__name__}: variable {i} is a {type(p).__name__}, not a "
                    "Parameter (nnlab Tensor)"
                )
            if p not in self.state:
                self._state(p)

    def _init_state(self, p: Tensor) -> dict[str, Any]:
        self._params.append(p)
        state = {
            name: np.full_like(p.data, self._slot_initial_value(name))
            for group in self.slot_groups
            for name in group
        }
        if self.use_ema:
            state["average"] = np.zeros_like(p.data)
        if self.gradient_accumulation_steps:
            state["gradient_accumulator"] = np.zeros_like(p.data)
        return state

    def _slot_initial_value(self, name: str) -> float:
        return 0.0

    @property
    def slot_names(self) -> tuple[str, ...]:
        """The per-parameter state arrays of this optimizer's update, in Keras's order."""
        return tuple(name for group in self.slot_groups for name in group)

    @property
    def slots(self) -> dict[str, list[np.ndarray]]:
        """Slot name -> one (live) array per parameter, in the order the parameters were seen."""
        return {name: [self.state[p][name] for p in self._params] for name in self.slot_names}

    def _variable_refs(self) -> list[tuple[Tensor | None, str]]:
        """(parameter, slot) for every array of ``variables``, in Keras 3's order."""
        refs: list[tuple[Tensor | None, str]] = [(None, "iterations")]
        if not callable(self._learning_rate):
            refs.append((None, "learning_rate"))
        for extra in (("average",) if self.use_ema else ()) + (
            ("gradient_accumulator",) if self.gradient_accumulation_steps else ()
        ):
            refs += [(p, extra) for p in self._params]
        for group in self.slot_groups:
            refs += [(p, name) for p in self._params for name in group]
        refs += [(None, attr) for attr in self._scalar_variables]
        return refs

    @property
    def variables(self) -> list[np.ndarray]:
        """All state as arrays, in Keras 3's order: the step count, the learning rate (unless a
        schedule), the EMA averages, the gradient accumulators, then each slot group per
        parameter (e.g. Adam: m₀, v₀, m₁, v₁, ...). Slot arrays are the live state."""
        out = []
        for p, name in self._variable_refs():
            if p is not None:
                out.append(self.state[p][name])
            elif name == "iterations":
                out.append(np.array(self._iterations, dtype=np.int64))
            elif name == "learning_rate":
                out.append(np.array(self.learning_rate, dtype=np.float32))
            else:
                out.append(np.array(getattr(self, name), dtype=np.float32))
        return out

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Overwrite all state from arrays in ``variables`` order (the optimizer must be built)."""
        refs = self._variable_refs()
        if not self.built or len(weights) != len(refs):
            raise ValueError(
                f"{type(self).__name__}.set_weights: expected {len(refs)} arrays (the optimizer "
                f"must be built first, e.g. optimizer.build(model.trainable_weights)), got "
                f"{len(weights)}"
            )
        for (p, name), value in zip(refs, weights, strict=True):
            value = np.asarray(value)
            if p is not None:
                dst = self.state[p][name]
                if dst.shape != value.shape:
                    raise ValueError(
                        f"{type(self).__name__}.set_weights: state {name!r} has shape "
                        f"{dst.shape}, got {value.shape}"
                    )
                dst[...] = value
            elif name == "iterations":
                self._iterations = int(value)
            elif name == "learning_rate":
                self.learning_rate = float(value)
            else:
                setattr(self, name, float(value))

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
        """One update of ``trainable_variables`` (default: those already built) by ``grads``.

        The older form ``apply(params)`` (parameters only, gradients read from ``p.grad``) is
        still accepted, for the training loop of the first version.
        """
        grads = list(grads)
        if trainable_variables is None:
            if grads and all(isinstance(g, Tensor) and g.requires_grad for g in grads):
                params = grads
                pairs = [(p.grad, p) for p in params]
            else:
                if not self.built:
                    raise ValueError(
                        "When passing `grads` without `variables`, the optimizer must already be "
                        "built on a list of variables. Call `optimizer.build(trainable_variables)` "
                        "first."
                    )
                if len(grads) != len(self._params):
                    raise ValueError(
                        f"{type(self).__name__}: got {len(grads)} gradients for the "
                        f"{len(self._params)} variables the optimizer was built with"
                    )
                pairs = list(zip(grads, self._params, strict=True))
        else:
            variables = list(trainable_variables)
            if len(grads) != len(variables):
                raise ValueError(
                    f"{type(self).__name__}: got {len(grads)} gradients for "
                    f"{len(variables)} variables"
                )
            self.build(variables)
            pairs = list(zip(grads, variables, strict=True))
        if not pairs:
            return
        pairs = [(self._as_gradient(g, p, i), p) for i, (g, p) in enumerate(pairs) if g is not None]
        if not pairs:
            raise ValueError(f"{type(self).__name__}: no gradients provided for any variable.")
        self._apply([g for g, _ in pairs], [p for _, p in pairs])
        self._iterations += 1

    def _as_gradient(self, g: Any, p: Tensor, i: int) -> np.ndarray:
        if isinstance(p, Tensor) and p not in self.state:
            self.build([p])
        g = g.data if isinstance(g, Tensor) else np.asarray(g)
        if g.shape != p.data.shape:
            raise ValueError(
                f"{type(self).__name__}: gradient {i} has shape {g.shape} but its variable has "
                f"shape {p.data.shape}"
            )
        return g if g.dtype == p.data.dtype else g.astype(p.data.dtype)

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
        learning_rate = self.learning_rate
        self._apply_weight_decay(params, learning_rate)
        self._update_all(grads, params, learning_rate)
        self._update_average()

    def _update_all(
        self, grads: list[np.ndarray], params: list[Tensor], learning_rate: float
    ) -> None:
        for g, p in zip(grads, params, strict=True):
            self.update_step(g, p, learning_rate)
            self._updated(p)

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
        """With ``use_ema``, overwrite the parameters with their moving averages."""
        if self.use_ema:
            for p in var_list:
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
