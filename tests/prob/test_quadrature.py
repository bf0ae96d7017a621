import math

import numpy as np
import pytest

from nnlab.prob import integrate
from nnlab.prob.quadrature import adaptive_integral, piecewise_integral


def test_integrate_broadcasts_limits() -> None:
    hi = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(integrate(lambda x: x**2, 0.0, hi), hi**3 / 3, rtol=1e-13)


def test_adaptive_integral_on_finite_and_infinite_intervals() -> None:
    assert adaptive_integral(math.cos, 0.0, math.pi / 2) == pytest.approx(1.0, rel=1e-14)
    gauss = adaptive_integral(lambda x: math.exp(-x * x), -math.inf, math.inf)
    assert gauss == pytest.approx(math.sqrt(math.pi), rel=1e-13)
    # an integrable endpoint singularity, never evaluated at the end
    assert adaptive_integral(lambda x: 1 / math.sqrt(x), 0.0, 1.0) == pytest.approx(2.0, rel=1e-12)


def test_piecewise_integral_sums_the_pieces() -> None:
    edges = [-math.inf, -1.0, 0.0, 2.0, math.inf]
    total = piecewise_integral(lambda x: math.exp(-abs(x)), edges)
    assert total == pytest.approx(2.0, rel=1e-13)
