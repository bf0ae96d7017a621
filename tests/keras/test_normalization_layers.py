"""GroupNormalization and RMSNormalization against Keras 3 (torch backend): Keras's weights
(perturbed) copied in, outputs and gradients compared; configs and errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import nnlab

from .error_oracle import assert_same_error
from .keras_oracle import build_twins, keras, nk

RNG = np.random.default_rng(0)


@pytest.mark.parametrize(
    "cls,kwargs,shape",
    [
        ("GroupNormalization", {"groups": 2}, (3, 8)),
        ("GroupNormalization", {"groups": 4}, (2, 5, 5, 8)),
        ("GroupNormalization", {"groups": -1, "epsilon": 1e-5}, (2, 6, 4)),
        ("GroupNormalization", {"groups": 2, "axis": 1, "center": False}, (2, 4, 3, 3)),
        ("GroupNormalization", {"groups": 1, "scale": False}, (2, 3, 6)),
        ("RMSNormalization", {}, (3, 7)),
        ("RMSNormalization", {"axis": [1, 2], "epsilon": 1e-3}, (2, 3, 4)),
    ],
)
def test_matches_keras(cls: str, kwargs: dict, shape: tuple) -> None:
    theirs, ours = build_twins(
        getattr(keras.layers, cls)(**kwargs), getattr(nk.layers, cls)(**kwargs), shape, RNG
    )
    x = (RNG.normal(size=shape) * 3 + 1).astype(np.float32)
    g = RNG.normal(size=shape).astype(np.float32)
    xt = torch.tensor(x, requires_grad=True)
    yt = theirs(xt)
    (yt * torch.tensor(g)).sum().backward()
    xn = nnlab.tensor(x, requires_grad=True)
    yn = ours(xn)
    (yn * nnlab.tensor(g)).sum().backward()
    np.testing.assert_allclose(yn.numpy(), yt.detach().numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(np.asarray(xn.grad), xt.grad.numpy(), rtol=1e-4, atol=1e-4)
    for wn, wk in zip(ours.trainable_weights, theirs.trainable_weights, strict=True):
        np.testing.assert_allclose(np.asarray(wn.grad), wk.value.grad.numpy(), rtol=1e-4, atol=1e-4)
    config, keras_config = ours.get_config(), theirs.get_config()
    for key in ("name", "trainable"):
        config.pop(key), keras_config.pop(key)
    assert config == keras_config


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lib.layers.GroupNormalization(groups=0),
        lambda lib: lib.layers.GroupNormalization(groups=3).build((None, 2)),
        lambda lib: lib.layers.GroupNormalization(groups=3).build((None, 8)),
        lambda lib: lib.layers.GroupNormalization(groups=2).build((None, None)),
    ],
)
def test_errors_match_keras(make) -> None:
    assert_same_error(make)
