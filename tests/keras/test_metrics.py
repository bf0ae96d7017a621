"""Metrics: the stateful API against Keras 3 (torch backend) over several batches, with and
without sample weights; 'accuracy' resolution."""

from __future__ import annotations

import os

import numpy as np
import pytest

from nnlab import tensor
from nnlab.keras import metrics
from nnlab.keras import ops as keras_ops

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

RNG = np.random.default_rng(0)


def _batches(kind: str, n_batches: int = 3, n: int = 7, k: int = 4) -> list[tuple]:
    """(y_true, y_pred, sample_weight) triples of one target kind."""
    out = []
    for _ in range(n_batches):
        w = RNG.random(n).astype(np.float32)
        if kind == "binary":
            y, p = (RNG.random((n, 1)) > 0.5).astype(np.float32), RNG.random((n, 1))
        elif kind == "multilabel":
            y, p = (RNG.random((n, k)) > 0.5).astype(np.float32), RNG.random((n, k))
        elif kind == "onehot":
            y, p = np.eye(k, dtype=np.float32)[RNG.integers(0, k, n)], RNG.random((n, k))
        elif kind == "sparse":
            y, p = RNG.integers(0, k, n).astype(np.float32), RNG.random((n, k))
        elif kind == "sparse_col":
            y, p = RNG.integers(0, k, (n, 1)).astype(np.float32), RNG.random((n, k))
        elif kind == "regression":
            y, p = RNG.normal(size=(n, k)), RNG.normal(size=(n, k))
        elif kind == "logits":
            y, p = (RNG.random((n, 1)) > 0.5).astype(np.float32), RNG.normal(size=(n, 1)) * 2
        elif kind == "positive":
            y, p = RNG.random((n, k)) * 3, RNG.random((n, k)) * 3
        elif kind == "distributions":
            y, p = RNG.dirichlet(np.ones(k), n), RNG.dirichlet(np.ones(k), n)
        elif kind == "signs":
            y, p = np.sign(RNG.normal(size=(n, k))), RNG.normal(size=(n, k))
        elif kind == "labels":
            y, p = RNG.integers(0, 3, (n, 2)), RNG.integers(0, 3, (n, 2))
        else:
            raise AssertionError(kind)
        out.append((y.astype(np.float32), p.astype(np.float32), w))
    return out


def assert_like_keras(ours, theirs, batches, weighted: bool, rtol: float = 1e-5) -> None:
    """Equal results after each of several update_state calls, and after reset_state."""
    for y, p, w in batches:
        sw = w if weighted else None
        ours.update_state(y, p, sample_weight=sw)
        theirs.update_state(y, p, sample_weight=sw)
        np.testing.assert_allclose(
            ours.result(), keras.ops.convert_to_numpy(theirs.result()), rtol=rtol, atol=1e-6
        )
    ours.reset_state()
    theirs.reset_state()
    y, p, w = batches[0]
    ours.update_state(y, p)
    theirs.update_state(y, p)
    np.testing.assert_allclose(
        ours.result(), keras.ops.convert_to_numpy(theirs.result()), rtol=rtol, atol=1e-6
    )


CASES = [
    ("Accuracy", {}, "labels"),
    ("BinaryAccuracy", {}, "binary"),
    ("BinaryAccuracy", {"threshold": 0.3}, "multilabel"),
    ("CategoricalAccuracy", {}, "onehot"),
    ("SparseCategoricalAccuracy", {}, "sparse"),
    ("SparseCategoricalAccuracy", {}, "sparse_col"),
    ("TopKCategoricalAccuracy", {"k": 2}, "onehot"),
    ("SparseTopKCategoricalAccuracy", {"k": 2}, "sparse"),
    ("SparseTopKCategoricalAccuracy", {"k": 3}, "sparse_col"),
    ("MeanSquaredError", {}, "regression"),
    ("MeanAbsoluteError", {}, "regression"),
    ("RootMeanSquaredError", {}, "regression"),
    ("MeanAbsolutePercentageError", {}, "regression"),
    ("MeanSquaredLogarithmicError", {}, "positive"),
    ("LogCoshError", {}, "regression"),
    ("CosineSimilarity", {}, "regression"),
    ("CosineSimilarity", {"axis": 0}, "regression"),
    ("R2Score", {}, "regression"),
    ("R2Score", {"class_aggregation": "variance_weighted_average"}, "regression"),
    ("R2Score", {"class_aggregation": None, "num_regressors": 2}, "regression"),
    ("BinaryCrossentropy", {}, "multilabel"),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, "logits"),
    ("CategoricalCrossentropy", {"label_smoothing": 0.2}, "onehot"),
    ("SparseCategoricalCrossentropy", {}, "sparse"),
    ("SparseCategoricalCrossentropy", {"ignore_class": 2, "from_logits": True}, "sparse_col"),
    ("KLDivergence", {}, "distributions"),
    ("Poisson", {}, "positive"),
    ("Hinge", {}, "signs"),
    ("SquaredHinge", {}, "multilabel"),
    ("CategoricalHinge", {}, "onehot"),
    ("Precision", {}, "binary"),
    ("Precision", {"thresholds": [0.3, 0.5, 0.7]}, "multilabel"),
    ("Precision", {"top_k": 2}, "multilabel"),
    ("Precision", {"class_id": 1, "thresholds": 0.4}, "multilabel"),
    ("Precision", {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]}, "multilabel"),
    ("Recall", {}, "binary"),
    ("Recall", {"thresholds": [0.2, 0.6]}, "multilabel"),
    ("Recall", {"top_k": 1, "class_id": 2}, "multilabel"),
    ("TruePositives", {}, "binary"),
    ("FalsePositives", {"thresholds": [0.2, 0.7]}, "multilabel"),
    ("TrueNegatives", {}, "multilabel"),
    ("FalseNegatives", {}, "binary"),
    ("AUC", {}, "binary"),
    ("AUC", {"curve": "PR"}, "multilabel"),
    ("AUC", {"num_thresholds": 20, "summation_method": "minoring"}, "binary"),
    ("AUC", {"num_thresholds": 30, "curve": "PR", "summation_method": "majoring"}, "binary"),
    ("AUC", {"thresholds": [0.2, 0.45, 0.8]}, "multilabel"),
    ("AUC", {"from_logits": True}, "logits"),
    ("AUC", {"multi_label": True}, "multilabel"),
    ("AUC", {"multi_label": True, "label_weights": [0.1, 0.2, 0.3, 0.4]}, "multilabel"),
    ("AUC", {"label_weights": [0.5, 1.0, 2.0, 0.0], "curve": "PR"}, "multilabel"),
    ("AUC", {"curve": "PRGAIN", "num_thresholds": 50}, "binary"),
    ("SensitivityAtSpecificity", {"specificity": 0.6}, "binary"),
    ("SpecificityAtSensitivity", {"sensitivity": 0.4, "num_thresholds": 30}, "multilabel"),
    ("PrecisionAtRecall", {"recall": 0.5, "class_id": 1}, "multilabel"),
    ("RecallAtPrecision", {"precision": 0.5, "num_thresholds": 1}, "binary"),
    ("F1Score", {}, "onehot"),
    ("F1Score", {"average": "micro", "threshold": 0.5}, "multilabel"),
    ("F1Score", {"average": "macro"}, "multilabel"),
    ("F1Score", {"average": "weighted", "threshold": 0.4}, "multilabel"),
    ("FBetaScore", {"beta": 2.0, "average": "macro", "threshold": 0.3}, "multilabel"),
]
AUTO_NAMED = {
    "SensitivityAtSpecificity",
    "SpecificityAtSensitivity",
    "PrecisionAtRecall",
    "RecallAtPrecision",
    "Precision",
    "Recall",
    "AUC",
    "TruePositives",
    "FalsePositives",
    "TrueNegatives",
    "FalseNegatives",
}


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize(("cls", "kwargs", "kind"), CASES, ids=[f"{c}-{k}" for c, _, k in CASES])
def test_metric_equals_keras(cls: str, kwargs: dict, kind: str, weighted: bool) -> None:
    if weighted and kwargs.get("axis") == 0:
        pytest.skip("values along axis 0 are not one per sample")
    ours = getattr(metrics, cls)(**kwargs)
    theirs = getattr(keras.metrics, cls)(**kwargs)
    if cls not in AUTO_NAMED:  # Keras numbers those in its own session
        assert ours.name == theirs.name
    assert_like_keras(ours, theirs, _batches(kind), weighted)
    config = {k: v for k, v in ours.get_config().items() if k != "dtype"}
    for key, value in theirs.get_config().items():
        if key not in ("dtype", "name"):
            np.testing.assert_allclose(config[key], value) if key == "label_weights" and (
                value is not None
            ) else (config[key] == value or pytest.fail(f"{key}: {config[key]} != {value}"))
    assert type(ours).from_config(config).get_config() == ours.get_config()


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("cls", ["Mean", "Sum"])
def test_mean_and_sum_equal_keras(cls: str, weighted: bool) -> None:
    ours, theirs = getattr(metrics, cls)(), getattr(keras.metrics, cls)()
    for shape in [(5,), (5, 3), (5, 3, 2)]:
        values = RNG.normal(size=shape).astype(np.float32)
        w = RNG.random(shape[:2] if len(shape) > 2 else shape[:1]).astype(np.float32)
        ours.update_state(values, sample_weight=w if weighted else None)
        theirs.update_state(values, sample_weight=w if weighted else None)
        np.testing.assert_allclose(ours.result(), theirs.result(), rtol=1e-5, atol=1e-6)
    assert [v.name for v in ours.variables] == [v.name for v in theirs.variables]
    ours.update_state(tensor(np.ones(3)))  # nnlab Tensors are accepted
    theirs.update_state(np.ones(3))
    np.testing.assert_allclose(ours.result(), theirs.result(), rtol=1e-5)


def test_mean_of_nothing_is_zero_and_docstring_example() -> None:
    m = metrics.Mean()
    assert m.result() == 0.0
    m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    assert m.result() == pytest.approx(2.0)
    assert m([1, 3, 5, 7]) == pytest.approx((4 + 16) / 6)


def test_mean_metric_wrapper_with_a_function_and_kwargs() -> None:
    def scaled_error(y_true, y_pred, scale=1.0):
        return scale * np.abs(np.asarray(y_true) - np.asarray(y_pred)).mean(axis=-1)

    ours = metrics.MeanMetricWrapper(scaled_error, scale=2.0)
    theirs = keras.metrics.MeanMetricWrapper(scaled_error, scale=2.0)
    assert ours.name == "scaled_error"
    assert_like_keras(ours, theirs, _batches("regression"), weighted=True)


class BinaryTruePositives(metrics.Metric):
    """Keras's custom-metric example from the Metric docstring, written against nnlab."""

    def __init__(self, name="binary_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_variable(shape=(), initializer="zeros", name="tp")

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = np.logical_and(np.asarray(y_true, bool), np.asarray(y_pred, bool))
        values = values.astype(np.float32)
        if sample_weight is not None:
            values = values * np.broadcast_to(np.asarray(sample_weight, np.float32), values.shape)
        self.true_positives.assign(self.true_positives + np.sum(values))

    def result(self):
        return self.true_positives


def test_custom_metric_by_subclassing() -> None:
    m = BinaryTruePositives()
    m.update_state([1, 1, 0, 1], [1, 0, 1, 1])
    m.update_state([1, 1], [1, 1], sample_weight=[0.5, 2.0])
    assert float(m.result()) == pytest.approx(4.5)
    assert [v.name for v in m.variables] == ["tp"]
    m.reset_state()
    assert float(m.result()) == 0.0

    class Forgetful(metrics.Metric):
        def __init__(self):
            self.x = self.add_weight()

    with pytest.raises(RuntimeError, match="super"):
        Forgetful()


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("binary", metrics.BinaryAccuracy),
        ("sparse", metrics.SparseCategoricalAccuracy),
        ("sparse_col", metrics.SparseCategoricalAccuracy),
        ("onehot", metrics.CategoricalAccuracy),
        ("multilabel", metrics.CategoricalAccuracy),  # Keras 3 decides by shape, not the loss
    ],
)
def test_compile_accuracy_is_chosen_like_keras(kind: str, expected: type) -> None:
    m = metrics.get("acc", loss="binary_crossentropy")
    assert isinstance(m, metrics.CompileAccuracy) and m.name == "acc"
    batches = _batches(kind)
    for y, p, w in batches:
        m.update_state(y, p, sample_weight=w)
    assert isinstance(m.chosen, expected) and m.chosen.name == "acc"
    ref = expected()
    for y, p, w in batches:
        ref.update_state(y, p, sample_weight=w)
    assert m.result() == pytest.approx(ref.result())


def test_get() -> None:
    assert isinstance(metrics.get("accuracy"), metrics.CompileAccuracy)  # compile's meaning
    assert isinstance(metrics.get("ACC"), metrics.CompileAccuracy)  # Keras lowercases it too
    assert isinstance(metrics.get(metrics.Accuracy), metrics.Accuracy)  # the exact match
    mse = metrics.get("mse", loss="mse")
    assert isinstance(mse, metrics.MeanSquaredError) and mse.name == "mse"
    assert isinstance(
        metrics.get("SparseTopKCategoricalAccuracy"), metrics.SparseTopKCategoricalAccuracy
    )
    top = metrics.get({"class_name": "TopKCategoricalAccuracy", "config": {"k": 2}})
    assert top.k == 2
    m = metrics.BinaryAccuracy()
    assert metrics.get(m) is m
    assert isinstance(metrics.get(lambda y, p: y - p), metrics.MeanMetricWrapper)
    with pytest.raises(ValueError, match="unknown metric 'f2'"):
        metrics.get("f2")
    with pytest.raises(ValueError, match="metric must be"):
        metrics.get(3)


def test_compile_names_and_target_shapes() -> None:
    assert metrics.get("acc").name == "acc"
    with pytest.raises(ValueError, match=r"metric 'mse' needs targets shaped like the predictions"):
        metrics.get("mse").update_state(np.zeros(4), np.zeros((4, 3)))


def test_nested_state_and_stateless_calls() -> None:
    """Variables in attributes, lists and dicts and those of sub-metrics count (as Keras); the
    stateless calls leave the metric's own state alone."""
    m = metrics.Mean()
    m.parts = {"a": [metrics.Sum(), metrics.Mean()]}
    m.extra = [m.add_variable(name="extra")]
    assert [v.name for v in m.variables] == ["total", "count", "extra", "total", "total", "count"]
    state = m.stateless_update_state([np.zeros(())] * 6, [2.0, 4.0])
    assert float(m.result()) == 0.0 and float(state[0]) == 6.0 and float(state[1]) == 2.0
    assert m.stateless_result(state) == pytest.approx(3.0)
    m.update_state([1.0])
    assert [float(v) for v in m.stateless_reset_state()] == [0.0] * 6
    assert float(m.result()) == 1.0
    with pytest.raises(ValueError, match="1:1"):
        m.stateless_result([1.0])
    assert metrics.get(None) is None


def test_function_forms_and_serialization_like_keras() -> None:
    """keras.metrics.<function> gives Keras's per-sample values; serialize/deserialize round
    trip in Keras's form; initializers' lower-case aliases are the classes."""
    import torch

    from nnlab.keras import initializers as nk_initializers

    rng = np.random.default_rng(3)
    y_true = rng.integers(0, 2, (6, 4)).astype(np.float32)
    y_pred = rng.uniform(0.05, 0.95, (6, 4)).astype(np.float32)
    for name in (
        "mean_squared_error",
        "binary_crossentropy",
        "binary_accuracy",
        "hinge",
        "categorical_accuracy",
        "log_cosh",
        "poisson",
        "kl_divergence",
    ):
        ours = np.asarray(getattr(metrics, name)(y_true, y_pred))
        theirs = getattr(keras.metrics, name)(torch.tensor(y_true), torch.tensor(y_pred))
        np.testing.assert_allclose(ours, np.asarray(theirs), rtol=1e-5, atol=1e-6, err_msg=name)
    labels = rng.integers(0, 4, (6,))
    for name, kw in (
        ("sparse_categorical_accuracy", {}),
        ("sparse_top_k_categorical_accuracy", {"k": 2}),
    ):
        ours = np.asarray(getattr(metrics, name)(labels, y_pred, **kw))
        theirs = getattr(keras.metrics, name)(torch.tensor(labels), torch.tensor(y_pred), **kw)
        np.testing.assert_allclose(ours, np.asarray(theirs), err_msg=name)
    for metric in (metrics.Mean(name="m"), metrics.AUC(num_thresholds=50), metrics.Precision()):
        config = metrics.serialize(metric)
        keras_config = keras.metrics.serialize(
            getattr(keras.metrics, type(metric).__name__)(
                **{k: v for k, v in metric.get_config().items() if k != "dtype"}
            )
        )
        assert {k: config[k] for k in ("module", "class_name")} == {
            k: keras_config[k] for k in ("module", "class_name")
        }
        assert metrics.deserialize(config).get_config() == metric.get_config()
    assert nk_initializers.glorot_uniform is nk_initializers.GlorotUniform
    assert nk_initializers.OrthogonalInitializer is nk_initializers.Orthogonal


@pytest.mark.parametrize("cls", ["PearsonCorrelation", "ConcordanceCorrelation"])
def test_correlation_metrics_like_keras(cls: str) -> None:
    import torch

    rng = np.random.default_rng(5)
    y_true = rng.normal(size=(6, 5)).astype(np.float32)
    y_pred = (0.7 * y_true + rng.normal(0, 0.5, (6, 5))).astype(np.float32)
    w = rng.uniform(size=(6,)).astype(np.float32)
    ours, theirs = getattr(metrics, cls)(), getattr(keras.metrics, cls)()
    for a, b, sw in ((y_true[:3], y_pred[:3], None), (y_true[3:], y_pred[3:], w[3:])):
        ours.update_state(a, b, sample_weight=sw)
        theirs.update_state(
            torch.tensor(a), torch.tensor(b), sample_weight=None if sw is None else torch.tensor(sw)
        )
    np.testing.assert_allclose(ours.result(), np.asarray(theirs.result()), rtol=1e-5, atol=1e-6)
    assert ours.get_config() == theirs.get_config()
    fn = cls.replace("Correlation", "_correlation").lower()
    np.testing.assert_allclose(
        getattr(metrics, fn)(y_true, y_pred, axis=0),
        np.asarray(getattr(keras.metrics, fn)(torch.tensor(y_true), torch.tensor(y_pred), axis=0)),
        rtol=1e-5,
        atol=1e-6,
    )


def test_a_metric_variable_combines_with_engine_tensors_on_either_side():
    class SumOfPredictions(metrics.Metric):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.total = self.add_variable(shape=(), initializer="zeros", name="total")

        def update_state(self, y_true, y_pred, sample_weight=None):
            batch = keras_ops.sum(y_pred)  # an engine Tensor
            self.total.assign(self.total + batch)  # metric variable on the left
            self.total.assign(batch + self.total - batch)  # and on the right

        def result(self):
            return self.total

    m = SumOfPredictions()
    m.update_state(None, np.array([1.0, 2.0]))
    m.update_state(None, np.array([3.0]))
    assert float(np.asarray(m.result())) == 6.0


def test_mean_metric_wrapper_config_describes_its_function_as_keras_3():
    from nnlab.keras import losses

    ours = metrics.MeanMetricWrapper(fn=losses.mean_squared_error, name="mse", dtype="float32")
    theirs = keras.metrics.MeanMetricWrapper(
        fn=keras.losses.mean_squared_error, name="mse", dtype="float32"
    )
    assert ours.get_config() == theirs.get_config()
    again = metrics.MeanMetricWrapper.from_config(ours.get_config())
    assert again.name == "mse" and again._fn is losses.mean_squared_error
    again.update_state(np.array([[1.0, 2.0]]), np.array([[1.0, 4.0]]))
    assert float(np.asarray(again.result())) == pytest.approx(2.0)
    # a subclass names its function itself: no fn in its config, as in Keras
    assert "fn" not in metrics.MeanSquaredError().get_config()
