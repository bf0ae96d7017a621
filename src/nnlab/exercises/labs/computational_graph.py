"""Exercise: the computational graph. The course's f(x, y) = x² + xy + (x + y)² differentiated by
hand node by node, then two ops written for nnlab's engine as ``Function`` subclasses."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from nnlab.autograd import Function, Tensor, exp, tensor
from nnlab.exercises.exercise import Exercise, Step
from nnlab.exercises.labs._engine import value_and_grads
from nnlab.exercises.task import Case, Task


def graph_gradients(x: float, y: float) -> tuple[float, float, float]:
    """f(x, y) = x² + xy + (x + y)² and its gradient by reverse mode on the course's graph:
    the nodes a = x², b = xy, c = x + y, d = c², f = a + b + d. Going backward from df/df = 1:
    df/dd = 1, df/dc = 2c · df/dd, df/da = df/db = 1, then
    df/dx = 2x · df/da + y · df/db + df/dc and df/dy = x · df/db + df/dc.

    Returns the floats (f, df/dx, df/dy).
    """
    a, b, c = x * x, x * y, x + y
    d = c * c
    f = a + b + d
    df_dc = 2 * c
    return f, 2 * x + y + df_dc, x + df_dc


class Multiply(Function):
    """out = a * b elementwise. Backward, for the upstream gradient g = dL/d(out):
    dL/da = g * b and dL/db = g * a (the engine sums over broadcast axes for you).

    forward(a, b) gets NumPy arrays and returns one; save what backward needs on ``self``.
    backward(g) returns the tuple (dL/da, dL/db).
    """

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.a, self.b = a, b
        return a * b

    def backward(self, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return g * self.b, g * self.a


class Exponential(Function):
    """out = e^x elementwise. Backward: dL/dx = g * e^x, and e^x is the output: save it.

    forward(x) returns an array; backward(g) returns the one-element tuple (dL/dx,).
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = np.exp(x)
        return self.out

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g * self.out,)


def _as_op(cls: Any) -> type[Function]:
    if not (isinstance(cls, type) and issubclass(cls, Function)):
        raise TypeError("it must be a class deriving from nnlab.autograd.Function")
    return cls


def _through_engine(cls: Any) -> Callable[..., tuple[np.ndarray, ...]]:
    """Run a student's op on tensors: (value, gradient of each input) for an upstream ``grad``."""
    op = _as_op(cls)

    def run(grad: np.ndarray, **inputs: np.ndarray) -> tuple[np.ndarray, ...]:
        tensors = [tensor(v, requires_grad=True) for v in inputs.values()]
        out = op().apply(*tensors)
        out.backward(grad)
        grads = [
            np.zeros_like(v) if t.grad is None else t.grad
            for v, t in zip(inputs.values(), tensors, strict=True)
        ]
        return (np.asarray(out.data), *grads)

    return run


def _engine_reference(f: Callable[..., Tensor]) -> Callable[..., tuple[np.ndarray, ...]]:
    def run(grad: np.ndarray, **inputs: np.ndarray) -> tuple[np.ndarray, ...]:
        tensors = [tensor(v, requires_grad=True) for v in inputs.values()]
        out = f(*tensors)
        out.backward(grad)
        return (np.asarray(out.data), *(np.asarray(t.grad) for t in tensors))

    return run


def _graph_reference(x: float, y: float) -> tuple[float, ...]:
    def f(xt: Tensor, yt: Tensor) -> Tensor:
        return xt**2 + xt * yt + (xt + yt) ** 2

    return tuple(float(v) for v in value_and_grads(f, x, y))


def _points(rng: np.random.Generator) -> Iterator[Case]:
    yield {"x": 2.0, "y": 1.0}
    yield {"x": 0.0, "y": 0.0}
    for _ in range(15):
        yield {"x": float(rng.normal(0, 5)), "y": float(rng.normal(0, 5))}


def _products(rng: np.random.Generator) -> Iterator[Case]:
    for sa, sb in [
        ((), ()),
        ((3,), (3,)),
        ((2, 3), (2, 3)),
        ((2, 3), (3,)),
        ((4, 1), (1, 5)),
        ((3,), ()),
        ((2, 2, 2), (2, 1)),
    ] * 2:
        out = np.broadcast_shapes(sa, sb)
        yield {"grad": rng.normal(size=out), "a": rng.normal(size=sa), "b": rng.normal(size=sb)}


def _exponents(rng: np.random.Generator) -> Iterator[Case]:
    for shape in [(), (1,), (4,), (2, 3), (3, 2, 2)] * 2:
        yield {"grad": rng.normal(size=shape), "x": rng.normal(0, 2, size=shape)}


EXERCISE = Exercise(
    lab="computational-graph",
    intro=r"""
A function is a graph of elementary operations. **Reverse mode** computes every node's value
forward, then, from $\partial f/\partial f = 1$ backward, each node's gradient as the sum over its
consumers of (consumer's gradient) × (local derivative): the chain rule. For the course's example
$f(x, y) = x^2 + xy + (x + y)^2$, $\partial f/\partial x = 2x + y + 2(x + y)$ and
$\partial f/\partial y = x + 2(x + y)$.

nnlab's engine does the same with one `Function` subclass per operation: `forward` computes the
output from NumPy arrays and saves what `backward` needs; `backward(g)` returns the gradient of
each input given the gradient `g` of the output.
""",
    setup="""\
from nnlab.autograd import Function, tensor
""",
    tasks=(
        Task(
            graph_gradients,
            _graph_reference,
            _points,
            "f = x² + xy + (x+y)²: df/dx = 2x + y + 2(x + y), df/dy = x + 2(x + y) (course: the "
            "computational-graph example)",
        ),
        Task(
            Multiply,
            _engine_reference(lambda a, b: a * b),
            _products,
            "the local derivatives of a*b are b (for a) and a (for b); multiply each by g",
            adapter=_through_engine,
        ),
        Task(
            Exponential,
            _engine_reference(exp),
            _exponents,
            "d(e^x)/dx = e^x: keep the forward output and return (g * output,)",
            adapter=_through_engine,
        ),
    ),
    steps=(
        Step(
            "## Your ops in the engine\n\nThe course's example at (2, 1), by your hand-derived "
            "gradient and by the engine using your `Multiply` for the products.",
            """\
x, y = 2.0, 1.0
print("by hand:", graph_gradients(x, y))
xt = tensor(np.array(x), requires_grad=True)
yt = tensor(np.array(y), requires_grad=True)
s = xt + yt
f = Multiply().apply(xt, xt) + Multiply().apply(xt, yt) + Multiply().apply(s, s)
f.backward()
print("engine with your Multiply:", float(f.data), float(xt.grad), float(yt.grad))
z = tensor(np.linspace(-2, 2, 5), requires_grad=True)
Exponential().apply(z).sum().backward()
print("d/dz sum(e^z) =", z.grad.round(4), "= e^z:", np.exp(z.data).round(4))
""",
        ),
    ),
)
