"""Exercise: random variables. E, Var and σ of a discrete variable by their definitions, and the
running mean of the law of large numbers."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from nnlab.exercises.exercise import Exercise, Step
from nnlab.exercises.labs._cases import distinct_values, probabilities
from nnlab.exercises.task import Case, Task
from nnlab.prob import Discrete


def expectation(values: np.ndarray, probs: np.ndarray) -> float:
    """E[X] = Σ_x x p(x) for a discrete X taking values[i] with probability probs[i].

    values, probs: shape (K,). Returns a float.
    """
    return float(np.sum(values * probs))


def variance(values: np.ndarray, probs: np.ndarray) -> float:
    """Var(X) = E[(X - E[X])²] = Σ_x (x - μ)² p(x), with μ = E[X].

    values, probs: shape (K,). Returns a float.
    """
    mu = np.sum(values * probs)
    return float(np.sum((values - mu) ** 2 * probs))


def standard_deviation(values: np.ndarray, probs: np.ndarray) -> float:
    """σ = sqrt(Var(X)), the standard deviation (in the units of X).

    values, probs: shape (K,). Returns a float.
    """
    mu = np.sum(values * probs)
    return float(np.sqrt(np.sum((values - mu) ** 2 * probs)))


def running_mean(samples: np.ndarray) -> np.ndarray:
    """The sample mean after each draw: m_n = (1/n) Σ_{i≤n} x_i for n = 1..N.

    samples: shape (N,). Returns shape (N,). By the law of large numbers m_n → E[X].
    """
    return np.cumsum(samples) / np.arange(1, samples.size + 1)


def _distributions(rng: np.random.Generator) -> Iterator[Case]:
    yield {"values": np.array([3.0]), "probs": np.array([1.0])}
    yield {"values": np.arange(1.0, 7.0), "probs": np.full(6, 1 / 6)}
    for _ in range(20):
        k = int(rng.integers(2, 9))
        yield {"values": distinct_values(rng, k), "probs": probabilities(rng, k, zeros=True)}


def _samples(rng: np.random.Generator) -> Iterator[Case]:
    yield {"samples": np.array([2.0])}
    for _ in range(15):
        yield {"samples": rng.normal(rng.uniform(-3, 3), 2.0, size=int(rng.integers(2, 40)))}


HINT_E = "E[X] = Σ x p(x): multiply each value by its probability and add (course: expectation)"
HINT_VAR = "Var(X) = Σ (x - E[X])² p(x), the expectation of the squared deviation from the mean"

EXERCISE = Exercise(
    lab="random-variables",
    intro=r"""
A discrete random variable $X$ takes the value $x$ with probability $p(x)$. Its **expectation** is
$E[X] = \sum_x x\,p(x)$, its **variance** $\mathrm{Var}(X) = E[(X - E[X])^2]$ and its **standard
deviation** $\sigma = \sqrt{\mathrm{Var}(X)}$. For a fair die, $E[X] = 3.5$ and
$\mathrm{Var}(X) = 35/12$.

The **law of large numbers**: the mean of $n$ independent draws tends to $E[X]$ as $n$ grows.
""",
    setup="""\
die_values = np.arange(1.0, 7.0)
die_probs = np.full(6, 1 / 6)
""",
    tasks=(
        Task(
            expectation,
            lambda values, probs: Discrete(values, probs).mean(),
            _distributions,
            HINT_E,
        ),
        Task(
            variance, lambda values, probs: Discrete(values, probs).var(), _distributions, HINT_VAR
        ),
        Task(
            standard_deviation,
            lambda values, probs: Discrete(values, probs).std(),
            _distributions,
            "σ = sqrt(Var(X)): the square root of the variance, not the variance",
        ),
        Task(
            running_mean,
            lambda samples: np.cumsum(samples) / np.arange(1, samples.size + 1),
            _samples,
            "m_n = (x_1 + ... + x_n) / n for every n: np.cumsum divided by n",
        ),
    ),
    steps=(
        Step(
            "## The die by definition\n\nYour functions on the fair die, next to the library's "
            "`nnlab.prob.Discrete`.",
            """\
from nnlab.prob import Discrete

die = Discrete(die_values, die_probs)
print(f"E[X]   = {expectation(die_values, die_probs):.4f}   (library {die.mean():.4f})")
print(f"Var(X) = {variance(die_values, die_probs):.4f}   (library {die.var():.4f})")
print(f"σ      = {standard_deviation(die_values, die_probs):.4f}   (library {die.std():.4f})")
""",
        ),
        Step(
            "## The law of large numbers\n\nThe running mean of 2000 rolls approaches 3.5.",
            """\
rolls = rng.integers(1, 7, size=2000).astype(float)
m = running_mean(rolls)
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.plot(np.arange(1, m.size + 1), m, label="running mean")
ax.axhline(expectation(die_values, die_probs), color="k", linestyle="--", label="E[X]")
ax.set_xscale("log"); ax.set_xlabel("number of rolls n"); ax.legend()
plt.show()
""",
        ),
    ),
)
