"""Layers vs torch.nn: Linear, activations, Sequential (forward and backward, float64); Dropout."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import nnlab
from nnlab import nn


def _torch_linear(layer: nn.Linear) -> torch.nn.Linear:
    ref = torch.nn.Linear(layer.in_features, layer.out_features, bias=layer.bias is not None)
    ref = ref.double()
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(layer.weight.data))
        if layer.bias is not None:
            ref.bias.copy_(torch.from_numpy(layer.bias.data))
    return ref


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(7, 5), (2, 3, 5)])
def test_linear_matches_torch(bias: bool, shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(0)
    layer = nn.Linear(5, 4, bias=bias, rng=rng, dtype=np.float64)
    ref = _torch_linear(layer)
    x = rng.normal(size=shape)
    xt, xr = nnlab.tensor(x.copy(), requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = layer(xt), ref(xr)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12)
    proj = rng.normal(size=out.shape)
    (out * nnlab.tensor(proj)).sum().backward()
    (expected * torch.from_numpy(proj)).sum().backward()
    np.testing.assert_allclose(xt.grad, xr.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(layer.weight.grad, ref.weight.grad.numpy(), rtol=1e-10)
    if bias:
        np.testing.assert_allclose(layer.bias.grad, ref.bias.grad.numpy(), rtol=1e-10)


def test_linear_default_init_and_dtype() -> None:
    layer = nn.Linear(100, 300, rng=0)
    assert layer.weight.shape == (300, 100) and layer.bias.shape == (300,)
    assert layer.weight.dtype == np.float32 and layer.bias.dtype == np.float32
    bound = 1 / np.sqrt(100)
    assert np.abs(layer.weight.data).max() <= bound
    assert np.abs(layer.weight.data).max() > 0.9 * bound  # uniform over the whole range
    assert abs(layer.weight.data.std() - bound / np.sqrt(3)) < 0.05 * bound
    same = nn.Linear(100, 300, rng=0)
    np.testing.assert_array_equal(layer.weight.data, same.weight.data)
    assert nn.Linear(2, 3, bias=False).bias is None
    assert [n for n, _ in nn.Linear(2, 3, bias=False).named_parameters()] == ["weight"]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"in_features": 0, "out_features": 3}, ValueError, "in_features"),
        ({"in_features": 2, "out_features": 2.5}, ValueError, "out_features"),
        ({"in_features": 2, "out_features": 3, "dtype": np.int32}, TypeError, "dtype"),
        ({"in_features": 2, "out_features": 3, "rng": "seed"}, TypeError, "rng"),
    ],
)
def test_linear_bad_arguments(kwargs: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        nn.Linear(**kwargs)


def test_linear_wrong_input_width() -> None:
    with pytest.raises(ValueError, match="expects 3"):
        nn.Linear(3, 2)(nnlab.tensor(np.ones((4, 5), dtype=np.float32)))


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (nn.ReLU(), torch.nn.ReLU()),
        (nn.Sigmoid(), torch.nn.Sigmoid()),
        (nn.Tanh(), torch.nn.Tanh()),
        (nn.Softmax(), torch.nn.Softmax(dim=-1)),
        (nn.Softmax(axis=0), torch.nn.Softmax(dim=0)),
        (nn.Identity(), torch.nn.Identity()),
    ],
    ids=["relu", "sigmoid", "tanh", "softmax", "softmax0", "identity"],
)
def test_activations_match_torch(ours: nn.Module, theirs: torch.nn.Module) -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(6, 4)) * 3
    xt, xr = nnlab.tensor(x.copy(), requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(xt), theirs(xr)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-15)
    proj = rng.normal(size=x.shape)
    (out * nnlab.tensor(proj)).sum().backward()
    (expected * torch.from_numpy(proj)).sum().backward()
    np.testing.assert_allclose(xt.grad, xr.grad.numpy(), rtol=1e-10, atol=1e-15)


def test_sequential_matches_torch() -> None:
    rng = np.random.default_rng(2)
    model = nn.Sequential(
        nn.Linear(4, 6, rng=rng, dtype=np.float64), nn.Tanh(),
        nn.Linear(6, 5, rng=rng, dtype=np.float64), nn.ReLU(),
        nn.Linear(5, 3, rng=rng, dtype=np.float64), nn.Softmax(),
    )  # fmt: skip
    ref = torch.nn.Sequential(
        _torch_linear(model[0]), torch.nn.Tanh(), _torch_linear(model[2]), torch.nn.ReLU(),
        _torch_linear(model[4]), torch.nn.Softmax(dim=-1),
    )  # fmt: skip
    assert [n for n, _ in model.named_parameters()] == [n for n, _ in ref.named_parameters()]
    x = rng.normal(size=(8, 4))
    out, expected = model(nnlab.tensor(x)), ref(torch.from_numpy(x))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12)
    proj = rng.normal(size=out.shape)
    (out * nnlab.tensor(proj)).sum().backward()
    (expected * torch.from_numpy(proj)).sum().backward()
    for p, q in zip(model.parameters(), ref.parameters(), strict=True):
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-9, atol=1e-14)


def test_sequential_container_protocol() -> None:
    a, b = nn.Linear(2, 3), nn.ReLU()
    model = nn.Sequential(a, b)
    assert len(model) == 2 and model[0] is a and list(model) == [a, b]
    model.append(nn.Linear(3, 1))
    assert model(nnlab.tensor(np.ones((5, 2), dtype=np.float32))).shape == (5, 1)
    assert "(2): Linear(in_features=3, out_features=1, bias=True)" in repr(model)
    with pytest.raises(TypeError, match="expected a Module, got function"):
        nn.Sequential(nn.Linear(2, 2), lambda x: x)


def test_dropout_training_scales_survivors() -> None:
    drop = nn.Dropout(0.25, rng=0)
    x = nnlab.tensor(np.ones((200, 500), dtype=np.float32), requires_grad=True)
    y = drop(x)
    kept = y.data != 0
    assert abs(kept.mean() - 0.75) < 0.01
    np.testing.assert_allclose(y.data[kept], 1 / 0.75, rtol=1e-6)
    assert y.dtype == np.float32
    y.sum().backward()
    np.testing.assert_allclose(x.grad, np.where(kept, 1 / 0.75, 0.0), rtol=1e-6)
    assert abs(y.data.mean() - 1.0) < 0.02  # expectation preserved


def test_dropout_eval_is_identity_and_rng_reproducible() -> None:
    x = nnlab.tensor(np.arange(1.0, 101.0))
    drop = nn.Dropout(0.5, rng=3)
    first = drop(x).data
    np.testing.assert_array_equal(first, nn.Dropout(0.5, rng=3)(x).data)
    assert not np.array_equal(first, drop(x).data)  # a fresh mask each call
    drop.eval()
    np.testing.assert_array_equal(drop(x).data, x.data)
    model = nn.Sequential(nn.Identity(), nn.Dropout(0.9, rng=0))
    model.eval()
    np.testing.assert_array_equal(model(x).data, x.data)
    model.train()
    assert np.count_nonzero(model(x).data) < 40


def test_dropout_p_zero_and_bad_p() -> None:
    x = nnlab.tensor(np.ones(10))
    np.testing.assert_array_equal(nn.Dropout(0.0)(x).data, x.data)
    for p in (-0.1, 1.0, 1.5):
        with pytest.raises(ValueError, match="drop probability"):
            nn.Dropout(p)
