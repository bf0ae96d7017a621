"""nnlab.nn.ConvTranspose1d/2d against torch.nn's modules: same weights, same outputs and
gradients; PyTorch's initialisation, output_size and errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import nnlab
from nnlab import nn


def _compare(ours: nn.Module, theirs: torch.nn.Module, shape: tuple[int, ...], **call) -> None:
    """torch's weights into ours; forward and backward of Σ r ⊙ y in both; compare y, dx and
    every parameter gradient."""
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    xo, xt = nnlab.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yo, yt = ours(xo, **call), theirs(xt, **call)
    np.testing.assert_allclose(yo.data, yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    proj = rng.standard_normal(yo.shape)
    (yo * nnlab.tensor(proj)).sum().backward()
    (yt * torch.tensor(proj)).sum().backward()
    np.testing.assert_allclose(xo.grad, xt.grad.numpy(), rtol=1e-9, atol=1e-11)
    grads = {name: p.grad for name, p in ours.named_parameters()}
    assert grads.keys() == dict(theirs.named_parameters()).keys()
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(grads[name], p.grad.numpy(), rtol=1e-9, atol=1e-11, err_msg=name)


CONV_T2D = [
    dict(in_channels=3, out_channels=4, kernel_size=3),
    dict(in_channels=4, out_channels=6, kernel_size=(3, 2), stride=2, padding=1, groups=2),
    dict(in_channels=4, out_channels=2, kernel_size=4, stride=2, padding=1, output_padding=1),
    dict(in_channels=2, out_channels=3, kernel_size=3, dilation=(2, 1), bias=False),
    dict(
        in_channels=6, out_channels=3, kernel_size=2, stride=(3, 1), output_padding=(2, 0), groups=3
    ),
]


@pytest.mark.parametrize("kwargs", CONV_T2D)
def test_conv_transpose2d_module_matches_torch(kwargs):
    torch.manual_seed(0)
    theirs = torch.nn.ConvTranspose2d(**kwargs).double()
    ours = nn.ConvTranspose2d(**kwargs, dtype=np.float64)
    _compare(ours, theirs, (2, kwargs["in_channels"], 5, 4))


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(in_channels=3, out_channels=4, kernel_size=3),
        dict(in_channels=4, out_channels=4, kernel_size=2, stride=2, padding=1, groups=4),
        dict(in_channels=2, out_channels=3, kernel_size=4, stride=3, output_padding=2, dilation=2),
    ],
)
def test_conv_transpose1d_module_matches_torch(kwargs):
    torch.manual_seed(0)
    theirs = torch.nn.ConvTranspose1d(**kwargs).double()
    ours = nn.ConvTranspose1d(**kwargs, dtype=np.float64)
    _compare(ours, theirs, (3, kwargs["in_channels"], 7))


@pytest.mark.parametrize("size", [(9, 10), (10, 9), (2, 3, 10, 10)])
def test_output_size_picks_the_output_padding_as_torch(size):
    torch.manual_seed(0)
    kwargs = dict(in_channels=3, out_channels=2, kernel_size=3, stride=2, padding=1)
    theirs = torch.nn.ConvTranspose2d(**kwargs).double()
    ours = nn.ConvTranspose2d(**kwargs, dtype=np.float64)
    _compare(ours, theirs, (2, 3, 5, 5), output_size=size)


def test_init_is_torchs_kaiming_uniform_with_fan_in_from_out_channels():
    conv = nn.ConvTranspose2d(16, 32, 3, groups=2, rng=0)
    bound = 1 / math.sqrt(16 * 9)  # out_channels/groups · kh · kw, as torch computes it
    w, b = conv.weight.data, conv.bias.data  # type: ignore[union-attr]
    assert w.shape == (16, 16, 3, 3) and w.dtype == np.float32 and b.shape == (32,)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert w.std() == pytest.approx(bound / math.sqrt(3), rel=0.05)
    assert np.abs(b).max() <= bound
    torch_w = torch.nn.ConvTranspose2d(16, 32, 3, groups=2).weight
    assert tuple(torch_w.shape) == w.shape
    assert float(torch_w.detach().abs().max()) <= bound


def test_repr_names_the_options():
    text = repr(nn.ConvTranspose2d(2, 3, 3, stride=2, output_padding=1, bias=False))
    assert (
        "output_padding=(1, 1)" in text
        and "bias=False" in text
        and "padding=" not in text.replace("output_padding", "")
    )


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: nn.ConvTranspose2d(3, 4, 3, groups=2), r"groups=2 must be a positive int"),
        (lambda: nn.ConvTranspose2d(2, 2, 3, stride=2, output_padding=2),
         r"output_padding \(2, 2\) must be smaller than either stride \(2, 2\) or dilation"),
        (lambda: nn.ConvTranspose2d(2, 2, 3, padding="same"), r"padding must be an int >= 0"),
        (lambda: nn.ConvTranspose2d(2, 2, 3, padding_mode="reflect"), r"padding_mode='zeros'"),
        (lambda: nn.ConvTranspose1d(0, 2, 3), r"in_channels must be a positive int"),
        (lambda: nn.ConvTranspose2d(2, 2, 3, stride=2)(np.ones((1, 2, 3, 3)), output_size=(9, 9)),
         r"output_size \(9, 9\) is not reachable .* axis 0 must be in \[7, 8\]"),
    ],
)  # fmt: skip
def test_errors_name_the_problem(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_a_float32_module_trains_a_step():
    layer = nn.ConvTranspose2d(2, 1, 2, stride=2, rng=0)
    x = nnlab.tensor(np.ones((1, 2, 3, 3), np.float32))
    y = layer(x)
    assert y.shape == (1, 1, 6, 6) and y.dtype == np.float32
    y.sum().backward()
    assert layer.weight.grad is not None and layer.weight.grad.dtype == np.float32
    np.testing.assert_allclose(layer.weight.grad, np.full((2, 1, 2, 2), 9.0))


def test_functional_has_torchs_signature():
    from nnlab.nn import functional as F

    rng = np.random.default_rng(4)
    x, w, b = rng.standard_normal((2, 4, 3, 3)), rng.standard_normal((4, 3, 2, 2)), np.ones(6)
    theirs = torch.nn.functional.conv_transpose2d(
        torch.tensor(x), torch.tensor(w), torch.tensor(b), 2, 1, 1, 2, 1
    )
    ours = F.conv_transpose2d(x, w, b, 2, 1, 1, 2, 1)
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-12)
    seq = F.conv_transpose1d(x[:, :, 0], w[:, :, 0], None, stride=3)
    ref = torch.nn.functional.conv_transpose1d(
        torch.tensor(x[:, :, 0]), torch.tensor(w[:, :, 0]), stride=3
    )
    np.testing.assert_allclose(seq.data, ref.numpy(), rtol=1e-12)
