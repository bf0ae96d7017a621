import numpy as np
import pytest
from scipy import stats
from sklearn import linear_model

from nnlab.linear_model import LinearRegression, NotFittedError, PolynomialFeatures, Ridge


def data(n: int = 60, d: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * np.arange(1, d + 1)
    y = X @ rng.normal(size=d) + 1.5 + 0.3 * rng.normal(size=n)
    return X, y


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_ols_matches_sklearn(fit_intercept: bool) -> None:
    X, y = data()
    ours = LinearRegression(fit_intercept=fit_intercept).fit(X, y)
    ref = linear_model.LinearRegression(fit_intercept=fit_intercept).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-8)
    assert ours.intercept_ == pytest.approx(ref.intercept_, abs=1e-8)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), atol=1e-8)
    assert ours.score(X, y) == pytest.approx(ref.score(X, y), abs=1e-12)


@pytest.mark.parametrize(("alpha", "fit_intercept"), [(0.1, True), (10.0, True), (3.0, False)])
def test_ridge_matches_sklearn(alpha: float, fit_intercept: bool) -> None:
    X, y = data(seed=1)
    ours = Ridge(alpha=alpha, fit_intercept=fit_intercept).fit(X, y)
    ref = linear_model.Ridge(alpha=alpha, fit_intercept=fit_intercept).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-8)
    assert ours.intercept_ == pytest.approx(ref.intercept_, abs=1e-8)


def test_ridge_handles_more_features_than_samples() -> None:
    X, y = data(n=5, d=10)
    ours = Ridge(alpha=1.0).fit(X, y)
    ref = linear_model.Ridge(alpha=1.0).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-8)


def test_noise_variance_and_log_likelihood() -> None:
    X, y = data(n=200)
    model = LinearRegression().fit(X, y)
    residual = y - model.predict(X)
    assert model.sigma2_ == pytest.approx(np.mean(residual**2))  # ML: RSS / N, a variance
    expected = stats.norm(model.predict(X), np.sqrt(model.sigma2_)).logpdf(y).sum()
    assert model.log_likelihood(X, y) == pytest.approx(expected, rel=1e-12)
    assert np.sqrt(model.sigma2_) == pytest.approx(0.3, rel=0.15)


def test_singular_system_explains_and_suggests_ridge() -> None:
    X, y = data()
    X = np.c_[X, X[:, 0] + 2 * X[:, 1]]  # a column that is a combination of two others
    with pytest.raises(ValueError, match="singular.*Ridge"):
        LinearRegression().fit(X, y)
    Ridge(alpha=1.0).fit(X, y)  # fine
    with pytest.raises(ValueError, match="rank 4 < 5"):
        LinearRegression().fit(X[:5], y[:5])


def test_bad_input_messages() -> None:
    X, y = data()
    with pytest.raises(ValueError, match="different numbers of samples: 60 and 59"):
        LinearRegression().fit(X, y[:-1])
    X_nan = X.copy()
    X_nan[3, 1] = np.nan
    with pytest.raises(ValueError, match="X contains NaN"):
        LinearRegression().fit(X_nan, y)
    with pytest.raises(ValueError, match="y contains NaN"):
        Ridge().fit(X, np.r_[y[:-1], np.nan])
    with pytest.raises(ValueError, match=r"Reshape your data: X\.reshape\(-1, 1\)"):
        LinearRegression().fit(X[:, 0], y)
    with pytest.raises(ValueError, match="alpha must be a finite number >= 0"):
        Ridge(alpha=-1.0).fit(X, y)  # parameters are checked by fit, as in scikit-learn
    with pytest.raises(NotFittedError, match="not fitted yet; call fit"):
        LinearRegression().predict(X)
    with pytest.raises(ValueError, match=r"0 feature\(s\) \(shape=\(60, 0\)\)"):
        LinearRegression().fit(X[:, :0], y)
    with pytest.raises(ValueError, match="Complex data not supported"):
        LinearRegression().fit(X + 1j, y)
    model = LinearRegression().fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but LinearRegression is expecting 4"):
        model.predict(X[:, :3])


def test_ridge_is_stable_on_ill_conditioned_polynomial_features() -> None:
    # degree-9 features on [0, 3]: cond(X^T X) ~ 1e17, where the normal equations lose every
    # digit. The SVD solution keeps ||w|| non-increasing in alpha and tends to OLS as alpha -> 0.
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 3, (10, 1))
    y = (x**3 - 4 * x**2 + 3 * x - 2)[:, 0] + rng.normal(0, 0.3, 10)
    X = PolynomialFeatures(9, include_bias=False).fit_transform(x)
    norms = [np.linalg.norm(Ridge(alpha=a).fit(X, y).coef_) for a in 10.0 ** np.arange(-14, 3)]
    assert all(b <= a * (1 + 1e-6) for a, b in zip(norms, norms[1:], strict=False))
    ols = LinearRegression().fit(X, y)
    tiny = Ridge(alpha=1e-20).fit(X, y)
    np.testing.assert_allclose(tiny.predict(X), ols.predict(X), atol=1e-6)
