"""Activations: values and gradients equal Keras 3's (torch backend: its gradients come from
torch.autograd through Keras's own functions); get / serialize / deserialize."""

from __future__ import annotations

import os

import numpy as np
import pytest

import nnlab
from nnlab.keras import activations

from .error_oracle import assert_same_error

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
X = (RNG.normal(size=(5, 6)) * 3).astype(np.float32)
X[0, :4] = [0.5, -0.5, 7.0, -4.0]  # around relu's threshold, relu6's cap, hard_sigmoid's ends
G = RNG.normal(size=X.shape).astype(np.float32)

CASES = [
    ("linear", {}),
    ("relu", {}),
    ("relu", {"negative_slope": 0.1}),
    ("relu", {"max_value": 6.0}),
    ("relu", {"max_value": 2.5}),
    ("relu", {"threshold": 0.3}),
    ("relu", {"negative_slope": 0.1, "max_value": 3.0, "threshold": 0.3}),
    ("relu", {"negative_slope": 0.2, "threshold": -1.0}),
    ("sigmoid", {}),
    ("tanh", {}),
    ("softmax", {}),
    ("softmax", {"axis": 0}),
    ("log_softmax", {}),
    ("log_softmax", {"axis": 0}),
    ("elu", {}),
    ("elu", {"alpha": 0.5}),
    ("selu", {}),
    ("gelu", {}),
    ("gelu", {"approximate": True}),
    ("silu", {}),
    ("swish", {}),
    ("softplus", {}),
    ("softsign", {}),
    ("leaky_relu", {}),
    ("leaky_relu", {"negative_slope": 0.05}),
    ("relu6", {}),
    ("hard_sigmoid", {}),
    ("hard_silu", {}),
    ("hard_swish", {}),
    ("mish", {}),
    ("exponential", {}),
    ("hard_tanh", {}),
    ("log_sigmoid", {}),
    ("tanh_shrink", {}),
    ("celu", {"alpha": 0.7}),
    ("squareplus", {"b": 2.0}),
    ("glu", {}),
    ("hard_shrink", {}),
    ("soft_shrink", {"threshold": 1.0}),
    ("threshold", {"threshold": 0.2, "default_value": -1.0}),
    ("sparse_plus", {}),
    ("sparse_sigmoid", {}),
]


def _keras(name: str, kwargs: dict) -> tuple[np.ndarray, np.ndarray]:
    xt = torch.tensor(X, requires_grad=True)
    y = getattr(keras.activations, name)(xt, **kwargs)
    gt = torch.tensor(G[:, : y.shape[1]] if y.shape != X.shape else G)
    (y * gt).sum().backward()
    return y.detach().numpy(), xt.grad.numpy()


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=[f"{n}{k or ''}" for n, k in CASES])
def test_value_and_gradient_equal_keras(name: str, kwargs: dict) -> None:
    want, want_grad = _keras(name, kwargs)
    x = nnlab.tensor(X, requires_grad=True)
    y = getattr(activations, name)(x, **kwargs)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.data, want, rtol=2e-6, atol=1e-6)
    (y * G[:, : y.shape[1]]).sum().backward()
    np.testing.assert_allclose(x.grad, want_grad, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_over_several_axes_equals_keras(name: str) -> None:
    x3 = X.reshape(5, 3, 2)
    want = getattr(keras.activations, name)(torch.tensor(x3), axis=(1, 2)).numpy()
    np.testing.assert_allclose(
        getattr(activations, name)(x3, axis=(1, 2)).data, want, rtol=1e-5, atol=1e-6
    )


def _sparsemax_by_bisection(row: np.ndarray) -> np.ndarray:
    """max(x - τ, 0) with Σ max(x - τ, 0) = 1, τ found by bisection (float64)."""
    lo, hi = row.min() - 1.0, row.max()
    for _ in range(200):
        tau = (lo + hi) / 2
        lo, hi = (tau, hi) if np.maximum(row - tau, 0).sum() > 1 else (lo, tau)
    return np.maximum(row - (lo + hi) / 2, 0)


@pytest.mark.parametrize("axis", [-1, 0])
def test_sparsemax_projects_onto_the_simplex(axis: int) -> None:
    """Keras 3's sparsemax (every backend) subtracts Σ_k cumsum_k instead of cumsum_k at the
    support size, so its rows do not sum to 1 once two or more entries are kept; nnlab follows
    the definition (Martins & Astudillo 2016), checked against a bisection for τ."""
    x64 = X.astype(np.float64) / 3
    want = np.apply_along_axis(_sparsemax_by_bisection, axis, x64)
    xt = nnlab.tensor(x64, requires_grad=True)
    y = activations.sparsemax(xt, axis=axis)
    np.testing.assert_allclose(y.data, want, atol=1e-9)
    np.testing.assert_allclose(y.data.sum(axis=axis), 1.0)
    (y * G).sum().backward()
    numeric = np.zeros_like(x64)
    for idx in np.ndindex(x64.shape):
        plus, minus = x64.copy(), x64.copy()
        plus[idx] += 1e-6
        minus[idx] -= 1e-6
        numeric[idx] = (
            (activations.sparsemax(plus, axis=axis).data * G).sum()
            - (activations.sparsemax(minus, axis=axis).data * G).sum()
        ) / 2e-6
    np.testing.assert_allclose(xt.grad, numeric, rtol=1e-5, atol=1e-7)


def test_arrays_are_accepted() -> None:
    np.testing.assert_allclose(activations.relu(X).data, np.maximum(X, 0))
    assert activations.get("linear")(X) is X


def test_get_serialize_deserialize() -> None:
    assert activations.get(None) is activations.linear
    assert activations.get("swish") is activations.silu
    assert activations.get("hard_swish") is activations.hard_silu
    for bad in ("Hard_Swish", "ReLU", "foo", 3):  # names are case-sensitive in Keras 3
        assert_same_error(lambda lib, bad=bad: lib.activations.get(bad), exact=False)

    def custom(x):
        return x * 2

    assert activations.get(custom) is custom
    assert activations.get({"class_name": "function", "config": "elu"}) is activations.elu
    for name, fn in activations.ACTIVATIONS.items():
        assert activations.deserialize(activations.serialize(fn)) is fn
        keras_name = keras.activations.serialize(keras.activations.get(name))
        assert activations.serialize(fn) == keras_name
    assert activations.deserialize("x2", custom_objects={"x2": custom}) is custom
    with pytest.raises(ValueError, match="unknown activation 'relu7'"):
        activations.get("relu7")
    with pytest.raises(ValueError, match="Could not interpret"):
        activations.get(3)
    with pytest.raises(ValueError, match="cannot be serialized"):
        activations.serialize(custom)
    with pytest.raises(ValueError, match="even size"):
        activations.glu(np.ones((2, 3)))
