"""Metrics that average a probabilistic or hinge loss over samples (the per-sample functions of
``nnlab.keras.losses``, with the same arguments as the losses):

    BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
    KLDivergence, Poisson, Hinge, SquaredHinge, CategoricalHinge
"""

from __future__ import annotations

from typing import Any

from .. import losses
from ..losses.loss import squeeze_or_expand_to_same_rank
from .metric import to_array
from .reduction_metrics import MeanMetricWrapper

__all__ = [
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "CategoricalHinge",
    "Hinge",
    "KLDivergence",
    "Poisson",
    "SparseCategoricalCrossentropy",
    "SquaredHinge",
]


class _LossMean(MeanMetricWrapper):
    """The mean over samples of a loss function; config = name, dtype and its arguments."""

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, **self._fn_kwargs}


class BinaryCrossentropy(_LossMean):
    """Mean over samples of the binary cross-entropy."""

    def __init__(
        self,
        name: str = "binary_crossentropy",
        dtype: Any = None,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(
            losses.binary_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
        )


class CategoricalCrossentropy(_LossMean):
    """Mean over samples of the categorical cross-entropy (one-hot targets)."""

    def __init__(
        self,
        name: str = "categorical_crossentropy",
        dtype: Any = None,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
    ) -> None:
        super().__init__(
            losses.categorical_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class SparseCategoricalCrossentropy(_LossMean):
    """Mean over samples of the sparse categorical cross-entropy (integer targets). Samples
    labelled ``ignore_class`` count as 0; as in Keras 3 they still count in the mean when no
    sample_weight is given, and get weight 0 when one is."""

    def __init__(
        self,
        name: str = "sparse_categorical_crossentropy",
        dtype: Any = None,
        from_logits: bool = False,
        ignore_class: int | None = None,
        axis: int = -1,
    ) -> None:
        super().__init__(
            losses.sparse_categorical_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            ignore_class=ignore_class,
            axis=axis,
        )
        self.ignore_class = ignore_class

    def update_state(  # type: ignore[override]
        self, y_true: Any, y_pred: Any, sample_weight: Any = None
    ) -> None:
        if self.ignore_class is not None and sample_weight is not None:
            labels = to_array(y_true)
            if labels.ndim == to_array(y_pred).ndim and labels.shape[-1] == 1:
                labels = labels[..., 0]
            kept, weight = squeeze_or_expand_to_same_rank(
                (labels != self.ignore_class).astype(self._dtype), to_array(sample_weight)
            )
            sample_weight = kept * weight
        super().update_state(y_true, y_pred, sample_weight)


class KLDivergence(_LossMean):
    """Mean over samples of Σ y log(y / ŷ)."""

    def __init__(self, name: str = "kl_divergence", dtype: Any = None) -> None:
        super().__init__(losses.kl_divergence, name=name, dtype=dtype)


class Poisson(_LossMean):
    """Mean over samples of mean_k ŷ - y log(ŷ + ε)."""

    def __init__(self, name: str = "poisson", dtype: Any = None) -> None:
        super().__init__(losses.poisson, name=name, dtype=dtype)


class Hinge(_LossMean):
    """Mean over samples of mean_k max(1 - y ŷ, 0)."""

    def __init__(self, name: str = "hinge", dtype: Any = None) -> None:
        super().__init__(losses.hinge, name=name, dtype=dtype)


class SquaredHinge(_LossMean):
    """Mean over samples of mean_k max(1 - y ŷ, 0)²."""

    def __init__(self, name: str = "squared_hinge", dtype: Any = None) -> None:
        super().__init__(losses.squared_hinge, name=name, dtype=dtype)


class CategoricalHinge(_LossMean):
    """Mean over samples of the categorical hinge loss."""

    def __init__(self, name: str = "categorical_hinge", dtype: Any = None) -> None:
        super().__init__(losses.categorical_hinge, name=name, dtype=dtype)
