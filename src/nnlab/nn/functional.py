"""Loss functions (PyTorch's ``torch.nn.functional`` semantics), the activations and ``pad``,
as functions, with PyTorch's names and defaults (``hardsigmoid`` is the engine's
``hard_sigmoid``; ``pad`` takes PyTorch's flat, last-axis-first widths); the engine's
convolution, pooling and normalization ops under PyTorch's names.

Every loss takes ``reduction``: "mean" (the default), "sum", or "none" (the unreduced
per-element or per-sample losses). Losses over logits use the engine's fused, numerically stable
ops (log-sum-exp): prefer ``cross_entropy`` over ``nll_loss(log(softmax(z)))`` and
``binary_cross_entropy_with_logits`` over ``binary_cross_entropy(sigmoid(z))``.

Targets are constants (no gradient flows to them), except in ``mse_loss``, ``l1_loss`` and
``kl_div`` where a target tensor that requires grad receives one, as in PyTorch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import autograd
from ..autograd import (
    Tensor,
    avg_pool2d,
    batch_norm,
    conv1d,
    conv2d,
    conv_transpose1d,
    conv_transpose2d,
    dropout,
    dropout2d,
    elu,
    gelu,
    hardswish,
    layer_norm,
    leaky_relu,
    linear,
    log_softmax,
    max_pool2d,
    mish,
    relu,
    relu6,
    selu,
    sigmoid,
    sigmoid_binary_cross_entropy,
    silu,
    softmax,
    softmax_cross_entropy,
    softplus,
    softsign,
    tanh,
    where,
)
from ..autograd import hard_sigmoid as hardsigmoid

REDUCTIONS = ("mean", "sum", "none")

__all__ = [
    "avg_pool2d",
    "batch_norm",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "conv1d",
    "conv2d",
    "conv_transpose1d",
    "conv_transpose2d",
    "cross_entropy",
    "dropout",
    "elu",
    "gelu",
    "hardsigmoid",
    "hardswish",
    "kl_div",
    "l1_loss",
    "leaky_relu",
    "linear",
    "log_softmax",
    "mish",
    "dropout2d",
    "layer_norm",
    "max_pool2d",
    "mse_loss",
    "nll_loss",
    "pad",
    "relu",
    "relu6",
    "selu",
    "sigmoid",
    "silu",
    "softmax",
    "softplus",
    "softsign",
    "tanh",
]


def _input(x: Any, fn: str) -> Tensor:
    """The prediction as a float Tensor (arrays are wrapped, keeping their dtype)."""
    t = x if isinstance(x, Tensor) else Tensor(np.asarray(x))
    if t.data.dtype.kind != "f":
        raise TypeError(f"{fn}: input must be floating point, got dtype {t.data.dtype}")
    return t


def _target(target: Any, like: Tensor, fn: str, differentiable: bool = False) -> Tensor:
    """The target as a Tensor of ``like``'s shape and dtype (a grad-requiring one kept as is)."""
    if isinstance(target, Tensor) and (differentiable and target.requires_grad):
        t = target
    else:
        raw = np.asarray(target.data if isinstance(target, Tensor) else target)
        t = Tensor(raw.astype(like.data.dtype, copy=False))
    if t.shape != like.shape:
        raise ValueError(f"{fn}: target shape {t.shape} differs from input shape {like.shape}")
    return t


def _check_reduction(reduction: str, fn: str, allowed: tuple[str, ...] = REDUCTIONS) -> None:
    if reduction not in allowed:
        raise ValueError(f"{fn}: reduction must be one of {allowed}, got {reduction!r}")


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def mse_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Mean squared error: ℓᵢ = (xᵢ - yᵢ)², averaged over all elements for "mean"."""
    _check_reduction(reduction, "mse_loss")
    x = _input(input, "mse_loss")
    diff = x - _target(target, x, "mse_loss", differentiable=True)
    return _reduce(diff * diff, reduction)


def l1_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Mean absolute error: ℓᵢ = |xᵢ - yᵢ| (gradient sign(x - y), 0 where they are equal)."""
    _check_reduction(reduction, "l1_loss")
    x = _input(input, "l1_loss")
    return _reduce((x - _target(target, x, "l1_loss", differentiable=True)).abs(), reduction)


def binary_cross_entropy(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of probabilities ``input`` ∈ [0, 1] against targets ``target``
    (same shape, values in [0, 1]); log terms clamped at -100 as in PyTorch.

    Prefer :func:`binary_cross_entropy_with_logits` when you have the pre-sigmoid scores.
    """
    _check_reduction(reduction, "binary_cross_entropy")
    p = _input(input, "binary_cross_entropy")
    y = _target(target, p, "binary_cross_entropy").data
    return autograd.binary_cross_entropy(p, y, reduction)


def binary_cross_entropy_with_logits(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of σ(input) against ``target`` (same shape), from logits:
    ℓᵢ = max(zᵢ, 0) - zᵢ yᵢ + log(1 + e^{-|zᵢ|}), stable for any z."""
    _check_reduction(reduction, "binary_cross_entropy_with_logits")
    z = _input(input, "binary_cross_entropy_with_logits")
    y = _target(target, z, "binary_cross_entropy_with_logits")
    return sigmoid_binary_cross_entropy(z, y.data, reduction)


def cross_entropy(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Cross-entropy of softmax(input) against ``target``, from logits (log-sum-exp, stable).

    Args:
        input: (N, K) logits (unnormalized class scores).
        target: (N,) integer class indices in [0, K), or (N, K) one-hot / probability rows.
        reduction: "mean" over the N samples, "sum", or "none" (shape (N,)).

    ℓₙ = logsumexp(zₙ) - Σₖ tₙₖ zₙₖ (= -log softmax(zₙ)[cₙ] for a class index cₙ).
    """
    _check_reduction(reduction, "cross_entropy")
    z = _input(input, "cross_entropy")
    t = target.data if isinstance(target, Tensor) else np.asarray(target)
    try:
        return softmax_cross_entropy(z, t, reduction)
    except ValueError as e:
        raise ValueError(str(e).replace("softmax_cross_entropy", "cross_entropy")) from None


def _class_indices(target: Any, n: int, k: int, fn: str) -> np.ndarray:
    t = np.asarray(target.data if isinstance(target, Tensor) else target)
    if t.dtype.kind not in "iu" or t.shape != (n,):
        raise ValueError(
            f"{fn}: target must be integer class indices of shape ({n},), "
            f"got dtype {t.dtype} shape {t.shape}"
        )
    if n and (t.min() < 0 or t.max() >= k):
        raise ValueError(
            f"{fn}: class indices must lie in [0, {k - 1}], got values in [{t.min()}, {t.max()}]"
        )
    return t


def nll_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood: ℓₙ = -input[n, cₙ] for log-probabilities ``input`` (N, K)
    (e.g. from :func:`log_softmax`) and integer class indices ``target`` (N,)."""
    _check_reduction(reduction, "nll_loss")
    x = _input(input, "nll_loss")
    if x.ndim != 2:
        raise ValueError(f"nll_loss: input must be 2-D (batch, classes), got shape {x.shape}")
    n, k = x.shape
    t = _class_indices(target, n, k, "nll_loss")
    return _reduce(-x[np.arange(n), t], reduction)


def kl_div(input: Any, target: Any, reduction: str = "mean", log_target: bool = False) -> Tensor:
    """Kullback-Leibler divergence KL(target ‖ q) with ``input`` = log q (log-probabilities).

    Pointwise ℓᵢ = tᵢ (log tᵢ - inputᵢ) (0 where tᵢ = 0); with ``log_target`` the target is
    given as log t: ℓᵢ = e^{tᵢ} (tᵢ - inputᵢ). Reductions (PyTorch's): "batchmean" divides the
    sum by the batch size input.shape[0] (the true KL per sample); "mean" divides by the number
    of elements; "sum"; "none".
    """
    _check_reduction(reduction, "kl_div", (*REDUCTIONS, "batchmean"))
    x = _input(input, "kl_div")
    t = _target(target, x, "kl_div", differentiable=True)
    if log_target:
        pointwise = t.exp() * (t - x)
    else:
        safe = where(t.data > 0, t, 1.0)
        pointwise = t * (safe.log() - x)
    if reduction == "batchmean":
        batch = x.shape[0] if x.ndim else 1
        return pointwise.sum() / batch
    return _reduce(pointwise, reduction)


def pad(
    input: Any, pad: Sequence[int], mode: str = "constant", value: float | None = None
) -> Tensor:
    """Constant padding with PyTorch's widths: ``pad`` = (left, right) of the last axis, then
    (before, after) of the axis before it, and so on; 2k ints pad the last k axes.

    >>> pad(x, (1, 2))          # x (N, 3) -> (N, 6): one column before, two after
    >>> pad(x, (0, 0, 1, 1))    # x (N, 3) -> (N + 2, 3)

    ``nnlab.autograd.pad`` takes NumPy's per-axis ``(before, after)`` pairs instead.
    """
    if mode != "constant":
        raise ValueError(f"pad: only mode='constant' is supported, got {mode!r}")
    x = input if isinstance(input, Tensor) else Tensor(np.asarray(input))
    widths = [int(w) for w in pad]
    k = len(widths) // 2
    if len(widths) % 2 or k > x.ndim:
        raise ValueError(
            f"pad: expected an even number of widths, at most {2 * x.ndim} for a tensor of "
            f"shape {x.shape}, got {tuple(pad)}"
        )
    pairs = [(0, 0)] * (x.ndim - k) + [(widths[2 * i], widths[2 * i + 1]) for i in range(k)][::-1]
    return autograd.pad(x, pairs, 0.0 if value is None else value)
