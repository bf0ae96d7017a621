"""keras.random: Keras 3's functions, arguments and distributions (NumPy draws: the same
distributions as Keras 3, checked with scipy's tests and Keras's own formulas, not the same
numbers); seeds as ints, SeedGenerators and set_random_seed; dropout and shuffle keep the graph."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import nnlab
from nnlab import keras

N = 20000


def test_normal_uniform_truncated_distributions() -> None:
    z = keras.random.normal((N,), mean=1.0, stddev=2.0, seed=0).numpy()
    assert z.dtype == np.float32
    assert stats.kstest(z, stats.norm(1.0, 2.0).cdf).pvalue > 1e-3
    u = keras.random.uniform((N,), minval=-1.0, maxval=3.0, seed=1).numpy()
    assert stats.kstest(u, stats.uniform(-1.0, 4.0).cdf).pvalue > 1e-3
    t = keras.random.truncated_normal((N,), mean=0.5, stddev=0.1, seed=2, dtype="float64").numpy()
    assert t.dtype == np.float64 and np.abs(t - 0.5).max() <= 0.2
    assert stats.kstest(t, stats.truncnorm(-2, 2, loc=0.5, scale=0.1).cdf).pvalue > 1e-3


def test_randint_categorical_gamma_binomial_beta() -> None:
    r = keras.random.randint((N,), 2, 5, seed=0).numpy()
    assert r.dtype == np.int32 and set(np.unique(r)) == {2, 3, 4}
    logits = np.log(np.array([[0.2, 0.5, 0.3], [0.9, 0.05, 0.05]]))
    c = keras.random.categorical(logits, 5000, seed=1).numpy()
    assert c.shape == (2, 5000) and c.dtype == np.int32
    for row, p in zip(c, np.exp(logits), strict=True):
        counts = np.bincount(row, minlength=3)
        assert stats.chisquare(counts, p * 5000).pvalue > 1e-3
    g = keras.random.gamma((N,), alpha=2.0, seed=2).numpy()
    assert stats.kstest(g, stats.gamma(2.0).cdf).pvalue > 1e-3
    b = keras.random.binomial((N,), counts=10, probabilities=0.3, seed=3).numpy()
    assert abs(b.mean() - 3.0) < 0.05 and b.dtype == np.float32
    be = keras.random.beta((N,), alpha=2.0, beta=5.0, seed=4).numpy()
    assert stats.kstest(be, stats.beta(2.0, 5.0).cdf).pvalue > 1e-3
    with pytest.raises(ValueError, match="2-D"):
        keras.random.categorical(np.zeros(3), 2)


def test_seeds_int_generator_and_global() -> None:
    a = keras.random.normal((3,), seed=7).numpy()
    np.testing.assert_array_equal(a, keras.random.normal((3,), seed=7).numpy())  # stateless
    gen = keras.random.SeedGenerator(1337)
    first, second = (keras.random.normal((3,), seed=gen).numpy() for _ in range(2))
    assert not np.array_equal(first, second)  # a SeedGenerator advances
    again = keras.random.SeedGenerator(1337)
    np.testing.assert_array_equal(first, keras.random.normal((3,), seed=again).numpy())
    keras.utils.set_random_seed(3)
    x = keras.random.uniform((4,)).numpy()
    keras.utils.set_random_seed(3)
    np.testing.assert_array_equal(x, keras.random.uniform((4,)).numpy())
    assert keras.random.SeedGenerator(5).get_config() == {"seed": 5}
    with pytest.raises(ValueError, match="SeedGenerator"):
        keras.random.normal((2,), seed="x")
    with pytest.raises(ValueError, match="seed"):
        keras.random.SeedGenerator(-1)


def test_dropout_scales_keeps_graph_and_noise_shape() -> None:
    x = nnlab.tensor(np.ones((200, 50), np.float32), requires_grad=True)
    y = keras.random.dropout(x, rate=0.4, seed=keras.random.SeedGenerator(0))
    kept = y.numpy() != 0
    np.testing.assert_allclose(y.numpy()[kept], 1 / 0.6, rtol=1e-6)
    assert abs(1 - kept.mean() - 0.4) < 0.02
    y.sum().backward()
    np.testing.assert_allclose(x.grad, kept / 0.6, rtol=1e-6)  # dy/dx = mask / (1 - rate)
    z = keras.random.dropout(np.ones((4, 6)), rate=0.5, noise_shape=(4, 1), seed=1).numpy()
    assert all(len(set(row)) == 1 for row in z)  # one draw per row
    np.testing.assert_array_equal(keras.random.dropout(np.ones(3), rate=1.0).numpy(), 0.0)
    with pytest.raises(ValueError, match="rate"):
        keras.random.dropout(np.ones(3), rate=1.5)


def test_shuffle_permutes_along_an_axis() -> None:
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    s0 = keras.random.shuffle(x, seed=0).numpy()
    assert sorted(map(tuple, s0)) == sorted(map(tuple, x))
    s1 = keras.random.shuffle(x, axis=1, seed=0).numpy()
    np.testing.assert_array_equal(np.sort(s1, axis=1), x)
    t = nnlab.tensor(x, requires_grad=True)
    keras.random.shuffle(t, seed=3).sum().backward()
    np.testing.assert_array_equal(t.grad, np.ones_like(x))


def test_a_layer_with_a_seed_generator_in_fit() -> None:
    """The subclassing guide's use: a Sampling-like layer drawing at each call inside fit."""

    class Noise(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.seed_generator = keras.random.SeedGenerator(1)

        def call(self, inputs, training=None):
            if training:
                shape = keras.ops.shape(inputs)
                return inputs + 0.01 * keras.random.normal(shape, seed=self.seed_generator)
            return inputs

    model = keras.Sequential([keras.Input((3,)), Noise(), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).random((16, 3))
    history = model.fit(x, x[:, :1], epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    np.testing.assert_array_equal(model.predict(x, verbose=0), model.predict(x, verbose=0))


def test_seed_generator_state_like_keras() -> None:
    """Keras 3's SeedGenerator: state [seed, counter], next() returns it and moves the counter;
    restoring the state repeats the draws."""
    keras3 = pytest.importorskip("keras")
    keras.utils.clear_session()  # the automatic names (seed_generator_N) start afresh in both
    keras3.utils.clear_session()
    ours, theirs = keras.random.SeedGenerator(42), keras3.random.SeedGenerator(42)
    assert ours.state.shape == tuple(theirs.state.shape) == (2,)
    assert ours.state.dtype == theirs.state.dtype == "int32"
    assert ours.state.path == theirs.state.path
    first = ours.next()
    np.testing.assert_array_equal(first, keras3.ops.convert_to_numpy(theirs.next()))
    np.testing.assert_array_equal(ours.state.numpy(), keras3.ops.convert_to_numpy(theirs.state))
    saved = ours.state.numpy()
    a = keras.random.normal((3,), seed=ours).numpy()
    ours.state.assign(saved)
    np.testing.assert_array_equal(keras.random.normal((3,), seed=ours).numpy(), a)
