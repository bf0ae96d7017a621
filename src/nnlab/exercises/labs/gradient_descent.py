"""Exercise: gradient descent. The gradient of a quadratic error, the update u_t = -η∇E, and the
whole descent, run on an ill-conditioned quadratic with step sizes too small, good and too big."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from nnlab.autograd import Tensor
from nnlab.exercises.exercise import Exercise, Step
from nnlab.exercises.labs._engine import constant, value_and_grads
from nnlab.exercises.task import Case, Task
from nnlab.optim import SGD
from nnlab.optim import gradient_descent as library_gradient_descent


def quadratic_gradient(w: np.ndarray, A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """∇E(w) for E(w) = ½ wᵀAw - bᵀw with A symmetric: ∇E = Aw - b.

    w, b: shape (n,); A: shape (n, n). Returns shape (n,).
    """
    return A @ w - b


def gradient_descent_step(w: np.ndarray, grad: np.ndarray, learning_rate: float) -> np.ndarray:
    """One step of gradient descent: u = -η ∇E(w), and the new w + u.

    w, grad: the same shape. Returns a new array (w itself is left unchanged).
    """
    return w - learning_rate * grad


def gradient_descent(
    grad_fn: Callable[[np.ndarray], np.ndarray], w0: np.ndarray, learning_rate: float, steps: int
) -> np.ndarray:
    """The path of ``steps`` updates w_t = w_{t-1} - η ∇E(w_{t-1}) from w_0.

    grad_fn(w) returns ∇E(w); w0: shape (n,). Returns shape (steps + 1, n): w_0, w_1, ..., w_steps.
    """
    path = [np.array(w0, dtype=float)]
    for _ in range(steps):
        path.append(path[-1] - learning_rate * grad_fn(path[-1]))
    return np.array(path)


class QuadraticGradient:
    """w ↦ Aw - b, the gradient of E(w) = ½ wᵀAw - bᵀw (a case's ``grad_fn``)."""

    def __init__(self, A: np.ndarray, b: np.ndarray) -> None:
        self.A, self.b = A, b

    def __call__(self, w: np.ndarray) -> np.ndarray:
        return self.A @ w - self.b

    def __repr__(self) -> str:
        return f"gradient of ½wᵀAw - bᵀw with A = {self.A.tolist()}, b = {self.b.tolist()}"

    def energy(self, w: Tensor) -> Tensor:
        """E(w) on the engine."""
        return 0.5 * (w * (constant(self.A) @ w)).sum() - (constant(self.b) * w).sum()


def _spd(rng: np.random.Generator, n: int) -> np.ndarray:
    M = rng.normal(size=(n, n))
    return M @ M.T + 0.5 * np.eye(n)


def _quadratics(rng: np.random.Generator) -> Iterator[Case]:
    for n in [1, 2, *rng.integers(2, 7, size=12).tolist()]:
        yield {"w": rng.normal(size=n), "A": _spd(rng, int(n)), "b": rng.normal(size=n)}


def _steps(rng: np.random.Generator) -> Iterator[Case]:
    yield {"w": np.array([1.0]), "grad": np.array([0.0]), "learning_rate": 0.1}
    shapes = [(1,), (3,), (2, 3), (5,), (4, 2), (7,), (3, 3), (10,)]
    for shape in shapes + [tuple(rng.integers(1, 6, size=rng.integers(1, 3))) for _ in range(6)]:
        yield {
            "w": rng.normal(size=shape),
            "grad": rng.normal(size=shape),
            "learning_rate": float(rng.uniform(0.001, 1)),
        }


def _descents(rng: np.random.Generator) -> Iterator[Case]:
    for n in [1, 2, 2, 3, 4, 5, *rng.integers(1, 6, size=6).tolist()]:
        A = _spd(rng, n)
        yield {
            "grad_fn": QuadraticGradient(A, rng.normal(size=n)),
            "w0": rng.normal(size=n),
            "learning_rate": float(rng.uniform(0.1, 1.5) / np.linalg.eigvalsh(A).max()),
            "steps": int(rng.integers(0, 30)),
        }


def _gradient_reference(w: np.ndarray, A: np.ndarray, b: np.ndarray) -> np.ndarray:
    _value, grad = value_and_grads(QuadraticGradient(A, b).energy, w)
    return np.asarray(grad)


def _step_reference(w: np.ndarray, grad: np.ndarray, learning_rate: float) -> np.ndarray:
    param = constant(w)
    param.requires_grad = True
    param.grad = grad.copy()
    SGD([param], lr=learning_rate).step()
    return np.asarray(param.data)


def _descent_reference(
    grad_fn: QuadraticGradient, w0: np.ndarray, learning_rate: float, steps: int
) -> np.ndarray:
    return library_gradient_descent(grad_fn.energy, w0, learning_rate, steps).trajectory


EXERCISE = Exercise(
    lab="gradient-descent",
    intro=r"""
Gradient descent minimizes an error $E(\mathbf{w})$ by small steps against its gradient:
$$\mathbf{u}_t = -\eta \nabla E(\mathbf{w}_{t-1}), \qquad \mathbf{w}_t = \mathbf{w}_{t-1} +
\mathbf{u}_t.$$
On a quadratic $E(\mathbf{w}) = \tfrac12 \mathbf{w}^\top A \mathbf{w} - \mathbf{b}^\top
\mathbf{w}$ the gradient is $A\mathbf{w} - \mathbf{b}$, and the descent converges only when
$\eta < 2/\lambda_{max}(A)$; an ill-conditioned $A$ (very different eigenvalues) zig-zags.
""",
    setup="""\
A = np.array([[10.0, 0.0], [0.0, 1.0]])  # ill-conditioned: eigenvalues 10 and 1
b = np.zeros(2)
w0 = np.array([1.0, 1.0])
""",
    tasks=(
        Task(
            quadratic_gradient,
            _gradient_reference,
            _quadratics,
            "differentiate ½ wᵀAw - bᵀw: the gradient is Aw - b for a symmetric A",
        ),
        Task(
            gradient_descent_step,
            _step_reference,
            _steps,
            "u_t = -η ∇E(w): move against the gradient, scaled by the learning rate",
        ),
        Task(
            gradient_descent,
            _descent_reference,
            _descents,
            "repeat w ← w - η grad_fn(w) `steps` times and keep every w, the start included",
        ),
    ),
    steps=(
        Step(
            "## Three step sizes\n\nη = 0.02 crawls, η = 0.18 converges, η = 0.21 > 2/10 "
            "diverges along the steep axis.",
            """\
fig, ax = plt.subplots(figsize=(6, 5))
u, v = np.meshgrid(np.linspace(-1.5, 1.5, 100), np.linspace(-1.5, 1.5, 100))
ax.contour(u, v, 0.5 * (10 * u**2 + v**2), levels=15, colors="0.8")
for eta in (0.02, 0.18, 0.21):
    path = gradient_descent(lambda w: quadratic_gradient(w, A, b), w0, eta, 25)
    ax.plot(path[:, 0], path[:, 1], "o-", markersize=3, label=f"η = {eta}")
ax.set_xlim(-1.5, 1.5); ax.set_ylim(-1.5, 1.5); ax.legend()
plt.show()
""",
        ),
    ),
)
