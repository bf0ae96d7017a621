"""The Optimizer base class and SGD (plain, momentum, Nesterov, weight decay) vs torch.optim.SGD."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import nnlab
from nnlab import nn, optim

from .mlp_oracle import assert_same_training


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lr": 0.1},
        {"lr": 0.1, "momentum": 0.9},
        {"lr": 0.05, "momentum": 0.9, "nesterov": True},
        {"lr": 0.1, "weight_decay": 0.01},
        {"lr": 0.05, "momentum": 0.8, "weight_decay": 0.05, "nesterov": True},
        {"lr": 0.1, "momentum": 0.5, "dampening": 0.3},
    ],
)
def test_sgd_matches_torch(kwargs: dict) -> None:
    assert_same_training(
        lambda ps: optim.SGD(ps, **kwargs), lambda ps: torch.optim.SGD(ps, **kwargs)
    )


def _quadratic_step(opt: optim.Optimizer, w: nn.Parameter) -> None:
    opt.zero_grad()
    (w * w).sum().backward()  # gradient 2w
    opt.step()


def test_sgd_rule_by_hand() -> None:
    w = nn.Parameter(np.array([1.0, -2.0]))
    opt = optim.SGD([w], lr=0.1, momentum=0.5)
    _quadratic_step(opt, w)  # b = 2w0, w1 = w0 - 0.1·2w0 = 0.8 w0
    np.testing.assert_allclose(w.data, [0.8, -1.6])
    _quadratic_step(opt, w)  # b = 0.5·2w0 + 2w1 = 2.6 w0; w2 = 0.8 w0 - 0.26 w0
    np.testing.assert_allclose(w.data, [0.54, -1.08])
    np.testing.assert_allclose(opt.state[w]["momentum_buffer"], [2.6, -5.2])


def test_updates_in_place_keep_float32_and_leave_grad_alone() -> None:
    w = nn.Parameter(np.ones((4, 3), dtype=np.float32))
    before = w.data
    opt = optim.SGD([w], lr=0.1, momentum=0.9, weight_decay=0.1, nesterov=True)
    opt.zero_grad()
    (w * 3.0).sum().backward()
    grad = w.grad.copy()
    opt.step()
    assert w.data is before and w.data.dtype == np.float32
    assert opt.state[w]["momentum_buffer"].dtype == np.float32
    np.testing.assert_array_equal(w.grad, grad)


def test_parameters_without_grad_are_skipped() -> None:
    a, b = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(2))
    opt = optim.SGD([a, b], lr=0.5, momentum=0.9)
    opt.zero_grad()
    (a * 2.0).sum().backward()
    opt.step()
    np.testing.assert_allclose(a.data, [0.0, 0.0])
    np.testing.assert_allclose(b.data, [1.0, 1.0])
    assert b not in opt.state


def test_zero_grad_clears_every_group() -> None:
    a, b = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(2))
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    (a.sum() + b.sum()).backward()
    opt.step()
    np.testing.assert_allclose(a.data, [0.9, 0.9])
    np.testing.assert_allclose(b.data, [0.5, 0.5])
    opt.zero_grad()
    assert a.grad is None and b.grad is None


def test_lr_property_sets_every_group() -> None:
    a, b = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(2))
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    assert opt.lr == 0.1
    opt.lr = 0.01
    assert [g["lr"] for g in opt.param_groups] == [0.01, 0.01]
    with pytest.raises(ValueError, match="lr"):
        opt.lr = -1.0


def test_step_calls_the_closure() -> None:
    w = nn.Parameter(np.array([3.0]))
    opt = optim.SGD([w], lr=0.25)

    def closure() -> nnlab.Tensor:
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert loss.item() == 9.0
    np.testing.assert_allclose(w.data, [1.5])


def test_model_parameters_train_end_to_end() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 2))
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)
    model = nn.Sequential(
        nn.Linear(2, 16, rng=rng, dtype=np.float64),
        nn.Tanh(),
        nn.Linear(16, 2, rng=rng, dtype=np.float64),
    )
    opt = optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    losses = []
    for _ in range(100):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(nnlab.tensor(x)), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.25 * losses[0]


@pytest.mark.parametrize(
    ("params", "kwargs", "error", "match"),
    [
        ([], {}, ValueError, "empty"),
        (None, {"lr": -0.1}, ValueError, "lr"),
        (None, {"momentum": -0.5}, ValueError, "momentum"),
        (None, {"nesterov": True}, ValueError, "nesterov"),
        ([np.ones(2)], {}, TypeError, "not a Tensor"),
        ([nnlab.tensor(np.array([1, 2]))], {}, TypeError, "floating-point"),
    ],
)
def test_bad_arguments(params, kwargs: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        optim.SGD([nn.Parameter(np.ones(2))] if params is None else params, **kwargs)


def test_single_tensor_instead_of_list() -> None:
    with pytest.raises(TypeError, match="single Tensor"):
        optim.SGD(nn.Parameter(np.ones(2)), lr=0.1)


def test_duplicate_parameter_in_groups() -> None:
    w = nn.Parameter(np.ones(2))
    with pytest.raises(ValueError, match="two groups"):
        optim.SGD([{"params": [w]}, {"params": [w]}], lr=0.1)


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam, optim.RMSprop, optim.Adagrad])
@pytest.mark.parametrize("lr", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_learning_rate_is_rejected(cls, lr: float) -> None:
    w = nn.Parameter(np.ones(2))
    with pytest.raises(ValueError, match=rf"{cls.__name__}: lr must be a finite number >= 0"):
        cls([w], lr=lr)
    with pytest.raises(ValueError, match="lr must be a finite number"):
        cls([{"params": [w], "lr": lr}], lr=0.1)
    opt = cls([w], lr=0.1)
    with pytest.raises(ValueError, match="lr must be a finite number"):
        opt.lr = lr
    assert opt.lr == 0.1
