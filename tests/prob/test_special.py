import math

import numpy as np
import pytest

from nnlab.prob.special import erf, erfc, standard_normal_cdf

scipy_special = pytest.importorskip("scipy.special")


def test_erf_and_erfc_match_math_module_everywhere() -> None:
    x = np.concatenate([np.linspace(-26, 26, 4001), [0.0, 2.5, -2.5, 2.4999999]])
    ref_erf = np.array([math.erf(v) for v in x])
    ref_erfc = np.array([math.erfc(v) for v in x])
    np.testing.assert_allclose(erf(x), ref_erf, rtol=0, atol=2e-15)
    np.testing.assert_allclose(erfc(x), ref_erfc, rtol=5e-14, atol=1e-300)


def test_standard_normal_cdf_tails_match_scipy() -> None:
    z = np.linspace(-37, 8, 1001)
    np.testing.assert_allclose(standard_normal_cdf(z), scipy_special.ndtr(z), rtol=5e-13)


def test_shape_and_nan_propagate() -> None:
    x = np.array([[0.1, np.nan], [3.0, -4.0]])
    out = erf(x)
    assert out.shape == (2, 2)
    assert np.isnan(out[0, 1])
