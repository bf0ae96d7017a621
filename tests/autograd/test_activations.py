"""The activations, sign and pad: value and gradient against PyTorch (float64), on random inputs
and at the points where PyTorch picks a convention (kinks, thresholds, ±inf, nan)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import nnlab
from nnlab import autograd as ag
from nnlab.autograd import gradcheck

from .oracle import check_op

# (name, PyTorch, nnlab)
ACTIVATIONS = [
    ("leaky_relu", TF.leaky_relu, ag.leaky_relu),
    ("leaky_relu_0.2", lambda x: TF.leaky_relu(x, 0.2), lambda x: ag.leaky_relu(x, 0.2)),
    ("elu", TF.elu, ag.elu),
    ("elu_0.5", lambda x: TF.elu(x, 0.5), lambda x: ag.elu(x, 0.5)),
    ("selu", TF.selu, ag.selu),
    ("gelu", TF.gelu, ag.gelu),
    ("gelu_tanh", lambda x: TF.gelu(x, approximate="tanh"), lambda x: ag.gelu(x, "tanh")),
    ("silu", TF.silu, ag.silu),
    ("softplus", TF.softplus, ag.softplus),
    ("softplus_beta", lambda x: TF.softplus(x, 2.0, 3.0), lambda x: ag.softplus(x, 2.0, 3.0)),
    ("softsign", TF.softsign, ag.softsign),
    ("relu6", TF.relu6, ag.relu6),
    ("hardswish", TF.hardswish, ag.hardswish),
    ("hard_sigmoid", TF.hardsigmoid, ag.hard_sigmoid),
    ("mish", TF.mish, ag.mish),
    ("sign", torch.sign, ag.sign),
    ("relu", torch.relu, ag.relu),
]
IDS = [a[0] for a in ACTIVATIONS]

# PyTorch's float64 hardsigmoid backward multiplies by the float32 constant 1/6 (relative error
# 3e-8); nnlab uses the exact 1/6, so that one gradient is compared at a looser tolerance
GRAD_RTOL = {"hard_sigmoid": 1e-7}

EDGES = np.array(
    [-np.inf, -30.0, -3.0, -1.0, -0.0, 0.0, 1e-3, 1.5, 3.0, 6.0, 10.0, 25.0, np.inf, np.nan]
)


@pytest.mark.parametrize("name,tfn,nfn", ACTIVATIONS, ids=IDS)
@pytest.mark.parametrize("shape", [(), (7,), (3, 4)])
def test_activation_matches_torch(name, tfn, nfn, shape):
    check_op([shape], tfn, nfn, grad_rtol=GRAD_RTOL.get(name, 1e-9))


@pytest.mark.parametrize("name,tfn,nfn", ACTIVATIONS, ids=IDS)
def test_activation_at_kinks_thresholds_and_non_finite_points(name, tfn, nfn):
    points = EDGES
    if name == "softsign":
        # d/dx x/(1+|x|) = 1/(1+|x|)² is 0 at ±inf; PyTorch differentiates the quotient and
        # gets inf/inf = nan there. nnlab keeps the limit.
        points = EDGES[np.isfinite(EDGES) | np.isnan(EDGES)]
    with np.errstate(invalid="ignore", over="ignore"):
        check_op([], tfn, nfn, arrays=[points], grad_rtol=GRAD_RTOL.get(name, 1e-9))


@pytest.mark.parametrize("name,tfn,nfn", ACTIVATIONS, ids=IDS)
def test_activation_keeps_float32(name, tfn, nfn):
    x = nnlab.tensor(np.linspace(-4, 4, 9, dtype=np.float32), requires_grad=True)
    y = nfn(x)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32
    expected = tfn(torch.tensor(x.data)).numpy()
    np.testing.assert_allclose(y.data, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "fn",
    [ag.leaky_relu, ag.elu, ag.selu, ag.gelu, lambda x: ag.gelu(x, "tanh"), ag.silu],
)
def test_activation_gradients_without_torch(fn):
    x = np.random.default_rng(0).standard_normal((3, 4)) + 0.05
    assert gradcheck(fn, x)


@pytest.mark.parametrize("fn", [ag.softplus, ag.softsign, ag.hardswish, ag.mish, ag.relu6])
def test_more_activation_gradients_without_torch(fn):
    # away from the kinks (0, ±3, 6), where a central difference straddles two branches
    x = np.array([[-4.2, -2.1, -0.7], [0.4, 1.9, 4.6]])
    assert gradcheck(fn, x)


def test_swish_is_silu_and_gelu_rejects_an_unknown_approximation():
    assert ag.swish is ag.silu
    with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh'"):
        ag.gelu(nnlab.tensor([1.0]), approximate="fast")
    with pytest.raises(ValueError, match="beta must be > 0"):
        ag.softplus(nnlab.tensor([1.0]), beta=0.0)


def test_sign_has_a_zero_gradient():
    x = nnlab.tensor(np.array([-2.0, 0.0, 3.0]), requires_grad=True)
    y = ag.sign(x) * x  # |x|, through sign's zero gradient: d/dx = sign(x) only
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [-1.0, 0.0, 1.0])


@pytest.mark.parametrize(
    "shape,widths",
    [
        ((3,), ((1, 2),)),
        ((2, 3), ((0, 0), (1, 1))),
        ((2, 3), ((2, 0), (0, 3))),
        ((2, 3, 4), ((1, 0), (0, 0), (2, 1))),
        ((), ()),
    ],
)
def test_pad_matches_torch(shape, widths):
    flat = [w for pair in reversed(widths) for w in pair]  # PyTorch: last axis first
    check_op([shape], lambda t: TF.pad(t, flat), lambda t: ag.pad(t, widths))
    check_op([shape], lambda t: TF.pad(t, flat, value=1.5), lambda t: ag.pad(t, widths, 1.5))


def test_pad_keeps_the_dtype_and_rejects_bad_widths():
    x = nnlab.tensor(np.ones((2, 3), np.float32))
    assert ag.pad(x, ((1, 1), (0, 0))).dtype == np.float32
    for bad in (((1, 1), (0, -1)), ((1, 2, 3), (0, 0)), ((1, 1),) * 3, -1, "1"):
        with pytest.raises(ValueError, match=r"pad: pad_width must hold 2 \(before, after\)"):
            ag.pad(x, bad)


@pytest.mark.parametrize("width", [2, (1, 2), ((0, 3),), [[1, 0]]])
def test_pad_takes_numpys_shorthands(width):
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(ag.pad(nnlab.tensor(x), width).data, np.pad(x, width))
