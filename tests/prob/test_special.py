import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

from nnlab.prob.special import log_beta, stirling_correction

positive = st.floats(-4.0, 7.0).map(lambda t: 10.0**t)


def exact_log_beta(a: float, b: float) -> float:
    with mpmath.workdps(40):
        return float(mpmath.log(mpmath.beta(mpmath.mpf(a), mpmath.mpf(b))))


@settings(max_examples=200, deadline=None)
@given(a=positive, b=positive)
def test_log_beta_is_accurate_relative_to_its_size(a: float, b: float) -> None:
    exact = exact_log_beta(a, b)
    assert abs(float(log_beta(a, b)) - exact) <= 1e-14 * max(1.0, abs(exact))


def test_log_beta_beats_betaln_for_large_arguments() -> None:
    """betaln(1e5, 1) = -ln(1e5) is off by ~8e-11 (a density exp(... - ln B) inherits it)."""
    exact = -np.log(1e5)
    assert abs(float(log_beta(1e5, 1.0)) - exact) < 1e-14
    assert abs(special.betaln(1e5, 1.0) - exact) > 1e-11  # the reason log_beta exists


def test_log_beta_broadcasts() -> None:
    a = np.array([[0.5], [2.0]])
    b = np.array([1.0, 3.0, 50.0])
    assert log_beta(a, b).shape == (2, 3)
    np.testing.assert_allclose(log_beta(a, b), special.betaln(a, b), rtol=1e-13)


@pytest.mark.parametrize("x", [1e-3, 1.0, 9.999, 10.0, 10.001, 1e3, 1e6])
def test_stirling_correction_on_both_sides_of_the_series_switch(x: float) -> None:
    with mpmath.workdps(40):
        mx = mpmath.mpf(x)
        exact = (
            mpmath.loggamma(mx) - (mx - 0.5) * mpmath.log(mx) + mx - mpmath.log(2 * mpmath.pi) / 2
        )
    assert float(stirling_correction(x)) == pytest.approx(float(exact), rel=1e-12)


def test_stirling_correction_for_huge_arguments_is_one_over_12x() -> None:
    assert float(stirling_correction(1e200)) == pytest.approx(1 / 12e200, rel=1e-15)
