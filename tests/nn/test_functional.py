"""Losses of nnlab.nn.functional: value and input gradient vs torch.nn.functional, in float64."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import nnlab
import nnlab.nn.functional as F

rng = np.random.default_rng(0)
N, K = 6, 4
LOGITS = rng.normal(size=(N, K)) * 3
LABELS = rng.integers(0, K, size=N)
PROBS_TARGET = np.exp(rng.normal(size=(N, K)))
PROBS_TARGET /= PROBS_TARGET.sum(axis=1, keepdims=True)
LOG_PROBS = LOGITS - np.log(np.exp(LOGITS).sum(axis=1, keepdims=True))
P = 1 / (1 + np.exp(-LOGITS))
Y01 = rng.random((N, K))
REG_TARGET = rng.normal(size=(N, K))


def _compare(
    ours: Callable[..., nnlab.Tensor],
    theirs: Callable[..., torch.Tensor],
    x: np.ndarray,
    target: np.ndarray,
    **kwargs: object,
) -> None:
    xt = nnlab.tensor(x.copy(), requires_grad=True)
    out = ours(xt, target, **kwargs)
    xr = torch.tensor(x.copy(), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns about kl_div's "mean"
        ref = theirs(xr, torch.from_numpy(target), **kwargs)
    assert out.dtype == np.float64
    assert out.shape == tuple(ref.shape)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-10, atol=1e-12)
    proj = np.random.default_rng(1).normal(size=out.shape)
    (out * nnlab.tensor(proj)).sum().backward()
    (ref * torch.from_numpy(proj)).sum().backward()
    assert xt.grad is not None and xr.grad is not None
    np.testing.assert_allclose(xt.grad, xr.grad.numpy(), rtol=1e-9, atol=1e-12)


CASES = [
    ("mse", F.mse_loss, TF.mse_loss, LOGITS, REG_TARGET),
    ("l1", F.l1_loss, TF.l1_loss, LOGITS, REG_TARGET),
    ("bce", F.binary_cross_entropy, TF.binary_cross_entropy, P, Y01),
    ("bce_hard", F.binary_cross_entropy, TF.binary_cross_entropy, P, (Y01 > 0.5) * 1.0),
    (
        "bce_logits",
        F.binary_cross_entropy_with_logits,
        TF.binary_cross_entropy_with_logits,
        LOGITS,
        Y01,
    ),
    ("ce_index", F.cross_entropy, TF.cross_entropy, LOGITS, LABELS),
    ("ce_onehot", F.cross_entropy, TF.cross_entropy, LOGITS, np.eye(K)[LABELS]),
    ("ce_probs", F.cross_entropy, TF.cross_entropy, LOGITS, PROBS_TARGET),
    ("nll", F.nll_loss, TF.nll_loss, LOG_PROBS, LABELS),
    ("kl", F.kl_div, TF.kl_div, LOG_PROBS, PROBS_TARGET),
    ("kl_zeros", F.kl_div, TF.kl_div, LOG_PROBS, np.eye(K)[LABELS]),
]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(
    ("name", "ours", "theirs", "x", "target"), CASES, ids=[c[0] for c in CASES]
)
def test_loss_matches_torch(name, ours, theirs, x, target, reduction: str) -> None:
    _compare(ours, theirs, x, target, reduction=reduction)


@pytest.mark.parametrize("reduction", ["batchmean", "sum", "none", "mean"])
def test_kl_div_log_target(reduction: str) -> None:
    _compare(
        F.kl_div, TF.kl_div, LOG_PROBS, np.log(PROBS_TARGET), reduction=reduction, log_target=True
    )


def test_kl_div_batchmean_is_the_mean_kl_per_sample() -> None:
    _compare(F.kl_div, TF.kl_div, LOG_PROBS, PROBS_TARGET, reduction="batchmean")
    kl = F.kl_div(nnlab.tensor(LOG_PROBS), PROBS_TARGET, reduction="batchmean").item()
    by_hand = np.mean(np.sum(PROBS_TARGET * (np.log(PROBS_TARGET) - LOG_PROBS), axis=1))
    assert kl == pytest.approx(by_hand, rel=1e-12)


def test_mse_gradient_reaches_a_target_tensor() -> None:
    x, t = (
        nnlab.tensor(LOGITS.copy(), requires_grad=True),
        nnlab.tensor(REG_TARGET.copy(), requires_grad=True),
    )
    F.mse_loss(x, t).backward()
    xr = torch.tensor(LOGITS.copy(), requires_grad=True)
    tr = torch.tensor(REG_TARGET.copy(), requires_grad=True)
    TF.mse_loss(xr, tr).backward()
    np.testing.assert_allclose(t.grad, tr.grad.numpy(), rtol=1e-12)


def test_kl_div_gradient_reaches_a_target_tensor() -> None:
    t = nnlab.tensor(PROBS_TARGET.copy(), requires_grad=True)
    F.kl_div(nnlab.tensor(LOG_PROBS), t, reduction="batchmean").backward()
    tr = torch.tensor(PROBS_TARGET.copy(), requires_grad=True)
    TF.kl_div(torch.from_numpy(LOG_PROBS), tr, reduction="batchmean").backward()
    np.testing.assert_allclose(t.grad, tr.grad.numpy(), rtol=1e-10)


def test_extreme_logits_stay_finite() -> None:
    z = np.array([[1000.0, -1000.0, 0.0], [-800.0, 800.0, 5.0]])
    x = nnlab.tensor(z, requires_grad=True)
    loss = F.cross_entropy(x, np.array([1, 0]))
    loss.backward()
    assert np.isfinite(loss.item()) and np.all(np.isfinite(x.grad))
    assert loss.item() == pytest.approx(
        TF.cross_entropy(torch.from_numpy(z), torch.tensor([1, 0])).item()
    )
    b = nnlab.tensor(z, requires_grad=True)
    bl = F.binary_cross_entropy_with_logits(b, np.ones_like(z))
    bl.backward()
    assert np.isfinite(bl.item()) and np.all(np.isfinite(b.grad))


def test_bce_clamps_log_at_minus_100() -> None:
    p = np.array([0.0, 1.0, 0.5])
    y = np.array([1.0, 0.0, 1.0])
    x = nnlab.tensor(p, requires_grad=True)
    loss = F.binary_cross_entropy(x, y, reduction="none")
    ref = TF.binary_cross_entropy(torch.from_numpy(p), torch.from_numpy(y), reduction="none")
    np.testing.assert_allclose(loss.data, ref.numpy())
    np.testing.assert_allclose(loss.data[:2], [100.0, 100.0])
    loss.sum().backward()
    assert np.all(np.isfinite(x.grad))


def test_float32_losses_stay_float32() -> None:
    x = nnlab.tensor(LOGITS.astype(np.float32), requires_grad=True)
    for loss in (
        F.cross_entropy(x, LABELS),
        F.mse_loss(x, REG_TARGET),  # a float64 target does not upcast
        F.binary_cross_entropy_with_logits(x, Y01),
        F.kl_div(x.log_softmax(), PROBS_TARGET, reduction="batchmean"),
    ):
        assert loss.dtype == np.float32


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda: F.mse_loss(LOGITS, REG_TARGET[:3]),
            r"target shape \(3, 4\) differs from input shape \(6, 4\)",
        ),
        (lambda: F.l1_loss(LOGITS, REG_TARGET, reduction="avg"), "reduction must be one of"),
        (lambda: F.binary_cross_entropy(LOGITS, Y01), r"probabilities in \[0, 1\]"),
        (lambda: F.binary_cross_entropy(P, Y01.T), "target shape"),
        (lambda: F.binary_cross_entropy_with_logits(LOGITS, Y01[:, :2]), "target shape"),
        (lambda: F.cross_entropy(LOGITS, LABELS[:4]), "cross_entropy"),
        (lambda: F.cross_entropy(LOGITS, LABELS + K), r"class indices must lie in \[0, 3\]"),
        (lambda: F.cross_entropy(LOGITS[0], LABELS), "2-D"),
        (lambda: F.nll_loss(LOG_PROBS, LABELS.astype(float)), "integer class indices"),
        (lambda: F.nll_loss(LOG_PROBS, LABELS * 0 - 1), "class indices must lie"),
        (lambda: F.nll_loss(LOG_PROBS[0], LABELS), "2-D"),
        (lambda: F.kl_div(LOG_PROBS, PROBS_TARGET[:2]), "target shape"),
        (lambda: F.kl_div(LOG_PROBS, PROBS_TARGET, reduction="avg"), "batchmean"),
    ],
)
def test_bad_input_errors(call, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call()


def test_integer_input_is_rejected() -> None:
    with pytest.raises(TypeError, match="floating point"):
        F.mse_loss(np.array([1, 2]), np.array([1, 2]))


def test_activations_are_reexported() -> None:
    z = nnlab.tensor(LOGITS)
    np.testing.assert_allclose(F.relu(z).data, np.maximum(LOGITS, 0))
    np.testing.assert_allclose(F.softmax(z).data.sum(axis=1), 1.0)
    np.testing.assert_allclose(F.log_softmax(z).data, LOG_PROBS, atol=1e-12)
    np.testing.assert_allclose(F.tanh(z).data, np.tanh(LOGITS))
    np.testing.assert_allclose(F.sigmoid(z).data, P)


# the activations under PyTorch's names and defaults; their edge cases are in tests/autograd
TORCH_ACTIVATIONS = [
    "leaky_relu",
    "elu",
    "selu",
    "gelu",
    "silu",
    "softplus",
    "softsign",
    "relu6",
    "hardswish",
    "hardsigmoid",
    "mish",
]


@pytest.mark.parametrize("name", TORCH_ACTIVATIONS)
def test_activation_matches_torch_functional(name: str) -> None:
    x = nnlab.tensor(LOGITS.copy(), requires_grad=True)
    xr = torch.tensor(LOGITS.copy(), requires_grad=True)
    out, ref = getattr(F, name)(x), getattr(TF, name)(xr)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-10, atol=1e-12)
    out.sum().backward()
    ref.sum().backward()
    np.testing.assert_allclose(x.grad, xr.grad.numpy(), rtol=1e-7, atol=1e-12)


@pytest.mark.parametrize("widths", [(1, 2), (0, 0, 2, 1), (1, 0, 0, 3)])
def test_pad_takes_torch_order(widths: tuple[int, ...]) -> None:
    x = nnlab.tensor(LOGITS.copy(), requires_grad=True)
    xr = torch.tensor(LOGITS.copy(), requires_grad=True)
    out, ref = F.pad(x, widths, value=-1.0), TF.pad(xr, widths, value=-1.0)
    np.testing.assert_array_equal(out.data, ref.detach().numpy())
    proj = np.random.default_rng(2).normal(size=out.shape)
    (out * nnlab.tensor(proj)).sum().backward()
    (ref * torch.from_numpy(proj)).sum().backward()
    np.testing.assert_array_equal(x.grad, xr.grad.numpy())


def test_pad_errors() -> None:
    x = nnlab.tensor(LOGITS)
    with pytest.raises(ValueError, match=r"an even number of widths, at most 4 .* got \(1, 2, 3\)"):
        F.pad(x, (1, 2, 3))
    with pytest.raises(ValueError, match="only mode='constant'"):
        F.pad(x, (1, 1), mode="reflect")
