"""The course's synthetic sets: shapes, reproducibility, and the statistics they are drawn from."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnlab.datasets import synthetic


def test_linear_shapes_and_defaults() -> None:
    x, y = synthetic.linear(seed=0)
    assert x.shape == (1000, 1) and y.shape == (1000, 1)
    assert x.dtype == np.float32 and y.dtype == np.float32
    assert x.min() >= 1.0 and x.max() < 10.0


def test_linear_recovers_line_and_noise() -> None:
    x, y = synthetic.linear(n=40_000, k=-3.0, b=0.5, noise_std=0.7, seed=1, dtype=np.float64)
    design = np.hstack([x, np.ones_like(x)])
    (k, b), *_ = np.linalg.lstsq(design, y[:, 0], rcond=None)
    assert k == pytest.approx(-3.0, abs=0.01) and b == pytest.approx(0.5, abs=0.06)
    residual = y[:, 0] - design @ np.array([k, b])
    assert residual.std() == pytest.approx(0.7, rel=0.02)


def test_linear_noise_free() -> None:
    x, y = synthetic.linear(n=5, noise_std=0.0, seed=2, dtype=np.float64)
    np.testing.assert_allclose(y, 2 * x + 1)


def test_seed_reproducible_and_generator_shared() -> None:
    a = synthetic.linear(n=10, seed=3)
    b = synthetic.linear(n=10, seed=3)
    np.testing.assert_array_equal(a[0], b[0])
    rng = np.random.default_rng(3)
    c = synthetic.linear(n=10, seed=rng)
    np.testing.assert_array_equal(a[0], c[0])
    d = synthetic.linear(n=10, seed=rng)  # the same stream continues: a new draw
    assert not np.array_equal(c[0], d[0])


def test_two_blobs_like_the_course() -> None:
    x, labels = synthetic.two_blobs(n=20_000, seed=4, dtype=np.float64)
    assert x.shape == (40_000, 2) and labels.shape == (40_000, 1)
    assert (labels[:20_000] == 0).all() and (labels[20_000:] == 1).all()
    np.testing.assert_allclose(x[:20_000].mean(axis=0), [-1, -1], atol=0.03)
    np.testing.assert_allclose(x[20_000:].mean(axis=0), [1, 1], atol=0.03)
    np.testing.assert_allclose(np.cov(x[20_000:].T), np.eye(2), atol=0.04)
    # the Bayes classifier x1 + x2 > 0 reaches Phi(sqrt 2) ~ 0.921
    accuracy = ((x.sum(axis=1) > 0) == labels[:, 0]).mean()
    bayes = 0.5 * (1 + math.erf(1.0))  # Phi(sqrt 2) = (1 + erf(sqrt2 / sqrt2)) / 2
    assert accuracy == pytest.approx(bayes, abs=0.006)


def test_two_blobs_shuffle_and_centres() -> None:
    x, labels = synthetic.two_blobs(n=500, p0=(5, 5), p1=(-5, -5), seed=5, shuffle=True)
    assert x.dtype == np.float32 and labels.dtype == np.float32
    assert 0 < labels[:500].sum() < 500  # classes mixed
    # each label still belongs to its own centre
    assert ((x.sum(axis=1) < 0) == (labels[:, 0] == 1)).all()
    with pytest.raises(ValueError, match="2-D points"):
        synthetic.two_blobs(p0=(1, 2, 3))


def test_cubic_values() -> None:
    x = np.array([0.0, 1.0, 2.0, 3.0, -1.0])
    np.testing.assert_allclose(synthetic.cubic(x), [-2.0, -2.0, -4.0, -2.0, -10.0])
    np.testing.assert_allclose(synthetic.cubic(x), x**3 - 4 * x**2 + 3 * x - 2)


def test_polynomial() -> None:
    x, t = synthetic.polynomial(seed=6)
    assert x.shape == (20, 1) and t.shape == (20, 1) and x.dtype == np.float32
    assert (np.diff(x[:, 0]) >= 0).all() and x.min() >= 0 and x.max() < 1
    x, t = synthetic.polynomial(n=50, noise_std=0.0, low=-2, high=4, seed=6, dtype=np.float64)
    np.testing.assert_allclose(t, x**3 - 4 * x**2 + 3 * x - 2)
    x, t = synthetic.polynomial(n=20_000, noise_std=0.3, seed=7, dtype=np.float64)
    assert (t - synthetic.cubic(x)).std() == pytest.approx(0.3, rel=0.03)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: synthetic.linear(n=0), "n must be a positive int"),
        (lambda: synthetic.linear(noise_std=-1), "noise_std must be a finite number >= 0"),
        (lambda: synthetic.linear(low=2, high=1), "need low < high"),
        (lambda: synthetic.polynomial(n=2.5), "n must be a positive int"),
        (lambda: synthetic.two_blobs(n=True), "n must be a positive int"),
    ],
)
def test_bad_arguments(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_bad_seed_type() -> None:
    with pytest.raises(TypeError, match="seed must be an int"):
        synthetic.linear(seed="42")
