import numpy as np
import pytest
from scipy import stats

from nnlab.prob import Beta, Exponential, Normal, Uniform, integrate

CASES = [
    (Normal(1.5, 2.0), stats.norm(1.5, 2.0)),
    (Normal(-3.0, 0.1), stats.norm(-3.0, 0.1)),
    (Uniform(-1.0, 3.0), stats.uniform(-1.0, 4.0)),
    (Exponential(2.5), stats.expon(scale=1 / 2.5)),
    (Beta(2.0, 5.0), stats.beta(2.0, 5.0)),
    (Beta(3.5, 1.5), stats.beta(3.5, 1.5)),
]


@pytest.mark.parametrize(("rv", "ref"), CASES, ids=[repr(rv) for rv, _ in CASES])
def test_pdf_cdf_moments_match_scipy(rv, ref) -> None:  # type: ignore[no-untyped-def]
    lo, hi = ref.ppf(1e-6), ref.ppf(1 - 1e-6)
    x = np.linspace(lo - 1, hi + 1, 301)
    np.testing.assert_allclose(rv.pdf(x), ref.pdf(x), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(rv.cdf(x), ref.cdf(x), rtol=1e-9, atol=1e-12)
    assert rv.mean() == pytest.approx(ref.mean(), rel=1e-12)
    assert rv.var() == pytest.approx(ref.var(), rel=1e-12)
    assert rv.std() == pytest.approx(ref.std(), rel=1e-12)


@pytest.mark.parametrize(("rv", "ref"), CASES, ids=[repr(rv) for rv, _ in CASES])
def test_numerical_expectation_matches_closed_forms(rv, ref) -> None:  # type: ignore[no-untyped-def]
    assert rv.expectation(lambda x: np.ones_like(x)) == pytest.approx(1.0, abs=1e-10)
    assert rv.expectation(lambda x: x) == pytest.approx(ref.mean(), rel=1e-9, abs=1e-10)
    m = ref.mean()
    assert rv.expectation(lambda x: (x - m) ** 2) == pytest.approx(ref.var(), rel=1e-8)
    assert rv.expectation(lambda x: x**3) == pytest.approx(ref.moment(3), rel=1e-8, abs=1e-10)


@pytest.mark.parametrize(("rv", "ref"), CASES, ids=[repr(rv) for rv, _ in CASES])
def test_sampling_moments_converge(rv, ref) -> None:  # type: ignore[no-untyped-def]
    s = rv.sample(200_000, rng=np.random.default_rng(42))
    assert s.shape == (200_000,)
    assert s.mean() == pytest.approx(ref.mean(), abs=5 * ref.std() / np.sqrt(s.size))
    assert s.var() == pytest.approx(ref.var(), rel=0.02)


def test_normal_cdf_in_far_left_tail_is_relative_accurate() -> None:
    assert Normal(0, 1).cdf(-30.0) == pytest.approx(stats.norm.cdf(-30.0), rel=1e-12)


def test_integrate_broadcasts_limits() -> None:
    hi = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(integrate(lambda x: x**2, 0.0, hi), hi**3 / 3, rtol=1e-13)


def test_parameter_validation() -> None:
    with pytest.raises(ValueError, match="sigma"):
        Normal(0.0, 0.0)
    with pytest.raises(ValueError, match="a < b"):
        Uniform(2.0, 1.0)
    with pytest.raises(ValueError, match="rate"):
        Exponential(-1.0)
    with pytest.raises(ValueError, match="a > 1 and b > 1"):
        Beta(0.5, 2.0).mode()


@pytest.mark.parametrize(("a", "b"), [(0.5, 0.5), (2.5, 0.5), (1.0, 1.0), (1.0, 7.0)])
def test_beta_with_endpoint_singularities(a: float, b: float) -> None:
    rv, ref = Beta(a, b), stats.beta(a, b)
    x = np.array([0.0, 1e-6, 0.01, 0.3, 0.5, 0.9, 0.999, 1.0])
    np.testing.assert_allclose(rv.cdf(x), ref.cdf(x), rtol=1e-10, atol=1e-13)
    assert rv.expectation(lambda v: v) == pytest.approx(ref.mean(), rel=1e-10)
