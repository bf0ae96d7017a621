"""References computed by nnlab's autodiff engine: values and gradients by reverse mode."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nnlab.autograd import Tensor, tensor


def value_and_grads(
    f: Callable[..., Tensor], *arrays: np.ndarray | float
) -> tuple[float | np.ndarray, ...]:
    """``(f(a_1, ..., a_k), df/da_1, ..., df/da_k)`` in float64, by one ``backward()``; each
    gradient has its input's shape (a float for a scalar input)."""
    inputs = [tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]
    out = f(*inputs)
    out.backward()
    grads: list[float | np.ndarray] = []
    for a, t in zip(arrays, inputs, strict=True):
        g = np.zeros(np.shape(a)) if t.grad is None else np.asarray(t.grad, dtype=np.float64)
        grads.append(float(g) if np.ndim(a) == 0 else g)
    return (float(out.item()), *grads)


def constant(a: np.ndarray | float) -> Tensor:
    """A float64 tensor that needs no gradient."""
    return tensor(np.array(a, dtype=np.float64))
