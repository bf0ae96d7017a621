"""Neural-network functions of ``keras.ops`` (Keras 3's ``keras.ops.nn``): activations,
softmax, one-hot encoding, the cross-entropies and normalization, with the engine's gradients
(its fused, numerically stable ops where it has them)."""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab import autograd as ag
from nnlab.autograd import Tensor

from ._util import as_array, t
from .operation import keras_op

__all__ = [
    "binary_crossentropy", "categorical_crossentropy", "elu", "gelu", "hard_sigmoid",
    "hard_silu", "hard_swish", "leaky_relu", "log_sigmoid", "log_softmax", "moments",
    "multi_hot", "normalize", "one_hot", "relu", "relu6", "selu", "sigmoid", "silu", "softmax",
    "softplus", "softsign", "sparse_categorical_crossentropy", "swish",
]  # fmt: skip


def _nn(class_name: str, config: tuple[str, ...] = ()) -> Any:
    return keras_op(class_name, config=config, module="nn")


@_nn("Relu")
def relu(x: Any) -> Tensor:
    """max(x, 0)."""
    return t(x).relu()


@_nn("Relu6")
def relu6(x: Any) -> Tensor:
    """min(max(x, 0), 6)."""
    return ag.relu6(t(x))


@_nn("Sigmoid")
def sigmoid(x: Any) -> Tensor:
    """1 / (1 + e⁻ˣ)."""
    return t(x).sigmoid()


@_nn("LogSigmoid")
def log_sigmoid(x: Any) -> Tensor:
    """ln sigmoid(x) = -softplus(-x), computed stably."""
    return -ag.softplus(-t(x))


@_nn("Softplus")
def softplus(x: Any) -> Tensor:
    """ln(1 + eˣ)."""
    return ag.softplus(t(x))


@_nn("Softsign")
def softsign(x: Any) -> Tensor:
    """x / (1 + |x|)."""
    return ag.softsign(t(x))


@_nn("Silu")
def silu(x: Any) -> Tensor:
    """x sigmoid(x) (swish)."""
    return ag.silu(t(x))


swish = silu


@_nn("HardSilu")
def hard_silu(x: Any) -> Tensor:
    """x relu6(x + 3) / 6."""
    return ag.hardswish(t(x))


hard_swish = hard_silu


@_nn("LeakyRelu", config=("negative_slope",))
def leaky_relu(x: Any, negative_slope: float = 0.2) -> Tensor:
    """x for x > 0, negative_slope x otherwise."""
    return ag.leaky_relu(t(x), negative_slope)


@_nn("HardSigmoid")
def hard_sigmoid(x: Any) -> Tensor:
    """relu6(x + 3) / 6."""
    return ag.hard_sigmoid(t(x))


@_nn("Elu", config=("alpha",))
def elu(x: Any, alpha: float = 1.0) -> Tensor:
    """x for x > 0, alpha (eˣ - 1) otherwise."""
    return ag.elu(t(x), alpha)


@_nn("Selu")
def selu(x: Any) -> Tensor:
    """scale elu(x, alpha) with Klambauer et al.'s constants."""
    return ag.selu(t(x))


@_nn("Gelu", config=("approximate",))
def gelu(x: Any, approximate: bool = True) -> Tensor:
    """x Φ(x) (the tanh approximation when ``approximate``, Keras's default)."""
    return ag.gelu(t(x), approximate="tanh" if approximate else "none")


@_nn("Softmax", config=("axis",))
def softmax(x: Any, axis: int = -1) -> Tensor:
    """e^x / Σ e^x along ``axis``."""
    return t(x).softmax(axis=axis)


@_nn("LogSoftmax", config=("axis",))
def log_softmax(x: Any, axis: int = -1) -> Tensor:
    """x - logsumexp(x) along ``axis``."""
    return t(x).log_softmax(axis=axis)


@_nn("OneHot", config=("num_classes", "axis", "dtype", "sparse"))
def one_hot(
    x: Any, num_classes: int, axis: int = -1, dtype: Any = None, sparse: bool = False
) -> Tensor:
    """Integer labels as one-hot vectors of length ``num_classes`` (on ``axis``); a label
    outside [0, num_classes) gives a row of zeros, as Keras."""
    labels = as_array(x).astype(np.int64)
    eye = np.vstack([np.eye(num_classes, dtype=dtype or "float32"), np.zeros((1, num_classes))])
    out = eye[np.where((labels >= 0) & (labels < num_classes), labels, num_classes)]
    out = out.astype(dtype or "float32")
    return Tensor(np.moveaxis(out, -1, axis) if axis != -1 else out)


@_nn("MultiHot", config=("num_classes", "axis", "dtype", "sparse"))
def multi_hot(
    inputs: Any, num_classes: int, axis: int = -1, dtype: Any = None, sparse: bool = False
) -> Tensor:
    """1 at every label present in each row of integer ``inputs``."""
    labels = as_array(inputs).astype(np.int64)
    hot = as_array(one_hot(labels, num_classes, dtype=dtype)).max(axis=-2 if labels.ndim > 1 else 0)
    return Tensor(np.moveaxis(hot, -1, axis) if axis != -1 else hot)


def _probs(output: Tensor, from_logits: bool, axis: int) -> Tensor:
    return (
        output.log_softmax(axis=axis)
        if from_logits
        else ag.log(ag.clip(output / output.sum(axis=axis, keepdims=True), 1e-7, 1.0 - 1e-7))
    )


@_nn("BinaryCrossentropy", config=("from_logits",))
def binary_crossentropy(target: Any, output: Any, from_logits: bool = False) -> Tensor:
    """-(y ln p + (1 - y) ln(1 - p)) elementwise (p clipped to [ε, 1 - ε] as Keras, or
    computed from logits stably)."""
    y, z = t(target), t(output)
    if from_logits:
        return ag.sigmoid_binary_cross_entropy(z, y, reduction="none")
    p = ag.clip(z, 1e-7, 1.0 - 1e-7)
    return -(y * ag.log(p) + (1.0 - y) * ag.log(1.0 - p))


@_nn("CategoricalCrossentropy", config=("from_logits", "axis"))
def categorical_crossentropy(
    target: Any, output: Any, from_logits: bool = False, axis: int = -1
) -> Tensor:
    """-Σ y ln p along ``axis`` (p normalized and clipped as Keras, or log_softmax of logits)."""
    return -(t(target) * _probs(t(output), from_logits, axis)).sum(axis=axis)


@_nn("SparseCategoricalCrossentropy", config=("from_logits", "axis"))
def sparse_categorical_crossentropy(
    target: Any, output: Any, from_logits: bool = False, axis: int = -1
) -> Tensor:
    """-ln p[label] for integer labels."""
    z = t(output)
    labels = as_array(target).astype(np.int64)
    if labels.ndim == z.ndim:
        labels = labels.reshape(labels.shape[:-1])
    hot = one_hot(labels, z.shape[axis], axis=axis)
    return -(hot * _probs(z, from_logits, axis)).sum(axis=axis)


@_nn("Moments", config=("axes", "keepdims", "synchronized"))
def moments(x: Any, axes: Any, keepdims: bool = False, synchronized: bool = False) -> Any:
    """(mean, variance) of x over ``axes``."""
    tensor = ag.ops.to_float(t(x))
    ax = tuple(axes) if isinstance(axes, list | tuple) else axes
    m = tensor.mean(axis=ax, keepdims=True)
    d = tensor - m
    v = (d * d).mean(axis=ax, keepdims=keepdims)
    return (m if keepdims else tensor.mean(axis=ax)), v


@_nn("Normalize", config=("axis", "order", "epsilon"))
def normalize(x: Any, axis: int = -1, order: int = 2, epsilon: float | None = None) -> Tensor:
    """x / ‖x‖ along ``axis`` (the L2 norm for order 2, the L1 norm for order 1)."""
    tensor = ag.ops.to_float(t(x))
    eps = 1e-12 if epsilon is None else epsilon
    if order == 1:
        n = ag.abs(tensor).sum(axis=axis, keepdims=True)
    else:
        n = ag.sqrt((tensor * tensor).sum(axis=axis, keepdims=True))
    return tensor / ag.clip(n, eps, None)
