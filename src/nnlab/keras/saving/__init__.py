"""Model files: Keras 3's ``.keras`` format and ``.weights.h5`` files, both ways.

``keras_format`` writes and reads the zip (``config.json``, ``metadata.json``,
``model.weights.h5``); ``serialization`` turns models and layers into Keras's configs and back;
``keras_compile`` does the compile state and the optimizer's variables; ``h5_store`` the HDF5
weights file. ``saving_lib`` (with ``archive`` and ``schema``) is nnlab's earlier ``.npz`` format,
which still loads.
"""

from .archive import ModelFileError
from .keras_format import KERAS_VERSION, load_model, load_weights, save_model, save_weights

__all__ = [
    "KERAS_VERSION",
    "ModelFileError",
    "load_model",
    "load_weights",
    "save_model",
    "save_weights",
]
