"""Keras 3's losses: classes (``keras.losses.MeanSquaredError()``) and per-sample functions
(``keras.losses.mean_squared_error(y_true, y_pred)``), on NumPy arrays and nnlab Tensors
(differentiable in y_pred). ``get(spec)`` gives a :class:`Loss` for a name, a config, a Loss or
a function; custom losses subclass :class:`Loss` and implement ``call(y_true, y_pred)``.

Submodules: ``loss`` (the base and the reductions), ``regression`` and ``probabilistic`` (the
per-sample functions with their formulas), ``losses`` (the classes).
"""

from __future__ import annotations

from typing import Any

from .circle_ctc import CTC, Circle, circle, ctc
from .compile_crossentropy import CompileCrossentropy
from .loss import Loss, LossFunctionWrapper, squeeze_or_expand_to_same_rank
from .losses import (
    BinaryCrossentropy,
    BinaryFocalCrossentropy,
    CategoricalCrossentropy,
    CategoricalFocalCrossentropy,
    CategoricalHinge,
    CosineSimilarity,
    FunctionLoss,
    Hinge,
    Huber,
    KLDivergence,
    LogCosh,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    Poisson,
    SparseCategoricalCrossentropy,
    SquaredHinge,
)
from .probabilistic import (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    kl_divergence,
    poisson,
    sparse_categorical_crossentropy,
)
from .regression import (
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
from .segmentation import (
    CategoricalGeneralizedCrossEntropy,
    Dice,
    Tversky,
    categorical_generalized_cross_entropy,
    dice,
    tversky,
)

__all__ = [
    "CTC",
    "CompileCrossentropy",
    "Circle",
    "circle",
    "ctc",
    "BinaryCrossentropy",
    "CategoricalGeneralizedCrossEntropy",
    "Dice",
    "Tversky",
    "categorical_generalized_cross_entropy",
    "dice",
    "tversky",
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
    "Loss",
    "LossFunctionWrapper",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanSquaredError",
    "MeanSquaredLogarithmicError",
    "Poisson",
    "SparseCategoricalCrossentropy",
    "SquaredHinge",
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "categorical_hinge",
    "cosine_similarity",
    "deserialize",
    "get",
    "hinge",
    "huber",
    "kl_divergence",
    "log_cosh",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mean_squared_logarithmic_error",
    "poisson",
    "serialize",
    "sparse_categorical_crossentropy",
    "squared_hinge",
    "squeeze_or_expand_to_same_rank",
]

_CLASSES: list[type[Loss]] = [
    MeanSquaredError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError,
    Huber,
    LogCosh,
    CosineSimilarity,
    Hinge,
    SquaredHinge,
    CategoricalHinge,
    KLDivergence,
    Poisson,
    BinaryCrossentropy,
    BinaryFocalCrossentropy,
    CategoricalCrossentropy,
    CategoricalFocalCrossentropy,
    SparseCategoricalCrossentropy,
    Dice,
    Tversky,
    CategoricalGeneralizedCrossEntropy,
    Circle,
    CTC,
]

#: Keras's loss names (the function names, Keras's short aliases and the classes' default
#: names) -> class. ``get`` also accepts the class names.
_LOSSES: dict[str, type[Loss]] = {
    "mean_squared_error": MeanSquaredError,
    "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError,
    "mae": MeanAbsoluteError,
    "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "mape": MeanAbsolutePercentageError,
    "mean_squared_logarithmic_error": MeanSquaredLogarithmicError,
    "msle": MeanSquaredLogarithmicError,
    "huber": Huber,
    "huber_loss": Huber,
    "log_cosh": LogCosh,
    "logcosh": LogCosh,
    "cosine_similarity": CosineSimilarity,
    "hinge": Hinge,
    "squared_hinge": SquaredHinge,
    "categorical_hinge": CategoricalHinge,
    "kl_divergence": KLDivergence,
    "kld": KLDivergence,
    "poisson": Poisson,
    "binary_crossentropy": BinaryCrossentropy,
    "bce": BinaryCrossentropy,
    "binary_focal_crossentropy": BinaryFocalCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "categorical_focal_crossentropy": CategoricalFocalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "dice": Dice,
    "tversky": Tversky,
    "categorical_generalized_cross_entropy": CategoricalGeneralizedCrossEntropy,
    "circle": Circle,
    "crossentropy": CompileCrossentropy,
    "ce": CompileCrossentropy,
    "ctc": CTC,
}
ALL_OBJECTS: dict[str, type[Loss]] = {
    **{cls.__name__: cls for cls in _CLASSES},
    "Loss": Loss,
    "LossFunctionWrapper": LossFunctionWrapper,
}


def get(spec: Any) -> Loss | None:
    """A Loss from a Keras name ('mse', 'binary_crossentropy', 'Huber', ...), a config dict
    (Keras's ``{'class_name': ..., 'config': {...}}`` or ``{'name': ..., 'from_logits': ...}``),
    a Loss, a Loss class, or a function ``fn(y_true, y_pred) -> Tensor``; None gives None."""
    if spec is None:
        return None
    if isinstance(spec, Loss):
        return spec
    if isinstance(spec, str):
        key = spec.replace(" ", "_")
        cls = ALL_OBJECTS.get(key) or _LOSSES.get(key.lower())
        if cls is None:
            raise ValueError(
                f"Could not interpret loss identifier: {spec} (unknown loss {spec!r}; expected "
                f"one of {', '.join(sorted(_LOSSES))})"
            )
        return cls()
    if isinstance(spec, dict):
        return deserialize(spec)
    if isinstance(spec, type) and issubclass(spec, Loss):
        return spec()
    if callable(spec):
        return FunctionLoss(spec)
    raise ValueError(
        f"loss must be a name ({sorted(_LOSSES)}), a nnlab.keras.losses.Loss or a "
        f"function, got {spec!r}"
    )


def serialize(loss: Loss) -> dict[str, Any]:
    """Keras's form of a built-in loss: ``{'class_name': ..., 'config': loss.get_config()}``."""
    if type(loss).__name__ not in ALL_OBJECTS or isinstance(loss, FunctionLoss):
        raise ValueError(f"loss {loss!r} is not one of Keras's losses and cannot be serialized")
    return {"class_name": type(loss).__name__, "config": loss.get_config()}


def deserialize(config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Loss:
    """The Loss of a serialized form: Keras's ``{'class_name', 'config'}``, or nnlab's older
    ``{'name', 'from_logits'}``."""
    objects = {**ALL_OBJECTS, **(custom_objects or {})}
    if "class_name" in config:
        cls = objects.get(config["class_name"])
        if cls is None:
            raise ValueError(f"unknown loss class {config['class_name']!r}")
        return cls.from_config(config.get("config", {}))
    name = config.get("name")
    if name not in _LOSSES:
        raise ValueError(f"unknown loss {name!r}; expected one of {sorted(_LOSSES)}")
    loss = _LOSSES[name]()
    if config.get("from_logits"):
        loss = _LOSSES[name](from_logits=True)  # type: ignore[call-arg]
    return loss
