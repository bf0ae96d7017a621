import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special, stats

from nnlab.prob import Beta, Continuous, Exponential, Normal, Uniform

from .oracle import TINY, assert_same, edge_points

# (distribution, the same distribution in scipy.stats): tiny and huge scales, every Beta regime
CASES = [
    (Normal(1.5, 2.0), stats.norm(1.5, 2.0)),
    (Normal(-3.0, 1e-8), stats.norm(-3.0, 1e-8)),
    (Normal(0.0, 1e-300), stats.norm(0.0, 1e-300)),
    (Normal(2e5, 1e150), stats.norm(2e5, 1e150)),
    (Uniform(-1.0, 3.0), stats.uniform(-1.0, 4.0)),
    (Uniform(0.0, 1e-300), stats.uniform(0.0, 1e-300)),
    (Uniform(-1e300, 1e300), stats.uniform(-1e300, 2e300)),
    (Exponential(2.5), stats.expon(scale=1 / 2.5)),
    (Exponential(1e-200), stats.expon(scale=1e200)),
    (Exponential(1e200), stats.expon(scale=1e-200)),
    (Beta(2.0, 5.0), stats.beta(2.0, 5.0)),
    (Beta(3.5, 1.5), stats.beta(3.5, 1.5)),
    (Beta(1.0, 1.0), stats.beta(1.0, 1.0)),
    (Beta(1.0, 3.0), stats.beta(1.0, 3.0)),
    (Beta(3.0, 1.0), stats.beta(3.0, 1.0)),
    (Beta(0.5, 0.5), stats.beta(0.5, 0.5)),
    (Beta(0.1, 0.1), stats.beta(0.1, 0.1)),
    (Beta(0.001, 1.0), stats.beta(0.001, 1.0)),
    (Beta(2.5, 0.01), stats.beta(2.5, 0.01)),
    (Beta(1e3, 1e3), stats.beta(1e3, 1e3)),
    (Beta(1e-3, 1e4), stats.beta(1e-3, 1e4)),
    (Beta(1e5, 2.0), stats.beta(1e5, 2.0)),
]
IDS = [repr(rv) for rv, _ in CASES]
QUANTILES = [1e-12, 1e-6, 0.01, 0.3, 0.5, 0.7, 0.99, 1 - 1e-6]


def points_for(rv: Continuous, ref) -> np.ndarray:  # type: ignore[no-untyped-def]
    return edge_points(*rv.support(), ref.ppf(QUANTILES))


@pytest.mark.parametrize(("rv", "ref"), CASES, ids=IDS)
def test_pdf_logpdf_cdf_match_scipy_at_edges(rv: Continuous, ref) -> None:  # type: ignore[no-untyped-def]
    x = points_for(rv, ref)
    assert_same(rv.pdf(x), ref.pdf(x))
    assert_same(rv.cdf(x), ref.cdf(x))
    assert_same(rv.logpdf(x), ref.logpdf(x), atol=1e-12)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # in scipy's var
@pytest.mark.parametrize(("rv", "ref"), CASES, ids=IDS)
def test_moments_and_entropy_match_scipy(rv: Continuous, ref) -> None:  # type: ignore[no-untyped-def]
    assert_same(rv.mean(), ref.mean())
    assert_same(rv.var(), ref.var())
    if TINY < ref.var() < np.inf:  # scipy's std is sqrt(var): it under/overflows with var
        assert_same(rv.std(), ref.std())
    assert_same(rv.entropy(), ref.entropy())


@pytest.mark.parametrize(
    ("rv", "var", "std"),
    [
        (Normal(0.0, 1e200), math.inf, 1e200),
        (Normal(0.0, 1e-300), 0.0, 1e-300),
        (Uniform(-1e300, 1e300), math.inf, 2e300 / math.sqrt(12.0)),
        (Exponential(1e-200), math.inf, 1e200),
        (Exponential(1e200), 0.0, 1e-200),
        (
            Beta(1e200, 1e200),
            float(Fraction(1, 4) / (Fraction(2e200) + 1)),
            1 / (2 * 1e100 * 2**0.5),
        ),
    ],
    ids=repr,
)
def test_moments_out_of_double_range_do_not_raise(rv: Continuous, var: float, std: float) -> None:
    """Var overflows (or underflows) to inf (0) as a double; std = sqrt(Var) is still exact."""
    assert_same(rv.var(), var)
    assert_same(rv.std(), std)


def test_regressions_from_the_numerical_integrals() -> None:
    assert Beta(0.1, 0.1).cdf(1.0) == 1.0
    assert Beta(0.001, 1.0).cdf(1.0) == 1.0
    x = np.linspace(0.98, 1.0, 20_001)
    assert np.all(np.diff(Beta(1e3, 1e3).cdf(x)) >= 0)  # monotone
    assert_same(Beta(1e3, 1e3).cdf(0.996), stats.beta(1e3, 1e3).cdf(0.996))
    assert Beta(0.1, 0.1).mean() == 0.5
    assert_same(Normal(2.0, 3.0).cdf([-np.inf, np.inf, np.nan]), [0.0, 1.0, np.nan])
    assert_same(Beta(0.5, 2.0).pdf([0.0, 1.0]), [np.inf, 0.0])
    assert_same(Beta(1.0, 0.5).pdf([0.0, 1.0]), [0.5, np.inf])


def test_support_ends_are_exact() -> None:
    """The density is 1/(b - a) on the closed interval and 0 one double beyond (scipy rounds
    (x - a) / (b - a) first, so it may still see the neighbour of b inside)."""
    u = Uniform(-1.0, 3.0)
    assert_same(
        u.pdf([-1.0, 3.0, np.nextafter(3.0, 4.0), np.nextafter(-1.0, -2.0)]), [0.25, 0.25, 0, 0]
    )
    e = Exponential(1e-200)
    assert_same(e.pdf([0.0, -0.0, -5e-324]), [1e-200, 1e-200, 0.0])
    assert_same(e.cdf([-5e-324, 0.0]), [0.0, 0.0])


# random parameters: scales over 200 decades, Beta shapes from 1e-3 to 1e4
log_scale = st.floats(-100.0, 100.0).map(lambda t: 10.0**t)
shape = st.floats(-3.0, 4.0).map(lambda t: 10.0**t)
unit = st.floats(0.0, 1.0)
settings_ = settings(max_examples=60, deadline=None)


def check_against(  # type: ignore[no-untyped-def]
    rv: Continuous, ref, x: np.ndarray, log_of_pdf: bool = False, mean: float | None = None
) -> None:
    """pdf, cdf, logpdf, moments and entropy; with ``log_of_pdf`` the log-density is compared with
    ln(scipy's pdf) (scipy's beta.logpdf subtracts betaln, off by ~1e-16 (a + b) ln(a + b));
    ``mean``: the exact mean, where scipy's loses digits."""
    pdf = ref.pdf(x)
    assert_same(rv.pdf(x), pdf)
    assert_same(rv.cdf(x), ref.cdf(x))
    log_pdf = ref.logpdf(x)
    if log_of_pdf:
        log_pdf = np.log(pdf, where=pdf > TINY, out=log_pdf)
    assert_same(rv.logpdf(x), log_pdf, atol=1e-12)
    assert_same(rv.mean(), ref.mean() if mean is None else mean)
    assert_same(rv.var(), ref.var())
    assert_same(rv.entropy(), ref.entropy(), atol=1e-13)


@settings_
@given(mu=st.floats(-1e6, 1e6), sigma=log_scale, z=st.lists(st.floats(-40, 40), min_size=1))
def test_normal_random_parameters(mu: float, sigma: float, z: list[float]) -> None:
    check_against(Normal(mu, sigma), stats.norm(mu, sigma), mu + sigma * np.array(z))


@settings_
@given(c=st.floats(-1e6, 1e6), width=log_scale, t=st.lists(st.floats(-0.5, 1.5), min_size=1))
def test_uniform_random_parameters(c: float, width: float, t: list[float]) -> None:
    a = c * width
    rv = Uniform(a, a + width)
    ref = stats.uniform(rv.a, rv.width)
    # scipy's mean a + (b - a)/2 cancels when a ~ -b; the exact (a + b)/2 of the two doubles:
    exact_mean = float((Fraction(rv.a) + Fraction(rv.b)) / 2)
    check_against(rv, ref, a + width * np.array(t), mean=exact_mean)


@settings_
@given(rate=log_scale, t=st.lists(st.floats(-1.0, 700.0), min_size=1))
def test_exponential_random_parameters(rate: float, t: list[float]) -> None:
    check_against(Exponential(rate), stats.expon(scale=1 / rate), np.array(t) / rate)


@pytest.mark.filterwarnings("ignore:Error in function boost:RuntimeWarning")  # scipy's ppf
@settings_
@given(a=shape, b=shape, q=st.lists(unit, min_size=1), x=st.lists(unit, min_size=1))
def test_beta_random_parameters(a: float, b: float, q: list[float], x: list[float]) -> None:
    ref = stats.beta(a, b)
    points = np.concatenate([ref.ppf(q), x])
    # (Boost, behind scipy's beta.pdf, overflows in between for x below ~1e-300)
    check_against(Beta(a, b), ref, points[(points > 1e-300) & (points < 1)], log_of_pdf=True)


# where std << |mean| the values x = mean + std u are themselves rounded to ~1e-16 |mean| / std
MOMENT_CASES = [(rv, ref) for rv, ref in CASES if rv.std() / max(abs(rv.mean()), rv.std()) > 1e-4]


@pytest.mark.parametrize(("rv", "ref"), MOMENT_CASES, ids=[repr(rv) for rv, _ in MOMENT_CASES])
def test_expectation_matches_closed_forms(rv: Continuous, ref) -> None:  # type: ignore[no-untyped-def]
    """E[1], E[X], E[(X - mean)^2] and E[(X - mean)^3] by quadrature against the exact moments."""
    m, s = rv.mean(), rv.std()
    assert_same(rv.expectation(lambda x: np.ones_like(x)), 1.0)
    assert_same(rv.expectation(lambda x: (x - m) / s), 0.0, atol=1e-12)  # E[X] - mean
    assert_same(rv.expectation(lambda x: ((x - m) / s) ** 2), 1.0)
    skewness = float(ref.stats(moments="s"))
    assert_same(rv.expectation(lambda x: ((x - m) / s) ** 3), skewness, atol=1e-11)


@pytest.mark.parametrize(("a", "b"), [(0.1, 0.1), (0.3, 0.7), (0.5, 1e4), (2.0, 5.0), (1e3, 0.5)])
def test_beta_expectation_of_logs(a: float, b: float) -> None:
    """E[ln X] = psi(a) - psi(a + b) and E[ln(1 - X)] = psi(b) - psi(a + b): f singular at the ends
    of the support, where the density may be singular too."""
    rv = Beta(a, b)
    assert_same(rv.expectation(np.log), special.digamma(a) - special.digamma(a + b))
    if b >= 1:  # for b < 1 E[ln(1 - X)] needs 1 - X below 1e-16, where X rounds to 1
        expected = special.digamma(b) - special.digamma(a + b)
        assert_same(rv.expectation(lambda x: np.log1p(-x)), expected)


@pytest.mark.parametrize(
    ("rv", "ref"),
    [
        (Normal(1.5, 2.0), stats.norm(1.5, 2.0)),
        (Uniform(-1.0, 3.0), stats.uniform(-1.0, 4.0)),
        (Exponential(2.5), stats.expon(scale=0.4)),
        (Beta(2.0, 5.0), stats.beta(2.0, 5.0)),
        (Beta(0.5, 0.5), stats.beta(0.5, 0.5)),
    ],
    ids=lambda value: repr(value) if isinstance(value, Continuous) else "scipy",
)
def test_expectation_agrees_with_scipy_expect(rv: Continuous, ref) -> None:  # type: ignore[no-untyped-def]
    """scipy's ``expect`` uses quad's default tolerance 1.5e-8, hence the looser rtol."""
    for f in (np.cos, lambda x: np.exp(-x * x), lambda x: np.abs(x - 0.3)):
        assert_same(rv.expectation(f), ref.expect(f), rtol=1e-7)


@pytest.mark.parametrize(("rv", "ref"), CASES[:12], ids=IDS[:12])
def test_sampling_moments_converge(rv: Continuous, ref) -> None:  # type: ignore[no-untyped-def]
    s = rv.sample(100_000, rng=np.random.default_rng(42))
    assert s.shape == (100_000,)
    z = s / rv.std()  # in units of std: no overflow in the sample's moments at huge scales
    assert z.mean() == pytest.approx(rv.mean() / rv.std(), abs=5 / np.sqrt(s.size))
    assert z.std() == pytest.approx(1.0, rel=0.03)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: Normal(0.0, 0.0), "sigma"),
        (lambda: Normal(0.0, -1.0), "sigma"),
        (lambda: Normal(np.nan, 1.0), "mu"),
        (lambda: Uniform(2.0, 1.0), "a < b"),
        (lambda: Uniform(0.0, np.inf), "a < b"),
        (lambda: Uniform(-1e308, 1e308), "finite width"),
        (lambda: Exponential(-1.0), "rate"),
        (lambda: Exponential(np.nan), "rate"),
        (lambda: Exponential(1e-320), "rate is too small"),
        (lambda: Beta(0.0, 1.0), "^a must"),
        (lambda: Beta(1.0, -2.0), "^b must"),
        (lambda: Beta(np.inf, 1.0), "^a must"),
        (lambda: Beta(0.5, 2.0).mode(), "a > 1 and b > 1"),
    ],
)
def test_invalid_parameters_name_the_parameter(make, match: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=match):
        make()


@settings(max_examples=25, deadline=None)
@given(a=st.floats(-2.0, 3.0).map(lambda t: 10.0**t), b=st.floats(-2.0, 3.0).map(lambda t: 10.0**t))
def test_beta_expectation_random_parameters(a: float, b: float) -> None:
    """E[X] = a / (a + b) and E[X^2] = a (a + 1) / ((a + b)(a + b + 1)) by quadrature, including
    the singular densities a, b < 1."""
    rv = Beta(a, b)
    assert_same(rv.expectation(lambda x: x), a / (a + b))
    assert_same(rv.expectation(lambda x: x * x), a * (a + 1) / ((a + b) * (a + b + 1)))
