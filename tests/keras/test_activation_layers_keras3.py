"""ReLU (threshold / max_value / negative_slope) and Softmax (tuple axis, masks) against Keras 3
(torch backend): outputs, input gradients and Keras's errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import nnlab

from .keras_oracle import keras, nk

RNG = np.random.default_rng(3)


def _compare(theirs, ours, x, **kwargs) -> None:
    g = RNG.normal(size=x.shape).astype(np.float32)
    xt = torch.tensor(x, requires_grad=True)
    yt = theirs(xt, **kwargs)
    (yt * torch.tensor(g)).sum().backward()
    xn = nnlab.tensor(x, requires_grad=True)
    yn = ours(xn, **kwargs)
    (yn * nnlab.tensor(g)).sum().backward()
    np.testing.assert_allclose(yn.numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(xn.grad), xt.grad.numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"threshold": 0.5},
        {"threshold": 1.0, "negative_slope": 0.3},
        {"threshold": 0.5, "max_value": 1.5, "negative_slope": 0.2},
        {"max_value": 1.0},
        {"max_value": 6.0},
        {"max_value": 2.0, "negative_slope": 0.1},
        {"negative_slope": 0.25},
    ],
)
def test_relu_matches_keras(kwargs) -> None:
    # values exactly at the threshold, at 0 and at max_value included
    x = np.concatenate([RNG.normal(0, 2, 40), [0.0, 0.5, 1.0, 1.5, 2.0, 6.0, -0.5]]).astype(
        np.float32
    )
    theirs, ours = keras.layers.ReLU(**kwargs), nk.layers.ReLU(**kwargs)
    np.testing.assert_allclose(
        ours(x).numpy(), theirs(torch.tensor(x)).numpy(), rtol=1e-6, atol=1e-7
    )
    # gradients away from the kinks (their one-sided conventions differ among torch's kernels)
    _compare(theirs, ours, RNG.normal(0.3, 2, (4, 25)).astype(np.float32))


@pytest.mark.parametrize(
    "axis,shape,mask_shape",
    [
        ((1, 0), (3, 4), None),
        ((-2, -1), (2, 3, 4), None),
        ((1,), (2, 3, 4), None),
        ((1, 0), (3, 4), (3, 4)),
        ((1, 2), (2, 3, 4), (3, 1)),
        (-1, (2, 3, 4), (2, 1, 4)),
    ],
)
def test_softmax_matches_keras(axis, shape, mask_shape) -> None:
    x = RNG.normal(0, 2, shape).astype(np.float32)
    kwargs = {}
    if mask_shape is not None:
        mask = RNG.random(mask_shape) > 0.4
        mask.reshape(-1)[0] = False
        kwargs["mask"] = mask
    _compare(keras.layers.Softmax(axis=axis), nk.layers.Softmax(axis=axis), x, **kwargs)


def test_fully_masked_rows_are_zero_as_keras() -> None:
    x = RNG.normal(size=(2, 3)).astype(np.float32)
    mask = np.array([[True, False, True], [False, False, False]])
    ours = nk.layers.Softmax()(x, mask=mask).numpy()
    theirs = keras.layers.Softmax()(torch.tensor(x), mask=torch.tensor(mask)).numpy()
    np.testing.assert_allclose(ours, theirs, atol=1e-7)
    assert np.all(ours[1] == 0)


@pytest.mark.parametrize(
    "shape,mask_shape,message",
    [
        ((2, 3), (1, 2, 3), "must not have more dimensions"),
        ((2, 3), (2, 4), "Each mask dimension must be 1 or match"),
    ],
)
def test_softmax_mask_errors_as_keras(shape, mask_shape, message) -> None:
    x, mask = np.ones(shape, np.float32), np.ones(mask_shape, bool)
    with pytest.raises(ValueError, match=message):
        keras.layers.Softmax()(torch.tensor(x), mask=torch.tensor(mask))
    with pytest.raises(ValueError, match=message):
        nk.layers.Softmax()(x, mask=mask)
