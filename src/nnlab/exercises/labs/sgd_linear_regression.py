"""Exercise: SGD linear regression, the course's first training script. The mean squared error
and its gradients, one epoch of minibatch SGD, and the closed-form line to compare with."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from nnlab.autograd import Tensor
from nnlab.exercises.exercise import Exercise, Step
from nnlab.exercises.labs._engine import constant, value_and_grads
from nnlab.exercises.task import Case, Task
from nnlab.linear_model import LinearRegression
from nnlab.nn import Parameter
from nnlab.optim import SGD


def mse_and_gradients(
    x: np.ndarray, y: np.ndarray, k: float, b: float
) -> tuple[float, float, float]:
    """L = (1/N) Σ_n (k x_n + b - y_n)² and its gradients
    dL/dk = (2/N) Σ_n (k x_n + b - y_n) x_n,  dL/db = (2/N) Σ_n (k x_n + b - y_n).

    x, y: shape (N,). Returns the floats (L, dL/dk, dL/db).
    """
    r = k * x + b - y
    return float(np.mean(r**2)), float(2 * np.mean(r * x)), float(2 * np.mean(r))


def sgd_epoch(
    x: np.ndarray, y: np.ndarray, k: float, b: float, learning_rate: float, batch_size: int
) -> tuple[float, float]:
    """One epoch of minibatch SGD on L: the batches x[0:B], x[B:2B], ... in order (the last may
    be shorter); for each, k ← k - η dL/dk and b ← b - η dL/db, with L = (1/B) Σ_batch
    (k x_n + b - y_n)² the batch's mean squared error.

    x, y: shape (N,). Returns the floats (k, b) after the epoch.
    """
    for start in range(0, x.size, batch_size):
        xb, yb = x[start : start + batch_size], y[start : start + batch_size]
        r = k * xb + b - yb
        k, b = k - learning_rate * 2 * np.mean(r * xb), b - learning_rate * 2 * np.mean(r)
    return float(k), float(b)


def closed_form_line(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """The least-squares line y = kx + b: k = cov(x, y) / var(x), b = ȳ - k x̄.

    x, y: shape (N,), x not constant. Returns the floats (k, b).
    """
    xc, yc = x - x.mean(), y - y.mean()
    k = np.sum(xc * yc) / np.sum(xc * xc)
    return float(k), float(y.mean() - k * x.mean())


def _mse(x: np.ndarray, y: np.ndarray, k: Tensor, b: Tensor) -> Tensor:
    return ((k * constant(x) + b - constant(y)) ** 2).mean()


def _mse_reference(x: np.ndarray, y: np.ndarray, k: float, b: float) -> tuple[float, ...]:
    value, dk, db = value_and_grads(lambda kt, bt: _mse(x, y, kt, bt), k, b)
    return float(value), float(dk), float(db)


def _epoch_reference(
    x: np.ndarray, y: np.ndarray, k: float, b: float, learning_rate: float, batch_size: int
) -> tuple[float, float]:
    kp = Parameter(np.array(k, dtype=np.float64))
    bp = Parameter(np.array(b, dtype=np.float64))
    optimizer = SGD([kp, bp], lr=learning_rate)
    for start in range(0, x.size, batch_size):
        optimizer.zero_grad()
        _mse(x[start : start + batch_size], y[start : start + batch_size], kp, bp).backward()
        optimizer.step()
    return float(kp.item()), float(bp.item())


def _line_reference(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    model = LinearRegression().fit(x.reshape(-1, 1), y)
    return float(model.coef_[0]), float(model.intercept_)


def _data(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    x = rng.uniform(1, 10, size=n)
    return x, 2 * x + 1 + rng.normal(0, 2, size=n)


def _losses(rng: np.random.Generator) -> Iterator[Case]:
    for n in [1, 2, 5, 10, 50, 100, *rng.integers(1, 60, size=6).tolist()]:
        x, y = _data(rng, n)
        yield {"x": x, "y": y, "k": float(rng.normal(0, 2)), "b": float(rng.normal(0, 2))}


def _epochs(rng: np.random.Generator) -> Iterator[Case]:
    sizes = [(1, 1), (5, 2), (10, 3), (20, 20), (50, 8), (100, 30)]
    sizes += [(int(n), int(rng.integers(1, n + 1))) for n in rng.integers(1, 60, size=6)]
    for n, batch in sizes:
        x, y = _data(rng, n)
        yield {
            "x": x,
            "y": y,
            "k": float(rng.normal()),
            "b": float(rng.normal()),
            "learning_rate": float(rng.uniform(0.0005, 0.005)),
            "batch_size": batch,
        }


def _lines(rng: np.random.Generator) -> Iterator[Case]:
    for n in [2, 3, 10, 40, 200, *rng.integers(2, 60, size=6).tolist()]:
        x, y = _data(rng, n)
        yield {"x": x, "y": y}


EXERCISE = Exercise(
    lab="sgd-linear-regression",
    intro=r"""
The course's first training script fits $y = kx + b$ to 1000 points $y = 2x + 1 + \varepsilon$
by **minibatch stochastic gradient descent**: for each batch, the mean squared error
$L = \frac1B \sum_n (kx_n + b - y_n)^2$, its gradient, and the step
$k \leftarrow k - \eta\,\partial L/\partial k$, $b \leftarrow b - \eta\,\partial L/\partial b$
with $\eta = 0.001$. The result approaches the closed-form least-squares line.
""",
    setup="""\
x = rng.uniform(1, 10, size=1000)
y = 2 * x + 1 + rng.normal(0, 2, size=x.size)
""",
    tasks=(
        Task(
            mse_and_gradients,
            _mse_reference,
            _losses,
            "L = mean(r²) with r = kx + b - y; dL/dk = 2 mean(r x), dL/db = 2 mean(r)",
        ),
        Task(
            sgd_epoch,
            _epoch_reference,
            _epochs,
            "walk the batches in order; after each batch's gradient, update k and b together",
        ),
        Task(
            closed_form_line,
            _line_reference,
            _lines,
            "k = Σ(x - x̄)(y - ȳ) / Σ(x - x̄)², b = ȳ - k x̄ (the normal equations for one input)",
            rtol=1e-7,
            atol=1e-8,
        ),
    ),
    steps=(
        Step(
            "## Training\n\nForty epochs of batches of 100 from k = b = 0; the loss falls and "
            "(k, b) approach the least-squares line.",
            """\
k, b = 0.0, 0.0
losses = []
for epoch in range(40):
    order = rng.permutation(x.size)
    k, b = sgd_epoch(x[order], y[order], k, b, learning_rate=0.001, batch_size=100)
    losses.append(mse_and_gradients(x, y, k, b)[0])
print(f"SGD: k = {k:.4f}, b = {b:.4f};  closed form: k, b = {closed_form_line(x, y)}")
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(losses); ax.set_xlabel("epoch"); ax.set_ylabel("mean squared error")
plt.show()
""",
        ),
    ),
)
