"""``nnlab.nn``: PyTorch-shaped building blocks on nnlab's autodiff engine.

``Module`` and ``Parameter``; layers ``Linear``, ``ReLU``, ``Sigmoid``, ``Tanh``, ``Softmax``,
``Identity``, ``Dropout``, ``Sequential``; initializers in ``nnlab.nn.init``; losses and the
activations as functions in ``nnlab.nn.functional``.
"""

from . import functional, init
from .layers import Dropout, Identity, Linear, ReLU, Sequential, Sigmoid, Softmax, Tanh
from .module import Module, Parameter

__all__ = [
    "Dropout",
    "Identity",
    "Linear",
    "Module",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "functional",
    "init",
]
