"""Keras 3's activations (``keras.activations.X``), on nnlab Tensors (differentiable), built on
the engine's ops. Arrays are accepted too (they become Tensors). Defaults are Keras's:

    linear(x) = x                          relu(x) = max(x, 0) (see :func:`relu` for its options)
    sigmoid(x) = 1 / (1 + e^-x)            tanh(x)
    softmax(x)_k = e^{x_k} / Σ_j e^{x_j}   log_softmax(x) = x - log Σ_j e^{x_j}   (over ``axis``)
    elu(x) = x if x > 0 else α(e^x - 1)    selu(x) = λ·elu(x, α), α ≈ 1.6733, λ ≈ 1.0507
    gelu(x) = x·Φ(x) (tanh formula when ``approximate``)       silu(x) = swish(x) = x·σ(x)
    softplus(x) = log(1 + e^x)             softsign(x) = x / (1 + |x|)
    leaky_relu(x) = x if x > 0 else 0.2x   relu6(x) = min(max(x, 0), 6)
    hard_sigmoid(x) = relu6(x + 3) / 6     hard_silu(x) = hard_swish(x) = x·hard_sigmoid(x)
    mish(x) = x·tanh(softplus(x))          exponential(x) = e^x
    hard_tanh(x) = clip(x, -1, 1)          log_sigmoid(x) = -softplus(-x)
    tanh_shrink(x) = x - tanh(x)           celu(x) = max(x, 0) + min(α(e^{x/α} - 1), 0)
    squareplus(x) = (x + √(x² + b)) / 2    glu(x) = a·σ(b), a and b the halves of x on ``axis``
    hard_shrink, soft_shrink, threshold, sparse_plus, sparse_sigmoid, sparsemax (see each)

``get(spec)`` gives the function for a name (None -> linear; a callable is returned as is);
``serialize(fn)`` gives a Keras activation's name and ``deserialize(name)`` the function.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import nnlab.autograd as ag
from nnlab.autograd import Tensor

__all__ = [
    "ACTIVATIONS",
    "celu",
    "deserialize",
    "elu",
    "exponential",
    "gelu",
    "get",
    "glu",
    "hard_shrink",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "leaky_relu",
    "linear",
    "log_sigmoid",
    "log_softmax",
    "mish",
    "relu",
    "relu6",
    "selu",
    "serialize",
    "sigmoid",
    "silu",
    "softmax",
    "softplus",
    "soft_shrink",
    "softsign",
    "sparse_plus",
    "sparse_sigmoid",
    "sparsemax",
    "squareplus",
    "swish",
    "tanh",
    "tanh_shrink",
    "threshold",
]

Activation = Callable[..., Any]


def _as_tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else ag.tensor(x)


def linear(x: Any) -> Any:
    """The identity: x (returned as given)."""
    return x


def relu(
    x: Any, negative_slope: float = 0.0, max_value: float | None = None, threshold: float = 0.0
) -> Tensor:
    """Keras's configurable ReLU: x where x > ``threshold`` (else 0), clipped to
    [0, ``max_value``] when given, minus ``negative_slope``·max(threshold - x, 0)."""
    x = _as_tensor(x)
    if negative_slope != 0 and max_value is None and threshold == 0:
        return ag.leaky_relu(x, negative_slope)
    if threshold != 0:
        out = ag.where(x.data > threshold, x, 0.0)
    elif max_value == 6:
        return _with_negative(ag.relu6(x), x, negative_slope, threshold)
    else:
        out = ag.relu(x)
    if max_value is not None:
        out = out.clip(0.0, max_value)
    return _with_negative(out, x, negative_slope, threshold)


def _with_negative(out: Tensor, x: Tensor, negative_slope: float, threshold: float) -> Tensor:
    if negative_slope == 0:
        return out
    return out - ag.relu(threshold - x) * negative_slope


def leaky_relu(x: Any, negative_slope: float = 0.2) -> Tensor:
    """x if x > 0 else ``negative_slope``·x (Keras's default slope is 0.2)."""
    return ag.leaky_relu(x, negative_slope)


def relu6(x: Any) -> Tensor:
    """min(max(x, 0), 6)."""
    return ag.relu6(x)


def sigmoid(x: Any) -> Tensor:
    """1 / (1 + e^-x), computed stably."""
    return ag.sigmoid(x)


def tanh(x: Any) -> Tensor:
    """The hyperbolic tangent."""
    return ag.tanh(x)


def softmax(x: Any, axis: int | tuple[int, ...] = -1) -> Tensor:
    """e^{x_k} / Σ_j e^{x_j} along ``axis`` (an axis or a tuple of them)."""
    if isinstance(axis, tuple | list):
        return ag.exp(log_softmax(x, axis))
    return ag.softmax(x, axis=axis)


def log_softmax(x: Any, axis: int | tuple[int, ...] = -1) -> Tensor:
    """x_k - log Σ_j e^{x_j} along ``axis`` (an axis or a tuple of them), computed stably."""
    if isinstance(axis, tuple | list):
        x = _as_tensor(x)
        return x - ag.logsumexp(x, axis=tuple(axis), keepdims=True)
    return ag.log_softmax(x, axis=axis)


def elu(x: Any, alpha: float = 1.0) -> Tensor:
    """x if x > 0 else α(e^x - 1)."""
    return ag.elu(x, alpha)


def selu(x: Any) -> Tensor:
    """λ·elu(x, α) with α ≈ 1.6733, λ ≈ 1.0507 (self-normalizing networks)."""
    return ag.selu(x)


def gelu(x: Any, approximate: bool = False) -> Tensor:
    """x·Φ(x) with Φ the standard normal CDF; with ``approximate`` the tanh formula
    ½x(1 + tanh(√(2/π)(x + 0.044715x³)))."""
    return ag.gelu(x, approximate="tanh" if approximate else "none")


def silu(x: Any) -> Tensor:
    """x·σ(x) (also called swish)."""
    return ag.silu(x)


swish = silu


def softplus(x: Any) -> Tensor:
    """log(1 + e^x), computed without overflow."""
    return ag.softplus(x)


def softsign(x: Any) -> Tensor:
    """x / (1 + |x|)."""
    return ag.softsign(x)


def hard_sigmoid(x: Any) -> Tensor:
    """relu6(x + 3) / 6: 0 below -3, 1 above 3, linear between."""
    return ag.hard_sigmoid(x)


def hard_silu(x: Any) -> Tensor:
    """x·hard_sigmoid(x) (also called hard_swish)."""
    return ag.hardswish(x)


hard_swish = hard_silu


def mish(x: Any) -> Tensor:
    """x·tanh(softplus(x))."""
    return ag.mish(x)


def exponential(x: Any) -> Tensor:
    """e^x."""
    return ag.exp(x)


def hard_tanh(x: Any) -> Tensor:
    """clip(x, -1, 1)."""
    return ag.clip(x, -1.0, 1.0)


def log_sigmoid(x: Any) -> Tensor:
    """log σ(x) = -softplus(-x), computed stably."""
    return -ag.softplus(-_as_tensor(x))


def tanh_shrink(x: Any) -> Tensor:
    """x - tanh(x)."""
    x = _as_tensor(x)
    return x - ag.tanh(x)


def celu(x: Any, alpha: float = 1.0) -> Tensor:
    """max(x, 0) + min(α(e^{x/α} - 1), 0) = α·elu(x/α)."""
    return ag.elu(_as_tensor(x) / alpha, 1.0) * alpha


def squareplus(x: Any, b: float = 4.0) -> Tensor:
    """(x + √(x² + b)) / 2, a smooth relu."""
    x = _as_tensor(x)
    return (x + (x * x + b).sqrt()) / 2


def glu(x: Any, axis: int = -1) -> Tensor:
    """Gated linear unit a·σ(b), with a, b the two halves of x along ``axis``."""
    x = _as_tensor(x)
    n = x.shape[axis]
    if n % 2:
        raise ValueError(f"glu: axis {axis} must have an even size, got shape {x.shape}")
    before = (slice(None),) * (axis % x.ndim)
    a = x[before + (slice(0, n // 2),)]
    b = x[before + (slice(n // 2, n),)]
    return a * ag.sigmoid(b)


def hard_shrink(x: Any, threshold: float = 0.5) -> Tensor:
    """x where |x| > threshold, else 0."""
    x = _as_tensor(x)
    return ag.where(np.abs(x.data) > threshold, x, 0.0)


def soft_shrink(x: Any, threshold: float = 0.5) -> Tensor:
    """x - threshold above it, x + threshold below -threshold, 0 between."""
    x = _as_tensor(x)
    return ag.relu(x - threshold) - ag.relu(-x - threshold)


def threshold(x: Any, threshold: float, default_value: float) -> Tensor:
    """x where x > threshold, else ``default_value``."""
    x = _as_tensor(x)
    return ag.where(x.data > threshold, x, float(default_value))


def sparse_plus(x: Any) -> Tensor:
    """0 for x <= -1, (x + 1)²/4 for -1 < x < 1, x for x >= 1 (a smooth relu)."""
    x = _as_tensor(x)
    inner = ag.relu(x + 1.0).clip(None, 2.0)
    return ag.where(x.data >= 1, x, inner * inner * 0.25)


def sparse_sigmoid(x: Any) -> Tensor:
    """0 for x <= -1, (x + 1)/2 for -1 < x < 1, 1 for x >= 1."""
    return ag.clip((_as_tensor(x) + 1.0) * 0.5, 0.0, 1.0)


def sparsemax(x: Any, axis: int = -1) -> Tensor:
    """The Euclidean projection of x onto the probability simplex along ``axis``:
    max(x - τ, 0) with τ such that the outputs sum to 1 (Martins & Astudillo 2016)."""
    x = _as_tensor(x)
    z = x.data
    ordered = -np.sort(-z, axis=axis)
    ks = np.arange(1, z.shape[axis] + 1, dtype=z.dtype).reshape(
        [-1 if i == axis % z.ndim else 1 for i in range(z.ndim)]
    )
    in_support = 1 + ks * ordered > np.cumsum(ordered, axis=axis)
    k = np.sum(in_support, axis=axis, keepdims=True)
    tau_np = (np.take_along_axis(np.cumsum(ordered, axis=axis), k - 1, axis=axis) - 1) / k
    support = z > tau_np
    tau = (ag.where(support, x, 0.0).sum(axis=axis, keepdims=True) - 1.0) / k.astype(z.dtype)
    return ag.relu(x - tau)


_FUNCTIONS: list[Activation] = [
    linear,
    relu,
    sigmoid,
    tanh,
    softmax,
    log_softmax,
    elu,
    selu,
    gelu,
    silu,
    softplus,
    softsign,
    leaky_relu,
    relu6,
    hard_sigmoid,
    hard_silu,
    mish,
    exponential,
    hard_tanh,
    log_sigmoid,
    tanh_shrink,
    celu,
    squareplus,
    glu,
    hard_shrink,
    soft_shrink,
    threshold,
    sparse_plus,
    sparse_sigmoid,
    sparsemax,
]

#: Activation name -> function (Keras's names, with its aliases swish and hard_swish).
ACTIVATIONS: dict[str, Activation] = {
    **{fn.__name__: fn for fn in _FUNCTIONS},
    "swish": silu,
    "hard_swish": hard_silu,
}
_NAME_OF = {fn: fn.__name__ for fn in _FUNCTIONS}


def get(spec: Any) -> Activation:
    """The activation function for ``spec``: a name (``'relu'``), None (linear), a serialized
    form (``{'class_name': 'function', 'config': 'relu'}``) or any callable (returned as is)."""
    if spec is None:
        return linear
    if isinstance(spec, str):
        if spec in ACTIVATIONS:
            return ACTIVATIONS[spec]
        registered = _registered(spec)  # a function given to register_keras_serializable
        if registered is not None:
            return registered
    if isinstance(spec, dict):
        return deserialize(spec)
    if callable(spec) and not isinstance(spec, str):
        return spec
    raise ValueError(
        f"Could not interpret activation function identifier: {spec} (unknown activation "
        f"{spec!r}; expected one of {', '.join(sorted(ACTIVATIONS))}, None or a callable)"
    )


def serialize(fn: Activation) -> str:
    """The Keras name of an activation function (``serialize(keras.activations.swish)`` is
    'silu', as in Keras)."""
    name = _NAME_OF.get(fn)
    if name is None and _registered_name(fn) is not None:  # kvar: a registered function
        return str(_registered_name(fn))
    if name is None:
        raise ValueError(
            f"Unknown activation function {fn!r} cannot be serialized: use one of Keras's "
            f"activations ({sorted(ACTIVATIONS)}) or pass the function itself"
        )
    return name


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> Activation:
    """The function for a serialized activation: its name, or Keras's dict form
    ``{'class_name': 'function', 'config': name}``; ``custom_objects`` maps extra names."""
    name = config.get("config") if isinstance(config, dict) else config
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if isinstance(name, str) and name not in ACTIVATIONS and _registered(name) is not None:
        return _registered(name)  # kvar: register_keras_serializable / custom_object_scope
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(f"Unknown activation {config!r}; expected one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[name]


# --- kvar: functions registered with keras.saving.register_keras_serializable
def _registered(name: str) -> Any:
    """The callable registered (or in the active custom_object_scope) under ``name``, or None."""
    from .saving.object_registration import get_registered_object

    found = get_registered_object(name)
    return found if callable(found) and not isinstance(found, type) else None


def _registered_name(fn: Any) -> str | None:
    """``"package>name"`` of a registered function, or None."""
    from .saving.object_registration import GLOBAL_CUSTOM_NAMES

    try:
        return GLOBAL_CUSTOM_NAMES.get(fn)
    except TypeError:
        return None


# --- kvar end
