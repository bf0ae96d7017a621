"""Regularizers against Keras 3's (KERAS_BACKEND=torch): values on the same weights, gradients
against torch autograd, configs and their round trip."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

import nnlab
from nnlab.keras import regularizers

from .error_oracle import assert_same_error

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

CASES = [
    ("L1", {}),
    ("L1", {"l1": 0.3}),
    ("L2", {}),
    ("L2", {"l2": 0.7}),
    ("L1L2", {}),
    ("L1L2", {"l1": 0.1, "l2": 0.2}),
    ("L1L2", {"l2": 0.05}),
    ("OrthogonalRegularizer", {}),
    ("OrthogonalRegularizer", {"factor": 0.5, "mode": "columns"}),
]


@pytest.mark.parametrize("shape", [(5, 3), (3, 7)], ids=str)
@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_value_and_gradient_equal_keras(name: str, kwargs: dict, shape: tuple) -> None:
    w = np.random.default_rng(0).normal(size=shape).astype(np.float32)
    w[0, 0] = 0.0  # |x| at 0 and a row/column that is not a unit vector
    ours = getattr(regularizers, name)(**kwargs)
    theirs = getattr(keras.regularizers, name)(**kwargs)
    x = nnlab.tensor(w.copy(), requires_grad=True)
    value = ours(x)
    assert value.shape == ()
    expected = theirs(keras.ops.convert_to_tensor(w))
    np.testing.assert_allclose(value.item(), keras.ops.convert_to_numpy(expected), rtol=1e-5)
    value.backward()
    xt = torch.tensor(w, requires_grad=True)
    penalty = theirs(xt)
    if penalty.requires_grad:
        penalty.backward()
        np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-4, atol=1e-6)
    else:  # a zero penalty (L1L2 with l1 = l2 = 0): a constant for Keras
        assert x.grad is None or not np.any(x.grad)


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_config_equals_keras_and_round_trips(name: str, kwargs: dict) -> None:
    ours = getattr(regularizers, name)(**kwargs)
    theirs = getattr(keras.regularizers, name)(**kwargs)
    assert ours.get_config() == pytest.approx(theirs.get_config())
    again = regularizers.deserialize(regularizers.serialize(ours))
    assert type(again) is type(ours) and again.get_config() == ours.get_config()
    from_keras = regularizers.get(keras.regularizers.serialize(theirs))
    assert type(from_keras) is type(ours)
    assert from_keras.get_config() == pytest.approx(ours.get_config())  # Keras: float32 l1


def test_get_by_name_like_keras() -> None:
    for name in ["l1", "l2", "l1l2", "L1", "L2", "L1L2", "orthogonal_regularizer"]:
        ours, theirs = regularizers.get(name), keras.regularizers.get(name)
        assert type(ours).__name__ == type(theirs).__name__
        assert ours.get_config() == pytest.approx(theirs.get_config())
    assert regularizers.get(None) is None
    assert regularizers.get("l1_l2").get_config() == {"l1": 0.0, "l2": 0.0}  # nnlab v1 name
    reg = regularizers.L2(0.1)
    assert regularizers.get(reg) is reg
    for cfg in ({"l1": 0.1, "l2": 0.0}, {"l2": 0.3}, {"factor": 0.2, "mode": "columns"}):
        assert regularizers.get(cfg).get_config() == cfg  # a bare get_config() dict
    with pytest.raises(ValueError, match="regularizer"):
        regularizers.get("l3")
    for make in (lambda lib: lib.regularizers.l2(-1.0), lambda lib: lib.regularizers.L1("a")):
        assert_same_error(make)
    assert_same_error(lambda lib: lib.regularizers.get("l3"), exact=False)
    with pytest.raises(ValueError, match="rank 2"):
        regularizers.OrthogonalRegularizer()(nnlab.tensor(np.ones(3)))
    with pytest.raises(ValueError, match="mode"):
        regularizers.OrthogonalRegularizer(mode="diagonal")
