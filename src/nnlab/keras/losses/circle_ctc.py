"""Two losses of Keras 3 that are not per-element: the Circle loss on embeddings and CTC on
sequences.

circle (Sun et al. 2020), for L2-normalised embeddings e_i with integer labels y_i, against
reference embeddings r_j (the batch itself unless given) with labels y'_j:

    d_ij = max(1 - e_i · r_j, 0)                         (cosine distance)
    P = {j : y'_j = y_i} (without j = i when ``remove_diagonal``),   N = {j : y'_j != y_i}
    α⁺_ij = max(m + d_ij, 0),   α⁻_ij = max(1 + m - d_ij, 0)
    loss_i = softplus(logsumexp_{j∈P} -γ α⁺_ij (m - d_ij) + logsumexp_{j∈N} γ α⁻_ij (1-m-d_ij))

(an empty P or N gives logsumexp = -∞, so loss_i = 0). Like Keras, the :class:`Circle` loss
averages over the samples whose loss is > 0 only (Keras masks the others).

ctc (Graves et al. 2006): y_pred (batch, T, classes) are logits, class 0 is the blank, and
y_true (batch, max_label_length) holds the labels, padded with 0; the label length is the
number of non-zero entries. The loss is -log p(label | x), p summed over every alignment of
length T (the forward algorithm α), its gradient from the forward-backward products α β.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab.autograd import Tensor, logsumexp, relu, softplus, where
from nnlab.autograd.function import Function

from .loss import Loss, LossFunctionWrapper, as_prediction, reduce_weighted_values

__all__ = ["CTC", "Circle", "circle", "ctc"]

SUM_OVER_BATCH = "sum_over_batch_size"
_MASKED = -1e30  # stands for -inf in a masked logsumexp (exp of it is exactly 0)


def _int_labels(y: Any, where_: str) -> np.ndarray:
    arr = y.data if isinstance(y, Tensor) else np.asarray(y)
    return np.asarray(arr).astype(np.int64)


def circle(
    y_true: Any,
    y_pred: Any,
    ref_labels: Any = None,
    ref_embeddings: Any = None,
    remove_diagonal: bool = True,
    gamma: float = 80,
    margin: float = 0.4,
) -> Tensor:
    """The Circle loss of each embedding (see the module docstring)."""
    y_pred = as_prediction(y_pred)
    if y_pred.ndim != 2:
        raise ValueError(
            f"circle: y_pred must be embeddings of shape (batch, dim), got shape {y_pred.shape}"
        )
    labels = _int_labels(y_true, "circle").reshape(-1)
    if labels.shape[0] != y_pred.shape[0]:
        raise ValueError(
            f"circle: y_true has {labels.shape[0]} labels for {y_pred.shape[0]} embeddings"
        )
    ref = y_pred if ref_embeddings is None else as_prediction(ref_embeddings)
    ref_lab = labels if ref_labels is None else _int_labels(ref_labels, "circle").reshape(-1)
    dist = relu(1.0 - y_pred @ ref.T)
    positive = labels[:, None] == ref_lab[None, :]
    negative = ~positive
    if remove_diagonal:
        positive &= ~np.eye(labels.shape[0], ref_lab.shape[0], dtype=bool)
    pos_weights = relu((margin + dist) * positive.astype(dist.dtype))
    neg_weights = relu(((1 + margin) - dist) * negative.astype(dist.dtype))
    pos_wdists = pos_weights * (margin - dist) * (-gamma)
    neg_wdists = neg_weights * ((1 - margin) - dist) * gamma
    p_loss = logsumexp(where(positive, pos_wdists, _MASKED), axis=1)
    n_loss = logsumexp(where(negative, neg_wdists, _MASKED), axis=1)
    return softplus(p_loss + n_loss)


class Circle(LossFunctionWrapper):
    """The Circle loss for metric learning; the mean is over samples with a positive loss."""

    def __init__(
        self,
        gamma: float = 80.0,
        margin: float = 0.4,
        remove_diagonal: bool = True,
        reduction: Any = SUM_OVER_BATCH,
        name: str = "circle",
        dtype: Any = None,
    ) -> None:
        super().__init__(
            circle,
            reduction=reduction,
            name=name,
            dtype=dtype,
            gamma=gamma,
            margin=margin,
            remove_diagonal=remove_diagonal,
        )
        self.gamma, self.margin, self.remove_diagonal = gamma, margin, remove_diagonal

    def call(self, y_true: Any, y_pred: Any) -> Tensor:
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        values = self.call(y_true, as_prediction(y_pred))
        return reduce_weighted_values(values, sample_weight, values.data > 0, self.reduction)


def _logaddexp(*xs: np.ndarray) -> np.ndarray:
    out = xs[0]
    for x in xs[1:]:
        out = np.logaddexp(out, x)
    return out


def _ctc_one(logp: np.ndarray, label: np.ndarray) -> tuple[float, np.ndarray]:
    """-log p(label) and its gradient with respect to the log-probabilities ``logp`` (T, K)."""
    steps = logp.shape[0]
    ext = np.zeros(2 * label.size + 1, dtype=np.int64)  # blank, l1, blank, l2, ..., blank
    ext[1::2] = label
    size = ext.size
    # a jump s-2 -> s is allowed onto a label that differs from the label two places back
    skip = np.zeros(size, dtype=bool)
    skip[3::2] = ext[3::2] != ext[1:-2:2]
    emit = logp[:, ext]  # (T, S)
    neg = -np.inf
    alpha = np.full((steps, size), neg)
    alpha[0, :2] = emit[0, :2]
    for t in range(1, steps):
        prev = alpha[t - 1]
        one = np.concatenate(([neg], prev[:-1]))
        two = np.where(skip, np.concatenate(([neg, neg], prev[:-2])), neg)
        alpha[t] = emit[t] + _logaddexp(prev, one, two)
    beta = np.full((steps, size), neg)
    beta[-1, -2:] = emit[-1, -2:]
    skip_next = np.concatenate((skip[2:], [False, False]))  # s -> s+2 allowed
    for t in range(steps - 2, -1, -1):
        nxt = beta[t + 1]
        one = np.concatenate((nxt[1:], [neg]))
        two = np.where(skip_next, np.concatenate((nxt[2:], [neg, neg])), neg)
        beta[t] = emit[t] + _logaddexp(nxt, one, two)
    log_p = _logaddexp(alpha[-1, -1], alpha[-1, -2]) if size > 1 else alpha[-1, -1]
    grad = np.zeros_like(logp)
    if not np.isfinite(log_p):
        return float("inf"), grad
    # γ_t(k) = Σ_{s: ext_s = k} α_t(s) β_t(s) / (y_t(k) p): the posterior of class k at t
    occupancy = np.exp(alpha + beta - emit - log_p)
    for s in range(size):
        grad[:, ext[s]] -= occupancy[:, s]
    return float(-log_p), grad


class _CTCLoss(Function):
    """Per-sample CTC losses from logits (B, T, K); the gradient is softmax - γ per step."""

    __slots__ = ("labels", "grad_logits")

    def __init__(self, labels: list[np.ndarray]) -> None:
        self.labels = labels

    def forward(self, logits: np.ndarray) -> np.ndarray:
        x = logits.astype(np.float64)
        logp = x - np.logaddexp.reduce(x, axis=-1, keepdims=True)
        losses = np.zeros(x.shape[0])
        grad_logp = np.zeros_like(x)
        for b, label in enumerate(self.labels):
            losses[b], grad_logp[b] = _ctc_one(logp[b], label)
        # d/dz of log_softmax: g_z = g_logp - softmax Σ_k g_logp
        probs = np.exp(logp)
        self.grad_logits = grad_logp - probs * grad_logp.sum(axis=-1, keepdims=True)
        return losses.astype(logits.dtype)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        g = (grad[:, None, None] * self.grad_logits).astype(grad.dtype)
        return (g,)


def ctc(y_true: Any, y_pred: Any) -> Tensor:
    """The CTC loss -log p(y | x) of each sequence (see the module docstring)."""
    labels = _int_labels(y_true, "ctc")
    y_pred = as_prediction(y_pred)
    if labels.ndim != 2:
        raise ValueError(
            "Targets `y_true` are expected to be a tensor of shape `(batch_size, max_length)` "
            f"in integer format. Received: y_true.shape={labels.shape}"
        )
    if y_pred.ndim != 3:
        raise ValueError(
            "Logits `y_pred` are expected to be a tensor of shape "
            f"`(batch_size, max_length, num_classes)`. Received: y_pred.shape={y_pred.shape}"
        )
    if labels.shape[0] != y_pred.shape[0]:
        raise ValueError(
            f"ctc: y_true has {labels.shape[0]} label rows for a batch of {y_pred.shape[0]}"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= y_pred.shape[-1]):
        raise ValueError(
            f"ctc: labels must be in [0, {y_pred.shape[-1]}) (0 is the blank/padding), got "
            f"values in [{labels.min()}, {labels.max()}]"
        )
    lengths = (labels != 0).sum(axis=-1)
    rows = [labels[b, : lengths[b]] for b in range(labels.shape[0])]
    return _CTCLoss(rows).apply(y_pred)


class CTC(LossFunctionWrapper):
    """Connectionist temporal classification loss (mean over sequences by default)."""

    def __init__(
        self, reduction: Any = SUM_OVER_BATCH, name: str = "ctc", dtype: Any = None
    ) -> None:
        super().__init__(ctc, reduction=reduction, name=name, dtype=dtype)

    def call(self, y_true: Any, y_pred: Any) -> Tensor:
        return self.fn(y_true, y_pred)

    def get_config(self) -> dict[str, Any]:
        return Loss.get_config(self)
