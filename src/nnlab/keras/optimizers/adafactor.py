"""``Adafactor`` (Shazeer and Stern, 2018): Adam-like steps with a *factored* second moment,
Keras 3's formulas.

For a matrix (or any tensor of rank >= 2, over its last two axes) the second moment is kept as a
row average r (shape[:-1]) and a column average c (shape[:-2] + shape[-1:]) instead of a full
array, so its memory is O(rows + columns); a vector keeps a full v. At step t (from 1), with
η the learning rate, d = ``beta_2_decay``, ε₁, ε₂ = ``epsilon_1``, ``epsilon_2``::

    ρ = min(η, 1/√t)                 (the relative step: ``relative_step`` changes nothing else)
    α = max(ε₂, RMS(w)) · ρ          (steps relative to the parameter's scale)
    β₂ = 1 - t^d
    G = g² + ε₁
    rank >= 2:  r <- β₂ r + (1 - β₂) mean(G, last axis);  c <- β₂ c + (1 - β₂) mean(G, axis -2)
                v = (r / mean(r, last axis)) ⊗ c          (outer product over the last two axes)
    rank < 2:   v <- β₂ v + (1 - β₂) G
    u = g / √v;   û = u / max(1, RMS(u) / clip_threshold)
    w <- w - α û

RMS(x) = √(mean(x²)) over the whole tensor.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab.autograd import Tensor

from .base_optimizer import LearningRate, Optimizer

__all__ = ["Adafactor"]


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


class Adafactor(Optimizer):
    """Adafactor with Keras 3's arguments and defaults (see the module docstring). Its state is
    ``r``, ``c`` (factored rows and columns, for tensors of rank >= 2) and ``v`` per parameter."""

    _numpy_update = True

    slot_groups = (("r", "c", "v"),)

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        beta_2_decay: float = -0.8,
        epsilon_1: float = 1e-30,
        epsilon_2: float = 1e-3,
        clip_threshold: float = 1.0,
        relative_step: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate, **kwargs)
        self.beta_2_decay = float(beta_2_decay)
        self.epsilon_1, self.epsilon_2 = float(epsilon_1), float(epsilon_2)
        self.clip_threshold = float(clip_threshold)
        self.relative_step = bool(relative_step)

    def _init_state(self, p: Tensor) -> dict[str, Any]:
        state = super()._init_state(p)
        shape = p.data.shape
        if len(shape) >= 2:
            state["r"] = np.zeros(shape[:-1], dtype=p.data.dtype)
            state["c"] = np.zeros(shape[:-2] + shape[-1:], dtype=p.data.dtype)
        else:  # a vector keeps its full second moment in v; r and c are unused scalars
            state["r"] = np.zeros((), dtype=p.data.dtype)
            state["c"] = np.zeros((), dtype=p.data.dtype)
        return state

    def update_step(self, gradient: np.ndarray, variable: Tensor, learning_rate: float) -> None:
        w, g, state = variable.data, gradient, self.state[variable]
        t = float(self._iterations + 1)
        rho = min(learning_rate, 1 / np.sqrt(t))
        alpha = max(self.epsilon_2, _rms(w)) * rho
        squared = np.square(g) + self.epsilon_1
        beta_2 = 1 - t**self.beta_2_decay
        if w.ndim >= 2:
            r, c = state["r"], state["c"]
            r[...] = beta_2 * r + (1 - beta_2) * squared.mean(axis=-1)
            c[...] = beta_2 * c + (1 - beta_2) * squared.mean(axis=-2)
            v = state["v"]
            v[...] = (r / r.mean(axis=-1, keepdims=True))[..., None] * c[..., None, :]
        else:
            v = state["v"]
            v[...] = beta_2 * v + (1 - beta_2) * squared
        u = g / np.sqrt(v)
        u /= max(1.0, _rms(u) / self.clip_threshold)
        w -= (alpha * u).astype(w.dtype)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "beta_2_decay": self.beta_2_decay,
            "epsilon_1": self.epsilon_1,
            "epsilon_2": self.epsilon_2,
            "clip_threshold": self.clip_threshold,
            "relative_step": self.relative_step,
        }
