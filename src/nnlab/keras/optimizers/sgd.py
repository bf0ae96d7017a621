"""``SGD`` (with momentum, Nesterov) and ``Lion``: Keras 3's update formulas.

Notation: w the parameter, g its gradient, η the learning rate; all updates are in place.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab.autograd import Tensor
from nnlab.optim.base import SMALL, for_blocks

from .base_optimizer import LearningRate, Optimizer

__all__ = ["SGD", "Lion"]


class SGD(Optimizer):
    """Gradient descent, optionally with momentum μ (state ``momentum`` v, from 0):

    plain:     w <- w - η g
    momentum:  v <- μ v - η g;   w <- w + v
    nesterov:  v <- μ v - η g;   w <- w + μ v - η g
    """

    _numpy_update = True

    def __init__(
        self,
        learning_rate: LearningRate = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        if not isinstance(momentum, int | float) or not 0 <= momentum <= 1:
            raise ValueError(f"`momentum` must be a float between [0, 1]. Received: {momentum!r}")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)
        self.slot_groups = (("momentum",),) if self.momentum else ()

    def update_step(self, gradient: np.ndarray, variable: Tensor, learning_rate: float) -> None:
        mu, nesterov = self.momentum, self.nesterov
        if not mu and gradient.size <= SMALL:  # plain SGD on a small array: one NumPy call
            w = variable.data
            w -= gradient * learning_rate
            return

        def update(w: np.ndarray, g: np.ndarray, step: np.ndarray, *slots: np.ndarray) -> None:
            np.multiply(g, learning_rate, out=step)  # η g
            if not slots:
                w -= step
                return
            v = slots[0]
            v *= mu
            v -= step
            if nesterov:
                w -= step
                w += np.multiply(v, mu, out=step)
            else:
                w += v

        arrays = [variable.data, gradient, self._buffer(variable)]
        if mu:
            arrays.append(self.state[variable]["momentum"])
        for_blocks(update, *arrays, passes=2 + 3 * bool(mu))  # large parameters on every core

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class Lion(Optimizer):
    """Lion (Chen et al., 2023), state ``momentum`` m:

    c <- sign(β₁ m + (1 - β₁) g);   w <- w - η c;   m <- β₂ m + (1 - β₂) g
    """

    _numpy_update = True

    slot_groups = (("momentum",),)

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.99,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        if not 0 < beta_1 <= 1:
            raise ValueError(
                "Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer "
                f"degenerates to SignSGD. Received: beta_1={beta_1}."
            )
        self.beta_1, self.beta_2 = float(beta_1), float(beta_2)

    def update_step(self, gradient: np.ndarray, variable: Tensor, learning_rate: float) -> None:
        w, g, m = variable.data, gradient, self.state[variable]["momentum"]
        b1, b2 = self.beta_1, self.beta_2
        c = np.multiply(m, b1, out=self._buffer(variable, 0))
        c += np.multiply(g, 1 - b1, out=self._buffer(variable, 1))
        np.sign(c, out=c)
        c *= learning_rate
        w -= c
        m *= b2
        m += np.multiply(g, 1 - b2, out=self._buffer(variable, 1))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}
