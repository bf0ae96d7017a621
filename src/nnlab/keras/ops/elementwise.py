"""Elementwise functions of ``keras.ops`` (Keras 3's ``keras.ops.numpy``): arithmetic, powers,
logarithms, trigonometry, rounding, comparisons and logic, with the engine's gradients.

Comparisons and logic (``equal``, ``logical_and``, ``isnan``, ...) have no gradient and return
boolean Tensors, as Keras.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab import autograd as ag
from nnlab.autograd import Tensor

from ._util import as_array, t, unary
from .operation import keras_op

__all__ = [
    "abs", "absolute", "add", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctan2",
    "arctanh", "ceil", "clip", "cos", "cosh", "divide", "divide_no_nan", "equal", "exp", "exp2",
    "expm1", "floor", "floor_divide", "greater", "greater_equal", "isclose", "isfinite", "isinf",
    "isnan", "less", "less_equal", "log", "log10", "log1p", "log2", "logaddexp", "logical_and",
    "logical_not", "logical_or", "logical_xor", "maximum", "minimum", "mod", "multiply",
    "negative", "not_equal", "power", "reciprocal", "round", "rsqrt", "sign", "sin", "sinh", "sqrt",
    "square", "subtract", "tan", "tanh", "true_divide", "trunc", "where",
]  # fmt: skip


# --------------------------------------------------------------------------- arithmetic
@keras_op("Add")
def add(x1: Any, x2: Any) -> Tensor:
    """x1 + x2 (broadcast)."""
    return t(x1) + t(x2)


@keras_op("Subtract")
def subtract(x1: Any, x2: Any) -> Tensor:
    """x1 - x2."""
    return t(x1) - t(x2)


@keras_op("Multiply")
def multiply(x1: Any, x2: Any) -> Tensor:
    """x1 * x2."""
    return t(x1) * t(x2)


@keras_op("Divide")
def divide(x1: Any, x2: Any) -> Tensor:
    """x1 / x2 (true division: integers give float32)."""
    return t(x1) / t(x2)


@keras_op("TrueDivide")
def true_divide(x1: Any, x2: Any) -> Tensor:
    """x1 / x2."""
    return t(x1) / t(x2)


@keras_op("DivideNoNan")
def divide_no_nan(x1: Any, x2: Any) -> Tensor:
    """x1 / x2, and 0 where x2 == 0."""
    a, b = t(x1), t(x2)
    zero = as_array(b) == 0
    safe = ag.where(zero, Tensor(np.ones((), dtype=b.dtype)), b)
    return ag.where(zero, Tensor(np.zeros((), dtype=np.float32)), a / safe)


@keras_op("FloorDivide")
def floor_divide(x1: Any, x2: Any) -> Tensor:
    """floor(x1 / x2) (no gradient)."""
    return Tensor(np.floor_divide(as_array(t(x1)), as_array(t(x2))))


@keras_op("Mod")
def mod(x1: Any, x2: Any) -> Tensor:
    """x1 mod x2, with the sign of x2 (NumPy's); the gradient is 1 for x1."""
    a, b = t(x1), t(x2)
    return a - Tensor(np.floor_divide(a.data, b.data).astype(a.dtype)) * b


@keras_op("Power")
def power(x1: Any, x2: Any) -> Tensor:
    """x1 ** x2."""
    return t(x1) ** (x2 if isinstance(x2, int | float) else t(x2))


@keras_op("Negative")
def negative(x: Any) -> Tensor:
    """-x."""
    return -t(x)


@keras_op("Square")
def square(x: Any) -> Tensor:
    """x²."""
    tensor = t(x)
    return tensor * tensor


@keras_op("Sqrt")
def sqrt(x: Any) -> Tensor:
    """√x."""
    return ag.sqrt(t(x))


@keras_op("Rsqrt")
def rsqrt(x: Any) -> Tensor:
    """1 / √x."""
    return 1.0 / ag.sqrt(ag.ops.to_float(t(x)))


@keras_op("Reciprocal")
def reciprocal(x: Any) -> Tensor:
    """1 / x."""
    return 1.0 / ag.ops.to_float(t(x))


@keras_op("Absolute")
def absolute(x: Any) -> Tensor:
    """|x|."""
    return ag.abs(t(x))


abs = absolute  # noqa: A001 - Keras's name


@keras_op("Sign")
def sign(x: Any) -> Tensor:
    """-1, 0 or 1 (no gradient)."""
    return ag.sign(t(x))


@keras_op("Maximum")
def maximum(x1: Any, x2: Any) -> Tensor:
    """The larger of x1 and x2, elementwise (the gradient goes to x1 at ties)."""
    a, b = t(x1), t(x2)
    return ag.where(a.data >= b.data, a, b)


@keras_op("Minimum")
def minimum(x1: Any, x2: Any) -> Tensor:
    """The smaller of x1 and x2, elementwise (the gradient goes to x1 at ties)."""
    a, b = t(x1), t(x2)
    return ag.where(a.data <= b.data, a, b)


@keras_op("Clip", config=("x_min", "x_max"))
def clip(x: Any, x_min: Any, x_max: Any) -> Tensor:
    """x limited to [x_min, x_max] (gradient 1 inside, 0 outside)."""
    return t(x).clip(x_min, x_max)


@keras_op("Where")
def where(condition: Any, x1: Any = None, x2: Any = None) -> Any:
    """x1 where condition holds, else x2; with only a condition, the indices where it holds."""
    cond = as_array(condition)
    if x1 is None and x2 is None:
        return tuple(Tensor(i.astype(np.int32)) for i in np.nonzero(cond))
    if x1 is None or x2 is None:
        raise ValueError("where: give both x1 and x2, or neither")
    return ag.where(cond.astype(bool), t(x1), t(x2))


# --------------------------------------------------------------------------- exp and log
@keras_op("Exp")
def exp(x: Any) -> Tensor:
    """eˣ."""
    return ag.exp(t(x))


@keras_op("Exp2")
def exp2(x: Any) -> Tensor:
    """2ˣ."""
    return unary(x, np.exp2, lambda x, y: y * np.log(2.0))


@keras_op("Expm1")
def expm1(x: Any) -> Tensor:
    """eˣ - 1 (accurate near 0)."""
    return unary(x, np.expm1, lambda x, y: y + 1.0)


@keras_op("Log")
def log(x: Any) -> Tensor:
    """ln x."""
    return ag.log(t(x))


@keras_op("Log1p")
def log1p(x: Any) -> Tensor:
    """ln(1 + x) (accurate near 0)."""
    return unary(x, np.log1p, lambda x, y: 1.0 / (1.0 + x))


@keras_op("Log2")
def log2(x: Any) -> Tensor:
    """log₂ x."""
    return unary(x, np.log2, lambda x, y: 1.0 / (x * np.log(2.0)))


@keras_op("Log10")
def log10(x: Any) -> Tensor:
    """log₁₀ x."""
    return unary(x, np.log10, lambda x, y: 1.0 / (x * np.log(10.0)))


@keras_op("Logaddexp")
def logaddexp(x1: Any, x2: Any) -> Tensor:
    """ln(e^x1 + e^x2), computed stably."""
    a, b = t(x1), t(x2)
    m = Tensor(np.maximum(a.data, b.data))
    return m + ag.log(ag.exp(a - m) + ag.exp(b - m))


# --------------------------------------------------------------------------- trigonometry
_TRIG = {
    "sin": ("Sin", np.sin, lambda x, y: np.cos(x)),
    "cos": ("Cos", np.cos, lambda x, y: -np.sin(x)),
    "tan": ("Tan", np.tan, lambda x, y: 1.0 + y * y),
    "sinh": ("Sinh", np.sinh, lambda x, y: np.cosh(x)),
    "cosh": ("Cosh", np.cosh, lambda x, y: np.sinh(x)),
    "arcsin": ("Arcsin", np.arcsin, lambda x, y: 1.0 / np.sqrt(1.0 - x * x)),
    "arccos": ("Arccos", np.arccos, lambda x, y: -1.0 / np.sqrt(1.0 - x * x)),
    "arctan": ("Arctan", np.arctan, lambda x, y: 1.0 / (1.0 + x * x)),
    "arcsinh": ("Arcsinh", np.arcsinh, lambda x, y: 1.0 / np.sqrt(x * x + 1.0)),
    "arccosh": ("Arccosh", np.arccosh, lambda x, y: 1.0 / np.sqrt(x * x - 1.0)),
    "arctanh": ("Arctanh", np.arctanh, lambda x, y: 1.0 / (1.0 - x * x)),
}


def _trig(name: str) -> Any:
    class_name, f, df = _TRIG[name]

    def fn(x: Any) -> Tensor:
        return unary(x, f, df)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"{name}(x) elementwise (NumPy's {f.__name__}), differentiable."
    return keras_op(class_name)(fn)


sin, cos, tan = _trig("sin"), _trig("cos"), _trig("tan")
sinh, cosh = _trig("sinh"), _trig("cosh")
arcsin, arccos, arctan = _trig("arcsin"), _trig("arccos"), _trig("arctan")
arcsinh, arccosh, arctanh = _trig("arcsinh"), _trig("arccosh"), _trig("arctanh")


@keras_op("Tanh")
def tanh(x: Any) -> Tensor:
    """tanh x."""
    return ag.tanh(t(x))


@keras_op("Arctan2")
def arctan2(x1: Any, x2: Any) -> Tensor:
    """The angle of the point (x2, x1) (no gradient)."""
    return t(np.arctan2(as_array(x1), as_array(x2)))


# --------------------------------------------------------------------------- rounding
def _rounding(class_name: str, f: Any, doc: str) -> Any:
    def fn(x: Any) -> Tensor:
        return Tensor(f(as_array(t(x))))

    fn.__name__ = fn.__qualname__ = class_name.lower()
    fn.__doc__ = doc
    return keras_op(class_name)(fn)


floor = _rounding("Floor", np.floor, "The largest integer <= x (no gradient).")
ceil = _rounding("Ceil", np.ceil, "The smallest integer >= x (no gradient).")
trunc = _rounding("Trunc", np.trunc, "x rounded towards 0 (no gradient).")


@keras_op("Round", config=("decimals",))
def round(x: Any, decimals: int = 0) -> Tensor:  # noqa: A001 - Keras's name
    """x rounded to ``decimals`` places, halves to even (no gradient)."""
    return Tensor(np.round(as_array(t(x)), decimals))


# --------------------------------------------------------------------------- comparisons
def _compare(class_name: str, name: str, f: Any) -> Any:
    def fn(x1: Any, x2: Any) -> Tensor:
        return Tensor(np.asarray(f(as_array(x1), as_array(x2))))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"{name}(x1, x2) elementwise, as a boolean Tensor (no gradient)."
    return keras_op(class_name)(fn)


equal = _compare("Equal", "equal", np.equal)
not_equal = _compare("NotEqual", "not_equal", np.not_equal)
greater = _compare("Greater", "greater", np.greater)
greater_equal = _compare("GreaterEqual", "greater_equal", np.greater_equal)
less = _compare("Less", "less", np.less)
less_equal = _compare("LessEqual", "less_equal", np.less_equal)
logical_and = _compare("LogicalAnd", "logical_and", np.logical_and)
logical_or = _compare("LogicalOr", "logical_or", np.logical_or)
logical_xor = _compare("LogicalXor", "logical_xor", np.logical_xor)


@keras_op("LogicalNot")
def logical_not(x: Any) -> Tensor:
    """not x, as a boolean Tensor."""
    return Tensor(np.logical_not(as_array(x)))


@keras_op("Isnan")
def isnan(x: Any) -> Tensor:
    """Whether x is NaN."""
    return Tensor(np.isnan(as_array(x)))


@keras_op("Isinf")
def isinf(x: Any) -> Tensor:
    """Whether x is +-infinity."""
    return Tensor(np.isinf(as_array(x)))


@keras_op("Isfinite")
def isfinite(x: Any) -> Tensor:
    """Whether x is neither NaN nor infinite."""
    return Tensor(np.isfinite(as_array(x)))


@keras_op("Isclose", config=("equal_nan",))
def isclose(
    x1: Any, x2: Any, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False
) -> Tensor:
    """|x1 - x2| <= atol + rtol |x2|, elementwise."""
    return Tensor(np.isclose(as_array(x1), as_array(x2), rtol, atol, equal_nan))
