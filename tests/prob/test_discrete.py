import itertools
import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from nnlab.prob import Bernoulli, Binomial, Discrete

from .oracle import assert_same

VALUES, PROBS = np.array([-1, 3, 4, 10]), np.array([0.2, 0.1, 0.4, 0.3])
# (distribution, the same in scipy.stats), including p = 0 and 1, n = 0 and a large n
CASES = [
    (Discrete([3, -1, 10, 4], [0.1, 0.2, 0.3, 0.4]), stats.rv_discrete(values=(VALUES, PROBS))),
    (Discrete([0.5, 2.25], [1.0, 0.0]), stats.rv_discrete(values=([0.5, 2.25], [1.0, 0.0]))),
    (Bernoulli(0.3), stats.bernoulli(0.3)),
    (Bernoulli(0.0), stats.bernoulli(0.0)),
    (Bernoulli(1.0), stats.bernoulli(1.0)),
    (Binomial(0, 0.3), stats.binom(0, 0.3)),
    (Binomial(10, 0.3), stats.binom(10, 0.3)),
    (Binomial(200, 0.9), stats.binom(200, 0.9)),
    (Binomial(5, 0.0), stats.binom(5, 0.0)),
    (Binomial(7, 1.0), stats.binom(7, 1.0)),
    (Binomial(1000, 1e-3), stats.binom(1000, 1e-3)),
    (Binomial(1000, 1 - 1e-12), stats.binom(1000, 1 - 1e-12)),
]
IDS = [repr(rv) for rv, _ in CASES]


def points_for(rv: Discrete) -> np.ndarray:
    """NaN, +-inf, the support, and points between, below and above it."""
    v = rv.values.astype(np.float64)
    return np.concatenate([[np.nan, -np.inf, np.inf, v[0] - 1.0, v[-1] + 1.0], v, v + 0.5])


@pytest.mark.parametrize(("rv", "ref"), CASES, ids=IDS)
def test_pmf_cdf_match_scipy_at_edges(rv: Discrete, ref) -> None:  # type: ignore[no-untyped-def]
    x = points_for(rv)
    assert_same(rv.pmf(x), ref.pmf(x))
    assert_same(rv.cdf(x), ref.cdf(x))


def binomial_entropy(n: int, p: float) -> float:
    """-sum_k p(k) ln p(k) in 40-digit arithmetic (for the double p as given)."""
    with mpmath.workdps(40):
        total = mpmath.mpf(0)
        for k in range(n + 1):
            if (k > 0 and p == 0) or (k < n and p == 1):
                continue  # p(k) = 0
            log_pk = mpmath.log(mpmath.binomial(n, k))
            log_pk += (k * mpmath.log(p) if k else 0) + (
                (n - k) * mpmath.log1p(-mpmath.mpf(p)) if k < n else 0
            )
            total -= mpmath.exp(log_pk) * log_pk
        return float(total)


def exact_binomial_cdf(n: int, p: float, x: np.ndarray) -> np.ndarray:
    """F(x) = sum_{k <= x} C(n, k) p^k (1 - p)^(n - k) in 40-digit arithmetic."""
    with mpmath.workdps(40):
        mp = mpmath.mpf(p)
        terms = (mpmath.binomial(n, k) * mp**k * (1 - mp) ** (n - k) for k in range(n + 1))
        cumulative = [float(total) for total in itertools.accumulate(terms)]
    k = np.floor(np.nan_to_num(x, nan=-1.0, posinf=n, neginf=-1.0)).astype(int)
    out = np.where(k < 0, 0.0, np.array(cumulative)[np.clip(k, 0, n)])
    return np.where(np.isnan(x), np.nan, out)


def exact_reference(rv: Discrete, ref):  # type: ignore[no-untyped-def]
    """(variance, entropy): for a binomial exact ones (scipy's var n p q loses digits for p near
    1, its entropy ~1e-14 for p near 0), else scipy's."""
    if not isinstance(rv, Binomial | Bernoulli):
        return ref.var(), ref.entropy()
    n = rv.n if isinstance(rv, Binomial) else 1
    p = Fraction(rv.p)
    return float(n * p * (1 - p)), binomial_entropy(n, rv.p)


@pytest.mark.parametrize(("rv", "ref"), CASES, ids=IDS)
def test_moments_and_entropy_match_scipy(rv: Discrete, ref) -> None:  # type: ignore[no-untyped-def]
    var, entropy = exact_reference(rv, ref)
    assert_same(rv.mean(), ref.mean())
    assert_same(rv.var(), var)
    assert_same(rv.std(), math.sqrt(var))
    assert_same(rv.entropy(), entropy)
    assert_same(rv.expectation(lambda k: k), ref.mean())


# (p below ~1e-300 makes Boost, behind scipy's binom.pmf, overflow in between)
probability = st.one_of(st.sampled_from([0.0, 1.0]), st.floats(1e-300, 1.0))


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 300), p=probability, x=st.lists(st.floats(-2.0, 302.0)))
def test_binomial_random_parameters(n: int, p: float, x: list[float]) -> None:
    rv, ref = Binomial(n, p), stats.binom(n, p)
    points = np.concatenate([np.arange(n + 1), x])
    assert_same(rv.pmf(points), ref.pmf(points))
    # scipy's binom.cdf is off by up to 4e-10 where F < 1e-290: the exact sum is the oracle there
    assert_same(rv.cdf(points), exact_binomial_cdf(n, p, points))
    var, entropy = exact_reference(rv, ref)
    assert_same(rv.mean(), ref.mean())
    assert_same(rv.var(), var)
    assert_same(rv.entropy(), entropy)


def test_labels_have_pmf_cdf_and_entropy() -> None:
    coin = Discrete(["H", "T"], [0.25, 0.75])
    np.testing.assert_allclose(coin.pmf(["T", "H", "X"]), [0.75, 0.25, 0.0])
    np.testing.assert_allclose(coin.cdf(["A", "H", "Q", "Z"]), [0.0, 0.25, 0.25, 1.0])
    assert coin.entropy() == pytest.approx(stats.entropy([0.25, 0.75]), rel=1e-15)


def test_expectation_is_exact_sum() -> None:
    die = Discrete(np.arange(1, 7), np.full(6, 1 / 6))
    assert die.expectation(lambda v: v**2) == pytest.approx(91 / 6, abs=1e-12)
    assert die.mean() == pytest.approx(3.5)
    assert die.var() == pytest.approx(35 / 12)


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
