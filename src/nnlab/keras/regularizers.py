"""Weight penalties added to the training loss (Keras's ``regularizers``).

    L1L2(l1, l2)(W) = l1 * sum |W| + l2 * sum W²

(no factor 1/2, as in Keras). ``l1(0.01)``, ``l2(0.01)`` and ``l1_l2(l1=0.01, l2=0.01)`` build one.
The penalty is part of the reported ``loss`` (as in Keras), in training and in evaluation.
"""

from __future__ import annotations

from typing import Any

from nnlab.autograd import Tensor

__all__ = ["L1L2", "Regularizer", "get", "l1", "l1_l2", "l2"]


class Regularizer:
    """Base class: ``regularizer(weight) -> scalar Tensor`` penalty."""

    def __call__(self, weight: Tensor) -> Tensor:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError


class L1L2(Regularizer):
    """penalty(W) = l1 * Σ|W| + l2 * Σ W²."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        for name, value in (("l1", l1), ("l2", l2)):
            if not isinstance(value, int | float) or value < 0:
                raise ValueError(f"regularizer: {name} must be a number >= 0, got {value!r}")
        self.l1, self.l2 = float(l1), float(l2)

    def __call__(self, weight: Tensor) -> Tensor:
        penalty = None
        if self.l1:
            penalty = weight.abs().sum() * self.l1
        if self.l2:
            sq = (weight * weight).sum() * self.l2
            penalty = sq if penalty is None else penalty + sq
        return penalty if penalty is not None else (weight * 0.0).sum()

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1, "l2": self.l2}

    def __repr__(self) -> str:
        return f"L1L2(l1={self.l1}, l2={self.l2})"


def l1(l1: float = 0.01) -> L1L2:
    """penalty(W) = l1 * Σ|W|."""
    return L1L2(l1=l1)


def l2(l2: float = 0.01) -> L1L2:
    """penalty(W) = l2 * Σ W²."""
    return L1L2(l2=l2)


def l1_l2(l1: float = 0.01, l2: float = 0.01) -> L1L2:
    """penalty(W) = l1 * Σ|W| + l2 * Σ W²."""
    return L1L2(l1=l1, l2=l2)


_NAMES = {"l1": l1, "l2": l2, "l1_l2": l1_l2}


def get(spec: Any, where: str) -> Regularizer | None:
    """A regularizer from ``None``, a Regularizer, a name ('l1', 'l2', 'l1_l2') or a config dict."""
    if spec is None or isinstance(spec, Regularizer):
        return spec
    if isinstance(spec, str) and spec.lower() in _NAMES:
        return _NAMES[spec.lower()]()
    if isinstance(spec, dict) and set(spec) <= {"l1", "l2"}:
        return L1L2(**spec)
    raise ValueError(
        f"{where}: expected None, a regularizer (nnlab.keras.regularizers.l1/l2/l1_l2) or one of "
        f"{sorted(_NAMES)}, got {spec!r}"
    )
