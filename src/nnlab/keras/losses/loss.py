"""The ``Loss`` base of Keras 3 and its reduction of per-sample values to the training loss.

``loss(y_true, y_pred, sample_weight=None)`` computes the per-sample values v = ``call(y_true,
y_pred)`` (a Tensor, differentiable in y_pred), weighs them (v_i·w_i, a weight of lower rank
weighing the leading axes) and reduces them by ``reduction``:

    "sum_over_batch_size" (default), "mean"   Σ_i w_i v_i / (number of values)
    "mean_with_sample_weight"                  Σ_i w_i v_i / Σ_i w_i
    "sum"                                      Σ_i w_i v_i
    "none" or None                             the weighted values w_i v_i themselves

A mask (``SparseCategoricalCrossentropy(ignore_class=...)``, or the Keras mask the predictions
carry: ``utils.get_keras_mask``) gives the masked values weight 0
and, for the mean reductions, the others weight (number of values)/(number kept): the mean over
the kept values.

Fusion with the model's last activation (used by the training loop for speed and stability):
``fused_activation`` ('softmax', 'sigmoid' or None) names the activation whose input (the
logits) ``logits_loss(y_true, logits, sample_weight)`` accepts instead of the predictions, and
``prepare_targets(y, units, where)`` checks and converts the targets once before training.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from nnlab.autograd import Tensor

from .. import utils

__all__ = [
    "Loss",
    "auto_name",
    "LossFunctionWrapper",
    "reduce_weighted_values",
    "squeeze_or_expand_to_same_rank",
    "standardize_reduction",
]

T = TypeVar("T")


def auto_name(class_name: str) -> str:
    """Keras's automatic name: the class name in snake case ('AUC' -> 'auc', 'KLDivergence' ->
    'kl_divergence'), made unique ('auc_1', ...) until ``keras.utils.clear_session()``."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", re.sub(r"\W+", "", class_name))
    return utils.unique_name(re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower())


REDUCTIONS = ("sum_over_batch_size", "sum", None, "none", "mean", "mean_with_sample_weight")


def standardize_reduction(reduction: Any) -> Any:
    """``reduction`` itself if Keras accepts it, else a ValueError naming the choices."""
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"Invalid value for argument `reduction`. Expected one of {REDUCTIONS}. "
            f"Received: reduction={reduction}"
        )
    return reduction


def _squeeze_last(x: Any) -> Any:
    return x.reshape(x.shape[:-1])


def _expand_last(x: Any) -> Any:
    return x.reshape((*x.shape, 1))


def squeeze_or_expand_to_same_rank(x1: T, x2: Any, expand_rank_1: bool = True) -> tuple[T, Any]:
    """Keras's rank matching for two arrays/Tensors whose ranks differ by one with a last axis
    of size 1: that axis is squeezed, or (when the other is 1-D and ``expand_rank_1``) the 1-D
    one gains a trailing axis. Any other pair is returned unchanged."""
    r1, r2 = len(x1.shape), len(x2.shape)  # type: ignore[attr-defined]
    if r1 == r2 + 1 and x1.shape[-1] == 1:  # type: ignore[attr-defined]
        if r2 == 1 and expand_rank_1:
            return x1, _expand_last(x2)
        return _squeeze_last(x1), x2
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            return _expand_last(x1), x2
        return x1, _squeeze_last(x2)
    return x1, x2


def as_prediction(y_pred: Any) -> Tensor:
    """y_pred as a floating Tensor (a Tensor is used as is; integers become float32)."""
    if isinstance(y_pred, Tensor):
        if y_pred.dtype.kind != "f":
            return Tensor(y_pred.data.astype(np.float32))
        return y_pred
    arr = np.asarray(y_pred)
    return Tensor(arr if arr.dtype.kind == "f" else arr.astype(np.float32))


def as_target(y_true: Any, dtype: np.dtype) -> Any:
    """y_true in the predictions' dtype: an ndarray, or a Tensor kept (differentiable) if given
    in that dtype."""
    if isinstance(y_true, Tensor):
        if y_true.dtype == dtype:
            return y_true
        y_true = y_true.data
    return np.asarray(y_true, dtype=dtype)


def _mask_weight(mask: np.ndarray, reduction: Any, dtype: np.dtype) -> np.ndarray:
    """The weights a mask gives: 0 where masked; for the mean reductions (all)/(kept) elsewhere."""
    if reduction in ("mean", "sum_over_batch_size"):
        kept = np.count_nonzero(mask)
        return np.where(mask, mask.size / kept if kept else 0.0, 0.0).astype(dtype)
    return mask.astype(dtype)


def reduce_weighted_values(
    values: Tensor,
    sample_weight: Any = None,
    mask: np.ndarray | None = None,
    reduction: Any = "sum_over_batch_size",
) -> Tensor:
    """The per-sample ``values`` weighted by ``sample_weight`` (and ``mask``) and reduced."""
    reduction = standardize_reduction(reduction)
    dtype = values.dtype
    weight = None
    if sample_weight is not None:
        weight = (
            sample_weight.data if isinstance(sample_weight, Tensor) else np.asarray(sample_weight)
        ).astype(dtype, copy=False)
    if mask is not None:
        mask_w = _mask_weight(mask, reduction, dtype)
        if weight is None:
            weight = mask_w
        else:
            mask_w, weight = squeeze_or_expand_to_same_rank(mask_w, weight)
            weight = weight * mask_w
    if weight is not None:
        values, weight = squeeze_or_expand_to_same_rank(values, weight)
        try:
            values = values * weight
        except ValueError:
            raise ValueError(
                f"sample_weight of shape {weight.shape} does not broadcast to the per-sample "
                f"losses of shape {values.shape}"
            ) from None
    if reduction in (None, "none") or values.shape in ((), (0,)):
        return values
    total = values.sum()
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and weight is not None:
        divisor = float(np.sum(weight))
    else:
        divisor = float(values.size)
    return total / divisor if divisor else total * 0.0


class Loss:
    """Base of every loss: subclasses implement ``call(y_true, y_pred)`` -> per-sample values
    (a Tensor); ``__call__`` weighs and reduces them (see the module docstring).

    ``name`` defaults to the snake-case class name; ``reduction`` is Keras's
    ("sum_over_batch_size" by default)."""

    fused_activation: str | None = None
    from_logits: bool = False

    def __init__(
        self, name: str | None = None, reduction: Any = "sum_over_batch_size", dtype: Any = None
    ) -> None:
        self.name = name or auto_name(type(self).__name__)
        self.reduction = standardize_reduction(reduction)
        self._dtype = np.dtype(dtype or "float32")

    @property
    def dtype(self) -> str:
        return self._dtype.name

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        keras_mask = utils.get_keras_mask(y_pred)  # e.g. after Embedding(mask_zero=True)
        y_pred = as_prediction(y_pred)
        y_true = as_target(y_true, y_pred.dtype)
        values = self.call(y_true, y_pred)
        if not isinstance(values, Tensor):
            values = as_prediction(values)
        mask = self.mask(y_true, y_pred)
        if keras_mask is not None:
            mask = keras_mask if mask is None else mask & keras_mask
        return reduce_weighted_values(values, sample_weight, mask, self.reduction)

    def call(self, y_true: Any, y_pred: Any) -> Tensor:
        """The per-sample losses (one value per sample, or per element for rank > 2)."""
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred)")

    def mask(self, y_true: Any, y_pred: Tensor) -> np.ndarray | None:
        """Which per-sample values count (None: all of them)."""
        return None

    def logits_loss(self, y_true: Any, logits: Tensor, sample_weight: Any = None) -> Tensor:
        """The loss computed from the logits of ``fused_activation`` (for the training loop)."""
        raise NotImplementedError(f"{self.name} has no form from logits")

    def prepare_targets(self, y: Any, units: int, where: str) -> np.ndarray:
        """Check and convert targets once (before training), for a model with ``units`` outputs:
        shape (N, units), or (N, 1) (one target per sample, broadcast against every output, as
        Keras's losses do)."""
        y = _as_array(y, where)
        if y.ndim == 1 and units == 1:
            y = y.reshape(-1, 1)
        if y.ndim != 2 or y.shape[1] not in (1, units):
            raise ValueError(
                f"{where}: targets of shape {y.shape} do not match the model output "
                f"(None, {units}) for loss {self.name!r}"
            )
        return np.ascontiguousarray(y, dtype=np.float32)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        return cls(**{k: v for k, v in config.items() if k != "dtype"})

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


def _as_array(y: Any, where: str) -> np.ndarray:
    y = y.data if isinstance(y, Tensor) else np.asarray(y)
    if y.dtype.kind not in "biuf":
        raise TypeError(f"{where}: targets must be numeric, got dtype {y.dtype}")
    return y  # NaN or infinite targets train as in Keras (``TerminateOnNaN`` stops such a fit)


class LossFunctionWrapper(Loss):
    """A loss from a per-sample function ``fn(y_true, y_pred, **kwargs) -> Tensor``; the ranks
    of y_true and y_pred are matched first (a trailing axis of 1 squeezed or added)."""

    def __init__(
        self,
        fn: Callable[..., Any],
        reduction: Any = "sum_over_batch_size",
        name: str | None = None,
        dtype: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true: Any, y_pred: Any) -> Tensor:
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self._fn_kwargs}

    def __repr__(self) -> str:
        return f"<LossFunctionWrapper({self.fn}, kwargs={self._fn_kwargs})>"
