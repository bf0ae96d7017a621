"""Plain gradient descent on a function of a tensor, recording the whole path (for plots).

    u_t = -eta grad E(theta_{t-1}),      theta_t = theta_{t-1} + u_t

The gradient comes from the autodiff engine: E is any Python function of an ``nnlab.Tensor``
returning a scalar tensor. The run stops early when it diverges (a non-finite or exploding loss,
or non-finite parameters) or, when ``tol`` is given, once a step is shorter than ``tol``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

import nnlab
from nnlab.autograd import Tensor


@dataclass(frozen=True)
class GDResult:
    """The outcome of ``gradient_descent``.

    ``trajectory``: theta_0, theta_1, ..., shape (n_steps + 1, *x0.shape) (``steps + 1`` rows
    unless the run stopped early); ``losses``: E(theta_t) for each row (NaN where E could not be
    evaluated because theta was not finite); ``x``: the last finite theta; ``loss``: its E;
    ``n_steps``: updates taken; ``converged``: a step shorter than ``tol`` was taken;
    ``diverged``: the run was stopped because it blew up; ``reason``: why the run ended.
    """

    trajectory: NDArray[np.float64]
    losses: NDArray[np.float64]
    n_steps: int
    converged: bool
    diverged: bool
    reason: str

    @property
    def x(self) -> NDArray[np.float64]:
        rows = self.trajectory.reshape(self.trajectory.shape[0], -1)
        finite = np.all(np.isfinite(rows), axis=1)
        return self.trajectory[np.flatnonzero(finite)[-1]]

    @property
    def loss(self) -> float:
        finite = np.flatnonzero(np.isfinite(self.losses))
        return float(self.losses[finite[-1]]) if finite.size else float("nan")


def value_and_grad(
    f: Callable[[Tensor], Tensor], theta: NDArray[np.float64]
) -> tuple[float, NDArray[np.float64]]:
    """E(theta) and grad E(theta), by one forward pass of ``f`` and one ``backward()``."""
    x = nnlab.tensor(theta.copy(), requires_grad=True)
    E = f(x)
    if not isinstance(E, Tensor):
        raise TypeError(f"f must return an nnlab Tensor, got {type(E).__name__}")
    if E.data.size != 1:
        raise ValueError(f"f must return a scalar loss, got a tensor of shape {E.shape}")
    E.backward()
    grad = np.zeros_like(theta) if x.grad is None else np.asarray(x.grad, dtype=np.float64)
    return float(E.item()), grad


def gradient_descent(
    f: Callable[[Tensor], Tensor],
    x0: ArrayLike,
    learning_rate: float,
    steps: int,
    tol: float | None = None,
    max_loss: float = 1e12,
) -> GDResult:
    """Minimize E = ``f`` from ``x0``: ``steps`` updates u_t = -learning_rate grad E(theta_{t-1}).

    ``x0``: the starting theta (any shape; computed in float64). Stops early when |E| exceeds
    ``max_loss`` or E or theta is not finite (``diverged``), or when ||u_t|| < ``tol``
    (``converged``). Returns a ``GDResult`` with the trajectory of theta and of E.
    """
    if not (np.isfinite(learning_rate) and learning_rate > 0):
        raise ValueError(f"learning_rate must be a finite number > 0, got {learning_rate!r}")
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    if tol is not None and not tol > 0:
        raise ValueError(f"tol must be > 0 or None, got {tol!r}")
    theta = np.array(x0, dtype=np.float64)
    if not np.all(np.isfinite(theta)):
        raise ValueError("x0 contains NaN or infinite values")

    trajectory, losses = [theta], []
    converged = diverged = False
    reason = f"ran all {steps} steps"
    for t in range(steps + 1):
        loss, grad = value_and_grad(f, theta)
        losses.append(loss)
        if not np.isfinite(loss) or abs(loss) > max_loss:
            diverged = True
            reason = (
                f"diverged: loss {loss:.3g} at step {t} "
                + ("is not finite" if not np.isfinite(loss) else f"exceeds max_loss={max_loss:g}")
                + f"; lower the learning rate (now {learning_rate:g})"
            )
            break
        if converged or t == steps:
            break
        with np.errstate(over="ignore", invalid="ignore"):  # reported just below
            update = -learning_rate * grad
            theta = theta + update
        trajectory.append(theta)
        if not np.all(np.isfinite(theta)):
            losses.append(float("nan"))
            diverged = True
            reason = (
                f"diverged: parameters are not finite after step {t + 1}; "
                f"lower the learning rate (now {learning_rate:g})"
            )
            break
        with np.errstate(over="ignore"):  # a huge finite step has norm inf: not converged
            step_norm = float(np.linalg.norm(update))
        if tol is not None and step_norm < tol:
            converged = True
            reason = f"converged: step {t + 1} has norm {step_norm:.3g} < tol={tol:g}"

    return GDResult(
        trajectory=np.stack(trajectory),
        losses=np.array(losses, dtype=np.float64),
        n_steps=len(trajectory) - 1,
        converged=converged,
        diverged=diverged,
        reason=reason,
    )
