"""keras.ops on nnlab Tensors: values equal Keras 3's ops, gradients flow, KerasTensors record."""

from __future__ import annotations

import numpy as np
import pytest

import nnlab

from .keras_oracle import keras, nk

RNG = np.random.default_rng(0)
A = RNG.normal(size=(3, 4)).astype("float32")
B = RNG.normal(size=(3, 4)).astype("float32")
P = np.abs(A) + 0.1

UNARY = ["abs", "exp", "negative", "relu", "sigmoid", "tanh", "square", "softplus", "softsign",
         "elu", "selu", "silu", "relu6", "hard_sigmoid", "sign"]  # fmt: skip
POSITIVE = ["sqrt", "log", "log1p"]
BINARY = ["add", "subtract", "multiply", "divide", "maximum", "minimum"]
REDUCE = ["sum", "mean", "max", "min", "var", "std"]


def _np(x):
    return keras.ops.convert_to_numpy(x)


@pytest.mark.parametrize("name", UNARY + POSITIVE)
def test_unary_values(name) -> None:
    x = P if name in POSITIVE else A
    ours = getattr(nk.ops, name)(x).data
    np.testing.assert_allclose(ours, _np(getattr(keras.ops, name)(x)), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", BINARY)
def test_binary_values(name) -> None:
    ours = getattr(nk.ops, name)(A, B).data
    np.testing.assert_allclose(ours, _np(getattr(keras.ops, name)(A, B)), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", REDUCE)
@pytest.mark.parametrize("axis", [None, 0, -1, (0, 1)])
def test_reductions(name, axis) -> None:
    ours = getattr(nk.ops, name)(A, axis=axis, keepdims=True).data
    theirs = _np(getattr(keras.ops, name)(A, axis=axis, keepdims=True))
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_shape_functions() -> None:
    for ours, theirs in [
        (nk.ops.matmul(A, B.T), keras.ops.matmul(A, B.T)),
        (nk.ops.reshape(A, (4, -1)), keras.ops.reshape(A, (4, -1))),
        (nk.ops.transpose(A), keras.ops.transpose(A)),
        (nk.ops.concatenate([A, B], axis=1), keras.ops.concatenate([A, B], axis=1)),
        (nk.ops.stack([A, B], axis=0), keras.ops.stack([A, B], axis=0)),
        (nk.ops.expand_dims(A, 1), keras.ops.expand_dims(A, 1)),
        (nk.ops.squeeze(A[:1]), keras.ops.squeeze(A[:1])),
        (nk.ops.softmax(A), keras.ops.softmax(A)),
        (nk.ops.log_softmax(A), keras.ops.log_softmax(A)),
        (nk.ops.clip(A, -0.5, 0.5), keras.ops.clip(A, -0.5, 0.5)),
        (nk.ops.where(A > 0, A, B), keras.ops.where(A > 0, A, B)),
        (nk.ops.logsumexp(A, axis=1), keras.ops.logsumexp(A, axis=1)),
        (nk.ops.repeat(A, 2, axis=1), keras.ops.repeat(A, 2, axis=1)),
    ]:
        np.testing.assert_allclose(ours.data, _np(theirs), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(nk.ops.argmax(A, axis=1), _np(keras.ops.argmax(A, axis=1)))
    np.testing.assert_array_equal(nk.ops.one_hot(np.array([2, 0]), 3).data, np.eye(3)[[2, 0]])


def test_gradients_flow_through_ops() -> None:
    x = nnlab.tensor(A.astype(np.float64), requires_grad=True)
    loss = nk.ops.mean(nk.ops.square(nk.ops.maximum(x, 0.0)))
    loss.backward()
    np.testing.assert_allclose(x.grad, 2 * np.maximum(A, 0) / A.size, rtol=1e-6)


def test_ops_on_keras_tensors_build_a_functional_graph() -> None:
    inputs = nk.Input(shape=(4,))
    outputs = nk.ops.sum(nk.ops.square(inputs), axis=-1, keepdims=True) + 1.0
    model = nk.Model(inputs, outputs)
    np.testing.assert_allclose(
        model.predict(A, verbose=0), (A**2).sum(-1, keepdims=True) + 1, rtol=1e-5
    )
