"""batch_norm and layer_norm: values, gradients and running statistics against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import nnlab
from nnlab.autograd import batch_norm, gradcheck, layer_norm

from .oracle import check_op

SHAPES = [(6, 3), (4, 3, 5), (2, 3, 4, 5), (5, 1, 2, 2)]


def _running(c: int, seed: int) -> tuple[list[np.ndarray], list[torch.Tensor]]:
    rng = np.random.default_rng(seed)
    mean, var = rng.standard_normal(c), rng.random(c) + 0.5
    return [mean.copy(), var.copy()], [torch.tensor(mean), torch.tensor(var)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_matches_torch_and_updates_running_stats(shape, training, affine):
    c = shape[1]
    ours, theirs = _running(c, 1)
    params = [(c,), (c,)] if affine else []
    check_op(
        [shape, *params],
        lambda x, *wb: TF.batch_norm(x, *theirs, *wb, training=training, momentum=0.3, eps=1e-3),
        lambda x, *wb: batch_norm(x, *ours, *wb, training=training, momentum=0.3, eps=1e-3),
    )
    for a, b in zip(ours, theirs, strict=True):  # unbiased variance in running_var
        np.testing.assert_allclose(a, b.numpy(), rtol=1e-12)


def test_batch_norm_without_running_stats_uses_the_batch():
    check_op(
        [(4, 3, 2, 2), (3,), (3,)],
        lambda x, w, b: TF.batch_norm(x, None, None, w, b, training=True),
        lambda x, w, b: batch_norm(x, None, None, w, b, training=True),
    )


def test_batch_norm_channels_last_axis():
    ours, theirs = _running(3, 2)
    check_op(
        [(2, 4, 5, 3), (3,), (3,)],
        lambda x, w, b: TF.batch_norm(
            x.permute(0, 3, 1, 2), *theirs, w, b, training=True, momentum=0.01
        ).permute(0, 2, 3, 1),
        lambda x, w, b: batch_norm(x, *ours, w, b, training=True, momentum=0.01, axis=-1),
    )
    np.testing.assert_allclose(ours[1], theirs[1].numpy(), rtol=1e-12)


def test_batch_norm_float32_running_stats_stay_float32():
    mean, var = np.zeros(3, np.float32), np.ones(3, np.float32)
    x = np.random.default_rng(0).standard_normal((8, 3)).astype(np.float32)
    y = batch_norm(x, mean, var, training=True)
    assert y.dtype == np.float32 and mean.dtype == np.float32
    np.testing.assert_allclose(mean, 0.1 * x.mean(axis=0), rtol=1e-5)


@pytest.mark.parametrize(
    "shape,normalized",
    [((4, 5), (5,)), ((2, 3, 4), (4,)), ((2, 5, 4, 3), (4, 3)), ((3, 4), (3, 4))],
)
@pytest.mark.parametrize("affine", [True, False])
def test_layer_norm_matches_torch(shape, normalized, affine):
    params = [normalized, normalized] if affine else []
    check_op(
        [shape, *params],
        lambda x, *wb: TF.layer_norm(x, normalized, *wb, eps=1e-4),
        lambda x, *wb: layer_norm(x, normalized, *wb, eps=1e-4),
    )


def test_layer_norm_weight_only():
    check_op(
        [(3, 4), (4,)],
        lambda x, w: TF.layer_norm(x, (4,), w),
        lambda x, w: layer_norm(x, 4, w),
    )


def test_norms_pass_central_differences():
    rng = np.random.default_rng(4)
    x, w, b = rng.standard_normal((4, 3, 2)), rng.standard_normal(3), rng.standard_normal(3)
    assert gradcheck(lambda x, w, b: batch_norm(x, None, None, w, b, training=True), x, w, b)
    w2, b2 = rng.standard_normal(2), rng.standard_normal(2)
    assert gradcheck(lambda x, w, b: layer_norm(x, 2, w, b), x, w2, b2)


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: batch_norm(np.ones(3), None, None, training=True), r"at least 2-D \(N, C"),
        (lambda: batch_norm(np.ones((1, 3)), None, None, training=True),
         r"more than 1 value per channel"),
        (lambda: batch_norm(np.ones((4, 3)), None, None), r"evaluation .* needs running_mean"),
        (lambda: batch_norm(np.ones((4, 3)), np.zeros(2), np.ones(3)),
         r"running_mean must have shape \(3,\), got \(2,\)"),
        (lambda: batch_norm(np.ones((4, 3)), None, None, nnlab.tensor(np.ones(4)), training=True),
         r"weight must have shape \(3,\), got \(4,\)"),
        (lambda: batch_norm(np.ones((4, 3)), None, None, training=True, axis=2), r"axis 2 is out"),
        (lambda: layer_norm(np.ones((4, 3)), 4), r"last axes of the input \(4, 3\) must be"),
        (lambda: layer_norm(np.ones(3), (2, 3)), r"must be normalized_shape \(2, 3\)"),
    ],
)  # fmt: skip
def test_errors_name_the_problem(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_arrays_are_accepted_as_weight_and_bias():
    x = np.random.default_rng(0).standard_normal((4, 3))
    y = layer_norm(x, 3, np.full(3, 2.0), np.ones(3))
    ref = TF.layer_norm(torch.tensor(x), (3,), torch.full((3,), 2.0, dtype=torch.float64))
    np.testing.assert_allclose(y.data, ref.numpy() + 1, rtol=1e-12)
    z = batch_norm(x, None, None, np.ones(3), np.zeros(3), training=True)
    np.testing.assert_allclose(z.data.mean(axis=0), 0, atol=1e-12)
