"""Model files: Keras 3's ``.keras`` format and ``.weights.h5`` files, both ways.

``keras_format`` writes and reads the zip (``config.json``, ``metadata.json``,
``model.weights.h5``); ``serialization`` turns models and layers into Keras's configs and back;
``keras_compile`` does the compile state and the optimizer's variables; ``h5_store`` the HDF5
weights file. ``saving_lib`` (with ``archive`` and ``schema``) is nnlab's earlier ``.npz`` format,
which still loads. ``object_registration`` holds the custom objects a file may name
(``register_keras_serializable``, ``custom_object_scope``); ``serialization_lib`` any object's
description (``serialize_keras_object`` / ``deserialize_keras_object``).
"""

from .archive import ModelFileError
from .keras_format import KERAS_VERSION, load_model, load_weights, save_model, save_weights
from .object_registration import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)
from .serialization_lib import deserialize_keras_object, serialize_keras_object

__all__ = [
    "KERAS_VERSION",
    "CustomObjectScope",
    "custom_object_scope",
    "deserialize_keras_object",
    "get_custom_objects",
    "get_registered_name",
    "get_registered_object",
    "register_keras_serializable",
    "ModelFileError",
    "load_model",
    "load_weights",
    "save_model",
    "save_weights",
    "serialize_keras_object",
]
