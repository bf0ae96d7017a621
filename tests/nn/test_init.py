"""nnlab.nn.init: PyTorch's formulas (bounds, standard deviations), in place, reproducible."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from nnlab import nn
from nnlab.nn import init

SHAPE = (200, 300)  # (fan_out, fan_in)


def _param(shape: tuple[int, ...] = SHAPE, dtype: type = np.float32) -> nn.Parameter:
    return nn.Parameter(np.zeros(shape, dtype=dtype))


@pytest.mark.parametrize(
    ("fn", "kwargs", "bound"),
    [
        (init.xavier_uniform_, {}, math.sqrt(6 / 500)),
        (init.xavier_uniform_, {"gain": 2.0}, 2 * math.sqrt(6 / 500)),
        (init.kaiming_uniform_, {}, math.sqrt(6 / 300)),
        (init.kaiming_uniform_, {"mode": "fan_out", "nonlinearity": "relu"}, math.sqrt(6 / 200)),
        (init.uniform_, {"a": -0.3, "b": 0.3}, 0.3),
    ],
)
def test_uniform_family_bounds(fn, kwargs: dict, bound: float) -> None:
    w = _param()
    data = w.data
    assert fn(w, rng=0, **kwargs) is w
    assert w.data is data and w.dtype == np.float32
    assert np.abs(w.data).max() <= bound * (1 + 1e-6)
    assert np.abs(w.data).max() > 0.99 * bound
    assert w.data.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)


@pytest.mark.parametrize(
    ("fn", "kwargs", "std"),
    [
        (init.xavier_normal_, {}, math.sqrt(2 / 500)),
        (init.kaiming_normal_, {}, math.sqrt(2 / 300)),
        (init.kaiming_normal_, {"nonlinearity": "tanh"}, (5 / 3) / math.sqrt(300)),
        (init.he_normal_, {"a": 0.2, "nonlinearity": "leaky_relu"}, math.sqrt(2 / 1.04 / 300)),
        (init.normal_, {"mean": 0.0, "std": 0.05}, 0.05),
    ],
)
def test_normal_family_std(fn, kwargs: dict, std: float) -> None:
    w = _param()
    fn(w, rng=np.random.default_rng(1), **kwargs)
    assert w.data.std() == pytest.approx(std, rel=0.02)
    assert abs(w.data.mean()) < 0.05 * std


def test_gains_and_fans_match_torch() -> None:
    for name in ("linear", "sigmoid", "tanh", "relu"):
        assert init.calculate_gain(name) == pytest.approx(torch.nn.init.calculate_gain(name))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(
        torch.nn.init.calculate_gain("leaky_relu", 0.2)
    )
    t = torch.empty(16, 8, 3, 3)
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(t)
    assert init.calculate_fans((16, 8, 3, 3)) == (fan_in, fan_out)


def test_constant_zeros_ones_normal_mean() -> None:
    w = _param((3, 4), np.float64)
    np.testing.assert_array_equal(init.constant_(w, 2.5).data, 2.5)
    np.testing.assert_array_equal(init.ones_(w).data, 1.0)
    np.testing.assert_array_equal(init.zeros_(w).data, 0.0)
    assert w.dtype == np.float64
    big = _param((100, 100))
    assert init.normal_(big, mean=3.0, std=0.1, rng=0).data.mean() == pytest.approx(3.0, abs=0.01)


def test_reproducible_with_seed_or_generator() -> None:
    a, b = _param((4, 5)), _param((4, 5))
    init.xavier_uniform_(a, rng=7)
    init.xavier_uniform_(b, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(a.data, b.data)
    init.xavier_uniform_(b, rng=8)
    assert not np.array_equal(a.data, b.data)


def test_aliases() -> None:
    assert init.glorot_uniform_ is init.xavier_uniform_
    assert init.glorot_normal_ is init.xavier_normal_
    assert init.he_uniform_ is init.kaiming_uniform_
    assert init.he_normal_ is init.kaiming_normal_


def test_reinitialising_a_layer() -> None:
    layer = nn.Linear(300, 200, rng=0)
    init.kaiming_normal_(layer.weight, nonlinearity="relu", rng=0)
    init.zeros_(layer.bias)
    assert layer.weight.data.std() == pytest.approx(math.sqrt(2 / 300), rel=0.03)
    assert not np.any(layer.bias.data)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: init.xavier_uniform_(_param((5,))), ValueError, "at least 2 dimensions"),
        (lambda: init.kaiming_uniform_(_param(), mode="fan"), ValueError, "mode"),
        (lambda: init.kaiming_normal_(_param(), nonlinearity="gelu"), ValueError, "gelu"),
        (lambda: init.uniform_(_param(), a=1.0, b=0.0), ValueError, "a <= b"),
        (lambda: init.normal_(_param(), std=-1.0), ValueError, "std"),
        (lambda: init.zeros_(np.zeros(3)), TypeError, "Tensor"),
        (lambda: init.uniform_(_param(), rng=1.5), TypeError, "rng"),
    ],
)
def test_bad_arguments(call, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        call()
