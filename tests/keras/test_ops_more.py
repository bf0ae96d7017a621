"""The rest of keras.ops on nnlab Tensors: values and dtypes equal Keras 3's, gradients equal
torch's."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import nnlab

from .keras_oracle import keras, nk

RNG = np.random.default_rng(1)
A = RNG.normal(size=(3, 4)).astype("float32")
U = RNG.uniform(-0.9, 0.9, size=(3, 4)).astype("float32")


def _np(x):
    return keras.ops.convert_to_numpy(x)


CASES = [
    ("sin", (A,), {}),
    ("cos", (A,), {}),
    ("tan", (U,), {}),
    ("arcsin", (U,), {}),
    ("arctan", (A,), {}),
    ("sinh", (A,), {}),
    ("cosh", (A,), {}),
    ("arctanh", (U,), {}),
    ("expm1", (A,), {}),
    ("exp2", (A,), {}),
    ("log2", (np.abs(A) + 0.1,), {}),
    ("log10", (np.abs(A) + 0.1,), {}),
    ("reciprocal", (np.abs(A) + 0.5,), {}),
    ("logaddexp", (A, U), {}),
    ("cumsum", (A,), {"axis": 1}),
    ("cumsum", (A,), {}),
    ("prod", (A,), {"axis": 0}),
    ("prod", (A,), {"axis": (0, 1), "keepdims": True}),
    ("norm", (A,), {}),
    ("norm", (A,), {"axis": -1}),
    ("norm", (A,), {"ord": 1, "axis": 0}),
    ("tile", (A,), {"repeats": (2, 3)}),
    ("take", (A, np.array([2, 0, 2])), {"axis": 1}),
    ("take_along_axis", (A, np.argsort(A, axis=1)), {"axis": 1}),
    ("sort", (A,), {"axis": 0}),
    ("flip", (A,), {"axis": 1}),
    ("roll", (A,), {"shift": 2, "axis": 1}),
    ("moveaxis", (A[None],), {"source": 0, "destination": 2}),
    ("swapaxes", (A,), {"axis1": 0, "axis2": 1}),
    ("broadcast_to", (A[:1],), {"shape": (3, 4)}),
    ("tensordot", (A, A.T), {"axes": 1}),
    ("outer", (A[0], A[1]), {}),
    ("pad", (A,), {"pad_width": ((1, 0), (0, 2))}),
    ("tril", (A,), {"k": 0}),
    ("triu", (A,), {"k": 1}),
    ("log_sigmoid", (A,), {}),
    ("hard_silu", (A,), {}),
    ("average", (A,), {"axis": 1, "weights": np.array([1.0, 2.0, 3.0, 4.0], "float32")}),
    ("divide_no_nan", (A, np.where(U > 0, U, 0.0).astype("float32")), {}),
    ("normalize", (A,), {"axis": -1}),
]


@pytest.mark.parametrize(("name", "args", "kwargs"), CASES, ids=[c[0] for c in CASES])
def test_values_match_keras(name, args, kwargs) -> None:
    ours = getattr(nk.ops, name)(*args, **kwargs)
    theirs = getattr(keras.ops, name)(*args, **kwargs)
    np.testing.assert_allclose(ours.data, _np(theirs), rtol=2e-5, atol=2e-6)


GRADS = [
    ("sin", torch.sin, {}),
    ("tan", torch.tan, {}),
    ("arcsin", torch.arcsin, {}),
    ("expm1", torch.expm1, {}),
    ("cumsum", lambda x: torch.cumsum(x, dim=1), {"axis": 1}),
    ("prod", lambda x: torch.prod(x, dim=0), {"axis": 0}),
    ("tile", lambda x: x.tile((2, 3)), {"repeats": (2, 3)}),
    ("roll", lambda x: torch.roll(x, 2, 1), {"shift": 2, "axis": 1}),
    ("norm", lambda x: torch.linalg.vector_norm(x, dim=-1), {"axis": -1}),
    ("logaddexp", lambda x: torch.logaddexp(x, x * 0.5), None),
]


@pytest.mark.parametrize(("name", "torch_fn", "kwargs"), GRADS, ids=[g[0] for g in GRADS])
def test_gradients_match_torch(name, torch_fn, kwargs) -> None:
    x64 = U.astype(np.float64)
    x = nnlab.tensor(x64, requires_grad=True)
    fn = getattr(nk.ops, name)
    out = fn(x, x * 0.5) if kwargs is None else fn(x, **kwargs)
    weights = np.random.default_rng(2).normal(size=out.shape)
    (out * nnlab.tensor(weights)).sum().backward()
    xt = torch.tensor(x64, requires_grad=True)
    (torch_fn(xt) * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-7, atol=1e-9)


def test_split_and_unstack_match_keras() -> None:
    for ours, theirs in [
        (nk.ops.split(A, 2, axis=1), keras.ops.split(A, 2, axis=1)),
        (nk.ops.split(A, [1, 3], axis=1), keras.ops.split(A, [1, 3], axis=1)),
        (nk.ops.unstack(A, axis=0), keras.ops.unstack(keras.ops.convert_to_tensor(A), axis=0)),
    ]:
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs, strict=True):
            np.testing.assert_array_equal(a.data, _np(b))


@pytest.mark.parametrize(
    "make",
    [
        lambda o: o.array([1.0, 2.0]),
        lambda o: o.array([1, 2]),
        lambda o: o.array(np.array([1.0])),
        lambda o: o.array(True),
        lambda o: o.convert_to_tensor(3),
        lambda o: o.convert_to_tensor([1.0], dtype="float64"),
        lambda o: o.arange(3),
        lambda o: o.arange(0.1, 1.1, 0.1),
        lambda o: o.full((2,), 0.01),
        lambda o: o.full((2, 2), 3),
        lambda o: o.zeros(()),
        lambda o: o.ones((2, 3), dtype="int32"),
        lambda o: o.linspace(0.0, 1.0, 5),
        lambda o: o.eye(3, 4, k=1),
        lambda o: o.one_hot(np.array([0, 2, 1]), 3),
        lambda o: o.argmax(A, axis=1),
        lambda o: o.argmin(A, axis=0, keepdims=True),
        lambda o: o.equal(A, A),
        lambda o: o.logical_and(A > 0, U > 0),
        lambda o: o.cast(A, "int32"),
        lambda o: o.floor_divide(A * 10, 3.0),
        lambda o: o.mod(A * 10, 3.0),
        lambda o: o.round(A * 10),
        lambda o: o.count_nonzero(A > 0, axis=1),
        lambda o: o.where(A > 0, A, 0.0),
    ],
)
def test_creation_and_dtypes_match_keras(make) -> None:
    ours, theirs = make(nk.ops), _np(make(keras.ops))
    assert ours.dtype == theirs.dtype
    np.testing.assert_allclose(ours.data, theirs, rtol=1e-6)


def test_conversions() -> None:
    t = nk.ops.convert_to_tensor(A)
    assert nk.ops.convert_to_tensor(t) is t
    assert nk.ops.is_tensor(t) and not nk.ops.is_tensor(A)
    assert nk.ops.convert_to_numpy(t) is t.data
    assert nk.ops.shape(t) == (3, 4)
    assert int(nk.ops.size(t).data) == 12
    x = nnlab.tensor(A, requires_grad=True)
    nk.ops.sum(nk.ops.cast(x, "float64") * 2.0).backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad, np.full_like(A, 2.0))
    assert not nk.ops.stop_gradient(x).requires_grad
