"""The JSON document of a model file, checked against a schema before anything is built from it.

A schema is plain data, read by one function, ``check(value, schema, where)``:

- ``Is(description, predicate)``: a leaf, e.g. ``COUNT`` (an integer >= 1) or ``NUMBER`` (a finite
  int or float; ``true``/``false`` are not numbers);
- ``Names(kind, names)``: a string among known names (layer classes, activations, losses, ...);
- ``{"key": schema, ...}``: an object with exactly these keys;
- ``[schema]``: a list whose items all follow ``schema``;
- ``Nullable(schema)``: ``null`` or ``schema``;
- ``OneOf(kind, tag, {tag value: schema})``: an object whose ``tag`` key names its kind and selects
  the schema of the whole object (a layer by its ``class_name``, an optimizer by its ``name``).

An error is a ``ValueError`` naming where the value is (``model.config.layers[1].config.units``),
what was expected and what was found.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from .. import activations, initializers, losses, metrics

__all__ = ["DOCUMENT", "Is", "Names", "Nullable", "OneOf", "check"]


@dataclass(frozen=True)
class Is:
    """A leaf: ``predicate(value)`` must hold; ``description`` says what that means."""

    description: str
    predicate: Callable[[Any], bool]


@dataclass(frozen=True)
class Names:
    """A string among ``names``; ``kind`` ('activation', 'loss', ...) words the error."""

    kind: str
    names: Collection[str]


@dataclass(frozen=True)
class Nullable:
    schema: Any


@dataclass(frozen=True)
class OneOf:
    """An object whose ``tag`` key (a string among ``options``) selects its schema."""

    kind: str
    tag: str
    options: Mapping[Any, Any]


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


STR = Is("a string", lambda v: isinstance(v, str))
BOOL = Is("true or false", lambda v: isinstance(v, bool))
INT = Is("an integer", _is_int)
COUNT = Is("an integer >= 1", lambda v: _is_int(v) and v >= 1)
STEPS = Is("an integer >= 0", lambda v: _is_int(v) and v >= 0)
NUMBER = Is(
    "a finite number",
    lambda v: isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v),
)
U128 = Is("an integer in [0, 2**128)", lambda v: _is_int(v) and 0 <= v < 1 << 128)
U32 = Is("an integer in [0, 2**32)", lambda v: _is_int(v) and 0 <= v < 1 << 32)


def _check_object(value: Any, keys: Mapping[str, Any], where: str) -> None:
    if not isinstance(value, dict):
        raise ValueError(f"{where}: expected an object, got {_short(value)}")
    missing = [k for k in keys if k not in value]
    if missing:
        raise ValueError(f"{where}: missing key(s) {missing}")
    extra = sorted(str(k) for k in value if k not in keys)
    if extra:
        raise ValueError(f"{where}: unexpected key(s) {extra}; expected {sorted(keys)}")
    for key, schema in keys.items():
        check(value[key], schema, f"{where}.{key}")


def _check_one_of(value: Any, schema: OneOf, where: str) -> None:
    if not isinstance(value, dict):
        raise ValueError(f"{where}: expected an object, got {_short(value)}")
    if schema.tag not in value:
        raise ValueError(f"{where}: missing key {schema.tag!r}")
    tag = value[schema.tag]
    if not isinstance(tag, str | bool) or tag not in schema.options:
        raise ValueError(
            f"{where}.{schema.tag}: unknown {schema.kind} {_short(tag)}; expected one of "
            f"{sorted(map(str, schema.options))}"
        )
    check(value, schema.options[tag], where)


def check(value: Any, schema: Any, where: str) -> None:
    """Raise ValueError unless ``value`` (parsed JSON) follows ``schema`` (see the module doc)."""
    if isinstance(schema, Is):
        if not schema.predicate(value):
            raise ValueError(f"{where}: expected {schema.description}, got {_short(value)}")
    elif isinstance(schema, Names):
        if not isinstance(value, str) or value not in schema.names:
            raise ValueError(
                f"{where}: unknown {schema.kind} {_short(value)}; expected one of "
                f"{sorted(schema.names)}"
            )
    elif isinstance(schema, Nullable):
        if value is not None:
            check(value, schema.schema, where)
    elif isinstance(schema, OneOf):
        _check_one_of(value, schema, where)
    elif isinstance(schema, dict):
        _check_object(value, schema, where)
    elif isinstance(schema, list):
        if not isinstance(value, list):
            raise ValueError(f"{where}: expected a list, got {_short(value)}")
        for i, item in enumerate(value):
            check(item, schema[0], f"{where}[{i}]")
    else:  # pragma: no cover - a mistake in a schema table, not in a file
        raise TypeError(f"schema: unsupported entry {schema!r}")


# ---------------------------------------------------------------------- the nnlab.keras document
_LAYER_BASE = {"name": STR, "input_dim": Nullable(COUNT)}
_ACTIVATION = Names("activation", activations.ACTIVATIONS)
_INITIALIZER = Names("initializer", initializers.INITIALIZERS)
_REGULARIZER = Nullable({"l1": NUMBER, "l2": NUMBER})

LAYER_CONFIGS: dict[str, dict[str, Any]] = {
    "Dense": {
        **_LAYER_BASE,
        "units": COUNT,
        "activation": _ACTIVATION,
        "use_bias": BOOL,
        "kernel_initializer": _INITIALIZER,
        "bias_initializer": _INITIALIZER,
        "kernel_regularizer": _REGULARIZER,
        "bias_regularizer": _REGULARIZER,
    },
    "Activation": {**_LAYER_BASE, "activation": _ACTIVATION},
    "Dropout": {**_LAYER_BASE, "rate": NUMBER, "seed": Nullable(INT)},
}

LAYER = OneOf(
    "layer",
    "class_name",
    {name: {"class_name": STR, "config": cfg} for name, cfg in LAYER_CONFIGS.items()},
)

_OPTIMIZER_ARGS: dict[str, dict[str, Any]] = {
    "SGD": {"momentum": NUMBER, "nesterov": BOOL},
    "Adam": {"beta_1": NUMBER, "beta_2": NUMBER, "epsilon": NUMBER},
    "RMSprop": {"rho": NUMBER, "momentum": NUMBER, "epsilon": NUMBER, "centered": BOOL},
    "Adagrad": {"initial_accumulator_value": NUMBER, "epsilon": NUMBER},
}
OPTIMIZER = OneOf(
    "optimizer",
    "name",
    {
        name: {"name": STR, "learning_rate": NUMBER, **args}
        for name, args in _OPTIMIZER_ARGS.items()
    },
)

_LOSS_NAMES = Names("loss", losses._LOSSES)
LOSS = OneOf(  # a custom (function) loss is stored by name only; it is not rebuilt
    "loss kind",
    "custom",
    {
        False: {"name": _LOSS_NAMES, "from_logits": BOOL, "custom": BOOL},
        True: {"name": STR, "from_logits": BOOL, "custom": BOOL},
    },
)

_THRESHOLDS = Is(
    "a threshold in [0, 1], a list of them, or null",
    lambda v: (
        v is None
        or (isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 1)
        or (isinstance(v, list) and all(isinstance(t, int | float) and 0 <= t <= 1 for t in v))
    ),
)
_NO_ARGS: tuple[type[metrics.Metric], ...] = (
    metrics.Accuracy,
    metrics.CategoricalAccuracy,
    metrics.SparseCategoricalAccuracy,
    metrics.MeanSquaredError,
    metrics.MeanAbsoluteError,
    metrics.CompileAccuracy,
    metrics.Mean,
    metrics.Sum,
    metrics.MeanMetricWrapper,  # its function is not stored: compile with it again
    metrics.RootMeanSquaredError,
    metrics.MeanAbsolutePercentageError,
    metrics.MeanSquaredLogarithmicError,
    metrics.LogCoshError,
    metrics.CosineSimilarity,
    metrics.KLDivergence,
    metrics.Poisson,
    metrics.Hinge,
    metrics.SquaredHinge,
    metrics.CategoricalHinge,
)
_F_SCORE = {"average": Nullable(STR), "threshold": Nullable(NUMBER)}
_IOU = {"num_classes": COUNT, "ignore_class": Nullable(INT), "sparse_y_pred": BOOL, "axis": INT}
_METRIC_ARGS: dict[type[metrics.Metric], dict[str, Any]] = {
    **{cls: {} for cls in _NO_ARGS},
    metrics.BinaryAccuracy: {"threshold": NUMBER},
    metrics.TopKCategoricalAccuracy: {"k": COUNT},
    metrics.SparseTopKCategoricalAccuracy: {"k": COUNT},
    metrics.Precision: {
        "thresholds": _THRESHOLDS,
        "top_k": Nullable(COUNT),
        "class_id": Nullable(STEPS),
    },
    metrics.Recall: {
        "thresholds": _THRESHOLDS,
        "top_k": Nullable(COUNT),
        "class_id": Nullable(STEPS),
    },
    **{
        cls: {"thresholds": _THRESHOLDS}
        for cls in (
            metrics.TruePositives,
            metrics.FalsePositives,
            metrics.TrueNegatives,
            metrics.FalseNegatives,
        )
    },
    metrics.AUC: {
        "num_thresholds": COUNT,
        "curve": STR,
        "summation_method": STR,
        "multi_label": BOOL,
        "num_labels": Nullable(COUNT),
        "label_weights": Nullable([NUMBER]),
        "from_logits": BOOL,
    },
    **{
        cls: {"class_id": Nullable(STEPS), "num_thresholds": COUNT, target: NUMBER}
        for cls, target in (
            (metrics.SensitivityAtSpecificity, "specificity"),
            (metrics.SpecificityAtSensitivity, "sensitivity"),
            (metrics.PrecisionAtRecall, "recall"),
            (metrics.RecallAtPrecision, "precision"),
        )
    },
    metrics.F1Score: _F_SCORE,
    metrics.FBetaScore: {**_F_SCORE, "beta": NUMBER},
    metrics.R2Score: {"class_aggregation": Nullable(STR), "num_regressors": STEPS},
    metrics.PearsonCorrelation: {"axis": INT},  # klayers
    metrics.ConcordanceCorrelation: {"axis": INT},  # klayers
    metrics.IoU: {**_IOU, "target_class_ids": [STEPS], "sparse_y_true": BOOL},
    metrics.MeanIoU: {**_IOU, "sparse_y_true": BOOL},
    metrics.BinaryIoU: {"target_class_ids": [STEPS], "threshold": NUMBER},
    metrics.OneHotIoU: {**_IOU, "target_class_ids": [STEPS]},
    metrics.OneHotMeanIoU: _IOU,
    metrics.BinaryCrossentropy: {"from_logits": BOOL, "label_smoothing": NUMBER},
    metrics.CategoricalCrossentropy: {"from_logits": BOOL, "label_smoothing": NUMBER, "axis": INT},
    metrics.SparseCategoricalCrossentropy: {
        "from_logits": BOOL,
        "ignore_class": Nullable(INT),
        "axis": INT,
    },
}
METRIC_CLASSES = {cls.__name__: cls for cls in _METRIC_ARGS}
METRIC = OneOf(
    "metric",
    "class_name",
    {cls.__name__: {"class_name": STR, "name": STR, **args} for cls, args in _METRIC_ARGS.items()},
)

COMPILE = {
    "optimizer": OPTIMIZER,
    "loss": LOSS,
    "metrics": [METRIC],
    "optimizer_iterations": STEPS,
}

DOCUMENT = {
    "format": STR,
    "version": INT,
    "model": {
        "class_name": Names("model class", {"Sequential"}),
        "config": {
            "name": STR,
            "seed": Nullable(INT),
            "input_dim": Nullable(COUNT),
            "layers": [LAYER],
        },
    },
    "rng_state": {  # numpy's PCG64 state: the model generator resumes exactly
        "bit_generator": Names("bit generator", {"PCG64"}),
        "state": {"state": U128, "inc": U128},
        "has_uint32": U32,
        "uinteger": U32,
    },
    "compile": Nullable(COMPILE),
}
