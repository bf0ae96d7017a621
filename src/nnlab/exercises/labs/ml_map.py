"""Exercise: ML vs MAP. The coin's ML and MAP estimates under a Beta prior, and the posterior of
a Gaussian mean under a Gaussian prior."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from nnlab.exercises.exercise import Exercise, Step
from nnlab.exercises.task import Case, Task
from nnlab.prob import bernoulli_map, bernoulli_ml, gaussian_mean_posterior


def coin_ml(x: np.ndarray) -> float:
    """θ_ML = k / N for coin flips x ∈ {0, 1}^N with k = Σ x_i heads (N ≥ 1).

    x: shape (N,). Returns a float.
    """
    return float(np.sum(x) / x.size)


def coin_map(x: np.ndarray, a: float, b: float) -> float:
    """θ_MAP = (k + a - 1) / (N + a + b - 2), the mode of the posterior Beta(a + k, b + N - k).

    x: shape (N,) of 0/1 (N may be 0); a, b > 1: the prior Beta(a, b). Returns a float.
    """
    k = np.sum(x)
    return float((k + a - 1) / (x.size + a + b - 2))


def gaussian_mean_posterior_params(
    x: np.ndarray, sigma: float, mu0: float, sigma0: float
) -> tuple[float, float]:
    """(μ_N, σ_N) of the posterior N(μ_N, σ_N²) of the mean μ of N(μ, σ²) data, σ known,
    under the prior μ ~ N(μ_0, σ_0²). Precisions add:

        1/σ_N² = 1/σ_0² + N/σ²,     μ_N = σ_N² (μ_0/σ_0² + Σ x_i / σ²).

    x: shape (N,). Returns two floats: the mean and the standard deviation (not the variance).
    """
    var_n = 1 / (1 / sigma0**2 + x.size / sigma**2)
    mu_n = var_n * (mu0 / sigma0**2 + np.sum(x) / sigma**2)
    return float(mu_n), float(np.sqrt(var_n))


def _flips(rng: np.random.Generator, empty: bool) -> Iterator[Case]:
    sizes = [1, 2, 5, *rng.integers(3, 60, size=12).tolist()]
    if empty:
        sizes.insert(0, 0)
    for n in sizes:
        x = (rng.random(int(n)) < rng.uniform(0.05, 0.95)).astype(float)
        case: Case = {"x": x}
        if empty:
            case.update(a=float(rng.uniform(1.1, 6)), b=float(rng.uniform(1.1, 6)))
        yield case


def _gaussian(rng: np.random.Generator) -> Iterator[Case]:
    for n in [0, 1, *rng.integers(2, 50, size=12).tolist()]:
        yield {
            "x": rng.normal(rng.uniform(-5, 5), 2.0, size=int(n)),
            "sigma": float(rng.uniform(0.3, 3)),
            "mu0": float(rng.uniform(-3, 3)),
            "sigma0": float(rng.uniform(0.2, 5)),
        }


def _posterior_reference(
    x: np.ndarray, sigma: float, mu0: float, sigma0: float
) -> tuple[float, float]:
    post = gaussian_mean_posterior(x, sigma, mu0, sigma0)
    return post.mean(), post.std()


EXERCISE = Exercise(
    lab="ml-map",
    intro=r"""
A coin lands heads with probability $\theta$. From $N$ flips with $k$ heads, **maximum
likelihood** gives $\theta_{ML} = k/N$. With a prior $\theta \sim \mathrm{Beta}(a, b)$ the
posterior is $\mathrm{Beta}(a + k, b + N - k)$ and **MAP** takes its mode,
$\theta_{MAP} = \frac{k + a - 1}{N + a + b - 2}$: the prior acts as $a - 1$ heads and $b - 1$
tails seen before. For a Gaussian mean with known $\sigma$ and prior $N(\mu_0, \sigma_0^2)$ the
posterior is Gaussian and precisions add.
""",
    setup="",
    tasks=(
        Task(
            coin_ml,
            bernoulli_ml,
            lambda rng: _flips(rng, empty=False),
            "θ_ML = k / N: the fraction of heads (course: ML estimate of a Bernoulli)",
        ),
        Task(
            coin_map,
            bernoulli_map,
            lambda rng: _flips(rng, empty=True),
            "θ_MAP = (k + a - 1) / (N + a + b - 2): the mode of Beta(a + k, b + N - k)",
        ),
        Task(
            gaussian_mean_posterior_params,
            _posterior_reference,
            _gaussian,
            "1/σ_N² = 1/σ_0² + N/σ²; μ_N = σ_N² (μ_0/σ_0² + Σx/σ²); return σ_N, not σ_N²",
        ),
    ),
    steps=(
        Step(
            "## ML and MAP as the data grow\n\nThree heads in the first three flips make "
            "θ_ML = 1; the Beta(2, 2) prior keeps MAP away from the extremes until the data "
            "outweigh it.",
            """\
flips = (rng.random(200) < 0.3).astype(float)
n = np.arange(1, flips.size + 1)
ml = [coin_ml(flips[:k]) for k in n]
map_ = [coin_map(flips[:k], 2.0, 2.0) for k in n]
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.plot(n, ml, label="ML"); ax.plot(n, map_, label="MAP, Beta(2, 2) prior")
ax.axhline(0.3, color="k", linestyle="--", label="true θ")
ax.set_xscale("log"); ax.set_xlabel("flips N"); ax.legend()
plt.show()
""",
        ),
        Step(
            "## The posterior of a Gaussian mean narrows as 1/√N",
            """\
data = rng.normal(1.5, 1.0, size=100)
for N in (0, 1, 10, 100):
    mu_n, sigma_n = gaussian_mean_posterior_params(data[:N], 1.0, 0.0, 2.0)
    print(f"N = {N:3d}: mu_N = {mu_n:+.3f}, sigma_N = {sigma_n:.3f}")
""",
        ),
    ),
)
