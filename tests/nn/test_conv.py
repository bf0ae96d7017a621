"""nnlab.nn's convolution, pooling, normalization and shape layers against torch.nn's modules:
same weights, same outputs and gradients, in train and eval modes."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import nnlab
from nnlab import nn


def _copy_weights(ours: nn.Module, theirs: torch.nn.Module) -> None:
    """torch's parameters and buffers into ours, by name (as float64)."""
    state = {k: v.detach().numpy() for k, v in theirs.state_dict().items()}
    ours.load_state_dict(state)


def _compare(ours: nn.Module, theirs: torch.nn.Module, shape: tuple[int, ...], seed: int = 0):
    """Forward and backward of Σ r ⊙ y in both; compare y, dx and every parameter gradient."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    xo = nnlab.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    yo, yt = ours(xo), theirs(xt)
    np.testing.assert_allclose(yo.data, yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    proj = rng.standard_normal(yo.shape)
    (yo * nnlab.tensor(proj)).sum().backward()
    (yt * torch.tensor(proj)).sum().backward()
    np.testing.assert_allclose(xo.grad, xt.grad.numpy(), rtol=1e-9, atol=1e-11)
    grads = {name: p.grad for name, p in ours.named_parameters()}
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(grads[name], p.grad.numpy(), rtol=1e-9, atol=1e-11, err_msg=name)


CONV2D = [
    dict(in_channels=3, out_channels=4, kernel_size=3),
    dict(in_channels=4, out_channels=6, kernel_size=(3, 2), stride=2, padding=1, groups=2),
    dict(in_channels=4, out_channels=8, kernel_size=3, padding="same", dilation=2, groups=4),
    dict(in_channels=2, out_channels=3, kernel_size=2, bias=False, padding="valid"),
]


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("kwargs", CONV2D)
def test_conv2d_module_matches_torch(kwargs):
    torch.manual_seed(0)
    theirs = torch.nn.Conv2d(**kwargs).double()
    ours = nn.Conv2d(**kwargs, dtype=np.float64)
    _copy_weights(ours, theirs)
    _compare(ours, theirs, (2, kwargs["in_channels"], 9, 8))


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize(
    "kwargs",
    [
        dict(in_channels=3, out_channels=4, kernel_size=3),
        dict(in_channels=4, out_channels=4, kernel_size=2, stride=2, padding=1, groups=4),
        dict(in_channels=2, out_channels=3, kernel_size=4, padding="same", dilation=2),
    ],
)
def test_conv1d_module_matches_torch(kwargs):
    torch.manual_seed(0)
    theirs = torch.nn.Conv1d(**kwargs).double()
    ours = nn.Conv1d(**kwargs, dtype=np.float64)
    _copy_weights(ours, theirs)
    _compare(ours, theirs, (3, kwargs["in_channels"], 11))


def test_conv_init_is_torchs_kaiming_uniform_with_a_sqrt5():
    conv = nn.Conv2d(16, 32, 3, rng=0)
    bound = 1 / math.sqrt(16 * 9)
    w, b = conv.weight.data, conv.bias.data  # type: ignore[union-attr]
    assert w.shape == (32, 16, 3, 3) and w.dtype == np.float32 and b.shape == (32,)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert w.std() == pytest.approx(bound / math.sqrt(3), rel=0.05)
    assert np.abs(b).max() <= bound
    grouped = nn.Conv2d(8, 4, (3, 5), groups=2, rng=0)
    assert np.abs(grouped.weight.data).max() <= 1 / math.sqrt(4 * 15)
    assert (
        nn.Conv2d(1, 2, 3, rng=5).weight.data.tolist()
        == nn.Conv2d(1, 2, 3, rng=5).weight.data.tolist()
    )


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda: nn.Conv2d(3, 4, 3, groups=2), r"groups=2 must be .* dividing in_channels=3"),
        (lambda: nn.Conv2d(4, 6, 3, groups=4), r"Conv2d: groups=4 must divide out_channels=6"),
        (lambda: nn.Conv2d(3, 4, 0), r"Conv2d: kernel_size must be an int >= 1"),
        (lambda: nn.Conv2d(3, 4, 3, stride=2, padding="same"), r"not supported for strided"),
        (lambda: nn.Conv2d(3, 4, 3, padding_mode="reflect"), r"only padding_mode='zeros'"),
        (lambda: nn.Conv1d(3, 4, (3, 3)), r"Conv1d: kernel_size must be an int >= 1 or 1 of them"),
        (lambda: nn.Conv2d(0, 4, 3), r"Conv2d: in_channels must be a positive int, got 0"),
        (lambda: nn.BatchNorm2d(0), r"num_features must be a positive int"),
        (lambda: nn.AdaptiveAvgPool2d(0), r"output_size must be an int >= 1"),
        (lambda: nn.Dropout2d(1.5), r"Dropout2d: p"),
    ],
)  # fmt: skip
def test_constructor_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_conv2d_forward_errors_name_the_shapes():
    conv = nn.Conv2d(1, 4, 3)
    with pytest.raises(ValueError, match=r"input must be 4-D \(N, C, H, W\), got shape \(28, 28\)"):
        conv(np.ones((28, 28), np.float32))
    with pytest.raises(ValueError, match="input has 3 channels but the weight expects 1"):
        conv(np.ones((2, 3, 28, 28), np.float32))


@pytest.mark.parametrize(
    "ours,theirs",
    [
        (nn.MaxPool2d(2), torch.nn.MaxPool2d(2)),
        (nn.MaxPool2d(3, 2, 1), torch.nn.MaxPool2d(3, 2, 1)),
        (nn.AvgPool2d(2), torch.nn.AvgPool2d(2)),
        (nn.AvgPool2d(3, 1, 1, count_include_pad=False),
         torch.nn.AvgPool2d(3, 1, 1, count_include_pad=False)),
        (nn.AdaptiveAvgPool2d((1, 1)), torch.nn.AdaptiveAvgPool2d((1, 1))),
        (nn.AdaptiveAvgPool2d(1), torch.nn.AdaptiveAvgPool2d(1)),
        (nn.AdaptiveAvgPool2d((4, 2)), torch.nn.AdaptiveAvgPool2d((4, 2))),
        (nn.Flatten(), torch.nn.Flatten()),
        (nn.Flatten(2), torch.nn.Flatten(2)),
        (nn.Flatten(0, 1), torch.nn.Flatten(0, 1)),
    ],
)  # fmt: skip
def test_parameter_free_layers_match_torch(ours, theirs):
    _compare(ours, theirs, (2, 3, 8, 6))


def test_adaptive_avg_pool_needs_a_dividing_output_size():
    with pytest.raises(ValueError, match=r"output_size \(3, 3\) must divide"):
        nn.AdaptiveAvgPool2d(3)(np.ones((1, 1, 8, 8)))


@pytest.mark.parametrize(
    "cls,ours_cls,shape",
    [
        (torch.nn.BatchNorm1d, nn.BatchNorm1d, (8, 3)),
        (torch.nn.BatchNorm1d, nn.BatchNorm1d, (4, 3, 5)),
        (torch.nn.BatchNorm2d, nn.BatchNorm2d, (4, 3, 5, 2)),
    ],
)
@pytest.mark.parametrize(
    "kwargs", [{}, dict(momentum=0.3, eps=1e-3), dict(affine=False), dict(momentum=None)]
)
def test_batch_norm_modules_match_torch_in_train_and_eval(cls, ours_cls, shape, kwargs):
    theirs = cls(3, **kwargs).double()
    ours = ours_cls(3, **kwargs, dtype=np.float64)
    if theirs.affine:
        with torch.no_grad():
            theirs.weight.uniform_(0.5, 1.5)
            theirs.bias.uniform_(-0.5, 0.5)
    _copy_weights(ours, theirs)
    for step in range(3):  # training: batch statistics, running ones updated each step
        _compare(ours, theirs, shape, seed=step)
        for name, value in theirs.state_dict().items():
            np.testing.assert_allclose(ours.state_dict()[name], value.numpy(), rtol=1e-12)
    ours.eval(), theirs.eval()
    _compare(ours, theirs, shape, seed=7)


def test_batch_norm_without_running_stats_uses_the_batch_in_eval():
    theirs = torch.nn.BatchNorm2d(3, track_running_stats=False).double().eval()
    ours = nn.BatchNorm2d(3, track_running_stats=False, dtype=np.float64).eval()
    assert ours.state_dict().keys() == theirs.state_dict().keys()
    _compare(ours, theirs, (4, 3, 2, 2))


def test_batch_norm_buffers_are_state_not_parameters():
    bn = nn.BatchNorm2d(4)
    assert [n for n, _ in bn.named_parameters()] == ["weight", "bias"]
    assert list(bn.state_dict()) == list(torch.nn.BatchNorm2d(4).state_dict())
    bn(np.random.default_rng(0).standard_normal((8, 4, 3, 3)).astype(np.float32))
    saved = bn.state_dict()
    assert saved["num_batches_tracked"] == 1 and saved["running_mean"].dtype == np.float32
    fresh = nn.Sequential(nn.BatchNorm2d(4))
    fresh.load_state_dict({f"0.{k}": v for k, v in saved.items()})
    np.testing.assert_array_equal(fresh[0].running_var, bn.running_var)
    with pytest.raises(KeyError, match="missing keys"):
        fresh.load_state_dict({"0.weight": saved["weight"], "0.bias": saved["bias"]})


def test_batch_norm_input_errors():
    with pytest.raises(
        ValueError, match=r"BatchNorm2d: input must be 4-D \(N, C, H, W\), got shape \(4, 3\)"
    ):
        nn.BatchNorm2d(3)(np.ones((4, 3), np.float32))
    with pytest.raises(ValueError, match="input has 2 channels .* num_features is 3"):
        nn.BatchNorm1d(3)(np.ones((4, 2), np.float32))


@pytest.mark.parametrize(
    "kwargs", [{}, dict(elementwise_affine=False), dict(bias=False), dict(eps=1e-3)]
)
@pytest.mark.parametrize("normalized,shape", [(5, (3, 5)), ((4, 5), (2, 3, 4, 5))])
def test_layer_norm_module_matches_torch(kwargs, normalized, shape):
    theirs = torch.nn.LayerNorm(normalized, **kwargs).double()
    if theirs.weight is not None:
        with torch.no_grad():
            theirs.weight.uniform_(0.5, 1.5)
    ours = nn.LayerNorm(normalized, **kwargs, dtype=np.float64)
    _copy_weights(ours, theirs)
    _compare(ours, theirs, shape)


def test_dropout2d_module_train_and_eval():
    layer = nn.Dropout2d(0.5, rng=0)
    x = np.ones((4, 8, 3, 3), np.float32)
    y = layer(x).data
    assert np.all(y.min(axis=(2, 3)) == y.max(axis=(2, 3))) and 0 < (y == 0).mean() < 1
    layer.eval()
    np.testing.assert_array_equal(layer(x).data, x)
    assert repr(layer) == "Dropout2d(p=0.5)"


def test_a_small_convnet_matches_torch_end_to_end():
    """The MNIST convnet's shape (conv-relu-pool twice, flatten, dropout off, linear) on 12×12
    inputs: loss and every gradient as torch's from the same weights."""
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(4, 6, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Dropout(0.5), torch.nn.Linear(6, 10),
    ).double().eval()  # fmt: skip
    ours = nn.Sequential(
        nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 6, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.5), nn.Linear(6, 10),
    )  # fmt: skip
    for p in ours.parameters():
        p.data = p.data.astype(np.float64)
    _copy_weights(ours, theirs)
    ours.eval()
    rng = np.random.default_rng(0)
    x, t = rng.standard_normal((5, 1, 12, 12)), rng.integers(0, 10, 5)
    loss = nn.functional.cross_entropy(ours(x), t)
    ref = torch.nn.functional.cross_entropy(theirs(torch.tensor(x)), torch.tensor(t))
    loss.backward()
    ref.backward()
    assert loss.item() == pytest.approx(ref.item(), rel=1e-12)
    grads = dict(ours.named_parameters())
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(grads[name].grad, p.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_reprs():
    assert repr(nn.Conv2d(1, 32, 3)) == "Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1))"
    assert "groups=2, bias=False" in repr(nn.Conv1d(2, 4, 3, groups=2, bias=False))
    assert repr(nn.MaxPool2d(2)) == "MaxPool2d(kernel_size=2, stride=2, padding=0)"
    assert repr(nn.BatchNorm2d(3)).startswith("BatchNorm2d(3, eps=1e-05, momentum=0.1")
    assert repr(nn.LayerNorm(4)) == "LayerNorm((4,), eps=1e-05, elementwise_affine=True)"
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"
