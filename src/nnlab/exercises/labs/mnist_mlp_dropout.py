"""Exercise: MNIST MLP with dropout. The ReLU's backward, inverted dropout, and the forward pass of
the course's one-hidden-layer network, then a short training run on the student's code."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from nnlab.autograd import Tensor, dense, relu, tensor
from nnlab.autograd.nn_ops import Dropout
from nnlab.exercises.exercise import Exercise, Step
from nnlab.exercises.labs._engine import constant
from nnlab.exercises.labs.mnist_softmax import MNIST_SETUP
from nnlab.exercises.task import Case, Task


def relu_backward(x: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """dL/dx for out = max(x, 0), given grad = dL/d(out): grad where x > 0, else 0.

    x, grad: the same shape. Returns that shape.
    """
    return grad * (x > 0)


def inverted_dropout(x: np.ndarray, p: float, u: np.ndarray) -> np.ndarray:
    """Inverted dropout in training: keep x_i where u_i ≥ p (probability 1 - p), zero it
    otherwise, and scale the kept values by 1/(1 - p) so that E[output] = x (then evaluation
    needs no rescaling). u holds the uniform random numbers in [0, 1), one per element.

    x, u: the same shape; 0 ≤ p < 1 (the drop probability; keep_prob = 1 - p). Returns x's shape.
    """
    return x * (u >= p) / (1 - p)


def mlp_logits(
    x: np.ndarray,
    W1: np.ndarray,
    b1: np.ndarray,
    W2: np.ndarray,
    b2: np.ndarray,
    p: float,
    u: np.ndarray,
) -> np.ndarray:
    """The network's scores in training: h = max(x W1 + b1, 0), h' = inverted dropout of h with
    drop probability p and uniforms u (as above), logits = h' W2 + b2.

    x: (N, D); W1: (D, H); b1: (H,); W2: (H, K); b2: (K,); u: (N, H). Returns (N, K).
    """
    h = np.maximum(x @ W1 + b1, 0)
    return (h * (u >= p) / (1 - p)) @ W2 + b2


class _GivenUniforms(np.random.Generator):
    """A stand-in generator whose ``random`` returns the case's uniforms (for the engine's
    Dropout, which draws ``rng.random(shape, dtype=float32) >= p``)."""

    def __init__(self, u: np.ndarray) -> None:
        super().__init__(np.random.PCG64(0))
        self.u = u

    def random(self, *args: object, **kwargs: object) -> np.ndarray:  # type: ignore[override]
        return self.u.astype(np.float32)


def _engine_dropout(h: Tensor, p: float, u: np.ndarray) -> Tensor:
    return Dropout(p, _GivenUniforms(u)).apply(h)


def _relu_backward_reference(x: np.ndarray, grad: np.ndarray) -> np.ndarray:
    xt = tensor(x, requires_grad=True)
    relu(xt).backward(grad)
    return np.asarray(xt.grad)


def _dropout_reference(x: np.ndarray, p: float, u: np.ndarray) -> np.ndarray:
    return np.asarray(_engine_dropout(constant(x), p, u).data)


def _logits_reference(
    x: np.ndarray,
    W1: np.ndarray,
    b1: np.ndarray,
    W2: np.ndarray,
    b2: np.ndarray,
    p: float,
    u: np.ndarray,
) -> np.ndarray:
    h = dense(constant(x), constant(W1), constant(b1), activation="relu")
    return np.asarray(dense(_engine_dropout(h, p, u), constant(W2), constant(b2)).data)


#: drop probabilities exact in float32, so that u ≥ p is the same comparison in either precision
_P = (0.0, 0.125, 0.25, 0.5, 0.75)


def _uniforms(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return rng.random(shape, dtype=np.float32).astype(np.float64)


def _relus(rng: np.random.Generator) -> Iterator[Case]:
    yield {"x": np.array([-1.0, 0.0, 2.0]), "grad": np.array([5.0, 5.0, 5.0])}
    for shape in [(1,), (4,), (3, 5), (2, 3, 4)] * 3:
        yield {"x": rng.normal(size=shape), "grad": rng.normal(size=shape)}


def _dropouts(rng: np.random.Generator) -> Iterator[Case]:
    for shape in [(1,), (4,), (3, 5), (8, 16), (2, 3, 4)] * 2:
        p = float(rng.choice(_P))
        yield {"x": rng.normal(size=shape), "p": p, "u": _uniforms(rng, shape)}


def _networks(rng: np.random.Generator) -> Iterator[Case]:
    for n, d, h, k in [(1, 2, 3, 2), (4, 5, 8, 3), (16, 20, 10, 10), (2, 1, 1, 1)] * 2:
        yield {
            "x": rng.normal(size=(n, d)),
            "W1": rng.normal(0, 0.5, size=(d, h)),
            "b1": rng.normal(0, 0.1, size=h),
            "W2": rng.normal(0, 0.5, size=(h, k)),
            "b2": rng.normal(0, 0.1, size=k),
            "p": float(rng.choice(_P)),
            "u": _uniforms(rng, (n, h)),
        }


EXERCISE = Exercise(
    lab="mnist-mlp-dropout",
    intro=r"""
The course's network: 784 pixels → a hidden layer of ReLU units $h = \max(xW_1 + b_1, 0)$ →
**dropout** → ten scores $z = hW_2 + b_2$ → softmax. Dropout zeroes each hidden unit with
probability $p$ during training (the course's `keep_prob` is $1 - p$); *inverted* dropout scales
the kept units by $1/(1 - p)$ so that nothing changes at evaluation time, when dropout is off.
Backward through the ReLU, the gradient passes where $x > 0$ and stops elsewhere.
""",
    setup=MNIST_SETUP.format(limit=6000),
    tasks=(
        Task(
            relu_backward,
            _relu_backward_reference,
            _relus,
            "the ReLU's derivative is 1 where x > 0 and 0 elsewhere (0 at x = 0, as PyTorch)",
        ),
        Task(
            inverted_dropout,
            _dropout_reference,
            _dropouts,
            "keep where u >= p, zero elsewhere, and divide the kept values by 1 - p (the keep "
            "probability)",
        ),
        Task(
            mlp_logits,
            _logits_reference,
            _networks,
            "relu(x W1 + b1), then inverted dropout with the given u, then @ W2 + b2",
        ),
    ),
    steps=(
        Step(
            "## Training with dropout\n\nBackpropagation by hand through your functions: "
            "128 hidden units, p = 0.5, 400 steps of batches of 100, learning rate 0.2 (raise "
            "them for "
            "a better network: the lab itself reaches 98%).",
            """\
H, p, lr = 128, 0.5, 0.2
W1 = rng.normal(0, np.sqrt(2 / 784), size=(784, H)); b1 = np.zeros(H)
W2 = rng.normal(0, np.sqrt(1 / H), size=(H, 10)); b2 = np.zeros(10)
for step in range(400):
    idx = rng.integers(0, len(x_train), size=100)
    xb, yb = x_train[idx], y_train[idx]
    u = rng.random((100, H))
    a1 = xb @ W1 + b1
    h = inverted_dropout(np.maximum(a1, 0), p, u)
    logits = mlp_logits(xb, W1, b1, W2, b2, p, u)
    z = np.exp(logits - logits.max(axis=1, keepdims=True)); probs = z / z.sum(axis=1, keepdims=True)
    probs[np.arange(100), yb] -= 1
    dz = probs / 100
    dh = inverted_dropout(dz @ W2.T, p, u)  # dropout's backward is the same mask and scale
    da1 = relu_backward(a1, dh)
    W2 -= lr * h.T @ dz; b2 -= lr * dz.sum(axis=0)
    W1 -= lr * xb.T @ da1; b1 -= lr * da1.sum(axis=0)
test_logits = mlp_logits(x_test, W1, b1, W2, b2, 0.0, np.ones((len(x_test), H)))  # p = 0: off
print(f"test accuracy after 400 steps: {np.mean(test_logits.argmax(axis=1) == y_test):.3f}")
""",
        ),
    ),
)
