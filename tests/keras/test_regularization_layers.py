"""Dropout, AlphaDropout, GaussianDropout, GaussianNoise, ActivityRegularization against Keras 3:
argument checks (same exception and message), configs, statistics of the noise."""

from __future__ import annotations

import numpy as np
import pytest

from .error_oracle import assert_same_error
from .keras_oracle import keras, nk


@pytest.mark.parametrize("rate", [-0.5, 1.5, -1e-9])
@pytest.mark.parametrize("cls", ["Dropout", "AlphaDropout", "GaussianDropout"])
def test_rate_checks_match_keras(cls: str, rate: float) -> None:
    assert_same_error(lambda lib: getattr(lib.layers, cls)(rate))


@pytest.mark.parametrize("stddev", [-0.1, 1.5])
def test_gaussian_noise_stddev_check_matches_keras(stddev: float) -> None:
    assert_same_error(lambda lib: lib.layers.GaussianNoise(stddev))


@pytest.mark.parametrize(
    "noise_shape", ["Invalid", 7, (20, 1.5, 10), (20, 0, 10), (20, -1, 10), [None, "a"]]
)
def test_noise_shape_checks_match_keras(noise_shape: object) -> None:
    assert_same_error(lambda lib: lib.layers.Dropout(0.5, noise_shape=noise_shape))


@pytest.mark.parametrize("noise_shape", [None, (20, 1, 10), (None, 1, None), [4, 1, 2]])
def test_noise_shape_kept_as_keras(noise_shape: object) -> None:
    theirs = keras.layers.Dropout(0.5, noise_shape=noise_shape)
    ours = nk.layers.Dropout(0.5, noise_shape=noise_shape)
    assert ours.noise_shape == theirs.noise_shape
    assert type(ours.noise_shape) is type(theirs.noise_shape)


@pytest.mark.parametrize(
    "cls,args",
    [
        ("Dropout", (0.3,)),
        ("AlphaDropout", (0.2,)),
        ("GaussianDropout", (0.4,)),
        ("GaussianNoise", (0.1,)),
        ("ActivityRegularization", (0.01, 0.02)),
    ],
)
def test_configs_match_keras(cls: str, args: tuple) -> None:
    theirs = (
        getattr(keras.layers, cls)(*args, seed=3)
        if cls != "ActivityRegularization"
        else (keras.layers.ActivityRegularization(*args))
    )
    ours = (
        getattr(nk.layers, cls)(*args, seed=3)
        if cls != "ActivityRegularization"
        else (nk.layers.ActivityRegularization(*args))
    )
    mine, keras_config = ours.get_config(), theirs.get_config()
    for key in ("name", "trainable"):
        mine.pop(key), keras_config.pop(key)
    assert mine == keras_config
    revived = type(ours).from_config(ours.get_config())
    assert revived.get_config() == ours.get_config()


def test_dropout_statistics_and_inference() -> None:
    x = np.ones((40, 500), np.float32)
    layer = nk.layers.Dropout(0.5, seed=1337)
    y = layer(x, training=True).numpy()
    assert set(np.unique(y)) == {0.0, 2.0}
    assert abs(y.mean() - 1.0) < 0.02  # E[y] = x (5 standard errors: 0.0035 each... ample)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    np.testing.assert_array_equal(layer(x, training=False).numpy(), x)
    np.testing.assert_array_equal(nk.layers.Dropout(1.0)(x, training=True).numpy(), 0 * x)
    np.testing.assert_array_equal(nk.layers.Dropout(0.0)(x, training=True).numpy(), x)


def test_dropout_noise_shape_shares_the_mask() -> None:
    x = np.ones((20, 5, 10), np.float32)
    for noise_shape in [(None, 1, None), (20, 1, 10)]:
        y = nk.layers.Dropout(0.5, noise_shape=noise_shape, seed=0)(x, training=True).numpy()
        for t in range(1, 5):
            np.testing.assert_array_equal(y[:, t], y[:, 0])
        assert 0 < (y == 0).mean() < 1
    with pytest.raises(ValueError, match="noise_shape"):
        nk.layers.Dropout(0.5, noise_shape=(None, 1))(x, training=True)


def test_dropout_gradient_is_the_mask() -> None:
    import nnlab

    x = nnlab.tensor(np.ones((6, 7), np.float32), requires_grad=True)
    y = nk.layers.Dropout(0.25, seed=2)(x, training=True)
    y.sum().backward()
    np.testing.assert_allclose(np.asarray(x.grad), y.numpy())  # dy/dx = m / (1 - rate)


def test_seeded_layers_are_reproducible() -> None:
    x = np.ones((8, 9), np.float32)
    for cls, arg in [
        ("Dropout", 0.5),
        ("AlphaDropout", 0.3),
        ("GaussianDropout", 0.3),
        ("GaussianNoise", 0.3),
    ]:
        a = getattr(nk.layers, cls)(arg, seed=5)(x, training=True).numpy()
        b = getattr(nk.layers, cls)(arg, seed=5)(x, training=True).numpy()
        np.testing.assert_array_equal(a, b)


def test_alpha_dropout_keeps_mean_and_variance_like_keras() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 500)).astype(np.float32)  # SELU's fixed point: mean 0, var 1
    ours = nk.layers.AlphaDropout(0.2, seed=1)(x, training=True).numpy()
    theirs = keras.layers.AlphaDropout(0.2, seed=1)(x, training=True).detach().numpy()
    for stat in (np.mean, np.var):
        assert abs(stat(ours) - stat(theirs)) < 0.02
    assert abs(ours.mean()) < 0.02 and abs(ours.var() - 1) < 0.02
    # kept units: a·x + b; dropped ones: a·α' + b (α' = -λα), a and b from Keras's formulas
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    a = ((1 - 0.2) * (1 + 0.2 * alpha_p**2)) ** -0.5
    b = -a * alpha_p * 0.2
    dropped = np.isclose(ours, a * alpha_p + b, rtol=0, atol=1e-6)
    assert abs(dropped.mean() - 0.2) < 0.01
    np.testing.assert_allclose(ours[~dropped], a * x[~dropped] + b, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(nk.layers.AlphaDropout(0.2)(x).numpy(), x)


def test_gaussian_layers_statistics() -> None:
    noisy = nk.layers.GaussianNoise(0.5, seed=1)(np.zeros((4000, 4)), training=True).numpy()
    assert abs(noisy.std() - 0.5) < 0.02
    scaled = nk.layers.GaussianDropout(0.2, seed=1)(np.ones((4000, 4)), training=True).numpy()
    assert abs(scaled.mean() - 1) < 0.02 and abs(scaled.std() - 0.5) < 0.02  # sqrt(.2/.8)
