"""Exercise: MNIST softmax regression. One-hot targets, the softmax cross-entropy and its
gradient with respect to the logits, then the course's training loop on the student's code."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from nnlab.autograd import softmax_cross_entropy as engine_softmax_cross_entropy
from nnlab.exercises.exercise import Exercise, Step
from nnlab.exercises.labs._engine import constant, value_and_grads
from nnlab.exercises.task import Case, Task

#: the notebooks' MNIST loading, with a synthetic stand-in when the files are not on this machine
MNIST_SETUP = """\
from nnlab.datasets import load_mnist_flat

try:
    (x_train, y_train), (x_test, y_test) = load_mnist_flat(limit={limit}, download=False,
                                                           progress=False)
except (OSError, ValueError) as exc:
    print(f"MNIST is not on this machine ({{exc}}).\\nSet NNLAB_DATA to a folder holding mnist/, "
          "or run `nnlab run mnist-softmax` once to download it. Using a synthetic stand-in: "
          "10 Gaussian classes in 784 dimensions.")
    centres = rng.uniform(0, 1, size=(10, 784))
    y_train, y_test = rng.integers(0, 10, size={limit}), rng.integers(0, 10, size={limit} // 5)
    x_train = np.clip(centres[y_train] + rng.normal(0, 0.5, (y_train.size, 784)), 0, 1)
    x_test = np.clip(centres[y_test] + rng.normal(0, 0.5, (y_test.size, 784)), 0, 1)
x_train, x_test = x_train.astype(np.float64), x_test.astype(np.float64)
print("training images:", x_train.shape, " test images:", x_test.shape)
"""


def one_hot(labels: np.ndarray, num_classes: int) -> np.ndarray:
    """T[n, k] = 1 if labels[n] == k else 0 (the course's one-hot targets).

    labels: integer shape (N,), values in 0..num_classes-1. Returns float shape (N, num_classes).
    """
    T = np.zeros((labels.size, num_classes))
    T[np.arange(labels.size), labels] = 1.0
    return T


def softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> float:
    """L = -(1/N) Σ_n ln softmax(z_n)[labels[n]], with ln softmax(z)_k = z_k - ln Σ_j e^{z_j}
    (subtract each row's max before exponentiating).

    logits: shape (N, K); labels: integer shape (N,). Returns a float.
    """
    z = logits - logits.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-np.mean(log_p[np.arange(labels.size), labels]))


def softmax_cross_entropy_gradient(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """dL/dZ = (softmax(Z) - T) / N for the mean loss L above, T the one-hot targets.

    logits: shape (N, K); labels: integer shape (N,). Returns shape (N, K).
    """
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = z / z.sum(axis=1, keepdims=True)
    p[np.arange(labels.size), labels] -= 1
    return p / labels.size


def _loss(logits: np.ndarray, labels: np.ndarray) -> float:
    return float(engine_softmax_cross_entropy(constant(logits), labels).item())


def _gradient(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    _value, grad = value_and_grads(lambda z: engine_softmax_cross_entropy(z, labels), logits)
    return np.asarray(grad)


def _labels(rng: np.random.Generator) -> Iterator[Case]:
    for n, k in [(1, 1), (1, 10), (3, 2), (8, 10), (20, 5), (50, 10)] * 2:
        yield {"labels": rng.integers(0, k, size=n), "num_classes": k}


def _logits(rng: np.random.Generator) -> Iterator[Case]:
    yield {"logits": np.array([[1000.0, 0.0, -1000.0]]), "labels": np.array([1])}
    for n, k in [(1, 2), (2, 3), (5, 10), (16, 10), (32, 4)] * 2:
        yield {"logits": rng.normal(0, 4, size=(n, k)), "labels": rng.integers(0, k, size=n)}


EXERCISE = Exercise(
    lab="mnist-softmax",
    intro=r"""
Softmax regression on MNIST: the 784 pixels $\mathbf{x}$ of a digit give ten scores
$\mathbf{z} = \mathbf{x}W + \mathbf{b}$ and the probabilities $y = \mathrm{softmax}(\mathbf{z})$.
The loss is the cross-entropy with the one-hot target, $L = -\frac1N\sum_n \ln y_{n, t_n}$, whose
gradient with respect to the scores is $(y - T)/N$: then $\partial L/\partial W = X^\top (y - T)/N$
and $\partial L/\partial \mathbf{b} = \sum_n (y_n - T_n)/N$. Trained by gradient descent it
reaches about 92% on the test set.
""",
    setup=MNIST_SETUP.format(limit=6000),
    tasks=(
        Task(
            one_hot,
            lambda labels, num_classes: np.eye(num_classes)[labels],
            _labels,
            "a row of zeros per example with a 1 in the column of its label",
        ),
        Task(
            softmax_cross_entropy,
            _loss,
            _logits,
            "mean over the batch of -log softmax(z)[label]; log softmax = z - logsumexp(z), "
            "after subtracting the row max (no overflow)",
        ),
        Task(
            softmax_cross_entropy_gradient,
            _gradient,
            _logits,
            "dL/dz = (softmax(z) - onehot) / N: subtract 1 at each label, divide by the batch size",
        ),
    ),
    steps=(
        Step(
            "## Training\n\nThe course's loop: batches of 100, learning rate 0.5, your loss and "
            "gradient.",
            """\
W, b = np.zeros((784, 10)), np.zeros(10)
losses = []
for step in range(300):
    idx = rng.integers(0, len(x_train), size=100)
    xb, yb = x_train[idx], y_train[idx]
    logits = xb @ W + b
    losses.append(softmax_cross_entropy(logits, yb))
    dz = softmax_cross_entropy_gradient(logits, yb)
    W -= 0.5 * xb.T @ dz
    b -= 0.5 * dz.sum(axis=0)
accuracy = np.mean((x_test @ W + b).argmax(axis=1) == y_test)
print(f"test accuracy after 300 steps: {accuracy:.3f}")
print("targets of the first three digits:\\n", one_hot(y_train[:3], 10))
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(losses); ax.set_xlabel("step"); ax.set_ylabel("batch loss")
plt.show()
""",
        ),
    ),
)
