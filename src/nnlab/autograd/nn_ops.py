"""Fused, numerically stable ops for neural networks.

Each is one graph node whose backward is the simplified closed form, cheaper and more accurate
than differentiating the composition op by op:

- ``softmax``, ``log_softmax``, ``logsumexp`` (shifted by the maximum: no overflow);
- ``linear``: y = x Wᵀ + b (PyTorch's weight layout); ``dense``: y = x K + b (Keras's), + ReLU;
- ``softmax_cross_entropy``: CE(softmax(z), t), gradient (softmax(z) - t) / N;
- ``sigmoid_binary_cross_entropy``: BCE(σ(z), t), gradient (σ(z) - t) / N;
- ``binary_cross_entropy``: BCE on probabilities, logs clamped at -100 (PyTorch's convention);
- ``dropout``: inverted dropout, survivors scaled by 1/(1 - p).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .function import Function
from .ops import as_tensor
from .reduce_ops import Axis, normalize_axis
from .tensor import Tensor
from .unary_ops import stable_sigmoid

REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(op: str, reduction: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{op}: reduction must be one of {REDUCTIONS}, got {reduction!r}")


def _reduce_loss(loss: np.ndarray, reduction: str, n: int) -> np.ndarray:
    """Per-element losses as the op returns them: as they are ("none"), summed, or summed and
    divided by ``n`` ("mean"), in the losses' dtype. The mean of no losses is nan (0/0), as in
    PyTorch, without a NumPy warning."""
    if reduction == "none":
        return loss
    total = loss.sum()
    if reduction == "sum":
        return np.asarray(total, dtype=loss.dtype)
    if n == 0:
        return np.full((), np.nan, dtype=loss.dtype)
    return np.asarray(total / n, dtype=loss.dtype)


def _log_softmax(z: np.ndarray, axis: int | None) -> np.ndarray:
    if z.size == 0:  # an empty axis: nothing to normalize (PyTorch returns the empty tensor)
        return z.copy()
    shifted = z - z.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def _axis(axis: int, ndim: int, op: str) -> int | None:
    """One axis as a non-negative int; None for a 0-d tensor (axis 0 or -1 is allowed there)."""
    if type(axis) is int and -ndim <= axis < ndim:  # the usual case
        return axis % ndim
    if not isinstance(axis, int | np.integer):
        raise TypeError(f"{op}: axis must be one int, got {axis!r}")
    norm = normalize_axis(axis, ndim, op)
    return norm[0] if norm else None


def _target_array(target: Any) -> np.ndarray:
    return target.data if isinstance(target, Tensor) else np.asarray(target)


class Softmax(Function):
    """yᵢ = e^{zᵢ} / Σⱼ e^{zⱼ}; backward dz = y ⊙ (g - Σ g⊙y)."""

    __slots__ = ("axis", "out")

    def __init__(self, axis: int | None) -> None:
        self.axis = axis

    def forward(self, z: np.ndarray) -> np.ndarray:
        if z.size == 0:  # an empty axis: nothing to normalize
            self.out = z.copy()
        else:
            e = np.exp(z - z.max(axis=self.axis, keepdims=True))
            self.out = e / e.sum(axis=self.axis, keepdims=True)
        return self.out

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        y = self.out
        return (y * (g - (g * y).sum(axis=self.axis, keepdims=True)),)


def softmax(x: Any, axis: int = -1) -> Tensor:
    """softmax(z)ᵢ = e^{zᵢ} / Σⱼ e^{zⱼ} along ``axis`` (shifted by the max: no overflow)."""
    x = as_tensor(x)
    return Softmax(_axis(axis, x.ndim, "softmax")).apply(x)


class LogSoftmax(Function):
    """yᵢ = zᵢ - log Σⱼ e^{zⱼ}; backward dz = g - softmax(z) Σ g."""

    __slots__ = ("axis", "out")

    def __init__(self, axis: int | None) -> None:
        self.axis = axis

    def forward(self, z: np.ndarray) -> np.ndarray:
        self.out = _log_softmax(z, self.axis)
        return self.out

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g - np.exp(self.out) * g.sum(axis=self.axis, keepdims=True),)


def log_softmax(x: Any, axis: int = -1) -> Tensor:
    """log softmax(z) = z - logsumexp(z) along ``axis``, computed stably."""
    x = as_tensor(x)
    return LogSoftmax(_axis(axis, x.ndim, "log_softmax")).apply(x)


class LogSumExp(Function):
    """y = log Σ e^{z} = m + log Σ e^{z - m}, m = max z; dy/dz = softmax(z)."""

    __slots__ = ("axis", "keepdims", "z", "out")

    def __init__(self, axis: tuple[int, ...] | None, keepdims: bool) -> None:
        self.axis, self.keepdims = axis, keepdims

    def forward(self, z: np.ndarray) -> np.ndarray:
        if z.size == 0:  # a sum of no terms: log 0 = -inf, as PyTorch
            out = np.full(z.sum(axis=self.axis, keepdims=True).shape, -np.inf, dtype=z.dtype)
        else:
            m = z.max(axis=self.axis, keepdims=True)
            m = np.where(np.isfinite(m), m, 0)
            out = m + np.log(np.exp(z - m).sum(axis=self.axis, keepdims=True))
        self.z, self.out = z, out
        if self.keepdims:
            return out
        return out.reshape(()) if self.axis is None else np.squeeze(out, self.axis)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g.reshape(self.out.shape) * np.exp(self.z - self.out),)


def logsumexp(x: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """log Σ exp(x) over ``axis``, computed stably."""
    x = as_tensor(x)
    return LogSumExp(normalize_axis(axis, x.ndim, "logsumexp"), keepdims).apply(x)


class Linear(Function):
    """y = x Wᵀ + b with W of shape (out, in) (PyTorch's layout).

    Backward: dx = g W, dW = gᵀ x, db = Σ_batch g.
    """

    __slots__ = ("x", "w", "has_bias")
    fresh_grads = True

    def forward(self, x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
        if w.ndim != 2:
            raise ValueError(f"linear: weight must be 2-D (out, in), got shape {w.shape}")
        if x.ndim == 0 or x.shape[-1] != w.shape[1]:
            raise ValueError(
                f"linear: input of shape {x.shape} has {x.shape[-1] if x.ndim else 0} features "
                f"but the weight {w.shape} expects {w.shape[1]}"
            )
        self.x, self.w, self.has_bias = x, w, b is not None
        y = x @ w.T
        if b is not None:
            if b.shape != (w.shape[0],):
                raise ValueError(f"linear: bias must have shape ({w.shape[0]},), got {b.shape}")
            y += b
        return y

    def backward(self, g: np.ndarray) -> tuple[np.ndarray | None, ...]:
        x, w = self.x, self.w
        x2 = x.reshape(-1, x.shape[-1]) if x.ndim != 2 else x
        g2 = g.reshape(-1, g.shape[-1]) if g.ndim != 2 else g
        gx = g @ w if self.inputs[0].requires_grad else None
        gw = g2.T @ x2 if self.inputs[1].requires_grad else None
        if not self.has_bias:
            return gx, gw
        gb = g2.sum(axis=0) if self.inputs[2].requires_grad else None
        return gx, gw, gb


def linear(x: Any, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x @ weight.T + bias in one node; weight has shape (out_features, in_features)."""
    x = as_tensor(x, weight)
    if bias is None:
        return Linear().apply(x, weight)
    return Linear().apply(x, weight, bias)


DENSE_ACTIVATIONS = (None, "relu", "tanh")


class Dense(Function):
    """y = act(x K + b) with the kernel K of shape (in, out) (Keras's layout) and act the
    identity, ReLU or tanh, in one node (one node less per layer, and the activation runs in
    place on x K + b).

    Backward: dx = g' Kᵀ, dK = xᵀ g', db = Σ_batch g', with g' = g ⊙ act'(y): [y > 0] for ReLU,
    1 - y² for tanh. On OpenBLAS the product x K with K stored (in, out) is markedly faster than
    ``linear``'s x Wᵀ (about a third for MNIST's 100×784 @ 784×256), which is why Keras layers
    use this op.
    """

    __slots__ = ("x", "k", "has_bias", "activation", "out")
    fresh_grads = True

    def __init__(self, activation: str | None = None) -> None:
        self.activation = activation

    def forward(self, x: np.ndarray, k: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
        if k.ndim != 2 or x.ndim != 2 or x.shape[1] != k.shape[0]:
            raise ValueError(
                f"dense: input of shape {x.shape} does not match the kernel {k.shape} "
                f"(expected (batch, {k.shape[0] if k.ndim == 2 else '?'}))"
            )
        if b is not None and b.shape != (k.shape[1],):
            raise ValueError(f"dense: bias must have shape ({k.shape[1]},), got {b.shape}")
        self.x, self.k, self.has_bias = x, k, b is not None
        y: np.ndarray = x @ k
        if b is not None:
            y += b
        if self.activation == "relu":
            np.maximum(y, 0, out=y)
        elif self.activation == "tanh":
            np.tanh(y, out=y)
        self.out = y
        return y

    def backward(self, g: np.ndarray) -> tuple[np.ndarray | None, ...]:
        if self.activation == "relu":
            g = g * (self.out > 0)
        elif self.activation == "tanh":
            y = self.out
            g = g * (1 - y * y)
        gx = g @ self.k.T if self.inputs[0].requires_grad else None
        gk = self.x.T @ g if self.inputs[1].requires_grad else None
        if not self.has_bias:
            return gx, gk
        gb = g.sum(axis=0) if self.inputs[2].requires_grad else None
        return gx, gk, gb


def dense(
    x: Any, kernel: Tensor, bias: Tensor | None = None, activation: str | None = None
) -> Tensor:
    """activation(x @ kernel + bias) in one node; x (N, in), kernel (in, out) (Keras's layout;
    ``linear`` takes PyTorch's (out, in) weight), bias (out,); ``activation`` is None (the
    identity), ``"relu"`` or ``"tanh"``."""
    if activation not in DENSE_ACTIVATIONS:
        raise ValueError(
            f"dense: activation must be one of {DENSE_ACTIVATIONS}, got {activation!r}"
        )
    x = as_tensor(x, kernel)
    if bias is None:
        return Dense(activation).apply(x, kernel)
    return Dense(activation).apply(x, kernel, bias)


class SoftmaxCrossEntropy(Function):
    """Per sample: ℓ = -Σₖ tₖ log softmax(z)ₖ = logsumexp(z) - Σₖ tₖ zₖ (Σ t = 1).

    Targets are class indices (N,) or distributions (N, K). Backward: dz = (softmax(z) - t) · g.
    """

    __slots__ = ("reduction", "target", "probs", "n", "rows")
    saves_tensors = False  # the backward reads only its own probabilities

    def __init__(self, target: np.ndarray, reduction: str) -> None:
        self.target, self.reduction = target, reduction

    def forward(self, z: np.ndarray) -> np.ndarray:
        t = self.target
        self.n = z.shape[0]
        if t.ndim == 1:
            self.rows = np.arange(self.n)
        if z.size == 0:
            self.probs = z.copy()
            per_sample = np.zeros(self.n, z.dtype)
        else:  # log softmax(z) = s - log Σ e^s with s = z - max z (stable)
            shifted = z - z.max(axis=1, keepdims=True)
            e = np.exp(shifted)
            total = e.sum(axis=1, keepdims=True)
            self.probs = np.divide(e, total, out=e)
            log_total = np.log(total)
            if t.ndim == 1:  # -log p_t = log Σ e^s - s_t
                per_sample = log_total[:, 0] - shifted[self.rows, t]
            else:
                per_sample = -(t * (shifted - log_total)).sum(axis=1)
        return _reduce_loss(per_sample, self.reduction, self.n)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        d = self.probs.copy()
        t = self.target
        if t.ndim == 1:
            d[self.rows, t] -= 1
        else:
            d -= t
        if self.reduction == "none":
            return (d * g[:, None],)
        scale = g / max(self.n, 1) if self.reduction == "mean" else g  # 0: d is empty
        d *= scale
        return (d,)


def softmax_cross_entropy(logits: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Cross-entropy of softmax(logits) against ``target``, from logits, stably.

    Args:
        logits: (N, K) unnormalized scores.
        target: (N,) integer class indices in [0, K), or (N, K) one-hot / probability rows.
        reduction: "mean" (over N), "sum", or "none" (per sample, shape (N,)).
    """
    z = as_tensor(logits)
    _check_reduction("softmax_cross_entropy", reduction)
    if z.ndim != 2:
        raise ValueError(
            f"softmax_cross_entropy: logits must be 2-D (batch, classes), got shape {z.shape}"
        )
    t = _target_array(target)
    n, k = z.shape
    if t.ndim == 1 and t.dtype.kind in "iu":
        if t.shape[0] != n:
            raise ValueError(f"softmax_cross_entropy: {t.shape[0]} targets for {n} rows of logits")
        # one reduction checks both ends: read as unsigned, a negative index is huge
        if t.size and t.view(f"u{t.dtype.itemsize}").max() >= k:
            raise ValueError(
                f"softmax_cross_entropy: class indices must lie in [0, {k - 1}], "
                f"got values in [{t.min()}, {t.max()}]"
            )
    elif t.shape == (n, k):
        t = t.astype(z.dtype, copy=False)
    else:
        raise ValueError(
            f"softmax_cross_entropy: target must be integer class indices of shape ({n},) or "
            f"one-hot/probabilities of shape ({n}, {k}); got dtype {t.dtype} shape {t.shape}"
        )
    return SoftmaxCrossEntropy(t, reduction).apply(z)


class SigmoidBinaryCrossEntropy(Function):
    """Per element: ℓ = -[t log σ(z) + (1 - t) log(1 - σ(z))] = max(z, 0) - z t + log(1 + e^{-|z|}).

    Backward: dz = (σ(z) - t) · g.
    """

    __slots__ = ("reduction", "target", "z")

    def __init__(self, target: np.ndarray, reduction: str) -> None:
        self.target, self.reduction = target, reduction

    def forward(self, z: np.ndarray) -> np.ndarray:
        t = self.target
        self.z = z
        loss = np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))
        return _reduce_loss(loss, self.reduction, z.size)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        d = stable_sigmoid(self.z) - self.target
        if self.reduction == "mean":
            return (d * (g / max(self.z.size, 1)),)  # 0: d is empty
        return (d * g,)


def sigmoid_binary_cross_entropy(logits: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of σ(logits) against targets in [0, 1], from logits, stably.

    ``target`` must have the shape of ``logits``; reduction "mean" averages over all elements.
    """
    z = as_tensor(logits)
    _check_reduction("sigmoid_binary_cross_entropy", reduction)
    t = _target_array(target)
    if t.shape != z.shape:
        raise ValueError(
            f"sigmoid_binary_cross_entropy: target shape {t.shape} differs from logits shape "
            f"{z.shape}"
        )
    return SigmoidBinaryCrossEntropy(t.astype(z.dtype, copy=False), reduction).apply(z)


class BinaryCrossEntropy(Function):
    """ℓᵢ = -[yᵢ log pᵢ + (1 - yᵢ) log(1 - pᵢ)] on probabilities, each log clamped at -100
    (PyTorch's convention: p = 0 or 1 gives a finite loss).

    Backward: dℓ/dp = (p - y) / max(p (1 - p), 1e-12).
    """

    __slots__ = ("target", "reduction", "p")

    def __init__(self, target: np.ndarray, reduction: str) -> None:
        self.target, self.reduction = target, reduction

    def forward(self, p: np.ndarray) -> np.ndarray:
        self.p = p
        y = self.target
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(p), -100)
            log_q = np.maximum(np.log(1 - p), -100)
        return _reduce_loss(-(y * log_p + (1 - y) * log_q), self.reduction, p.size)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        p = self.p
        d = (p - self.target) / np.maximum(p * (1 - p), p.dtype.type(1e-12))
        if self.reduction == "mean":
            return (d * (g / max(p.size, 1)),)  # 0: d is empty
        return (d * g,)


def binary_cross_entropy(probs: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of probabilities in [0, 1] against targets of the same shape, logs
    clamped at -100 as in PyTorch. From logits, use :func:`sigmoid_binary_cross_entropy`."""
    p = as_tensor(probs)
    _check_reduction("binary_cross_entropy", reduction)
    t = _target_array(target)
    if t.shape != p.shape:
        raise ValueError(
            f"binary_cross_entropy: target shape {t.shape} differs from input shape {p.shape}"
        )
    if p.data.size and not (p.data.min() >= 0 and p.data.max() <= 1):
        raise ValueError(
            "binary_cross_entropy: input must be probabilities in [0, 1], got values in "
            f"[{p.data.min()}, {p.data.max()}] (for logits use sigmoid_binary_cross_entropy, "
            "alias nnlab.nn.functional.binary_cross_entropy_with_logits)"
        )
    return BinaryCrossEntropy(t.astype(p.dtype, copy=False), reduction).apply(p)


class Dropout(Function):
    """Inverted dropout: y = x ⊙ m / (1 - p), mᵢ ~ Bernoulli(1 - p); dy/dx = m / (1 - p)."""

    __slots__ = ("p", "rng", "mask")
    saves_tensors = False  # the backward reads only its own mask

    def __init__(self, p: float, rng: np.random.Generator) -> None:
        self.p, self.rng = p, rng

    def forward(self, x: np.ndarray) -> np.ndarray:
        keep = self.rng.random(x.shape, dtype=np.float32) >= self.p
        self.mask = keep.astype(x.dtype) * x.dtype.type(1 / (1 - self.p))
        return x * self.mask

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g * self.mask,)


def dropout(
    x: Any, p: float, rng: np.random.Generator | None = None, training: bool = True
) -> Tensor:
    """Inverted dropout: zero each element with probability ``p`` and scale the rest by 1/(1-p).

    The identity when ``training`` is False or ``p`` is 0 (evaluation needs no rescaling).
    """
    if not 0 <= p < 1:
        raise ValueError(f"dropout: p (the drop probability) must be in [0, 1), got {p}")
    x = as_tensor(x)
    if not training or p == 0:
        return x
    return Dropout(p, rng if rng is not None else np.random.default_rng()).apply(x)
