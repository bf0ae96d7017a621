"""Exercise: joint, marginal and conditional distributions of two discrete variables, and Bayes'
theorem on a diagnostic test."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from nnlab.exercises.exercise import Exercise, Step
from nnlab.exercises.labs._cases import joint_table, probabilities
from nnlab.exercises.task import Case, Task
from nnlab.prob import JointDistribution, bayes


def marginal_x(joint: np.ndarray) -> np.ndarray:
    """p(x) = Σ_y p(x, y) from the joint table joint[i, j] = p(x_i, y_j) (sum rule).

    joint: shape (I, J). Returns shape (I,).
    """
    return joint.sum(axis=1)


def conditional_y_given_x(joint: np.ndarray) -> np.ndarray:
    """The table p(y_j | x_i) = p(x_i, y_j) / p(x_i), row i holding the distribution of y given x_i
    (product rule). Every p(x_i) > 0.

    joint: shape (I, J). Returns shape (I, J), each row summing to 1.
    """
    return joint / joint.sum(axis=1, keepdims=True)


def posterior(prior: np.ndarray, likelihood: np.ndarray) -> np.ndarray:
    """Bayes' theorem: p(h | D) = p(D | h) p(h) / p(D), with the evidence p(D) = Σ_h p(D | h) p(h).

    prior: shape (H,), summing to 1; likelihood: shape (H,), likelihood[h] = p(D | h).
    Returns shape (H,).
    """
    joint = likelihood * prior
    return joint / joint.sum()


def _table(joint: np.ndarray) -> JointDistribution:
    rows, cols = joint.shape
    return JointDistribution(["x", "y"], [np.arange(rows), np.arange(cols)], joint)


def _conditional_reference(joint: np.ndarray) -> np.ndarray:
    dist = _table(joint)
    return np.array([dist.conditional("y", given={"x": i}).probs for i in range(joint.shape[0])])


def _tables(rng: np.random.Generator) -> Iterator[Case]:
    yield {"joint": np.array([[1.0]])}
    yield {"joint": np.full((6, 6), 1 / 36)}
    for _ in range(15):
        yield {"joint": joint_table(rng, int(rng.integers(1, 7)), int(rng.integers(1, 7)))}


def _beliefs(rng: np.random.Generator) -> Iterator[Case]:
    yield {"prior": np.array([0.01, 0.99]), "likelihood": np.array([0.9, 0.05])}
    for _ in range(15):
        h = int(rng.integers(1, 8))
        yield {"prior": probabilities(rng, h, zeros=True), "likelihood": rng.uniform(0.01, 1, h)}


EXERCISE = Exercise(
    lab="joint-conditional-bayes",
    intro=r"""
Two discrete variables are described by their **joint** table $p(x, y)$. The **sum rule** gives
the marginal $p(x) = \sum_y p(x, y)$, the **product rule** the conditional
$p(y \mid x) = p(x, y) / p(x)$; $x$ and $y$ are independent when $p(x, y) = p(x)\,p(y)$.
**Bayes' theorem** turns the likelihood around:
$p(h \mid D) = p(D \mid h)\,p(h) / p(D)$.
""",
    setup="""\
two_dice = np.full((6, 6), 1 / 36)  # p(first = i + 1, second = j + 1)
""",
    tasks=(
        Task(
            marginal_x,
            lambda joint: _table(joint).marginal("x").probs,
            _tables,
            "sum rule: p(x) = Σ_y p(x, y), a sum over each row (axis=1)",
        ),
        Task(
            conditional_y_given_x,
            _conditional_reference,
            _tables,
            "product rule: p(y | x) = p(x, y) / p(x): divide each row by its sum",
        ),
        Task(
            posterior,
            lambda prior, likelihood: bayes(prior, likelihood).posterior,
            _beliefs,
            "p(h | D) ∝ p(D | h) p(h); normalise by the evidence p(D) = Σ_h p(D | h) p(h)",
        ),
    ),
    steps=(
        Step(
            "## Two dice are independent\n\nThe conditional of the second die given the first "
            "is the marginal, whatever the first shows.",
            """\
print("p(first) =", marginal_x(two_dice).round(4))
cond = conditional_y_given_x(two_dice)
print("independent:", np.allclose(cond, marginal_x(two_dice.T)[None, :]))
""",
        ),
        Step(
            "## A diagnostic test\n\n1% of people have the disease; the test detects it 90% of "
            "the time and gives 5% false positives. How likely is the disease after a positive "
            "test?",
            """\
post = posterior(np.array([0.01, 0.99]), np.array([0.90, 0.05]))
print(f"p(disease | positive) = {post[0]:.4f}")
priors = np.linspace(0.001, 0.5, 100)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(priors, [posterior(np.array([a, 1 - a]), np.array([0.9, 0.05]))[0] for a in priors])
ax.set_xlabel("prevalence p(disease)"); ax.set_ylabel("p(disease | positive)")
plt.show()
""",
        ),
    ),
)
