"""Arithmetic ops: + - * / ** and unary minus (elementwise, with NumPy broadcasting), and @.

Each op returns its gradients in the broadcast shape of the output; the engine sums them back
to each input's shape (``sum_to_shape``). Operands follow PyTorch's type promotion where it
differs from NumPy's: an integer tensor meeting a float tensor takes the float's dtype
(int64 × float32 → float32, not float64), and a Python scalar takes the tensor's float dtype
(float32 if the tensor is an integer one). True division of integers is float32. Two float
tensors of which one is 0-d take the other's dtype (float32 × 0-d float64 → float32), as in PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .function import Function
from .tensor import Tensor


def as_tensor(x: Any, like: Tensor | None = None) -> Tensor:
    """``x`` as a Tensor (a Tensor is returned as is, an ndarray keeps its dtype, a list or a
    Python float becomes float32). Next to a tensor ``like``, a Python scalar takes its float
    dtype (no silent upcast); a Python float next to an integer tensor becomes float32, as in
    PyTorch. The one conversion every op's wrapper applies to its inputs."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, int | float) and not isinstance(x, bool) and like is not None:
        if like._data.dtype.kind == "f":
            return Tensor(np.asarray(x, dtype=like._data.dtype))
        if isinstance(x, float):
            return Tensor(np.asarray(x, dtype=np.float32))
        return Tensor(np.asarray(x))
    if isinstance(x, np.ndarray | np.generic):
        return Tensor(x)
    return Tensor(np.asarray(x) if isinstance(x, bool) else x)


def _promote(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    """PyTorch's rules where they differ from NumPy's: an integer (or bool) tensor meeting a float
    one takes the float's dtype (NumPy would widen int64 × float32 to float64; integer tensors
    never need a gradient, so the cast copy is a constant), and a 0-d float tensor meeting a float
    tensor with dimensions takes that tensor's dtype (a cast the gradient flows through)."""
    ka, kb = a._data.dtype.kind, b._data.dtype.kind
    if ka == kb == "f" and (a._data.ndim == 0) != (b._data.ndim == 0):
        # two floats, one of them 0-d: the tensor with dimensions sets the dtype (torch's rule)
        if a._data.ndim == 0:
            return Cast(b._data.dtype).apply(a), b
        return a, Cast(a._data.dtype).apply(b)
    if ka == "f" and kb in "iub":
        return a, Tensor(b._data.astype(a._data.dtype))
    if kb == "f" and ka in "iub":
        return Tensor(a._data.astype(b._data.dtype)), b
    return a, b


class Cast(Function):
    """y = x in another float dtype; dy/dx = 1, cast back to x's dtype."""

    __slots__ = ("dtype", "source")
    saves_tensors = False

    def __init__(self, dtype: np.dtype) -> None:
        self.dtype = dtype

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.source = x.dtype
        return x.astype(self.dtype)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g.astype(self.source),)


def cast(x: Any, dtype: Any) -> Tensor:
    """``x`` converted to ``dtype``; the gradient flows back converted to ``x``'s dtype."""
    return Cast(np.dtype(dtype)).apply(as_tensor(x))


def to_float(t: Tensor) -> Tensor:
    """An integer (or bool) tensor as float32, for the ops whose result is real-valued (true
    division, exp, log, sqrt, tanh, sigmoid), as in PyTorch; a float tensor is returned as is."""
    if t._data.dtype.kind in "iub":
        return Tensor(t._data.astype(np.float32))
    return t


def pair(a: Any, b: Any) -> tuple[Tensor, Tensor]:
    """The two operands of a binary op as tensors of promoted dtypes (see the module doc)."""
    if isinstance(a, Tensor):
        b = as_tensor(b, a)
    else:
        b = as_tensor(b)
        a = as_tensor(a, b)
    if a._data.dtype is not b._data.dtype:
        return _promote(a, b)
    return a, b


class Add(Function):
    """y = a + b; dy/da = dy/db = 1."""

    __slots__ = ()
    broadcasting = True
    saves_tensors = False

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a + b

    def backward(self, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return g, g


def add(a: Any, b: Any) -> Tensor:
    """a + b (broadcasting)."""
    return Add().apply(*pair(a, b))


class Sub(Function):
    """y = a - b; dy/da = 1, dy/db = -1."""

    __slots__ = ()
    broadcasting = True
    saves_tensors = False

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a - b

    def backward(self, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return g, -g


def sub(a: Any, b: Any) -> Tensor:
    """a - b (broadcasting)."""
    return Sub().apply(*pair(a, b))


class Mul(Function):
    """d(ab)/da = b, d(ab)/db = a."""

    __slots__ = ("a", "b")
    broadcasting = True
    fresh_grads = True

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.a, self.b = a, b
        return a * b

    def backward(self, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return g * self.b, g * self.a


def mul(a: Any, b: Any) -> Tensor:
    """a * b elementwise (broadcasting)."""
    return Mul().apply(*pair(a, b))


class Div(Function):
    """d(a/b)/da = 1/b, d(a/b)/db = -a/b²."""

    __slots__ = ("a", "b")
    broadcasting = True
    fresh_grads = True

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.a, self.b = a, b
        return a / b

    def backward(self, g: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        ga = g / self.b
        gb = None if not self.inputs[1].requires_grad else -ga * self.a / self.b
        return ga, gb


def div(a: Any, b: Any) -> Tensor:
    """a / b elementwise (broadcasting): true division, so two integer tensors give float32."""
    a, b = pair(a, b)
    return Div().apply(to_float(a), to_float(b))


class Pow(Function):
    """y = aᵇ; dy/da = b·aᵇ⁻¹, dy/db = aᵇ·ln a (each computed only when needed).

    PyTorch's conventions where the formulas give 0·∞: dy/da = 0 where b = 0 (y = 1 is
    constant in a), and dy/db = 0 where a = 0 and b >= 0.
    """

    __slots__ = ("a", "b", "out")
    broadcasting = True

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.a, self.b = a, b
        self.out = a**b
        return self.out

    def backward(self, g: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        a, b = self.a, self.b
        a_tensor, b_tensor = self.inputs
        ga = gb = None
        if a_tensor.requires_grad:
            zero_exponent = b == 0
            if zero_exponent.any():
                with np.errstate(divide="ignore", invalid="ignore"):
                    ga = np.where(zero_exponent, 0, g * b * a ** (b - 1))
            else:
                ga = g * b * a ** (b - 1)
        if b_tensor.requires_grad:
            with np.errstate(divide="ignore", invalid="ignore"):
                gb = np.where((a == 0) & (b >= 0), 0, g * self.out * np.log(a))
        return ga, gb


def pow(a: Any, b: Any) -> Tensor:
    """a ** b elementwise (broadcasting); either side may be a tensor."""
    return Pow().apply(*pair(a, b))


class Neg(Function):
    """y = -a; dy/da = -1."""

    __slots__ = ()
    saves_tensors = False

    def forward(self, a: np.ndarray) -> np.ndarray:
        return -a

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (-g,)


def neg(a: Any) -> Tensor:
    """-a."""
    return Neg().apply(as_tensor(a))


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


def matmul(a: Any, b: Any) -> Tensor:
    """a @ b: 1-D, 2-D and batched N-D as ``numpy.matmul``."""
    return MatMul().apply(*pair(a, b))
