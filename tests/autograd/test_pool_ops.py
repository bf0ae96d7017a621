"""Pooling ops and channel dropout: value and gradient against PyTorch (float64) in both
layouts, ties, central differences, and the errors a user sees."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import nnlab
from nnlab.autograd import (
    avg_pool2d,
    dropout2d,
    global_avg_pool2d,
    global_max_pool2d,
    gradcheck,
    max_pool2d,
)

from .oracle import check_op

POOL_CASES = [(2, None, 0), (3, 2, 1), ((3, 2), (1, 2), (1, 0)), (2, 1, 0), (3, 3, 1), (1, 2, 0)]


@pytest.mark.parametrize("k,s,p", POOL_CASES)
@pytest.mark.parametrize("shape", [(2, 3, 7, 8), (1, 2, 6, 6)])
def test_max_pool2d_matches_torch(k, s, p, shape):
    check_op(
        shape and [shape], lambda x: TF.max_pool2d(x, k, s, p), lambda x: max_pool2d(x, k, s, p)
    )
    nhwc = (shape[0], shape[2], shape[3], shape[1])
    check_op(
        [nhwc],
        lambda x: TF.max_pool2d(x.permute(0, 3, 1, 2), k, s, p).permute(0, 2, 3, 1),
        lambda x: max_pool2d(x, k, s, p, data_format="channels_last"),
    )


@pytest.mark.parametrize("k,s,p", POOL_CASES)
@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool2d_matches_torch(k, s, p, count_include_pad):
    check_op(
        [(2, 3, 7, 8)],
        lambda x: TF.avg_pool2d(x, k, s, p, count_include_pad=count_include_pad),
        lambda x: avg_pool2d(x, k, s, p, count_include_pad),
    )
    check_op(
        [(2, 7, 8, 3)],
        lambda x: TF.avg_pool2d(
            x.permute(0, 3, 1, 2), k, s, p, count_include_pad=count_include_pad
        ).permute(0, 2, 3, 1),
        lambda x: avg_pool2d(x, k, s, p, count_include_pad, data_format="channels_last"),
    )


def test_max_pool2d_ties_send_the_gradient_to_the_first_maximum():
    x = nnlab.tensor(np.ones((1, 1, 2, 2)), requires_grad=True)
    max_pool2d(x, 2).sum().backward()
    xt = torch.ones((1, 1, 2, 2), dtype=torch.float64, requires_grad=True)
    TF.max_pool2d(xt, 2).sum().backward()
    np.testing.assert_array_equal(x.grad, xt.grad.numpy())
    assert x.grad is not None and x.grad.sum() == 1


def test_avg_pool2d_same_excludes_the_padding_from_the_mean():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    y = avg_pool2d(x, 3, 1, "same", count_include_pad=False).data
    assert y[0, 0, 0, 0] == pytest.approx(np.mean(x[0, 0, :2, :2]))
    assert y[0, 0, 1, 1] == pytest.approx(np.mean(x[0, 0, :3, :3]))


@pytest.mark.parametrize("keepdims", [True, False])
def test_global_pooling_matches_torch(keepdims):
    check_op(
        [(2, 3, 4, 5)],
        lambda x: TF.adaptive_avg_pool2d(x, 1) if keepdims else x.mean(dim=(2, 3)),
        lambda x: global_avg_pool2d(x, keepdims=keepdims),
    )
    check_op(
        [(2, 3, 4, 5)],
        lambda x: TF.adaptive_max_pool2d(x, 1) if keepdims else x.amax(dim=(2, 3)),
        lambda x: global_max_pool2d(x, keepdims=keepdims),
    )
    check_op(
        [(2, 4, 5, 3)],
        lambda x: x.mean(dim=(1, 2)),
        lambda x: global_avg_pool2d(x, data_format="channels_last"),
    )


@pytest.mark.parametrize("k,s", [(2, 2), (3, 1), (2, 1), (3, 2), (3, 3), ((2, 3), (2, 3))])
def test_max_pool2d_ties_after_relu_match_torch(k, s):
    """ReLU's zeros make whole windows tie: the gradient goes to the first maximum only (in
    both layouts and memory orders; stride = kernel over channels-innermost memory takes the
    tiled backward, the others the strided one)."""
    rng = np.random.default_rng(5)
    x = np.maximum(rng.standard_normal((2, 3, 8, 7)), 0)
    check_op([], lambda x: TF.max_pool2d(x, k, s), lambda x: max_pool2d(x, k, s), arrays=[x])
    check_op(
        [],
        lambda x: TF.max_pool2d(x.permute(0, 3, 1, 2), k, s).permute(0, 2, 3, 1),
        lambda x: max_pool2d(x, k, s, data_format="channels_last"),
        arrays=[np.ascontiguousarray(x.transpose(0, 2, 3, 1))],
    )
    check_op(  # channels_first over NHWC memory, as after an nnlab conv
        [],
        lambda x: TF.max_pool2d(x.permute(0, 3, 1, 2), k, s),
        lambda x: max_pool2d(x.transpose(0, 3, 1, 2), k, s),
        arrays=[np.ascontiguousarray(x.transpose(0, 2, 3, 1))],
    )


@pytest.mark.parametrize("k", [2, 3, (3, 2)])
def test_max_pool2d_ties_between_positive_values_match_torch(k):
    """Quantized inputs (pixels k/255) tie at positive values too; the gradient of each
    window still goes to its first maximum, wherever it lies in the window."""
    x = np.random.default_rng(6).integers(0, 3, (2, 4, 6, 9)).astype(np.float64)
    check_op([], lambda x: TF.max_pool2d(x, k), lambda x: max_pool2d(x, k), arrays=[x])


def test_pools_pass_central_differences():
    x = np.random.default_rng(3).standard_normal((2, 3, 5, 5))
    assert gradcheck(lambda x: max_pool2d(x, 3, 2, 1), x)
    assert gradcheck(lambda x: avg_pool2d(x, 2, 1, 1, count_include_pad=False), x)
    assert gradcheck(lambda x: global_max_pool2d(x, data_format="channels_last"), x)


def test_dropout2d_drops_whole_channels_and_scales_the_rest():
    x = nnlab.tensor(np.ones((8, 16, 3, 3)), requires_grad=True)
    y = dropout2d(x, 0.5, np.random.default_rng(0))
    per_channel = y.data.reshape(8, 16, 9)
    assert np.all(per_channel.min(axis=2) == per_channel.max(axis=2))  # constant per channel
    assert set(np.unique(y.data)) == {0.0, 2.0}
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, y.data)
    assert dropout2d(x, 0.5, training=False) is x
    z = dropout2d(np.ones((4, 3, 3, 8)), 0.5, np.random.default_rng(0), data_format="channels_last")
    assert np.all(z.data.min(axis=(1, 2)) == z.data.max(axis=(1, 2)))


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: max_pool2d(np.ones((2, 8, 8)), 2),
         r"max_pool2d: input must be 4-D \(N, C, H, W\), got shape \(2, 8, 8\)"),
        (lambda: max_pool2d(np.ones((1, 8, 8, 2)), 2, padding=2, data_format="channels_last"),
         r"max_pool2d: padding .* must be at most half the kernel"),
        (lambda: avg_pool2d(np.ones((1, 1, 2, 2)), 3),
         r"avg_pool2d: kernel 3×3 .* larger than the padded input 2×2"),
        (lambda: avg_pool2d(np.ones((1, 1, 4, 4)), 2, stride=(1, 0)),
         r"avg_pool2d: stride must be"),
        (lambda: global_avg_pool2d(np.ones((1, 4))), r"global_avg_pool2d: input must be 4-D"),
        (lambda: dropout2d(np.ones((2, 3)), 0.5), r"dropout2d: input must be 4-D"),
        (lambda: dropout2d(np.ones((1, 1, 2, 2)), 1.0), r"p \(the drop probability\)"),
    ],
)  # fmt: skip
def test_errors_name_the_problem(call, message):
    with pytest.raises(ValueError, match=message):
        call()
