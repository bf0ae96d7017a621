"""``nnlab.nn``: PyTorch-shaped building blocks on nnlab's autodiff engine.

``Module`` and ``Parameter``; layers ``Linear``, ``ReLU``, ``Sigmoid``, ``Tanh``, ``Softmax``,
``Identity``, ``Dropout``, ``Sequential``; ``Conv1d``, ``Conv2d``, ``MaxPool2d``, ``AvgPool2d``,
``AdaptiveAvgPool2d``, ``BatchNorm1d``, ``BatchNorm2d``, ``LayerNorm``, ``Flatten``, ``Dropout2d``
(channels first, as PyTorch); initializers in ``nnlab.nn.init``; losses and the
activations as functions in ``nnlab.nn.functional``.
"""

from . import functional, init
from .conv import Conv1d, Conv2d
from .conv_transpose import ConvTranspose1d, ConvTranspose2d
from .layers import (
    Dropout,
    Dropout2d,
    Flatten,
    Identity,
    Linear,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
)
from .module import Module, Parameter
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from .pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d

__all__ = [
    "AdaptiveAvgPool2d",
    "AvgPool2d",
    "BatchNorm1d",
    "BatchNorm2d",
    "Conv1d",
    "Conv2d",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "Dropout",
    "Dropout2d",
    "Flatten",
    "Identity",
    "LayerNorm",
    "Linear",
    "MaxPool2d",
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
