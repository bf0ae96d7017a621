"""Optimizers with per-parameter adaptive step sizes: ``Adam``, ``RMSprop``, ``Adagrad``.

The update rules are PyTorch's (``torch.optim``), written as in-place NumPy operations in the
parameter's dtype. Notation: w the parameter, g its gradient (plus λ·w with ``weight_decay`` λ),
η the learning rate, ε the small constant added to denominators, t the step count (from 1).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..autograd import Tensor
from .optimizer import Optimizer, ParamsLike


def _check_range(opt: str, name: str, value: float, lo: float, hi: float | None = None) -> None:
    if not (value >= lo and (hi is None or value < hi)):
        bounds = f"in [{lo}, {hi})" if hi is not None else f">= {lo}"
        raise ValueError(f"{opt}: {name} must be {bounds}, got {value}")


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015):

        m ← β₁ m + (1 - β₁) g          v ← β₂ v + (1 - β₂) g²
        w ← w - η/(1 - β₁ᵗ) · m / (√v / √(1 - β₂ᵗ) + ε)

    ``state[p]``: ``step``, ``exp_avg`` (m), ``exp_avg_sq`` (v).
    """

    def __init__(
        self,
        params: ParamsLike,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay}
        super().__init__(params, defaults)

    def _check_hyper(self, group: Mapping[str, Any]) -> None:
        super()._check_hyper(group)
        if len(group["betas"]) != 2:
            raise ValueError(f"Adam: betas must be a pair (beta1, beta2), got {group['betas']}")
        _check_range("Adam", "beta1", group["betas"][0], 0.0, 1.0)
        _check_range("Adam", "beta2", group["betas"][1], 0.0, 1.0)
        _check_range("Adam", "eps", group["eps"], 0.0)
        _check_range("Adam", "weight_decay", group["weight_decay"], 0.0)

    def _update(
        self, p: Tensor, g: np.ndarray, group: Mapping[str, Any], state: dict[str, Any]
    ) -> None:
        x = p.data
        dt = x.dtype.type
        beta1, beta2 = group["betas"]
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(x)
            state["exp_avg_sq"] = np.zeros_like(x)
        state["step"] += 1
        t = state["step"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        g = self._with_weight_decay(p, g, group["weight_decay"])
        tmp = self._buffer(p, 1)
        m *= dt(beta1)
        np.multiply(g, dt(1 - beta1), out=tmp)
        m += tmp
        v *= dt(beta2)
        np.multiply(g, g, out=tmp)
        tmp *= dt(1 - beta2)
        v += tmp
        # denominator √v / √(1 - β₂ᵗ) + ε, then the step η/(1 - β₁ᵗ) · m / denominator
        np.sqrt(v, out=tmp)
        tmp /= dt(math.sqrt(1 - beta2**t))
        tmp += dt(group["eps"])
        np.divide(m, tmp, out=tmp)
        tmp *= dt(group["lr"] / (1 - beta1**t))
        x -= tmp


class RMSprop(Optimizer):
    """RMSprop (Hinton, lecture 6e):

        s ← α s + (1 - α) g²           (centered: also ḡ ← α ḡ + (1 - α) g, s̃ = s - ḡ²)
        d = g / (√s + ε)
        w ← w - η d,   or with momentum μ:  b ← μ b + d,  w ← w - η b

    ``state[p]``: ``step``, ``square_avg`` (s), ``momentum_buffer`` (b), ``grad_avg`` (ḡ).
    """

    def __init__(
        self,
        params: ParamsLike,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "alpha": alpha,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum": momentum,
            "centered": centered,
        }
        super().__init__(params, defaults)

    def _check_hyper(self, group: Mapping[str, Any]) -> None:
        super()._check_hyper(group)
        _check_range("RMSprop", "alpha", group["alpha"], 0.0)
        _check_range("RMSprop", "eps", group["eps"], 0.0)
        _check_range("RMSprop", "momentum", group["momentum"], 0.0)
        _check_range("RMSprop", "weight_decay", group["weight_decay"], 0.0)

    def _update(
        self, p: Tensor, g: np.ndarray, group: Mapping[str, Any], state: dict[str, Any]
    ) -> None:
        x = p.data
        dt = x.dtype.type
        alpha, mu = group["alpha"], group["momentum"]
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(x)
        state["step"] += 1
        g = self._with_weight_decay(p, g, group["weight_decay"])
        tmp = self._buffer(p, 1)
        s = state["square_avg"]
        s *= dt(alpha)
        np.multiply(g, g, out=tmp)
        tmp *= dt(1 - alpha)
        s += tmp
        if group["centered"]:
            ga = state.get("grad_avg")
            if ga is None:
                ga = state["grad_avg"] = np.zeros_like(x)
            ga *= dt(alpha)
            np.multiply(g, dt(1 - alpha), out=tmp)
            ga += tmp
            np.multiply(ga, ga, out=tmp)
            np.subtract(s, tmp, out=tmp)
            np.sqrt(tmp, out=tmp)
        else:
            np.sqrt(s, out=tmp)
        tmp += dt(group["eps"])
        np.divide(g, tmp, out=tmp)
        if mu > 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = np.zeros_like(x)
            buf *= dt(mu)
            buf += tmp
            np.multiply(buf, dt(group["lr"]), out=tmp)
        else:
            tmp *= dt(group["lr"])
        x -= tmp


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011):

        S ← S + g²        w ← w - η_t · g / (√S + ε),   η_t = η / (1 + (t - 1) · lr_decay)

    S starts at ``initial_accumulator_value``. ``state[p]``: ``step``, ``sum`` (S).
    """

    def __init__(
        self,
        params: ParamsLike,
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
    ) -> None:
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "eps": eps,
        }
        super().__init__(params, defaults)

    def _check_hyper(self, group: Mapping[str, Any]) -> None:
        super()._check_hyper(group)
        _check_range("Adagrad", "lr_decay", group["lr_decay"], 0.0)
        _check_range("Adagrad", "weight_decay", group["weight_decay"], 0.0)
        _check_range(
            "Adagrad", "initial_accumulator_value", group["initial_accumulator_value"], 0.0
        )
        _check_range("Adagrad", "eps", group["eps"], 0.0)

    def _update(
        self, p: Tensor, g: np.ndarray, group: Mapping[str, Any], state: dict[str, Any]
    ) -> None:
        x = p.data
        dt = x.dtype.type
        if not state:
            state["step"] = 0
            state["sum"] = np.full_like(x, group["initial_accumulator_value"])
        state["step"] += 1
        lr_t = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        g = self._with_weight_decay(p, g, group["weight_decay"])
        tmp = self._buffer(p, 1)
        total = state["sum"]
        np.multiply(g, g, out=tmp)
        total += tmp
        np.sqrt(total, out=tmp)
        tmp += dt(group["eps"])
        np.divide(g, tmp, out=tmp)
        tmp *= dt(lr_t)
        x -= tmp
