"""Adam, RMSprop, Adagrad: 20 steps on a float64 MLP match torch.optim within 1e-6."""

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
        {"lr": 0.01},
        {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6},
        {"lr": 0.01, "weight_decay": 0.1},
    ],
)
def test_adam_matches_torch(kwargs: dict) -> None:
    assert_same_training(
        lambda ps: optim.Adam(ps, **kwargs), lambda ps: torch.optim.Adam(ps, **kwargs)
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lr": 0.01},
        {"lr": 0.01, "momentum": 0.9},
        {"lr": 0.005, "alpha": 0.9, "weight_decay": 0.05, "momentum": 0.5},
        {"lr": 0.01, "centered": True, "momentum": 0.3},
    ],
)
def test_rmsprop_matches_torch(kwargs: dict) -> None:
    assert_same_training(
        lambda ps: optim.RMSprop(ps, **kwargs), lambda ps: torch.optim.RMSprop(ps, **kwargs)
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lr": 0.1},
        {"lr": 0.1, "initial_accumulator_value": 0.5, "lr_decay": 0.01, "weight_decay": 0.02},
    ],
)
def test_adagrad_matches_torch(kwargs: dict) -> None:
    assert_same_training(
        lambda ps: optim.Adagrad(ps, **kwargs), lambda ps: torch.optim.Adagrad(ps, **kwargs)
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: optim.Adam(ps, lr=0.1, weight_decay=0.01),
        lambda ps: optim.RMSprop(ps, lr=0.1, momentum=0.9, centered=True, weight_decay=0.01),
        lambda ps: optim.Adagrad(ps, lr=0.1, weight_decay=0.01),
    ],
)
def test_float32_stays_float32_and_in_place(make) -> None:
    w = nn.Parameter(np.ones((3, 2), dtype=np.float32))
    before = w.data
    opt = make([w])
    for _ in range(3):
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()
    assert w.data is before and w.data.dtype == np.float32
    assert all(v.dtype == np.float32 for v in opt.state[w].values() if isinstance(v, np.ndarray))
    assert np.all(w.data < 1)


def test_state_names_and_step_count() -> None:
    w = nn.Parameter(np.ones(2))
    opt = optim.Adam([w])
    for _ in range(4):
        opt.zero_grad()
        (w * nnlab.tensor(np.array([1.0, 2.0]))).sum().backward()
        opt.step()
    assert opt.state[w]["step"] == 4
    np.testing.assert_allclose(opt.state[w]["exp_avg"], [1 - 0.9**4, 2 * (1 - 0.9**4)])


@pytest.mark.parametrize(
    ("cls", "kwargs", "match"),
    [
        (optim.Adam, {"betas": (0.9, 1.0)}, "beta2"),
        (optim.Adam, {"betas": (0.9,)}, "betas"),
        (optim.Adam, {"eps": -1.0}, "eps"),
        (optim.RMSprop, {"momentum": -0.1}, "momentum"),
        (optim.Adagrad, {"lr": -0.1}, "lr"),
    ],
)
def test_bad_hyper_parameters(cls, kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        cls([nn.Parameter(np.ones(2))], **kwargs)
