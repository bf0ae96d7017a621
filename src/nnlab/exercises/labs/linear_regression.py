"""Exercise: linear regression. The normal equations, the ML noise variance and the Gaussian
log-likelihood of the data."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from scipy import stats

from nnlab.exercises.exercise import Exercise, Step
from nnlab.exercises.labs._cases import design
from nnlab.exercises.task import Case, Task
from nnlab.linear_model import LinearRegression


def normal_equations(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """w = (XᵀX)⁻¹ Xᵀy, the least-squares weights (X's first column is ones: w[0] is the bias).

    X: shape (N, M) of full column rank; y: shape (N,). Returns shape (M,).
    """
    return np.linalg.solve(X.T @ X, X.T @ y)


def noise_variance_ml(X: np.ndarray, y: np.ndarray) -> float:
    """σ²_ML = (1/N) Σ_n (y_n - wᵀx_n)² with w from the normal equations (a variance, not σ).

    X: shape (N, M); y: shape (N,). Returns a float.
    """
    w = np.linalg.solve(X.T @ X, X.T @ y)
    return float(np.mean((y - X @ w) ** 2))


def gaussian_log_likelihood(X: np.ndarray, y: np.ndarray, w: np.ndarray, sigma2: float) -> float:
    """ln p(y | X, w, σ²) = -N/2 ln(2πσ²) - (1/(2σ²)) Σ_n (y_n - wᵀx_n)², for y_n ~ N(wᵀx_n, σ²).

    X: shape (N, M); y: shape (N,); w: shape (M,); sigma2: the noise variance. Returns a float.
    """
    n = y.size
    return float(-n / 2 * np.log(2 * np.pi * sigma2) - np.sum((y - X @ w) ** 2) / (2 * sigma2))


def _regressions(rng: np.random.Generator, with_w: bool) -> Iterator[Case]:
    for m in [1, 2, 2, 3, 3, 4, 5, 6, *rng.integers(1, 7, size=6).tolist()]:
        n = int(rng.integers(m + 2, 4 * m + 10))
        X = design(rng, n, m)
        w = rng.normal(size=m)
        y = X @ w + rng.normal(0, rng.uniform(0.1, 2), size=n)
        case: Case = {"X": X, "y": y}
        if with_w:
            case.update(w=w + rng.normal(0, 0.3, size=m), sigma2=float(rng.uniform(0.05, 4)))
        yield case


def _fit(X: np.ndarray, y: np.ndarray) -> LinearRegression:
    return LinearRegression(fit_intercept=False).fit(X, y)


def _log_likelihood_reference(X: np.ndarray, y: np.ndarray, w: np.ndarray, sigma2: float) -> float:
    return float(np.sum(stats.norm.logpdf(y, loc=X @ w, scale=np.sqrt(sigma2))))


EXERCISE = Exercise(
    lab="linear-regression",
    intro=r"""
The model $y = \mathbf{w}^\top \mathbf{x} + \varepsilon$, $\varepsilon \sim N(0, \sigma^2)$.
Maximizing the likelihood in $\mathbf{w}$ is minimizing the sum of squared errors, solved by the
**normal equations** $X^\top X \mathbf{w} = X^\top \mathbf{y}$; maximizing it in $\sigma^2$ gives
$\sigma^2_{ML} = \frac1N \sum_n (y_n - \mathbf{w}^\top \mathbf{x}_n)^2$, the mean squared residual.
""",
    setup="""\
x = np.linspace(0, 1, 40)
y = 2.0 * x + 1.0 + rng.normal(0, 0.2, size=x.size)
X = np.column_stack([np.ones_like(x), x])  # the bias column first
""",
    tasks=(
        Task(
            normal_equations,
            lambda X, y: _fit(X, y).coef_,
            lambda rng: _regressions(rng, with_w=False),
            "solve XᵀX w = Xᵀy (course: the normal equations); np.linalg.solve beats inverting",
        ),
        Task(
            noise_variance_ml,
            lambda X, y: _fit(X, y).sigma2_,
            lambda rng: _regressions(rng, with_w=False),
            "σ²_ML = (1/N) Σ (y - Xw)²: divide by N (not N - M) and do not take the square root",
        ),
        Task(
            gaussian_log_likelihood,
            _log_likelihood_reference,
            lambda rng: _regressions(rng, with_w=True),
            "sum of the log densities of N(wᵀx_n, σ²): -N/2 ln(2πσ²) - RSS / (2σ²)",
        ),
    ),
    steps=(
        Step(
            "## The fitted line\n\nYour weights and noise level on 40 noisy points of "
            "y = 2x + 1, next to `nnlab.linear_model.LinearRegression`.",
            """\
from nnlab.linear_model import LinearRegression

w = normal_equations(X, y)
s2 = noise_variance_ml(X, y)
print("w =", w.round(4), " sigma2_ML =", round(s2, 5))
print("log-likelihood:", round(gaussian_log_likelihood(X, y, w, s2), 4))
model = LinearRegression().fit(x.reshape(-1, 1), y)
print("library: w =", [round(model.intercept_, 4), round(model.coef_[0], 4)],
      " sigma2_ML =", round(model.sigma2_, 5))
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(x, y, "o", label="data"); ax.plot(x, X @ w, label="least squares"); ax.legend()
plt.show()
""",
        ),
    ),
)
