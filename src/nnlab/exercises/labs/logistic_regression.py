"""Exercise: logistic regression. The logistic sigmoid, the cross-entropy error, its gradient
Φᵀ(y - t) and the softmax, trained by gradient descent on two Gaussian classes."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from scipy import special

from nnlab.autograd import Tensor, sigmoid_binary_cross_entropy
from nnlab.autograd import softmax as engine_softmax
from nnlab.exercises.exercise import Exercise, Step
from nnlab.exercises.labs._cases import design
from nnlab.exercises.labs._engine import constant, value_and_grads
from nnlab.exercises.task import Case, Task


def sigmoid(a: np.ndarray) -> np.ndarray:
    """σ(a) = 1 / (1 + e^{-a}) elementwise, without overflow for large |a| (for a < 0 use the
    equal form e^{a} / (1 + e^{a})).

    a: any shape. Returns the same shape, values in [0, 1].
    """
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))


def cross_entropy_error(Phi: np.ndarray, t: np.ndarray, w: np.ndarray) -> float:
    """E(w) = -Σ_n [t_n ln y_n + (1 - t_n) ln(1 - y_n)] with y_n = σ(wᵀφ_n) (a sum, not a mean).

    Phi: shape (N, M); t: shape (N,) of 0/1; w: shape (M,). Returns a float. Hint: with
    a = Φw, ln σ(a) = -ln(1 + e^{-a}) = -np.logaddexp(0, -a) stays finite.
    """
    a = Phi @ w
    return float(np.sum(t * np.logaddexp(0, -a) + (1 - t) * np.logaddexp(0, a)))


def cross_entropy_gradient(Phi: np.ndarray, t: np.ndarray, w: np.ndarray) -> np.ndarray:
    """∇E(w) = Σ_n (y_n - t_n) φ_n = Φᵀ(y - t), y_n = σ(wᵀφ_n), for the error E above.

    Phi: shape (N, M); t: shape (N,); w: shape (M,). Returns shape (M,).
    """
    y = 1 / (1 + np.exp(-(Phi @ w)))
    return Phi.T @ (y - t)


def softmax(A: np.ndarray) -> np.ndarray:
    """softmax(a)_k = e^{a_k} / Σ_j e^{a_j} for each row a of A (subtract the row's max first:
    the result is the same and e^{a} cannot overflow).

    A: shape (N, K). Returns shape (N, K), each row summing to 1.
    """
    e = np.exp(A - A.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _error_reference(Phi: np.ndarray, t: np.ndarray, w: np.ndarray) -> float:
    logits = constant(Phi) @ constant(w)
    return float(sigmoid_binary_cross_entropy(logits, t, reduction="sum").item())


def _gradient_reference(Phi: np.ndarray, t: np.ndarray, w: np.ndarray) -> np.ndarray:
    def error(weights: Tensor) -> Tensor:
        return sigmoid_binary_cross_entropy(constant(Phi) @ weights, t, reduction="sum")

    return np.asarray(value_and_grads(error, w)[1])


def _activations(rng: np.random.Generator) -> Iterator[Case]:
    yield {"a": np.array([0.0, 800.0, -800.0, 30.0, -30.0])}
    for shape in [(1,), (4,), (3, 2), (10,), (2, 5), (20,), (2, 2, 3)] * 2:
        yield {"a": rng.normal(0, 10, size=shape)}


def _classification(rng: np.random.Generator) -> Iterator[Case]:
    for m in [1, 2, 2, 3, 4, 5, *rng.integers(1, 6, size=6).tolist()]:
        n = int(rng.integers(1, 30))
        yield {
            "Phi": design(rng, n, m),
            "t": (rng.random(n) < 0.5).astype(float),
            "w": rng.normal(0, 2, size=m),
        }


def _scores(rng: np.random.Generator) -> Iterator[Case]:
    yield {"A": np.array([[1000.0, 0.0, -1000.0]])}
    for shape in [(1, 1), (1, 3), (4, 2), (5, 10), (3, 7)] * 2:
        yield {"A": rng.normal(0, 5, size=shape)}


EXERCISE = Exercise(
    lab="logistic-regression",
    intro=r"""
For two classes, $p(C_1 \mid \boldsymbol\phi) = y = \sigma(\mathbf{w}^\top\boldsymbol\phi)$ with
the logistic sigmoid $\sigma(a) = 1/(1 + e^{-a})$. The negative log-likelihood of the labels
$t_n \in \{0, 1\}$ is the **cross-entropy error**
$$E(\mathbf{w}) = -\sum_n \left[t_n \ln y_n + (1 - t_n)\ln(1 - y_n)\right], \qquad
\nabla E(\mathbf{w}) = \sum_n (y_n - t_n)\,\boldsymbol\phi_n,$$
the same form as for linear regression. For $K$ classes, $y_k = \mathrm{softmax}(\mathbf{a})_k
= e^{a_k} / \sum_j e^{a_j}$.
""",
    setup="""\
from nnlab.datasets.synthetic import two_blobs

X, t = two_blobs(100, seed=0, dtype=np.float64)
t = t.ravel()  # labels 0.0 / 1.0, shape (200,)
Phi = np.column_stack([np.ones(len(X)), X])
""",
    tasks=(
        Task(
            sigmoid,
            lambda a: special.expit(a),
            _activations,
            "σ(a) = 1/(1 + e^{-a}); for a < 0 compute e^{a}/(1 + e^{a}) so that nothing overflows",
        ),
        Task(
            cross_entropy_error,
            _error_reference,
            _classification,
            "E = -Σ [t ln y + (1 - t) ln(1 - y)], a sum over the examples (course: cross-entropy "
            "error of logistic regression)",
        ),
        Task(
            cross_entropy_gradient,
            _gradient_reference,
            _classification,
            "∇E = Φᵀ(y - t): the prediction error times the features, summed over the examples",
        ),
        Task(
            softmax,
            lambda A: np.asarray(engine_softmax(constant(A), axis=1).data),
            _scores,
            "exponentiate each row after subtracting its max, divide by the row's sum",
        ),
    ),
    steps=(
        Step(
            "## Training by gradient descent\n\nYour gradient drives the descent; the error "
            "falls and the decision boundary σ = ½ appears.",
            """\
w = np.zeros(Phi.shape[1])
errors = []
for step in range(300):
    w -= 0.01 * cross_entropy_gradient(Phi, t, w)
    errors.append(cross_entropy_error(Phi, t, w))
accuracy = np.mean((sigmoid(Phi @ w) > 0.5) == t)
print(f"w = {w.round(3)}, training accuracy {accuracy:.3f}")
fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.5))
a1.plot(errors); a1.set_xlabel("step"); a1.set_ylabel("E(w)")
a2.scatter(X[:, 0], X[:, 1], c=t, cmap="coolwarm", s=10)
xs = np.linspace(X[:, 0].min(), X[:, 0].max(), 10)
a2.plot(xs, -(w[0] + w[1] * xs) / w[2], "k--")
plt.show()
print("softmax of the scores [2, 1, 0]:", softmax(np.array([[2.0, 1.0, 0.0]])).round(4))
""",
        ),
    ),
)
