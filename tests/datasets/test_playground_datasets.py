"""The six Playground sets against the facts in shared/reference/playground.md."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnlab.datasets import playground as pg

ALL = ["circle", "xor", "gauss", "spiral", "reg-plane", "reg-gauss"]


@pytest.mark.parametrize("name", ALL)
def test_shapes_dtypes_defaults_and_seed(name: str) -> None:
    points, labels = pg.generate(name, noise=0.2, seed=0)
    n = 500 if name in pg.CLASSIFICATION else 1200
    assert points.shape == (n, 2) and labels.shape == (n,)
    assert points.dtype == np.float32 and labels.dtype == np.float32
    assert np.abs(points).max() <= 8.0
    if name in pg.CLASSIFICATION:
        assert set(np.unique(labels).tolist()) == {-1.0, 1.0}
    else:
        assert np.abs(labels).max() <= 1.5
    again = pg.generate(name, noise=0.2, seed=0)
    np.testing.assert_array_equal(points, again[0])
    np.testing.assert_array_equal(labels, again[1])


def test_circle_clean() -> None:
    points, labels = pg.circle(seed=1)
    r = np.hypot(points[:, 0], points[:, 1])
    assert (r[:250] < 2.5).all() and ((r[250:] >= 3.5) & (r[250:] <= 5.0 + 1e-6)).all()
    np.testing.assert_array_equal(labels, np.where(r < 2.5, 1.0, -1.0))


def test_circle_noise_flips_labels_not_points() -> None:
    points, labels = pg.circle(n=4000, noise=0.5, seed=2)
    r = np.hypot(points[:, 0], points[:, 1])
    assert ((r < 2.5) | ((r >= 3.5) & (r <= 5.0 + 1e-6))).all()
    flipped = labels != np.where(r < 2.5, 1.0, -1.0)
    assert 0.02 < flipped.mean() < 0.5


def test_xor() -> None:
    points, labels = pg.xor(n=2000, seed=3)
    x, y = points[:, 0], points[:, 1]
    assert (np.abs(x) >= 0.3).all() and (np.abs(y) >= 0.3).all()
    assert np.abs(points).max() <= 5.3 + 1e-6
    np.testing.assert_array_equal(labels, np.where(x * y >= 0, 1.0, -1.0))
    points, labels = pg.xor(n=2000, noise=0.5, seed=3)
    assert (labels != np.where(points[:, 0] * points[:, 1] >= 0, 1.0, -1.0)).any()


@pytest.mark.parametrize("noise, variance", [(0.0, 0.5), (0.5, 4.0), (0.2, 1.9)])
def test_gauss_variance(noise: float, variance: float) -> None:
    points, labels = pg.gauss(n=40_000, noise=noise, seed=4)
    pos, neg = points[labels == 1], points[labels == -1]
    assert len(pos) == len(neg) == 20_000
    np.testing.assert_allclose(pos.mean(axis=0), [2, 2], atol=0.05)
    np.testing.assert_allclose(neg.mean(axis=0), [-2, -2], atol=0.05)
    np.testing.assert_allclose(pos.var(axis=0), [variance] * 2, rtol=0.04)


def test_spiral_clean_formula() -> None:
    points, labels = pg.spiral(n=10, seed=5)
    m = 5
    for arm, (sign, delta) in enumerate(((1.0, 0.0), (-1.0, math.pi))):
        for i in range(m):
            r = 5 * i / m
            t = 1.75 * i / m * 2 * math.pi + delta
            k = arm * m + i
            assert points[k, 0] == pytest.approx(r * math.sin(t), abs=1e-5)
            assert points[k, 1] == pytest.approx(r * math.cos(t), abs=1e-5)
            assert labels[k] == sign


def test_spiral_noise_bounded() -> None:
    clean, _ = pg.spiral(seed=6)
    noisy, _ = pg.spiral(noise=0.3, seed=6)
    offset = np.abs(noisy - clean)
    assert offset.max() <= 0.3 + 1e-6 and offset.max() > 0.2


def test_reg_plane() -> None:
    points, labels = pg.reg_plane(seed=7)
    assert np.abs(points).max() <= 6.0
    np.testing.assert_allclose(labels, (points[:, 0] + points[:, 1]) / 10, atol=1e-6)
    points, labels = pg.reg_plane(noise=0.5, seed=7)
    error = np.abs(labels - (points[:, 0] + points[:, 1]) / 10)
    assert 0.1 < error.max() <= 0.6 + 1e-6


def _reference_reg_gauss(x: float, y: float) -> float:
    """A direct transcription of the reference: loop over the centres, keep the largest |.|."""
    label = 0.0
    for cx, cy, sign in pg.REG_GAUSS_CENTRES:
        d = math.hypot(x - cx, y - cy)
        value = sign * min(1.0, max(0.0, 1 - d / 2))
        if abs(value) > abs(label):
            label = value
    return label


def test_reg_gauss_label_matches_reference() -> None:
    rng = np.random.default_rng(8)
    x, y = rng.uniform(-6, 6, (2, 500))
    got = pg.reg_gauss_label(x, y)
    want = [_reference_reg_gauss(a, b) for a, b in zip(x, y, strict=True)]
    np.testing.assert_allclose(got, want, atol=1e-12)
    centres = np.asarray(pg.REG_GAUSS_CENTRES)
    np.testing.assert_array_equal(pg.reg_gauss_label(centres[:, 0], centres[:, 1]), centres[:, 2])
    assert pg.reg_gauss_label(np.array([1.0]), np.array([2.5])).tolist() == [-0.5]
    assert pg.reg_gauss_label(np.array([-2.0]), np.array([0.0])).tolist() == [0.0]


def test_reg_gauss_clean_labels() -> None:
    points, labels = pg.reg_gauss(seed=9)
    expected = pg.reg_gauss_label(points[:, 0].astype(float), points[:, 1].astype(float))
    np.testing.assert_allclose(labels, expected, atol=1e-5)
    assert labels.min() >= -1 and labels.max() <= 1


@pytest.mark.parametrize("ratio, n_train", [(0.1, 50), (0.3, 150), (0.5, 250), (0.7, 350)])
def test_train_test_split(ratio: float, n_train: int) -> None:
    points, labels = pg.circle(seed=10)
    (xtr, ytr), (xte, yte) = pg.train_test_split(points, labels, ratio, seed=11)
    assert len(xtr) == len(ytr) == n_train and len(xte) == len(yte) == 500 - n_train
    together = np.concatenate([xtr, xte])
    assert sorted(map(tuple, together.tolist())) == sorted(map(tuple, points.tolist()))
    # pairs stay together
    r = np.hypot(xtr[:, 0], xtr[:, 1])
    np.testing.assert_array_equal(ytr, np.where(r < 2.5, 1.0, -1.0))
    again = pg.train_test_split(points, labels, ratio, seed=11)
    np.testing.assert_array_equal(again[0][0], xtr)


def test_split_floors_every_playground_ratio() -> None:
    points, labels = pg.reg_plane(seed=12)
    for percent in range(10, 100, 10):
        (xtr, _), _ = pg.train_test_split(points, labels, percent / 100, seed=0)
        assert len(xtr) == 1200 * percent // 100


def test_errors() -> None:
    with pytest.raises(ValueError, match=r"slider value / 100.*got 25"):
        pg.circle(noise=25)
    with pytest.raises(ValueError, match="n must be even"):
        pg.spiral(n=5)
    with pytest.raises(ValueError, match="n must be a positive int"):
        pg.xor(n=0)
    with pytest.raises(ValueError, match="unknown Playground data set 'moons'"):
        pg.generate("moons")
    with pytest.raises(ValueError, match=r"differ in length \(3 != 2\)"):
        pg.train_test_split(np.zeros((3, 2)), np.zeros(2))
    with pytest.raises(ValueError, match="train_ratio must be in"):
        pg.train_test_split(np.zeros((3, 2)), np.zeros(3), 50)


def test_generate_aliases_and_n() -> None:
    points, _ = pg.generate("reg_plane", n=10, seed=0)
    assert points.shape == (10, 2)
    np.testing.assert_array_equal(points, pg.reg_plane(10, 0.0, 0)[0])
