"""Keras 3's metric unit tests (keras/src/metrics/{accuracy,confusion,f_score,reduction,regression,
probabilistic}_metrics_test.py and metric_test.py), ported with import changes only (``metrics``
-> ``nnlab.keras.metrics``): per metric class, the scenarios Keras tests -- ``update_state`` then
``result`` unweighted and with ``sample_weight``, accumulation over two batches, ``reset_state``,
the config -- each a pytest case, on the inputs of Keras's tests. Expected numbers: Keras 3's own
on the same inputs (KERAS_BACKEND=torch), plus the golden constants of a few Keras tests.

Skipped: IoU metrics, correlation, hinge metrics, the ``dtype=`` variants, ``thresholds`` lists of
Precision/Recall and AUC's ``multi_label``/``summation_method`` variants (outside issue 11).
"""

from __future__ import annotations

import numpy as np
import pytest

from nnlab import keras

from ._port import assert_all_close, keras3, to_numpy

LABELS = np.array([[1], [2], [3], [4]]), np.array([[0], [2], [3], [4]])
BIN = (
    np.array([[1], [1], [0], [0]], dtype="float32"),
    np.array([[0.98], [1.0], [0.0], [0.6]], dtype="float32"),
)
CAT = (
    np.array([[0, 0, 1], [0, 1, 0]], dtype="float32"),
    np.array([[0.1, 0.9, 0.8], [0.05, 0.95, 0.0]], dtype="float32"),
)
SPARSE = (np.array([[2], [1]]), CAT[1])
TOPK = (
    np.array([[0, 0, 1], [0, 1, 0]], dtype="float32"),
    np.array([[0.1, 0.9, 0.8], [0.05, 0.95, 0.0]], dtype="float32"),
)
PR = (
    np.array([[0, 1, 1, 0], [1, 0, 0, 1]], dtype="float32"),
    np.array([[0.2, 0.8, 0.6, 0.1], [0.7, 0.3, 0.55, 0.9]], dtype="float32"),
)
REG = (
    np.array([[0, 1, 0, 1, 0], [0, 0, 1, 1, 1], [1, 1, 1, 1, 0], [0, 0, 0, 0, 1]], "float32"),
    np.array([[0, 0, 1, 1, 0], [1, 1, 1, 1, 1], [0, 1, 0, 1, 0], [1, 1, 1, 1, 1]], "float32"),
)
F1 = (
    np.array([[1, 1, 1], [1, 0, 0], [1, 1, 0]], dtype="float32"),
    np.array([[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]], dtype="float32"),
)

CASES = {  # class name -> (constructor kwargs, y_true, y_pred)
    "Accuracy": ({}, *LABELS),
    "BinaryAccuracy": ({}, *BIN),
    "CategoricalAccuracy": ({}, *CAT),
    "SparseCategoricalAccuracy": ({}, *SPARSE),
    "TopKCategoricalAccuracy": ({"k": 1}, *TOPK),
    "SparseTopKCategoricalAccuracy": ({"k": 1}, *SPARSE),
    "Precision": ({}, *PR),
    "Recall": ({}, *PR),
    "AUC": ({"num_thresholds": 3}, *PR),
    "F1Score": ({"threshold": 0.5}, *F1),
    "MeanSquaredError": ({}, *REG),
    "RootMeanSquaredError": ({}, *REG),
    "MeanAbsoluteError": ({}, *REG),
    "R2Score": ({}, *REG),
}
NAMES = sorted(CASES)


def _both(cls_name, **extra):
    kwargs, y_true, y_pred = CASES[cls_name]
    ours = getattr(keras.metrics, cls_name)(**kwargs, **extra)
    theirs = getattr(keras3().metrics, cls_name)(**kwargs, **extra)
    return ours, theirs, y_true, y_pred


def _weights(y_true):
    return np.array([1.0, 1.5, 2.0, 2.5][: len(y_true)])


@pytest.mark.parametrize("name", NAMES)
def test_unweighted(name):
    ours, theirs, y_true, y_pred = _both(name)
    ours.update_state(y_true, y_pred)
    theirs.update_state(y_true, y_pred)
    assert_all_close(ours.result(), to_numpy(theirs.result()), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_weighted(name):
    ours, theirs, y_true, y_pred = _both(name)
    sw = _weights(y_true)
    ours.update_state(y_true, y_pred, sample_weight=sw)
    theirs.update_state(y_true, y_pred, sample_weight=sw)
    assert_all_close(ours.result(), to_numpy(theirs.result()), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_accumulates_over_batches(name):
    ours, theirs, y_true, y_pred = _both(name)
    for m in (ours, theirs):
        m.update_state(y_true[:1], y_pred[:1])
        m.update_state(y_true[1:], y_pred[1:])
    assert_all_close(ours.result(), to_numpy(theirs.result()), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_reset_state(name):
    ours, theirs, y_true, y_pred = _both(name)
    ours.update_state(y_true, y_pred)
    ours.reset_state()
    theirs.update_state(y_true, y_pred)
    theirs.reset_state()
    assert_all_close(ours.result(), to_numpy(theirs.result()), rtol=1e-6, atol=1e-7)
    ours.update_state(y_true[::-1], y_pred)
    theirs.update_state(y_true[::-1], y_pred)
    assert_all_close(ours.result(), to_numpy(theirs.result()), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_config(name):
    ours, theirs, _, _ = _both(name, name="my_metric")
    config = ours.get_config()
    expected = {k: v for k, v in theirs.get_config().items() if k != "dtype"}
    assert {k: v for k, v in config.items() if k != "dtype"} == expected
    revived = type(ours).from_config(config)
    assert revived.name == "my_metric"


def test_accuracy_golden():
    acc_obj = keras.metrics.Accuracy(name="accuracy", dtype="float32")
    y_true = np.array([[1], [2], [3], [4]])
    y_pred = np.array([[0], [2], [3], [4]])
    acc_obj.update_state(y_true, y_pred)
    assert_all_close(acc_obj.result(), 0.75)
    acc_obj = keras.metrics.Accuracy(name="accuracy", dtype="float32")
    sample_weight = np.array([1, 1, 0, 0])
    acc_obj.update_state(y_true, y_pred, sample_weight=sample_weight)
    assert_all_close(acc_obj.result(), 0.5)


def test_binary_accuracy_threshold():
    bin_acc_obj = keras.metrics.BinaryAccuracy(name="binary_accuracy", threshold=0.8)
    y_true = np.array([[1], [1], [0], [0]])
    y_pred = np.array([[0.98], [1], [0], [0.6]])
    bin_acc_obj.update_state(y_true, y_pred)
    assert_all_close(bin_acc_obj.result(), 1.0)


def test_mean_metric():
    m = keras.metrics.Mean(name="my_mean")
    m.update_state([1, 3, 5, 7])
    assert_all_close(m.result(), 4.0)
    m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    assert_all_close(m.result(), 20.0 / 6)
    m.reset_state()
    assert_all_close(m.result(), 0.0)
    assert m.get_config()["name"] == "my_mean"


def test_sum_metric():
    m = keras.metrics.Sum(name="sum")
    m.update_state([1, 3, 5, 7])
    assert_all_close(m.result(), 16.0)
    m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    assert_all_close(m.result(), 20.0)
    m.reset_state()
    assert_all_close(m.result(), 0.0)


def test_mean_metric_wrapper():
    def mse(y_true, y_pred):
        return keras.ops.mean(keras.ops.square(y_pred - y_true), axis=-1)

    mse_obj = keras.metrics.MeanMetricWrapper(fn=mse, name="mse")
    y_true, y_pred = REG
    mse_obj.update_state(y_true, y_pred)
    assert_all_close(mse_obj.result(), 0.5)


def test_custom_metric_subclass_api():
    class ExampleMetric(keras.metrics.Metric):
        def __init__(self, name="mean_square_error", **kwargs):
            super().__init__(name=name, **kwargs)
            self.sum = self.add_variable(name="sum", shape=(), initializer="zeros")
            self.total = self.add_variable(name="total", shape=(), initializer="zeros")

        def update_state(self, y_true, y_pred):
            y_true = keras.ops.convert_to_tensor(y_true)
            y_pred = keras.ops.convert_to_tensor(y_pred)
            sum = keras.ops.sum((y_true - y_pred) ** 2)
            self.sum.assign(self.sum + sum)
            batch_size = keras.ops.shape(y_true)[0]
            self.total.assign(self.total + batch_size)

        def result(self):
            return self.sum / (keras.ops.cast(self.total, dtype="float32") + 1e-7)

        def reset_state(self):
            self.sum.assign(0.0)
            self.total.assign(0)

    metric = ExampleMetric()
    assert len(metric.variables) == 2
    num_samples = 20
    y_true = np.random.random((num_samples, 3))
    y_pred = np.random.random((num_samples, 3))
    metric.update_state(y_true, y_pred)
    assert_all_close(metric.result(), np.sum((y_true - y_pred) ** 2) / num_samples, rtol=1e-5)
    metric.reset_state()
    assert_all_close(metric.result(), 0.0)


def test_metrics_get():
    assert isinstance(keras.metrics.get("mse"), object)
    assert isinstance(keras.metrics.get("AUC"), keras.metrics.AUC)
    assert isinstance(keras.metrics.get("binary_accuracy"), (keras.metrics.Metric, type(lambda: 0)))
