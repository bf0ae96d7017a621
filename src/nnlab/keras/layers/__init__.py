"""Keras layers, by family (Keras 3's names, arguments and defaults).

- ``base``: ``Layer`` (an ``nnlab.nn.Module``); ``input_layer``: ``Input``, ``InputLayer``,
  ``KerasTensor``;
- ``core``: ``Dense``, ``Activation``, ``Identity``, ``Lambda``, ``Embedding``; ``masking``:
  ``Masking``; ``input_spec``: ``InputSpec``;
- ``regularization``: ``Dropout``, ``AlphaDropout``, ``GaussianNoise``, ``GaussianDropout``,
  ``ActivityRegularization``;
- ``reshaping``: ``Flatten``, ``Reshape``, ``Permute``, ``RepeatVector``;
- ``merging``: ``Add``, ``Subtract``, ``Multiply``, ``Average``, ``Maximum``, ``Minimum``,
  ``Concatenate``, ``Dot`` and their function forms (``add``, ..., ``concatenate``, ``dot``);
- ``normalization``: ``BatchNormalization``, ``LayerNormalization``, ``UnitNormalization``,
  ``GroupNormalization``, ``RMSNormalization``;
- ``activation_layers``: ``ReLU``, ``LeakyReLU``, ``PReLU``, ``ELU``, ``Softmax``;
- ``attention``: ``MultiHeadAttention``, ``Attention``, ``AdditiveAttention``;
- ``rnn``: ``RNN``, ``SimpleRNN``, ``LSTM``, ``GRU``; ``rnn_cells``: ``SimpleRNNCell``,
  ``LSTMCell``, ``GRUCell``; ``stacked_rnn_cells``: ``StackedRNNCells``; ``bidirectional``:
  ``Bidirectional``;
- ``preprocessing``: ``Rescaling``, ``Normalization`` (with ``adapt``); ``image_preprocessing``:
  ``Resizing``, ``CenterCrop``, ``RandomCrop``, ``RandomFlip``; ``image_augmentation``:
  ``RandomRotation``, ``RandomZoom``, ``RandomTranslation``, ``RandomContrast``,
  ``RandomBrightness``;
- ``conv``, ``conv_transpose``, ``pooling``, ``spatial``: the convolution family (Conv1D/2D,
  Conv1D/2DTranspose, pooling, padding, cropping, upsampling in 1-D to 3-D, ...).
"""

from __future__ import annotations

from typing import Any

from .activation_layers import ELU, LeakyReLU, PReLU, ReLU, Softmax
from .attention import AdditiveAttention, Attention, MultiHeadAttention
from .base import Layer
from .bidirectional import Bidirectional
from .conv import Conv1D, Conv2D, DepthwiseConv2D, SeparableConv2D
from .conv_transpose import Conv1DTranspose, Conv2DTranspose
from .core import Activation, Dense, Embedding, Identity, Lambda
from .image_augmentation import (
    RandomBrightness,
    RandomContrast,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
)
from .image_preprocessing import CenterCrop, RandomCrop, RandomFlip, Resizing
from .input_layer import Input, InputLayer, KerasTensor
from .input_spec import InputSpec
from .masking import Masking
from .merging import (
    Add,
    Average,
    Concatenate,
    Dot,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    dot,
    maximum,
    minimum,
    multiply,
    subtract,
)
from .normalization import (
    BatchNormalization,
    GroupNormalization,
    LayerNormalization,
    RMSNormalization,
    UnitNormalization,
)
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
from .preprocessing import CategoryEncoding, Normalization, Rescaling
from .regularization import (
    ActivityRegularization,
    AlphaDropout,
    Dropout,
    GaussianDropout,
    GaussianNoise,
)
from .reshaping import Flatten, Permute, RepeatVector, Reshape
from .rnn import GRU, LSTM, RNN, SimpleRNN
from .rnn_cells import GRUCell, LSTMCell, SimpleRNNCell
from .spatial import (
    Cropping1D,
    Cropping2D,
    Cropping3D,
    SpatialDropout1D,
    SpatialDropout2D,
    SpatialDropout3D,
    UpSampling1D,
    UpSampling2D,
    UpSampling3D,
    ZeroPadding1D,
    ZeroPadding2D,
    ZeroPadding3D,
)
from .stacked_rnn_cells import StackedRNNCells
from .wrappers import TimeDistributed, Wrapper

# Keras's other names of the same classes (keras.layers.MaxPool2D is MaxPooling2D, ...)
AvgPool1D = AveragePooling1D
AvgPool2D = AveragePooling2D
Convolution1D = Conv1D
Convolution1DTranspose = Conv1DTranspose
Convolution2D = Conv2D
Convolution2DTranspose = Conv2DTranspose
GlobalAvgPool1D = GlobalAveragePooling1D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalMaxPool1D = GlobalMaxPooling1D
GlobalMaxPool2D = GlobalMaxPooling2D
MaxPool1D = MaxPooling1D
MaxPool2D = MaxPooling2D
SeparableConvolution2D = SeparableConv2D

__all__ = [
    "GRU",
    "GRUCell",
    "LSTM",
    "LSTMCell",
    "RNN",
    "SimpleRNN",
    "SimpleRNNCell",
    "StackedRNNCells",
    "AvgPool1D",
    "AvgPool2D",
    "Convolution1D",
    "Convolution1DTranspose",
    "Convolution2D",
    "Convolution2DTranspose",
    "GlobalAvgPool1D",
    "GlobalAvgPool2D",
    "GlobalMaxPool1D",
    "GlobalMaxPool2D",
    "MaxPool1D",
    "MaxPool2D",
    "SeparableConvolution2D",
    "Activation",
    "ActivityRegularization",
    "Add",
    "AdditiveAttention",
    "AlphaDropout",
    "Attention",
    "Average",
    "AveragePooling1D",
    "AveragePooling2D",
    "BatchNormalization",
    "Bidirectional",
    "CategoryEncoding",
    "CenterCrop",
    "Concatenate",
    "Conv1D",
    "Conv1DTranspose",
    "Conv2D",
    "Conv2DTranspose",
    "Cropping1D",
    "Cropping2D",
    "Cropping3D",
    "Dense",
    "DepthwiseConv2D",
    "Dot",
    "Dropout",
    "ELU",
    "Embedding",
    "Flatten",
    "GaussianDropout",
    "GaussianNoise",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "GroupNormalization",
    "Identity",
    "Input",
    "InputLayer",
    "InputSpec",
    "KerasTensor",
    "LAYERS",
    "Lambda",
    "Layer",
    "LayerNormalization",
    "Masking",
    "LeakyReLU",
    "MaxPooling1D",
    "MaxPooling2D",
    "Maximum",
    "Minimum",
    "MultiHeadAttention",
    "Multiply",
    "Normalization",
    "PReLU",
    "Permute",
    "RandomBrightness",
    "RandomContrast",
    "RandomCrop",
    "RandomFlip",
    "RandomRotation",
    "RandomTranslation",
    "RandomZoom",
    "RMSNormalization",
    "ReLU",
    "RepeatVector",
    "Rescaling",
    "Reshape",
    "Resizing",
    "SeparableConv2D",
    "Softmax",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
    "Subtract",
    "TimeDistributed",
    "Wrapper",
    "UnitNormalization",
    "UpSampling1D",
    "UpSampling2D",
    "UpSampling3D",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "ZeroPadding3D",
    "deserialize",
    "serialize",
    "add",
    "average",
    "concatenate",
    "dot",
    "maximum",
    "minimum",
    "multiply",
    "subtract",
]


def serialize(layer: Layer) -> dict[str, Any]:
    """Keras's form of a layer: ``{'module', 'class_name', 'config', 'registered_name'}``."""
    from .core import _serialize

    return _serialize(layer)


def deserialize(config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Layer:
    """The layer ``serialize`` described: a class of ``keras.layers``, of ``custom_objects`` or
    registered with ``keras.saving.register_keras_serializable``."""
    from ..saving.object_registration import get_registered_object

    name = str(config.get("class_name"))
    cls = (custom_objects or {}).get(name) or get_registered_object(
        str(config.get("registered_name") or name)
    )
    if cls is None and name in __all__:
        cls = globals()[name]
    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        raise TypeError(
            f"Could not locate class '{name}'. Make sure custom classes and functions are "
            "decorated with `@keras.saving.register_keras_serializable()`. If they are already "
            "decorated, make sure they are all imported so that the decorator is run before "
            f"trying to load them. Full object config: {config}"
        )
    return cls.from_config(dict(config.get("config") or {}))


#: The layers nnlab's version-1 model file can hold (``keras.saving``), by class name.
LAYERS: dict[str, type[Layer]] = {cls.__name__: cls for cls in (Activation, Dense, Dropout)}
