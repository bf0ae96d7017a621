"""Model files: ``save_model`` / ``load_model`` (the format is described in :mod:`.format`).

``format`` writes and rebuilds models; ``archive`` reads the zip and its ``.npy`` members without
trusting them; ``schema`` checks the JSON config. Each concern in its own module, independent of
how models and layers are built.
"""

from .archive import ModelFileError
from .format import FORMAT, VERSION, load_model, read_weights, save_model

__all__ = ["FORMAT", "VERSION", "ModelFileError", "load_model", "read_weights", "save_model"]
