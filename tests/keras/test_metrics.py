"""Metrics: accuracy variants (resolved from loss and shapes), read from logits; mse, mae."""

from __future__ import annotations

import numpy as np
import pytest

from nnlab.keras import metrics


def test_accuracy_resolution() -> None:
    acc = metrics.get("accuracy")
    assert isinstance(acc.resolve("binary_crossentropy", 3, False), metrics.BinaryAccuracy)
    assert isinstance(acc.resolve("mean_squared_error", 1, False), metrics.BinaryAccuracy)
    resolved = acc.resolve("sparse_categorical_crossentropy", 10, True)
    assert isinstance(resolved, metrics.SparseCategoricalAccuracy) and resolved.name == "accuracy"
    assert isinstance(
        acc.resolve("categorical_crossentropy", 10, False), metrics.CategoricalAccuracy
    )
    assert metrics.get("acc").name == "acc"


def test_binary_accuracy_from_logits_and_probabilities() -> None:
    z = np.array([[2.0], [-1.0], [0.5], [-3.0]])
    y = np.array([[1.0], [1.0], [1.0], [0.0]])
    acc = metrics.BinaryAccuracy()
    assert acc.batch_total(y, z, "sigmoid") == 3.0
    p = 1 / (1 + np.exp(-z))
    assert acc.batch_total(y, p, "linear") == 3.0
    two = np.array([[0.9, 0.2], [0.1, 0.7]])
    assert acc.batch_total(np.array([[1.0, 1.0], [0.0, 1.0]]), two, "linear") == 1.5


def test_categorical_and_sparse() -> None:
    z = np.array([[1.0, 3.0, 0.0], [2.0, 0.0, 1.0], [0.0, 0.0, 5.0]])
    assert metrics.SparseCategoricalAccuracy().batch_total(np.array([1, 2, 2]), z, "softmax") == 2
    onehot = np.eye(3)[[1, 0, 0]]
    assert metrics.CategoricalAccuracy().batch_total(onehot, z, "linear") == 2
    # relu does not preserve the argmax of negative scores: applied first
    neg = np.array([[-1.0, -2.0, 0.5]])
    assert metrics.SparseCategoricalAccuracy().batch_total(np.array([2]), neg, "relu") == 1


def test_mse_mae_apply_the_activation() -> None:
    z = np.array([[0.0, 0.0], [0.0, 0.0]])
    y = np.array([[1.0, 0.0], [0.5, 0.5]])
    assert metrics.get("mse").batch_total(y, z, "sigmoid") == pytest.approx(
        np.sum(np.mean((0.5 - y) ** 2, axis=1))
    )
    assert metrics.get("mae").batch_total(y, z, "linear") == pytest.approx(0.5 + 0.5)
    with pytest.raises(ValueError, match="integer class labels"):
        metrics.get("mae").resolve("sparse_categorical_crossentropy", 3, True)
    with pytest.raises(ValueError, match="unknown metric"):
        metrics.get("f1")
