"""nnlab: neural networks from first principles.

The autodiff engine is re-exported here: ``nnlab.tensor``, ``nnlab.Tensor``, ``nnlab.no_grad``,
``nnlab.set_num_threads``, the ops (``nnlab.exp``, ``nnlab.concatenate``, ...). Subpackages
(``nnlab.nn``, ``nnlab.optim``, ``nnlab.keras``, ``nnlab.prob``, ``nnlab.linear_model``,
``nnlab.datasets``, ``nnlab.labs``) are imported on demand. ``nnlab.linear_model`` is the package
of scikit-learn-style linear models; the fused layer op x Wᵀ + b is ``nnlab.autograd.linear``
(also ``nnlab.nn.functional.linear``).
"""

from .autograd import (
    Tensor,
    clip,
    concatenate,
    dropout,
    enable_grad,
    exp,
    get_num_threads,
    is_grad_enabled,
    log,
    log_softmax,
    logsumexp,
    no_grad,
    relu,
    set_num_threads,
    sigmoid,
    sigmoid_binary_cross_entropy,
    softmax,
    softmax_cross_entropy,
    sqrt,
    stack,
    tanh,
    tensor,
    where,
)

__version__ = "0.1.0"

__all__ = [
    "Tensor",
    "clip",
    "concatenate",
    "dropout",
    "enable_grad",
    "exp",
    "get_num_threads",
    "is_grad_enabled",
    "log",
    "log_softmax",
    "logsumexp",
    "no_grad",
    "relu",
    "set_num_threads",
    "sigmoid",
    "sigmoid_binary_cross_entropy",
    "softmax",
    "softmax_cross_entropy",
    "sqrt",
    "stack",
    "tanh",
    "tensor",
    "where",
]
