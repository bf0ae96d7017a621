import numpy as np
import pytest
from sklearn import preprocessing

from nnlab.linear_model import LinearRegression, NotFittedError, PolynomialFeatures


@pytest.mark.parametrize(("degree", "include_bias"), [(0, True), (1, False), (2, True), (3, False)])
@pytest.mark.parametrize("n_features", [1, 3])
def test_matches_sklearn(degree: int, include_bias: bool, n_features: int) -> None:
    X = np.random.default_rng(0).normal(size=(7, n_features))
    ours = PolynomialFeatures(degree, include_bias=include_bias).fit_transform(X)
    ref = preprocessing.PolynomialFeatures(degree, include_bias=include_bias).fit_transform(X)
    np.testing.assert_allclose(ours, ref, rtol=1e-14)


def test_one_feature_gives_vandermonde_matrix() -> None:
    x = np.array([-1.0, 0.5, 2.0])
    np.testing.assert_array_equal(
        PolynomialFeatures(3).fit_transform(x.reshape(-1, 1)), np.vander(x, 4, increasing=True)
    )


def test_cubic_fit_recovers_the_course_polynomial() -> None:
    x = np.linspace(-1, 3, 40)
    y = x**3 - 4 * x**2 + 3 * x - 2  # f(x) in the course notes
    Phi = PolynomialFeatures(3, include_bias=False).fit_transform(x.reshape(-1, 1))
    model = LinearRegression().fit(Phi, y)
    np.testing.assert_allclose(model.coef_, [3.0, -4.0, 1.0], atol=1e-9)
    assert model.intercept_ == pytest.approx(-2.0, abs=1e-9)


def test_errors() -> None:
    X = np.zeros((3, 2))
    with pytest.raises(ValueError, match="degree"):
        PolynomialFeatures(-1).fit(X)  # parameters are checked by fit, as in scikit-learn
    with pytest.raises(ValueError, match="no features"):
        PolynomialFeatures(0, include_bias=False).fit(X)
    with pytest.raises(ValueError, match="Reshape your data"):
        PolynomialFeatures(2).fit(np.zeros(3))
    poly = PolynomialFeatures(2).fit(X)
    with pytest.raises(ValueError, match="X has 3 features, but PolynomialFeatures is expecting 2"):
        poly.transform(np.zeros((3, 3)))
    with pytest.raises(NotFittedError, match="not fitted"):
        PolynomialFeatures(2).transform(X)
