"""Exercise: ridge regression. Regularized least squares in closed form, and λ chosen on a
validation set."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from nnlab.exercises.exercise import Exercise, Step
from nnlab.exercises.labs._cases import design
from nnlab.exercises.task import Case, Task
from nnlab.linear_model import Ridge


def ridge_weights(Phi: np.ndarray, t: np.ndarray, lam: float) -> np.ndarray:
    """w = (λI + ΦᵀΦ)⁻¹ Φᵀt, the minimizer of ½ Σ_n (t_n - wᵀφ_n)² + (λ/2) ‖w‖² (every weight
    penalized, the bias column of Φ included).

    Phi: shape (N, M); t: shape (N,); lam ≥ 0 (λ > 0 if ΦᵀΦ is singular). Returns shape (M,).
    """
    M = Phi.shape[1]
    return np.linalg.solve(lam * np.eye(M) + Phi.T @ Phi, Phi.T @ t)


def best_lambda(
    Phi_train: np.ndarray,
    t_train: np.ndarray,
    Phi_val: np.ndarray,
    t_val: np.ndarray,
    lambdas: np.ndarray,
) -> float:
    """λ* = argmin over ``lambdas`` of the validation error Σ (t_val - Phi_val w_λ)², where w_λ
    are the ridge weights fitted on the training set (the first λ on a tie).

    Phi_*: shape (N_*, M); t_*: shape (N_*,); lambdas: shape (L,), each > 0. Returns a float.
    """
    M = Phi_train.shape[1]
    errors = []
    for lam in lambdas:
        w = np.linalg.solve(lam * np.eye(M) + Phi_train.T @ Phi_train, Phi_train.T @ t_train)
        errors.append(np.sum((t_val - Phi_val @ w) ** 2))
    return float(lambdas[int(np.argmin(errors))])


def _ridge_reference(Phi: np.ndarray, t: np.ndarray, lam: float) -> np.ndarray:
    return Ridge(alpha=lam, fit_intercept=False).fit(Phi, t).coef_


def _best_reference(
    Phi_train: np.ndarray,
    t_train: np.ndarray,
    Phi_val: np.ndarray,
    t_val: np.ndarray,
    lambdas: np.ndarray,
) -> float:
    errors = [
        np.sum((t_val - _ridge_reference(Phi_train, t_train, lam) @ Phi_val.T) ** 2)
        for lam in lambdas
    ]
    return float(lambdas[int(np.argmin(errors))])


def _problems(rng: np.random.Generator) -> Iterator[Case]:
    for m in [1, 2, 3, 3, 5, 6, 8, *rng.integers(1, 9, size=5).tolist()]:
        n = int(rng.integers(m + 1, 3 * m + 6))
        Phi = design(rng, n, m)
        yield {
            "Phi": Phi,
            "t": Phi @ rng.normal(size=m) + rng.normal(0, 0.5, size=n),
            "lam": float(10 ** rng.uniform(-3, 2)),
        }


def _validations(rng: np.random.Generator) -> Iterator[Case]:
    for m in [2, 4, 6, 8, 10, *rng.integers(2, 11, size=5).tolist()]:
        n = int(rng.integers(m, 2 * m + 4))
        Phi_train, Phi_val = design(rng, n, m), design(rng, 30, m)
        w = rng.normal(size=m) * (rng.random(m) < 0.5)
        yield {
            "Phi_train": Phi_train,
            "t_train": Phi_train @ w + rng.normal(0, 1, size=n),
            "Phi_val": Phi_val,
            "t_val": Phi_val @ w + rng.normal(0, 1, size=30),
            "lambdas": np.sort(10 ** rng.uniform(-4, 3, size=int(rng.integers(2, 12)))),
        }


EXERCISE = Exercise(
    lab="ridge-regression",
    intro=r"""
A degree-9 polynomial on 10 points interpolates the noise. **Ridge regression** adds a penalty
on the size of the weights,
$$\tilde E(\mathbf{w}) = \tfrac12 \sum_n (t_n - \mathbf{w}^\top\boldsymbol\phi_n)^2 +
\tfrac{\lambda}{2}\|\mathbf{w}\|^2, \qquad \mathbf{w} = (\lambda I + \Phi^\top\Phi)^{-1}
\Phi^\top \mathbf{t},$$
which shrinks the coefficients; $\lambda$ is chosen on data not used for the fit.
""",
    setup="""\
def f(x):
    return x**3 - 4 * x**2 + 3 * x - 2

def design(x, degree=9):
    return (x[:, None] / 3) ** np.arange(degree + 1)  # x scaled to [-1/3, 1]

x_train = np.sort(rng.uniform(-1, 3, size=10)); t_train = f(x_train) + rng.normal(0, 1, 10)
x_val = np.sort(rng.uniform(-1, 3, size=100)); t_val = f(x_val) + rng.normal(0, 1, 100)
lambdas = 10.0 ** np.arange(-8, 3)
""",
    tasks=(
        Task(
            ridge_weights,
            _ridge_reference,
            _problems,
            "w = (λI + ΦᵀΦ)⁻¹ Φᵀt: add λ to the diagonal of ΦᵀΦ, then solve",
            rtol=1e-6,
            atol=1e-8,
        ),
        Task(
            best_lambda,
            _best_reference,
            _validations,
            "fit on the training set for each λ, measure the squared error on the validation "
            "set, keep the λ with the smallest",
        ),
    ),
    steps=(
        Step(
            "## Shrinkage and validation error over λ",
            """\
Phi_train, Phi_val = design(x_train), design(x_val)
sizes, errors = [], []
for lam in lambdas:
    w = ridge_weights(Phi_train, t_train, lam)
    sizes.append(np.abs(w).max())
    errors.append(np.sqrt(np.mean((Phi_val @ w - t_val) ** 2)))
print("best λ on the validation set:", best_lambda(Phi_train, t_train, Phi_val, t_val, lambdas))
fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.5))
a1.loglog(lambdas, sizes, "o-"); a1.set_xlabel("λ"); a1.set_ylabel("max |w|")
a2.loglog(lambdas, errors, "o-"); a2.set_xlabel("λ"); a2.set_ylabel("validation E_RMS")
plt.show()
""",
        ),
    ),
)
