"""Keras losses, each the mean over the batch of a per-sample loss.

- ``MeanSquaredError`` ('mse'): mean (ŷ - y)²;  ``MeanAbsoluteError`` ('mae'): mean |ŷ - y|.
- ``BinaryCrossentropy``: -mean [y log p + (1 - y) log(1 - p)].
- ``CategoricalCrossentropy``: -mean_n Σ_k y_nk log p_nk, one-hot (N, K) targets.
- ``SparseCategoricalCrossentropy``: -mean_n log p_{n, y_n}, integer (N,) targets.

Cross-entropies on probabilities are computed in the stable fused form from logits whenever they
can be: when the model's last activation is the matching one (softmax for the categorical ones,
sigmoid for the binary one) the model hands the loss the pre-activation values z and the loss uses
``softmax_cross_entropy`` / ``sigmoid_binary_cross_entropy`` (log-sum-exp; no log(0)). With
``from_logits=True`` the model output itself is taken as z. Otherwise probabilities are clipped to
[1e-7, 1 - 1e-7] before the log, as Keras does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from nnlab.autograd import Tensor, sigmoid_binary_cross_entropy, softmax_cross_entropy

__all__ = [
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "Loss",
    "MeanAbsoluteError",
    "MeanSquaredError",
    "SparseCategoricalCrossentropy",
    "get",
]

EPSILON = 1e-7


class Loss:
    """A training loss. ``__call__(y_true, y_pred)`` -> scalar Tensor (mean over the batch).

    ``fused_activation`` names the last-layer activation whose pre-activation values the loss can
    take instead (``logits_loss``); ``from_logits`` means the model output already is those values.
    """

    name = "loss"
    fused_activation: str | None = None
    from_logits = False

    def __call__(self, y_true: np.ndarray, y_pred: Tensor) -> Tensor:
        raise NotImplementedError

    def logits_loss(self, y_true: np.ndarray, logits: Tensor) -> Tensor:
        raise NotImplementedError(f"{self.name} has no form from logits")

    def prepare_targets(self, y: Any, units: int, where: str) -> np.ndarray:
        """Check and convert targets once (before training), for a model with ``units`` outputs."""
        y = _as_array(y, where)
        if y.ndim == 1 and units == 1:
            y = y.reshape(-1, 1)
        if y.ndim != 2 or y.shape[1] != units:
            raise ValueError(
                f"{where}: targets of shape {y.shape} do not match the model output "
                f"(None, {units}) for loss {self.name!r}"
            )
        return np.ascontiguousarray(y, dtype=np.float32)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "from_logits": self.from_logits}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(from_logits={self.from_logits})"


def _as_array(y: Any, where: str) -> np.ndarray:
    y = y.data if isinstance(y, Tensor) else np.asarray(y)
    if y.dtype.kind not in "biuf":
        raise TypeError(f"{where}: targets must be numeric, got dtype {y.dtype}")
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        raise ValueError(f"{where}: targets contain NaN or infinity")
    return y


class MeanSquaredError(Loss):
    """mean over samples and outputs of (ŷ - y)²."""

    name = "mean_squared_error"

    def __call__(self, y_true: np.ndarray, y_pred: Tensor) -> Tensor:
        d = y_pred - y_true
        return (d * d).mean()


class MeanAbsoluteError(Loss):
    """mean over samples and outputs of |ŷ - y|."""

    name = "mean_absolute_error"

    def __call__(self, y_true: np.ndarray, y_pred: Tensor) -> Tensor:
        return (y_pred - y_true).abs().mean()


class _CrossEntropy(Loss):
    """A cross-entropy: from probabilities (the model's output) or, with ``from_logits`` or
    when the last activation fuses, from the logits through the engine's stable op."""

    def __init__(self, from_logits: bool = False) -> None:
        self.from_logits = bool(from_logits)

    def __call__(self, y_true: np.ndarray, y_pred: Tensor) -> Tensor:
        if self.from_logits:
            return self.logits_loss(y_true, y_pred)
        return self.from_probabilities(y_true, y_pred)

    def from_probabilities(self, y_true: np.ndarray, y_pred: Tensor) -> Tensor:
        raise NotImplementedError


class BinaryCrossentropy(_CrossEntropy):
    """-mean [y log p + (1 - y) log(1 - p)], targets in [0, 1] of the output's shape."""

    name = "binary_crossentropy"
    fused_activation = "sigmoid"

    def from_probabilities(self, y_true: np.ndarray, y_pred: Tensor) -> Tensor:
        p = y_pred.clip(EPSILON, 1 - EPSILON)
        return -(p.log() * y_true + (1 - p).log() * (1 - y_true)).mean()

    def logits_loss(self, y_true: np.ndarray, logits: Tensor) -> Tensor:
        return sigmoid_binary_cross_entropy(logits, y_true)

    def prepare_targets(self, y: Any, units: int, where: str) -> np.ndarray:
        y = super().prepare_targets(y, units, where)
        if y.size and (y.min() < 0 or y.max() > 1):
            raise ValueError(
                f"{where}: binary_crossentropy needs targets in [0, 1], got values in "
                f"[{y.min():g}, {y.max():g}]"
            )
        return y


class CategoricalCrossentropy(_CrossEntropy):
    """-mean_n Σ_k y_nk log p_nk with one-hot (or probability) targets of shape (N, K)."""

    name = "categorical_crossentropy"
    fused_activation = "softmax"

    def from_probabilities(self, y_true: np.ndarray, y_pred: Tensor) -> Tensor:
        p = (y_pred / y_pred.sum(axis=-1, keepdims=True)).clip(EPSILON, 1 - EPSILON)
        return -(p.log() * y_true).sum(axis=-1).mean()

    def logits_loss(self, y_true: np.ndarray, logits: Tensor) -> Tensor:
        return softmax_cross_entropy(logits, y_true)

    def prepare_targets(self, y: Any, units: int, where: str) -> np.ndarray:
        arr = _as_array(y, where)
        if arr.ndim == 1 and units > 1:
            raise ValueError(
                f"{where}: categorical_crossentropy expects one-hot targets of shape "
                f"({len(arr)}, {units}), got integer labels of shape {arr.shape}; use "
                "loss='sparse_categorical_crossentropy' or nnlab.keras.utils.to_categorical(y)"
            )
        return super().prepare_targets(arr, units, where)


class SparseCategoricalCrossentropy(_CrossEntropy):
    """-mean_n log p_{n, y_n} with integer class targets y_n in [0, K), shape (N,) or (N, 1)."""

    name = "sparse_categorical_crossentropy"
    fused_activation = "softmax"

    def from_probabilities(self, y_true: np.ndarray, y_pred: Tensor) -> Tensor:
        p = y_pred / y_pred.sum(axis=-1, keepdims=True)
        picked = p[np.arange(len(y_true)), y_true].clip(EPSILON, 1 - EPSILON)
        return -picked.log().mean()

    def logits_loss(self, y_true: np.ndarray, logits: Tensor) -> Tensor:
        return softmax_cross_entropy(logits, y_true)

    def prepare_targets(self, y: Any, units: int, where: str) -> np.ndarray:
        arr = _as_array(y, where)
        if arr.ndim == 2 and arr.shape[1] == 1:
            arr = arr[:, 0]
        if arr.ndim != 1:
            raise ValueError(
                f"{where}: sparse_categorical_crossentropy expects integer class labels of shape "
                f"(N,), got shape {arr.shape}; for one-hot targets use "
                "loss='categorical_crossentropy'"
            )
        if arr.dtype.kind == "f" and not np.array_equal(arr, np.round(arr)):
            raise ValueError(f"{where}: class labels must be whole numbers, got {arr[:5]}...")
        labels = arr.astype(np.intp)
        if labels.size and (labels.min() < 0 or labels.max() >= units):
            raise ValueError(
                f"{where}: class labels must lie in [0, {units - 1}] for a model with {units} "
                f"outputs, got labels in [{labels.min()}, {labels.max()}]"
            )
        return labels


class FunctionLoss(Loss):
    """A user function ``fn(y_true, y_pred) -> Tensor`` (per sample or scalar), averaged."""

    def __init__(self, fn: Callable[[np.ndarray, Tensor], Tensor]) -> None:
        self.fn = fn
        self.name = getattr(fn, "__name__", "custom_loss")

    def __call__(self, y_true: np.ndarray, y_pred: Tensor) -> Tensor:
        out = self.fn(y_true, y_pred)
        if not isinstance(out, Tensor):
            raise TypeError(f"loss {self.name!r} must return an nnlab Tensor, got {type(out)}")
        return out.mean() if out.ndim else out


_LOSSES: dict[str, type[Loss]] = {
    "mse": MeanSquaredError,
    "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError,
    "mean_absolute_error": MeanAbsoluteError,
    "binary_crossentropy": BinaryCrossentropy,
    "bce": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
}


def get(spec: Any) -> Loss:
    """A Loss from a Keras name ('mse', 'binary_crossentropy', ...), a Loss, a config dict, or a
    function ``fn(y_true, y_pred) -> Tensor``."""
    if isinstance(spec, Loss):
        return spec
    if isinstance(spec, str):
        key = spec.lower().replace(" ", "_")
        if key not in _LOSSES:
            raise ValueError(f"compile: unknown loss {spec!r}; expected one of {sorted(_LOSSES)}")
        return _LOSSES[key]()
    if isinstance(spec, dict) and spec.get("name") in _LOSSES:
        cls = _LOSSES[spec["name"]]
        if spec.get("from_logits"):
            return cls(from_logits=True)  # type: ignore[call-arg]
        return cls()
    if callable(spec):
        return FunctionLoss(spec)
    raise ValueError(
        f"compile: loss must be a name ({sorted(_LOSSES)}), a nnlab.keras.losses.Loss or a "
        f"function, got {spec!r}"
    )
