"""Numerical gradient check: the engine's reverse-mode gradients vs central differences.

For a function f of tensors, reduce its output to a scalar with a fixed random projection
L = Σ r ⊙ f(x) (so every output element matters), then compare ∂L/∂xᵢ from ``backward()`` with

    (L(x + ε eᵢ) - L(x - ε eᵢ)) / (2ε)

element by element, in float64.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .grad_mode import no_grad
from .tensor import Tensor


def gradcheck(
    fn: Callable[..., Tensor],
    *inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-4,
    seed: int = 0,
) -> bool:
    """Check ``fn``'s gradients w.r.t. every floating-point input against central differences.

    Inputs are converted to float64 tensors requiring grad (non-float inputs are passed through).
    Returns True, or raises ``AssertionError`` naming the input, the worst element, and both values.
    """
    xs: list[Any] = []
    for x in inputs:
        arr = x.data if isinstance(x, Tensor) else np.asarray(x)
        if arr.dtype.kind == "f":
            xs.append(Tensor(arr.astype(np.float64), requires_grad=True))
        else:
            xs.append(x)
    out = fn(*xs)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor, got {type(out).__name__}")
    proj = np.random.default_rng(seed).standard_normal(out.shape)

    def loss_value() -> float:
        with no_grad():
            return float((fn(*xs).data * proj).sum())

    (out * Tensor(proj)).sum().backward()
    for k, x in enumerate(xs):
        if not isinstance(x, Tensor) or not x.requires_grad:
            continue
        analytic = x.grad if x.grad is not None else np.zeros_like(x.data)
        numeric = np.zeros_like(x.data)
        flat, num_flat = x.data.reshape(-1), numeric.reshape(-1)
        for i in range(flat.size):  # a loop over elements is the point of a numerical check
            orig = flat[i]
            flat[i] = orig + eps
            plus = loss_value()
            flat[i] = orig - eps
            minus = loss_value()
            flat[i] = orig
            num_flat[i] = (plus - minus) / (2 * eps)
        err = np.abs(analytic - numeric) - (atol + rtol * np.abs(numeric))
        if err.size and err.max() > 0:
            worst = np.unravel_index(int(err.argmax()), err.shape)
            raise AssertionError(
                f"gradcheck: input {k} (shape {x.shape}) element {tuple(int(i) for i in worst)}: "
                f"backward gives {analytic[worst]:.8g}, central differences give "
                f"{numeric[worst]:.8g} (atol={atol}, rtol={rtol})"
            )
    return True
