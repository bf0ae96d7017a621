"""Keras 3's metrics with the stateful API: ``update_state(y_true, y_pred, sample_weight=None)``,
``result()``, ``reset_state()``, ``name``, ``variables``; custom metrics subclass :class:`Metric`
and create their state with ``add_variable`` (or ``add_weight``).

``get(spec, loss=None)`` is what ``compile(metrics=[...])`` uses: ``'accuracy'``/``'acc'`` become
a :class:`CompileAccuracy` (binary, sparse categorical or categorical accuracy, from the shapes
of the first batch, as Keras 3's compile decides); other names give the metric of that name,
named by the string given (the history key).
"""

from __future__ import annotations

import re
from typing import Any

from ..losses import (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_hinge,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)
from .accuracy_metrics import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    CompileAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from .confusion_metrics import (
    AUC,
    FalseNegatives,
    FalsePositives,
    Precision,
    Recall,
    TrueNegatives,
    TruePositives,
)
from .correlation_metrics import (
    ConcordanceCorrelation,
    PearsonCorrelation,
    concordance_correlation,
    pearson_correlation,
)
from .f_score_metrics import F1Score, FBetaScore
from .metric import Metric, Variable  # noqa: F401  (Variable: for custom metrics)
from .probabilistic_metrics import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CategoricalHinge,
    Hinge,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
    SquaredHinge,
)
from .reduction_metrics import Mean, MeanMetricWrapper, Sum
from .regression_metrics import (
    CosineSimilarity,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    R2Score,
    RootMeanSquaredError,
)
from .sensitivity_metrics import (
    PrecisionAtRecall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
)

__all__ = [  # the classes, then Keras's function forms (per-sample values) and serialization
    "ConcordanceCorrelation",
    "PearsonCorrelation",
    "concordance_correlation",
    "pearson_correlation",
    "binary_accuracy",
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_accuracy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "categorical_hinge",
    "hinge",
    "huber",
    "kl_divergence",
    "log_cosh",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mean_squared_logarithmic_error",
    "poisson",
    "sparse_categorical_accuracy",
    "sparse_categorical_crossentropy",
    "sparse_top_k_categorical_accuracy",
    "squared_hinge",
    "top_k_categorical_accuracy",
    "deserialize",
    "serialize",
    "AUC",
    "Accuracy",
    "BinaryAccuracy",
    "BinaryCrossentropy",
    "CategoricalAccuracy",
    "CategoricalCrossentropy",
    "CategoricalHinge",
    "CompileAccuracy",
    "CosineSimilarity",
    "F1Score",
    "FBetaScore",
    "FalseNegatives",
    "FalsePositives",
    "Hinge",
    "KLDivergence",
    "LogCoshError",
    "Mean",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanMetricWrapper",
    "MeanSquaredError",
    "MeanSquaredLogarithmicError",
    "Metric",
    "Poisson",
    "Precision",
    "PrecisionAtRecall",
    "R2Score",
    "Recall",
    "RecallAtPrecision",
    "RootMeanSquaredError",
    "SensitivityAtSpecificity",
    "SparseCategoricalAccuracy",
    "SparseCategoricalCrossentropy",
    "SparseTopKCategoricalAccuracy",
    "SpecificityAtSensitivity",
    "SquaredHinge",
    "Sum",
    "TopKCategoricalAccuracy",
    "TrueNegatives",
    "TruePositives",
    "get",
]

_CLASSES: list[type[Metric]] = [
    Mean,
    PearsonCorrelation,
    ConcordanceCorrelation,
    Sum,
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    TopKCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    Precision,
    Recall,
    AUC,
    TruePositives,
    FalsePositives,
    TrueNegatives,
    FalseNegatives,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
    PrecisionAtRecall,
    RecallAtPrecision,
    F1Score,
    FBetaScore,
    MeanSquaredError,
    RootMeanSquaredError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError,
    LogCoshError,
    CosineSimilarity,
    R2Score,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
    KLDivergence,
    Poisson,
    Hinge,
    SquaredHinge,
    CategoricalHinge,
]


def _snake_case(class_name: str) -> str:
    """Keras's snake case: 'AUC' -> 'auc', 'R2Score' -> 'r2_score'."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


#: Keras names -> metric classes: class names, their snake_case, and Keras's short aliases.
ALL_OBJECTS: dict[str, type[Metric]] = {
    **{cls.__name__: cls for cls in _CLASSES},
    **{_snake_case(cls.__name__): cls for cls in _CLASSES},
    "acc": Accuracy,
    "mse": MeanSquaredError,
    "mae": MeanAbsoluteError,
    "mape": MeanAbsolutePercentageError,
    "msle": MeanSquaredLogarithmicError,
    "bce": BinaryCrossentropy,
    "kld": KLDivergence,
    "logcosh": LogCoshError,
}


def get(spec: Any, loss: Any = None) -> Metric | None:
    """The metric for ``spec``, as ``compile(metrics=[...])`` makes it: a Keras name (``'mse'``,
    ``'BinaryAccuracy'``, ...; the metric is named by that string, its history key), a config
    dict ``{'class_name': ..., 'config': {...}}``, a Metric, or a function ``fn(y_true, y_pred)``
    of per-sample values (wrapped in a MeanMetricWrapper); None gives None.

    ``'accuracy'``/``'acc'`` give a :class:`CompileAccuracy`: binary, sparse categorical or
    categorical accuracy chosen from the shapes of the first batch, as Keras 3's compile does
    (it does not look at ``loss``, which is accepted for that call's signature). Keras's
    exact-match metric is ``Accuracy()`` (any spelling of the string means compile's).
    """
    if spec is None:
        return None
    if isinstance(spec, Metric):
        return spec
    if isinstance(spec, str):
        if spec.lower() in ("accuracy", "acc"):
            return CompileAccuracy(name=spec)
        cls = ALL_OBJECTS.get(spec) or ALL_OBJECTS.get(spec.lower())
        if cls is None:
            raise ValueError(
                f"Could not interpret metric identifier: {spec} (unknown metric {spec!r}; "
                f"expected one of {', '.join(sorted(ALL_OBJECTS))}, a Metric or a function "
                "fn(y_true, y_pred))"
            )
        return cls(name=spec)
    if isinstance(spec, dict) and "class_name" in spec:
        return deserialize(spec)
    if isinstance(spec, type) and issubclass(spec, Metric):
        return spec()
    if callable(spec):
        return MeanMetricWrapper(spec)
    raise ValueError(
        f"metric must be a name ({sorted(ALL_OBJECTS)}), a nnlab.keras.metrics.Metric or a "
        f"function fn(y_true, y_pred), got {spec!r}"
    )


def serialize(metric: Metric) -> dict[str, Any]:
    """Keras's form: ``{'module': 'keras.metrics', 'class_name', 'config', 'registered_name'}``."""
    return {
        "module": "keras.metrics",
        "class_name": type(metric).__name__,
        "config": metric.get_config(),
        "registered_name": None,
    }


def deserialize(config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Metric:
    """The metric ``serialize`` described (``custom_objects``: extra classes by name)."""
    known: dict[str, Any] = {**ALL_OBJECTS, **(custom_objects or {})}
    cls = known.get(config.get("class_name", ""))
    if cls is None:
        raise ValueError(f"unknown metric class {config.get('class_name')!r} in {config!r}")
    return cls.from_config(dict(config.get("config") or {}))
