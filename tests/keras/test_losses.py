"""Keras losses: values against NumPy, fused (from logits) equal to the probability form."""

from __future__ import annotations

import numpy as np
import pytest

import nnlab
from nnlab.keras import losses

RNG = np.random.default_rng(0)
Z = RNG.normal(size=(6, 3))
P = np.exp(Z) / np.exp(Z).sum(1, keepdims=True)
LABELS = np.array([0, 2, 1, 1, 0, 2])
ONEHOT = np.eye(3)[LABELS]


def t(a: np.ndarray) -> nnlab.Tensor:
    return nnlab.tensor(a, requires_grad=True)


def test_mse_mae() -> None:
    y = RNG.normal(size=(6, 3))
    assert losses.get("mse")(y, t(Z)).item() == pytest.approx(np.mean((Z - y) ** 2))
    assert losses.get("mean_absolute_error")(y, t(Z)).item() == pytest.approx(
        np.mean(np.abs(Z - y))
    )


def test_categorical_forms_agree() -> None:
    expected = -np.mean(np.log(P[np.arange(6), LABELS]))
    cce, scce = (
        losses.get("categorical_crossentropy"),
        losses.get("sparse_categorical_crossentropy"),
    )
    assert cce(ONEHOT, t(P)).item() == pytest.approx(expected)
    assert cce.logits_loss(ONEHOT, t(Z)).item() == pytest.approx(expected)
    assert scce(LABELS, t(P)).item() == pytest.approx(expected)
    assert scce.logits_loss(LABELS, t(Z)).item() == pytest.approx(expected)
    assert losses.SparseCategoricalCrossentropy(from_logits=True)(LABELS, t(Z)).item() == (
        pytest.approx(expected)
    )


def test_binary_forms_agree_and_logits_are_stable() -> None:
    z = RNG.normal(size=(8, 1)) * 3
    y = (RNG.random((8, 1)) > 0.5).astype(float)
    p = 1 / (1 + np.exp(-z))
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    bce = losses.get("binary_crossentropy")
    assert bce(y, t(p)).item() == pytest.approx(expected)
    assert bce.logits_loss(y, t(z)).item() == pytest.approx(expected)
    big = bce.logits_loss(np.zeros((1, 1)), t(np.array([[1000.0]])))
    assert big.item() == pytest.approx(1000.0)  # log(1 + e^1000) without overflow
    clipped = bce(np.zeros((1, 1)), t(np.array([[1.0]])))  # p = 1 clipped to 1 - 1e-7
    assert clipped.item() == pytest.approx(-np.log(1e-7), rel=1e-3)


def test_gradient_from_logits_is_softmax_minus_target() -> None:
    z = t(Z)
    losses.get("categorical_crossentropy").logits_loss(ONEHOT, z).backward()
    np.testing.assert_allclose(z.grad, (P - ONEHOT) / 6, atol=1e-12)


def test_prepare_targets() -> None:
    bce = losses.get("binary_crossentropy")
    assert bce.prepare_targets([0, 1, 1], 1, "fit").shape == (3, 1)
    scce = losses.get("sparse_categorical_crossentropy")
    out = scce.prepare_targets(np.array([[1.0], [2.0]]), 3, "fit")
    assert out.dtype == np.intp and out.tolist() == [1, 2]
    with pytest.raises(ValueError, match="one-hot targets use"):
        scce.prepare_targets(ONEHOT, 3, "fit")
    with pytest.raises(ValueError, match="NaN"):
        losses.get("mse").prepare_targets([np.nan], 1, "fit")
    with pytest.raises(TypeError, match="numeric"):
        losses.get("mse").prepare_targets(["a"], 1, "fit")


def test_get() -> None:
    assert isinstance(losses.get("Binary Crossentropy"), losses.BinaryCrossentropy)
    assert losses.get({"name": "binary_crossentropy", "from_logits": True}).from_logits
    custom = losses.get(lambda y, p: (p - y).abs())
    assert custom(np.ones((2, 1)), t(np.zeros((2, 1)))).item() == 1.0
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        losses.get("hinge")
    with pytest.raises(ValueError, match="loss must be"):
        losses.get(3)
