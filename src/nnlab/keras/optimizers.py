"""Keras optimizers: Keras's names, defaults and update formulas (tf.keras 2), applied in place.

With gradient g of the loss for a parameter p, learning rate lr and step count t = 1, 2, ...:

- ``SGD(learning_rate=0.01, momentum=0.0, nesterov=False)``:
  without momentum p <- p - lr g; with momentum v <- μ v - lr g, then p <- p + v, or with
  Nesterov p <- p + μ v - lr g.
- ``Adam(0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)``:
  m <- β₁ m + (1 - β₁) g;  v <- β₂ v + (1 - β₂) g²;  α_t = lr √(1 - β₂ᵗ) / (1 - β₁ᵗ);
  p <- p - α_t m / (√v + ε)   (Keras's "epsilon hat": ε is added after the bias correction).
- ``RMSprop(0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False)``:
  v <- ρ v + (1 - ρ) g²;  Δ = lr g / (√v + ε) (centered: √(v - ḡ²) with ḡ <- ρ ḡ + (1 - ρ) g);
  p <- p - Δ, or with momentum m <- μ m + Δ, p <- p - m.
- ``Adagrad(0.001, initial_accumulator_value=0.1, epsilon=1e-7)``:
  a <- a + g²;  p <- p - lr g / (√a + ε).

Each accepts ``learning_rate=`` or the old ``lr=`` alias; ``optimizer.learning_rate`` may be changed
between steps (callbacks do). Arithmetic stays float32: state and scratch buffers are allocated
once per parameter and updated with in-place ufuncs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from nnlab.autograd import Tensor, increment_version
from nnlab.optim.optimizer import check_learning_rate

__all__ = ["SGD", "Adagrad", "Adam", "Optimizer", "RMSprop", "get"]


class Optimizer:
    """Base class. ``apply(params)`` updates every parameter that has a ``grad``, in place.

    State (``slots``: name -> one array per parameter) is created on the first ``apply``.
    """

    slot_names: tuple[str, ...] = ()

    def __init__(self, learning_rate: float, **kwargs: Any) -> None:
        if "lr" in kwargs:
            learning_rate = kwargs.pop("lr")
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unexpected arguments {sorted(kwargs)}")
        self.learning_rate = learning_rate
        self.iterations = 0
        self.slots: dict[str, list[np.ndarray]] = {}
        self._scratch: list[np.ndarray] = []

    @property
    def learning_rate(self) -> float:
        return self._lr

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self._lr = check_learning_rate(value, f"{type(self).__name__}: learning_rate")

    lr = learning_rate  # the old Keras name

    def build(self, params: Sequence[Tensor]) -> None:
        """Allocate the state for ``params`` (zeros unless a subclass says otherwise)."""
        self.slots = {
            name: [np.full_like(p.data, self._slot_init(name)) for p in params]
            for name in self.slot_names
        }
        self._scratch = [np.empty_like(p.data) for p in params]

    def _slot_init(self, name: str) -> float:
        return 0.0

    def apply(self, params: Sequence[Tensor]) -> None:
        """One update of ``params`` from their ``.grad`` (parameters without one are skipped)."""
        if len(self._scratch) != len(params):
            self.build(params)
        self.iterations += 1
        for i, p in enumerate(params):
            if p.grad is not None:
                self._update(i, p.data, p.grad)
                increment_version(p)  # a graph recorded before this step may not use p again

    def _update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, plus ``name`` (the class): enough to rebuild it."""
        return {"name": type(self).__name__, "learning_rate": self.learning_rate}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """Stochastic gradient descent with optional (Nesterov) momentum; see the module docstring."""

    def __init__(
        self,
        learning_rate: float = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        if not 0 <= momentum <= 1:
            raise ValueError(f"SGD: momentum must be in [0, 1], got {momentum!r}")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)
        self.slot_names = ("momentum",) if self.momentum else ()

    def _update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        s = np.multiply(g, self._lr, out=self._scratch[i])  # lr g
        if not self.momentum:
            p -= s
            return
        v = self.slots["momentum"][i]
        v *= self.momentum
        v -= s
        if self.nesterov:
            p -= s
            p += self.momentum * v
        else:
            p += v

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    """Adam with Keras's bias-corrected step size and ε outside the square root."""

    slot_names = ("m", "v")

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        for name, b in (("beta_1", beta_1), ("beta_2", beta_2)):
            if not 0 <= b < 1:
                raise ValueError(f"Adam: {name} must be in [0, 1), got {b!r}")
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)

    def _update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        b1, b2, t = self.beta_1, self.beta_2, self.iterations
        alpha = self._lr * math.sqrt(1 - b2**t) / (1 - b1**t)
        m, v, s = self.slots["m"][i], self.slots["v"][i], self._scratch[i]
        m *= b1
        m += (1 - b1) * g
        v *= b2
        np.multiply(g, g, out=s)
        s *= 1 - b2
        v += s
        np.sqrt(v, out=s)
        s += self.epsilon
        np.divide(m, s, out=s)
        s *= alpha
        p -= s

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
        }


class RMSprop(Optimizer):
    """RMSprop: divide the step by a running root-mean-square of the gradients."""

    def __init__(
        self,
        learning_rate: float = 0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        if not 0 <= rho < 1:
            raise ValueError(f"RMSprop: rho must be in [0, 1), got {rho!r}")
        if not 0 <= momentum <= 1:
            raise ValueError(f"RMSprop: momentum must be in [0, 1], got {momentum!r}")
        self.rho, self.momentum, self.epsilon = float(rho), float(momentum), float(epsilon)
        self.centered = bool(centered)
        self.slot_names = (
            ("rms",) + (("mg",) if self.centered else ()) + (("momentum",) if momentum else ())
        )

    def _update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        rho, s = self.rho, self._scratch[i]
        v = self.slots["rms"][i]
        v *= rho
        np.multiply(g, g, out=s)
        s *= 1 - rho
        v += s
        if self.centered:
            mg = self.slots["mg"][i]
            mg *= rho
            mg += (1 - rho) * g
            np.subtract(v, mg * mg, out=s)
            np.sqrt(s, out=s)
        else:
            np.sqrt(v, out=s)
        s += self.epsilon
        np.divide(g, s, out=s)
        s *= self._lr  # s = lr g / (√v + ε)
        if self.momentum:
            m = self.slots["momentum"][i]
            m *= self.momentum
            m += s
            p -= m
        else:
            p -= s

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "rho": self.rho,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "centered": self.centered,
        }


class Adagrad(Optimizer):
    """Adagrad: per-coordinate step lr / (√(Σ g²) + ε), the sum starting at 0.1."""

    slot_names = ("accumulator",)

    def __init__(
        self,
        learning_rate: float = 0.001,
        initial_accumulator_value: float = 0.1,
        epsilon: float = 1e-7,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        if not initial_accumulator_value >= 0:
            raise ValueError(
                "Adagrad: initial_accumulator_value must be >= 0, "
                f"got {initial_accumulator_value!r}"
            )
        self.initial_accumulator_value = float(initial_accumulator_value)
        self.epsilon = float(epsilon)

    def _slot_init(self, name: str) -> float:
        return self.initial_accumulator_value

    def _update(self, i: int, p: np.ndarray, g: np.ndarray) -> None:
        a, s = self.slots["accumulator"][i], self._scratch[i]
        np.multiply(g, g, out=s)
        a += s
        np.sqrt(a, out=s)
        s += self.epsilon
        np.divide(g, s, out=s)
        s *= self._lr
        p -= s

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.epsilon,
        }


_OPTIMIZERS: dict[str, Callable[..., Optimizer]] = {
    "sgd": SGD,
    "adam": Adam,
    "rmsprop": RMSprop,
    "adagrad": Adagrad,
}


def get(spec: Any) -> Optimizer:
    """An optimizer from a name ('sgd', 'adam', 'rmsprop', 'adagrad': Keras defaults), an
    Optimizer, or a config dict from ``get_config()``."""
    if isinstance(spec, Optimizer):
        return spec
    if isinstance(spec, str) and spec.lower() in _OPTIMIZERS:
        return _OPTIMIZERS[spec.lower()]()
    if isinstance(spec, dict) and str(spec.get("name", "")).lower() in _OPTIMIZERS:
        args = {k: v for k, v in spec.items() if k != "name"}
        return _OPTIMIZERS[spec["name"].lower()](**args)
    raise ValueError(
        f"compile: unknown optimizer {spec!r}; expected one of {sorted(_OPTIMIZERS)} or a "
        "nnlab.keras.optimizers.Optimizer"
    )
