"""Arithmetic ops: + - * / ** and unary minus (elementwise, with NumPy broadcasting), and @.

Each op returns its gradients in the broadcast shape of the output; the engine sums them back
to each input's shape (``sum_to_shape``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .function import Function
from .tensor import Tensor


def lift(x: Any, like: Tensor | None = None) -> Tensor:
    """Make ``x`` a Tensor. A Python scalar takes the float dtype of ``like`` (no silent upcast)."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, int | float) and not isinstance(x, bool) and like is not None:
        if like.data.dtype.kind == "f":
            return Tensor(np.asarray(x, dtype=like.data.dtype))
        return Tensor(np.asarray(x))
    if isinstance(x, np.ndarray | np.generic):
        return Tensor(x)
    return Tensor(np.asarray(x) if isinstance(x, bool) else x)


def _pair(a: Any, b: Any) -> tuple[Tensor, Tensor]:
    if isinstance(a, Tensor):
        return a, lift(b, a)
    b = lift(b)
    return lift(a, b), b


def _check_broadcast(op: str, a: np.ndarray, b: np.ndarray) -> None:
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(
            f"{op}: shapes {a.shape} and {b.shape} cannot be broadcast together"
        ) from None


class Add(Function):
    __slots__ = ()

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        try:
            return a + b
        except ValueError:
            _check_broadcast("add", a, b)
            raise

    def backward(self, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return g, g


class Sub(Function):
    __slots__ = ()

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        try:
            return a - b
        except ValueError:
            _check_broadcast("sub", a, b)
            raise

    def backward(self, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return g, -g


class Mul(Function):
    """d(ab)/da = b, d(ab)/db = a."""

    __slots__ = ("a", "b")
    fresh_grads = True

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.a, self.b = a, b
        try:
            return a * b
        except ValueError:
            _check_broadcast("mul", a, b)
            raise

    def backward(self, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return g * self.b, g * self.a


class Div(Function):
    """d(a/b)/da = 1/b, d(a/b)/db = -a/b²."""

    __slots__ = ("a", "b")
    fresh_grads = True

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.a, self.b = a, b
        try:
            return a / b
        except ValueError:
            _check_broadcast("div", a, b)
            raise

    def backward(self, g: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        ga = g / self.b
        gb = None if not self.inputs[1].requires_grad else -ga * self.a / self.b
        return ga, gb


class Pow(Function):
    """d(aᵇ)/da = b·aᵇ⁻¹, d(aᵇ)/db = aᵇ·ln a (only computed when b needs a gradient)."""

    __slots__ = ("a", "b", "out")

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.a, self.b = a, b
        try:
            self.out = a**b
        except ValueError:
            _check_broadcast("pow", a, b)
            raise
        return self.out

    def backward(self, g: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        a_tensor, b_tensor = self.inputs
        ga = g * self.b * self.a ** (self.b - 1) if a_tensor.requires_grad else None
        gb = None
        if b_tensor.requires_grad:
            with np.errstate(divide="ignore", invalid="ignore"):
                gb = g * self.out * np.log(self.a)
        return ga, gb


class Neg(Function):
    __slots__ = ()

    def forward(self, a: np.ndarray) -> np.ndarray:
        return -a

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (-g,)


class MatMul(Function):
    """C = A @ B with NumPy's rules (1-D, 2-D, batched N-D with broadcast batch axes).

    dA = dC @ Bᵀ, dB = Aᵀ @ dC (transposing the last two axes); a 1-D operand is treated as a
    row (A) or column (B) vector and the extra axis is removed again.
    """

    __slots__ = ("a", "b")
    fresh_grads = True

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError(
                f"matmul: operands must be at least 1-D, got shapes {a.shape} and {b.shape} "
                "(use * for a scalar)"
            )
        ka = a.shape[-1]
        kb = b.shape[-2] if b.ndim > 1 else b.shape[0]
        if ka != kb:
            raise ValueError(
                f"matmul: {a.shape} @ {b.shape}: inner dimensions {ka} and {kb} differ"
            )
        self.a, self.b = a, b
        try:
            return a @ b
        except ValueError:
            raise ValueError(
                f"matmul: {a.shape} @ {b.shape}: batch dimensions cannot be broadcast"
            ) from None

    def backward(self, g: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        a, b = self.a, self.b
        if a.ndim == 2 and b.ndim == 2:  # the common case, no reshaping
            ga = g @ b.T if self.inputs[0].requires_grad else None
            gb = a.T @ g if self.inputs[1].requires_grad else None
            return ga, gb
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g2 = g
        if b.ndim == 1:
            g2 = g2[..., None]
        if a.ndim == 1:
            g2 = g2[..., None, :]
        ga = gb = None
        if self.inputs[0].requires_grad:
            ga = g2 @ np.swapaxes(b2, -1, -2)
            if a.ndim == 1:
                ga = ga.reshape(-1, a.shape[0]).sum(axis=0)
        if self.inputs[1].requires_grad:
            gb = np.swapaxes(a2, -1, -2) @ g2
            if b.ndim == 1:
                gb = gb.reshape(-1, b.shape[0]).sum(axis=0)
        return ga, gb


def add(a: Any, b: Any) -> Tensor:
    """a + b (broadcasting)."""
    return Add().apply(*_pair(a, b))


def sub(a: Any, b: Any) -> Tensor:
    """a - b (broadcasting)."""
    return Sub().apply(*_pair(a, b))


def mul(a: Any, b: Any) -> Tensor:
    """a * b elementwise (broadcasting)."""
    return Mul().apply(*_pair(a, b))


def div(a: Any, b: Any) -> Tensor:
    """a / b elementwise (broadcasting)."""
    return Div().apply(*_pair(a, b))


def pow(a: Any, b: Any) -> Tensor:
    """a ** b elementwise (broadcasting); either side may be a tensor."""
    return Pow().apply(*_pair(a, b))


def neg(a: Any) -> Tensor:
    """-a."""
    return Neg().apply(lift(a))


def matmul(a: Any, b: Any) -> Tensor:
    """a @ b: 1-D, 2-D and batched N-D as ``numpy.matmul``."""
    return MatMul().apply(*_pair(a, b))
