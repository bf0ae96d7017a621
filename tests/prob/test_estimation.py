import numpy as np
import pytest
from scipy import stats

from nnlab.prob import (
    bernoulli_map,
    bernoulli_ml,
    bernoulli_posterior,
    bernoulli_predictive,
    gaussian_mean_map,
    gaussian_mean_ml,
    gaussian_mean_posterior,
    gaussian_predictive,
)

FLIPS = np.array([1, 0, 1, 1, 1, 0, 1, 1, 0, 1])  # k = 7, N = 10


def test_bernoulli_estimates() -> None:
    assert bernoulli_ml(FLIPS) == pytest.approx(0.7)
    post = bernoulli_posterior(FLIPS, a=2.0, b=3.0)
    assert (post.a, post.b) == (9.0, 6.0)
    assert bernoulli_map(FLIPS, 2.0, 3.0) == pytest.approx(8 / 13)
    assert bernoulli_predictive(FLIPS, 2.0, 3.0) == pytest.approx(9 / 15)
    # flat prior: MAP = ML
    assert bernoulli_map(FLIPS) == pytest.approx(bernoulli_ml(FLIPS))


def test_bernoulli_map_maximizes_the_posterior_density() -> None:
    post = bernoulli_posterior(FLIPS, 2.0, 3.0)
    grid = np.linspace(0.001, 0.999, 9999)
    assert grid[np.argmax(post.pdf(grid))] == pytest.approx(
        bernoulli_map(FLIPS, 2.0, 3.0), abs=1e-3
    )
    np.testing.assert_allclose(post.pdf(grid), stats.beta(9, 6).pdf(grid), rtol=1e-10)


def test_gaussian_mean_posterior_matches_bayes_on_a_grid() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(2.0, 1.5, size=20)
    post = gaussian_mean_posterior(x, sigma=1.5, mu0=0.0, sigma0=2.0)
    # brute force: prior times likelihood on a grid of mu, normalized
    mu = np.linspace(-3, 6, 20001)
    log_post = stats.norm(0, 2).logpdf(mu) + stats.norm(mu[:, None], 1.5).logpdf(x).sum(axis=1)
    w = np.exp(log_post - log_post.max())
    w /= w.sum()
    grid_mean = np.sum(w * mu)
    grid_std = np.sqrt(np.sum(w * (mu - grid_mean) ** 2))
    assert post.mean() == pytest.approx(grid_mean, abs=1e-6)
    assert post.std() == pytest.approx(grid_std, rel=1e-5)
    assert gaussian_mean_map(x, 1.5, 0.0, 2.0) == pytest.approx(mu[np.argmax(log_post)], abs=1e-3)
    assert gaussian_mean_ml(x) == pytest.approx(x.mean())
    pred = gaussian_predictive(x, 1.5, 0.0, 2.0)
    assert pred.var() == pytest.approx(1.5**2 + post.var())


def test_strong_prior_and_many_data_limits() -> None:
    x = np.full(10_000, 3.0)
    assert gaussian_mean_map(x, 1.0, 0.0, 1.0) == pytest.approx(3.0, abs=1e-3)
    assert gaussian_mean_map(x[:1], 1.0, 0.0, 1e-4) == pytest.approx(0.0, abs=1e-6)


def test_errors() -> None:
    with pytest.raises(ValueError, match="only 0 and 1"):
        bernoulli_ml([0, 2])
    with pytest.raises(ValueError, match="at least one"):
        bernoulli_ml([])
    with pytest.raises(ValueError, match="sigma"):
        gaussian_mean_posterior([1.0], sigma=0.0, mu0=0.0, sigma0=1.0)
    with pytest.raises(ValueError, match="NaN"):
        gaussian_mean_ml([1.0, np.nan])
