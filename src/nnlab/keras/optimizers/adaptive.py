"""Per-coordinate step sizes from running gradient statistics: ``RMSprop`` (centered, momentum),
``Adagrad``, ``Adadelta``; Keras 3's formulas.

Notation: w the parameter, g its gradient, η the learning rate, ρ the decay rate, ε the small
constant (inside the square roots, as in Keras 3); in place.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab.autograd import Tensor

from .base_optimizer import LearningRate, Optimizer

__all__ = ["Adadelta", "Adagrad", "RMSprop"]


class RMSprop(Optimizer):
    """RMSprop, state ``velocity`` v (and ``momentum`` m, ``average_gradient`` ḡ), from 0:

    v <- ρ v + (1 - ρ) g²
    Δ = η g / √(v + ε)          (centered: ḡ <- ρ ḡ + (1 - ρ) g,  Δ = η g / √(v - ḡ² + ε))
    w <- w - Δ                  (momentum μ: m <- μ m + Δ,  w <- w - m)
    """

    _numpy_update = True

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        if not isinstance(rho, int | float) or not 0 <= rho < 1:
            raise ValueError(f"RMSprop: `rho` must be a float in [0, 1), got {rho!r}")
        if not isinstance(momentum, int | float) or not 0 <= momentum <= 1:
            raise ValueError(f"RMSprop: `momentum` must be a float in [0, 1], got {momentum!r}")
        self.rho, self.momentum, self.epsilon = float(rho), float(momentum), float(epsilon)
        self.centered = bool(centered)
        self.slot_groups = (
            (("velocity",),)
            + ((("momentum",),) if self.momentum > 0 else ())
            + ((("average_gradient",),) if self.centered else ())
        )

    def update_step(self, gradient: np.ndarray, variable: Tensor, learning_rate: float) -> None:
        w, g, state, rho = variable.data, gradient, self.state[variable], self.rho
        v, tmp = state["velocity"], self._buffer(variable)
        v *= rho
        v += np.multiply(np.square(g, out=tmp), 1 - rho, out=tmp)
        if self.centered:
            average = state["average_gradient"]
            average *= rho
            average += np.multiply(g, 1 - rho, out=tmp)
            denominator = np.square(average, out=tmp)
            np.subtract(v, denominator, out=denominator)
            denominator += self.epsilon
        else:
            denominator = np.add(v, self.epsilon, out=tmp)
        np.sqrt(denominator, out=denominator)
        step = np.divide(g, denominator, out=tmp)
        step *= learning_rate
        if self.momentum > 0:
            m = state["momentum"]
            m *= self.momentum
            m += step
            w -= m
        else:
            w -= step

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "rho": self.rho,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "centered": self.centered,
        }


class Adagrad(Optimizer):
    """Adagrad, state ``accumulator`` a (from ``initial_accumulator_value``):

    a <- a + g²;   w <- w - η g / √(a + ε)
    """

    _numpy_update = True

    slot_groups = (("accumulator",),)

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        initial_accumulator_value: float = 0.1,
        epsilon: float = 1e-7,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        if not isinstance(initial_accumulator_value, int | float) or initial_accumulator_value < 0:
            raise ValueError(
                "Adagrad: `initial_accumulator_value` must be >= 0, "
                f"got {initial_accumulator_value!r}"
            )
        self.initial_accumulator_value = float(initial_accumulator_value)
        self.epsilon = float(epsilon)

    def _slot_initial_value(self, name: str) -> float:
        return self.initial_accumulator_value

    def update_step(self, gradient: np.ndarray, variable: Tensor, learning_rate: float) -> None:
        w, g, a = variable.data, gradient, self.state[variable]["accumulator"]
        tmp = self._buffer(variable)
        a += np.square(g, out=tmp)
        denominator = np.add(a, self.epsilon, out=tmp)
        np.sqrt(denominator, out=denominator)
        step = np.divide(g, denominator, out=tmp)
        step *= learning_rate
        w -= step

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.epsilon,
        }


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012), state ``accumulated_grad`` E[g²] and ``accumulated_delta_var``
    E[Δ²] (from 0):

        E[g²] <- ρ E[g²] + (1 - ρ) g²;   Δ = -√(E[Δ²] + ε) g / √(E[g²] + ε)
        E[Δ²] <- ρ E[Δ²] + (1 - ρ) Δ²;   w <- w + η Δ
    """

    _numpy_update = True

    slot_groups = (("accumulated_grad", "accumulated_delta_var"),)

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        rho: float = 0.95,
        epsilon: float = 1e-7,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        if not isinstance(rho, int | float) or not 0 <= rho < 1:
            raise ValueError(f"Adadelta: `rho` must be a float in [0, 1), got {rho!r}")
        self.rho, self.epsilon = float(rho), float(epsilon)

    def update_step(self, gradient: np.ndarray, variable: Tensor, learning_rate: float) -> None:
        w, g, state, rho = variable.data, gradient, self.state[variable], self.rho
        eg2, edx2 = state["accumulated_grad"], state["accumulated_delta_var"]
        tmp, delta = self._buffer(variable, 0), self._buffer(variable, 1)
        eg2 *= rho
        eg2 += np.multiply(np.square(g, out=tmp), 1 - rho, out=tmp)
        np.add(edx2, self.epsilon, out=delta)
        np.sqrt(delta, out=delta)
        delta *= g
        np.add(eg2, self.epsilon, out=tmp)
        np.sqrt(tmp, out=tmp)
        delta /= tmp
        np.negative(delta, out=delta)  # Δ
        edx2 *= rho
        edx2 += np.multiply(np.square(delta, out=tmp), 1 - rho, out=tmp)
        delta *= learning_rate
        w += delta

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
