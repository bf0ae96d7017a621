"""The Adam family: ``Adam`` (with AMSGrad), ``AdamW``, ``Adamax``, ``Nadam``; Keras 3's formulas.

Notation: w the parameter, g its gradient, η the learning rate, t = iterations + 1 the step
number (1 at the first update), β₁ β₂ the decay rates, ε the small constant; in place.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from nnlab.autograd import Tensor
from nnlab.optim.base import for_blocks

from ..variables import Variable
from .base_optimizer import LearningRate, Optimizer

__all__ = ["Adam", "AdamW", "Adamax", "Nadam"]


def _check_betas(cls: str, beta_1: float, beta_2: float) -> tuple[float, float]:
    for name, b in (("beta_1", beta_1), ("beta_2", beta_2)):
        if not isinstance(b, int | float) or not 0 <= b < 1:
            raise ValueError(f"{cls}: {name} must be in [0, 1), got {b!r}")
    return float(beta_1), float(beta_2)


def _moving_average(avg: np.ndarray, x: np.ndarray, beta: float, tmp: np.ndarray) -> None:
    """avg <- β avg + (1 - β) x, in place (``tmp``: scratch shaped like avg)."""
    avg *= beta
    avg += np.multiply(x, 1 - beta, out=tmp)


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015), state ``momentum`` m and ``velocity`` v (from 0):

        m <- β₁ m + (1 - β₁) g;   v <- β₂ v + (1 - β₂) g²
        (amsgrad: v̂ <- max(v̂, v), used in place of v)
        w <- w - α m / (√v + ε),   α = η √(1 - β₂ᵗ) / (1 - β₁ᵗ)

    (ε is added after the bias correction: Keras's "epsilon hat").
    """

    _numpy_update = True

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        self.beta_1, self.beta_2 = _check_betas(type(self).__name__, beta_1, beta_2)
        self.epsilon, self.amsgrad = float(epsilon), bool(amsgrad)
        self.slot_groups = (("momentum", "velocity"),) + ((("velocity_hat",),) if amsgrad else ())

    def update_step(self, gradient: np.ndarray, variable: Tensor, learning_rate: float) -> None:
        state, b1, b2, t = self.state[variable], self.beta_1, self.beta_2, self._iterations + 1
        alpha = learning_rate * math.sqrt(1 - b2**t) / (1 - b1**t)
        m_all, v_all = state["momentum"], state["velocity"]
        v_max_all = state["velocity_hat"] if self.amsgrad else v_all
        amsgrad, epsilon = self.amsgrad, self.epsilon

        def update(w: Any, g: Any, m: Any, v: Any, v_max: Any, tmp: Any) -> None:
            _moving_average(m, g, b1, tmp)
            _moving_average(v, np.square(g, out=tmp), b2, tmp)
            if amsgrad:
                v = np.maximum(v_max, v, out=v_max)
            denominator = np.sqrt(v, out=tmp)
            denominator += epsilon
            step = np.divide(m, denominator, out=tmp)
            step *= alpha
            w -= step

        # every pass on one block while it is in the cache, the blocks on every core
        arrays = (variable.data, gradient, m_all, v_all, v_max_all, self._buffer(variable))
        for_blocks(update, *arrays, passes=12)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
            "amsgrad": self.amsgrad,
        }


class AdamW(Adam):
    """Adam with decoupled weight decay λ (default 0.004): w <- w (1 - λ η) before each Adam
    step (Loshchilov & Hutter, 2019). The decay itself is the base class's, as in Keras 3."""

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        weight_decay: float = 0.004,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **kwargs: Any,
    ) -> None:
        if weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")
        super().__init__(
            learning_rate,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            amsgrad=amsgrad,
            weight_decay=weight_decay,
            **kwargs,
        )


class Adamax(Optimizer):
    """Adamax (the infinity-norm Adam), state ``momentum`` m and ``norm`` u (from 0):

    m <- β₁ m + (1 - β₁) g;   u <- max(β₂ u, |g|);   w <- w - η m / ((1 - β₁ᵗ)(u + ε))
    """

    _numpy_update = True

    slot_groups = (("momentum", "norm"),)

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        self.beta_1, self.beta_2 = _check_betas("Adamax", beta_1, beta_2)
        self.epsilon = float(epsilon)

    def update_step(self, gradient: np.ndarray, variable: Tensor, learning_rate: float) -> None:
        w, g, state = variable.data, gradient, self.state[variable]
        m, u, tmp = state["momentum"], state["norm"], self._buffer(variable)
        t = self._iterations + 1
        _moving_average(m, g, self.beta_1, tmp)
        u *= self.beta_2
        np.maximum(u, np.abs(g, out=tmp), out=u)
        denominator = np.add(u, self.epsilon, out=tmp)
        denominator *= 1 - self.beta_1**t
        step = np.divide(m, denominator, out=tmp)
        step *= learning_rate
        w -= step

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
        }


class Nadam(Optimizer):
    """Adam with Nesterov momentum (Dozat, 2016), state ``momentum`` m, ``velocity`` v and the
    running product Π of the momentum schedule μ_t = β₁ (1 - ½ 0.96ᵗ):

        Π <- Π μ_t (once per step);   m <- β₁ m + (1 - β₁) g;   v <- β₂ v + (1 - β₂) g²
        m̂ = μ_{t+1} m / (1 - Π μ_{t+1}) + (1 - μ_t) g / (1 - Π);   v̂ = v / (1 - β₂ᵗ)
        w <- w - η m̂ / (√v̂ + ε)
    """

    _numpy_update = True

    slot_groups = (("momentum", "velocity"),)
    _scalar_variables = ("_u_product",)

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        self.beta_1, self.beta_2 = _check_betas("Nadam", beta_1, beta_2)
        self.epsilon = float(epsilon)
        self._u_product: Variable | None = None  # made by build, as in Keras

    def build(self, variables: Sequence[Tensor]) -> None:
        """The per-parameter state, and Π: a float32 ``Variable`` holding 1 (Keras's auto name
        'variable', 'variable_1', ...)."""
        super().build(variables)
        if self._u_product is None:
            self._u_product = Variable(np.float32(1.0), dtype="float32", trainable=False)

    def _mu(self, t: int) -> float:
        return self.beta_1 * (1.0 - 0.5 * 0.96**t)

    def _update_all(
        self, grads: list[np.ndarray], params: list[Tensor], learning_rate: float
    ) -> None:
        if self._u_product is None:  # state made by a subclass's build without ours
            self.build([])
        assert self._u_product is not None
        # Π <- Π β₁ (1 - ½ 0.96ᵗ), each product rounded to float32 as Keras's variable is
        f32, t = np.float32, self._iterations + 1
        decay = f32(1.0) - f32(0.5) * np.power(f32(0.96), f32(t))
        self._u_product.data[...] = self._u_product.data * f32(self.beta_1) * decay
        super()._update_all(grads, params, learning_rate)

    def update_step(self, gradient: np.ndarray, variable: Tensor, learning_rate: float) -> None:
        w, g, state = variable.data, gradient, self.state[variable]
        m, v = state["momentum"], state["velocity"]
        tmp, m_hat = self._buffer(variable, 0), self._buffer(variable, 1)
        t = self._iterations + 1
        mu_t, mu_next = self._mu(t), self._mu(t + 1)
        product = float(self._u_product.data)  # type: ignore[union-attr]
        product_next = product * mu_next
        _moving_average(m, g, self.beta_1, tmp)
        _moving_average(v, np.square(g, out=tmp), self.beta_2, tmp)
        np.multiply(m, mu_next / (1 - product_next), out=m_hat)
        m_hat += np.multiply(g, (1 - mu_t) / (1 - product), out=tmp)
        denominator = np.divide(v, 1 - self.beta_2**t, out=tmp)
        np.sqrt(denominator, out=denominator)
        denominator += self.epsilon
        step = np.divide(m_hat, denominator, out=tmp)
        step *= learning_rate
        w -= step

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
        }
