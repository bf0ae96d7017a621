"""Keras 3's loss classes: each wraps its per-sample function (see ``regression`` and
``probabilistic`` for the formulas) with Keras's arguments, defaults and names.

The three cross-entropies also fuse with the model's last activation (``fused_activation``):
given the logits z, ``logits_loss`` computes the loss through the engine's stable ops
(``softmax_cross_entropy``, ``sigmoid_binary_cross_entropy``), one graph node, no log(0).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import nnlab.autograd as ag
from nnlab.autograd import Tensor

from . import probabilistic as P
from . import regression as R
from .loss import Loss, LossFunctionWrapper, _as_array, as_prediction, reduce_weighted_values

__all__ = [
    "BinaryCrossentropy",
    "BinaryFocalCrossentropy",
    "CategoricalCrossentropy",
    "CategoricalFocalCrossentropy",
    "CategoricalHinge",
    "CosineSimilarity",
    "FunctionLoss",
    "Hinge",
    "Huber",
    "KLDivergence",
    "LogCosh",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanSquaredError",
    "MeanSquaredLogarithmicError",
    "Poisson",
    "SparseCategoricalCrossentropy",
    "SquaredHinge",
]

SUM_OVER_BATCH = "sum_over_batch_size"


class _Simple(LossFunctionWrapper):
    """A loss whose only arguments are Keras's reduction, name and dtype."""

    function: Callable[..., Tensor]
    default_name: str

    def __init__(
        self, reduction: Any = SUM_OVER_BATCH, name: str | None = None, dtype: Any = None
    ) -> None:
        super().__init__(
            type(self).function, reduction=reduction, name=name or self.default_name, dtype=dtype
        )


class MeanSquaredError(_Simple):
    """mean (y - ŷ)² ('mse')."""

    function = staticmethod(R.mean_squared_error)
    default_name = "mean_squared_error"


class MeanAbsoluteError(_Simple):
    """mean |y - ŷ| ('mae')."""

    function = staticmethod(R.mean_absolute_error)
    default_name = "mean_absolute_error"


class MeanAbsolutePercentageError(_Simple):
    """100 · mean |y - ŷ| / max(|y|, ε) ('mape')."""

    function = staticmethod(R.mean_absolute_percentage_error)
    default_name = "mean_absolute_percentage_error"


class MeanSquaredLogarithmicError(_Simple):
    """mean (log(ŷ + 1) - log(y + 1))² ('msle')."""

    function = staticmethod(R.mean_squared_logarithmic_error)
    default_name = "mean_squared_logarithmic_error"


class LogCosh(_Simple):
    """mean log cosh(ŷ - y)."""

    function = staticmethod(R.log_cosh)
    default_name = "log_cosh"


class Hinge(_Simple):
    """mean max(1 - y ŷ, 0), targets -1/1 (0/1 mapped)."""

    function = staticmethod(R.hinge)
    default_name = "hinge"


class SquaredHinge(_Simple):
    """mean max(1 - y ŷ, 0)², targets -1/1 (0/1 mapped)."""

    function = staticmethod(R.squared_hinge)
    default_name = "squared_hinge"


class CategoricalHinge(_Simple):
    """max(max_k (1 - y_k) ŷ_k - Σ_k y_k ŷ_k + 1, 0)."""

    function = staticmethod(R.categorical_hinge)
    default_name = "categorical_hinge"


class KLDivergence(_Simple):
    """Σ y log(y / ŷ) ('kld')."""

    function = staticmethod(P.kl_divergence)
    default_name = "kl_divergence"


class Poisson(_Simple):
    """mean ŷ - y log(ŷ + ε)."""

    function = staticmethod(P.poisson)
    default_name = "poisson"


class Huber(LossFunctionWrapper):
    """mean of ½e² where |e| <= δ, δ|e| - ½δ² elsewhere (e = ŷ - y). Its config, as Keras 3's,
    holds only the name and reduction (``delta`` is not stored)."""

    def get_config(self) -> dict[str, Any]:
        return Loss.get_config(self)

    def __init__(
        self,
        delta: float = 1.0,
        reduction: Any = SUM_OVER_BATCH,
        name: str = "huber_loss",
        dtype: Any = None,
    ) -> None:
        super().__init__(R.huber, reduction=reduction, name=name, dtype=dtype, delta=delta)


class CosineSimilarity(LossFunctionWrapper):
    """-Σ_axis (y/‖y‖)(ŷ/‖ŷ‖). Its config, as Keras 3's, holds only the name and reduction
    (``axis`` is not stored)."""

    def get_config(self) -> dict[str, Any]:
        return Loss.get_config(self)

    def __init__(
        self,
        axis: int = -1,
        reduction: Any = SUM_OVER_BATCH,
        name: str = "cosine_similarity",
        dtype: Any = None,
    ) -> None:
        super().__init__(
            R.cosine_similarity, reduction=reduction, name=name, dtype=dtype, axis=axis
        )


class _CrossEntropy(LossFunctionWrapper):
    """A cross-entropy with Keras's ``from_logits``; fuses with ``fused_activation``."""

    def __init__(self, fn: Callable[..., Tensor], reduction: Any, name: str, dtype: Any, **kw: Any):
        super().__init__(fn, reduction=reduction, name=name, dtype=dtype, **kw)
        self.from_logits = bool(kw.get("from_logits", False))

    def logits_loss(self, y_true: Any, logits: Tensor, sample_weight: Any = None) -> Tensor:
        """The loss of ``fused_activation``(logits) computed from the logits."""
        if self.from_logits:
            return self(y_true, logits, sample_weight)
        fused = _fused_mean(self, y_true, logits, sample_weight)
        if fused is not None:
            return fused
        kwargs = {**self._fn_kwargs, "from_logits": True}
        values = self.fn(*self._ranked(y_true, logits), **kwargs)
        return reduce_weighted_values(
            values, sample_weight, self.mask(y_true, logits), self.reduction
        )

    def _ranked(self, y_true: Any, logits: Tensor) -> tuple[Any, Tensor]:
        from .loss import squeeze_or_expand_to_same_rank

        return squeeze_or_expand_to_same_rank(y_true, as_prediction(logits))

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        if self.from_logits:
            fused = _fused_mean(self, y_true, y_pred, sample_weight)
            if fused is not None:
                return fused
        return super().__call__(y_true, y_pred, sample_weight)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "from_logits": self.from_logits}


def _fused_mean(loss: _CrossEntropy, y_true: Any, logits: Any, sample_weight: Any) -> Tensor | None:
    """The engine's single fused node for the common case (2-D logits, plain targets, no
    weights, smoothing or mask, mean reduction), or None when the general path is needed."""
    if (
        sample_weight is not None
        or loss.reduction not in (SUM_OVER_BATCH, "mean")
        or not isinstance(logits, Tensor)
        or logits.ndim != 2
        or isinstance(y_true, Tensor)
        or loss._fn_kwargs.get("label_smoothing")
        or loss._fn_kwargs.get("ignore_class") is not None
        or loss._fn_kwargs.get("axis", -1) not in (-1, 1)
    ):
        return None
    y = np.asarray(y_true)
    if isinstance(loss, BinaryCrossentropy):
        if y.shape != logits.shape:
            return None
        return ag.sigmoid_binary_cross_entropy(logits, y.astype(logits.dtype, copy=False))
    if isinstance(loss, SparseCategoricalCrossentropy):
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.shape != (logits.shape[0],) or y.dtype.kind not in "iu":
            return None
        return ag.softmax_cross_entropy(logits, y)
    if isinstance(loss, CategoricalCrossentropy) and y.shape == logits.shape:
        return ag.softmax_cross_entropy(logits, y.astype(logits.dtype, copy=False))
    return None


class BinaryCrossentropy(_CrossEntropy):
    """mean -[y log p + (1 - y) log(1 - p)] over the last axis; targets in [0, 1]."""

    fused_activation = "sigmoid"

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: Any = SUM_OVER_BATCH,
        name: str = "binary_crossentropy",
        dtype: Any = None,
    ) -> None:
        super().__init__(
            P.binary_crossentropy,
            reduction,
            name,
            dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.label_smoothing, self.axis = label_smoothing, axis

    def prepare_targets(self, y: Any, units: int, where: str) -> np.ndarray:
        y = super().prepare_targets(y, units, where)
        if y.size and (y.min() < 0 or y.max() > 1):
            raise ValueError(
                f"{where}: binary_crossentropy needs targets in [0, 1], got values in "
                f"[{y.min():g}, {y.max():g}]"
            )
        return y


class BinaryFocalCrossentropy(_CrossEntropy):
    """Binary cross-entropy down-weighting easy examples: mean (1 - p_t)^γ · bce."""

    def __init__(
        self,
        apply_class_balancing: bool = False,
        alpha: float = 0.25,
        gamma: float = 2.0,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: Any = SUM_OVER_BATCH,
        name: str = "binary_focal_crossentropy",
        dtype: Any = None,
    ) -> None:
        super().__init__(
            P.binary_focal_crossentropy,
            reduction,
            name,
            dtype,
            apply_class_balancing=apply_class_balancing,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class CategoricalCrossentropy(_CrossEntropy):
    """-Σ_k y_k log p_k with one-hot (or probability) targets of the predictions' shape."""

    fused_activation = "softmax"

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: Any = SUM_OVER_BATCH,
        name: str = "categorical_crossentropy",
        dtype: Any = None,
    ) -> None:
        super().__init__(
            P.categorical_crossentropy,
            reduction,
            name,
            dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.label_smoothing, self.axis = label_smoothing, axis

    def prepare_targets(self, y: Any, units: int, where: str) -> np.ndarray:
        arr = _as_array(y, where)
        if units > 1 and (arr.ndim == 1 or (arr.ndim == 2 and arr.shape[1] == 1)):
            raise ValueError(
                f"{where}: categorical_crossentropy expects one-hot targets of shape "
                f"({len(arr)}, {units}), got integer labels of shape {arr.shape}; use "
                "loss='sparse_categorical_crossentropy' or nnlab.keras.utils.to_categorical(y)"
            )
        return super().prepare_targets(arr, units, where)


class CategoricalFocalCrossentropy(_CrossEntropy):
    """Σ_k α (1 - p_k)^γ · (-y_k log p_k)."""

    def __init__(
        self,
        alpha: float = 0.25,
        gamma: float = 2.0,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: Any = SUM_OVER_BATCH,
        name: str = "categorical_focal_crossentropy",
        dtype: Any = None,
    ) -> None:
        super().__init__(
            P.categorical_focal_crossentropy,
            reduction,
            name,
            dtype,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class SparseCategoricalCrossentropy(_CrossEntropy):
    """-log p_y with integer class labels y in [0, K), shape (N,) or (N, 1); labels equal to
    ``ignore_class`` count for nothing (the mean is over the others)."""

    fused_activation = "softmax"

    def __init__(
        self,
        from_logits: bool = False,
        ignore_class: int | None = None,
        reduction: Any = SUM_OVER_BATCH,
        axis: int = -1,
        name: str = "sparse_categorical_crossentropy",
        dtype: Any = None,
    ) -> None:
        super().__init__(
            P.sparse_categorical_crossentropy,
            reduction,
            name,
            dtype,
            from_logits=from_logits,
            ignore_class=ignore_class,
            axis=axis,
        )
        self.ignore_class = ignore_class

    def call(self, y_true: Any, y_pred: Any) -> Tensor:
        return self.fn(y_true, y_pred, **self._fn_kwargs)  # labels keep their own rank

    def _ranked(self, y_true: Any, logits: Tensor) -> tuple[Any, Tensor]:
        return y_true, as_prediction(logits)

    def mask(self, y_true: Any, y_pred: Tensor) -> np.ndarray | None:
        if self.ignore_class is None:
            return None
        labels = P.sparse_labels(y_true, y_pred, self._fn_kwargs["axis"], self.name)
        return labels != self.ignore_class

    def get_config(self) -> dict[str, Any]:
        config = Loss.get_config(self)
        return {**config, "from_logits": self.from_logits, "ignore_class": self.ignore_class}

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


class FunctionLoss(LossFunctionWrapper):
    """A user's loss function ``fn(y_true, y_pred) -> Tensor`` (per sample, or already a
    scalar), named after the function."""

    def __init__(self, fn: Callable[..., Any], name: str | None = None, **kwargs: Any) -> None:
        super().__init__(fn, name=name or getattr(fn, "__name__", "custom_loss"), **kwargs)

    def call(self, y_true: Any, y_pred: Any) -> Tensor:
        out = super().call(y_true, y_pred)
        if not isinstance(out, Tensor):
            raise TypeError(f"loss {self.name!r} must return an nnlab Tensor, got {type(out)}")
        return out


# Keras's keras.src.losses.losses also holds these:
from .circle_ctc import CTC, Circle, circle, ctc  # noqa: E402,F401
from .probabilistic import (  # noqa: E402,F401
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    kl_divergence,
    poisson,
    sparse_categorical_crossentropy,
)
from .regression import (  # noqa: E402,F401
    categorical_hinge,
    cosine_similarity,
    hinge,
    huber,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    squared_hinge,
)
from .segmentation import (  # noqa: E402,F401
    CategoricalGeneralizedCrossEntropy,
    Dice,
    Tversky,
    categorical_generalized_cross_entropy,
    dice,
    tversky,
)
