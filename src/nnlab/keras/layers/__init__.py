"""Keras layers, by family (Keras 3's names, arguments and defaults).

- ``base``: ``Layer`` (an ``nnlab.nn.Module``); ``input_layer``: ``Input``, ``InputLayer``,
  ``KerasTensor``; ``core``: ``Dense``, ``Activation``, ``Identity``, ``Lambda``;
  ``regularization``: ``Dropout``.
"""

from __future__ import annotations

from .base import Layer
from .conv import Conv1D, Conv2D, DepthwiseConv2D, SeparableConv2D
from .core import Activation, Dense, Identity, Lambda
from .input_layer import Input, InputLayer, KerasTensor
from .pooling import (
    AveragePooling1D,
    AveragePooling2D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    MaxPooling1D,
    MaxPooling2D,
)
from .regularization import Dropout
from .spatial import Cropping2D, SpatialDropout2D, UpSampling2D, ZeroPadding2D

__all__ = [
    "LAYERS",
    "Activation",
    "AveragePooling1D",
    "AveragePooling2D",
    "Conv1D",
    "Conv2D",
    "Cropping2D",
    "Dense",
    "DepthwiseConv2D",
    "Dropout",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "Identity",
    "Input",
    "InputLayer",
    "KerasTensor",
    "Lambda",
    "Layer",
    "MaxPooling1D",
    "MaxPooling2D",
    "SeparableConv2D",
    "SpatialDropout2D",
    "UpSampling2D",
    "ZeroPadding2D",
]

#: The layers nnlab's version-1 model file can hold (``keras.saving``), by class name.
LAYERS: dict[str, type[Layer]] = {cls.__name__: cls for cls in (Activation, Dense, Dropout)}
