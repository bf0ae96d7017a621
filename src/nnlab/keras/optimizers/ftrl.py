"""``Ftrl``: Follow The Regularized Leader (McMahan et al., 2013), Keras 3's formulas.

Per coordinate, with n the accumulated squared gradients (from ``initial_accumulator_value``),
z the "linear" term (from 0), p = ``learning_rate_power`` (-1/2 by default), η the learning rate,
λ₁, λ₂ the L1 and L2 strengths (λ₂ + β/(2η) with ``beta``), λ₂ˢ the L2 *shrinkage* strength::

    g' = g + 2 λ₂ˢ w                      (shrinkage acts on the linear term only)
    n' = n + g²
    z <- z + g' - (n'^(-p) - n^(-p)) / η · w
    w <- (clip(z, -λ₁, λ₁) - z) / (n'^(-p) / η + 2 λ₂)
    n <- n'

With λ₁ > 0, every coordinate whose |z| stays below λ₁ is exactly 0: the point of FTRL (sparse
models, e.g. click-through prediction).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab.autograd import Tensor

from .base_optimizer import LearningRate, Optimizer

__all__ = ["Ftrl"]


def _non_negative(name: str, value: float) -> float:
    if value < 0.0:
        raise ValueError(f"`{name}` needs to be positive or zero. Received: {name}={value}.")
    return float(value)


class Ftrl(Optimizer):
    """FTRL-Proximal with Keras 3's arguments and defaults (see the module docstring)."""

    _numpy_update = True

    slot_groups = (("accumulator", "linear"),)

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        learning_rate_power: float = -0.5,
        initial_accumulator_value: float = 0.1,
        l1_regularization_strength: float = 0.0,
        l2_regularization_strength: float = 0.0,
        l2_shrinkage_regularization_strength: float = 0.0,
        beta: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value = _non_negative(
            "initial_accumulator_value", initial_accumulator_value
        )
        if learning_rate_power > 0.0:
            raise ValueError(
                "`learning_rate_power` needs to be negative or zero. Received: "
                f"learning_rate_power={learning_rate_power}."
            )
        self.learning_rate_power = float(learning_rate_power)
        self.l1_regularization_strength = _non_negative(
            "l1_regularization_strength", l1_regularization_strength
        )
        self.l2_regularization_strength = _non_negative(
            "l2_regularization_strength", l2_regularization_strength
        )
        self.l2_shrinkage_regularization_strength = _non_negative(
            "l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength
        )
        self.beta = float(beta)

    def _slot_initial_value(self, name: str) -> float:
        return self.initial_accumulator_value if name == "accumulator" else 0.0

    def update_step(self, gradient: np.ndarray, variable: Tensor, learning_rate: float) -> None:
        w, g, state = variable.data, gradient, self.state[variable]
        n, z = state["accumulator"], state["linear"]
        power, lr = -self.learning_rate_power, learning_rate
        l1 = self.l1_regularization_strength
        l2 = self.l2_regularization_strength + self.beta / (2.0 * lr)
        shrunk = g + 2 * self.l2_shrinkage_regularization_strength * w
        new_n = n + np.square(g)
        z += shrunk - (np.power(new_n, power) - np.power(n, power)) / lr * w
        quadratic = np.power(new_n, power) / lr + 2 * l2
        w[...] = (np.clip(z, -l1, l1) - z) / quadratic
        n[...] = new_n

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "learning_rate_power": self.learning_rate_power,
            "initial_accumulator_value": self.initial_accumulator_value,
            "l1_regularization_strength": self.l1_regularization_strength,
            "l2_regularization_strength": self.l2_regularization_strength,
            "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
            "beta": self.beta,
        }
