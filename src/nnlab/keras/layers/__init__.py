"""Keras layers, by family (Keras 3's names, arguments and defaults).

- ``base``: ``Layer`` (an ``nnlab.nn.Module``); ``input_layer``: ``Input``, ``InputLayer``,
  ``KerasTensor``; ``core``: ``Dense``, ``Activation``, ``Identity``, ``Lambda``;
  ``regularization``: ``Dropout``.
"""

from __future__ import annotations

from .base import Layer
from .core import Activation, Dense, Identity, Lambda
from .input_layer import Input, InputLayer, KerasTensor
from .regularization import Dropout

__all__ = [
    "LAYERS",
    "Activation",
    "Dense",
    "Dropout",
    "Identity",
    "Input",
    "InputLayer",
    "KerasTensor",
    "Lambda",
    "Layer",
]

#: The layers nnlab's version-1 model file can hold (``keras.saving``), by class name.
LAYERS: dict[str, type[Layer]] = {cls.__name__: cls for cls in (Activation, Dense, Dropout)}
