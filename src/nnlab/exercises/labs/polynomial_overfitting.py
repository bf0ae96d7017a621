"""Exercise: polynomial overfitting. The polynomial design matrix, the least-squares fit of a
degree-M polynomial and the RMS error, on f(x) = x³ - 4x² + 3x - 2 plus noise."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from nnlab.exercises.exercise import Exercise, Step
from nnlab.exercises.task import Case, Task
from nnlab.linear_model import LinearRegression, PolynomialFeatures


def polynomial_design(x: np.ndarray, degree: int) -> np.ndarray:
    """Φ with Φ[n, j] = x_n^j for j = 0..degree (the first column is ones).

    x: shape (N,). Returns shape (N, degree + 1).
    """
    return x[:, None] ** np.arange(degree + 1)


def fit_polynomial(x: np.ndarray, t: np.ndarray, degree: int) -> np.ndarray:
    """The least-squares coefficients w (w_0 first) of y(x) = Σ_j w_j x^j on the points (x, t):
    w minimizes Σ_n (t_n - Φ[n] w)², solved with np.linalg.lstsq on the design matrix Φ.

    x, t: shape (N,), N > degree. Returns shape (degree + 1,).
    """
    Phi = x[:, None] ** np.arange(degree + 1)
    w, *_ = np.linalg.lstsq(Phi, t, rcond=None)
    return w


def rms_error(y: np.ndarray, t: np.ndarray) -> float:
    """E_RMS = sqrt((1/N) Σ_n (y_n - t_n)²) = sqrt(2 E(w) / N), comparable across N.

    y (predictions), t (targets): shape (N,). Returns a float.
    """
    return float(np.sqrt(np.mean((y - t) ** 2)))


def _designs(rng: np.random.Generator) -> Iterator[Case]:
    for degree in [0, 1, 2, 3, 5, 9, *rng.integers(0, 10, size=6).tolist()]:
        yield {"x": rng.uniform(-2, 2, size=int(rng.integers(1, 12))), "degree": int(degree)}


def _fits(rng: np.random.Generator) -> Iterator[Case]:
    for degree in [0, 1, 1, 2, 3, 4, 4, *rng.integers(0, 5, size=5).tolist()]:
        degree = int(degree)
        n = int(rng.integers(3 * (degree + 1), 40))
        x = rng.uniform(-1, 1, size=n)
        t = x**3 - 4 * x**2 + 3 * x - 2 + rng.normal(0, 0.3, size=n)
        yield {"x": x, "t": t, "degree": degree}


def _errors(rng: np.random.Generator) -> Iterator[Case]:
    for n in [1, 2, *rng.integers(3, 50, size=10).tolist()]:
        yield {"y": rng.normal(size=n), "t": rng.normal(size=n)}


def _design_reference(x: np.ndarray, degree: int) -> np.ndarray:
    return PolynomialFeatures(degree).fit_transform(x.reshape(-1, 1))


def _fit_reference(x: np.ndarray, t: np.ndarray, degree: int) -> np.ndarray:
    return LinearRegression(fit_intercept=False).fit(_design_reference(x, degree), t).coef_


EXERCISE = Exercise(
    lab="polynomial-overfitting",
    intro=r"""
Fit $y(x, \mathbf{w}) = \sum_{j=0}^{M} w_j x^j$ to noisy samples of
$f(x) = x^3 - 4x^2 + 3x - 2$ by least squares, for degrees $M = 0..9$. Low degrees
**under-fit** (high training and test error); degree 3 fits; high degrees **over-fit**: the
training error keeps falling while the test error and the size of the coefficients explode.
The error is compared as $E_{RMS} = \sqrt{2E(\mathbf{w})/N}$.
""",
    setup="""\
def f(x):
    return x**3 - 4 * x**2 + 3 * x - 2

x_train = np.sort(rng.uniform(-1, 3, size=12))
t_train = f(x_train) + rng.normal(0, 1.0, size=x_train.size)
x_test = np.sort(rng.uniform(-1, 3, size=200))
t_test = f(x_test) + rng.normal(0, 1.0, size=x_test.size)
""",
    tasks=(
        Task(
            polynomial_design,
            _design_reference,
            _designs,
            "column j holds x**j, from j = 0 (ones) to the degree: degree + 1 columns",
        ),
        Task(
            fit_polynomial,
            _fit_reference,
            _fits,
            "least squares on Φ: np.linalg.lstsq(Phi, t) (course: polynomial curve fitting)",
            rtol=1e-5,
            atol=1e-7,
        ),
        Task(
            rms_error,
            lambda y, t: float(np.sqrt(np.mean((y - t) ** 2))),
            _errors,
            "E_RMS = sqrt(mean((y - t)²)): the square root of the mean squared error",
        ),
    ),
    steps=(
        Step(
            "## Training and test error over the degree",
            """\
degrees = range(10)
train, test = [], []
for M in degrees:
    w = fit_polynomial(x_train, t_train, M)
    train.append(rms_error(polynomial_design(x_train, M) @ w, t_train))
    test.append(rms_error(polynomial_design(x_test, M) @ w, t_test))
    print(f"M = {M}: train {train[-1]:.3f}, test {test[-1]:.3f}, max |w| {np.abs(w).max():.3g}")
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(degrees, train, "o-", label="training"); ax.plot(degrees, test, "s-", label="test")
ax.set_yscale("log"); ax.set_xlabel("degree M"); ax.set_ylabel("E_RMS"); ax.legend()
plt.show()
""",
        ),
    ),
)
