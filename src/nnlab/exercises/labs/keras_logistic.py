"""Exercise: the course's Keras logistic regression, Dense(1, sigmoid), by its mathematics: the
binary cross-entropy Keras minimizes, its gradient through the sigmoid, and the accuracy metric.
(The model itself is built with ``nnlab.keras`` in the lab's report; here the student writes what
``fit`` computes.)"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from nnlab import info
from nnlab.autograd import Tensor, sigmoid_binary_cross_entropy
from nnlab.exercises.exercise import Exercise, Step
from nnlab.exercises.labs._engine import constant, value_and_grads
from nnlab.exercises.task import Case, Task


def binary_cross_entropy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """L = -(1/N) Σ_n [y_n ln p_n + (1 - y_n) ln(1 - p_n)], Keras's "binary_crossentropy" on
    probabilities p = y_pred in (0, 1).

    y_true (0/1), y_pred: shape (N,). Returns a float.
    """
    return float(-np.mean(y_true * np.log(y_pred) + (1 - y_true) * np.log(1 - y_pred)))


def dense_sigmoid_gradients(
    X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float
) -> tuple[np.ndarray, float]:
    """Gradients of the mean binary cross-entropy of p = σ(Xw + b), the output of Dense(1,
    activation="sigmoid"): with the error e = p - y,

        dL/dw = Xᵀe / N,     dL/db = mean(e).

    X: shape (N, D); y: shape (N,) of 0/1; w: shape (D,). Returns (dL/dw of shape (D,), dL/db).
    """
    e = 1 / (1 + np.exp(-(X @ w + b))) - y
    return X.T @ e / y.size, float(np.mean(e))


def binary_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """accuracy = (1/N) Σ_n [ŷ_n = y_n], the predicted class ŷ_n = 1 if y_pred_n > 0.5 else 0.

    y_true (0/1), y_pred (probabilities): shape (N,). Returns a float in [0, 1].
    """
    return float(np.mean((y_pred > 0.5) == (y_true == 1)))


def _bce_reference(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return info.binary_cross_entropy(y_true, y_pred)


def _gradient_reference(
    X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float
) -> tuple[np.ndarray, float]:
    def loss(wt: Tensor, bt: Tensor) -> Tensor:
        return sigmoid_binary_cross_entropy(constant(X) @ wt + bt, y, reduction="mean")

    _value, dw, db = value_and_grads(loss, w, b)
    return np.asarray(dw), float(db)


def _labels(rng: np.random.Generator, n: int) -> np.ndarray:
    return (rng.random(n) < 0.5).astype(float)


def _predictions(rng: np.random.Generator) -> Iterator[Case]:
    for n in [1, 2, 5, 20, 64, *rng.integers(1, 40, size=6).tolist()]:
        yield {"y_true": _labels(rng, n), "y_pred": rng.uniform(0.001, 0.999, size=n)}


def _batches(rng: np.random.Generator) -> Iterator[Case]:
    for n, d in [(1, 1), (4, 2), (10, 2), (32, 3), (50, 5)] * 2:
        yield {
            "X": rng.normal(size=(n, d)),
            "y": _labels(rng, n),
            "w": rng.normal(size=d),
            "b": float(rng.normal()),
        }


def _accuracies(rng: np.random.Generator) -> Iterator[Case]:
    for n in [1, 3, 10, 40, *rng.integers(2, 50, size=6).tolist()]:
        p = rng.uniform(0, 1, size=n)
        p[np.abs(p - 0.5) < 1e-6] = 0.25
        yield {"y_true": _labels(rng, n), "y_pred": p}


EXERCISE = Exercise(
    lab="keras-logistic",
    intro=r"""
The course's Keras example is logistic regression on two Gaussian blobs: one `Dense(1,
activation="sigmoid")` layer, the loss `"binary_crossentropy"` and the metric `"accuracy"`,
trained by `model.fit`. Here you write what `fit` computes on each batch: the loss
$L = -\frac1N\sum_n [y_n \ln p_n + (1 - y_n)\ln(1 - p_n)]$ of $p = \sigma(X\mathbf{w} + b)$,
its gradient, which simplifies to $\frac1N X^\top(p - y)$ through the sigmoid, and the accuracy.
""",
    setup="""\
from nnlab.datasets.synthetic import two_blobs

X, y = two_blobs(250, seed=0, shuffle=True, dtype=np.float64)
y = y.ravel()
X_train, y_train, X_val, y_val = X[:400], y[:400], X[400:], y[400:]
""",
    tasks=(
        Task(
            binary_cross_entropy,
            _bce_reference,
            _predictions,
            "L = -mean(y ln p + (1 - y) ln(1 - p)): a mean over the batch, natural logarithms",
        ),
        Task(
            dense_sigmoid_gradients,
            _gradient_reference,
            _batches,
            "through the sigmoid the gradient is (p - y): dL/dw = Xᵀ(p - y)/N, dL/db = mean(p - y)",
        ),
        Task(
            binary_accuracy,
            lambda y_true, y_pred: float(np.mean((y_pred > 0.5) == (y_true == 1))),
            _accuracies,
            "threshold the probabilities at 0.5 and count the matches (Keras's binary accuracy)",
        ),
    ),
    steps=(
        Step(
            "## `fit` by hand\n\nTwenty epochs of batches of 32 with plain gradient descent "
            "(lr 0.5); the validation accuracy approaches the Bayes rate Φ(√2) ≈ 0.921.",
            """\
w, b = np.zeros(2), 0.0
history = []
for epoch in range(20):
    for start in range(0, len(X_train), 32):
        Xb, yb = X_train[start:start + 32], y_train[start:start + 32]
        dw, db = dense_sigmoid_gradients(Xb, yb, w, b)
        w, b = w - 0.5 * dw, b - 0.5 * db
    p_val = 1 / (1 + np.exp(-(X_val @ w + b)))
    history.append((binary_cross_entropy(y_val, p_val), binary_accuracy(y_val, p_val)))
loss, accuracy = history[-1]
print(f"w = {w.round(3)}, b = {b:.3f}; val loss {loss:.4f}, val accuracy {accuracy:.3f}")
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot([h[0] for h in history], label="val loss")
ax.plot([h[1] for h in history], label="val accuracy")
ax.set_xlabel("epoch"); ax.legend()
plt.show()
""",
        ),
    ),
)
