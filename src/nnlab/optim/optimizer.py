"""The ``Optimizer`` base class and plain / momentum / Nesterov ``SGD``.

Every optimizer updates ``p.data`` in place (a layer keeps the same array object), marks the
parameter modified (``increment_version``: a graph recorded before the step then refuses
``backward()``, as in PyTorch), skips parameters whose ``grad`` is None, and never modifies
``p.grad``. The arithmetic stays in the
parameter's dtype: hyper-parameters are converted to that dtype before touching float32 arrays,
and temporaries live in per-parameter scratch buffers reused across steps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from ..autograd import Tensor, increment_version
from .base import SMALL, OptimizerBase, check_learning_rate

ParamsLike = Iterable[Tensor] | Iterable[Mapping[str, Any]]

__all__ = ["SGD", "Optimizer", "ParamsLike", "check_learning_rate"]


class Optimizer(OptimizerBase):
    """Base class: holds parameter groups, per-parameter state, and the shared loop of ``step``.

    Args:
        params: an iterable of parameters (tensors with ``requires_grad``), or of dicts
            ``{"params": [...], "lr": ...}`` (parameter groups with their own settings).
        defaults: the default hyper-parameters of every group.

    Attributes:
        param_groups: list of dicts, each with ``"params"`` and the hyper-parameters.
        state: per-parameter dict (keyed by the parameter) of running quantities
            (``momentum_buffer``, ``exp_avg``, ...), as PyTorch names them.
    """

    def __init__(self, params: ParamsLike, defaults: Mapping[str, Any]) -> None:
        super().__init__()
        self.defaults = dict(defaults)
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, Tensor):
            raise TypeError(
                f"{type(self).__name__}: params must be an iterable of tensors, got a single "
                "Tensor (wrap it in a list, or pass model.parameters())"
            )
        items = list(params)
        if not items:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        groups = items if isinstance(items[0], Mapping) else [{"params": items}]
        for group in groups:
            self.add_param_group(group)  # type: ignore[arg-type]

    def add_param_group(self, group: Mapping[str, Any]) -> None:
        """Add a group of parameters; settings it does not give come from ``defaults``."""
        if not isinstance(group, Mapping) or "params" not in group:
            raise TypeError(
                f"{type(self).__name__}: a parameter group must be a dict with 'params'"
            )
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"{type(self).__name__}: parameter {i} is a {type(p).__name__}, not a Tensor"
                )
            if p.data.dtype.kind != "f":
                raise TypeError(
                    f"{type(self).__name__}: parameter {i} has dtype {p.data.dtype}; "
                    "only floating-point tensors can be optimized"
                )
            if id(p) in seen:
                raise ValueError(f"{type(self).__name__}: parameter {i} appears in two groups")
            seen.add(id(p))
        full = {**self.defaults, **group, "params": params}
        self._check_hyper(full)
        self.param_groups.append(full)

    def _check_hyper(self, group: Mapping[str, Any]) -> None:
        """Validate one group's hyper-parameters (subclasses extend)."""
        check_learning_rate(group["lr"], f"{type(self).__name__}: lr")

    @property
    def lr(self) -> float:
        """The learning rate of the first group; setting it sets every group's."""
        return float(self.param_groups[0]["lr"])

    @lr.setter
    def lr(self, value: float) -> None:
        check_learning_rate(value, f"{type(self).__name__}: lr")
        for group in self.param_groups:
            group["lr"] = value

    def zero_grad(self) -> None:
        """Clear the gradient of every parameter (``grad = None``)."""
        for group in self.param_groups:
            for p in group["params"]:
                p.grad = None

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient.

        ``closure``, if given, re-evaluates the model and returns the loss (called first; its
        result is returned).
        """
        loss = closure() if closure is not None else None
        updated = []
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                self._update(p, g, group, self._state(p))
                updated.append(p)
        increment_version(updated)  # modified in place: older graphs may not use them
        return loss

    def _update(
        self, p: Tensor, g: np.ndarray, group: Mapping[str, Any], state: dict[str, Any]
    ) -> None:
        """Update ``p.data`` in place from its gradient ``g``."""
        raise NotImplementedError

    def _with_weight_decay(self, p: Tensor, g: np.ndarray, weight_decay: float) -> np.ndarray:
        """g + weight_decay · w (L2 penalty folded into the gradient), in scratch slot 0."""
        if not weight_decay:
            return g
        x = p.data
        out = self._buffer(p, 0)
        np.multiply(x, x.dtype.type(weight_decay), out=out)
        out += g
        return out

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines) + "\n)"


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum (PyTorch's update rule).

    With d = g + λ·w (``weight_decay`` λ):

        plain:     w ← w - η d
        momentum:  b ← μ b + (1 - τ) d   (b = d at the first step),   w ← w - η b
        nesterov:  w ← w - η (d + μ b)

    with learning rate η (``lr``), momentum μ and dampening τ.
    """

    def __init__(
        self,
        params: ParamsLike,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
        }
        super().__init__(params, defaults)

    def _check_hyper(self, group: Mapping[str, Any]) -> None:
        super()._check_hyper(group)
        if not group["momentum"] >= 0:
            raise ValueError(f"SGD: momentum must be >= 0, got {group['momentum']}")
        if not group["weight_decay"] >= 0:
            raise ValueError(f"SGD: weight_decay must be >= 0, got {group['weight_decay']}")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("SGD: nesterov requires momentum > 0 and dampening = 0")

    def _update(
        self, p: Tensor, g: np.ndarray, group: Mapping[str, Any], state: dict[str, Any]
    ) -> None:
        x = p.data
        mu = group["momentum"]
        if not mu and not group["weight_decay"] and x.size <= SMALL:  # one NumPy expression
            x -= g * group["lr"]
            return
        dt = x.dtype.type
        d = self._with_weight_decay(p, g, group["weight_decay"])
        scratch = self._buffer(p, 1)
        if mu:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = np.array(d, dtype=x.dtype, copy=True)
            else:
                buf *= dt(mu)
                damp = group["dampening"]
                if damp:
                    np.multiply(d, dt(1 - damp), out=scratch)
                    buf += scratch
                else:
                    buf += d
            if group["nesterov"]:  # w -= lr·d + lr·μ·b
                np.multiply(d, dt(group["lr"]), out=scratch)
                x -= scratch
                np.multiply(buf, dt(group["lr"] * mu), out=scratch)
                x -= scratch
                return
            d = buf
        np.multiply(d, dt(group["lr"]), out=scratch)
        x -= scratch
