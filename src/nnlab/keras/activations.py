"""Keras activation names and what they compute.

Each activation exists twice: on tensors (for training, differentiable) and on ndarrays (to turn
the logits kept by the fused losses back into predictions, without building a graph).

    relu(z) = max(z, 0)      sigmoid(z) = 1 / (1 + e^-z)      tanh(z)
    softmax(z)_k = e^{z_k} / sum_j e^{z_j}  (over the last axis)      linear(z) = z
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nnlab.autograd import Tensor
from nnlab.autograd.unary_ops import stable_sigmoid

__all__ = ["ACTIVATIONS", "apply_numpy", "get", "resolve_name"]


def _linear(z: Tensor) -> Tensor:
    return z


#: Activation name -> function on tensors.
ACTIVATIONS: dict[str, Callable[[Tensor], Tensor]] = {
    "linear": _linear,
    "relu": Tensor.relu,
    "sigmoid": Tensor.sigmoid,
    "tanh": Tensor.tanh,
    "softmax": Tensor.softmax,
}


def resolve_name(activation: str | None, where: str = "activation") -> str:
    """The canonical name of ``activation`` (``None`` means ``'linear'``), or a ValueError."""
    if activation is None:
        return "linear"
    if not isinstance(activation, str):
        raise TypeError(f"{where}: expected an activation name (str) or None, got {activation!r}")
    name = activation.lower()
    if name not in ACTIVATIONS:
        raise ValueError(
            f"{where}: unknown activation {activation!r}; expected one of {sorted(ACTIVATIONS)}"
        )
    return name


def get(activation: str | None) -> Callable[[Tensor], Tensor]:
    """The tensor function for an activation name."""
    return ACTIVATIONS[resolve_name(activation)]


def apply_numpy(name: str, z: np.ndarray) -> np.ndarray:
    """The activation ``name`` applied to an ndarray (no graph), e.g. logits -> probabilities."""
    if name == "linear":
        return z
    if name == "relu":
        return np.maximum(z, 0)
    if name == "sigmoid":
        return stable_sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "softmax":
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    raise ValueError(f"unknown activation {name!r}")
