"""Exercise: entropy, cross-entropy and KL divergence of discrete distributions, and the KL
divergence of two Gaussians."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from nnlab import info
from nnlab.exercises.exercise import Exercise, Step
from nnlab.exercises.labs._cases import probabilities
from nnlab.exercises.task import Case, Task


def entropy(p: np.ndarray) -> float:
    """H(p) = -Σ_x p(x) ln p(x) in nats, with 0 ln 0 = 0.

    p: shape (K,), a distribution (non-negative, summing to 1). Returns a float.
    """
    nz = p > 0
    return float(-np.sum(p[nz] * np.log(p[nz])))


def cross_entropy(p: np.ndarray, q: np.ndarray) -> float:
    """H(p, q) = -Σ_x p(x) ln q(x) in nats (terms with p(x) = 0 count 0; +inf if q(x) = 0 < p(x)).

    p, q: shape (K,), distributions over the same outcomes. Returns a float.
    """
    nz = p > 0
    with np.errstate(divide="ignore"):
        return float(-np.sum(p[nz] * np.log(q[nz])))


def kl_divergence(p: np.ndarray, q: np.ndarray) -> float:
    """KL(p‖q) = Σ_x p(x) ln(p(x) / q(x)) = H(p, q) - H(p) ≥ 0 (0 iff p = q; not symmetric).

    p, q: shape (K,). Returns a float (+inf if q(x) = 0 < p(x)).
    """
    nz = p > 0
    with np.errstate(divide="ignore"):
        return float(np.sum(p[nz] * (np.log(p[nz]) - np.log(q[nz]))))


def kl_normal(mu0: float, sigma0: float, mu1: float, sigma1: float) -> float:
    """KL(N(μ_0, σ_0²) ‖ N(μ_1, σ_1²)) = ln(σ_1/σ_0) + (σ_0² + (μ_0 - μ_1)²) / (2σ_1²) - ½.

    sigma0, sigma1 > 0 are standard deviations. Returns a float.
    """
    return float(np.log(sigma1 / sigma0) + (sigma0**2 + (mu0 - mu1) ** 2) / (2 * sigma1**2) - 0.5)


def _one(rng: np.random.Generator) -> Iterator[Case]:
    yield {"p": np.array([1.0])}
    yield {"p": np.array([0.5, 0.5])}
    for _ in range(18):
        yield {"p": probabilities(rng, int(rng.integers(2, 10)), zeros=True)}


def _pairs(rng: np.random.Generator) -> Iterator[Case]:
    yield {"p": np.array([1.0]), "q": np.array([1.0])}
    yield {"p": np.array([0.5, 0.5]), "q": np.array([0.5, 0.5])}
    yield {"p": np.array([0.0, 1.0]), "q": np.array([0.25, 0.75])}
    for _ in range(18):
        k = int(rng.integers(2, 10))
        yield {"p": probabilities(rng, k, zeros=True), "q": probabilities(rng, k)}


def _normals(rng: np.random.Generator) -> Iterator[Case]:
    yield {"mu0": 0.0, "sigma0": 1.0, "mu1": 0.0, "sigma1": 1.0}
    for _ in range(15):
        yield {
            "mu0": float(rng.uniform(-5, 5)),
            "sigma0": float(10 ** rng.uniform(-1, 1)),
            "mu1": float(rng.uniform(-5, 5)),
            "sigma1": float(10 ** rng.uniform(-1, 1)),
        }


EXERCISE = Exercise(
    lab="kl-cross-entropy",
    intro=r"""
For distributions $p, q$ over the same outcomes: the **entropy** $H(p) = -\sum_x p(x)\ln p(x)$,
the **cross-entropy** $H(p, q) = -\sum_x p(x) \ln q(x)$ and the **Kullback-Leibler divergence**
$\mathrm{KL}(p\|q) = \sum_x p(x) \ln\frac{p(x)}{q(x)}$, with $H(p, q) = H(p) + \mathrm{KL}(p\|q)$.
(The course notes write this identity with the terms swapped; this is the right one.)
KL is never negative, is 0 only for $p = q$, and is not symmetric.
""",
    setup="""\
p = np.array([0.1, 0.4, 0.5])
q = np.array([0.8, 0.15, 0.05])
""",
    tasks=(
        Task(
            entropy,
            info.entropy,
            _one,
            "H(p) = -Σ p ln p over the outcomes with p > 0 (0 ln 0 = 0: mask the zeros)",
        ),
        Task(
            cross_entropy,
            info.cross_entropy,
            _pairs,
            "H(p, q) = -Σ p ln q; skip the outcomes with p = 0 (they contribute 0)",
        ),
        Task(
            kl_divergence,
            info.kl_divergence,
            _pairs,
            "KL(p‖q) = Σ p ln(p/q) = H(p, q) - H(p), over the outcomes with p > 0",
        ),
        Task(
            kl_normal,
            info.kl_normal,
            _normals,
            "ln(σ1/σ0) + (σ0² + (μ0 - μ1)²) / (2σ1²) - 1/2, with σ the standard deviations",
        ),
    ),
    steps=(
        Step(
            "## KL is not symmetric\n\nThe identity H(p, q) = H(p) + KL(p‖q) holds; KL(p‖q) "
            "and KL(q‖p) differ.",
            """\
print(f"H(p) = {entropy(p):.4f}, H(p, q) = {cross_entropy(p, q):.4f}")
print(f"KL(p||q) = {kl_divergence(p, q):.4f}, KL(q||p) = {kl_divergence(q, p):.4f}")
print(f"H(p) + KL(p||q) - H(p, q) = {entropy(p) + kl_divergence(p, q) - cross_entropy(p, q):.2e}")
shifts = np.linspace(-3, 3, 61)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(shifts, [kl_normal(0.0, 1.0, s, 2.0) for s in shifts], label="KL(N(0,1) || N(s,4))")
ax.plot(shifts, [kl_normal(s, 2.0, 0.0, 1.0) for s in shifts], label="KL(N(s,4) || N(0,1))")
ax.set_xlabel("s"); ax.legend()
plt.show()
""",
        ),
    ),
)
