"""Exercise: Bayesian linear regression. The posterior N(m_N, S_N) over the weights and the
predictive mean and variance."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from nnlab.exercises.exercise import Exercise, Step
from nnlab.exercises.labs._cases import design
from nnlab.exercises.task import Case, Task
from nnlab.linear_model import BayesianLinearRegression


def weight_posterior(
    Phi: np.ndarray, t: np.ndarray, alpha: float, beta: float
) -> tuple[np.ndarray, np.ndarray]:
    """(m_N, S_N) of the posterior p(w | t) = N(m_N, S_N) for the prior N(0, α⁻¹I) and the
    noise precision β = 1/σ²:

        S_N⁻¹ = αI + β ΦᵀΦ,     m_N = β S_N Φᵀt.

    Phi: shape (N, M); t: shape (N,). Returns m_N shape (M,) and S_N shape (M, M).
    """
    M = Phi.shape[1]
    S_N = np.linalg.inv(alpha * np.eye(M) + beta * Phi.T @ Phi)
    return beta * S_N @ Phi.T @ t, S_N


def predictive(
    Phi: np.ndarray, t: np.ndarray, Phi_new: np.ndarray, alpha: float, beta: float
) -> tuple[np.ndarray, np.ndarray]:
    """The predictive distribution N(m_Nᵀφ, σ²_N(φ)) at each row φ of Phi_new, after the data
    (Phi, t): σ²_N(φ) = 1/β + φᵀ S_N φ (the noise plus the uncertainty about w).

    Phi: (N, M); t: (N,); Phi_new: (K, M). Returns the means (K,) and the variances (K,).
    """
    M = Phi.shape[1]
    S_N = np.linalg.inv(alpha * np.eye(M) + beta * Phi.T @ Phi)
    m_N = beta * S_N @ Phi.T @ t
    variance = 1 / beta + np.sum((Phi_new @ S_N) * Phi_new, axis=1)
    return Phi_new @ m_N, variance


def _posterior_reference(
    Phi: np.ndarray, t: np.ndarray, alpha: float, beta: float
) -> tuple[np.ndarray, np.ndarray]:
    model = BayesianLinearRegression(alpha=alpha, beta=beta).fit(Phi, t)
    return model.mean_, model.cov_


def _predictive_reference(
    Phi: np.ndarray, t: np.ndarray, Phi_new: np.ndarray, alpha: float, beta: float
) -> tuple[np.ndarray, np.ndarray]:
    model = BayesianLinearRegression(alpha=alpha, beta=beta).fit(Phi, t)
    mean, std = model.predict(Phi_new, return_std=True)
    return mean, std**2


def _data(rng: np.random.Generator, new: bool) -> Iterator[Case]:
    for m in [1, 2, 2, 3, 4, 6]:
        for n in (1, int(rng.integers(2, 25))):
            Phi = design(rng, n, m)
            case: Case = {"Phi": Phi, "t": Phi @ rng.normal(size=m) + rng.normal(size=n)}
            if new:
                case["Phi_new"] = design(rng, int(rng.integers(1, 6)), m)
            case.update(alpha=float(10 ** rng.uniform(-2, 1)), beta=float(10 ** rng.uniform(-1, 2)))
            yield case


EXERCISE = Exercise(
    lab="bayesian-linear-regression",
    intro=r"""
With the prior $p(\mathbf{w}) = N(\mathbf{0}, \alpha^{-1}I)$ and Gaussian noise of precision
$\beta = 1/\sigma^2$, the posterior over the weights is Gaussian (Bishop, PRML 3.3):
$$S_N^{-1} = \alpha I + \beta\,\Phi^\top\Phi, \qquad \mathbf{m}_N = \beta\, S_N \Phi^\top
\mathbf{t},$$
and the prediction at a new $\boldsymbol\phi$ is $N(\mathbf{m}_N^\top\boldsymbol\phi,\;
1/\beta + \boldsymbol\phi^\top S_N \boldsymbol\phi)$. (The course notes print $\mathbf{m}_N$
without the factor $\beta$: the formula here is the right one.)
""",
    setup="""\
alpha, beta = 2.0, 25.0  # prior precision, noise precision (noise σ = 0.2)
x = rng.uniform(-1, 1, size=20)
t = -0.3 + 0.5 * x + rng.normal(0, 0.2, size=x.size)
Phi = np.column_stack([np.ones_like(x), x])
""",
    tasks=(
        Task(
            weight_posterior,
            _posterior_reference,
            lambda rng: _data(rng, new=False),
            "S_N = (αI + βΦᵀΦ)⁻¹ and m_N = β S_N Φᵀt (do not forget the factor β)",
        ),
        Task(
            predictive,
            _predictive_reference,
            lambda rng: _data(rng, new=True),
            "mean m_Nᵀφ, variance 1/β + φᵀS_Nφ for each row φ (a variance, not a std)",
        ),
    ),
    steps=(
        Step(
            "## Sequential learning\n\nThe predictive band narrows as the points arrive.",
            """\
grid = np.linspace(-1, 1, 100)
Phi_grid = np.column_stack([np.ones_like(grid), grid])
fig, axes = plt.subplots(1, 3, figsize=(12, 3.5), sharey=True)
for ax, n in zip(axes, (1, 5, 20)):
    mean, var = predictive(Phi[:n], t[:n], Phi_grid, alpha, beta)
    ax.fill_between(grid, mean - np.sqrt(var), mean + np.sqrt(var), alpha=0.3)
    ax.plot(grid, mean); ax.plot(x[:n], t[:n], "o"); ax.set_title(f"N = {n}")
plt.show()
m_N, S_N = weight_posterior(Phi, t, alpha, beta)
print("m_N =", m_N.round(4), " posterior std of the weights:", np.sqrt(np.diag(S_N)).round(4))
""",
        ),
    ),
)
