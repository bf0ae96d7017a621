import numpy as np
import pytest
from scipy import stats

from nnlab.prob import Bernoulli, Binomial, Discrete


def test_discrete_pmf_cdf_moments_match_scipy() -> None:
    values, probs = [3, -1, 10, 4], [0.1, 0.2, 0.3, 0.4]
    x = Discrete(values, probs)
    ref = stats.rv_discrete(values=(np.sort(values), np.array(probs)[np.argsort(values)]))
    grid = np.arange(-3, 13)
    np.testing.assert_allclose(x.pmf(grid), ref.pmf(grid), atol=1e-15)
    np.testing.assert_allclose(x.cdf(grid + 0.5), ref.cdf(grid + 0.5), atol=1e-15)
    assert x.mean() == pytest.approx(ref.mean(), abs=1e-12)
    assert x.var() == pytest.approx(ref.var(), abs=1e-12)
    assert x.std() == pytest.approx(ref.std(), abs=1e-12)


def test_expectation_is_exact_sum() -> None:
    die = Discrete(np.arange(1, 7), np.full(6, 1 / 6))
    assert die.expectation(lambda v: v**2) == pytest.approx(91 / 6, abs=1e-12)
    assert die.mean() == pytest.approx(3.5)
    assert die.var() == pytest.approx(35 / 12)


@pytest.mark.parametrize("p", [0.0, 0.3, 1.0])
def test_bernoulli_matches_scipy(p: float) -> None:
    b, ref = Bernoulli(p), stats.bernoulli(p)
    np.testing.assert_allclose(b.pmf([0, 1, 2]), ref.pmf([0, 1, 2]))
    np.testing.assert_allclose(b.cdf([-1, 0, 0.5, 1]), ref.cdf([-1, 0, 0.5, 1]))
    assert b.mean() == pytest.approx(ref.mean())
    assert b.var() == pytest.approx(ref.var())


@pytest.mark.parametrize(("n", "p"), [(10, 0.3), (200, 0.9), (5, 0.0), (7, 1.0)])
def test_binomial_matches_scipy(n: int, p: float) -> None:
    b, ref = Binomial(n, p), stats.binom(n, p)
    k = np.arange(-1, n + 2)
    np.testing.assert_allclose(b.pmf(k), ref.pmf(k), rtol=1e-10, atol=1e-300)
    np.testing.assert_allclose(b.cdf(k), ref.cdf(k), rtol=1e-10, atol=1e-14)
    assert b.mean() == pytest.approx(ref.mean())
    assert b.var() == pytest.approx(ref.var(), abs=1e-12)
    assert b.expectation(lambda v: v) == pytest.approx(ref.mean(), abs=1e-9)


def test_sampling_moments_converge() -> None:
    rng = np.random.default_rng(0)
    b = Binomial(20, 0.25)
    s = b.sample(200_000, rng)
    assert s.shape == (200_000,)
    assert s.mean() == pytest.approx(b.mean(), abs=0.02)
    assert s.var() == pytest.approx(b.var(), rel=0.02)
    x = Discrete(["a", "b", "c"], [0.5, 0.3, 0.2])
    labels = x.sample(100_000, rng=1)
    assert np.mean(labels == "b") == pytest.approx(0.3, abs=0.01)


def test_labels_support_pmf() -> None:
    coin = Discrete(["H", "T"], [0.25, 0.75])
    np.testing.assert_allclose(coin.pmf(["T", "H", "X"]), [0.75, 0.25, 0.0])


@pytest.mark.parametrize(
    ("values", "probs", "match"),
    [
        ([1, 2], [0.5, 0.6], "sum to 1"),
        ([1, 2], [1.5, -0.5], "negative"),
        ([1, 2, 3], [0.5, 0.5], "same length"),
        ([1, 1], [0.5, 0.5], "distinct"),
        ([1, 2], [np.nan, 0.5], "NaN"),
    ],
)
def test_discrete_validation(values: list, probs: list, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Discrete(values, probs)


def test_parameter_validation() -> None:
    with pytest.raises(ValueError, match="p must be a probability"):
        Bernoulli(1.2)
    with pytest.raises(ValueError, match="non-negative integer"):
        Binomial(-1, 0.5)
    with pytest.raises(ValueError, match="sample size"):
        Bernoulli(0.5).sample(-3)
