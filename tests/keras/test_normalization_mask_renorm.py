"""BatchNormalization with a mask and with batch renormalization, LayerNormalization with
rms_scaling, against Keras 3 (torch backend) from identical weights: outputs, input and weight
gradients, moving statistics, inference, configs and errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import nnlab

from .keras_oracle import keras, nk

RNG = np.random.default_rng(7)


def _pair(cls: str, shape: tuple, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs, ours = getattr(keras.layers, cls)(**kwargs), getattr(nk.layers, cls)(**kwargs)
    theirs.build(shape)
    ours.build(shape)
    weights = [
        np.asarray(w) + RNG.normal(0, 0.2, w.shape).astype(np.float32) for w in theirs.get_weights()
    ]
    weights = [np.abs(w) if i >= 2 else w for i, w in enumerate(weights)]  # stddevs > 0
    theirs.set_weights(weights)
    ours.set_weights(weights)
    return theirs, ours


def _step(theirs, ours, x, training, **kwargs):
    g = RNG.normal(size=x.shape).astype(np.float32)
    xt = torch.tensor(x, requires_grad=True)
    yt = theirs(xt, training=training, **kwargs)
    (yt * torch.tensor(g)).sum().backward()
    xn = nnlab.tensor(x, requires_grad=True)
    yn = ours(xn, training=training, **kwargs)
    (yn * nnlab.tensor(g)).sum().backward()
    np.testing.assert_allclose(yn.numpy(), yt.detach().numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(np.asarray(xn.grad), xt.grad.numpy(), rtol=1e-3, atol=1e-4)
    for wn, wk in zip(ours.trainable_weights, theirs.trainable_weights, strict=True):
        np.testing.assert_allclose(np.asarray(wn.grad), wk.value.grad.numpy(), rtol=1e-3, atol=1e-4)
    for wn, wk in zip(ours.weights, theirs.weights, strict=True):
        np.testing.assert_allclose(
            np.asarray(wn.numpy()), np.asarray(wk.numpy()), rtol=1e-5, atol=1e-6, err_msg=wk.name
        )


@pytest.mark.parametrize(
    "shape,mask_shape,kwargs",
    [
        ((4, 5, 3), (4, 5), {"momentum": 0.5}),
        ((3, 4, 2, 6), (3, 4, 2), {"center": False, "epsilon": 1e-2}),
        ((4, 6, 3), (1, 6), {"scale": False}),  # a mask broadcast over the batch
    ],
)
def test_masked_batch_statistics_match_keras(shape, mask_shape, kwargs) -> None:
    theirs, ours = _pair("BatchNormalization", shape, **kwargs)
    x = (RNG.normal(size=shape) * 2 + 1).astype(np.float32)
    mask = RNG.random(mask_shape) > 0.4
    _step(theirs, ours, x, True, mask=mask)
    _step(theirs, ours, x, False, mask=mask)


def test_masked_values_do_not_change_the_statistics() -> None:
    layer = nk.layers.BatchNormalization(momentum=0.0)
    x = RNG.normal(size=(2, 3, 4)).astype(np.float32)
    mask = np.array([[True, True, False], [True, False, False]])
    y = x.copy()
    y[~mask] = 1e3
    a = layer(x, training=True, mask=mask).numpy()
    stats = layer.moving_mean.numpy().copy()
    b = layer(y, training=True, mask=mask).numpy()
    np.testing.assert_allclose(a[mask], b[mask], rtol=1e-5)
    np.testing.assert_allclose(layer.moving_mean.numpy(), stats, rtol=1e-5)
    np.testing.assert_allclose(stats, x[mask].mean(axis=0), rtol=1e-5)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"renorm": True},
        {"renorm": True, "renorm_momentum": 0.7, "momentum": 0.6},
        {"renorm": True, "renorm_clipping": {"rmax": 1.2, "rmin": 0.9, "dmax": 0.1}},
        {"renorm": True, "center": False, "renorm_clipping": {"rmin": 0.95}},
        {"renorm": True, "scale": False, "axis": 1},
    ],
)
def test_renorm_matches_keras(kwargs) -> None:
    shape = (6, 4, 3)
    theirs, ours = _pair("BatchNormalization", shape, **kwargs)
    for _ in range(2):
        x = (RNG.normal(size=shape) * 3 - 1).astype(np.float32)
        _step(theirs, ours, x, True)
    _step(theirs, ours, x, False)
    config, keras_config = ours.get_config(), theirs.get_config()
    for key in ("name", "trainable", "dtype"):
        config.pop(key, None), keras_config.pop(key, None)
    assert config == keras_config
    clone = nk.layers.BatchNormalization.from_config(ours.get_config())
    assert clone.get_config() == ours.get_config()


def test_renorm_stddevs_start_at_the_root_of_the_variance_initializer() -> None:
    layer = nk.layers.BatchNormalization(renorm=True, moving_variance_initializer="ones")
    layer.build((None, 3))
    assert [w.name for w in layer.non_trainable_weights] == [
        w.name
        for w in _built(
            keras.layers.BatchNormalization(renorm=True), (None, 3)
        ).non_trainable_weights
    ]
    np.testing.assert_allclose(layer.renorm_stddev.numpy(), np.ones(3))


def _built(layer, shape):
    layer.build(shape)
    return layer


@pytest.mark.parametrize(
    "clipping,message",
    [
        ({"random_key": 1.0}, "Received invalid keys for `renorm_clipping`"),
        ({"rmax": 0.0, "rmin": 1.0}, "rmax should be greater than rmin"),
        ({"rmax": 1.0, "dmax": -1.0}, "dmax should be non-negative"),
    ],
)
def test_renorm_clipping_errors_as_keras(clipping, message) -> None:
    with pytest.raises(ValueError, match=message):
        keras.layers.BatchNormalization(renorm=True, renorm_clipping=clipping)
    with pytest.raises(ValueError, match=message):
        nk.layers.BatchNormalization(renorm=True, renorm_clipping=clipping)


def test_mask_rank_error_as_keras() -> None:
    x, mask = np.ones((2, 3, 4), np.float32), np.ones((2, 3, 4))
    for lib in (keras, nk):
        with pytest.raises(ValueError, match="mask provided should be one dimension less"):
            lib.layers.BatchNormalization()(x, training=True, mask=mask)


@pytest.mark.parametrize("shape,axis", [((3, 5), -1), ((2, 3, 4), (-2, -1))])
def test_layer_norm_rms_scaling_matches_keras(shape, axis) -> None:
    for lib in (keras, nk):  # deprecated in Keras 3, with a warning
        with pytest.warns(UserWarning, match="rms_scaling=True"):
            lib.layers.LayerNormalization(rms_scaling=True)
    theirs, ours = _pair("LayerNormalization", shape, axis=axis, rms_scaling=True)
    assert len(ours.trainable_weights) == len(theirs.trainable_weights) == 1
    x = (RNG.normal(size=shape) * 2 + 3).astype(np.float32)
    _step(theirs, ours, x, True)
    assert ours.get_config()["rms_scaling"] is True


def test_layer_norm_axis_type_error_as_keras() -> None:
    for lib in (keras, nk):
        with pytest.raises(TypeError, match="Expected an int or a list/tuple of ints"):
            lib.layers.LayerNormalization(axis={"axis": -1})
