"""nnlab: neural networks from first principles.

The autodiff engine is re-exported here: ``nnlab.tensor``, ``nnlab.Tensor``, ``nnlab.no_grad``,
``nnlab.set_num_threads``, the ops (``nnlab.exp``, ``nnlab.concatenate``, ...). Subpackages
(``nnlab.nn``, ``nnlab.optim``, ``nnlab.keras``, ``nnlab.prob``, ``nnlab.linear_model``,
``nnlab.datasets``, ``nnlab.labs``) are imported on demand. ``nnlab.linear_model`` is the package
of scikit-learn-style linear models; the fused layer op x Wᵀ + b is ``nnlab.autograd.linear``
(also ``nnlab.nn.functional.linear``).
"""

import os as _os
import sys as _sys

# OpenBLAS's idle worker threads spin for 2^28 cycles (~0.1 s) after each matrix product by
# default, and then take the cores from the engine's own threads (nnlab.autograd.parallel): a
# convnet epoch ran 10% slower with them, and 25-35% faster than that with the spin bounded to
# 2^18 cycles (~0.1 ms). OpenBLAS reads the setting once, when NumPy loads it: it applies when
# nnlab is imported first (as the ``nnlab`` command does), and never overrides the user's own.
_BLAS_SPIN_BOUNDED = "OPENBLAS_THREAD_TIMEOUT" in _os.environ or "numpy" not in _sys.modules
if "numpy" not in _sys.modules:
    _os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "18")

from .autograd import (  # noqa: E402
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
