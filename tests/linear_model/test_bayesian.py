import numpy as np
import pytest
from scipy import stats

from nnlab.linear_model import BayesianLinearRegression, NotFittedError, PolynomialFeatures

ALPHA, BETA = 2.0, 25.0  # noise std 0.2, variance 0.04


def data(n: int = 30, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, 1))
    t = -0.3 + 0.5 * x[:, 0] + rng.normal(0, 1 / np.sqrt(BETA), n)
    return PolynomialFeatures(1).fit_transform(x), t


def test_posterior_matches_closed_form() -> None:
    Phi, t = data()
    model = BayesianLinearRegression(ALPHA, BETA).fit(Phi, t)
    S_N = np.linalg.inv(ALPHA * np.eye(2) + BETA * Phi.T @ Phi)
    m_N = BETA * S_N @ Phi.T @ t  # Bishop 3.53-3.54 (note the factor beta)
    np.testing.assert_allclose(model.cov_, S_N, rtol=1e-10)
    np.testing.assert_allclose(model.mean_, m_N, rtol=1e-10)
    assert model.noise_std == pytest.approx(0.2)


def test_predictive_std_matches_closed_form() -> None:
    Phi, t = data()
    model = BayesianLinearRegression(ALPHA, BETA).fit(Phi, t)
    Phi_new = PolynomialFeatures(1).fit_transform(np.linspace(-2, 2, 9).reshape(-1, 1))
    mean, std = model.predict(Phi_new, return_std=True)
    S_N = np.linalg.inv(ALPHA * np.eye(2) + BETA * Phi.T @ Phi)
    expected_var = [1 / BETA + phi @ S_N @ phi for phi in Phi_new]
    np.testing.assert_allclose(std, np.sqrt(expected_var), rtol=1e-10)
    np.testing.assert_allclose(mean, Phi_new @ model.mean_)
    np.testing.assert_allclose(model.predict(Phi_new), mean)
    assert np.all(std >= 1 / np.sqrt(BETA))


def test_partial_fit_equals_batch_posterior() -> None:
    Phi, t = data(n=40)
    sequential = BayesianLinearRegression(ALPHA, BETA)
    for rows in np.array_split(np.arange(40), [1, 5, 22]):
        sequential.partial_fit(Phi[rows], t[rows])
    batch = BayesianLinearRegression(ALPHA, BETA).fit(Phi, t)
    np.testing.assert_allclose(sequential.mean_, batch.mean_, rtol=1e-10)
    np.testing.assert_allclose(sequential.cov_, batch.cov_, rtol=1e-10)


def test_log_evidence_matches_bishop_3_86_and_marginal_gaussian() -> None:
    Phi, t = data()
    N, M = Phi.shape
    model = BayesianLinearRegression(ALPHA, BETA)
    A = ALPHA * np.eye(M) + BETA * Phi.T @ Phi
    m_N = BETA * np.linalg.solve(A, Phi.T @ t)
    E = BETA / 2 * np.sum((t - Phi @ m_N) ** 2) + ALPHA / 2 * m_N @ m_N
    bishop = (
        M / 2 * np.log(ALPHA)
        + N / 2 * np.log(BETA)
        - E
        - 0.5 * np.linalg.slogdet(A)[1]
        - N / 2 * np.log(2 * np.pi)
    )
    # t ~ N(0, beta^-1 I + alpha^-1 Phi Phi^T) directly
    marginal = stats.multivariate_normal(
        np.zeros(N), np.eye(N) / BETA + Phi @ Phi.T / ALPHA
    ).logpdf(t)
    assert model.log_evidence(Phi, t) == pytest.approx(bishop, rel=1e-10)
    assert model.log_evidence(Phi, t) == pytest.approx(marginal, rel=1e-10)


def test_evidence_prefers_the_right_degree() -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, (50, 1))
    t = (x**3 - x)[:, 0] + rng.normal(0, 0.1, 50)
    evidence = [
        BayesianLinearRegression(1.0, 100.0).log_evidence(PolynomialFeatures(d).fit_transform(x), t)
        for d in range(8)
    ]
    assert int(np.argmax(evidence)) == 3


def test_general_prior_mean_and_covariance() -> None:
    Phi, t = data()
    m0, S0 = np.array([1.0, -1.0]), np.array([[0.5, 0.1], [0.1, 0.3]])
    model = BayesianLinearRegression(beta=BETA, prior_mean=m0, prior_cov=S0).fit(Phi, t)
    S0_inv = np.linalg.inv(S0)
    S_N = np.linalg.inv(S0_inv + BETA * Phi.T @ Phi)
    np.testing.assert_allclose(model.cov_, S_N, rtol=1e-10)
    np.testing.assert_allclose(model.mean_, S_N @ (S0_inv @ m0 + BETA * Phi.T @ t), rtol=1e-10)
    marginal = stats.multivariate_normal(Phi @ m0, np.eye(len(t)) / BETA + Phi @ S0 @ Phi.T)
    assert model.log_evidence(Phi, t) == pytest.approx(marginal.logpdf(t), rel=1e-10)


def test_sample_weights_have_posterior_moments() -> None:
    Phi, t = data()
    model = BayesianLinearRegression(ALPHA, BETA).fit(Phi, t)
    w = model.sample_weights(100_000, rng=np.random.default_rng(0))
    assert w.shape == (100_000, 2)
    np.testing.assert_allclose(
        w.mean(axis=0), model.mean_, atol=4 * np.sqrt(model.cov_.max() / 1e5)
    )
    np.testing.assert_allclose(np.cov(w.T), model.cov_, atol=0.02 * np.max(np.diag(model.cov_)))


def test_errors() -> None:
    Phi, t = data()
    with pytest.raises(ValueError, match="alpha"):
        BayesianLinearRegression(alpha=0.0).fit(Phi, t)  # parameters are checked by fit
    with pytest.raises(ValueError, match="beta"):
        BayesianLinearRegression(beta=-1.0).fit(Phi, t)
    with pytest.raises(ValueError, match="prior_mean has shape"):
        BayesianLinearRegression(prior_mean=[0.0]).fit(Phi, t)
    with pytest.raises(ValueError, match="positive definite"):
        BayesianLinearRegression(prior_cov=[[1.0, 2.0], [2.0, 1.0]]).fit(Phi, t)
    with pytest.raises(NotFittedError, match="not fitted"):
        BayesianLinearRegression().predict(Phi)
    model = BayesianLinearRegression().fit(Phi, t)
    with pytest.raises(ValueError, match="X has 3 features, but .* expecting 2"):
        model.partial_fit(np.ones((3, 3)), np.ones(3))
